"""GeoGebra export: every problem's figure is a valid .ggb whose constructed points are
GeoGebra commands that, evaluated here from the free points alone, land on the diagram, and
keep every construction's premises when the free points are dragged.

GeoGebra's XSD (ggb.xsd) is not available as an installable package and nothing here can
fetch it, so the file format is checked by the structural tests below instead.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from symbolic.geometry.geogebra import FIXED, LOCI, SHAPES, geogebra_xml, write_ggb
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.predicates import holds
from symbolic.geometry.problem import Problem, parse_problem, read_problems
from symbolic.geometry.sketches import SKETCHES
from symbolic.geometry.tables import definitions

ROOT = Path(__file__).resolve().parents[3]
PROBLEM_FILES = sorted((ROOT / "problems" / "geometry").glob("*.txt"))

# One problem per construction of defs.txt that the problem files do not use (the goal is
# not checked: these exist to exercise the export).
CONSTRUCTIONS = {
    "bisect_line": "a b c = triangle a b c; x = angle_bisector x a b c, on_line x a c",
    "mirror_circle": "a b c = triangle a b c; x = angle_mirror x a b c, on_circle x b a",
    "centres": "a b c = triangle a b c; x = circumcenter x a b c; "
               "z = incenter z a b c; w = excenter w a b c; u = orthocenter u a b c",
    "eqangle2": "a b c = triangle a b c; x = eqangle2 x a b c",
    "eqdistance": "a b c = triangle a b c; x = eqdistance x a b c, on_line x a b",
    "points": "a b c = triangle a b c; x = foot x a b c; y = midpoint y a b; "
              "z = mirror z a b; w = nsquare w a b; u = psquare u a b; v = reflect v a b c; "
              "t = shift t a b c",
    "one_locus": "a b c = triangle a b c; x = on_bline x a b; y = on_circle y a b; "
                 "z = on_pline z a b c; w = on_tline w a b c; u = on_dia u a b; "
                 "v = on_opline v a b; t = on_circum t a b c; s = lc_tangent s a b",
    "angles": "a b c = triangle a b c; d = parallelogram a b c d; x = s_angle a b x 30; "
              "y = s_angle b c y -40, on_line y a b",
    "alines": "a b c d e = pentagon a b c d e; x = on_aline x a b c d e; "
              "y = on_aline2 y a b c d e; z = eqangle3 z a b c d e; "
              "w = on_aline w a b c d e, on_circle w a c",
    "intersections": "a b c d = quadrangle a b c d; x = intersection_cc x a b c; "
                     "y = intersection_lc y a b c; z = intersection_ll z a b c d; "
                     "w = intersection_lp w a b c b d; u = intersection_lt u a b c b d; "
                     "v = intersection_pp v a b c d a c; t = intersection_tt t a b c d a c",
    "eq_triangle": "a b = segment a b; x = eq_triangle x a b",
    "perp_circle": "a b = segment a b; x = on_tline x a a b, on_circle x a b",
    "line_circle": "a b c d = quadrangle a b c d; x = on_line x a b, on_circle x c d; "
                   "y = on_tline y c a b, on_circle y c d; z = on_bline z a b, on_dia z c d",
    "multi": "a b c = triangle a b c; x y z i = incenter2 x y z i a b c; "
             "x1 y1 z1 i1 = excenter2 x1 y1 z1 i1 a b c; x2 y2 z2 i2 = centroid x2 y2 z2 i2 a b c; "
             "x4 y4 = square a b x4 y4; "
             "x5 y5 = trisect x5 y5 a b c; x6 y6 = trisegment x6 y6 a b; "
             "x7 y7 z7 = 3peq x7 y7 z7 a b c",
    "ninepoints": "a b c = triangle a b c; x y z i = ninepoints x y z i a b c",
    "trisect_cw": "a b c = triangle a b c; x y = trisect x y c b a",
    "tangents": "a o b = triangle a o b; x y = tangent x y a o b",
    "e5128": "a b = segment a b; c = on_tline c b b a; d = on_circle d c b; "
             "x y = e5128 x y a b c d",
    "2l1c": "a b c = triangle a b c; o = circumcenter o a b c; x y z i = 2l1c x y z i a b c o",
    "cc_tangent": "o a = segment o a; w = on_line w o a; b = free b; "
                  "x y z i = cc_tangent x y z i o a w b",
    "cc_tangent0": "o a = segment o a; w = on_line w o a; b = free b; "
                   "x y = cc_tangent0 x y o a w b",
    **{name: f"{' '.join(definitions()[name].args)} = {name} "
             f"{' '.join(definitions()[name].args)}"
       for name in ("free", "segment", "quadrangle", "pentagon", "iso_triangle", "r_triangle",
                    "risos", "ieq_triangle", "triangle12", "rectangle", "isquare",
                    "trapezoid", "r_trapezoid", "eq_trapezoid", "iso_trapezoid",
                    "eq_quadrangle", "eqdia_quadrangle")},
}

KNOWN_COMMANDS = {"Point", "Midpoint", "Line", "PerpendicularLine", "PerpendicularBisector",
                  "AngleBisector", "Ray", "Segment", "Circle", "Compass", "Center",
                  "Intersect", "Reflect", "Rotate", "Translate", "Vector", "Dilate", "Angle"}
"""GeoGebra commands (names as in GeoGebra's manual) that the evaluator below implements."""


@cache
def _problems() -> dict[str, Problem]:
    out = {}
    for path in PROBLEM_FILES:
        for p in read_problems(path):
            assert isinstance(p, Problem), p
            out[f"{path.stem}/{p.name}"] = p
    for name, text in CONSTRUCTIONS.items():
        first = text.split(";")[0].split("=")[0].split()
        out[f"constructions/{name}"] = parse_problem(text + f" ? cong {first[0]} {first[-1]} "
                                                     f"{first[0]} {first[-1]}", name)
    return out


@cache
def _drawn(key: str):
    problem = _problems()[key]
    diagram = build_diagram(problem, np.random.default_rng(0), check_goal=False)
    return problem, diagram, ET.fromstring(geogebra_xml(problem, diagram))


def _labels(root: ET.Element) -> dict[str, str]:
    """Problem point name -> GeoGebra label, read off the points' captions."""
    out = {}
    for el in root.iter("element"):
        caption = el.find("caption")
        if caption is not None:
            out[caption.get("val", "")] = el.get("label", "")
    return out


# ----------------------------------------------------------------------------- evaluator


@dataclass
class Val:
    kind: str  # point, line, ray, conic, angle, vector, segment
    p: np.ndarray | None = None  # point, start of a line, centre of a circle, vector
    d: np.ndarray | None = None  # unit direction of a line
    r: float = 0.0  # radius, or angle in radians


def _line(p, q, kind="line") -> Val:
    d = q - p
    return Val(kind, p, d / np.hypot(*d))


def _rot(v, ang):
    c, s = math.cos(ang), math.sin(ang)
    return np.array((c * v[0] - s * v[1], s * v[0] + c * v[1]))


def _foot(g: Val, x):
    return g.p + float((x - g.p) @ g.d) * g.d


def _meets(a: Val, b: Val) -> list[np.ndarray]:
    if a.kind == "conic" and b.kind != "conic":
        a, b = b, a
    if a.kind != "conic" and b.kind != "conic":
        den = a.d[0] * b.d[1] - a.d[1] * b.d[0]
        t = ((b.p - a.p)[0] * b.d[1] - (b.p - a.p)[1] * b.d[0]) / den
        return [a.p + t * a.d]
    if a.kind == "conic":
        v = b.p - a.p
        dist = float(np.hypot(*v))
        x = (a.r ** 2 - b.r ** 2 + dist ** 2) / (2 * dist)
        h = math.sqrt(max(a.r ** 2 - x ** 2, 0.0))
        u = v / dist
        return [a.p + x * u + s * h * np.array((-u[1], u[0])) for s in (1, -1)]
    f = _foot(a, b.p)
    h = math.sqrt(max(b.r ** 2 - float((b.p - f) @ (b.p - f)), 0.0))
    out = [f + h * a.d, f - h * a.d]
    return [x for x in out if a.kind != "ray" or float((x - a.p) @ a.d) >= -1e-9]


def _number(text: str, env: dict[str, Val]) -> float:
    """A number input: ``90°``, ``-40°``, ``1/3``, ``2``, ``α_{1}/3``, ``2α_{1}/3``."""
    if text in env:
        return env[text].r
    if m := re.fullmatch(r"(-?[\d.]+)°", text):
        return math.radians(float(m[1]))
    if m := re.fullmatch(r"(\d+)/(\d+)", text):
        return int(m[1]) / int(m[2])
    if m := re.fullmatch(r"(\d*)(.+)/(\d+)", text):
        return int(m[1] or 1) * env[m[2]].r / int(m[3])
    return float(text)


def _refs(text: str) -> list[str]:
    """The labels an input refers to."""
    if re.fullmatch(r"-?[\d./]+°?", text):
        return []
    m = re.fullmatch(r"\d*(.+)/\d+", text)
    return [m[1] if m else text]


def _command(name: str, args: list[str], env: dict[str, Val], at) -> Val:
    v = [env.get(a) for a in args]
    pts = [x.p if x is not None else None for x in v]
    kinds = [x.kind if x is not None else None for x in v]
    if name == "Point":
        g = v[0]
        if g.kind == "conic":
            return Val("point", g.p + g.r * (at - g.p) / np.hypot(*(at - g.p)))
        return Val("point", _foot(g, at))
    if name == "Midpoint":
        return Val("point", (pts[0] + pts[1]) / 2)
    if name in ("Line", "Ray"):
        if kinds[1] == "point":
            return _line(pts[0], pts[1], name.lower())
        return Val("line", pts[0], v[1].d)
    if name == "PerpendicularLine":
        return Val("line", pts[0], np.array((-v[1].d[1], v[1].d[0])))
    if name == "PerpendicularBisector":
        d = pts[1] - pts[0]
        return _line((pts[0] + pts[1]) / 2, (pts[0] + pts[1]) / 2 + np.array((-d[1], d[0])))
    if name == "AngleBisector":
        u = (pts[0] - pts[1]) / np.hypot(*(pts[0] - pts[1]))
        w = (pts[2] - pts[1]) / np.hypot(*(pts[2] - pts[1]))
        return _line(pts[1], pts[1] + u + w)
    if name == "Segment":
        return Val("segment", pts[0], pts[1] - pts[0])
    if name == "Circle" and len(args) == 2:
        return Val("conic", pts[0], r=float(np.hypot(*(pts[1] - pts[0]))))
    if name == "Circle":
        a, b, c = pts
        d = 2 * ((b - a)[0] * (c - a)[1] - (b - a)[1] * (c - a)[0])
        b2, c2 = float((b - a) @ (b - a)), float((c - a) @ (c - a))
        o = a + np.array((((c - a)[1] * b2 - (b - a)[1] * c2) / d,
                          ((b - a)[0] * c2 - (c - a)[0] * b2) / d))
        return Val("conic", o, r=float(np.hypot(*(a - o))))
    if name == "Compass":
        return Val("conic", pts[2], r=float(np.hypot(*(pts[1] - pts[0]))))
    if name == "Center":
        return Val("point", pts[0])
    if name == "Intersect":
        cands = _meets(v[0], v[1])
        ref = pts[2] if len(args) == 3 else cands[0]
        return Val("point", min(cands, key=lambda x: float(np.hypot(*(x - ref)))))
    if name == "Reflect":
        if kinds[1] == "point":
            return Val("point", 2 * pts[1] - pts[0])
        return Val("point", 2 * _foot(v[1], pts[0]) - pts[0])
    if name == "Rotate":
        return Val("point", pts[2] + _rot(pts[0] - pts[2], _number(args[1], env)))
    if name == "Translate":
        return Val("point", pts[0] + pts[1])
    if name == "Vector":
        return Val("vector", pts[1] - pts[0])
    if name == "Dilate":
        return Val("point", pts[2] + _number(args[1], env) * (pts[0] - pts[2]))
    if name == "Angle":
        u, w = pts[0] - pts[1], pts[2] - pts[1]
        ang = math.atan2(u[0] * w[1] - u[1] * w[0], float(u @ w))
        return Val("angle", r=ang % (2 * math.pi))
    raise AssertionError(f"no evaluator for {name}")


def _coords(el: ET.Element) -> np.ndarray:
    c = el.find("coords")
    assert c is not None and c.get("z") == "1.0"
    return np.array((float(c.get("x", "nan")), float(c.get("y", "nan"))))


def evaluate(root: ET.Element, moved: dict[str, np.ndarray] | None = None) -> dict[str, Val]:
    """Every object of the construction, from its free points (``moved`` overrides their
    coordinates, and a point on a path is the projection of its stored position)."""
    env: dict[str, Val] = {}
    outputs: dict[str, tuple[str, list[str]]] = {}
    construction = root.find("construction")
    assert construction is not None
    for child in construction:
        if child.tag == "command":
            ins, outs = child.find("input"), child.find("output")
            assert ins is not None and outs is not None
            args = [ins.get(f"a{i}", "") for i in range(len(ins.attrib))]
            outputs[outs.get("a0", "")] = (child.get("name", ""), args)
            continue
        label = child.get("label", "")
        if label in outputs:
            name, args = outputs[label]
            at = _coords(child) if name == "Point" else None
            env[label] = _command(name, args, env, at)
        else:
            assert child.get("type") == "point"
            env[label] = Val("point", (moved or {}).get(label, _coords(child)))
    return env


# ----------------------------------------------------------------------------- tests

KEYS = sorted(_problems())


def test_every_construction_and_sketch_is_covered() -> None:
    used = {s.construction.name for p in _problems().values() for c in p.clauses
            for s in c.steps}
    assert used == set(definitions())
    # every sketch has a GeoGebra construction: none falls back to a point at coordinates
    assert set(LOCI) | set(FIXED) | set(SHAPES) == set(SKETCHES)


@pytest.mark.parametrize("key", KEYS)
def test_structure(key: str) -> None:
    problem, diagram, root = _drawn(key)
    assert root.tag == "geogebra" and root.get("format") == "5.0"
    system = root.find("euclidianView/coordSystem")
    assert system is not None and all(math.isfinite(float(v)) for v in system.attrib.values())
    construction = root.find("construction")
    assert construction is not None
    labels = _labels(root)
    captions = [c.get("val") for c in construction.iter("caption")]
    assert len(captions) == len(set(captions)) and set(labels) == set(problem.points)
    elements = [el.get("label") for el in construction.iter("element")]
    assert len(elements) == len(set(elements))  # every label once
    defined: set[str] = set()
    commands: dict[str, str] = {}
    for child in construction:
        if child.tag == "command":
            assert child.get("name") in KNOWN_COMMANDS
            ins, outs = child.find("input"), child.find("output")
            assert ins is not None and outs is not None
            for arg in ins.attrib.values():
                assert all(r in defined for r in _refs(arg)), (child.get("name"), arg)
            commands[outs.get("a0", "")] = child.get("name", "")
        else:
            defined.add(child.get("label", ""))
    free = {p for p, label in labels.items() if label not in commands}
    for clause in problem.clauses:
        for step in clause.steps:
            c = step.construction
            new = {step.mapping[p] for p in c.new_points}
            if c.inputs:  # constructed from earlier points: never coordinates alone
                assert not (new & free) - set(clause.pins), step
            elif c.premises:  # a constrained free shape: not all of it free
                assert new - free, step
            else:
                assert new <= free, step
        if not clause.steps:
            assert set(clause.points) <= free
    hidden_free = [el for el in construction.iter("element")
                   if el.get("label") not in commands and el.get("label") not in labels.values()]
    assert not hidden_free  # no helper point is free


@pytest.mark.parametrize("key", KEYS)
def test_commands_land_on_the_diagram(key: str) -> None:
    problem, diagram, root = _drawn(key)
    env = evaluate(root)
    scale = max(float(np.ptp(np.array(list(diagram.coords.values())), axis=0).max()), 1.0)
    for name, label in _labels(root).items():
        got = env[label].p
        assert got is not None
        assert np.allclose(got, diagram.coords[name], rtol=0, atol=1e-6 * scale), name


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("seed, step", [(1, 0.01), (2, 0.05)])
def test_dragging_keeps_the_premises(key: str, seed: int, step: float) -> None:
    problem, diagram, root = _drawn(key)
    labels = _labels(root)
    commands = {c.find("output").get("a0") for c in root.iter("command")}  # type: ignore
    rng = np.random.default_rng(seed)
    moved = {label: diagram.coords[name] + rng.normal(0, step, 2)
             for name, label in labels.items() if label not in commands}
    env = evaluate(root, moved)
    coords = {name: env[label].p for name, label in labels.items()}
    assert any(not np.allclose(coords[p], diagram.coords[p]) for p in problem.points)
    for clause in problem.clauses:
        for step_ in clause.steps:
            for atom in step_.atoms(step_.construction.premises):
                if set(clause.pins) & set(atom.args):
                    continue
                assert holds(atom.pred, atom.args, coords), (step_, atom)


def test_file_is_a_zip_with_geogebra_xml(tmp_path) -> None:
    problem, diagram, _ = _drawn("examples/incenter_excenter")
    path = tmp_path / "figure.ggb"

    @dataclass(frozen=True)
    class Proof:
        auxiliary_points: tuple[str, ...] = ("e",)

    write_ggb(problem, diagram, Proof(), str(path))
    with zipfile.ZipFile(path) as z:
        assert "geogebra.xml" in z.namelist()
        root = ET.fromstring(z.read("geogebra.xml"))
    colours = {el.get("label"): el.find("objColor") for el in root.iter("element")}
    labels = _labels(root)
    aux, goal = colours[labels["e"]], colours[labels["d"]]
    assert aux is not None and (aux.get("r"), aux.get("g"), aux.get("b")) == ("44", "160", "44")
    assert goal is not None and goal.get("r") == "214"
    shown = [el for el in root.iter("element") if el.get("type") in ("segment", "conic")
             and el.find("show").get("object") == "true"]  # type: ignore[union-attr]
    assert len(shown) >= 3  # the triangle's sides at least


def test_unwritable_path_raises_oserror(tmp_path) -> None:
    problem, diagram, _ = _drawn("examples/orthocenter")
    with pytest.raises(OSError):
        write_ggb(problem, diagram, None, str(tmp_path / "missing" / "f.ggb"))
