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

    def text(self, args):
        return ", ".join(args) + " are not collinear"


class NPara(Predicate):
    __slots__ = ()
    pred = Pred.NPARA
    arity = 4
    numeric_only = True

    def check(self, ps, consts=()):
        return not PARA.check(ps)

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} ∦ {c}{d}"


class NPerp(Predicate):
    __slots__ = ()
    pred = Pred.NPERP
    arity = 4
    numeric_only = True

    def check(self, ps, consts=()):
        return not PERP.check(ps)

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} is not ⊥ {c}{d}"


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

    def text(self, args):
        a, b, c, x, y, z = args
        return f"{a} is between {b} and {c} exactly when {x} is between {y} and {z}"


class Diff(Predicate):
    __slots__ = ()
    pred = Pred.DIFF
    arity = 2
    numeric_only = True

    def check(self, ps, consts=()):
        return length(ps[0], ps[1]) > TOL

    def text(self, args):
        return f"{args[0]} ≠ {args[1]}"


NCOLL, NPARA, NPERP, SAMESIDE, DIFF = NColl(), NPara(), NPerp(), SameSide(), Diff()
