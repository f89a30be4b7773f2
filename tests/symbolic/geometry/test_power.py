"""Power of a point (#17): r49 concludes ``power P O X Y`` (PX·PY = PO² − OX², vectors) for
P on the line of a chord XY of a circle centred O, an equation of the squared table; with it
that table reasons with powers (radical axes, radical centres)."""

from fractions import Fraction

import numpy as np
import pytest

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.checker.reading import said
from symbolic.geometry.predicates import POWER
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.tables import rules

# Circles centred o1 (through a, b), o2 (through c, d), o3 (through a, b, c, d): p, where
# the chords ab and cd meet, has one power with respect to all three (the radical centre),
# so p lies on the radical axis of the first two circles, the perpendicular to o1o2 through
# their common point x.
RADICAL_CENTRE = ("a b c = triangle a b c; o3 = circle o3 a b c; d = on_circle d o3 a; "
                  "o1 = on_bline o1 a b; o2 = on_bline o2 c d; p = on_line p a b, on_line p c d; "
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
    (rule,) = [r for r in rules() if r.id == "r49"]
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
    used = {s.derivation.rule for s in outcome.proof.steps}
    assert "r49" in used and "squared-length chase" in used


def test_radical_centre_is_not_proved_without_r49(radical_centre):
    without = frozenset(r.id for r in rules()) - {"r49"}
    outcome = prove(radical_centre, ProverConfig(timeout=30, rules=without))
    assert not outcome.proved
