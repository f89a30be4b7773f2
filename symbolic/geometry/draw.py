"""Draw a problem's numeric diagram to PNG, SVG or PDF with matplotlib (Agg, no pyplot).

Points are labelled; segments join points that appear together in the premises of the
problem's constructions (points of one line, e.g. a collinear triple, are drawn as one
segment spanning them); circles come from ``cyclic`` / ``circle`` premises and from circle
loci of the constructions (``on_circle``, ``on_dia``, ``on_circum``...). The goal's objects
are highlighted in red, and a proof's auxiliary points (``proof.auxiliary_points``) in green.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from .loci import SketchError, Vec, circumcenter, cross, norm, unit
from .numeric import Diagram
from .predicates.base import CircleSpec, Segment
from .problem import Problem
from .tables import Atom

BASE, CIRCLE, GOAL, AUX = "#444444", "#4a7fb5", "#d62728", "#2ca02c"


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
    segs: list[Segment] = []
    circles: list[CircleSpec] = []
    for clause in problem.clauses:
        for step in clause.steps:
            c = step.construction
            if not c.inputs and len(c.new_points) >= 2:  # free shapes: their outline
                ps = [step.mapping[p] for p in c.new_points]
                segs += [(ps[i], ps[(i + 1) % len(ps)]) for i in range(len(ps))
                         if len(ps) > 2 or i == 0]
            for atom in step.atoms(c.premises):
                s, k = atom_objects(atom)
                segs += s
                circles += k
    return segs, circles + _sketch_circles(problem)


def merge_lines(segs: list[Segment], xy: dict[str, Vec]) -> list[list[str]]:
    """Group segments lying on one line; each group is drawn as one spanning segment."""
    lines: list[list[str]] = []
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


def _dedupe(circles: list[tuple[Vec, float]]) -> list[tuple[Vec, float]]:
    out: list[tuple[Vec, float]] = []
    for o, r in circles:
        if r > 1e-9 and not any(norm(o - q) < 1e-6 and abs(r - s) < 1e-6 for q, s in out):
            out.append((o, r))
    return out


def draw(problem: Problem, diagram: Diagram, proof: Any, path: str) -> None:
    """Write the diagram to ``path`` (``.png``, ``.svg`` or ``.pdf``, chosen by extension)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # never switch a live pyplot session
        matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle as CirclePatch

    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"cannot draw to {path!r}: expected a .png, .svg or .pdf file")
    xy = diagram.coords
    fig = Figure(figsize=(6, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")

    segs, circle_specs = problem_objects(problem)
    goal_segs, goal_circles = atom_objects(problem.goal)
    for layer, (ss, cs, colour, width) in enumerate(
            ((segs, circle_specs, BASE, 1.0), (goal_segs, goal_circles, GOAL, 2.0))):
        for line in merge_lines(ss, xy):
            a, b = _span(line, xy)
            ax.plot([a[0], b[0]], [a[1], b[1]], color=colour, lw=width, zorder=1 + layer)
        circles = [c for c in (circle_of(s, xy) for s in cs) if c is not None]
        for o, r in _dedupe(circles):
            ax.add_patch(CirclePatch(tuple(o), r, fill=False, lw=width, zorder=1 + layer,
                                     color=CIRCLE if layer == 0 else GOAL))

    aux = set(getattr(proof, "auxiliary_points", ()) or ())
    goal_points = set(problem.goal.pred.points(problem.goal.args))
    pts = np.array(list(xy.values()))
    center = pts.mean(axis=0)
    size = float(np.ptp(pts, axis=0).max()) or 1.0
    for name, p in xy.items():
        colour = AUX if name in aux else GOAL if name in goal_points else "black"
        ax.plot([p[0]], [p[1]], "o", color=colour, ms=4, zorder=4)
        away = p - center
        offset = away / norm(away) * 0.03 * size if norm(away) > 1e-9 else np.zeros(2)
        ax.annotate(name, tuple(p + offset), color=colour, fontsize=11, zorder=5,
                    ha="center", va="center")
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    for o, r in _dedupe([c for c in (circle_of(s, xy) for s in circle_specs + goal_circles) if c]):
        lo, hi = np.minimum(lo, o - r), np.maximum(hi, o + r)
    lo, hi = np.maximum(lo, pts.min(axis=0) - size), np.minimum(hi, pts.max(axis=0) + size)
    margin = 0.08 * float((hi - lo).max() or 1.0)
    ax.set_xlim(lo[0] - margin, hi[0] + margin)
    ax.set_ylim(lo[1] - margin, hi[1] + margin)
    ax.set_title(problem.name, fontsize=9)
    fig.savefig(path, format=fmt, dpi=120, bbox_inches="tight")
