"""AR tables: elimination with provenance, checked against sympy as an oracle."""

import random
from fractions import Fraction as F

import sympy

from symbolic.geometry.ar import LinearTable, reduce_by, verify_combination


def test_chain_of_equalities_is_traced_to_its_equations():
    t = LinearTable(["PI"])
    t.add({"a": F(1), "b": F(-1)}, 1)
    t.add({"b": F(1), "c": F(-1), "PI": F(-1, 2)}, 2)
    t.add({"c": F(1), "d": F(-1), "PI": F(1, 2)}, 3)
    target = {"a": F(1), "d": F(-1)}
    combo = t.implies(target)
    assert combo == {1: 1, 2: 1, 3: 1}
    assert verify_combination(target, t.equations, combo)
    assert t.add(target, 4) is False  # redundant
    assert t.implies({"a": F(1), "c": F(-1)}) is None  # a - c = pi/2, not 0


def test_random_systems_agree_with_sympy_rank():
    rng = random.Random(7)
    names = [f"x{i}" for i in range(8)]
    for _ in range(30):
        t = LinearTable()
        rows = []
        for k in range(rng.randint(1, 10)):
            vs = rng.sample(names, 3)
            expr = {v: F(rng.choice([-2, -1, 1, 2])) for v in vs}
            t.add(expr, k)
            rows.append(expr)
        # a random combination of the rows must be implied, with a certificate
        coef = [F(rng.randint(-3, 3)) for _ in rows]
        target: dict = {}
        for c, r in zip(coef, rows):
            for v, x in r.items():
                target[v] = target.get(v, 0) + c * x
        target = {v: x for v, x in target.items() if x}
        combo = t.implies(target)
        assert combo is not None
        assert verify_combination(target, t.equations, combo)
        # and a vector outside the row space must not be
        m = sympy.Matrix([[r.get(v, 0) for v in names] for r in rows])
        probe = {names[0]: F(1)}
        in_span = m.rank() == m.col_join(sympy.Matrix([[1] + [0] * 7])).rank()
        assert (t.implies(probe) is not None) == in_span


def test_a_residual_brought_up_to_date_equals_one_computed_afresh():
    """``residual_since``: a residual kept from an earlier table, reduced by the pivots made
    since, is the residual on the table now (on copies too, as a child state has)."""
    rng = random.Random(11)
    names = [f"x{i}" for i in range(9)] + ["PI"]
    for _ in range(40):
        t = LinearTable(["PI"])
        probes = [{v: F(rng.choice([-2, -1, 1, 3])) for v in rng.sample(names, 3)}
                  for _ in range(6)]
        kept = [(t.residual(p), len(t.pivots)) for p in probes]
        for k in range(rng.randint(1, 9)):
            if rng.random() < 0.3:
                t = t.copy()
            t.add({v: F(rng.choice([-1, 1, 2])) for v in rng.sample(names, 3)}, k)
            if rng.random() < 0.5:  # brought up to date now and then, as deduction asks
                kept = [(t.residual_since(*r), len(t.pivots)) for r in kept]
        for p, r in zip(probes, kept):
            assert t.residual_since(*r) == t.residual(p)


def test_a_snapshot_reduces_later_as_the_table_did_when_it_was_taken():
    """``reduce_by(expr, snapshot)`` after more equations (and copies) equals ``reduce(expr)``
    at the time of the snapshot: rows are replaced, never changed in place."""
    rng = random.Random(5)
    names = [f"x{i}" for i in range(9)] + ["PI"]
    for _ in range(40):
        t = LinearTable(["PI"])
        taken = []
        for k in range(rng.randint(2, 12)):
            if rng.random() < 0.3:
                t = t.copy()
            t.add({v: F(rng.choice([-1, 1, 2])) for v in rng.sample(names, 3)}, k)
            probe = {v: F(rng.choice([-2, -1, 1, 3])) for v in rng.sample(names, 3)}
            taken.append((probe, t.snapshot(probe), t.reduce(probe)))
        for probe, snapshot, then in taken:
            assert reduce_by(probe, snapshot) == then


def test_touched_since_says_whether_a_later_pivot_occurs():
    """``touched_since`` (a set test on the residual's keys) is: some pivot made after the
    first ``known`` occurs in the residual."""
    rng = random.Random(3)
    names = [f"x{i}" for i in range(9)] + ["PI"]
    seen = set()
    for _ in range(60):
        t = LinearTable(["PI"])
        for k in range(rng.randint(0, 9)):
            t.add({v: F(rng.choice([-1, 1, 2])) for v in rng.sample(names, 3)}, k)
        for _ in range(10):
            res = {v: F(1) for v in rng.sample(names, rng.randint(0, 4))}
            for known in range(len(t.pivots) + 2):
                want = any(p in res for p in t.pivots[known:])
                assert t.touched_since(res, known) == want
                seen.add(want)
    assert seen == {True, False}
