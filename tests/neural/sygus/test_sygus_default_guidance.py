"""solve-problem's SyGuS rule weights: learned by default, uniform without the neural source."""

from __future__ import annotations

from neural.sygus.proposer import LearnedProposer
from reasoner.api import SOURCES, SolveConfig, solve_sygus, sygus_proposer
from reasoner.result import Status

MAX2 = """(set-logic LIA)
(synth-fun max2 ((x Int) (y Int)) Int
  ((S Int) (B Bool))
  ((S Int (x y 0 1 (+ S S) (ite B S S)))
   (B Bool ((<= S S) (and B B) (not B)))))
(declare-var x Int)
(declare-var y Int)
(constraint (>= (max2 x y) x))
(constraint (>= (max2 x y) y))
(constraint (or (= x (max2 x y)) (= y (max2 x y))))
(check-synth)
"""


def test_learned_weights_by_default_uniform_without_neural():
    assert isinstance(sygus_proposer(SolveConfig()), LearnedProposer)
    no_neural = tuple(s for s in SOURCES if s != "neural")
    assert sygus_proposer(SolveConfig(sources=no_neural)) is None


def test_both_weightings_solve_and_verify():
    for sources in (SOURCES, ("heuristic",)):
        r = solve_sygus(MAX2, name="max2", config=SolveConfig(timeout=30, sources=sources))
        assert r.status is Status.SOLVED, r.error
        assert "define-fun max2" in r.solution and "ite" in r.solution
