"""The enumerator: minimal size against a brute-force oracle, observational equivalence, and
the pCFG cost hook."""

from __future__ import annotations

import itertools
import random
import time

import numpy as np
import pytest

from symbolic.sygus.cegis import TaskSearch
from symbolic.sygus.enumerate import Enumerator, productions
from symbolic.sygus.pcfg import PartialSolution, ProbeProposer, UniformProposer, costs
from symbolic.sygus.semantics import evaluate
from symbolic.sygus.spec import parse_spec
from symbolic.sygus.tasks import Kind, split_tasks
from symbolic.sygus.terms import App, Lit, Term, bv, size

W = bv(4)
GRAMMAR = """(synth-fun f ((x (_ BitVec 4))) (_ BitVec 4)
    ((S (_ BitVec 4))) ((S (_ BitVec 4) (x #x1 (bvadd S S) (bvand S S) (bvshl S S) (bvnot S)))))"""


def _all_terms(max_size: int) -> dict[int, list[Term]]:
    """Brute force: every term of the tiny grammar by size."""
    from symbolic.sygus.terms import Var

    by: dict[int, list[Term]] = {1: [Var("x", W), Lit(1, W)]}
    for n in range(2, max_size + 1):
        out = [App("bvnot", (t,), W) for t in by[n - 1]]
        for a in range(1, n - 1):
            for lhs, rhs in itertools.product(by[a], by[n - 1 - a]):
                out += [App(op, (lhs, rhs), W) for op in ("bvadd", "bvand", "bvshl")]
        by[n] = out
    return by


def _pbe(target: Term) -> str:
    lines = ["(set-logic BV)", GRAMMAR]
    for x in range(16):
        y = evaluate(target, {"x": x}, {})
        lines.append(f"(constraint (= (f #x{x:x}) #x{y:x}))")
    return "\n".join(lines + ["(check-synth)"])


def test_first_solution_has_minimal_size_like_brute_force():
    terms = _all_terms(5)
    rng = random.Random(3)
    for target in rng.sample(terms[4] + terms[5], 12):
        spec = parse_spec(_pbe(target))
        (task,) = split_tasks(spec)
        assert task.kind is Kind.PBE
        found = TaskSearch(task, spec, time.monotonic() + 30).run()
        assert found is not None
        # brute-force minimum over all terms that agree on all 16 inputs
        want = [evaluate(target, {"x": x}, {}) for x in range(16)]
        minimum = next(n for n in sorted(terms) for t in terms[n]
                       if [evaluate(t, {"x": x}, {}) for x in range(16)] == want)
        assert size(found.body) == minimum
        assert [evaluate(found.body, {"x": x}, {}) for x in range(16)] == want


def test_observational_equivalence_keeps_one_program_per_value_vector():
    spec = parse_spec(_pbe(Lit(0, W)))
    f = spec.funs[0]
    prods = productions(f.grammar, {}, f.params, {})
    inputs = {"x": np.arange(16, dtype=np.uint64)}
    enum = Enumerator(prods, {"S": W}, inputs, 16, {}, time.monotonic() + 30)
    rows = [b.values for b in enum.levels(max_cost=5)]
    values = np.concatenate(rows)
    assert len({r.tobytes() for r in values}) == len(values)  # all distinct
    # and complete up to OE: every brute-force vector of size <= 4 is present
    seen = {r.tobytes() for r in values}
    for n, ts in _all_terms(4).items():
        for t in ts:
            vec = np.array([evaluate(t, {"x": x}, {}) for x in range(16)], dtype=np.uint64)
            assert vec.tobytes() in seen, (n, t)


def test_uniform_costs_are_sizes_and_probe_makes_used_rules_cheaper():
    rules = {"S": 6}
    assert set(costs(UniformProposer().probabilities(rules), uniform=True).values()) == {1}
    probe = ProbeProposer()
    before = costs(probe.probabilities(rules))
    assert probe.update([PartialSolution((("S", 2), ("S", 0)), 0.75)])
    after = costs(probe.probabilities(rules))
    assert after[("S", 2)] < before[("S", 2)] and after[("S", 5)] >= before[("S", 5)]


def test_a_probe_proposer_plugs_into_the_search():
    target = App("bvadd", (App("bvshl", (Lit(1, W), Lit(1, W)), W),
                           App("bvnot", (Lit(1, W),), W)), W)
    spec = parse_spec(_pbe(target))
    (task,) = split_tasks(spec)
    found = TaskSearch(task, spec, time.monotonic() + 30, proposer=ProbeProposer()).run()
    assert found is not None
    assert all(evaluate(found.body, {"x": x}, {}) == evaluate(target, {"x": x}, {})
               for x in range(16))


@pytest.mark.parametrize("bad", ["(bvudiv x #x0)", "(bvurem x #x0)"])
def test_enumerated_values_follow_total_division(bad):
    spec = parse_spec(_pbe(Lit(0, W)).replace("(bvnot S)", f"(bvnot S) {bad}"))
    f = spec.funs[0]
    prods = productions(f.grammar, {}, f.params, {})
    enum = Enumerator(prods, {"S": W}, {"x": np.arange(16, dtype=np.uint64)}, 16, {},
                      time.monotonic() + 30)
    first = next(enum.levels(max_cost=1)).values
    expected = np.array([15] * 16 if "udiv" in bad else list(range(16)), dtype=np.uint64)
    assert any((row == expected).all() for row in first)
