"""Power of a point (#17): r49 concludes ``power P O X Y`` (PX·PY = PO² − OX², vectors) for
P on the line of a chord XY of a circle centred O; r50 and r51 conclude ``eqdot P A B C D``
(PA·PB = PC·PD, vectors) from two chords of one circle, or from equal products of lengths
(the ratio table's power of a point) with the sign read off the diagram. Both are equations
of the squared table; with them that table reasons with powers (radical axes, centres)."""

from fractions import Fraction

import numpy as np
import pytest
from rule_ablation import proved_without, rules_used
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.checker.reading import said
from symbolic.geometry.predicates import EQDOT, EQRATIO, POWER, SAMESIDE
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove

# Circles centred o1 (through a, b), o2 (through c, d), o3 (through a, b, c, d): p, where
# the chords ab and cd meet, has one power with respect to all three (the radical centre),
# so p lies on the radical axis of the first two circles, the perpendicular to o1o2 through
# their common point x.
RADICAL_CENTRE = ("a b c = triangle a b c; o3 = circle o3 a b c; d = on_circle d o3 a; "
                  "o1 = on_bline o1 a b; o2 = on_bline o2 c d; p = on_line p a b, on_line p c d; "
                  "x = on_circle x o1 a, on_circle x o2 c ? perp p x o1 o2")
# The same without the third circle's centre: its chords ab and cd give p the same power
# PA·PB = PC·PD (r50).
RADICAL_CENTRE_NO_CENTRE = ("a b c = triangle a b c; d = on_circum d a b c; o1 = on_bline o1 a b; "
                            "o2 = on_bline o2 c d; p = on_line p a b, on_line p c d; "
                            "x = on_circle x o1 a, on_circle x o2 c ? perp p x o1 o2")


def _random_instances(rng, n=200):
    """(P, O, X, Y): a random circle, a random chord XY, P on its line (inside, outside, at
    an end)."""
    for i in range(n):
        o = rng.normal(size=2) * 3
        r = rng.uniform(0.1, 5)
        s, t = rng.uniform(0, 2 * np.pi, size=2)
        x = o + r * np.array([np.cos(s), np.sin(s)])
        y = o + r * np.array([np.cos(t), np.sin(t)])
        lam = (0.0, 1.0)[i % 2] if i % 7 == 0 else rng.uniform(-3, 4)
        yield {"p": x + lam * (y - x), "o": o, "x": x, "y": y}


def test_r49_is_a_theorem_on_random_diagrams():
    rng = np.random.default_rng(49)
    rule = table_rule("r49")
    assert [str(a) for a in rule.premises] == ["cong O X O Y", "coll P X Y"]
    for c in _random_instances(rng):
        args = ("p", "o", "x", "y")
        assert POWER.holds(args, c)
        assert M.holds(("power", args), {k: tuple(v) for k, v in c.items()})
        # its squared-table equation is zero on the diagram
        (eq,) = M.squared_equations(("power", args))
        total = sum(float(k) * M._d(c, *v[2:-1].split(",")) ** 2 for v, k in eq.items())
        assert abs(total) < 1e-6 * max(1.0, float(np.max(np.abs(list(c.values()))) ** 2))


def test_power_is_false_off_the_chord_and_checked_both_ways():
    # x, y on the unit circle, not a diameter (for a diameter every P has power PX·PY)
    c = {"p": np.array([0.3, 1.0]), "o": np.array([0.0, 0.0]), "x": np.array([1.0, 0.0]),
         "y": np.array([0.0, 1.0])}
    assert not POWER.holds(("p", "o", "x", "y"), c)
    assert not M.holds(("power", ("p", "o", "x", "y")), {k: tuple(v) for k, v in c.items()})
    assert POWER.degenerate(("p", "o", "x", "x"))  # no chord


def test_power_reads_back_from_its_text():
    text = POWER.text(("p", "o1", "a", "b"))
    assert text == "pa·pb = po1² − o1a² (vectors)"
    assert said(text, {"p", "o1", "a", "b"}) == [("power", ("p", "o1", "a", "b"))]


def test_squared_equation_of_power():
    (eq,) = M.squared_equations(("power", ("p", "o", "x", "y")))
    assert eq == {"q(p,x)": 1, "q(p,y)": 1, "q(x,y)": -1, "q(o,p)": -2, "q(o,x)": 2}
    assert all(isinstance(k, Fraction) for k in eq.values())


@pytest.fixture(scope="module")
def radical_centre():
    return parse_problem(RADICAL_CENTRE, name="radical_centre")


def test_radical_centre_is_proved_with_r49_and_checked(radical_centre):
    outcome = prove(radical_centre, ProverConfig(timeout=30))
    assert outcome.proved, outcome.stats
    used = rules_used(outcome)
    assert "r49" in used and "squared-length chase" in used


def test_radical_centre_is_not_proved_without_r49(radical_centre):
    assert not proved_without(radical_centre, "r49")


def _on_circle(rng, o, r):
    t = rng.uniform(0, 2 * np.pi)
    return o + r * np.array([np.cos(t), np.sin(t)])


def _meet(a, b, c, d):
    """The point where lines ab and cd meet."""
    m = np.array([b - a, c - d]).T
    s = np.linalg.solve(m, c - a)
    return a + s[0] * (b - a)


