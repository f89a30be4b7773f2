"""Differential soundness of the geometry prover on random small problems (the cases of
``bench/differential.py --engine geometry``, a few of them): every proof replays on fresh
drawings, every fact of DD+AR's closure holds there, no false goal is proved."""

from __future__ import annotations

import differential_geometry as engine
import pytest
from differential import assert_agrees, case_rng

from symbolic.geometry.predicates import COLL, PERP
from symbolic.geometry.problem import parse_problem

CASES = 40


@pytest.mark.parametrize("k", range(CASES))
def test_random_case_has_no_disagreement(k):
    assert_agrees(engine, 0, k, timeout=5.0)


def test_the_cases_cover_true_and_false_goals_and_proofs():
    verdicts = [engine.check(engine.generate(case_rng(1, k), k), 5.0) for k in range(12)]
    outcomes = {v.outcome for v in verdicts}
    assert {engine.PROVED, engine.REJECTED} <= outcomes


def test_a_generic_falsehood_is_refuted_and_a_theorem_is_not():
    problem = parse_problem("a b c = triangle a b c; d = midpoint d a b ? coll a b d")
    coords = engine._fresh_states(problem, 3, 1)[0].coords
    assert engine.refuted([(PERP, ("a", "b", "a", "c"))], coords, problem, 5) == "perp a b a c"
    assert engine.refuted([(COLL, ("a", "b", "d"))], coords, problem, 5) is None
