"""Lines: collinear points, parallel and perpendicular lines."""

from __future__ import annotations

from itertools import combinations, permutations

from .base import HALF, ZERO, Args, Pred, Predicate, SegmentPair
from .measure import TOL, is_coll, unit, unit_between


class Coll(Predicate):
    __slots__ = ()
    pred = Pred.COLL
    goal = True
    min_arity = 3

    def canonical(self, args: Args) -> Args:
        return tuple(sorted(set(args)))

    def degenerate(self, args: Args) -> bool:
        return len(set(args)) < 3

    def check(self, ps, consts=()):
        return is_coll(ps)

    def text(self, args):
        return ", ".join(args) + " are collinear"

    def variants(self, args):
        yield from permutations(args)

    def drawn(self, points):
        return [tuple(points)], []

    def figure_lines(self, args):
        return list(combinations(sorted(set(args)), 2))

    def equations(self, args, eq):
        """Every pair of its points has the direction of the first pair; lengths along the
        line add up."""
        pts = sorted(set(args))
        ref = (pts[0], pts[1])
        out = [eq.angle([(pair, 1), (ref, -1)], ZERO)
               for pair in combinations(pts, 2) if pair != ref]
        return out + eq.additivity(pts)

    def on_add(self, state, fact):
        state.merge_line(fact)

    def derive(self, state, fact):
        return state.derive_line(fact)

    def may_follow(self, state, fact):
        pts = frozenset(fact.args)
        return len(pts) < 3 or state.line_through_all(pts) is not None


class Para(SegmentPair):
    __slots__ = ()
    pred = Pred.PARA
    goal = True

    def check(self, ps, consts=()):
        a, b, c, d = ps
        (ux, uy), (vx, vy) = unit_between(a, b), unit_between(c, d)
        return abs(ux * vy - uy * vx) < TOL  # ``cross(unit(b - a), unit(d - c))``

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} ∥ {c}{d}"

    def equations(self, args, eq):
        a, b, c, d = args
        return [eq.angle([((a, b), 1), ((c, d), -1)], ZERO)]


class Perp(SegmentPair):
    __slots__ = ()
    pred = Pred.PERP
    goal = True

    def check(self, ps, consts=()):
        a, b, c, d = ps
        return abs(float(unit(b - a) @ unit(d - c))) < TOL

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} ⊥ {c}{d}"

    def drawn_angles(self, points):
        a, b, c, d = points
        return [((a, b), (c, d))]

    def equations(self, args, eq):
        """ab ⊥ cd: the directions differ by pi/2, |ac|² + |bd|² = |ad|² + |bc|², and
        |sin ∠(ab,cd)| = 1 (the law of sines' variable, ``ProofState.sines``)."""
        a, b, c, d = args
        return [eq.angle([((a, b), 1), ((c, d), -1)], HALF),
                eq.squared([((a, c), 1), ((b, d), 1), ((a, d), -1), ((b, c), -1)]),
                eq.sines([], [((a, b), (c, d), 1)], 90)]


COLL, PARA, PERP = Coll(), Para(), Perp()
