"""Harmonic division (#17): r53, P ≠ E on line AC with PA:PC = EA:EC (harmonic conjugates)
and M the midpoint of PE give MA·MC = ME². With Menelaus (r52) it proves 2007CMOp4: the
harmonic ratios come from Menelaus and the incircle's equal tangents, MA·MC = ME² puts the
midpoints on the radical axis of the circumcircle and the incircle."""

import numpy as np
from rule_ablation import proved_without, rules_used
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.predicates import EQRATIO
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import AR_TABLES, SINE

CMO_2007_P4 = ("a b c = triangle; o = circumcenter a b c; i = incenter a b c; d = foot i b c; "
               "e = foot i a c; f = foot i a b; p = on_line f d, on_line a c; "
               "q = on_line e d, on_line a b; m = midpoint p e; n = midpoint q f ? perp o i m n")


def test_r53_is_a_theorem_on_random_diagrams():
    rng = np.random.default_rng(53)
    rule = table_rule("r53")
    assert [str(a) for a in rule.premises] == ["eqratio P A P C E A E C", "coll P A C",
                                               "coll E A C", "midp M P E", "diff P E",
                                               "diff A C"]
    for _ in range(200):
        a, c = rng.normal(size=2) * 3, rng.normal(size=2) * 3
        k = rng.uniform(0.05, 20)
        if abs(k - 1) < 1e-2:
            continue
        p = (a + k * c) / (1 + k)  # pa:pc = k inside ac
        e = (a - k * c) / (1 - k)  # ea:ec = k outside
        m = (p + e) / 2
        pts = {"p": p, "e": e, "a": a, "c": c, "m": m}
        assert EQRATIO.holds(("p", "a", "p", "c", "e", "a", "e", "c"), pts)
        concl = ("m", "a", "m", "e", "m", "e", "m", "c")
        assert EQRATIO.holds(concl, pts)
        assert M.holds(("eqratio", concl), {x: tuple(v) for x, v in pts.items()})


def test_2007cmop4_is_proved_with_menelaus_and_harmonic_division_and_checked():
    """Without the law of sines, which finds its own way (#17)."""
    problem = parse_problem(CMO_2007_P4, name="2007CMOp4")
    tables = AR_TABLES - {SINE}
    outcome = prove(problem, ProverConfig(timeout=60, ar_tables=tables))
    assert outcome.proved, outcome.stats
    used = rules_used(outcome)
    assert {"r52", "r53"} <= used, used
    for gone in ("r52", "r53"):
        assert not proved_without(problem, gone, timeout=60, ar_tables=tables), gone
    assert prove(problem, ProverConfig(timeout=60)).proved
