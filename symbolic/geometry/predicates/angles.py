"""Angles: equal full angles and constant angles.

Angles are *full angles*: ``eqangle A B C D P Q U V`` says that the directed angle from line
AB to line CD equals the directed angle from line PQ to line UV, modulo 180 degrees.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .base import (
    ZERO,
    Args,
    ARPredicate,
    Pred,
    Predicate,
    paired,
    quad_canonical,
    quad_variants,
    zero_segment,
)
from .measure import full_angle, same_full_angle

# the angles whose log |sin| the ratio table can state (``state.SINE_LOGS``)
SINE_DEGREES = frozenset({30, 45, 60, 90, 120, 135, 150})


class EqAngle(ARPredicate):
    __slots__ = ()
    pred = Pred.EQANGLE
    goal = True
    arity = 8

    def canonical(self, args: Args) -> Args:
        return quad_canonical(args)

    def degenerate(self, args: Args) -> bool:
        return zero_segment(args)

    def check(self, ps, consts=()):
        a, b, c, d, p, q, u, v = ps
        return same_full_angle(full_angle(a, b, c, d), full_angle(p, q, u, v))

    def text(self, args):
        a, b, c, d, p, q, u, v = args
        return f"∠({a}{b},{c}{d}) = ∠({p}{q},{u}{v})"

    def variants(self, args):
        return quad_variants(args)

    def drawn(self, points):
        return paired(points), []

    def drawn_angles(self, points):
        a, b, c, d, p, q, u, v = points
        return [((a, b), (c, d)), ((p, q), (u, v))]

    def figure_lines(self, args):
        return paired(args)

    def equations(self, args, eq):
        """Equal directed angles, and so equal sines (``ProofState.sines``): of ∠(ab,cd) and
        ∠(pq,uv), and of ∠(ab,pq) and ∠(cd,uv), the same statement with the means exchanged
        (the canonical spelling may have exchanged them); none for angles between parallel
        lines."""
        a, b, c, d, p, q, u, v = args
        return [eq.angle([((c, d), 1), ((a, b), -1), ((u, v), -1), ((p, q), 1)], ZERO),
                eq.sines([], [((a, b), (c, d), 1), ((p, q), (u, v), -1)]),
                eq.sines([], [((a, b), (p, q), 1), ((c, d), (u, v), -1)])]


class EqAngle6(EqAngle):
    """The rule table's spelling of eqangle with shared points; stored as eqangle."""

    __slots__ = ()
    pred = Pred.EQANGLE6
    goal = False  # a spelling the rule table uses, not a goal

    @property
    def stored(self) -> Predicate:
        return EQANGLE


class AConst(ARPredicate):
    """``aconst A B C D y``: the directed angle from line AB to line CD is y degrees (mod 180)."""

    __slots__ = ()
    pred = Pred.ACONST
    goal = True
    arity = 5
    numeric_args = 1

    def check(self, ps, consts=()):
        a, b, c, d = ps[:4]
        return same_full_angle(full_angle(a, b, c, d), math.radians(float(consts[0])))

    def text(self, args):
        a, b, c, d, y = args
        return f"∠({a}{b},{c}{d}) = {y}°"

    def drawn(self, points):
        return paired(points), []

    def drawn_angles(self, points):
        a, b, c, d = points
        return [((a, b), (c, d))]

    def equations(self, args, eq):
        """The directed angle, and its sine where that is a product of powers of primes
        and their square roots (30°, 45°, 60°, 90° and their supplements)."""
        a, b, c, d, y = args
        out = [eq.angle([((c, d), 1), ((a, b), -1)], -Fraction(y) / 180)]
        k = Fraction(y)
        if k.denominator == 1 and int(k) % 180 in SINE_DEGREES:
            out.append(eq.sines([], [((a, b), (c, d), 1)], int(k)))
        return out


class SAngle(Predicate):
    """``s_angle A B X y``: the directed angle from line BA to line BX is y degrees (mod 180);
    stored as ``aconst B A B X y``."""

    __slots__ = ()
    pred = Pred.SANGLE
    arity = 4
    numeric_args = 1

    @property
    def stored(self) -> Predicate:
        return ACONST

    def resolve(self, args: Args) -> tuple[Predicate, Args]:
        if len(args) == 4:
            a, b, x, y = args
            return ACONST, (b, a, b, x, y)
        return ACONST, args

    def check(self, ps, consts=()):
        a, b, x = ps[:3]
        target = math.radians(float(consts[0]))
        return same_full_angle(full_angle(b, a, b, x), target)

    def text(self, args):
        return f"∠({args[1]}{args[0]},{args[1]}{args[2]}) = {args[3]}°"

    def drawn(self, points):
        a, b, x = points
        return [(b, a), (b, x)], []

    def drawn_angles(self, points):
        a, b, x = points
        return [((b, a), (b, x))]


EQANGLE, EQANGLE6, ACONST, SANGLE = EqAngle(), EqAngle6(), AConst(), SAngle()
