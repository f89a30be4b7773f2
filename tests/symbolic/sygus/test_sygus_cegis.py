"""CEGIS, divide and conquer, invariants and the end-to-end answer checks, with z3, the plain
evaluator and (when installed) cvc5 as oracles."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from symbolic.sygus import smt as smt_module
from symbolic.sygus.cegis import TaskSearch
from symbolic.sygus.reader import read_commands
from symbolic.sygus.semantics import evaluate
from symbolic.sygus.smt import SmtSpec, Verdict
from symbolic.sygus.solver import Outcome, SynthConfig, recheck, synthesize
from symbolic.sygus.spec import parse_spec, read_spec
from symbolic.sygus.tasks import Kind, split_tasks
from symbolic.sygus.terms import App, Function, Lit, Var

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "problems" / "sygus"
MAX3 = """(set-logic LIA)
(synth-fun max3 ((x Int) (y Int) (z Int)) Int)
(declare-var x Int) (declare-var y Int) (declare-var z Int)
(constraint (>= (max3 x y z) x)) (constraint (>= (max3 x y z) y))
(constraint (>= (max3 x y z) z))
(constraint (or (= x (max3 x y z)) (or (= y (max3 x y z)) (= z (max3 x y z)))))
(check-synth)"""


def test_z3_check_gives_counterexamples_and_verifies():
    spec = parse_spec(MAX3)
    s = SmtSpec(spec)
    params = spec.funs[0].params
    wrong = Function("max3", params, params[0].sort, params[0])
    check = s.check({"max3": wrong})
    assert check.verdict is Verdict.COUNTEREXAMPLE
    pt = check.point  # the counterexample refutes the candidate in the plain evaluator too
    funcs = {"max3": wrong}
    assert not all(evaluate(c, pt, funcs) for c in spec.constraints)


def test_cegis_solves_max3_through_counterexamples_and_both_checks_agree():
    spec = parse_spec(MAX3)
    (task,) = split_tasks(spec)
    assert task.kind is Kind.SINGLE
    search = TaskSearch(task, spec, time.monotonic() + 30)
    f = search.run()
    assert f is not None and search.stats.points > 1  # counterexamples were needed
    assert SmtSpec(spec).check({f.name: f}).verdict is Verdict.VERIFIED
    for x, y, z in [(1, 2, 3), (3, 2, 1), (-5, -7, -6), (4, 4, 0)]:
        assert evaluate(f.body, {"x": x, "y": y, "z": z}, {}) == max(x, y, z)


def test_multiple_call_sites_use_every_argument_tuple():
    spec = parse_spec("""(set-logic LIA)(synth-fun f ((x Int)) Int)(declare-var x Int)
        (constraint (= (f (+ x 1)) (+ (f x) 2)))(constraint (= (f 0) 1))(check-synth)""")
    (task,) = split_tasks(spec)
    assert task.kind is Kind.GENERAL and len(task.slots) == 3
    out = synthesize(spec, SynthConfig(timeout=30))
    assert out.outcome is Outcome.SOLVED
    (f,) = out.functions
    assert [evaluate(f.body, {"x": x}, {}) for x in range(-3, 4)] == [2 * x + 1
                                                                     for x in range(-3, 4)]


def test_pbe_needs_no_solver_call_during_search(monkeypatch):
    spec = read_spec(EXAMPLES / "bv_pbe.sl")
    (task,) = split_tasks(spec)
    assert task.kind is Kind.PBE

    def boom(*a, **k):
        raise AssertionError("z3 called during PBE search")

    monkeypatch.setattr(smt_module.SmtSpec, "check", boom)
    f = TaskSearch(task, spec, time.monotonic() + 30).run()
    assert f is not None
    funcs = {**spec.macros, f.name: f}
    assert all(evaluate(c, {}, funcs) for c in spec.constraints)


def test_contradictory_examples_are_infeasible():
    out = synthesize(read_spec(EXAMPLES / "conflict.sl"), SynthConfig(timeout=10))
    assert out.outcome is Outcome.INFEASIBLE and out.text == "infeasible"


@pytest.mark.parametrize("name", ["max2", "bv_pbe", "strings_pbe", "counter_inv",
                                  "bv_general"])
def test_examples_are_solved_and_pass_z3_and_the_evaluator(name):
    spec = read_spec(EXAMPLES / f"{name}.sl")
    out = synthesize(spec, SynthConfig(timeout=30))
    assert out.outcome is Outcome.SOLVED, out.stats
    assert out.text.startswith("(\n(define-fun ") and out.text.endswith("\n)")
    assert recheck(spec, out.functions, SynthConfig()) is None
    commands = read_commands(out.text.strip()[1:-1])  # the answer is valid SyGuS syntax
    assert [c.name for c in commands] == ["define-fun"] * len(spec.funs)


def test_recheck_withholds_a_wrong_answer():
    spec = parse_spec(MAX3)
    params = spec.funs[0].params
    wrong = Function("max3", params, params[0].sort,
                     App("+", (Var("x", params[0].sort), Lit(0, params[0].sort)),
                         params[0].sort))
    assert "z3" in recheck(spec, (wrong,), SynthConfig())


def test_invariant_is_inductive_by_z3():
    spec = read_spec(EXAMPLES / "counter_inv.sl")
    out = synthesize(spec, SynthConfig(timeout=30))
    assert out.outcome is Outcome.SOLVED
    assert SmtSpec(spec).check({f.name: f for f in out.functions}).verdict is \
        Verdict.VERIFIED


def test_cvc5_agrees_with_our_answers_on_a_sample():
    pytest.importorskip("cvc5")
    from symbolic.sygus.oracle import cvc5_verify

    for name in ("max2", "bv_pbe", "strings_pbe", "counter_inv", "bv_general"):
        spec = read_spec(EXAMPLES / f"{name}.sl")
        out = synthesize(spec, SynthConfig(timeout=30))
        assert out.outcome is Outcome.SOLVED
        assert cvc5_verify(spec, out.functions) == "unsat", name
