"""Lines: collinear points, parallel and perpendicular lines."""

from __future__ import annotations

from .base import Args, Pred, Predicate, pairs_sorted
from .measure import TOL, cross, is_coll, unit


class Coll(Predicate):
    __slots__ = ()
    pred = Pred.COLL
    min_arity = 3

    def canonical(self, args: Args) -> Args:
        return tuple(sorted(set(args)))

    def check(self, ps, consts=()):
        return is_coll(ps)

    def text(self, args):
        return ", ".join(args) + " are collinear"


class Para(Predicate):
    __slots__ = ()
    pred = Pred.PARA
    arity = 4

    def canonical(self, args: Args) -> Args:
        return pairs_sorted(args)

    def check(self, ps, consts=()):
        a, b, c, d = ps
        return abs(cross(unit(b - a), unit(d - c))) < TOL

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} ∥ {c}{d}"


class Perp(Predicate):
    __slots__ = ()
    pred = Pred.PERP
    arity = 4

    def canonical(self, args: Args) -> Args:
        return pairs_sorted(args)

    def check(self, ps, consts=()):
        a, b, c, d = ps
        return abs(float(unit(b - a) @ unit(d - c))) < TOL

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} ⊥ {c}{d}"


COLL, PARA, PERP = Coll(), Para(), Perp()
