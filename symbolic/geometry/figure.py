"""The figure of a problem as data: points, lines and circles with stable element ids.

``build_figure`` computes, once, what ``draw`` renders: the problem's lines and circles, the
goal's, and those the facts of a proof speak of (kept hidden until a viewer highlights them).
``Figure.objects(fact)`` names the elements a fact talks about (its points, the lines through
its segments, its circles), so an interactive page can highlight a proof step in the drawing.
Element ids: ``p<i>`` points (``p<i>-label`` their labels), ``l<i>`` lines, ``c<i>`` circles.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .loci import SketchError, Vec, circumcenter, cross, norm, unit
from .numeric import Diagram
from .predicates.base import CircleSpec, Segment
from .problem import Problem
from .tables import Atom

XY = tuple[float, float]


@dataclass(frozen=True)
class Line:
    """A drawn line: the segment spanning ``points`` (collinear), from ``a`` to ``b``.
    ``shown``: part of the problem's figure or the goal's (else only drawn when highlighted)."""

    id: str
    points: tuple[str, ...]
    a: XY
    b: XY
    shown: bool


@dataclass(frozen=True)
class Circle:
    """A drawn circle (``shown`` as for ``Line``)."""

    id: str
    centre: XY
    radius: float
    shown: bool


@dataclass(frozen=True)
class Angle:
    """A directed angle from one line to another: an arc of ``radius`` about ``vertex`` (the
    lines' crossing) from ``start`` sweeping ``sweep`` degrees counterclockwise. Only drawn
    when highlighted."""

    id: str
    vertex: XY
    radius: float
    start: float
    sweep: float


@dataclass(frozen=True)
class Figure:
    """Everything the drawing of a problem holds, with the element id of each object."""

    title: str
    clauses: tuple[tuple[str, bool], ...]  # the statement's clauses, each (text, auxiliary)
    goal_text: str
    points: tuple[tuple[str, XY], ...]
    lines: tuple[Line, ...]
    circles: tuple[Circle, ...]
    angles: tuple[Angle, ...]
    goal: tuple[str, ...]        # element ids of the goal's objects
    goal_points: tuple[str, ...]
    auxiliary: tuple[str, ...]   # auxiliary points (names)
    limits: tuple[XY, XY]        # (xmin, xmax), (ymin, ymax) of the view

    def point_id(self, name: str) -> str:
        return f"p{[n for n, _ in self.points].index(name)}"

    def objects(self, pred, args: tuple[str, ...]) -> tuple[str, ...]:
        """Element ids of what the statement ``pred args`` speaks of: its points, the lines
        holding its segments, its circles (in that order, without repeats)."""
        points = pred.points(args)
        segs, circles = pred.drawn(points)
        names = {n for n, _ in self.points}
        ids = [self.point_id(p) for p in dict.fromkeys(points) if p in names]
        for seg in segs:
            line = self._line(seg)
            if line is not None:
                ids.append(line.id)
        xy = dict(self.points)
        for spec in circles:
            found = circle_of(spec, {n: np.array(v) for n, v in xy.items()})
            circle = self.circle_of(found) if found else None
            if circle is not None:
                ids.append(circle.id)
        for first, second in pred.drawn_angles(points):
            arc = _arc(first, second, xy, self.limits)
            angle = self._angle(arc) if arc else None
            if angle is not None:
                ids.append(angle.id)
        return tuple(dict.fromkeys(ids))

    def _angle(self, arc: tuple[XY, float, float]) -> Angle | None:
        (x, y), start, sweep = arc
        return next((a for a in self.angles if abs(a.vertex[0] - x) < 1e-6
                     and abs(a.vertex[1] - y) < 1e-6 and abs(a.start - start) < 1e-3
                     and abs(a.sweep - sweep) < 1e-3), None)

    def _line(self, seg: Segment) -> Line | None:
        want = set(seg)
        return next((ln for ln in self.lines if want <= set(ln.points)), None)

    def circle_of(self, found: tuple[Vec, float]) -> Circle | None:
        o, r = found
        return next((c for c in self.circles
                     if norm(np.array(c.centre) - o) < 1e-6 and abs(c.radius - r) < 1e-6),
                    None)


def atom_objects(atom: Atom) -> tuple[list[Segment], list[CircleSpec]]:
    """The segments and circles a premise or goal talks about (its predicate says which)."""
    return atom.pred.drawn(atom.pred.points(atom.args))


def _sketch_circles(problem: Problem) -> list[CircleSpec]:
    """Circles that constructions draw points on (from their sketch loci)."""
    out: list[CircleSpec] = []
    for clause in problem.clauses:
        for step in clause.steps:
            m = step.mapping
            for sk in step.construction.sketches:
                a = tuple(m.get(x, x) for x in sk.args)
                if sk.name == "circle":
                    out.append(("centre", a[0], a[1], a[2]))
                elif sk.name == "cyclic":
                    out.append(("through", *a))
                elif sk.name == "dia":
                    out.append(("diameter", a[0], a[1]))
    return out


def problem_objects(problem: Problem) -> tuple[list[Segment], list[CircleSpec]]:
    """The segments and circles of the problem's constructions (free shapes: their outline)."""
    segs: list[Segment] = []
    circles: list[CircleSpec] = []
    for clause in problem.clauses:
        for step in clause.steps:
            c = step.construction
            if not c.inputs and len(c.new_points) >= 2:  # free shapes: their outline
                ps = [step.mapping[p] for p in c.new_points]
                segs += [(ps[i], ps[(i + 1) % len(ps)]) for i in range(len(ps))
                         if len(ps) > 2 or i == 0]
            for atom in step.premises:
                s, k = atom_objects(atom)
                segs += s
                circles += k
    return segs, circles + _sketch_circles(problem)


def merge_lines(segs: Iterable[Segment], xy: dict[str, Vec],
                lines: list[list[str]] | None = None) -> list[list[str]]:
    """Group segments lying on one line (onto ``lines`` when given; new groups appended)."""
    lines = [] if lines is None else lines
    for seg in segs:
        seg = tuple(p for p in dict.fromkeys(seg) if p in xy)
        if len(seg) < 2:
            continue
        for line in lines:
            a, b = xy[line[0]], xy[line[1]]
            try:
                d = unit(b - a)
            except SketchError:
                continue
            if all(abs(cross(d, xy[p] - a)) < 1e-6 for p in seg):
                line.extend(p for p in seg if p not in line)
                break
        else:
            lines.append(list(seg))
    return lines


def _span(line: list[str], xy: dict[str, Vec]) -> tuple[Vec, Vec]:
    """The two extreme points of a group of collinear points."""
    pts = np.array([xy[p] for p in line])
    far = max(range(len(pts)), key=lambda i: norm(pts[i] - pts[0]))
    t = (pts - pts[0]) @ (pts[far] - pts[0])
    return pts[int(np.argmin(t))], pts[int(np.argmax(t))]


def circle_of(spec: CircleSpec, xy: dict[str, Vec]) -> tuple[Vec, float] | None:
    kind, *names = spec
    if any(n not in xy for n in names):
        return None
    p = [xy[n] for n in names]
    try:
        if kind == "through":
            o = circumcenter(p[0], p[1], p[2])
            return o, norm(p[0] - o)
    except SketchError:
        return None
    if kind == "diameter":
        return (p[0] + p[1]) / 2, norm(p[1] - p[0]) / 2
    return p[0], norm(p[2] - p[1])


def _dedupe(circles: Iterable[tuple[Vec, float]],
            out: list[tuple[Vec, float]]) -> list[tuple[Vec, float]]:
    for o, r in circles:
        if r > 1e-9 and not any(norm(o - q) < 1e-6 and abs(r - s) < 1e-6 for q, s in out):
            out.append((o, r))
    return out


def _arc(first: Segment, second: Segment, xy: dict[str, XY], limits: tuple[XY, XY]
         ) -> tuple[XY, float, float] | None:
    """The arc of the directed angle from line ``first`` to line ``second``: (vertex, start
    and sweep in degrees), starting on the ray of ``first`` towards its farther point; None
    for parallel lines or a crossing outside the view."""
    if any(p not in xy for p in (*first, *second)):
        return None
    a, b, c, d = (np.array(xy[p]) for p in (*first[:2], *second[:2]))
    u, v = b - a, d - c
    det = float(cross(u, v))
    if abs(det) < 1e-9 * (norm(u) * norm(v) or 1.0):
        return None
    vertex = a + u * float(cross(c - a, v)) / det
    (x0, x1), (y0, y1) = limits
    if not (x0 <= vertex[0] <= x1 and y0 <= vertex[1] <= y1):
        return None
    ray = a - vertex if norm(a - vertex) > norm(b - vertex) else b - vertex
    start = float(np.degrees(np.arctan2(ray[1], ray[0])))
    sweep = float(np.degrees(np.arctan2(v[1], v[0]) - np.arctan2(u[1], u[0]))) % 180.0
    return (round(float(vertex[0]), 9), round(float(vertex[1]), 9)), round(start, 6), \
        round(sweep, 6)


def _xy(v: Vec) -> XY:
    return float(v[0]), float(v[1])


def build_figure(problem: Problem, diagram: Diagram, proof=None) -> Figure:
    """The figure of ``problem`` on ``diagram``; with a ``Proof``, also the lines and circles
    its facts speak of (hidden until highlighted) and its auxiliary points."""
    xy = diagram.coords
    segs, circle_specs = problem_objects(problem)
    goal_segs, goal_circles = atom_objects(problem.goal)
    fact_segs: list[Segment] = list(goal_segs)
    fact_circles: list[CircleSpec] = list(goal_circles)
    facts = ([f for f, _ in getattr(proof, "given", ())]
             + [s.conclusion for s in getattr(proof, "steps", ())])
    for f in facts:
        s, c = f.pred.drawn(f.points)
        fact_segs += s
        fact_circles += c
    base = merge_lines(segs, xy)
    shown_count = len(base)
    merged = merge_lines([s for s in fact_segs
                          if not any(set(s) <= set(ln) for ln in base)], xy, base)
    lines = []
    for i, group in enumerate(merged):
        a, b = _span(group, xy)
        goal = any(set(s) <= set(group) for s in goal_segs)
        lines.append(Line(f"l{i}", tuple(group), _xy(a), _xy(b), i < shown_count or goal))
    shown = _dedupe((c for c in (circle_of(s, xy) for s in circle_specs + goal_circles) if c), [])
    every = _dedupe((c for c in (circle_of(s, xy) for s in fact_circles) if c), list(shown))
    circles = tuple(Circle(f"c{i}", _xy(o), float(r), i < len(shown))
                    for i, (o, r) in enumerate(every))
    limits = _limits(xy, shown)
    angles = _angles([problem.goal.pred.drawn_angles(problem.goal.pred.points(problem.goal.args))]
                     + [f.pred.drawn_angles(f.points) for f in facts],
                     {n: _xy(v) for n, v in xy.items()}, limits)
    aux = tuple(getattr(proof, "auxiliary_points", ()) or ())
    clauses = tuple((str(c), bool(c.points) and set(c.points) <= set(aux))
                    for c in problem.clauses)
    figure = Figure(problem.name, clauses, problem.goal.pred.text(problem.goal.args),
                    tuple((n, _xy(xy[n])) for n in xy), tuple(lines), circles, angles, (),
                    tuple(problem.goal.pred.points(problem.goal.args)), aux, limits)
    return dataclasses.replace(figure, goal=figure.objects(problem.goal.pred, problem.goal.args))


def _angles(groups: list[list[tuple[Segment, Segment]]], xy: dict[str, XY],
            limits: tuple[XY, XY]) -> tuple[Angle, ...]:
    """The distinct angles the statements speak of, with arcs a twentieth of the view."""
    (x0, x1), (y0, y1) = limits
    radius = 0.05 * max(x1 - x0, y1 - y0)
    arcs = dict.fromkeys(arc for group in groups for first, second in group
                         if (arc := _arc(first, second, xy, limits)) is not None)
    return tuple(Angle(f"ang{i}", vertex, radius, start, sweep)
                 for i, (vertex, start, sweep) in enumerate(arcs) if sweep > 1e-3)


def _limits(xy: dict[str, Vec], circles: list[tuple[Vec, float]]) -> tuple[XY, XY]:
    """The view: every point, and the shown circles within reason, with a margin."""
    pts = np.array(list(xy.values()))
    size = float(np.ptp(pts, axis=0).max()) or 1.0
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    for o, r in circles:
        lo, hi = np.minimum(lo, o - r), np.maximum(hi, o + r)
    lo, hi = np.maximum(lo, pts.min(axis=0) - size), np.minimum(hi, pts.max(axis=0) + size)
    margin = 0.08 * float((hi - lo).max() or 1.0)
    return ((float(lo[0] - margin), float(hi[0] + margin)),
            (float(lo[1] - margin), float(hi[1] + margin)))
