"""Write a problem's figure as a GeoGebra file (``.ggb``: a zip holding ``geogebra.xml``).

Free points are free GeoGebra points at the numeric diagram's coordinates; every other point
is the output of a GeoGebra command built from the construction's loci (``sketches.py``), so
dragging a free point in GeoGebra keeps the configuration:

* a locus (``line``, ``tline``, ``circle``, ``cyclic``...) maps, one mapping per sketch kind
  (``LOCI``), to a GeoGebra line, ray or circle built from earlier objects;
* a point on one locus is ``Point(<locus>)`` at its diagram position (one degree of freedom);
* a point on two loci is their ``Intersect``: of two lines, the one point; otherwise, when
  the other intersection is an earlier point, the mirror image of that point (``Reflect``
  across the loci's axis of symmetry), else ``Intersect(o1, o2, <point>)`` with a point built
  from the figure that lies nearer to the wanted intersection than to the other one (it
  stays so while dragging);
* a fixed point (``midp``, ``reflect``, ``rotatep90``...) and the constructions of several
  points (``SHAPES``: free shapes, ``incenter2``, ``trisect``, and ``eqangle2``, ``2l1c``,
  ``cc_tangent`` built step by step as AlphaGeometry draws them) map to their commands.

Every sketch has a mapping (a test checks it), so no constructed point, and no helper point,
is written by its coordinates alone. Points
are labelled A, B, C_{1}... (GeoGebra reserves x, y, e, i) and captioned with their names.
Segments and circles of the premises are drawn as ``draw.py`` draws them, the goal's in red,
the auxiliary points of a proof in green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..draw import AUX, BASE, CIRCLE, GOAL
from ..figure import atom_objects, circle_of, merge_lines, problem_objects
from ..loci import Line, Locus, Vec, cross, norm
from ..numeric import Diagram
from ..predicates.base import CircleSpec
from ..problem import Problem
from ..sketches import SKETCHES
from .builder import (
    FIXED,
    LOCI,
    Builder,
    Obj,
    is_line,
    locus_circle,
    locus_dia,
    meet,
)
from .shapes import SHAPES

_rng = np.random.default_rng(0)  # the loci sketches take a generator; they do not use it

__all__ = ["FIXED", "LOCI", "SHAPES", "build", "geogebra_xml", "write_ggb"]


# ----------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class _OnLocus:
    sketch: str
    labels: tuple[str, ...]  # GeoGebra labels of the sketch's arguments (numbers as they are)
    values: tuple  # the arguments' coordinates (floats for numbers), for SKETCHES


def _write_clause(b: Builder, clause: Any) -> None:
    done: set[str] = set()
    on: dict[str, list[_OnLocus]] = {}
    for step in clause.steps:
        c, m = step.construction, step.mapping
        for sk in c.sketches:
            numeric = [a in c.numeric_args for a in sk.args]
            labels = tuple(m[a] if n else b.labels[m[a]] for a, n in zip(sk.args, numeric))
            if sk.name in SHAPES or len(c.new_points) > 1:
                new = tuple(b.labels[m[p]] for p in c.new_points)
                if sk.name not in SHAPES:
                    raise ValueError(f"no GeoGebra construction for sketch {sk.name!r}")
                SHAPES[sk.name](b, new, labels)
                done.update(new)
                continue
            values = tuple(float(m[a]) if n else b.coords[m[a]] for a, n in zip(sk.args, numeric))
            on.setdefault(b.labels[m[c.new_points[0]]], []).append(
                _OnLocus(sk.name, labels, values))
    for name in clause.points:
        label = b.labels[name]
        if label in done:
            continue
        if name in clause.pins or not on.get(label):
            b.free(label)
        else:
            _place(b, label, on[label])


def _place(b: Builder, label: str, on: list[_OnLocus]) -> None:
    """Write a point from the loci its constructions put it on."""
    for x in on:
        if x.sketch in FIXED:
            b.point(label, *FIXED[x.sketch](b, x.labels))
            return
    for x in on:
        if x.sketch not in LOCI:
            raise ValueError(f"no GeoGebra construction for sketch {x.sketch!r}")
    objs = [(LOCI[x.sketch](b, x.labels), _locus(x)) for x in on]
    if len(objs) == 1:
        b.point(label, "Point", (objs[0][0].label,))
        return
    first, second = objs[0], objs[1]
    for other in objs[2:]:  # two lines that do not meet in one point: try the next locus
        if not (is_line(first[1]) and is_line(second[1])):
            break
        assert isinstance(first[1], Line) and isinstance(second[1], Line)
        if abs(cross(first[1].d, second[1].d)) > 1e-9:
            break
        second = other
    meet(b, first, second, label)


def _locus(x: _OnLocus) -> Locus:
    """The numeric locus of a sketch of ``LOCI`` (a line, ray or circle)."""
    out = SKETCHES[x.sketch](x.values, _rng)
    assert not isinstance(out, tuple), x.sketch
    return out


# ----------------------------------------------------------------------------- figure


def _style(el: ET.Element, colour: str, thickness: int | None = None,
           label: bool = True) -> None:
    for old in el.findall("show") + el.findall("objColor") + el.findall("lineStyle"):
        el.remove(old)
    r, g, bl = (int(colour[k:k + 2], 16) for k in (1, 3, 5))  # first, as GeoGebra writes
    el.insert(0, ET.Element("objColor", r=str(r), g=str(g), b=str(bl), alpha="0"))
    el.insert(0, ET.Element("show", object="true", label="true" if label else "false"))
    if thickness is not None:
        ET.SubElement(el, "lineStyle", thickness=str(thickness), type="0")


def _circle_of_spec(b: Builder, spec: CircleSpec) -> Obj:
    kind, *names = spec
    labels = tuple(b.labels[n] for n in names)
    if kind == "through":
        return b.cmd("Circle", labels, "conic")
    if kind == "diameter":
        return locus_dia(b, labels)
    return locus_circle(b, labels)


def _draw_objects(b: Builder, problem: Problem) -> None:
    """Show the segments and circles of the premises, then the goal's (in red)."""
    xy = b.coords
    segs, circles = problem_objects(problem)
    goal_segs, goal_circles = atom_objects(problem.goal)
    drawn: list[tuple[Vec, float, Obj]] = []
    for ss, cs, colour, width, ring in ((segs, circles, BASE, 3, CIRCLE),
                                        (goal_segs, goal_circles, GOAL, 6, GOAL)):
        for line in merge_lines(ss, xy):
            ends = sorted(line, key=lambda p: _along(xy, line, p))
            seg = b.cmd("Segment", (b.labels[ends[0]], b.labels[ends[-1]]), "segment")
            _style(b.elements[seg.label], colour, width, label=False)
        for spec in cs:
            circle = circle_of(spec, xy)
            if circle is None or circle[1] < 1e-9:
                continue
            same = [k for o, r, k in drawn if norm(o - circle[0]) < 1e-6
                    and abs(r - circle[1]) < 1e-6]
            obj = same[0] if same else _circle_of_spec(b, spec)
            drawn.append((circle[0], circle[1], obj))
            _style(b.elements[obj.label], ring, width, label=False)


