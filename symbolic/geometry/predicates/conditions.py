"""Side conditions: read off the diagram, never proved (``numeric_only``)."""

from __future__ import annotations

from .base import Pred, Predicate
from .lines import PARA, PERP
from .measure import TOL, is_coll, length


class NColl(Predicate):
    __slots__ = ()
    pred = Pred.NCOLL
    min_arity = 3
    numeric_only = True

    def check(self, ps, consts=()):
        return not is_coll(ps)


class NPara(Predicate):
    __slots__ = ()
    pred = Pred.NPARA
    arity = 4
    numeric_only = True

    def check(self, ps, consts=()):
        return not PARA.check(ps)


class NPerp(Predicate):
    __slots__ = ()
    pred = Pred.NPERP
    arity = 4
    numeric_only = True

    def check(self, ps, consts=()):
        return not PERP.check(ps)


class SameSide(Predicate):
    """``sameside A B C X Y Z``: A is between B and C iff X is between Y and Z."""

    __slots__ = ()
    pred = Pred.SAMESIDE
    arity = 6
    numeric_only = True

    def check(self, ps, consts=()):
        a, b, c, x, y, z = ps
        s1 = float((b - a) @ (c - a))
        s2 = float((y - x) @ (z - x))
        return s1 * s2 > 0


class Diff(Predicate):
    __slots__ = ()
    pred = Pred.DIFF
    arity = 2
    numeric_only = True

    def check(self, ps, consts=()):
        return length(ps[0], ps[1]) > TOL


NCOLL, NPARA, NPERP, SAMESIDE, DIFF = NColl(), NPara(), NPerp(), SameSide(), Diff()
