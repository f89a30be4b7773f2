"""Loci and their intersections: lines, half-lines, circles and finite point sets.

The numeric meaning of the constructions (``sketches.py``) is written in terms of these;
the diagram builder (``numeric.py``) intersects the loci of a clause's constructions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Vec = np.ndarray
EPS = 1e-12
ON_TOL = 1e-6  # membership tolerance of a point on a locus (diagram scale ~1)


class SketchError(ArithmeticError):
    """A locus or an intersection does not exist for these coordinates (a degenerate draw)."""


# ----------------------------------------------------------------------------- vector helpers


def vec(x: float, y: float) -> Vec:
    return np.array((x, y), dtype=float)


def norm(v: Vec) -> float:
    return math.hypot(float(v[0]), float(v[1]))


def unit(v: Vec) -> Vec:
    n = norm(v)
    if n < EPS:
        raise SketchError("zero-length vector")
    return v / n


def rot90(v: Vec) -> Vec:
    """``v`` turned by +90 degrees."""
    return np.array((-v[1], v[0]))


def rotate(v: Vec, ang: float) -> Vec:
    """``v`` turned by ``ang`` radians (counter-clockwise)."""
    c, s = math.cos(ang), math.sin(ang)
    return np.array((c * v[0] - s * v[1], s * v[0] + c * v[1]))


def angle_of(v: Vec) -> float:
    return math.atan2(float(v[1]), float(v[0]))


def cross(u: Vec, v: Vec) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def circumcenter(a: Vec, b: Vec, c: Vec) -> Vec:
    ab, ac = b - a, c - a
    d = 2.0 * cross(ab, ac)
    if abs(d) < EPS:
        raise SketchError("collinear points have no circumcircle")
    b2, c2 = float(ab @ ab), float(ac @ ac)
    return a + np.array(((ac[1] * b2 - ab[1] * c2) / d, (ab[0] * c2 - ac[0] * b2) / d))


# ----------------------------------------------------------------------------- loci


@dataclass(frozen=True, eq=False)
class Line:
    """The points ``p + t d`` for real t (``d`` is normalised on creation)."""

    p: Vec
    d: Vec

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", unit(self.d))

    @staticmethod
    def through(a: Vec, b: Vec) -> Line:
        return Line(a, b - a)

    def foot(self, x: Vec) -> Vec:
        return self.p + float((x - self.p) @ self.d) * self.d

    def side(self, x: Vec) -> float:
        """Signed distance-like value: which side of the line ``x`` is on."""
        return cross(self.d, x - self.p)


@dataclass(frozen=True, eq=False)
class Ray(Line):
    """The half-line ``p + t d`` for t >= 0."""


@dataclass(frozen=True, eq=False)
class Circle:
    c: Vec
    r: float


@dataclass(frozen=True, eq=False)
class PointSet:
    """A finite set of candidate points (a fully determined construction)."""

    points: tuple[Vec, ...]


Locus = Line | Ray | Circle | PointSet


def contains(locus: Locus, x: Vec, tol: float = ON_TOL) -> bool:
    """Is ``x`` on ``locus`` (within ``tol``)?"""
    if isinstance(locus, PointSet):
        return any(norm(x - p) <= tol for p in locus.points)
    if isinstance(locus, Circle):
        return abs(norm(x - locus.c) - locus.r) <= tol
    if abs(locus.side(x)) > tol:
        return False
    return not isinstance(locus, Ray) or float((x - locus.p) @ locus.d) >= -tol


def line_line(a: Line, b: Line) -> list[Vec]:
    den = cross(a.d, b.d)
    if abs(den) < 1e-9:
        return []
    t = cross(b.p - a.p, b.d) / den
    return [a.p + t * a.d]


def line_circle(a: Line, c: Circle) -> list[Vec]:
    f = a.foot(c.c)
    h2 = c.r * c.r - float((c.c - f) @ (c.c - f))
    if h2 < 0:
        return [f] if h2 > -1e-12 * max(c.r * c.r, 1.0) else []
    h = math.sqrt(h2)
    return [f - h * a.d, f + h * a.d]


def circle_circle(a: Circle, b: Circle) -> list[Vec]:
    v = b.c - a.c
    d = norm(v)
    if d < EPS:
        return []
    x = (a.r * a.r - b.r * b.r + d * d) / (2 * d)
    h2 = a.r * a.r - x * x
    if h2 < -1e-12 * max(a.r * a.r, 1.0):
        return []
    u = v / d
    m = a.c + x * u
    h = math.sqrt(max(h2, 0.0))
    return [m - h * rot90(u), m + h * rot90(u)]


def intersect(a: Locus, b: Locus) -> list[Vec]:
    """The intersection points of two loci (empty when they do not meet).

    A half-line keeps only its own side when it meets a circle; against another line it
    counts as its whole line (AlphaGeometry's ``HalfLine.intersect``).
    """
    if isinstance(a, PointSet):
        return [p for p in a.points if contains(b, p)]
    if isinstance(b, PointSet):
        return intersect(b, a)
    if isinstance(a, Circle) and isinstance(b, Circle):
        return circle_circle(a, b)
    if isinstance(a, Circle):
        a, b = b, a
    assert isinstance(a, Line)
    if not isinstance(b, Circle):  # as in AG1, a half-line meets a line as its full line
        return line_line(a, b)
    return [p for p in line_circle(a, b) if _ray_ok(a, p)]


def _ray_ok(locus: Locus, x: Vec) -> bool:
    return not isinstance(locus, Ray) or float((x - locus.p) @ locus.d) >= -ON_TOL
