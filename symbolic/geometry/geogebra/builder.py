"""The GeoGebra construction being written: labels, commands, loci and intersections."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from ..loci import (
    Circle,
    Line,
    Locus,
    Vec,
    contains,
    cross,
    norm,
    rot90,
)


@dataclass
class Obj:
    """A GeoGebra object written to the file: its label, kind and a point on it (lines)."""

    label: str
    kind: str  # point, line, ray, conic, angle, vector, segment
    anchor: str | None = None  # a point on a line or ray (its start)
    anchor2: str | None = None  # another point on a line, when known


@dataclass
class Builder:
    """The construction being written: XML children in order, labels, and a command cache
    (the same command on the same inputs is written once)."""

    coords: dict[str, Vec]
    labels: dict[str, str] = field(default_factory=dict)  # problem point -> GeoGebra label
    items: list[ET.Element] = field(default_factory=list)
    cache: dict[tuple[str, tuple[str, ...]], Obj] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    xy: dict[str, Vec] = field(default_factory=dict)  # written point label -> coordinates
    target: dict[str, Vec] = field(default_factory=dict)  # problem point label -> diagram
    order: list[str] = field(default_factory=list)  # problem points, in order
    elements: dict[str, ET.Element] = field(default_factory=dict)

    def fresh(self, prefix: str) -> str:
        k = 1
        while f"{prefix}_{{{k}}}" in self.used:
            k += 1
        self.used.add(f"{prefix}_{{{k}}}")
        return f"{prefix}_{{{k}}}"

    def name_points(self, names: tuple[str, ...]) -> None:
        for name in names:
            base = name[0].upper() + (f"_{{{name[1:]}}}" if len(name) > 1 else "")
            label, k = base, 1
            while label in self.used:
                label, k = f"{base}{k}", k + 1
            self.used.add(label)
            self.labels[name] = label
            self.target[label] = self.coords[name]
            self.order.append(name)

    def cmd(self, name: str, inputs: tuple[str, ...], kind: str, anchor: str | None = None,
            label: str | None = None, at: Vec | None = None, cache: bool = True) -> Obj:
        """The output of ``name(inputs)``: written once (cached) unless ``label`` is given
        or ``cache`` is false (a point on a path, which has a position of its own)."""
        key = (name, inputs)
        if label is None and cache and key in self.cache:
            return self.cache[key]
        out = label or self.fresh(_PREFIX[kind])
        command = ET.Element("command", name=name)
        ET.SubElement(command, "input", {f"a{i}": a for i, a in enumerate(inputs)})
        ET.SubElement(command, "output", a0=out)
        self.items.append(command)
        self.items.append(_element(kind, out, at, shown=label is not None,
                                   caption=self.captions.get(out)))
        self.elements[out] = self.items[-1]
        obj = Obj(out, kind, anchor)
        if at is not None:
            self.xy[out] = at
        if label is None:
            self.cache[key] = obj
        return obj

    def point(self, label: str, name: str, inputs: tuple[str, ...]) -> None:
        """Problem point ``label`` as the output of command ``name(inputs)``."""
        self.cmd(name, inputs, "point", label=label, at=self.target[label])

    def free(self, label: str, caption: str | None = None) -> None:
        """Problem point ``label`` as a free point at its diagram position."""
        at = self.target[label]
        self.items.append(_element("point", label, at, shown=True,
                                   caption=caption or self.captions[label]))
        self.elements[label] = self.items[-1]
        self.xy[label] = at

    @property
    def captions(self) -> dict[str, str]:
        return {label: name for name, label in self.labels.items()}


_PREFIX = {"point": "P", "line": "g", "ray": "r", "conic": "k", "angle": "α", "vector": "v",
           "segment": "s"}


def _element(kind: str, label: str, at: Vec | None, shown: bool,
             caption: str | None = None) -> ET.Element:
    el = ET.Element("element", type=kind, label=label)
    ET.SubElement(el, "show", object="true" if shown else "false", label="true" if shown
                  else "false")
    if at is not None:
        ET.SubElement(el, "coords", x=repr(float(at[0])), y=repr(float(at[1])), z="1.0")
        ET.SubElement(el, "pointSize", val="4")
    if kind == "angle":
        ET.SubElement(el, "angleStyle", val="0")  # 0..360 anticlockwise
    if caption is not None:
        ET.SubElement(el, "caption", val=caption)
        ET.SubElement(el, "labelMode", val="3")  # show the caption
    return el


# ----------------------------------------------------------------------------- loci

LocusMap = Callable[[Builder, tuple[str, ...]], Obj]


def through(b: Builder, p: str, q: str) -> Obj:
    obj = b.cmd("Line", (p, q), "line", anchor=p)
    obj.anchor2 = q
    return obj


def center(b: Builder, k: Obj) -> Obj:
    return b.cmd("Center", (k.label,), "point")


def midpoint(b: Builder, p: str, q: str) -> Obj:
    return b.cmd("Midpoint", (p, q), "point")


def circle_at(b: Builder, a: Obj | str, c: str) -> Obj:
    """The circle centred at ``a`` through ``c``."""
    return b.cmd("Circle", (a.label if isinstance(a, Obj) else a, c), "conic")


def angle(b: Builder, p: str, apex: str, q: str) -> Obj:
    """The anticlockwise angle from ray apex-p to ray apex-q."""
    return b.cmd("Angle", (p, apex, q), "angle")


def rotated(b: Builder, p: str, angle: str, centre: str) -> Obj:
    return b.cmd("Rotate", (p, angle, centre), "point")


def _arc_circle(b: Builder, a: str, bb: str, minus_theta: Obj) -> Obj:
    """Points x with directed angle (xa, xb) = theta: the tangent at a is ab turned by
    -theta, and the centre lies on its perpendicular at a and on the bisector of ab."""
    t = rotated(b, bb, minus_theta.label, a)
    normal = b.cmd("PerpendicularLine", (a, through(b, a, t.label).label), "line", anchor=a)
    bis = b.cmd("PerpendicularBisector", (a, bb), "line")
    o = b.cmd("Intersect", (normal.label, bis.label), "point")
    return circle_at(b, o, a)


def locus_pline(b: Builder, a: tuple[str, ...]) -> Obj:
    return b.cmd("Line", (a[0], through(b, a[1], a[2]).label), "line", anchor=a[0])


def locus_tline(b: Builder, a: tuple[str, ...]) -> Obj:
    return b.cmd("PerpendicularLine", (a[0], through(b, a[1], a[2]).label), "line", anchor=a[0])


def locus_bline(b: Builder, a: tuple[str, ...]) -> Obj:
    return b.cmd("PerpendicularBisector", a, "line", anchor=midpoint(b, *a).label)


def locus_circle(b: Builder, a: tuple[str, ...]) -> Obj:
    o, p, q = a
    if p == o:
        return circle_at(b, o, q)
    if q == o:
        return circle_at(b, o, p)
    return b.cmd("Compass", (p, q, o), "conic")


def locus_dia(b: Builder, a: tuple[str, ...]) -> Obj:
    return circle_at(b, midpoint(b, *a), a[0])


def locus_bisect(b: Builder, a: tuple[str, ...]) -> Obj:
    return b.cmd("AngleBisector", a, "line", anchor=a[1])


def locus_exbisect(b: Builder, a: tuple[str, ...]) -> Obj:
    return b.cmd("PerpendicularLine", (a[1], locus_bisect(b, a).label), "line", anchor=a[1])


def locus_amirror(b: Builder, a: tuple[str, ...]) -> Obj:
    p = b.cmd("Reflect", (a[0], through(b, a[1], a[2]).label), "point")
    return b.cmd("Ray", (a[1], p.label), "ray", anchor=a[1])


def locus_aline(b: Builder, a: tuple[str, ...]) -> Obj:
    e, d, c, bb, aa = a
    p = rotated(b, bb, angle(b, e, d, c).label, aa)
    return b.cmd("Ray", (aa, p.label), "ray", anchor=aa)


def locus_aline2(b: Builder, a: tuple[str, ...]) -> Obj:
    e, d, c, bb, aa = a
    return _arc_circle(b, aa, bb, angle(b, e, d, c))


def locus_eqangle3(b: Builder, a: tuple[str, ...]) -> Obj:
    aa, bb, d, e, f = a
    return _arc_circle(b, aa, bb, angle(b, f, d, e))


def locus_s_angle(b: Builder, a: tuple[str, ...]) -> Obj:
    p = rotated(b, a[0], f"{_number(a[2])}°", a[1])
    return b.cmd("Line", (a[1], p.label), "line", anchor=a[1])


def locus_opline(b: Builder, a: tuple[str, ...]) -> Obj:
    p = b.cmd("Reflect", (a[1], a[0]), "point")
    return b.cmd("Ray", (a[0], p.label), "ray", anchor=a[0])


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value == int(value) else repr(value)


LOCI: dict[str, LocusMap] = {
    "line": lambda b, a: through(b, *a), "pline": locus_pline, "tline": locus_tline,
    "bline": locus_bline, "circle": locus_circle, "dia": locus_dia,
    "cyclic": lambda b, a: b.cmd("Circle", a, "conic"), "bisect": locus_bisect,
    "exbisect": locus_exbisect, "amirror": locus_amirror, "aline": locus_aline,
    "aline2": locus_aline2,
    "eqangle3": locus_eqangle3, "s_angle": locus_s_angle, "on_opline": locus_opline,
}
"""Sketches giving a line, ray or circle: their GeoGebra object from the (labelled) args."""

FIXED: dict[str, Callable[[Builder, tuple[str, ...]], tuple[str, tuple[str, ...]]]] = {
    "midp": lambda b, a: ("Midpoint", a),
    "pmirror": lambda b, a: ("Reflect", (a[0], a[1])),
    "reflect": lambda b, a: ("Reflect", (a[0], through(b, a[1], a[2]).label)),
    "rotaten90": lambda b, a: ("Rotate", (a[1], "-90°", a[0])),
    "rotatep90": lambda b, a: ("Rotate", (a[1], "90°", a[0])),
    "shift": lambda b, a: ("Translate", (a[2], b.cmd("Vector", (a[0], a[1]), "vector").label)),
}
"""Sketches giving one fixed point: the command (name, inputs) that constructs it."""


# ----------------------------------------------------------------------------- points


def is_line(locus: Locus) -> bool:
    return isinstance(locus, Line)


def meet(b: Builder, first: tuple[Obj, Locus], second: tuple[Obj, Locus],
         label: str | None = None, target: Vec | None = None) -> str:
    """The intersection of two loci nearest ``target``: problem point ``label`` (at its
    diagram position) or, without a label, a hidden helper point. Returns its label."""
    (o1, l1), (o2, l2) = first, second
    at = b.target[label] if label is not None else target
    assert at is not None

    def emit(name: str, inputs: tuple[str, ...]) -> str:
        if label is None:
            return b.cmd(name, inputs, "point", at=at).label
        b.point(label, name, inputs)
        return label

    if is_line(l1) and is_line(l2):
        return emit("Intersect", (o1.label, o2.label))
    if is_line(l2):  # the line first, the circle second
        (o1, l1), (o2, l2) = (o2, l2), (o1, l1)
    assert isinstance(l2, Circle)
    if isinstance(l1, Circle):
        axis = through(b, center(b, o1).label, center(b, o2).label)
    else:
        axis = b.cmd("PerpendicularLine", (center(b, o2).label, o1.label), "line")
    for name in b.order:  # the other intersection is an earlier point: its mirror image
        p = b.labels[name]
        if p in b.xy and contains(l1, b.xy[p]) and contains(l2, b.xy[p]) \
                and norm(b.xy[p] - at) > 1e-6:
            return emit("Reflect", (p, axis.label))
    return emit("Intersect", (o1.label, o2.label, _nearer(b, o1, l1, o2, l2, at)))


def _nearer(b: Builder, o1: Obj, l1: Locus, o2: Obj, l2: Circle, target: Vec) -> str:
    """A point of the figure nearer to ``target`` than to the other intersection of the
    loci, for every position of the free points (while they are not degenerate)."""
    c1 = center(b, o1) if isinstance(l1, Circle) else None
    c2 = center(b, o2)
    if isinstance(l1, Circle) and c1 is not None:  # on the side of the line of centres
        side = cross(l2.c - l1.c, target - l1.c)
        return rotated(b, c2.label, "90°" if side > 0 else "-90°", c1.label).label
    assert isinstance(l1, Line)
    foot = l1.foot(l2.c)
    anchors = [(o1.anchor, l1.p), (o1.anchor2, b.xy.get(o1.anchor2 or ""))]
    for anchor, at in anchors:
        if anchor is not None and at is not None and norm(at - foot) > 1e-6:
            return _on_side(b, o1, c2, anchor, at - foot, target - foot)
    for name in b.order:  # the foot on the line of an earlier point off it
        q = b.labels[name]
        if q in b.xy and norm(l1.foot(b.xy[q]) - foot) > 1e-6:
            perp = b.cmd("PerpendicularLine", (q, o1.label), "line")
            f = b.cmd("Intersect", (o1.label, perp.label), "point")
            return _on_side(b, o1, c2, f.label, l1.foot(b.xy[q]) - foot, target - foot)
    for name in b.order:  # every earlier point is on the perpendicular: one, turned onto it
        q = b.labels[name]
        if q in b.xy and norm(b.xy[q] - foot) > 1e-6:
            turn = "90°" if float(rot90(b.xy[q] - foot) @ (target - foot)) > 0 else "-90°"
            return rotated(b, q, turn, _foot(b, o1, c2).label).label
    raise ValueError("no point of the figure tells the intersections of a line and a circle "
                     "apart")


def _foot(b: Builder, line: Obj, centre: Obj) -> Obj:
    """The foot of ``centre`` on ``line``."""
    perp = b.cmd("PerpendicularLine", (centre.label, line.label), "line")
    return b.cmd("Intersect", (line.label, perp.label), "point")


def _on_side(b: Builder, o1: Obj, c2: Obj, anchor: str, away: Vec, wanted: Vec) -> str:
    """``anchor`` (a point of line ``o1`` at ``away`` from the foot of the circle's centre
    ``c2``) if the wanted intersection lies on its side of the foot, else its mirror image
    through the foot."""
    if float(away @ wanted) > 0:
        return anchor
    return b.cmd("Reflect", (anchor, _foot(b, o1, c2).label), "point").label
