"""Draw a problem's figure (``figure.build_figure``) to PNG, SVG or PDF with matplotlib (Agg, no
pyplot), or to an SVG string for a web page.

Points are labelled; segments join points that appear together in the premises of the
problem's constructions (points of one line, e.g. a collinear triple, are drawn as one
segment spanning them); circles come from ``cyclic`` / ``circle`` premises and from circle
loci of the constructions (``on_circle``, ``on_dia``, ``on_circum``...). The goal's objects
are highlighted in red, and a proof's auxiliary points (``proof.auxiliary_points``) in green.
Every drawn object carries its figure id (``gid``), written as the ``id`` of its SVG group;
the lines and circles only a proof's facts speak of are drawn dashed and transparent (a page
shows them when it highlights them).
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .figure import Figure, atom_objects, build_figure
from .numeric import Diagram
from .problem import Problem

__all__ = ["atom_objects", "draw", "render", "svg_text"]

BASE, CIRCLE, GOAL, AUX = "#444444", "#4a7fb5", "#d62728", "#2ca02c"


def draw(problem: Problem, diagram: Diagram, proof: Any, path: str) -> None:
    """Write the diagram to ``path`` (``.png``, ``.svg`` or ``.pdf``, chosen by extension)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"cannot draw to {path!r}: expected a .png, .svg or .pdf file")
    render(build_figure(problem, diagram, proof), path, fmt)


def svg_text(figure: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML: text kept as text, no XML
    prologue, doctype or metadata, stable ids."""
    out = io.StringIO()
    render(figure, out, "svg")
    text = out.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"\n\s*", " ", text)  # one line: no text of the figure holds a line break
    return _ATTRIBUTE.sub(_rounded, text)


_ATTRIBUTE = re.compile(r'( (?:d|x|y|width|height|viewBox|transform)=")([^"]*)"')
_DIGITS = re.compile(r"(\d\.\d\d)\d+")


def _rounded(match: re.Match) -> str:
    """Coordinates to 0.01 pt (finer than a pixel): the SVG of a figure gets a third smaller."""
    return match.group(1) + _DIGITS.sub(r"\1", match.group(2)) + '"'



def render(figure: Figure, target: Any, fmt: str) -> None:
    """Draw ``figure`` to ``target`` (a path or a file object) in ``fmt`` (png or svg)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # never switch a live pyplot session
        matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Circle as CirclePatch
    from matplotlib.patches import Wedge

    fig = MplFigure(figsize=(6, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    goal = set(figure.goal)
    for line in figure.lines:
        width = 2.0 if line.id in goal else 1.0
        colour = GOAL if line.id in goal else BASE
        ax.plot([line.a[0], line.b[0]], [line.a[1], line.b[1]], color=colour, lw=width,
                zorder=2 if line.id in goal else 1, gid=line.id,
                alpha=1.0 if line.shown else 0.0, ls="-" if line.shown else "--")
    for c in figure.circles:
        width = 2.0 if c.id in goal else 1.0
        ax.add_patch(CirclePatch(c.centre, c.radius, fill=False, lw=width, gid=c.id,
                                 zorder=2 if c.id in goal else 1,
                                 color=GOAL if c.id in goal else CIRCLE,
                                 alpha=1.0 if c.shown else 0.0, ls="-" if c.shown else "--"))
    for angle in figure.angles:  # shown only by a page that highlights them
        ax.add_patch(Wedge(angle.vertex, angle.radius, angle.start, angle.start + angle.sweep,
                           gid=angle.id, zorder=3, alpha=0.0, color=GOAL, lw=1.0))
    aux, goal_points = set(figure.auxiliary), set(figure.goal_points)
    pts = np.array([p for _, p in figure.points])
    center = pts.mean(axis=0)
    size = float(np.ptp(pts, axis=0).max()) or 1.0
    for i, (name, xy) in enumerate(figure.points):
        p = np.array(xy)
        colour = AUX if name in aux else GOAL if name in goal_points else "black"
        ax.plot([p[0]], [p[1]], "o", color=colour, ms=4, zorder=4, gid=f"p{i}")
        away = p - center
        offset = away / np.linalg.norm(away) * 0.03 * size if np.linalg.norm(away) > 1e-9 \
            else np.zeros(2)
        ax.annotate(name, tuple(p + offset), color=colour, fontsize=11, zorder=5,
                    ha="center", va="center", gid=f"p{i}-label")
    (x0, x1), (y0, y1) = figure.limits
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_title(figure.title, fontsize=9)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "neurosym"}):
        fig.savefig(target, format=fmt, dpi=120, bbox_inches="tight")