def _along(xy: dict[str, Vec], line: list[str], p: str) -> float:
    """Where ``p`` lies along the line of the points ``line`` (a coordinate on it)."""
    far = max(line, key=lambda q: norm(xy[q] - xy[line[0]]))
    return float((xy[p] - xy[line[0]]) @ (xy[far] - xy[line[0]]))


def build(problem: Problem, diagram: Diagram, proof: Any = None) -> Builder:
    """The GeoGebra construction of ``problem`` drawn as ``diagram`` (not yet serialised)."""
    b = Builder(dict(diagram.coords))
    b.name_points(tuple(p for p in problem.points if p in diagram.coords))
    for clause in problem.clauses:
        _write_clause(b, clause)
    _draw_objects(b, problem)
    aux = set(getattr(proof, "auxiliary_points", ()) or ())
    goal_points = set(problem.goal.pred.points(problem.goal.args))
    for name, label in b.labels.items():
        colour = AUX if name in aux else GOAL if name in goal_points else "#000000"
        _style(b.elements[label], colour)
    return b


def geogebra_xml(problem: Problem, diagram: Diagram, proof: Any = None) -> str:
    """The ``geogebra.xml`` of the figure (GeoGebra's file format 5.0)."""
    b = build(problem, diagram, proof)
    root = ET.Element("geogebra", {
        "format": "5.0", "app": "classic",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:noNamespaceSchemaLocation": "http://www.geogebra.org/apps/xsd/ggb.xsd"})
    root.append(_view(list(diagram.coords.values())))
    kernel = ET.SubElement(root, "kernel")
    ET.SubElement(kernel, "angleUnit", val="degree")
    construction = ET.SubElement(root, "construction", title=problem.name, author="",
                                 date="")
    construction.extend(b.items)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _view(points: list[Vec], width: int = 800, height: int = 600) -> ET.Element:
    """A view showing every point with a margin."""
    pts = np.array(points) if points else np.zeros((1, 2))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    size = max(float((hi - lo).max()), 1e-3) * 1.4
    scale = min(width, height) / size
    mid = (lo + hi) / 2
    view = ET.Element("euclidianView")
    ET.SubElement(view, "size", width=str(width), height=str(height))
    ET.SubElement(view, "coordSystem", xZero=repr(float(width / 2 - mid[0] * scale)),
                  yZero=repr(float(height / 2 + mid[1] * scale)), scale=repr(scale),
                  yscale=repr(scale))
    ET.SubElement(view, "evSettings", axes="false", grid="false", gridIsBold="false",
                  pointCapturing="3", rightAngleStyle="1", gridType="3")
    return view


def write_ggb(problem: Problem, diagram: Diagram, proof: Any, path: str) -> None:
    """Write the figure to ``path`` as a GeoGebra file (raises ``OSError`` if it cannot)."""
    xml = geogebra_xml(problem, diagram, proof)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("geogebra.xml", xml)
        z.writestr("geogebra_javascript.js", "function ggbOnInit() {}\n")
