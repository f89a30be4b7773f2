"""The line of equal power (#17): r54, perp A B P Q, perp A C P Q, P ≠ Q => coll A B C. The
points X with XP² − XQ² = k form one line perpendicular to PQ (the radical axis of two
circles centred P and Q); the squared table proves such perpendiculars from lengths (powers
of points, Pythagoras), which the angle table, the one that turns perpendiculars into lines
(r00, r28), never learns. It proves the radical axis through a radical centre and
2015BalkanMOp2 by DD+AR alone."""

import numpy as np
import pytest
from rule_ablation import proved_through, proved_without
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.predicates import COLL, PERP
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import AR_TABLES, SINE

# p, where chords ab (of the circle centred o1) and cd (centred o2) of one circle meet, has
# one power with respect to both circles, so it is on their common chord xy.
RADICAL_AXIS = ("a b c = triangle a b c; d = on_circum d a b c; o1 = on_bline o1 a b; "
                "o2 = on_bline o2 c d; p = on_line p a b, on_line p c d; "
                "x = on_circle x o1 a, on_circle x o2 c; y = on_circle y o1 a, on_circle y o2 c "
                "? coll p x y")
# Balkan MO 2015, problem 2: k, l, m are each on the tangent at a vertex and as far from that
# vertex as from i, so km² − ki² = R² for each (o the circumcentre): one line ⊥ oi.
BALKAN_2015_P2 = ("a b c = triangle; i = incenter a b c; o = circumcenter a b c; "
                  "d = on_line a i, on_circle o a; e = on_line b i, on_circle o b; "
                  "f = on_line c i, on_circle o c; k = on_line e f, on_pline i b c; "
                  "l = on_line d f, on_pline i a c; m = on_line d e, on_pline i a b ? coll k l m")


def _random_instances(rng, n=200):
    """P ≠ Q, and A, B, C on one line perpendicular to PQ (B or C sometimes at A)."""
    while n:
        p, q, a = (rng.normal(size=2) * 3 for _ in range(3))
        if np.linalg.norm(q - p) < 1e-2:
            continue
        normal = np.array([-(q - p)[1], (q - p)[0]])
        s, t = rng.uniform(-3, 3, size=2)
        if n % 17 == 0:
            s = 0.0
        n -= 1
        yield {"a": a, "b": a + s * normal, "c": a + t * normal, "p": p, "q": q}


def _tuples(c):
    return {k: tuple(v) for k, v in c.items()}


def test_r54_is_a_theorem_on_random_diagrams():
    rng = np.random.default_rng(54)
    rule = table_rule("r54")
    assert [str(a) for a in rule.premises] == ["perp A B P Q", "perp A C P Q", "diff P Q"]
    assert str(rule.conclusion) == "coll A B C"
    for c in _random_instances(rng):
        for args in (("a", "b", "p", "q"), ("a", "c", "p", "q")):
            if np.linalg.norm(c[args[0]] - c[args[1]]) > 1e-9:
                assert PERP.holds(args, c)
                assert M.holds(("perp", args), _tuples(c))
            # its squared-table equation (AP² + BQ² = AQ² + BP²) is zero on the diagram
            (eq,) = M.squared_equations(("perp", args))
            total = sum(float(k) * M._d(c, *v[2:-1].split(",")) ** 2 for v, k in eq.items())
            assert abs(total) < 1e-6 * max(1.0, float(np.max(np.abs(list(c.values())))) ** 2)
        assert COLL.holds(("a", "b", "c"), c)
        assert M.holds(("coll", ("a", "b", "c")), _tuples(c))


def test_r54_premises_fail_off_the_line():
    rng = np.random.default_rng(540)
    for c in _random_instances(rng, 50):
        c["c"] = c["c"] + rng.normal(size=2)  # c off the perpendicular through a
        assert not COLL.holds(("a", "b", "c"), c) or np.allclose(c["a"], c["b"])
        assert not M.holds(("perp", ("a", "c", "p", "q")), _tuples(c))


# 2015BalkanMOp2 has a second way since Menelaus' converse (r55): without r54, Menelaus'
# products make k, l, m collinear; with both, the proof goes through r54.
@pytest.mark.parametrize("text,name,gone", [(RADICAL_AXIS, "radical_axis", ("r54",)),
                                            (BALKAN_2015_P2, "2015BalkanMOp2", ("r54", "r55"))])
def test_proved_with_r54_and_checked_and_not_without(text, name, gone):
    proved_through(parse_problem(text, name=name), {"r54", "squared-length chase"}, *gone)


# HAGeo dev 2021CGMOp2 with the five auxiliary points the search found at 60 s (19 s; without
# r54 the search timed out at 60 s): r54's premises ask the squared table for the radical
# axes ax ⊥ o m1 and ay ⊥ o m2 (and more), which then join the angle table (r28 closes it);
# without r54 DD+AR saturates short of the goal.
CGMO_2021_P2_AUX = ("a b c = triangle; i = incenter a b c; j = excenter a b c; "
                    "o = circumcenter a b c; m1 = midpoint a i; x = on_circle o a, on_circle m1 a; "
                    "m2 = midpoint a j; y = on_circle o a, on_circle m2 a; "
                    "k = on_line b c, on_bline i j; m = midpoint x y; "
                    "z = on_pline z a k j, on_line z k b; "
                    "w = angle_bisector w a b c, on_line w a c; u = midpoint u a y; "
                    "v = foot v k a m1; x1 = angle_bisector x1 c a b, on_line x1 c b ? coll a k m")


def test_2021cgmop2_with_its_auxiliary_points_needs_r54():
    problem = parse_problem(CGMO_2021_P2_AUX, name="2021CGMOp2_aux")
    outcome = prove(problem, ProverConfig(timeout=60))
    assert outcome.proved, outcome.stats
    squared = {str(s.conclusion) for s in outcome.proof.steps
               if s.derivation.rule == "squared-length chase"}
    assert any(f.startswith("perp") for f in squared), squared
    # the law of sines finds another way there (#17): r54 is needed without it
    assert not proved_without(problem, "r54", timeout=60, ar_tables=AR_TABLES - {SINE})
