"""Constants solved by z3 (sketches with holes), the ICE invariant learner, and the shared
value / subterm helpers. Every synthesized program is re-checked by z3 and the evaluator."""

from __future__ import annotations

import random
import time

import numpy as np

from symbolic.sygus.constants import (
    HoleSolver,
    fold,
    grammar_sketches,
    has_constant_holes,
    plug_holes,
    templates,
)
from symbolic.sygus.defaults import constant_pool
from symbolic.sygus.definitions import eliminate, find_definition
from symbolic.sygus.ice import Examples, IceLearner, consistent, learn, reaches_bad
from symbolic.sygus.invariants import as_function, houdini
from symbolic.sygus.samples import WIDE, collect_apps, expand, random_value, zero_value
from symbolic.sygus.semantics import evaluate
from symbolic.sygus.smt import SmtSpec, Verdict
from symbolic.sygus.solver import Outcome, SynthConfig, synthesize
from symbolic.sygus.spec import parse_spec
from symbolic.sygus.tasks import split_tasks
from symbolic.sygus.terms import BOOL, INT, App, Lit, Var, bv

PLUS37 = """(set-logic LIA)
(synth-fun f ((x Int) (y Int)) Int)
(declare-var x Int) (declare-var y Int)
(constraint (= (+ (f x y) (f x y)) (+ x x 74)))
(check-synth)"""

BV_MAGIC = """(set-logic BV)
(synth-fun f ((x (_ BitVec 8))) (_ BitVec 8)
  ((Start (_ BitVec 8)) (C (_ BitVec 8)))
  ((Start (_ BitVec 8) ((bvxor Start C) x))
   (C (_ BitVec 8) ((Constant (_ BitVec 8))))))
(declare-var x (_ BitVec 8))
(constraint (= (bvand (f x) #x0f) (bvand (bvnot x) #x0f)))
(constraint (= (bvlshr (f x) #x04) (bvlshr (bvxor x #xa0) #x04)))
(check-synth)"""

# flag = 1 makes j follow b; the invariant needs a disjunction of a flag test with a
# conjunction of template atoms, which Houdini (conjunctions, disjunctions of two spec
# comparisons) cannot express
FLAG_INV = """(set-logic LIA)
(synth-inv inv ((b Int) (j Int) (n Int) (flag Int)))
(define-fun pre ((b Int) (j Int) (n Int) (flag Int)) Bool
  (and (= b 0) (= j 0) (>= n 0)))
(define-fun trans ((b Int) (j Int) (n Int) (flag Int)
                   (b1 Int) (j1 Int) (n1 Int) (flag1 Int)) Bool
  (and (= n1 n) (= flag1 flag) (< b n) (= b1 (+ b 1))
       (= j1 (ite (= flag 1) (+ j 1) j))))
(define-fun post ((b Int) (j Int) (n Int) (flag Int)) Bool
  (=> (and (= flag 1) (>= b n)) (= j n)))
(inv-constraint inv pre trans post)
(check-synth)"""


def _check(spec, functions):
    """z3 and the plain evaluator both accept the functions."""
    assert SmtSpec(spec).check({f.name: f for f in functions}).verdict is Verdict.VERIFIED
    funcs = {**spec.macros, **{f.name: f for f in functions}}
    rng = random.Random(1)
    for _ in range(30):
        pt = {v.name: random_value(v.sort, rng, WIDE) for v in spec.variables}
        assert all(evaluate(c, pt, funcs) for c in spec.constraints)


# ---------------------------------------------------------------- constants


def test_template_fills_a_constant_outside_the_pool():
    spec = parse_spec(PLUS37)
    task = split_tasks(spec)[0]
    pool = {lit.value for lit in constant_pool(spec, [INT])[INT]}
    assert 37 not in pool  # the enumerator cannot reach it from its leaves
    points = [{"x": 0, "y": 0}]
    solver = HoleSolver(SmtSpec(task.sub_spec(spec)), task.fun, points)
    found = None
    for sketch in templates(task.fun, 1):
        found = solver.fill(sketch, time.monotonic() + 5)
        if found is not None:
            break
    assert found is not None
    _check(spec, [found])
    assert Lit(37, INT) in collect_apps([found.body], lambda t: True)[0].args


def test_solver_uses_constant_sketches_end_to_end():
    spec = parse_spec(PLUS37)
    result = synthesize(spec, SynthConfig(timeout=8))
    assert result.outcome is Outcome.SOLVED
    assert result.stats["f"]["strategy"] == "constant sketches"
    _check(spec, list(result.functions))


