"""Constructions of several points, and free shapes: how their points are written."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..loci import Circle, Line, cross, line_circle, line_line, norm, rot90, rotate
from .builder import (
    Builder,
    angle,
    circle_at,
    locus_bisect,
    locus_dia,
    locus_exbisect,
    locus_pline,
    locus_tline,
    meet,
    rotated,
    through,
)

# ----------------------------------------------------------------------------- shapes

Shape = Callable[[Builder, tuple[str, ...], tuple[str, ...]], None]
"""Writes the new points (labels, in the construction's order) from the inputs (labels)."""


def _turn(b: Builder, p: str, centre: str, to: str, degrees: int) -> str:
    """'+degrees' or '-degrees', whichever turns ``p`` about ``centre`` onto ``to``."""
    v = b.target[p] - b.target[centre]
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    turned = b.target[centre] + np.array((c * v[0] - s * v[1], s * v[0] + c * v[1]))
    return f"{degrees}°" if norm(turned - b.target[to]) < 1e-6 * max(norm(v), 1.0) \
        else f"-{degrees}°"


def _all_free(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    for p in new:
        b.free(p)


def _s_isos(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = new  # apex a
    _all_free(b, (p, q), inp)
    b.point(a, "Point", (b.cmd("PerpendicularBisector", (p, q), "line").label,))


def _s_r_triangle(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = new  # right angle at a
    _all_free(b, (a, p), inp)
    b.point(q, "Point", (locus_tline(b, (a, a, p)).label,))


def _rotated(degrees: int) -> Shape:
    def shape(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
        a, p, q = new[:3]  # q is p turned about a
        _all_free(b, (a, p), inp)
        b.point(q, "Rotate", (p, _turn(b, p, a, q, degrees), a))
    return shape


def _s_triangle12(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = new  # |aq| = 2 |ap|
    _all_free(b, (a, p), inp)
    far = b.cmd("Dilate", (p, "2", a), "point")
    b.point(q, "Point", (circle_at(b, a, far.label).label,))


def _s_rectangle(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q, d = new
    _all_free(b, (a, p), inp)
    b.point(q, "Point", (locus_tline(b, (p, a, p)).label,))
    b.point(d, "Translate", (q, b.cmd("Vector", (p, a), "vector").label))


def _s_isquare(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q, d = new
    _all_free(b, (a, p), inp)
    b.point(q, "Rotate", (a, _turn(b, a, p, q, 90), p))
    b.point(d, "Translate", (q, b.cmd("Vector", (p, a), "vector").label))


def _s_trapezoid(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q, d = new  # ap parallel to qd
    _all_free(b, (a, p, q), inp)
    b.point(d, "Point", (locus_pline(b, (q, a, p)).label,))


def _s_r_trapezoid(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q, d = new  # ap parallel to qd, right angle at a
    _all_free(b, (a, p), inp)
    b.point(d, "Point", (locus_tline(b, (a, a, p)).label,))
    b.point(q, "Point", (locus_pline(b, (d, a, p)).label,))


def _s_eq_trapezoid(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q, d = new  # d: q mirrored across the bisector of ap
    _all_free(b, (a, p, q), inp)
    b.point(d, "Reflect", (q, b.cmd("PerpendicularBisector", (a, p), "line").label))


def _compass_shape(centre: int, one: int, two: int) -> Shape:
    def shape(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
        _all_free(b, new[:3], inp)  # the fourth at distance |new[one] new[two]| of new[centre]
        circle = b.cmd("Compass", (new[one], new[two], new[centre]), "conic")
        b.point(new[3], "Point", (circle.label,))
    return shape


def _s_square(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p = inp
    b.point(new[0], "Rotate", (a, "90°", p))
    b.point(new[1], "Rotate", (p, "-90°", a))


def _feet(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    """The feet of the centre ``new[3]`` on bc, ca, ab."""
    a, p, q = inp
    for foot, (u, v) in zip(new[:3], ((p, q), (q, a), (a, p))):
        side = through(b, u, v)
        perp = b.cmd("PerpendicularLine", (new[3], side.label), "line")
        b.point(foot, "Intersect", (side.label, perp.label))


def _s_incenter2(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = inp
    b.point(new[3], "Intersect", (locus_bisect(b, (p, a, q)).label,
                                  locus_bisect(b, (a, p, q)).label))
    _feet(b, new, inp)


def _s_excenter2(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = inp
    b.point(new[3], "Intersect", (locus_bisect(b, (p, a, q)).label,
                                  locus_exbisect(b, (a, p, q)).label))
    _feet(b, new, inp)


def _midpoints(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = inp
    for m, (u, v) in zip(new[:3], ((p, q), (q, a), (a, p))):
        b.point(m, "Midpoint", (u, v))


def _s_centroid(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    _midpoints(b, new, inp)
    b.point(new[3], "Intersect", (through(b, inp[0], new[0]).label,
                                  through(b, inp[1], new[1]).label))


def _s_ninepoints(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    _midpoints(b, new, inp)
    b.point(new[3], "Center", (b.cmd("Circle", new[:3], "conic").label,))


def _s_e5128(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, c, d = inp
    x, y = new
    b.point(y, "Midpoint", (a, p))
    line, circle = through(b, d, y), circle_at(b, c, p)
    ty, tp = b.target[y], b.target[p]
    meet(b, (line, Line.through(b.target[d], ty)),
         (circle, Circle(b.target[c], norm(tp - b.target[c]))), x)


def _s_3peq(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p, q = inp
    x, y, z = new
    b.point(z, "Point", (through(b, p, q).label,))
    w = b.cmd("Reflect", (q, z), "point")
    par = b.cmd("Line", (w.label, through(b, a, q).label), "line")
    b.point(x, "Intersect", (par.label, through(b, a, p).label))
    b.point(y, "Reflect", (x, z))


def _s_trisect(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, apex, c = inp
    ta, tb, tc = b.target[a], b.target[apex], b.target[c]
    turn = cross(ta - tb, tc - tb)
    start, end = (a, c) if turn > 0 else (c, a)  # the angle turned anticlockwise, below 180
    total = abs(math.atan2(turn, float((ta - tb) @ (tc - tb))))
    ang = angle(b, start, apex, end).label
    side = through(b, a, c)
    for k, fraction in ((1, f"{ang}/3"), (2, f"2{ang}/3")):
        ray = through(b, apex, rotated(b, start, fraction, apex).label)
        hit = line_line(Line(tb, rotate(b.target[start] - tb, total * k / 3)),
                        Line.through(ta, tc))
        label = min(new, key=lambda n: norm(b.target[n] - hit[0]))
        b.point(label, "Intersect", (ray.label, side.label))


def _s_trisegment(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, p = inp
    b.point(new[0], "Dilate", (p, "1/3", a))
    b.point(new[1], "Dilate", (p, "2/3", a))


def _s_tangent(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    a, o, p = inp
    circle = circle_at(b, o, p)
    dia = locus_dia(b, (a, o))
    ta, to = b.target[a], b.target[o]
    loci = (Circle(to, norm(b.target[p] - to)), Circle((ta + to) / 2, norm(ta - to) / 2))
    for x in new:
        meet(b, (circle, loci[0]), (dia, loci[1]), x)






def _s_eqangle2(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    """x with angle (ab, ax) = angle (cx, cb), as AlphaGeometry draws it: e on line bc, y the
    second point of line ba on the circle aec, x where lines cy and ae meet (e is free on bc:
    the one degree of freedom of x)."""
    a, p, c = inp
    (x,) = new
    bc = through(b, p, c)
    at = line_line(Line.through(b.target[a], b.target[x]), Line.through(b.target[p],
                                                                        b.target[c]))[0]
    e = b.cmd("Point", (bc.label,), "point", at=at, cache=False)
    circle = b.cmd("Circle", (a, e.label, c), "conic")
    axis = b.cmd("PerpendicularLine", (b.cmd("Center", (circle.label,), "point").label,
                                       through(b, p, a).label), "line")
    y = b.cmd("Reflect", (a, axis.label), "point")
    b.point(x, "Intersect", (through(b, c, y.label).label, through(b, a, e.label).label))


def _s_cc_tangent(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    """Common external tangents of circles (o, oa) and (w, wb): through their external centre
    of similarity q, touching (o, oa) where it meets the circle on diameter oq."""
    o, a, w, p = inp
    to, ta, tw, tp = (b.target[n] for n in inp)
    ra, rb = norm(ta - to), norm(tp - tw)
    k1, k2 = circle_at(b, o, a), circle_at(b, w, p)
    n = rot90(tw - to)  # parallel radii of the two circles, square to ow
    r1 = rotated(b, w, "90°", o)
    a1 = b.cmd("Intersect", (b.cmd("Ray", (o, r1.label), "ray", anchor=o).label, k1.label,
                             r1.label), "point", at=to + n * ra / norm(n))
    r2 = b.cmd("Translate", (w, b.cmd("Vector", (o, r1.label), "vector").label), "point")
    a2 = b.cmd("Intersect", (b.cmd("Ray", (w, r2.label), "ray", anchor=w).label, k2.label,
                             r2.label), "point", at=tw + n * rb / norm(n))
    tq = to + (tw - to) * ra / (ra - rb)
    q = b.cmd("Intersect", (through(b, a1.label, a2.label).label, through(b, o, w).label),
              "point",
              at=tq)
    dia = locus_dia(b, (o, q.label))
    loci = (Circle(to, ra), Circle((to + tq) / 2, norm(tq - to) / 2))
    for x, y in zip(new[::2], new[1::2]):
        meet(b, (k1, loci[0]), (dia, loci[1]), label=x)
        tangent = through(b, x, q.label)
        b.point(y, "Intersect", (tangent.label, b.cmd("PerpendicularLine", (w, tangent.label),
                                                      "line").label))


def _s_2l1c(b: Builder, new: tuple[str, ...], inp: tuple[str, ...]) -> None:
    """The circle tangent to lines ca, cb and internally to circle (o, oa), drawn as
    AlphaGeometry draws it (``sketches.sk_2l1c``), each step a command."""
    a, p, c, o = inp
    ta, tp, tc, to = (b.target[n] for n in inp)
    circle = Circle(to, norm(ta - to))
    k = circle_at(b, o, a)
    sides = []
    for (u, v), away in (((p, c), ta), ((a, c), tp)):  # the far point of k from each side
        side, num = through(b, u, v), Line.through(b.target[u], b.target[v])
        perp = b.cmd("PerpendicularLine", (o, side.label), "line")
        cands = line_circle(Line(to, rot90(num.d)), circle)
        at = next(q for q in cands if num.side(q) * num.side(away) < 0)
        sides.append((side, num, meet(b, (perp, Line(to, rot90(num.d))), (k, circle),
                                      target=at), at))
    (bc, bc_num, d, td), (ac, ac_num, e, te) = sides
    tf = line_line(Line(td, bc_num.d), Line(te, ac_num.d))[0]
    f = b.cmd("Intersect", (b.cmd("Line", (d, bc.label), "line").label,
                            b.cmd("Line", (e, ac.label), "line").label), "point", at=tf)
    meet(b, (through(b, c, f.label), Line.through(tc, tf)), (k, circle), label=new[2])
    b.point(new[3], "Intersect", (locus_bisect(b, (a, c, p)).label,
                                  through(b, o, new[2]).label))
    for foot, side in ((new[0], ac), (new[1], bc)):
        perp = b.cmd("PerpendicularLine", (new[3], side.label), "line")
        b.point(foot, "Intersect", (side.label, perp.label))


SHAPES: dict[str, Shape] = {
    **{name: _all_free for name in ("free", "segment", "triangle", "quadrangle", "pentagon")},
    "isos": _s_isos, "r_triangle": _s_r_triangle, "risos": _rotated(90),
    "ieq_triangle": _rotated(60), "triangle12": _s_triangle12, "rectangle": _s_rectangle,
    "isquare": _s_isquare, "trapezoid": _s_trapezoid, "r_trapezoid": _s_r_trapezoid,
    "eq_trapezoid": _s_eq_trapezoid, "eq_quadrangle": _compass_shape(0, 1, 2),
    "eqdia_quadrangle": _compass_shape(1, 0, 2),
    "square": _s_square, "incenter2": _s_incenter2, "excenter2": _s_excenter2,
    "centroid": _s_centroid, "ninepoints": _s_ninepoints, "e5128": _s_e5128,
    "3peq": _s_3peq, "trisect": _s_trisect, "trisegment": _s_trisegment,
    "tangent": _s_tangent, "eqangle2": _s_eqangle2, "cc_tangent": _s_cc_tangent,
    "cc_tangent0": _s_cc_tangent, "2l1c": _s_2l1c,
}
"""Sketches of several points (and free shapes): how their points are written."""
