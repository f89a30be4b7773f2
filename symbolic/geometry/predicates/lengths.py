"""Lengths: equal segments, equal and constant ratios, midpoints, Thales ratios."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

from ..facts import Fact
from .base import (
    Args,
    ARPredicate,
    Pred,
    Predicate,
    SegmentPair,
    paired,
    quad_canonical,
    quad_variants,
    zero_segment,
)
from .lines import COLL
from .measure import TOL, close, length


class Cong(SegmentPair):
    __slots__ = ()
    pred = Pred.CONG
    goal = True

    def check(self, ps, consts=()):
        a, b, c, d = ps
        return close(length(a, b), length(c, d))

    def text(self, args):
        a, b, c, d = args
        return f"{a}{b} = {c}{d}"

    def equations(self, args, eq):
        a, b, c, d = args
        return [eq.ratio([((a, b), 1), ((c, d), -1)]), eq.dist([((a, b), 1), ((c, d), -1)]),
                eq.squared([((a, b), 1), ((c, d), -1)])]


class EqRatio(ARPredicate):
    """``eqratio A B C D P Q U V``: AB/CD = PQ/UV."""

    __slots__ = ()
    pred = Pred.EQRATIO
    goal = True
    arity = 8

    def canonical(self, args: Args) -> Args:
        return quad_canonical(args)

    def degenerate(self, args: Args) -> bool:
        return zero_segment(args)

    def check(self, ps, consts=()):
        a, b, c, d, p, q, u, v = ps
        return close(length(a, b) * length(u, v), length(c, d) * length(p, q))

    def text(self, args):
        a, b, c, d, p, q, u, v = args
        return f"{a}{b}:{c}{d} = {p}{q}:{u}{v}"

    def variants(self, args):
        return quad_variants(args)

    def drawn(self, points):
        return paired(points), []

    def equations(self, args, eq):
        a, b, c, d, p, q, u, v = args
        return [eq.ratio([((a, b), 1), ((c, d), -1), ((p, q), -1), ((u, v), 1)])]


class EqRatio6(EqRatio):
    """The rule table's spelling of eqratio with shared points; stored as eqratio."""

    __slots__ = ()
    pred = Pred.EQRATIO6
    goal = False  # a spelling the rule table uses, not a goal

    @property
    def stored(self) -> Predicate:
        return EQRATIO


class EqRatio3(Predicate):
    """``eqratio3 A B C D O O``: AB ∥ CD cut by lines through O (Thales): OA/OC = OB/OD."""

    __slots__ = ()
    pred = Pred.EQRATIO3
    arity = 6
    known_by_parts = True
    replay_checked = False  # as before: the ratios it unfolds into are the steps re-checked

    def check(self, ps, consts=()):
        a, b, c, d, m, n = ps
        return close(length(m, a) * length(n, d), length(m, c) * length(n, b))

    def text(self, args):
        """Every ratio it asserts (its ``unfold``), so that a step citing one reads."""
        x, y, z, w, m, n = args
        first = f"{m}{x}:{m}{z} = {n}{y}:{n}{w}" + (f" = {x}{y}:{z}{w}" if m == n else "")
        return f"{first}, {m}{x}:{x}{z} = {n}{y}:{y}{w}, {m}{z}:{x}{z} = {n}{w}:{y}{w}"

    def drawn(self, points):
        a, b, c, d, m, n = points
        return [(m, a, c), (n, b, d), (a, b), (c, d)], []

    def unfold(self, args: Args) -> list[Fact]:
        """xy ∥ zw, lines through m = n: mx/mz = ny/nw = xy/zw."""
        x, y, z, w, m, n = args
        out = [Fact.make(EQRATIO, (m, x, m, z, n, y, n, w)),
               Fact.make(EQRATIO, (m, x, x, z, n, y, y, w)),
               Fact.make(EQRATIO, (m, z, x, z, n, w, y, w))]
        if m == n:
            out.append(Fact.make(EQRATIO, (m, x, m, z, x, y, z, w)))
        return out

    def derive(self, state, fact):
        return state.derive_parts(fact)


class RConst(ARPredicate):
    """``rconst A B C D p q``: AB : CD = p : q."""

    __slots__ = ()
    pred = Pred.RCONST
    goal = True
    arity = 6
    numeric_args = 2

    def check(self, ps, consts=()):
        a, b, c, d = ps[:4]
        p, q = float(consts[0]), float(consts[1])
        return close(length(a, b) * q, length(c, d) * p)

    def text(self, args):
        a, b, c, d, p, q = args
        return f"{a}{b}:{c}{d} = {p}:{q}"

    def drawn(self, points):
        return paired(points), []

    def equations(self, args, eq):
        a, b, c, d, p, q = args
        k = Fraction(int(p), int(q))
        return [eq.ratio([((a, b), 1), ((c, d), -1)], k),
                eq.dist([((a, b), k.denominator), ((c, d), -k.numerator)]),
                eq.squared([((a, b), k.denominator ** 2), ((c, d), -k.numerator ** 2)])]


