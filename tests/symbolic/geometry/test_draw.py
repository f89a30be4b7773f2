"""Drawing a diagram writes a valid PNG or SVG file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
import pytest

from symbolic.geometry.draw import atom_objects, draw
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.predicates import COLL, CYCLIC, PERP, RCONST
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.tables import Atom

TEXT = ("a b c = triangle a b c; o = circle o a b c; h = midpoint h c b; "
        "d = on_line d o h, on_line d a b; e = on_tline e c c o, on_tline e a a o "
        "? cyclic a o e d")


@dataclass(frozen=True)
class _Proof:
    auxiliary_points: tuple[str, ...] = ("e",)


@pytest.fixture(scope="module")
def drawn():
    problem = parse_problem(TEXT, "example")
    return problem, build_diagram(problem, np.random.default_rng(0))


def test_png(tmp_path, drawn) -> None:
    path = tmp_path / "d.png"
    draw(*drawn, _Proof(), str(path))
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000


def test_svg_without_proof(tmp_path, drawn) -> None:
    path = tmp_path / "d.svg"
    draw(*drawn, None, str(path))
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = path.read_text()
    assert "<path" in text


def test_pdf(tmp_path, drawn) -> None:  # the CLI offers .pdf too
    path = tmp_path / "d.pdf"
    draw(*drawn, None, str(path))
    assert path.read_bytes().startswith(b"%PDF")


def test_unknown_extension(tmp_path, drawn) -> None:
    with pytest.raises(ValueError, match=r"\.svg or \.pdf"):
        draw(*drawn, None, str(tmp_path / "d.gif"))


def test_atom_objects() -> None:
    assert atom_objects(Atom(COLL, ("a", "b", "c"))) == ([("a", "b", "c")], [])
    assert atom_objects(Atom(PERP, ("a", "b", "c", "d")))[0] == [("a", "b"), ("c", "d")]
    assert atom_objects(Atom(CYCLIC, ("a", "b", "c", "d")))[1] == [("through", "a", "b", "c")]
    assert atom_objects(Atom(RCONST, ("a", "b", "a", "c", "1", "2")))[0] == [("a", "b"),
                                                                              ("a", "c")]
