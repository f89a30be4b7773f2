"""Menelaus (#17): r52 concludes ``menelaus A B C D E F`` (AF·BD·CE = FB·DC·EA) for a line
meeting the side lines BC, CA, AB of triangle ABC at D, E, F, an equation of the ratio table
over six segments that no four-segment eqratio states."""

from fractions import Fraction

import numpy as np
import pytest
from plane import meet
from rule_ablation import proved_without, rules_used
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.checker.reading import said
from symbolic.geometry.predicates import MENELAUS
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import AR_TABLES, SINE

# d the midpoint of bc: Menelaus on abc with the transversal d-e-f gives af:fb = ae:ec, which
# no four-segment rule reaches without an auxiliary parallel.
TRANSVERSAL = ("a b c = triangle a b c; d = midpoint d b c; e = on_line e c a; "
               "f = on_line f a b, on_line f d e ? eqratio a f f b a e e c")
ARGS = ("a", "b", "c", "d", "e", "f")


def _random_instances(rng, n=200):
    """Triangle abc and a random line meeting its side lines at d (bc), e (ca), f (ab)."""
    while n:
        a, b, c, p = (rng.normal(size=2) * 3 for _ in range(4))
        u = rng.normal(size=2)
        if abs((b - a)[0] * (c - a)[1] - (b - a)[1] * (c - a)[0]) < 0.5:
            continue
        d, e, f = meet(b, c - b, p, u), meet(c, a - c, p, u), meet(a, b - a, p, u)
        if min(np.linalg.norm(x - y) for x in (d, e, f) for y in (a, b, c)) < 1e-3:
            continue
        if max(np.linalg.norm(x) for x in (d, e, f)) > 1e3:
            continue
        n -= 1
        yield {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def _ratio_value(eq, c):
    return sum(float(k) * np.log(M._d(c, *v[2:-1].split(","))) for v, k in eq.items())


def test_r52_is_a_theorem_on_random_diagrams():
    rng = np.random.default_rng(52)
    rule = table_rule("r52")
    assert [str(a) for a in rule.premises] == ["coll B C D", "coll C A E", "coll A B F",
                                               "coll D E F", "ncoll A B C"]
    want = M.linear("l", [(("a", "f"), 1), (("f", "b"), -1), (("b", "d"), 1),
                          (("d", "c"), -1), (("c", "e"), 1), (("e", "a"), -1)])
    for c in _random_instances(rng):
        assert MENELAUS.holds(ARGS, c)
        assert M.holds(("menelaus", ARGS), {k: tuple(v) for k, v in c.items()})
        assert abs(_ratio_value(want, c)) < 1e-6


def test_ceva_feet_satisfy_it_too():
    """Concurrent cevians ad, be, cf: the same product (Ceva), so the predicate is true."""
    rng = np.random.default_rng(53)
    for _ in range(100):
        a, b, c, p = (rng.normal(size=2) * 3 for _ in range(4))
        d, e, f = meet(a, p - a, b, c - b), meet(b, p - b, c, a - c), meet(c, p - c, a, b - a)
        assert MENELAUS.holds(ARGS, {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f})


def test_menelaus_is_false_off_a_transversal_and_degenerate_at_a_vertex():
    c = {"a": np.array([0.0, 0.0]), "b": np.array([4.0, 0.0]), "c": np.array([0.0, 4.0]),
         "d": np.array([2.0, 2.0]), "e": np.array([0.0, 1.0]), "f": np.array([2.0, 0.0])}
    assert not MENELAUS.holds(ARGS, c)
    assert not M.holds(("menelaus", ARGS), {k: tuple(v) for k, v in c.items()})
    assert MENELAUS.degenerate(("a", "b", "c", "b", "e", "f"))
    assert not MENELAUS.degenerate(ARGS)


def test_menelaus_reads_back_and_compares_in_any_order():
    text = MENELAUS.text(ARGS)
    assert text == "af·bd·ce = fb·dc·ea"
    assert said(text, set(ARGS)) == [("menelaus", ARGS)]
    other = ("b", "a", "c", "e", "d", "f")  # vertices with their feet in another order
    assert MENELAUS.canonical(other) == MENELAUS.canonical(ARGS)
    assert M.key(("menelaus", other)) == M.key(("menelaus", ARGS))


def test_ratio_equation_of_menelaus_is_what_the_checker_reads():
    class Eq:
        def ratio(self, terms, const=Fraction(1)):
            return "ratio", terms
    ((table, terms),) = MENELAUS.equations(ARGS, Eq())
    eq = M.linear("l", list(terms))
    c = {"a": (0.0, 0.0), "b": (4.0, 0.0), "c": (0.0, 4.0), "d": (2.0, 2.0), "e": (0.0, 1.0),
         "f": (-2.0, 0.0)}  # f on line de
    assert M.holds(("menelaus", ARGS), c)
    assert M.states(("menelaus", ARGS), "ratio", eq, c)


@pytest.fixture(scope="module")
def transversal():
    return parse_problem(TRANSVERSAL, name="menelaus_transversal")


def test_transversal_is_proved_with_r52_and_checked(transversal):
    outcome = prove(transversal, ProverConfig(timeout=30))
    assert outcome.proved, outcome.stats
    used = rules_used(outcome)
    assert "r52" in used and "ratio chase" in used


def test_transversal_is_not_proved_without_r52(transversal):
    """Nor without the law of sines, which proves it too (the sines of the angles at d)."""
    assert not proved_without(transversal, "r52", ar_tables=AR_TABLES - {SINE})