class Midp(Predicate):
    """``midp M A B``: M is the midpoint of AB."""

    __slots__ = ()
    pred = Pred.MIDP
    goal = True
    arity = 3
    needed_parts = 2  # collinear and equidistant: the 1:2 ratio follows
    equations_read_all_points = True

    def canonical(self, args: Args) -> Args:
        return (args[0],) + tuple(sorted(args[1:]))

    def degenerate(self, args: Args) -> bool:
        return len(set(args)) < 3

    def unfold(self, args: Args) -> list[Fact]:
        """M, A, B collinear; MA = MB; MA : AB = 1 : 2."""
        m, x, y = args
        return [Fact.make(COLL, (m, x, y)), Fact.make(CONG, (m, x, m, y)),
                Fact.make(RCONST, (m, x, x, y, "1", "2"))]

    def check(self, ps, consts=()):
        m, a, b = ps
        return length(m, (a + b) / 2) < TOL * max(1.0, length(a, b))

    def text(self, args):
        return f"{args[0]} is the midpoint of {args[1]}{args[2]}"

    def drawn(self, points):
        m, a, b = points
        return [(a, m, b)], []

    def figure_lines(self, args):
        return list(combinations(args, 2))

    def equations(self, args, eq):
        """The median's length (Apollonius), for every other point x of the diagram:
        2|xa|² + 2|xb|² = 4|xm|² + |ab|²."""
        return self.medians(args, eq, sorted(eq.coords))

    def medians(self, args, eq, points):
        """``equations`` for the points x of ``points`` only (a diagram's new points)."""
        m, a, b = args
        if "squared" not in eq.enabled:  # one equation per point of the diagram: skip them
            return []
        return [eq.squared([((x, a), 2), ((x, b), 2), ((x, m), -4), ((a, b), -1)])
                for x in points if x not in args]

    def derive(self, state, fact):
        return state.derive_parts(fact)


CONG, EQRATIO, EQRATIO6, EQRATIO3 = Cong(), EqRatio(), EqRatio6(), EqRatio3()
RCONST, MIDP = RConst(), Midp()


# The triangle's vertices with their feet (A, D), (B, E), (C, F), in every order: the same
# product of ratios (reversing the cycle inverts it, still 1).
_MEN_ORDERS = [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2)]


class Menelaus(ARPredicate):
    """``menelaus A B C D E F``: D, E, F on the side lines BC, CA, AB of triangle ABC (none
    a vertex) with AF·BD·CE = FB·DC·EA (lengths): a transversal DEF (Menelaus) or concurrent
    cevians AD, BE, CF (Ceva). In the ratio table: l(AF) − l(FB) + l(BD) − l(DC) + l(CE) −
    l(EA) = 0, the six-segment relation no four-segment eqratio states."""

    __slots__ = ()
    pred = Pred.MENELAUS
    goal = True
    arity = 6

    def canonical(self, args: Args) -> Args:
        pairs = [(args[0], args[3]), (args[1], args[4]), (args[2], args[5])]
        best = min(tuple(pairs[i] for i in o) for o in _MEN_ORDERS)
        return tuple(v for v, _ in best) + tuple(f for _, f in best)

    def degenerate(self, args: Args) -> bool:
        a, b, c, d, e, f = args
        return len({a, b, c}) < 3 or d in (b, c) or e in (c, a) or f in (a, b)

    def check(self, ps, consts=()):
        a, b, c, d, e, f = ps
        return close(length(a, f) * length(b, d) * length(c, e),
                     length(f, b) * length(d, c) * length(e, a))

    def text(self, args):
        a, b, c, d, e, f = args
        return f"{a}{f}·{b}{d}·{c}{e} = {f}{b}·{d}{c}·{e}{a}"

    def variants(self, args):
        pairs = [(args[0], args[3]), (args[1], args[4]), (args[2], args[5])]
        for o in _MEN_ORDERS:
            yield tuple(pairs[i][0] for i in o) + tuple(pairs[i][1] for i in o)

    def drawn(self, points):
        a, b, c, d, e, f = points
        return [(b, c, d), (c, a, e), (a, b, f)], []

    def figure_lines(self, args):
        a, b, c, d, e, f = args
        return [(b, c), (c, a), (a, b)]

    def equations(self, args, eq):
        a, b, c, d, e, f = args
        return [eq.ratio([((a, f), 1), ((f, b), -1), ((b, d), 1), ((d, c), -1), ((c, e), 1),
                          ((e, a), -1)])]


MENELAUS = Menelaus()
