"""Triangles: similar and congruent, in the same orientation, reflected, or either."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from ..facts import Fact
from .angles import EQANGLE
from .base import Args, Drawn, Pred, Predicate, Segment
from .lengths import CONG, EQRATIO
from .measure import Vec, close, length, orientation


def _tri_canonical(args: Args) -> Args:
    """The least of the twelve spellings of a triangle pair: either triangle first, its
    vertices in any order (the other's matching). Written out: the deduction loop
    canonicalises every triangle instance it tries (``_tri_canonical_spelled`` is the
    same, spelled as a loop)."""
    a, b, c, p, q, r = args
    return min((a, b, c, p, q, r), (p, q, r, a, b, c), (b, c, a, q, r, p),
               (q, r, p, b, c, a), (c, a, b, r, p, q), (r, p, q, c, a, b),
               (a, c, b, p, r, q), (p, r, q, a, c, b), (c, b, a, r, q, p),
               (r, q, p, c, b, a), (b, a, c, q, p, r), (q, p, r, b, a, c))


def _tri_canonical_spelled(args: Args) -> Args:
    t1, t2 = args[:3], args[3:]
    perms = [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2)]
    forms = []
    for p in perms:
        a = tuple(t1[i] for i in p)
        b = tuple(t2[i] for i in p)
        forms += [a + b, b + a]
    return min(forms)


def _similar(ps: Sequence[Vec], reflected: bool | None, congruent: bool) -> bool:
    a, b, c, p, q, r = ps
    o1, o2 = orientation(a, b, c), orientation(p, q, r)
    if o1 == 0 or o2 == 0:
        return False
    if reflected is True and o1 == o2:
        return False
    if reflected is False and o1 != o2:
        return False
    ab, bc, ca, pq, qr, rp = _sides(ps)
    if not (close(ab * qr, bc * pq) and close(bc * rp, ca * qr)):
        return False
    return close(ab, pq) if congruent else True


_NEXT = np.array([1, 2, 0, 4, 5, 3])
# (predicate, arguments) -> its parts (``SimTri.unfold``)
_PARTS: dict[tuple[Predicate, Args], tuple[Fact, ...]] = {}


def _sides(ps: Sequence[Vec]) -> list[float]:
    """``length`` of ab, bc, ca, pq, qr, rp for ``ps`` = a, b, c, p, q, r, in one go: the same
    differences and the same ``np.hypot``, elementwise (``_sides_spelled``)."""
    xy = np.array(ps, dtype=np.float64)
    d = xy[_NEXT] - xy
    return np.hypot(d[:, 0], d[:, 1]).tolist()


def _sides_spelled(ps: Sequence[Vec]) -> list[float]:
    a, b, c, p, q, r = ps
    return [length(a, b), length(b, c), length(c, a), length(p, q), length(q, r), length(r, p)]


class SimTri(Predicate):
    """Similar triangles with the same orientation."""

    __slots__ = ()
    pred = Pred.SIMTRI
    goal = True
    arity = 6
    reflected: ClassVar[bool | None] = False
    congruent: ClassVar[bool] = False
    known_by_parts = True

    def canonical(self, args: Args) -> Args:
        return _tri_canonical(args)

    def degenerate(self, args: Args) -> bool:
        return len(set(args[:3])) < 3 or len(set(args[3:])) < 3 or args[:3] == args[3:]

    def unfold(self, args: Args) -> list[Fact]:
        """Equal angles at matching vertices (mirrored when reflected), two equal ratios of
        matching sides, and for congruent triangles equal matching sides. An either-
        orientation statement has no parts: it is stored as one of its ``cases``. (Memoised:
        deduction asks for the parts of a triangle pair at every rule concluding it.)"""
        key = (self, args)
        found = _PARTS.get(key)
        if found is None:
            if len(_PARTS) > 1 << 16:
                _PARTS.clear()
            found = _PARTS[key] = tuple(self.unfold_once(args))
        return list(found)

    def unfold_once(self, args: Args) -> list[Fact]:
        if self.reflected is None:
            return []
        x, y, z, p, q, r = args
        refl = self.reflected

        def ang(u, v, w, s, t, k):  # angle at v between vu, vw ~ angle at t
            return Fact.make(EQANGLE, (v, u, v, w, t, s, t, k) if not refl
                             else (v, u, v, w, t, k, t, s))
        out = [ang(x, y, z, p, q, r), ang(y, z, x, q, r, p), ang(z, x, y, r, p, q),
               Fact.make(EQRATIO, (x, y, p, q, y, z, q, r)),
               Fact.make(EQRATIO, (y, z, q, r, z, x, r, p))]
        if self.congruent:
            out += [Fact.make(CONG, (x, y, p, q)), Fact.make(CONG, (y, z, q, r)),
                    Fact.make(CONG, (z, x, r, p))]
        return out

    def check(self, ps, consts=()):
        return _similar(ps, self.reflected, self.congruent)

    def text(self, args):
        word = "congruent" if self.congruent else "similar"
        how = {False: " (same orientation)", True: " (reflected)", None: ""}[self.reflected]
        return f"△{''.join(args[:3])} {word} to △{''.join(args[3:])}{how}"

    def drawn(self, points: Args) -> Drawn:
        segs: list[Segment] = []
        for t in (points[:3], points[3:]):
            segs += [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])]
        return segs, []


class SimTri2(SimTri):
    __slots__ = ()
    pred = Pred.SIMTRI2
    goal = True
    reflected = True


class SimTriAny(SimTri):
    __slots__ = ()
    pred = Pred.SIMTRI_ANY
    goal = False  # a spelling the rule table uses, not a goal
    reflected = None


class ConTri(SimTri):
    __slots__ = ()
    pred = Pred.CONTRI
    goal = True
    congruent = True


class ConTri2(SimTri):
    __slots__ = ()
    pred = Pred.CONTRI2
    goal = True
    reflected = True
    congruent = True


class ConTriAny(SimTri):
    __slots__ = ()
    pred = Pred.CONTRI_ANY
    goal = False  # a spelling the rule table uses, not a goal
    reflected = None
    congruent = True


SIMTRI, SIMTRI2, SIMTRI_ANY = SimTri(), SimTri2(), SimTriAny()
CONTRI, CONTRI2, CONTRI_ANY = ConTri(), ConTri2(), ConTriAny()
SimTriAny.cases = (SIMTRI, SIMTRI2)
ConTriAny.cases = (CONTRI, CONTRI2)
# AG1's goal files state `simtri`/`contri` for similar/congruent triangles in either
# orientation (2011CTSTp10 of HAGeo-409 is reflected); `simtri2`/`contri2` are reflected only.
SimTri.goal_cases = (SIMTRI, SIMTRI2)
ConTri.goal_cases = (CONTRI, CONTRI2)
SimTri2.goal_cases = ConTri2.goal_cases = SimTriAny.goal_cases = ConTriAny.goal_cases = ()
