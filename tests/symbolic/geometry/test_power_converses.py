"""The converses of the power of a point (#17). r56: eqdot P A B C D, coll P A B, coll P C D,
ncoll A B C, ncoll A B D => cyclic A B C D; equal powers PA·PB = PC·PD (vectors) along two
lines through P put the four points on one circle. r57: eqdot P A B C C, coll P A B,
ncoll A B C => eqangle C P C A B C B A; PC² = PA·PB makes PC tangent to the circle ABC (the
tangent-chord angle). The squared table proves such equalities from lengths alone (powers with
respect to two circles, radical axes), where no ratio or angle says so and no other rule
concludes from them."""

import numpy as np
from rule_ablation import proved_through, rules_used, without
from rule_ablation import rule as table_rule

from symbolic.geometry.checker import meaning as M
from symbolic.geometry.predicates import CYCLIC, EQDOT
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove

ARGS = ("p", "a", "b", "c", "d")
# Two circles of equal radii (centres o1, o2) and p as far from both centres: the same power.
# A line through p meets the first at a, b, another the second at c, d: pa·pb = pc·pd in the
# squared table (r49 twice), with no ratio of lengths or angle to say so, so a, b, c, d are
# concyclic by r56 only.
EQUAL_RADII = ("o1 o2 = segment o1 o2; p = on_bline p o1 o2; a = free a; "
               "b = on_line b p a, on_circle b o1 a; c = eqdistance c o2 o1 a; "
               "d = on_line d p c, on_circle d o2 c ? cyclic a b c d")
# The same circles, and c the point of contact of a tangent from p to the second: pc² equals
# p's power with respect to it (Pythagoras), so equals pa·pb, and pc touches the circle abc.
TANGENT = ("o1 o2 = segment o1 o2; p = on_bline p o1 o2; a = free a; "
           "b = on_line b p a, on_circle b o1 a; e = eqdistance e o2 o1 a; "
           "c = on_circle c o2 e, on_dia c p o2 ? eqangle c p c a b c b a")
# p on the radical axis xy of two circles through x and y: here the equal powers also follow
# from similar triangles (pax ~ pyb), a longer proof, which r56 shortens.
RADICAL = ("x y = segment x y; o1 = on_bline o1 x y; o2 = on_bline o2 x y; p = on_line p x y; "
           "a = on_circle a o1 x; b = on_line b p a, on_circle b o1 x; c = on_circle c o2 x; "
           "d = on_line d p c, on_circle d o2 x ? cyclic a b c d")


def test_r56_premises_make_the_four_points_concyclic():
    rng = np.random.default_rng(56)
    rule = table_rule("r56")
    assert [str(a) for a in rule.premises] == ["eqdot P A B C D", "coll P A B", "coll P C D",
                                               "ncoll A B C", "ncoll A B D"]
    assert str(rule.conclusion) == "cyclic A B C D"
    seen = 0
    while seen < 300:
        p, u, v = (rng.normal(size=2) * 2 for _ in range(3))
        s, t, r = rng.normal(size=3) * 2
        a, b, c = p + s * u, p + t * u, p + r * v
        if min(abs(s), abs(t), abs(r), abs(s - t)) < 0.1 or abs(u[0] * v[1] - u[1] * v[0]) < 0.3:
            continue
        # d on line pc with pc·pd = pa·pb: r (r' |v|²) = s t |u|²
        d = p + (s * t * (u @ u)) / (r * (v @ v)) * v
        if np.linalg.norm(d - p) > 1e3:
            continue
        pts = dict(zip(ARGS, (p, a, b, c, d)))
        assert EQDOT.holds(ARGS, pts)
        assert M.holds(("eqdot", ARGS), {k: tuple(x) for k, x in pts.items()})
        assert CYCLIC.holds(("a", "b", "c", "d"), pts)
        # d moved off the line pc: no longer on the circle abc
        pts["d"] = d + rng.normal(size=2) * 0.5
        assert not CYCLIC.holds(("a", "b", "c", "d"), pts)
        seen += 1


def test_equal_radii_chords_are_concyclic_with_r56_and_not_without():
    proved_through(parse_problem(EQUAL_RADII, name="equal_radii"), {"r49", "r56"}, "r56")


def test_r57_premises_make_the_tangent_chord_angle():
    rng = np.random.default_rng(57)
    rule = table_rule("r57")
    assert [str(a) for a in rule.premises] == ["eqdot P A B C C", "coll P A B", "ncoll A B C"]
    assert str(rule.conclusion) == "eqangle C P C A B C B A"
    seen = 0
    while seen < 300:
        p, u, w = (rng.normal(size=2) * 2 for _ in range(3))
        s, t = rng.uniform(0.2, 4, size=2) * rng.choice([-1, 1])  # p outside ab: same sign
        a, b = p + s * u, p + t * u
        if abs(s - t) < 0.1 or abs(u[0] * w[1] - u[1] * w[0]) < 0.3 * np.linalg.norm(w):
            continue
        c = p + np.sqrt(s * t * (u @ u)) * w / np.linalg.norm(w)  # pc² = pa·pb
        pts = dict(zip(ARGS, (p, a, b, c, c)))
        assert EQDOT.holds(ARGS, pts)
        assert M.holds(("eqangle", ("c", "p", "c", "a", "b", "c", "b", "a")),
                       {k: tuple(x) for k, x in pts.items()})
        pts["c"] = c * 1.3  # pc² ≠ pa·pb: no tangent
        assert not M.holds(("eqangle", ("c", "p", "c", "a", "b", "c", "b", "a")),
                           {k: tuple(x) for k, x in pts.items()})
        seen += 1


def test_a_tangent_from_equal_powers_is_proved_with_r57_and_not_without():
    proved_through(parse_problem(TANGENT, name="tangent"), {"r49", "r57"}, "r57")


def test_r56_shortens_the_radical_axis_proof():
    problem = parse_problem(RADICAL, name="radical_axis")
    with_r56 = prove(problem, ProverConfig(timeout=60))
    without_r56 = prove(problem, ProverConfig(timeout=60, rules=without("r56")))
    assert with_r56.proved and without_r56.proved
    assert "r56" in rules_used(with_r56) and "r56" not in rules_used(without_r56)
    assert len(with_r56.proof.steps) < len(without_r56.proof.steps)
