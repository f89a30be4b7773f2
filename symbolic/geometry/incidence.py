"""Non-trivial incidences: does an auxiliary point land somewhere special on the diagram?

HAGeo (Duan et al., 2025) keeps an auxiliary construction when, on the numeric diagram, its new
point lies on a line through two existing points or on a circle through three that the
construction itself does not put it on: such a point ties the new object to the figure, and
deduction can use the tie. ``Incidences`` draws a candidate's clauses on a diagram and counts
those ties, distinct lines and circles once each. It only reads the diagram: a count is a
reason to try a candidate first, never a fact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..deadline import check
from .errors import GeometryError
from .kernels import combination_rows
from .numeric import DrawMemo, DrawRejected, Vec, diagram_scale, draw_checked, draw_remembered
from .predicates import COLL, CYCLIC
from .problem import Clause

REL_TOL = 1e-7  # relative to the diagram's size


class Incidences:
    """The lines and circles of one diagram, to count a new point's incidences with."""

    def __init__(self, coords: dict[str, Vec], memo: DrawMemo | None = None) -> None:
        """``memo``: draws to share with other diagrams that place their points alike (a
        search's nodes, see ``numeric.draw_remembered``)."""
        self.coords = coords
        self.memo = memo
        self.names = sorted(coords)
        xy = np.array([coords[p] for p in self.names], dtype=np.float64).reshape(-1, 2)
        self.xy = xy
        span = float(np.ptp(xy, axis=0).max()) if len(xy) > 1 else 1.0
        self.tol = REL_TOL * max(span, 1.0)
        n = len(self.names)
        self.pairs = combination_rows(n, 2)  # read only
        self.triples = combination_rows(n, 3)
        self.centres, self.radii = _circumcircles(xy, self.triples)
        # what every count reads, computed once: the segments of the pairs, the circles
        self._a = xy[self.pairs[:, 0]]
        d = xy[self.pairs[:, 1]] - self._a
        self._d = d
        self._length = np.hypot(d[:, 0], d[:, 1])
        self._ok = np.isfinite(self.radii)
        self._radius = np.where(self._ok, self.radii, 0.0)
        self._slack = self.tol * np.maximum(np.where(self._ok, self.radii, 1.0), 1.0)
        self._scale = diagram_scale(coords)
        # the same, as contiguous columns and with what every point's test compares to
        # worked out once (``_lines_through``, ``_circles_through``: the same numbers)
        self._ax, self._ay = self._a[:, 0].copy(), self._a[:, 1].copy()
        self._dx, self._dy = d[:, 0].copy(), d[:, 1].copy()
        self._long = self._length > self.tol
        self._line_tol = self.tol * np.maximum(self._length, 1.0)
        self._cx, self._cy = self.centres[:, 0].copy(), self.centres[:, 1].copy()
        self._lines: dict[frozenset[str], frozenset[str]] = {}

    def count(self, clauses: Sequence[Clause], rng: np.random.Generator) -> int | None:
        """How many lines through two existing points and circles through three the new
        points of ``clauses``, drawn on this diagram in order, lie on beyond those their
        premises state (distinct lines and circles once each); None if they cannot be drawn
        here."""
        coords = self.coords
        total = 0
        for clause in clauses:
            check()  # hundreds of circles through a point of a large diagram
            scale = self._scale if coords is self.coords else None
            try:
                if self.memo is None:
                    new = draw_checked(clause, coords, rng, scale)
                else:
                    new = draw_remembered(clause, coords, rng, scale, self.memo)
            except (DrawRejected, GeometryError):
                return None
            stated_lines, stated_circles = _stated(clause)
            for name in clause.points:
                p = new[name]
                total += self._lines_through(p, stated_lines.get(name, ()))
                total += self._circles_through(p, stated_circles.get(name, ()))
            coords = {**coords, **new}
        return total

    def _lines_through(self, p: Vec, stated: tuple[frozenset[str], ...]) -> int:
        if not len(self.pairs):
            return 0
        px, py = p[0], p[1]
        cross = np.abs(self._dx * (py - self._ay) - self._dy * (px - self._ax))
        on = np.flatnonzero(self._long & (cross <= self._line_tol))
        if not len(on):
            return 0
        near = np.hypot(self._ax[on] - px, self._ay[on] - py) > self.tol
        lines: set[frozenset[str]] = set()
        for i in on[near]:
            pts = frozenset((self.names[self.pairs[i, 0]], self.names[self.pairs[i, 1]]))
            if any(pts <= s for s in stated):
                continue
            lines.add(self._line_of(pts))
        return len(lines)

    def _line_of(self, pts: frozenset[str]) -> frozenset[str]:
        """Every existing point on the line through the two in ``pts`` (memoised)."""
        found = self._lines.get(pts)
        if found is None:
            found = self._lines[pts] = self._points_on_line(pts)
        return found

    def _points_on_line(self, pts: frozenset[str]) -> frozenset[str]:
        i, j = (self.names.index(q) for q in sorted(pts))
        a, d = self.xy[i], self.xy[j] - self.xy[i]
        cross = np.abs(d[0] * (self.xy[:, 1] - a[1]) - d[1] * (self.xy[:, 0] - a[0]))
        return frozenset(self.names[k] for k in np.flatnonzero(
            cross <= self.tol * max(float(np.hypot(*d)), 1.0)))

    def _circles_through(self, p: Vec, stated: tuple[frozenset[str], ...]) -> int:
        if not len(self.triples):
            return 0
        dist = np.hypot(self._cx - p[0], self._cy - p[1])
        on = np.flatnonzero(self._ok & (np.abs(dist - self._radius) <= self._slack))
        circles: set[tuple[float, float, float]] = set()
        for i in on:
            pts = frozenset(self.names[k] for k in self.triples[i])
            if any(pts <= s for s in stated):
                continue
            c, r = self.centres[i], self.radii[i]
            circles.add((round(float(c[0]), 5), round(float(c[1]), 5), round(float(r), 5)))
        return len(circles)


