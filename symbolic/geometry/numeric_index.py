"""Numeric structure of a diagram, computed once: lines, circles, equal lengths, midpoints,
similar triangles. Rule matchers draw their candidates from here; every candidate is then
checked symbolically, so the index may over-approximate but never decides truth.

An index can extend its parent's (``NumericIndex(coords, parent)``): for a diagram that keeps
every point of the parent's where it is and adds new ones (an auxiliary construction). It
holds the whole structure of its diagram, reusing what the parent found, and says which
points are new (``fresh``): a static matcher run on it proposes only the instances that
involve a new point, the parent's being already tried in the parent's closure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple, TypeVar

import numpy as np

from ..deadline import check
from . import kernels

TOL = 1e-6
T = TypeVar("T")
ANGLE_TOL = 1e-6
# sines of two angles taken as equal (``sine_groups``: what the angle table is then asked)
SINE_TOL = 1e-9
SINE_CONSTANTS = (1.0, 0.5, 0.5 ** 0.5, 0.75 ** 0.5)  # sin 90°, 30°, 45°, 60°
Tri = tuple[str, str, str]
PERMS = ((0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2))
NEAR = ((0, 1), (1, -1), (1, 0), (1, 1))  # the neighbouring buckets after one
AROUND = tuple((d1, d2) for d1 in (-1, 0, 1) for d2 in (-1, 0, 1))  # a bucket and all around


def _code(k1, k2):
    """A triangle's bucket ``(k1, k2)`` (its two smallest angles times 1e4, truncated) as
    one integer (numbers or arrays), a neighbouring bucket's offset likewise: ``k2`` is
    under pi * 1e4 < 2 ** 16, so distinct buckets and the neighbours of real buckets have
    distinct codes."""
    return k1 * (1 << 16) + k2


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(n, 1)``: the pairs i < j of n points in ``combinations`` order."""
    rows = kernels.combination_rows(n, 2)
    return rows[:, 0], rows[:, 1]


class _Triangles(NamedTuple):
    """One index's triangles (``NumericIndex._indexed_triangles``)."""

    rows: np.ndarray  # (m, 3) positions in ``names``
    angles: np.ndarray  # (m, 3) interior angles at the three vertices
    codes: np.ndarray  # (m,) bucket codes, in row order
    order: np.ndarray  # the rows by code, a bucket's in row order
    ranked: np.ndarray  # ``codes[order]``
    every: np.ndarray  # the sorted codes of this index's triangles and its ancestors'


@lru_cache(maxsize=8)
def _ratios(max_term: int) -> tuple[tuple[Fraction, float], ...]:
    """The fractions p / q, 1 <= p <= q <= ``max_term``, in lowest terms and increasing,
    each with log(q / p): ``rational_ratios``' shift from log|ab| to log|cd|."""
    wanted = sorted({Fraction(p, q) for q in range(1, max_term + 1) for p in range(1, q + 1)})
    return tuple((fr, math.log(fr.denominator / fr.numerator)) for fr in wanted)


def cluster(values: Sequence[tuple[float, T]], tol: float = TOL) -> list[list[T]]:
    """Group items whose values agree within ``tol`` (relative); groups of size >= 2."""
    ordered = sorted(values, key=lambda t: t[0])
    groups: list[list[T]] = []
    cur: list[T] = []
    last = None
    for v, item in ordered:
        if last is not None and abs(v - last) <= tol * max(1.0, abs(v)):
            cur.append(item)
        else:
            if len(cur) >= 2:
                groups.append(cur)
            cur = [item]
        last = v
    if len(cur) >= 2:
        groups.append(cur)
    return groups


