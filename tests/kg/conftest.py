"""Shared fixtures: a few proved example problems (proof + the diagrams to re-check it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from needs_aux import BISECTOR_FEET, INCENTRE

from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import Problem, parse_problem
from symbolic.geometry.proof import Proof
from symbolic.geometry.prover import ProverConfig, prove

ROOT = Path(__file__).resolve().parents[2]

PROBLEMS = {
    # needs_aux.BISECTOR_FEET with its auxiliary point, the incentre x, stated
    "bisector_feet_aux": BISECTOR_FEET.replace(" ? ", f"; {INCENTRE} ? "),
    "euler": "a b c = triangle a b c; h = orthocenter a b c; h1 = foot a b c; h2 = foot b c a; "
             "h3 = foot c a b; g1 g2 g3 g = centroid g1 g2 g3 g a b c; o = circle a b c "
             "? coll h g o",
    "midline": "a b c = triangle a b c; d = midpoint d a b; e = midpoint e a c ? para d e b c",
    "thales": "a b = segment a b; o = midpoint o a b; c = on_circle c o a ? perp a c c b",
}


@dataclass(frozen=True)
class Solved:
    problem: Problem
    proof: Proof
    coords: dict
    check_coords: dict


@pytest.fixture(scope="session")
def solved() -> dict[str, Solved]:
    out = {}
    for name, text in PROBLEMS.items():
        p = parse_problem(text, name)
        o = prove(p, ProverConfig(seed=0))
        assert o.proved and o.proof is not None, name
        check = build_diagram(p, np.random.default_rng(123))
        out[name] = Solved(p, o.proof, o.diagram.coords, check.coords)
    return out