def test_grammar_constant_holes_find_a_magic_bit_vector():
    spec = parse_spec(BV_MAGIC)
    task = split_tasks(spec)[0]
    grammar = task.fun.grammar
    assert grammar is not None and has_constant_holes(grammar)
    sketches = list(grammar_sketches(grammar, task.fun.params, 3))
    assert sketches and all(s.holes for s in sketches)
    points: list[dict] = [{"x": 0}]
    solver = HoleSolver(SmtSpec(task.sub_spec(spec)), task.fun, points)
    found = next(f for f in (solver.fill(s, time.monotonic() + 5) for s in sketches)
                 if f is not None)
    assert found.body == App("bvxor", (Var("x", bv(8)), Lit(0xAF, bv(8))), bv(8))
    _check(spec, [found])


def test_fold_and_plug_tidy_filled_templates():
    x = Var("x", INT)
    body = App("+", (Var("?0", INT), App("*", (Var("?1", INT), x), INT)), INT)
    assert fold(plug_holes(body, {"?0": 0, "?1": 1})) == x
    assert fold(plug_holes(body, {"?0": 5, "?1": 0})) == Lit(5, INT)
    assert fold(plug_holes(body, {"?0": 2, "?1": 3})) == App(
        "+", (Lit(2, INT), App("*", (Lit(3, INT), x), INT)), INT)


# ---------------------------------------------------------------- ICE


def test_ice_solves_what_houdini_cannot_and_z3_verifies_it():
    spec = parse_spec(FLAG_INV)
    task = split_tasks(spec)[0]
    inv = spec.inv[0]
    smt = SmtSpec(task.sub_spec(spec))
    assert houdini(inv, spec, smt, time.monotonic() + 5) is None
    learner = IceLearner(inv, spec, smt)
    body = learner.run(time.monotonic() + 10)
    assert body is not None
    f = as_function(inv, spec, body)
    assert SmtSpec(spec).check({f.name: f}).verdict is Verdict.VERIFIED
    assert learner.examples.pos and learner.examples.neg  # both kinds were needed


def test_ice_learner_respects_all_three_kinds_of_example():
    t, f = True, False
    ex = Examples(pos=[np.array([t, t, f])], neg=[np.array([t, f, t])],
                  pairs=[(np.array([t, t, t]), np.array([f, t, t]))])
    import z3

    dnf = learn(ex, 3, 1, z3)
    assert dnf is not None and consistent(dnf, ex, 3)
    # a positive equal to a negative: nothing fits, at any number of disjuncts
    ex.neg.append(ex.pos[0].copy())
    assert learn(ex, 3, 1, z3) is None and learn(ex, 3, 2, z3) is None


def test_bounded_model_checking_proves_infeasible_invariants():
    # x counts up from 0 by 2; post claims x < 5, violated after three steps
    bad = """(set-logic LIA)
(synth-inv inv ((x Int)))
(define-fun pre ((x Int)) Bool (= x 0))
(define-fun trans ((x Int) (x1 Int)) Bool (= x1 (+ x 2)))
(define-fun post ((x Int)) Bool (< x 5))
(inv-constraint inv pre trans post)
(check-synth)"""
    spec = parse_spec(bad)
    smt = SmtSpec(split_tasks(spec)[0].sub_spec(spec))
    assert not reaches_bad(spec.inv[0], spec, smt, 2, time.monotonic() + 5)
    assert reaches_bad(spec.inv[0], spec, smt, 3, time.monotonic() + 5)
    assert synthesize(spec, SynthConfig(timeout=5)).outcome is Outcome.INFEASIBLE
    good = parse_spec(FLAG_INV)
    smt = SmtSpec(split_tasks(good)[0].sub_spec(good))
    assert not reaches_bad(good.inv[0], good, smt, 4, time.monotonic() + 5)


def test_ice_answer_passes_the_solver_rechecks():
    spec = parse_spec(FLAG_INV)
    result = synthesize(spec, SynthConfig(timeout=10))
    assert result.outcome is Outcome.SOLVED
    _check(spec, list(result.functions))


# ---------------------------------------------------------------- shared helpers


