"""The law of sines, as the ratio table reads it.

``sines A B C``: A, B, C are a triangle (not collinear), so AB / sin C = BC / sin A =
CA / sin B. With n(xy,zw) = log |sin ∠(xy,zw)| (``ProofState.sines``) that is two equations
of the ratio table: l(AB) − n(CA,CB) = l(BC) − n(AB,AC) = l(CA) − n(BA,BC). Equal angles
(``eqangle``) and known ones (``perp``, ``aconst``) state the sines' variables, so ratio
chasing then reaches what the sines of equal angles tie together (the bisector theorem, the
ratio lemma, trigonometric Ceva and the like) without a rule for each.
"""

from __future__ import annotations

from itertools import permutations

from .base import Args, ARPredicate, Pred
from .measure import is_coll


class Sines(ARPredicate):
    __slots__ = ()
    pred = Pred.SINES
    arity = 3

    def canonical(self, args: Args) -> Args:
        return tuple(sorted(args))

    def degenerate(self, args: Args) -> bool:
        return len(set(args)) < 3

    def check(self, ps, consts=()):
        return not is_coll(ps)

    def text(self, args):
        a, b, c = args
        return f"the law of sines in △{a}{b}{c}"  # ab / sin c = bc / sin a = ca / sin b

    def variants(self, args):
        yield from permutations(args)

    def drawn(self, points):
        a, b, c = points
        return [(a, b), (b, c), (c, a)], []

    def figure_lines(self, args):
        a, b, c = args
        return [(a, b), (b, c), (c, a)]

    def equations(self, args, eq):
        a, b, c = args
        at_a, at_b, at_c = ((a, b), (a, c)), ((b, a), (b, c)), ((c, a), (c, b))
        return [eq.sines([((a, b), 1), ((b, c), -1)], [(*at_c, -1), (*at_a, 1)]),
                eq.sines([((b, c), 1), ((c, a), -1)], [(*at_a, -1), (*at_b, 1)])]


SINES = Sines()
