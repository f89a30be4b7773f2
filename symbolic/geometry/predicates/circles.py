"""Circles: concyclic points, a centre and points on its circle."""

from __future__ import annotations

from itertools import permutations

from ..facts import Fact
from .base import Args, Pred, Predicate
from .lengths import CONG
from .measure import close, is_cyclic, length


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


CYCLIC, CIRCLE = Cyclic(), Circle()
