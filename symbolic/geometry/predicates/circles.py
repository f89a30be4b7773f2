"""Circles: concyclic points, a centre and points on its circle."""

from __future__ import annotations

from itertools import permutations

from ..facts import Fact
from .base import Args, ARPredicate, Pred, Predicate
from .lengths import CONG
from .measure import TOL, close, is_cyclic, length


class Cyclic(Predicate):
    __slots__ = ()
    pred = Pred.CYCLIC
    goal = True
    min_arity = 4

    def canonical(self, args: Args) -> Args:
        return tuple(sorted(set(args)))

    def degenerate(self, args: Args) -> bool:
        return len(set(args)) < 4

    def check(self, ps, consts=()):
        return is_cyclic(ps)

    def text(self, args):
        return ", ".join(args) + " are concyclic"

    def variants(self, args):
        yield from permutations(args)

    def drawn(self, points):
        return [], [("through", *points[:3])]

    def on_add(self, state, fact):
        state.merge_circle(fact)

    def derive(self, state, fact):
        return state.derive_circle(fact)

    def may_follow(self, state, fact):
        pts = frozenset(fact.args)
        return len(pts) < 4 or state.circle_through(pts) is not None


class Circle(Predicate):
    """``circle O A B C``: O is the centre of the circle through A, B, C."""

    __slots__ = ()
    pred = Pred.CIRCLE
    goal = True
    min_arity = 3

    def canonical(self, args: Args) -> Args:
        return (args[0],) + tuple(sorted(set(args[1:])))

    def check(self, ps, consts=()):
        o, first = ps[0], ps[1]
        r = length(o, first)
        return all(close(length(o, p), r) for p in ps[2:])

    def text(self, args):
        return f"{args[0]} is the centre of the circle through " + ", ".join(args[1:])

    def drawn(self, points):
        return [], [("centre", points[0], points[0], points[1])]

    def unfold(self, args: Args) -> list[Fact]:
        """OA = OB, OA = OC, ...: the centre is as far from every point."""
        o = args[0]
        return [Fact.make(CONG, (o, args[1], o, p)) for p in args[2:]]

    def derive(self, state, fact):
        return state.derive_parts(fact)


class Power(ARPredicate):
    """``power P O X Y``: P's power with respect to the circle centred O through X is the
    dot product of the vectors PX and PY: PX·PY = PO² − OX² (signed: negative inside the
    circle). Stated of a point P on a chord XY (power of a point, ``r52``); as an equation
    of the squared table, 2 PX·PY = PX² + PY² − XY², it says
    PX² + PY² − XY² = 2 PO² − 2 OX², which is what lets that table reason with powers
    (radical axes: equal powers with respect to two circles, perpendicular to the line of
    their centres)."""

    __slots__ = ()
    pred = Pred.POWER
    goal = True
    arity = 4

    def degenerate(self, args: Args) -> bool:
        return args[2] == args[3]  # no chord: P anywhere "on line XX"

    def check(self, ps, consts=()):
        p, o, x, y = ps
        lhs = float((x - p) @ (y - p))
        rhs = length(p, o) ** 2 - length(o, x) ** 2
        scale = max(1.0, length(p, o) ** 2, length(o, x) ** 2, length(p, x) * length(p, y))
        return abs(lhs - rhs) < TOL * scale

    def text(self, args):
        p, o, x, y = args
        return f"{p}{x}·{p}{y} = {p}{o}² − {o}{x}² (vectors)"

    def drawn(self, points):
        p, o, x, y = points
        return [(p, x, y), (p, o)], [("centre", o, o, x)]

    def equations(self, args, eq):
        p, o, x, y = args
        return [eq.squared([((p, x), 1), ((p, y), 1), ((x, y), -1), ((p, o), -2),
                            ((o, x), 2)])]


def _dot(p, a, b) -> float:
    return float((a - p) @ (b - p))


class EqDot(ARPredicate):
    """``eqdot P A B C D``: PA·PB = PC·PD as vectors (the same power of P with respect to a
    circle through A, B and one through C, D; C = D: PC tangent). Its squared-table equation
    is PA² + PB² − AB² = PC² + PD² − CD² (2 PA·PB = PA² + PB² − AB²)."""

    __slots__ = ()
    pred = Pred.EQDOT
    goal = True
    arity = 5

    def canonical(self, args: Args) -> Args:
        p, a, b, c, d = args
        first, second = sorted([tuple(sorted((a, b))), tuple(sorted((c, d)))])
        return (p,) + first + second

    def degenerate(self, args: Args) -> bool:
        p, a, b, c, d = args
        return sorted((a, b)) == sorted((c, d))

    def check(self, ps, consts=()):
        p, a, b, c, d = ps
        scale = max(1.0, length(p, a) * length(p, b), length(p, c) * length(p, d))
        return abs(_dot(p, a, b) - _dot(p, c, d)) < TOL * scale

    def text(self, args):
        p, a, b, c, d = args
        return f"{p}{a}·{p}{b} = {p}{c}·{p}{d} (vectors)"

    def drawn(self, points):
        p, a, b, c, d = points
        return [(p, a, b), (p, c, d)], []

    def equations(self, args, eq):
        p, a, b, c, d = args
        return [eq.squared([((p, a), 1), ((p, b), 1), ((a, b), -1), ((p, c), -1),
                            ((p, d), -1), ((c, d), 1)])]


CYCLIC, CIRCLE, POWER, EQDOT = Cyclic(), Circle(), Power(), EqDot()