class NumericIndex:
    """Numerically true structure of one diagram (names sorted for determinism)."""

    def __init__(self, coords: dict[str, np.ndarray], parent: NumericIndex | None = None
                 ) -> None:
        self.coords = coords
        self.names = sorted(coords)
        self.parent = parent
        # the points the parent lacks (None: no parent, every point is new)
        self.fresh = None if parent is None else frozenset(coords) - frozenset(parent.coords)
        self.pos = {p: i for i, p in enumerate(self.names)}
        self._new: np.ndarray | None = None  # ``new_points``
        self.xy = np.array([coords[p] for p in self.names], dtype=np.float64).reshape(-1, 2)
        dist, ang = kernels.pair_tables(self.xy)
        self._ang = ang
        self._dist = dist
        self._far = dist >= TOL  # pairs of distinct points
        # the same as nested lists of Python floats and bools: read one pair at a time by
        # the numeric checks of the matchers (``_angle``), far faster than numpy scalars
        self._ang_rows: list[list[float]] = ang.tolist()
        self._far_rows: list[list[bool]] = self._far.tolist()
        n = self.names
        self.dist = {(a, b): v for a, row in zip(n, dist.tolist()) for b, v in zip(n, row)}
        self.lines = self._lines()
        self.on_line: dict[tuple[str, str], frozenset[str]] = {}
        for line in self.lines:
            for a, b in combinations(sorted(line), 2):
                self.on_line[(a, b)] = line
        self.circles = self._circles()
        self.equidistant = self._equidistant()
        self.midpoints = self._midpoints()
        self._similar: list[tuple[tuple[str, ...], tuple[str, ...]]] | None = None
        self._parallel: list[list[tuple[str, str]]] | None = None
        self._triangles: _Triangles | None = None
        self._perpendicular: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._together: np.ndarray | None = None
        self.cache: dict[str, list] = {}  # candidate lists of static matchers

    def is_new(self, p: str) -> bool:
        return self.fresh is None or p in self.fresh

    def new_points(self) -> np.ndarray:
        """``[i]``: point i (of ``names``) is new with this index (``is_new``: every point of
        an index without a parent), made once per diagram; callers must not change it (it
        stays writable: numba compiles read-only arrays as another type)."""
        if self._new is None:
            if self.fresh is None:
                new = np.ones(len(self.names), dtype=np.bool_)
            else:
                new = np.zeros(len(self.names), dtype=np.bool_)
                new[[self.pos[p] for p in self.fresh]] = True
            self._new = new
        return self._new

    def touches(self, pts: Iterable[str]) -> bool:
        """Whether a matcher's instance on these points is new with this index: one of
        them is new (always, for an index without a parent)."""
        return self.fresh is None or not self.fresh.isdisjoint(pts)

    def on_common_line(self) -> np.ndarray:
        """``[i, j]``: points i and j (of ``names``, distinct) lie on one of ``lines`` (made
        once per diagram; callers must not change it)."""
        if self._together is None:
            n, pos = len(self.names), self.pos
            together = np.zeros((n, n), dtype=np.bool_)
            if self.on_line:
                ij = np.array([(pos[a], pos[b]) for a, b in self.on_line], dtype=np.int64)
                together[ij[:, 0], ij[:, 1]] = together[ij[:, 1], ij[:, 0]] = True
            self._together = together
        return self._together

    def line(self, a: str, b: str) -> frozenset[str]:
        """All points numerically on line ab."""
        key = (a, b) if a < b else (b, a)
        return self.on_line.get(key, frozenset(key))

    def _lines(self) -> list[frozenset[str]]:
        if self.parent is not None:
            return self._extended_lines(self.parent)
        n, out, seen = len(self.names), [], set()
        for i, j in combinations(range(n), 2):
            if (i, j) in seen or self.dist[(self.names[i], self.names[j])] < TOL:
                continue
            pts = self._line_members(i, j)
            for x, y in combinations(pts, 2):
                seen.add((x, y))
            if len(pts) >= 3:
                out.append(frozenset(self.names[k] for k in pts))
        return out

    def _line_members(self, i: int, j: int) -> list[int]:
        """The points on line ij, read from its points i and j: i, j and every k apart
        from i (farther than ``TOL``) with line ik in the direction of line ij (within
        ``ANGLE_TOL``, either way round)."""
        d = np.abs(self._ang[i, j] - self._ang[i])
        on = (self._dist[i] > TOL) & (np.minimum(d, math.pi - d) < ANGLE_TOL)
        on[i] = on[j] = True
        return np.flatnonzero(on).tolist()  # type: ignore[no-any-return]

    def _extended_lines(self, parent: NumericIndex) -> list[frozenset[str]]:
        """``_lines`` from the parent's: the lines through a new point (each read from its
        first two points, as ``_lines`` does) and the parent's that no new point is on, in
        the order ``_lines`` gives."""
        assert self.fresh is not None
        n, found = len(self.names), set()
        ang, dist = self._ang, self._dist
        later = np.arange(n)[:, None] > np.arange(n)[None, :]  # later[j, i]: j after i
        for p in sorted(self.fresh):
            i = self.pos[p]
            # row j: ``_line_members(min(i, j), max(i, j))`` for every j at once, read from
            # i's row for a later j and from j's own row for an earlier one
            from_i = np.abs(ang[i][:, None] - ang[i][None, :])
            from_j = np.abs(ang[:, i][:, None] - ang)
            d = np.where(later[:, i, None], from_i, from_j)
            apart = np.where(later[:, i, None], dist[i][None, :], dist) > TOL
            on = apart & (np.minimum(d, math.pi - d) < ANGLE_TOL)
            on[:, i] = True
            on[np.arange(n), np.arange(n)] = True
            wanted = (dist[i] >= TOL) & (on.sum(axis=1) >= 3)
            wanted[i] = False
            for j in np.flatnonzero(wanted).tolist():
                first, second = np.flatnonzero(on[j])[:2].tolist()
                pts = self._line_members(first, second)
                if len(pts) >= 3:
                    found.add(frozenset(self.names[k] for k in pts))
        out = list(found)
        out += [line for line in parent.lines if not any(line < f for f in found)
                and line not in found]
        return sorted(out, key=lambda line: sorted(line)[:2])

    def _circles(self) -> list[frozenset[str]]:
        """The sets of four or more points on one circle: each triple's circle with the
        points on it, the first triple (in lexicographic order) of each set giving its
        place."""
        out: list[frozenset[str]] = []
        if len(self.names) < 4:
            return out
        if self.parent is not None:
            return self._extended_circles(self.parent)
        member = kernels.circles(self.xy, TOL)
        seen: set[frozenset[str]] = set()
        for row in member[member.sum(axis=1) >= 4]:
            pts = frozenset(self.names[k] for k in np.flatnonzero(row))
            if pts not in seen:
                seen.add(pts)
                out.append(pts)
        return out

    def _extended_circles(self, parent: NumericIndex) -> list[frozenset[str]]:
        """``_circles`` from the parent's: the circles of the triples with a new point and
        the parent's circles with the new points on them (each read from its first three
        points, as ``_circles`` reads it from the first triple on it), in the order
        ``_circles`` gives (by their points in name order)."""
        assert self.fresh is not None
        n, names, pos = len(self.names), self.names, self.pos
        new = self.new_points()
        i, j, k = kernels.triples(n)
        with_new = new[i] | new[j] | new[k]
        firsts = np.array([[pos[p] for p in sorted(c)[:3]] for c in parent.circles],
                          dtype=np.intp).reshape(-1, 3)
        member = kernels.circle_rows_np(
            self.xy, np.concatenate((firsts[:, 0], i[with_new])),
            np.concatenate((firsts[:, 1], j[with_new])),
            np.concatenate((firsts[:, 2], k[with_new])), TOL)
        found = {frozenset(names[m] for m in np.flatnonzero(row))
                 for row in member[member.sum(axis=1) >= 4]}
        return sorted(found, key=sorted)

    def _equidistant(self) -> dict[str, list[list[str]]]:
        """For each point O, the groups of other points at one distance from O: ``cluster``
        of the distances from O over the points apart from it, every row at once (a point
        not apart from O sorted last, at an infinite distance, joined to none)."""
        out: dict[str, list[list[str]]] = {}
        names = self.names
        if len(names) < 3:
            return out
        dist = np.where(self._dist > TOL, self._dist, np.inf)
        order = np.argsort(dist, axis=1, kind="stable")
        v = np.take_along_axis(dist, order, axis=1)
        with np.errstate(invalid="ignore"):  # inf - inf
            joined = np.abs(v[:, 1:] - v[:, :-1]) <= TOL * np.maximum(1.0, np.abs(v[:, 1:]))
        joined &= np.isfinite(v[:, 1:])
        for r in np.flatnonzero(joined.any(axis=1)).tolist():
            row, ranked = joined[r].tolist(), order[r].tolist()
            groups, cur = [], [names[ranked[0]]]
            for k, same in enumerate(row, start=1):
                if same:
                    cur.append(names[ranked[k]])
                else:
                    if len(cur) >= 2:
                        groups.append(sorted(cur))
                    cur = [names[ranked[k]]]
            if len(cur) >= 2:
                groups.append(sorted(cur))
            out[names[r]] = groups
        return out

    def _midpoints(self) -> list[tuple[str, str, str]]:
        """(m, a, b) with m the midpoint of ab, a before b, in the order of the pairs."""
        n = len(self.names)
        if n < 3:
            return []
        i, j = _pairs(n)
        mid = (self.xy[i] + self.xy[j]) / 2
        d = np.hypot(mid[:, None, 0] - self.xy[None, :, 0], mid[:, None, 1] - self.xy[None, :, 1])
        apart = np.hypot(*(self.xy[i] - self.xy[j]).T) >= TOL
        names = self.names
        return [(names[m], names[i[k]], names[j[k]])
                for k, m in zip(*np.nonzero((d < TOL) & apart[:, None]))]

    def right_angles(self) -> list[tuple[str, str, str]]:
        """(x, p, y) with xp ⊥ py, x before y: the right angles at named points, by p
        then by (x, y) in name order (worked out for all p at once)."""
        v = self.xy[None, :, :] - self.xy[:, None, :]  # v[k, i]: from point k to point i
        norm = np.hypot(v[..., 0], v[..., 1])
        ok = norm >= TOL
        u = v / np.where(ok, norm, 1.0)[..., None]
        cos = np.abs(u[:, :, None, 0] * u[:, None, :, 0] + u[:, :, None, 1] * u[:, None, :, 1])
        upper = np.triu(np.ones(cos.shape[1:], dtype=np.bool_), 1)
        found = (cos < TOL) & upper[None] & ok[:, :, None] & ok[:, None, :]
        names = self.names
        return [(names[a], names[k], names[b]) for k, a, b in zip(*np.nonzero(found))]

    def direction(self, a: str, b: str) -> float:
        """The direction of line ab in [0, pi)."""
        return float(self._ang[self.pos[a], self.pos[b]]) % math.pi

    def dots_from(self, p: str) -> np.ndarray:
        """``[i, j]``: the dot product of the vectors from ``p`` to points ``i`` and ``j`` (of
        ``names``), each as ``dx_i * dx_j + dy_i * dy_j``."""
        d = self.xy - self.xy[self.pos[p]]
        return d[:, 0, None] * d[None, :, 0] + d[:, 1, None] * d[None, :, 1]

    def _angle(self, a: str, b: str, c: str, d: str) -> float | None:
        """Angle between lines ab and cd in [0, pi/2], None if a segment is degenerate."""
        p = self.pos
        i, j, k, m = p[a], p[b], p[c], p[d]
        far = self._far_rows
        if not (far[i][j] and far[k][m]):
            return None
        ang = self._ang_rows
        x = abs(ang[i][j] - ang[k][m])
        return min(x, math.pi - x)

    def parallel_classes(self) -> list[list[tuple[str, str]]]:
        """Segments (both orders) grouped by direction; groups of two or more lines
        (computed once per diagram; callers must not change them)."""
        if self._parallel is None:
            self._parallel = self._parallel_classes()
        return self._parallel

    def _parallel_classes(self) -> list[list[tuple[str, str]]]:
        """``cluster`` of the segments (in ``combinations`` order) by direction, a direction
        near pi read as near 0, worked out for all segments at once."""
        i, j = np.nonzero(np.triu(self._far, 1))  # row-major: the order of combinations
        v = self._ang[i, j]
        v = np.where(v > math.pi - 1e-3, v - math.pi, v)
        order = np.argsort(v, kind="stable")  # sorted() is stable too
        v = v[order]
        # a new group where a value is further than tol (relative) from the one before
        cut = np.abs(np.diff(v)) > ANGLE_TOL * np.maximum(1.0, np.abs(v[1:]))
        starts = np.concatenate(([0], np.flatnonzero(cut) + 1, [len(v)]))
        names, si, sj = self.names, i[order].tolist(), j[order].tolist()
        out = []
        for lo, hi in zip(starts[:-1].tolist(), starts[1:].tolist()):
            if hi - lo >= 2:
                out.append([s for k in range(lo, hi)
                            for s in ((names[si[k]], names[sj[k]]),
                                      (names[sj[k]], names[si[k]]))])
        return out

    def perpendicular(self, a: str, b: str, c: str, d: str) -> bool:
        x = self._angle(a, b, c, d)
        return x is not None and abs(x - math.pi / 2) < ANGLE_TOL

    def perpendicular_segments(self, a: str, b: str) -> list[tuple[str, str]]:
        """The segments pq (p before q) of named points perpendicular to line ab (worked
        out once per line ab and diagram; callers must not change them)."""
        found = self._perpendicular.get((a, b))
        if found is None:
            i, j = self.pos[a], self.pos[b]
            d = np.abs(self._ang - self._ang[i, j]) % math.pi
            off = np.abs(d - math.pi / 2)
            p, q = _pairs(len(self.names))
            ok = (off[p, q] < ANGLE_TOL) & self._far[p, q]
            names = self.names
            found = [(names[x], names[y]) for x, y in zip(p[ok].tolist(), q[ok].tolist())]
            self._perpendicular[(a, b)] = found
        return found

    def parallel(self, a: str, b: str, c: str, d: str) -> bool:
        x = self._angle(a, b, c, d)
        return x is not None and x < ANGLE_TOL

    def collinear(self, *pts: str) -> bool:
        a = pts[0]
        others = [q for q in pts[1:] if self.dist[(a, q)] >= TOL]
        return all(self.parallel(a, others[0], a, q) for q in others[1:])

    def triangles(self, new_only: bool = False) -> list[tuple[str, str, str]]:
        """The non-degenerate triangles of named points, vertices in name order (in the
        order of ``combinations(names, 3)``); with ``new_only``, those with a point this
        index adds to its parent's (``touches``)."""
        names = self.names
        return [(names[a], names[b], names[c])
                for a, b, c in self._triangle_rows(new_only).tolist()]

    def _triangle_rows(self, new_only: bool = False) -> np.ndarray:
        """``triangles`` as rows of positions in ``names``: the triples i < j < k that
        ``collinear`` finds not collinear (j and k apart from i, lines ij and ik not
        parallel), worked out for all triples at once."""
        n = len(self.names)
        if n < 3:
            return np.zeros((0, 3), dtype=np.int64)
        check()
        i, j, k = kernels.triples(n)
        x = np.abs(self._ang[i, j] - self._ang[i, k])
        keep = self._far[i, j] & self._far[i, k] & ~(np.minimum(x, math.pi - x) < ANGLE_TOL)
        if new_only and self.fresh is not None:
            new = self.new_points()
            keep &= new[i] | new[j] | new[k]
        return np.stack([i[keep], j[keep], k[keep]], axis=1).astype(np.int64)

    def sine_groups(self) -> list[tuple[float, list[tuple[str, str, str]]]]:
        """The angles of the triangles of named points, (vertex, one end, the other) with
        the ends in name order, grouped by their sine on the diagram (to ``SINE_TOL``):
        (sine, angles) by increasing sine, each group's angles in the order of
        ``triangles``; only groups of two or more angles, and single angles whose sine
        may be a constant's (1, 1/2, √2/2, √3/2)."""
        rows = self._triangle_rows()
        if not len(rows):
            return []
        check()
        i, j, k = rows[:, 0], rows[:, 1], rows[:, 2]
        at = np.concatenate([np.stack(t, axis=1) for t in ((i, j, k), (j, i, k), (k, i, j))])
        v, x, y = at[:, 0], at[:, 1], at[:, 2]
        sines = np.abs(np.sin(self._ang[v, y] - self._ang[v, x]))
        order = np.argsort(sines, kind="stable")
        ranked = sines[order]
        cuts = np.nonzero(np.diff(ranked) > SINE_TOL)[0] + 1
        names = self.names
        out = []
        for members in np.split(order, cuts):
            value = float(sines[members[0]])
            if len(members) < 2 and not any(abs(value - c) < SINE_TOL for c in SINE_CONSTANTS):
                continue
            members = np.sort(members)
            out.append((value, [(names[a], names[b], names[c])
                                for a, b, c in at[members].tolist()]))
        return out

    def similar_pairs(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Pairs of numerically similar triangles with matching vertex order (either
        orientation), each unordered pair of distinct triangles once per correspondence,
        and an equilateral triangle with itself under each other correspondence.
        Computed once per diagram."""
        if self._similar is None:
            self._similar = self._similar_pairs()
        return self._similar

    def _indexed_triangles(self) -> _Triangles:
        """The triangles with a new vertex (all, without a parent) as rows of positions in
        ``names``, their interior angles and bucket codes (``_code``), with
        the codes of this index and its ancestors' sorted (computed once per diagram)."""
        if self._triangles is None:
            if self.parent is not None:
                self.parent._indexed_triangles()
            rows = self._triangle_rows(new_only=self.parent is not None)
            if len(rows):
                angles = kernels.triangle_angles(self.xy, rows)
                check()
                s = np.sort(angles, axis=1)  # the bucket of every row
                codes = _code((s[:, 0] * 1e4).astype(np.int64), (s[:, 1] * 1e4).astype(np.int64))
            else:
                angles, codes = np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
            order = np.argsort(codes, kind="stable")  # a bucket's rows stay in row order
            ranked = codes[order]
            if self.parent is None:
                every = ranked
            else:  # the ancestors' codes with these merged in
                up = self.parent._indexed_triangles().every
                every = np.insert(up, np.searchsorted(up, ranked), ranked)
            self._triangles = _Triangles(rows, angles, codes, order, ranked, every)
        return self._triangles

    def _bucket_members(self, code: int) -> list[tuple[Tri, list[float], bool]]:
        """The triangles of one bucket with their angles and whether they are this index's:
        this index's new ones, then its ancestors' (whose triangles are indexed before this
        one's), each index's in its own order."""
        out: list[tuple[Tri, list[float], bool]] = []
        ix: NumericIndex | None = self
        while ix is not None:
            tri = ix._indexed_triangles()
            lo, hi = np.searchsorted(tri.ranked, [code, code + 1]).tolist()
            names, own = ix.names, ix is self
            for r in tri.order[lo:hi].tolist():
                a, b, c = tri.rows[r].tolist()
                out.append(((names[a], names[b], names[c]), tri.angles[r].tolist(), own))
            ix = ix.parent
        return out

    def _similar_pairs(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Triangles bucketed by their two smallest angles; each pair of triangles in one
        bucket or in neighbouring ones is compared once, the first being the earlier one (in
        the earlier bucket, or first in name order in one bucket). With a parent: only the
        pairs with a new triangle (the parent has the others)."""
        tri = self._indexed_triangles()
        names = self.names
        out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

        def compare(t1: Tri, a1: list[float], t2: Tri, a2: list[float]) -> None:
            for perm in PERMS[1:] if t1 == t2 else PERMS:
                if all(abs(a1[i] - a2[j]) < 1e-6 for i, j in enumerate(perm)):
                    out.append((t1, tuple(t2[j] for j in perm)))

        def named(r: int) -> Tri:
            a, b, c = tri.rows[r].tolist()
            return names[a], names[b], names[c]

        # an equilateral triangle and its own turns and mirrors (an isosceles one's mirror
        # adds nothing r13 and r14 do not, at a cost)
        ang = tri.angles
        equilateral = (np.abs(ang[:, 0] - ang[:, 1]) < 1e-6) & (np.abs(ang[:, 1] - ang[:, 2])
                                                                 < 1e-6)
        for r in np.flatnonzero(equilateral).tolist():
            a = ang[r].tolist()
            compare(named(r), a, named(r), a)
        if self.parent is None:
            tris = [named(r) for r in range(len(tri.rows))]
            angle_of = dict(zip(tris, ang.tolist()))
            buckets: dict[int, list[Tri]] = {}
            for t, code in zip(tris, tri.codes.tolist()):
                buckets.setdefault(code, []).append(t)
            for code, group in buckets.items():
                near = [t for d in NEAR for t in buckets.get(code + _code(*d), ())]
                for i, t1 in enumerate(group):
                    check()
                    for t2 in group[i + 1:] + near:
                        compare(t1, angle_of[t1], t2, angle_of[t2])
            return out
        # which buckets around each new triangle hold another triangle, here or in an
        # ancestor: all at once (few do), then those one by one
        around = tri.codes[:, None] + np.array([_code(*d) for d in AROUND])[None, :]
        held = (np.searchsorted(tri.every, around, side="right")
                - np.searchsorted(tri.every, around, side="left"))
        held[:, AROUND.index((0, 0))] -= 1  # the triangle itself
        for r in np.flatnonzero((held > 0).any(axis=1)).tolist():
            check()
            t, at = named(r), ang[r].tolist()
            for k in np.flatnonzero(held[r] > 0).tolist():
                d = AROUND[k]
                for u, au, own in self._bucket_members(int(around[r, k])):
                    if u == t:
                        continue
                    if d == (0, 0):
                        t_first = t < u
                    else:
                        t_first = d > (0, 0)
                    if t_first:
                        compare(t, at, u, au)
                    elif not own:  # two new triangles: compared from the first one
                        compare(u, au, t, at)
        return out

    def rational_ratios(self, max_term: int = 4) -> list[tuple[str, str, str, str, int, int]]:
        """Pairs of segments ab, cd with |ab| : |cd| = p : q for small p <= q (lowest
        terms, each pair once); p = q = 1 means equal lengths."""
        segs = [(a, b) for a, b in combinations(self.names, 2) if self.dist[(a, b)] > TOL]
        logs = sorted((math.log(self.dist[s]), s) for s in segs)
        values = [v for v, _ in logs]
        out = []
        logged = np.array(values)
        ratios = _ratios(max_term)
        # for each fraction and ab, the range of cd: bisect_left / bisect_right of every
        # value for every fraction at once; for 1 : 1 it holds ab itself, which is skipped
        shifted = logged[None, :] + np.array([shift for _, shift in ratios])[:, None]
        every_lo = np.searchsorted(logged, shifted - 1e-7, side="left")
        every_hi = np.searchsorted(logged, shifted + 1e-7, side="right")
        for (fr, _), los, his in zip(ratios, every_lo, every_hi):
            for k in np.flatnonzero(his - los > (fr == 1)).tolist():
                (a, b), lo, hi = logs[k][1], los[k], his[k]
                for _, (c, d) in logs[lo:hi]:
                    if (a, b) == (c, d) or (fr == 1 and (c, d) < (a, b)):
                        continue
                    out.append((a, b, c, d, fr.numerator, fr.denominator))
        return out