def _circumcircles(xy: np.ndarray, triples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres and radii of the circles through each triple (radius inf when collinear)."""
    if not len(triples):
        return np.zeros((0, 2)), np.zeros(0)
    a, b, c = xy[triples[:, 0]], xy[triples[:, 1]], xy[triples[:, 2]]
    d = 2 * (a[:, 0] * (b[:, 1] - c[:, 1]) + b[:, 0] * (c[:, 1] - a[:, 1])
             + c[:, 0] * (a[:, 1] - b[:, 1]))
    sa, sb, sc = (a ** 2).sum(1), (b ** 2).sum(1), (c ** 2).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ux = (sa * (b[:, 1] - c[:, 1]) + sb * (c[:, 1] - a[:, 1]) + sc * (a[:, 1] - b[:, 1])) / d
        uy = (sa * (c[:, 0] - b[:, 0]) + sb * (a[:, 0] - c[:, 0]) + sc * (b[:, 0] - a[:, 0])) / d
    centres = np.stack((ux, uy), axis=1)
    radii = np.hypot(a[:, 0] - ux, a[:, 1] - uy)
    radii[~np.isfinite(radii) | (np.abs(d) < 1e-12)] = np.inf
    return centres, radii


_Stated = tuple[dict[str, tuple[frozenset[str], ...]], dict[str, tuple[frozenset[str], ...]]]
# (the clause's points, per step its construction's id and arguments) -> (the steps'
# constructions, kept so that the ids stay theirs; ``_stated_once``): a search asks it for
# every candidate of every node it draws, each a fresh clause, the same ones again and again
_STATED: dict[tuple, tuple[tuple[object, ...], _Stated]] = {}


def _stated(clause: Clause) -> _Stated:
    """Per new point, the sets of other points its clause states it collinear or concyclic
    with (memoised: ``_stated_once``)."""
    key = (clause.points, tuple((id(s.construction), s.args) for s in clause.steps))
    hit = _STATED.get(key)
    if hit is not None and all(a is s.construction for a, s in zip(hit[0], clause.steps)):
        return hit[1]
    if len(_STATED) > 1 << 16:
        _STATED.clear()
    found = _stated_once(clause)
    _STATED[key] = (tuple(s.construction for s in clause.steps), found)
    return found


def _stated_once(clause: Clause) -> _Stated:
    lines: dict[str, list[frozenset[str]]] = {}
    circles: dict[str, list[frozenset[str]]] = {}
    for step in clause.steps:
        for atom in step.premises:
            target = lines if atom.pred is COLL else circles if atom.pred is CYCLIC else None
            if target is None:
                continue
            for name in clause.points:
                if name in atom.args:
                    target.setdefault(name, []).append(frozenset(atom.args) - {name})
    return ({k: tuple(v) for k, v in lines.items()}, {k: tuple(v) for k, v in circles.items()})
