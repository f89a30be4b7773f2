"""Differential soundness of the SyGuS synthesizer on random PBE and CLIA specs (the cases of
``bench/differential.py --engine sygus``, a few of them): every answer is accepted by z3, cvc5
and a separate evaluator on a query built from the spec's text; no realizable spec is called
infeasible and no infeasible one gets an answer."""

from __future__ import annotations

import random

import differential_sygus as engine
import pytest
from differential import WRONG, assert_agrees, case_rng

CASES = 40


@pytest.mark.parametrize("k", range(CASES))
def test_random_case_has_no_disagreement(k):
    assert_agrees(engine, 0, k, timeout=3.0)


def test_the_cases_cover_every_family():
    assert {engine.generate(case_rng(0, k), k).family for k in range(len(engine.FAMILIES))} \
        == set(engine.FAMILIES)


MAX2 = engine.SygusCase("maxmin", ("x", "y"), ("x", "y"), "",
                        ("(>= (f x y) x)", "(>= (f x y) y)", "(or (= (f x y) x) (= (f x y) y))"),
                        True)


def test_the_oracles_accept_a_right_answer_and_refute_a_wrong_one():
    right = "(\n(define-fun f ((x Int) (y Int)) Int (ite (<= x y) y x))\n)"
    wrong = "(\n(define-fun f ((x Int) (y Int)) Int (ite (< y x) y x))\n)"
    assert engine._judge_answer(MAX2, right).outcome == engine.SOLVED
    verdict = engine._judge_answer(MAX2, wrong)
    assert verdict.outcome == WRONG and "z3 refutes" in verdict.detail
    assert engine.z3_verdict(engine.smt_query(MAX2, wrong)) == "sat"
    assert engine.cvc5_verdict(engine.smt_query(MAX2, wrong)) in ("sat", None)
    assert engine.evaluator_error(MAX2, wrong, random.Random(0)) is not None
    assert engine.evaluator_error(MAX2, right, random.Random(0)) is None


def test_an_answer_outside_the_grammar_is_wrong():
    case = engine.generate(case_rng(0, 0), 0)
    assert case.family == "pbe" and case.grammar
    params = " ".join(f"({p} Int)" for p in case.params)
    outside = f"(\n(define-fun f ({params}) Int (* 3 {case.params[0]}))\n)"
    verdict = engine._judge_answer(case, outside)
    assert verdict.outcome == WRONG and "grammar" in verdict.detail


def test_an_answer_to_an_infeasible_spec_is_wrong():
    case = next(c for k in range(40) if (c := engine.generate(case_rng(0, k), k)).realizable
                is False)
    params = " ".join(f"({p} Int)" for p in case.params)
    verdict = engine._judge_answer(case, f"(\n(define-fun f ({params}) Int 0)\n)")
    assert verdict.outcome == WRONG


def test_the_evaluator_agrees_with_z3_on_division_and_modulus():
    import z3

    rng = random.Random(4)
    for _ in range(200):
        a, b = rng.randint(-30, 30), rng.choice([i for i in range(-7, 8) if i])
        for op in ("div", "mod"):
            ours = engine.evaluate(engine.parse(f"({op} {engine._lit(a)} {engine._lit(b)})"),
                                   {}, {})
            theirs = z3.simplify(z3.IntVal(a) / z3.IntVal(b) if op == "div"
                                 else z3.IntVal(a) % z3.IntVal(b)).as_long()
            assert ours == theirs, (op, a, b)