def test_random_values_stay_in_their_range_and_sort():
    rng = random.Random(0)
    ints = [random_value(INT, rng) for _ in range(300)]
    assert min(ints) >= -10 and max(ints) <= 10 and len(set(ints)) > 10
    wide = [random_value(INT, rng, WIDE) for _ in range(300)]
    assert max(abs(v) for v in wide) > 10 and max(abs(v) for v in wide) <= 20
    assert all(0 <= random_value(bv(5), rng) < 32 for _ in range(100))
    assert {random_value(BOOL, rng) for _ in range(50)} == {True, False}
    assert zero_value(INT) == 0 and zero_value(BOOL) is False and zero_value(bv(3)) == 0


def test_collect_apps_walks_calls_and_stops_below_kept_terms():
    spec = parse_spec("""(set-logic LIA)
(synth-fun f ((x Int)) Int)
(define-fun g ((a Int)) Int (+ a 1))
(declare-var x Int)
(constraint (<= (f (+ x 2)) (g (* x 3))))
(check-synth)""")
    (c,) = spec.constraints
    ops = [t.op for t in collect_apps([c], lambda t: True)]
    assert sorted(ops) == ["*", "+", "<="]  # not into g's body
    top = collect_apps([c], lambda t: t.op == "<=", descend_kept=False)
    assert [t.op for t in top] == ["<="]
    expanded = collect_apps([expand(c, spec.macros)], lambda t: t.op == "+")
    assert len(expanded) == 2  # (+ x 2) and g's body


def test_functions_defined_by_the_spec_are_taken_out_and_inlined():
    chain = """(set-logic LIA)
(synth-fun f1 ((a Int) (b Int)) Int)
(synth-fun f2 ((a Int) (b Int)) Int)
(synth-fun f3 ((a Int) (b Int)) Int)
(declare-var x Int) (declare-var y Int)
(constraint (>= (f1 x y) x))
(constraint (= (+ (f1 x y) (f1 x y)) (f2 x y)))
(constraint (= (f3 x y) (- (f2 x y) y)))
(check-synth)"""
    spec = parse_spec(chain)
    d = find_definition(spec)
    assert d is not None and d.fun.name == "f2"
    reduced = eliminate(spec, d)
    assert [f.name for f in reduced.funs] == ["f1", "f3"] and "f2" in reduced.macros
    result = synthesize(spec, SynthConfig(timeout=8))
    assert result.outcome is Outcome.SOLVED
    assert result.stats["f2"]["strategy"] == result.stats["f3"]["strategy"] == "definition"
    _check(spec, list(result.functions))
    # a function on both sides, or at non-variable arguments, is not a definition
    assert find_definition(parse_spec("""(set-logic LIA)
(synth-fun f ((a Int)) Int) (declare-var x Int)
(constraint (= (f x) (+ (f 0) 1)))
(check-synth)""")) is None


NONDET = """(set-logic LIA)
(synth-inv inv ((x Int) (y Int)))
(declare-var nd Int)
(define-fun pre ((x Int) (y Int)) Bool (= x 0))
(define-fun trans ((x Int) (y Int) (x1 Int) (y1 Int)) Bool (and (>= nd 0) (= x1 (+ x nd))))
(define-fun post ((x Int) (y Int)) Bool (< x LIMIT))
(inv-constraint inv pre trans post)
(check-synth)"""


def test_unrolling_reads_fresh_inputs_per_step_and_finds_reachable_states():
    # trans reads the declared variable nd (an input chosen anew at every step); y is
    # never constrained after a step (havoc)
    from symbolic.sygus.ice import reachable_states
    from symbolic.sygus.invariants import havoc

    spec = parse_spec(NONDET.replace("LIMIT", "3"))
    inv = spec.inv[0]
    smt = SmtSpec(split_tasks(spec)[0].sub_spec(spec))
    assert havoc(inv, spec) == {"y"}
    assert reaches_bad(inv, spec, smt, 1, time.monotonic() + 5)  # one step of nd = 3
    states = reachable_states(inv, spec, smt, 2, 3, time.monotonic() + 5)
    assert len(states) >= 4 and all(s["x"] >= 0 for s in states)
    assert len({tuple(sorted(s.items())) for s in states}) == len(states)
    safe = parse_spec(NONDET.replace("(< x LIMIT)", "(>= x 0)"))
    smt = SmtSpec(split_tasks(safe)[0].sub_spec(safe))
    assert not reaches_bad(safe.inv[0], safe, smt, 3, time.monotonic() + 5)
    result = synthesize(safe, SynthConfig(timeout=5))
    assert result.outcome is Outcome.SOLVED
    _check(safe, list(result.functions))
