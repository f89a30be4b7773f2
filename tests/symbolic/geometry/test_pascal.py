"""Pascal's theorem (#17): r58, the opposite sides AB, DE; BC, EF; CD, FA of a hexagon
inscribed in a circle meet at three collinear points X, Y, Z. DD+AR does not reach it by
chasing angles and ratios (AlphaGeometry's rules need auxiliary points for it)."""

import numpy as np
from plane import meet
from rule_ablation import proved_through
from rule_ablation import rule as table_rule

from symbolic.geometry.predicates import COLL
from symbolic.geometry.problem import parse_problem

PASCAL = ("a b c = triangle a b c; o = circle o a b c; d = on_circle d o a; "
          "e = on_circle e o a; f = on_circle f o a; x = on_line x a b, on_line x d e; "
          "y = on_line y b c, on_line y e f; z = on_line z c d, on_line z f a ? coll x y z")


def _meets(a, b, c, d, e, f):
    return (meet(a, b - a, d, e - d), meet(b, c - b, e, f - e), meet(c, d - c, f, a - f))


def test_r58_holds_on_circles_and_not_on_random_hexagons():
    rng = np.random.default_rng(58)
    rule = table_rule("r58")
    assert str(rule.conclusion) == "coll X Y Z"
    assert [str(a) for a in rule.premises][:7] == [
        "cyclic A B C D E F", "coll X A B", "coll X D E", "coll Y B C", "coll Y E F",
        "coll Z C D", "coll Z F A"]
    names = ("x", "y", "z")
    circles = scattered = 0
    while circles < 300:
        centre, radius = rng.normal(size=2), rng.uniform(0.5, 3)
        angles = rng.uniform(0, 2 * np.pi, size=6)  # any order: self-crossing hexagons too
        on = [centre + radius * np.array([np.cos(t), np.sin(t)]) for t in angles]
        off = [p + rng.normal(size=2) * 0.3 for p in on]
        try:
            x, y, z = _meets(*on)
            x2, y2, z2 = _meets(*off)
        except np.linalg.LinAlgError:
            continue
        if max(np.abs(np.concatenate([x, y, z, x2, y2, z2]))) > 1e3:
            continue
        circles += 1
        assert COLL.holds(names, dict(zip(names, (x, y, z))))
        scattered += not COLL.holds(names, dict(zip(names, (x2, y2, z2))))
    assert scattered > 290  # moved off the circle, the meets leave one line


def test_pascal_is_proved_with_r58_and_checked_and_not_without():
    proved_through(parse_problem(PASCAL, name="pascal"), {"r58"}, "r58")

