"""Loci and sketch functions: the numeric meaning of every sketch name of ``defs.txt``.

Line 5 of each definition names the loci its new point lies on (``tline a b c, line b c``).
Each sketch name maps, in the explicit registry ``SKETCHES``, to a function from the
coordinates of its arguments (floats for numeric arguments such as the degrees of
``s_angle``) and a random generator to either

* a locus (``Line``, ``Ray``, ``Circle`` or a finite ``PointSet``) holding the new point;
  the diagram builder intersects the loci of all constructions of a clause, or samples a
  point on a single locus; or
* a tuple of points, one per new point of the construction, for free constructions
  (``triangle``) and multi-point ones (``incenter2``, ``square``, ``2l1c``...).

The semantics follow AlphaGeometry 1's ``numericals.py`` (``sketch_*``), with the angle
convention of ``predicates.SAngle``: ``s_angle a b x y`` puts x on the line through b in
direction ``rotate(a - b, +y degrees)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .loci import (
    EPS,
    Circle,
    Line,
    Locus,
    PointSet,
    Ray,
    SketchError,
    Vec,
    angle_of,
    circle_circle,
    circumcenter,
    contains,
    intersect,
    line_circle,
    line_line,
    norm,
    rot90,
    rotate,
    unit,
    vec,
)

__all__ = ["SKETCHES", "Circle", "Line", "Locus", "PointSet", "Ray", "SketchError",
           "contains", "intersect", "random_rfss"]

# ----------------------------------------------------------------------------- free shapes

Points = tuple[Vec, ...]
Sketch = Callable[[tuple, np.random.Generator], Locus | Points]


def random_rfss(points: list[Vec], rng: np.random.Generator) -> Points:
    """Centre, randomly rotate, scale (0.5..2), shift ([-1, 1]^2) and maybe flip a shape."""
    pts = np.array(points, dtype=float)
    pts -= pts.mean(axis=0)
    ang = rng.uniform(0.0, 2 * math.pi)
    c, s = math.cos(ang), math.sin(ang)
    pts = pts @ np.array(((c, s), (-s, c))) * rng.uniform(0.5, 2.0) + rng.uniform(-1, 1, 2)
    if rng.random() < 0.5:
        pts[:, 0] = -pts[:, 0]
    return tuple(p.copy() for p in pts)


def _random_points(n: int, rng: np.random.Generator) -> Points:
    return tuple(rng.uniform(-1.0, 1.0, (n, 2)))


def _head(a: Vec, ang: float, length: float) -> Vec:
    return a + length * vec(math.cos(ang), math.sin(ang))


def sk_free(args: tuple, rng: np.random.Generator) -> Points:
    return _random_points(1, rng)


def sk_segment(args: tuple, rng: np.random.Generator) -> Points:
    return _random_points(2, rng)


def sk_quadrangle(args: tuple, rng: np.random.Generator) -> Points:
    return _random_points(4, rng)


def sk_triangle(args: tuple, rng: np.random.Generator) -> Points:
    a, b = vec(0, 0), vec(1, 0)
    c = _head(a, rng.uniform(0.2, 0.8) * math.pi, rng.uniform(0.5, 2.0))
    return random_rfss([a, b, c], rng)


def sk_pentagon(args: tuple, rng: np.random.Generator) -> Points:
    pts, ang = [vec(1, 0)], 0.0
    for i in range(4):
        ang += (2 * math.pi - ang) / (5 - i) * rng.uniform(0.5, 1.5)
        pts.append(vec(math.cos(ang), math.sin(ang)))
    return random_rfss(pts, rng)


def sk_isos(args: tuple, rng: np.random.Generator) -> Points:
    """``iso_triangle a b c``: apex a, |ab| = |ac|."""
    base, height = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5)
    return random_rfss([vec(0, height), vec(-base / 2, 0), vec(base / 2, 0)], rng)


def sk_r_triangle(args: tuple, rng: np.random.Generator) -> Points:
    """Right angle at a."""
    b, c = vec(0, rng.uniform(0.5, 2.0)), vec(rng.uniform(0.5, 2.0), 0)
    return random_rfss([vec(0, 0), b, c], rng)


def sk_risos(args: tuple, rng: np.random.Generator) -> Points:
    return random_rfss([vec(0, 0), vec(1, 0), vec(0, 1)], rng)


def sk_ieq_triangle(args: tuple, rng: np.random.Generator) -> Points:
    return random_rfss([vec(0, 0), vec(1, 0), vec(0.5, math.sqrt(3) / 2)], rng)


def sk_triangle12(args: tuple, rng: np.random.Generator) -> Points:
    """``ab : ac = 1 : 2``."""
    b, c = vec(0, 0), vec(rng.uniform(1.5, 2.5), 0)
    a = circle_circle(Circle(b, 1.0), Circle(c, 2.0))[0]
    return random_rfss([a, b, c], rng)


def sk_rectangle(args: tuple, rng: np.random.Generator) -> Points:
    w = rng.uniform(0.5, 2.0)
    return random_rfss([vec(0, 0), vec(0, 1), vec(w, 1), vec(w, 0)], rng)


def sk_isquare(args: tuple, rng: np.random.Generator) -> Points:
    return random_rfss([vec(0, 0), vec(1, 0), vec(1, 1), vec(0, 1)], rng)


def sk_trapezoid(args: tuple, rng: np.random.Generator) -> Points:
    """``ab`` parallel to ``cd``."""
    base, height = rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0)
    a = vec(rng.uniform(0.2, 0.5), height)
    return random_rfss([a, vec(a[0] + base, height), vec(1, 0), vec(0, 0)], rng)


def sk_r_trapezoid(args: tuple, rng: np.random.Generator) -> Points:
    """``ab`` parallel to ``cd``, right angle at a."""
    b, c = vec(rng.uniform(0.5, 1.5), 1), vec(rng.uniform(0.5, 1.5), 0)
    return random_rfss([vec(0, 1), b, c, vec(0, 0)], rng)


def sk_eq_trapezoid(args: tuple, rng: np.random.Generator) -> Points:
    """Isosceles trapezoid: ``dc`` parallel to ``ab``, |da| = |bc|."""
    top, height = rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0)
    c, d = vec(0.5 + top / 2, height), vec(0.5 - top / 2, height)
    return random_rfss([vec(0, 0), vec(1, 0), c, d], rng)


def sk_eq_quadrangle(args: tuple, rng: np.random.Generator) -> Points:
    """|da| = |bc|."""
    a, b = vec(0, 0), vec(1, 0)
    length = rng.uniform(0.5, 2.0)
    ang = rng.uniform(math.pi / 3, math.pi * 2 / 3)
    d = _head(a, ang, length)
    bd = angle_of(d - b)
    c = _head(b, rng.uniform(bd / 10, bd / 9), length)
    return random_rfss([a, b, c, d], rng)


def sk_eqdia_quadrangle(args: tuple, rng: np.random.Generator) -> Points:
    """Equal diagonals |ac| = |bd|."""
    m, n = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)
    ang = rng.uniform(-0.25 * math.pi, 0.25 * math.pi)
    a, c = vec(-m, 0), vec(1 - m, 0)
    b, d = rotate(vec(0, -n), ang), rotate(vec(0, 1 - n), ang)
    return random_rfss([a, b, c, d], rng)


# ----------------------------------------------------------------------------- loci sketches


def _first(points: list[Vec]) -> Vec:
    if not points:
        raise SketchError("the loci do not meet")
    return points[0]


def sk_line(args: tuple, rng: np.random.Generator) -> Line:
    a, b = args
    return Line.through(a, b)


def sk_pline(args: tuple, rng: np.random.Generator) -> Line:
    """The line through a parallel to bc."""
    a, b, c = args
    return Line(a, c - b)


def sk_tline(args: tuple, rng: np.random.Generator) -> Line:
    """The line through a perpendicular to bc."""
    a, b, c = args
    return Line(a, rot90(c - b))


def sk_bline(args: tuple, rng: np.random.Generator) -> Line:
    """The perpendicular bisector of ab."""
    a, b = args
    return Line((a + b) / 2, rot90(b - a))


def sk_circle(args: tuple, rng: np.random.Generator) -> Circle:
    """The circle centred at a with radius |bc|."""
    a, b, c = args
    return Circle(a, norm(c - b))


def sk_dia(args: tuple, rng: np.random.Generator) -> Circle:
    """The circle with diameter ab."""
    a, b = args
    return Circle((a + b) / 2, norm(b - a) / 2)


def sk_cyclic(args: tuple, rng: np.random.Generator) -> Circle:
    """The circle through a, b, c."""
    a, b, c = args
    o = circumcenter(a, b, c)
    return Circle(o, norm(a - o))


def _bisector(a: Vec, b: Vec, c: Vec) -> Vec:
    """Direction of the internal bisector of angle abc."""
    return unit(a - b) + unit(c - b)


def sk_bisect(args: tuple, rng: np.random.Generator) -> Line:
    """The internal bisector of angle abc (through b)."""
    a, b, c = args
    return Line(b, _bisector(a, b, c))


def sk_exbisect(args: tuple, rng: np.random.Generator) -> Line:
    """The external bisector of angle abc (through b)."""
    a, b, c = args
    return Line(b, rot90(_bisector(a, b, c)))


def sk_amirror(args: tuple, rng: np.random.Generator) -> Ray:
    """The half-line from b mirroring ray ba across line bc."""
    a, b, c = args
    return Ray(b, rotate(unit(a - b), 2 * (angle_of(c - b) - angle_of(a - b))))


def sk_aline(args: tuple, rng: np.random.Generator) -> Ray:
    """``aline e d c b a`` (from ``on_aline x a b c d e``): the half-line from a with
    the directed angle from line ax to line ab equal to the one from dc to de."""
    e, d, c, b, a = args
    ang = angle_of(b - a) + angle_of(c - d) - angle_of(e - d)
    return Ray(a, vec(math.cos(ang), math.sin(ang)))


def _arc_circle(a: Vec, b: Vec, theta: float) -> Circle:
    """The circle of the points x with directed angle (xa, xb) = theta (mod pi).

    By the tangent-chord theorem the tangent at a makes angle theta with ab.
    """
    tangent = rotate(b - a, -theta)
    o = _first(line_line(Line(a, rot90(tangent)), Line((a + b) / 2, rot90(b - a))))
    return Circle(o, norm(a - o))


def sk_aline2(args: tuple, rng: np.random.Generator) -> Circle:
    """``aline2 e d c b a`` (from ``on_aline2 x a b c d e``): angle (xa, xb) = (dc, de)."""
    e, d, c, b, a = args
    return _arc_circle(a, b, angle_of(e - d) - angle_of(c - d))


def sk_eqangle3(args: tuple, rng: np.random.Generator) -> Circle:
    """``eqangle3 a b d e f``: the points x with angle (xa, xb) = angle (de, df)."""
    a, b, d, e, f = args
    return _arc_circle(a, b, angle_of(f - d) - angle_of(e - d))


def sk_eqangle2(args: tuple, rng: np.random.Generator) -> PointSet:
    """A random x with angle (ab, ax) = angle (cx, cb) (AG1: via a, y, e, c concyclic)."""
    a, b, c = args
    ba, bc = norm(a - b), norm(c - b)
    if ba < EPS or bc < EPS:
        raise SketchError("degenerate triangle")
    ell = ba * ba / bc
    if rng.random() < 0.5:
        be = rng.uniform(0.1, 0.9) * min(ell, bc)
    else:
        be = rng.uniform(1.1, 1.5) * max(ell, bc)
    e = b + (c - b) * (be / bc)
    y = b + (a - b) * (be / ell)
    return PointSet((_first(line_line(Line.through(c, y), Line.through(a, e))),))


def sk_s_angle(args: tuple, rng: np.random.Generator) -> Line:
    """``s_angle a b y``: the line through b turned y degrees from line ba."""
    a, b, y = args
    return Line(b, rotate(a - b, math.radians(y)))


def sk_on_opline(args: tuple, rng: np.random.Generator) -> Ray:
    """The half-line from a pointing away from b."""
    a, b = args
    return Ray(a, a - b)


def sk_midp(args: tuple, rng: np.random.Generator) -> PointSet:
    a, b = args
    return PointSet(((a + b) / 2,))


def sk_pmirror(args: tuple, rng: np.random.Generator) -> PointSet:
    """The mirror image of a through b."""
    a, b = args
    return PointSet((2 * b - a,))


def sk_reflect(args: tuple, rng: np.random.Generator) -> PointSet:
    """The reflection of a across line bc."""
    a, b, c = args
    return PointSet((2 * Line.through(b, c).foot(a) - a,))


def sk_rotaten90(args: tuple, rng: np.random.Generator) -> PointSet:
    a, b = args
    return PointSet((a - rot90(b - a),))


def sk_rotatep90(args: tuple, rng: np.random.Generator) -> PointSet:
    a, b = args
    return PointSet((a + rot90(b - a),))


def sk_shift(args: tuple, rng: np.random.Generator) -> PointSet:
    """``shift d c b`` (from ``shift x b c d``): x = b + (c - d)."""
    d, c, b = args
    return PointSet((b + c - d,))


# ----------------------------------------------------------------------------- multi-point


def sk_square(args: tuple, rng: np.random.Generator) -> Points:
    """``square a b x y``: abxy a square."""
    a, b = args
    return b + rot90(a - b), a - rot90(b - a)


def _incircle_feet(i: Vec, a: Vec, b: Vec, c: Vec) -> Points:
    return (Line.through(b, c).foot(i), Line.through(c, a).foot(i),
            Line.through(a, b).foot(i), i)


def sk_incenter2(args: tuple, rng: np.random.Generator) -> Points:
    """Feet on bc, ca, ab of the incentre, then the incentre."""
    a, b, c = args
    i = _first(line_line(Line(a, _bisector(b, a, c)), Line(b, _bisector(a, b, c))))
    return _incircle_feet(i, a, b, c)


def sk_excenter2(args: tuple, rng: np.random.Generator) -> Points:
    """Feet on bc, ca, ab of the excentre opposite a, then the excentre."""
    a, b, c = args
    i = _first(line_line(Line(a, _bisector(b, a, c)), Line(b, rot90(_bisector(a, b, c)))))
    return _incircle_feet(i, a, b, c)


def sk_centroid(args: tuple, rng: np.random.Generator) -> Points:
    a, b, c = args
    return (b + c) / 2, (c + a) / 2, (a + b) / 2, (a + b + c) / 3


def sk_ninepoints(args: tuple, rng: np.random.Generator) -> Points:
    a, b, c = args
    x, y, z = (b + c) / 2, (c + a) / 2, (a + b) / 2
    return x, y, z, circumcenter(x, y, z)


def sk_2l1c(args: tuple, rng: np.random.Generator) -> Points:
    """The circle tangent to lines ca, cb (inside angle acb) and internally to circle (o, oa).

    Returns the tangency points on ac, bc and on the circle, then the centre (AG1).
    """
    a, b, c, o = args
    bc, ac = Line.through(b, c), Line.through(a, c)
    circle = Circle(o, norm(a - o))
    d = _opposite(line_circle(Line(o, rot90(bc.d)), circle), bc, a)
    e = _opposite(line_circle(Line(o, rot90(ac.d)), circle), ac, b)
    f = _first(line_line(Line(d, bc.d), Line(e, ac.d)))
    gs = line_circle(Line.through(c, f), circle)
    if len(gs) < 2:
        raise SketchError("no tangent circle")
    g = gs[1] if bc.side(gs[1]) * bc.side(a) > 0 else gs[0]
    x = _first(line_line(Line(c, _bisector(a, c, b)), Line.through(o, g)))
    return ac.foot(x), bc.foot(x), g, x


def _opposite(points: list[Vec], line: Line, ref: Vec) -> Vec:
    """The point of a pair on the other side of ``line`` from ``ref`` (else the first)."""
    if len(points) < 2:
        raise SketchError("the loci do not meet")
    return points[1] if line.side(points[1]) * line.side(ref) < 0 else points[0]


def sk_e5128(args: tuple, rng: np.random.Generator) -> Points:
    """x: second intersection of line d-y with circle (c, cb); y: midpoint of ab."""
    a, b, c, d = args
    y = (a + b) / 2
    pts = line_circle(Line.through(d, y), Circle(c, norm(b - c)))
    if len(pts) < 2:
        raise SketchError("the loci do not meet")
    x = max(pts, key=lambda p: norm(p - d))
    return x, y


def sk_3peq(args: tuple, rng: np.random.Generator) -> Points:
    """x on ab, y on ac, z on bc with z the midpoint of xy."""
    a, b, c = args
    z = b + (c - b) * rng.uniform(-0.5, 1.5)
    x = _first(line_line(Line(2 * z - c, a - c), Line.through(a, b)))
    return x, 2 * z - x, z


def sk_trisect(args: tuple, rng: np.random.Generator) -> Points:
    """The trisectors of angle abc meeting ac at x (next to a) and y (next to c)."""
    a, b, c = args
    ang1, ang2 = angle_of(a - b), angle_of(c - b)
    swap = 0
    if ang1 > ang2:
        ang1, ang2 = ang2, ang1
        swap += 1
    if ang2 - ang1 > math.pi:
        ang1, ang2 = ang2, ang1 + 2 * math.pi
        swap += 1
    angx, angy = ang1 + (ang2 - ang1) / 3, ang2 - (ang2 - ang1) / 3
    ac = Line.through(a, c)
    x = _first(line_line(Line(b, vec(math.cos(angx), math.sin(angx))), ac))
    y = _first(line_line(Line(b, vec(math.cos(angy), math.sin(angy))), ac))
    return (y, x) if swap == 1 else (x, y)


def sk_trisegment(args: tuple, rng: np.random.Generator) -> Points:
    a, b = args
    return a + (b - a) / 3, a + (b - a) * (2 / 3)


def sk_tangent(args: tuple, rng: np.random.Generator) -> Points:
    """The tangency points of the tangents from a to the circle (o, ob)."""
    a, o, b = args
    pts = circle_circle(Circle(o, norm(b - o)), sk_dia((a, o), rng))
    if len(pts) < 2:
        raise SketchError("a is inside the circle")
    return pts[0], pts[1]


def sk_cc_tangent(args: tuple, rng: np.random.Generator) -> Points:
    """The two external common tangents xy and zi of circles (o, oa) and (w, wb)."""
    o, a, w, b = args
    ra, rb = norm(a - o), norm(b - w)
    if abs(ra - rb) <= 1e-12 * max(ra, rb, 1.0):
        x, z = line_circle(Line(o, rot90(w - o)), Circle(o, ra))
        return x, x + w - o, z, z + w - o
    swap = rb > ra
    if swap:
        o, a, w, b, ra, rb = w, b, o, a, rb, ra
    q = o + (w - o) * ra / (ra - rb)
    pts = circle_circle(sk_dia((o, q), rng), Circle(o, ra))
    if len(pts) < 2:
        raise SketchError("one circle lies inside the other")
    x, z = pts
    y, t = Line.through(x, q).foot(w), Line.through(z, q).foot(w)
    return (y, x, t, z) if swap else (x, y, z, t)


def sk_cc_tangent0(args: tuple, rng: np.random.Generator) -> Points:
    return sk_cc_tangent(args, rng)[:2]


SKETCHES: dict[str, Sketch] = {
    # free shapes
    "free": sk_free, "segment": sk_segment, "triangle": sk_triangle,
    "quadrangle": sk_quadrangle, "pentagon": sk_pentagon, "isos": sk_isos,
    "r_triangle": sk_r_triangle, "risos": sk_risos, "ieq_triangle": sk_ieq_triangle,
    "triangle12": sk_triangle12, "rectangle": sk_rectangle, "isquare": sk_isquare,
    "trapezoid": sk_trapezoid, "r_trapezoid": sk_r_trapezoid, "eq_trapezoid": sk_eq_trapezoid,
    "eq_quadrangle": sk_eq_quadrangle, "eqdia_quadrangle": sk_eqdia_quadrangle,
    # loci of one new point
    "line": sk_line, "pline": sk_pline, "tline": sk_tline, "bline": sk_bline,
    "circle": sk_circle, "dia": sk_dia, "cyclic": sk_cyclic, "bisect": sk_bisect,
    "exbisect": sk_exbisect, "amirror": sk_amirror, "aline": sk_aline, "aline2": sk_aline2,
    "eqangle2": sk_eqangle2, "eqangle3": sk_eqangle3, "s_angle": sk_s_angle,
    "on_opline": sk_on_opline, "midp": sk_midp, "pmirror": sk_pmirror, "reflect": sk_reflect,
    "rotaten90": sk_rotaten90, "rotatep90": sk_rotatep90, "shift": sk_shift,
    # several new points at once
    "square": sk_square, "incenter2": sk_incenter2, "excenter2": sk_excenter2,
    "centroid": sk_centroid, "ninepoints": sk_ninepoints, "2l1c": sk_2l1c,
    "e5128": sk_e5128, "3peq": sk_3peq, "trisect": sk_trisect, "trisegment": sk_trisegment,
    "tangent": sk_tangent, "cc_tangent": sk_cc_tangent, "cc_tangent0": sk_cc_tangent0,
}


def codimension(name: str) -> int | None:
    """The degrees of freedom the locus ``name`` (of ``SKETCHES``) takes from its new point:
    1 for a curve (a line, ray or circle), 2 for a finite point set; None for a shape that
    places new points of its own (free points, several points at once). Read from the sketch
    function's declared return type (a KeyError for any other, so that a new sketch must
    declare one of these)."""
    return _CODIMENSION[SKETCHES[name].__annotations__["return"]]


_CODIMENSION: dict[str, int | None] = {"Line": 1, "Ray": 1, "Circle": 1, "PointSet": 2,
                                       "Points": None}
