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
SYGUS = BENCH / "sygus" / "General_Track" / "woosuk" / "avg-opt-new.eqn_sygus_iter_50_2.sl"
S = 1.0


def _timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@pytest.mark.skipif(not HAGEO.exists(), reason="shared benchmark data absent")
def test_a_geometry_search_ends_within_its_timeout():
    from symbolic.geometry.problem import read_problems

    solve_file(EXAMPLES, SolveConfig(timeout=30, aux=False))  # loads the engines
    problem = next(p for p in read_problems(HAGEO) if p.name == "1995USAMOp3")
    config = SolveConfig(timeout=S, sources=("heuristic",))  # the search on, past S
    result, seconds = _timed(lambda: solve(problem, name=problem.name, config=config))
    assert result.status in (Status.TIMEOUT, Status.UNKNOWN) and seconds <= S + 1.0


@pytest.mark.skipif(not SYGUS.exists(), reason="shared benchmark data absent")
def test_a_sygus_synthesis_ends_within_its_timeout():
    solve_file(ROOT / "problems" / "sygus" / "max2.sl", SolveConfig(timeout=30))  # loads z3
    (result,), seconds = _timed(lambda: solve_file(SYGUS, SolveConfig(timeout=S)))
    assert result.status is Status.TIMEOUT and seconds <= S + 1.0