def test_r50_is_a_theorem_on_random_diagrams():
    rng = np.random.default_rng(50)
    for _ in range(200):
        o, r = rng.normal(size=2), rng.uniform(0.2, 4)
        a, b, c, d = (_on_circle(rng, o, r) for _ in range(4))
        coords = {"p": _meet(a, b, c, d), "a": a, "b": b, "c": c, "d": d}
        assert EQDOT.holds(("p", "a", "b", "c", "d"), coords)
        assert M.holds(("eqdot", ("p", "a", "b", "c", "d")), coords)


def test_r51_is_a_theorem_on_random_diagrams():
    """Equal products of lengths on two lines through P (or a tangent length squared),
    P between A and B exactly when between C and D: equal as vectors. Without the side
    condition the products may differ in sign."""
    rng = np.random.default_rng(51)
    checked = 0
    for i in range(400):
        p = rng.normal(size=2)
        u, v = (np.array([np.cos(t), np.sin(t)]) for t in rng.uniform(0, np.pi, size=2))
        sa, sb, sc = rng.uniform(-3, 3, size=3)
        if min(abs(sa), abs(sb), abs(sc)) < 0.05:
            continue
        sd = sa * sb / sc  # signed: P between C and D exactly when between A and B
        if i % 3 == 0:
            sd = -sd  # the same lengths, the other side: the rule must not apply
        coords = {"p": p, "a": p + sa * u, "b": p + sb * u, "c": p + sc * v, "d": p + sd * v}
        args = ("p", "a", "b", "c", "d")
        assert EQRATIO.holds(("p", "a", "p", "c", "p", "d", "p", "b"), coords)
        same = SAMESIDE.holds(("p", "a", "b", "p", "c", "d"), coords)
        assert same == (i % 3 != 0)
        if same:
            assert EQDOT.holds(args, coords) and M.holds(("eqdot", args), coords)
            checked += 1
        else:
            assert not EQDOT.holds(args, coords)
        # the tangent case: C = D = T with PT² = PA·PB, P outside AB
        t = p + np.sqrt(abs(sa * sb)) * v
        tangent = dict(coords, t=t)
        if sa * sb > 0:
            assert SAMESIDE.holds(("p", "a", "b", "p", "t", "t"), tangent)
            assert EQDOT.holds(("p", "a", "b", "t", "t"), tangent)
        else:
            assert not SAMESIDE.holds(("p", "a", "b", "p", "t", "t"), tangent)
    assert checked > 100


def test_eqdot_reads_back_and_compares_in_any_order():
    text = EQDOT.text(("p", "a", "b", "c", "d"))
    assert text == "pa·pb = pc·pd (vectors)"
    assert said(text, {"p", "a", "b", "c", "d"}) == [("eqdot", ("p", "a", "b", "c", "d"))]
    assert EQDOT.canonical(("p", "d", "c", "b", "a")) == ("p", "a", "b", "c", "d")
    assert M.key(("eqdot", ("p", "d", "c", "b", "a"))) == M.key(("eqdot", ("p", "a", "b", "c",
                                                                          "d")))
    assert EQDOT.degenerate(("p", "a", "b", "b", "a"))


def test_radical_centre_without_its_centre_is_proved_with_r50():
    problem = parse_problem(RADICAL_CENTRE_NO_CENTRE, name="radical_centre_no_centre")
    outcome = prove(problem, ProverConfig(timeout=30))
    assert outcome.proved, outcome.stats
    used = rules_used(outcome)
    assert {"r49", "r50", "squared-length chase"} <= used
    assert not proved_without(problem, "r49", "r50", "r51")


# HAGeo dev 2007CTSTp2 with the auxiliary points the search found at 30 s (x, y, z, w): the
# proof takes powers of points (r49-r51) into the squared table; without them DD+AR fails.
CTST_2007_P2_AUX = ("a b c = triangle; i = incenter a b c; m = midpoint a b; n = midpoint a c; "
                    "d = on_line a b, on_circle b c; e = on_line a c, on_circle c b; "
                    "p = on_tline d i m, on_tline e i n; x = midpoint x b e; "
                    "y = on_line y a b, on_line y c i; z = midpoint z b c; w = foot w c a b "
                    "? perp a p b c")


def test_2007ctstp2_with_its_auxiliary_points_needs_the_power_of_a_point():
    problem = parse_problem(CTST_2007_P2_AUX, name="2007CTSTp2_aux")
    outcome = prove(problem, ProverConfig(timeout=60))
    assert outcome.proved, outcome.stats
    used = rules_used(outcome)
    assert used & {"r49", "r50", "r51"}, used
    assert not proved_without(problem, "r49", "r50", "r51", timeout=60)


def test_r51_tangent_case_is_proved_and_replayed():
    """C = D = T: PX·PY = PT² from the ratio table alone (PX = PT/2, PY = PQ = 2 PT), the
    premise coll P T T a trivial line; the proof passes the replay and the independent
    checker (``prove`` returns no proof otherwise)."""
    from symbolic.geometry.state import AR_TABLES

    problem = parse_problem("p t q = triangle12 p t q; x = midpoint x p t; "
                            "y = on_line y p t, on_circle y p q ? eqdot p x y t t", name="r51t")
    outcome = prove(problem, ProverConfig(rules=frozenset({"r51"}), timeout=30,
                                          ar_tables=AR_TABLES - {"squared"}))
    assert outcome.proved, outcome.stats
    (step,) = [s for s in outcome.proof.steps if s.derivation.rule == "r51"]
    assert dict(step.derivation.mapping)["C"] == dict(step.derivation.mapping)["D"] == "t"
