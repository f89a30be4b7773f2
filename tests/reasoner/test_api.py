"""The Python API keeps its time limit: a call with ``timeout=S`` on a hard input ends within
S + 1 s once the engines are loaded (the first call of a process also imports them)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reasoner.api import SolveConfig, solve, solve_file
from reasoner.result import Status

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "geometry" / "examples.txt"
BENCH = ROOT.parent / "shared" / "benchmarks"
HAGEO = BENCH / "geometry" / "hageo_dev.txt"
S = 1.0


def _timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@pytest.mark.skipif(not HAGEO.exists(), reason="shared benchmark data absent")
def test_a_geometry_search_ends_within_its_timeout():
    from symbolic.geometry.problem import read_problems

    solve_file(EXAMPLES, SolveConfig(timeout=30, aux=False))  # loads the engines
    problem = next(p for p in read_problems(HAGEO) if p.name == "2013USATSTp2")
    config = SolveConfig(timeout=S, sources=("heuristic",))  # the search on, past S
    result, seconds = _timed(lambda: solve(problem, name=problem.name, config=config))
    assert result.status in (Status.TIMEOUT, Status.UNKNOWN) and seconds <= S + 1.0


# No linear function meets these examples (2, 3, 5 -> 4, 9, 25) and the grammar has no ite,
# while every single point is satisfiable: the enumeration never ends by itself.
ENDLESS = """(set-logic LIA)
(synth-fun f ((x Int)) Int ((S Int)) ((S Int (x 0 1 (+ S S) (- S S)))))
(constraint (= (f 2) 4))
(constraint (= (f 3) 9))
(constraint (= (f 5) 25))
(check-synth)
"""


def test_a_sygus_synthesis_ends_within_its_timeout(tmp_path):
    solve_file(ROOT / "problems" / "sygus" / "max2.sl", SolveConfig(timeout=30))  # loads z3
    path = tmp_path / "endless.sl"
    path.write_text(ENDLESS)
    (result,), seconds = _timed(lambda: solve_file(path, SolveConfig(timeout=S)))
    assert result.status is Status.TIMEOUT and seconds <= S + 1.0
