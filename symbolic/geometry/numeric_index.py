"""Numeric structure of a diagram, computed once: lines, circles, equal lengths, midpoints,
similar triangles. Rule matchers draw their candidates from here; every candidate is then
checked symbolically, so the index may over-approximate but never decides truth."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from fractions import Fraction
from itertools import combinations

import numpy as np

from . import predicates as P

TOL = 1e-6


def cluster(values: list[tuple[float, object]], tol: float = TOL) -> list[list[object]]:
    """Group items whose values agree within ``tol`` (relative); groups of size >= 2."""
    values = sorted(values, key=lambda t: t[0])
    groups: list[list[object]] = []
    cur: list[object] = []
    last = None
    for v, item in values:
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

    def __init__(self, coords: dict[str, np.ndarray]) -> None:
        self.coords = coords
        self.names = sorted(coords)
        n = self.names
        self.dist = {(a, b): P.length(coords[a], coords[b]) for a in n for b in n}
        self.lines = self._lines()
        self.on_line: dict[tuple[str, str], frozenset[str]] = {}
        for line in self.lines:
            for a, b in combinations(sorted(line), 2):
                self.on_line[(a, b)] = line
        self.circles = self._circles()
        self.equidistant = self._equidistant()
        self.midpoints = self._midpoints()

    def line(self, a: str, b: str) -> frozenset[str]:
        """All points numerically on line ab."""
        key = (a, b) if a < b else (b, a)
        return self.on_line.get(key, frozenset(key))

    def _lines(self) -> list[frozenset[str]]:
        c, out, seen = self.coords, [], set()
        for a, b in combinations(self.names, 2):
            if (a, b) in seen or self.dist[(a, b)] < TOL:
                continue
            pts = [x for x in self.names
                   if P.is_coll([c[a], c[b], c[x]])]
            for x, y in combinations(sorted(pts), 2):
                seen.add((x, y))
            if len(pts) >= 3:
                out.append(frozenset(pts))
        return out

    def _circles(self) -> list[frozenset[str]]:
        c, out, seen = self.coords, [], set()
        for a, b, d in combinations(self.names, 3):
            if (a, b, d) in seen:
                continue
            o = P.circumcenter(c[a], c[b], c[d])
            if o is None:
                continue
            r = P.length(o, c[a])
            if r > 1e3:
                continue
            pts = [x for x in self.names if abs(P.length(o, c[x]) - r) <= TOL * max(1, r)]
            for t in combinations(sorted(pts), 3):
                seen.add(t)
            if len(pts) >= 4:
                out.append(frozenset(pts))
        return out

    def _equidistant(self) -> dict[str, list[list[str]]]:
        """For each point O, the groups of other points at one distance from O."""
        out: dict[str, list[list[str]]] = {}
        for o in self.names:
            vals = [(self.dist[(o, x)], x) for x in self.names if x != o
                    and self.dist[(o, x)] > TOL]
            groups = cluster(vals)
            if groups:
                out[o] = [sorted(g) for g in groups]  # type: ignore[arg-type]
        return out

    def _midpoints(self) -> list[tuple[str, str, str]]:
        c, out = self.coords, []
        for a, b in combinations(self.names, 2):
            if self.dist[(a, b)] < TOL:
                continue
            mid = (c[a] + c[b]) / 2
            for m in self.names:
                if P.length(c[m], mid) < TOL:
                    out.append((m, a, b))
        return out

    def perpendicular(self, a: str, b: str, c: str, d: str) -> bool:
        return P.Perp.check([self.coords[x] for x in (a, b, c, d)])

    def parallel(self, a: str, b: str, c: str, d: str) -> bool:
        return P.Para.check([self.coords[x] for x in (a, b, c, d)])

    def collinear(self, *pts: str) -> bool:
        return P.is_coll([self.coords[x] for x in pts])

    def triangles(self) -> list[tuple[str, str, str]]:
        c = self.coords
        return [t for t in combinations(self.names, 3)
                if not P.is_coll([c[t[0]], c[t[1]], c[t[2]]])]

    def similar_pairs(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Pairs of numerically similar triangles with matching vertex order (either
        orientation), each unordered pair of distinct triangles once per correspondence."""
        c = self.coords
        angle_of: dict[tuple[str, str, str], list[float]] = {}
        buckets: dict[tuple[int, int], list[tuple[str, str, str]]] = defaultdict(list)
        for t in self.triangles():
            a, b, d = t
            angs = []
            for x, y, z in ((a, b, d), (b, d, a), (d, a, b)):
                u, v = c[y] - c[x], c[z] - c[x]
                cos = float(u @ v) / (np.hypot(*u) * np.hypot(*v))
                angs.append(math.acos(max(-1.0, min(1.0, cos))))
            angle_of[t] = angs
            s1, s2, _ = sorted(angs)
            buckets[(int(s1 * 1e4), int(s2 * 1e4))].append(t)
        out = []
        perms = ((0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2))
        for (k1, k2), group in buckets.items():
            near = [t for d1 in (0, 1) for d2 in (-1, 0, 1) if (d1, d2) != (0, -1)
                    for t in buckets.get((k1 + d1, k2 + d2), ())]
            for i, t1 in enumerate(group):
                others = group[i + 1:] + [t for t in near if t not in group]
                a1 = angle_of[t1]
                for t2 in others:
                    for perm in perms:
                        a2 = [angle_of[t2][j] for j in perm]
                        if all(abs(x - y) < 1e-6 for x, y in zip(a1, a2)):
                            out.append((t1, tuple(t2[j] for j in perm)))
        return out

    def rational_ratios(self, max_term: int = 4) -> list[tuple[str, str, str, str, int, int]]:
        """Pairs of segments ab, cd with |ab| : |cd| = p : q for small p <= q (lowest
        terms, each pair once); p = q = 1 means equal lengths."""
        segs = [(a, b) for a, b in combinations(self.names, 2) if self.dist[(a, b)] > TOL]
        logs = sorted((math.log(self.dist[s]), s) for s in segs)
        values = [v for v, _ in logs]
        wanted = sorted({Fraction(p, q) for q in range(1, max_term + 1)
                         for p in range(1, q + 1)})
        out = []
        for fr in wanted:
            shift = math.log(fr.denominator / fr.numerator)  # log|cd| - log|ab|
            for v, (a, b) in logs:
                lo = bisect.bisect_left(values, v + shift - 1e-7)
                hi = bisect.bisect_right(values, v + shift + 1e-7)
                for _, (c, d) in logs[lo:hi]:
                    if (a, b) == (c, d) or (fr == 1 and (c, d) < (a, b)):
                        continue
                    out.append((a, b, c, d, fr.numerator, fr.denominator))
        return out
