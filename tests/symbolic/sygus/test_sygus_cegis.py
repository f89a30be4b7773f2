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


CONTRADICTIONS = {
    # read off as a definition (f := 1), then refuted by the other constraint
    "defined": "(constraint (= (f x) 1)) (constraint (= (f x) 2))",
    # a single call site, contradictory at every point
    "single": "(constraint (>= (f x) (+ x 1))) (constraint (<= (f x) x))",
    # contradictory at one point only, found as a counterexample
    "one point": "(constraint (=> (= x 3) (= (f x) 1))) (constraint (=> (= x 3) (= (f x) 2)))"
                 " (constraint (>= (f x) 0))",
}


@pytest.mark.parametrize("constraints", CONTRADICTIONS.values(), ids=CONTRADICTIONS.keys())
def test_constraints_no_function_meets_are_infeasible(constraints):
    spec = parse_spec("(set-logic LIA) (synth-fun f ((x Int)) Int) (declare-var x Int) "
                      f"{constraints} (check-synth)")
    out = synthesize(spec, SynthConfig(timeout=10))
    assert out.outcome is Outcome.INFEASIBLE and out.text == "infeasible", out.stats
    assert "the constraints at" in out.stats["reason"]


def test_a_point_where_some_value_fits_is_not_a_contradiction():
    spec = parse_spec("(set-logic LIA) (synth-fun f ((x Int)) Int) (declare-var x Int) "
                      "(constraint (=> (= x 3) (= (f x) 1))) (constraint (>= (f x) 0)) "
                      "(check-synth)")
    smt = SmtSpec(spec)
    assert not smt.contradicts_at({"x": 3}) and not smt.contradicts_at({"x": 0})
    assert synthesize(spec, SynthConfig(timeout=10)).outcome is Outcome.SOLVED


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


def test_coupled_functions_are_solved_by_fixing_one_and_solving_the_rest():
    spec = parse_spec("""(set-logic LIA)
        (synth-fun f1 ((x Int) (y Int)) Int) (synth-fun f2 ((x Int) (y Int)) Int)
        (synth-fun f3 ((x Int) (y Int)) Int)
        (declare-var x Int) (declare-var y Int)
        (constraint (= (f1 x y) (f2 y x)))
        (constraint (= (+ (f1 x y) (f2 x y)) (f3 x y)))
        (constraint (>= (f3 x y) (+ x y)))
        (check-synth)""")
    out = synthesize(spec, SynthConfig(timeout=30))
    assert out.outcome is Outcome.SOLVED, out.stats
    assert [f.name for f in out.functions] == ["f1", "f2", "f3"]
    assert SmtSpec(spec).check({f.name: f for f in out.functions}).verdict is \
        Verdict.VERIFIED


def test_spec_atoms_and_subterms_seed_divide_and_conquer():
    spec = parse_spec("""(set-logic LIA) (synth-fun g ((a Int) (b Int)) Int)
        (declare-var x Int) (declare-var y Int)
        (constraint (=> (> (+ x y) 15) (= (g x y) (+ (* 3 x) 7))))
        (constraint (=> (<= (+ x y) 15) (= (g x y) (- y 2))))
        (check-synth)""")
    out = synthesize(spec, SynthConfig(timeout=30))
    assert out.outcome is Outcome.SOLVED, out.stats
    (g,) = out.functions
    for x, y in [(20, 0), (0, 0), (8, 8), (7, 8)]:
        want = 3 * x + 7 if x + y > 15 else y - 2
        assert evaluate(g.body, {"a": x, "b": y}, {}) == want


def _circuit(target: str, depth2: bool) -> str:
    inner = "(and D D) (or D D) (not D) a b c" if depth2 else "a b c"
    return f"""(set-logic BV)
        (synth-fun g ((a Bool) (b Bool) (c Bool)) Bool
            ((S Bool) (D Bool)) ((S Bool ((and D D) (or D D) (not D)))
                                 (D Bool ({inner}))))
        (declare-var a Bool) (declare-var b Bool) (declare-var c Bool)
        (constraint (= (g a b c) {target})) (check-synth)"""


def _expressible(target: str, depth2: bool) -> bool:
    """Brute force over truth tables of the finite grammar."""
    import itertools

    rows = list(itertools.product([False, True], repeat=3))
    full = 255
    var = [sum(1 << k for k, r in enumerate(rows) if r[i]) for i in range(3)]

    def step(xs):
        return ({a & b for a in xs for b in xs} | {a | b for a in xs for b in xs}
                | {full & ~a for a in xs})

    d = set(var)
    while depth2:  # D is recursive: its closure
        more = d | step(d)
        if more == d:
            break
        d = more
    spec = parse_spec(_circuit(target, depth2))
    want = sum(1 << k for k, r in enumerate(rows)
               if evaluate(spec.constraints[0].args[1], dict(zip("abc", r)), {}))
    return want in step(d)


@pytest.mark.parametrize("target, depth2", [
    ("(xor a b)", False), ("(xor a b)", True), ("(and a (or b c))", False),
    ("(and a (or b c))", True), ("(xor a (xor b c))", True), ("(not (and a b))", False)])
def test_exhausted_finite_grammar_means_infeasible_exactly_when_brute_force_agrees(target,
                                                                                   depth2):
    out = synthesize(parse_spec(_circuit(target, depth2)), SynthConfig(timeout=30))
    expressible = _expressible(target, depth2)
    assert out.outcome is (Outcome.SOLVED if expressible else Outcome.INFEASIBLE), out.stats
