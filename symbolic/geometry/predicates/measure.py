"""Numeric helpers the predicates' checks are written with: directions, lengths, full angles,
collinearity and concyclicity of points on a diagram (tolerance ``TOL``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Vec = np.ndarray
TOL = 1e-7


def cross(u: Vec, v: Vec) -> float:
    (ux, uy), (vx, vy) = u.tolist(), v.tolist()  # Python floats: the same products, faster
    return ux * vy - uy * vx


def unit(u: Vec) -> Vec:
    n = float(np.hypot(u[0], u[1]))
    return u / n if n > 0 else u


def unit_between(a: Vec, b: Vec) -> tuple[float, float]:
    """``unit(b - a)`` as Python floats (the same bits)."""
    (ax, ay), (bx, by) = a.tolist(), b.tolist()
    dx, dy = bx - ax, by - ay
    n = float(np.hypot(dx, dy))
    return (dx / n, dy / n) if n > 0 else (dx, dy)


def direction(a: Vec, b: Vec) -> float:
    """Direction of line ab in [0, pi)."""
    d = math.atan2(float(b[1] - a[1]), float(b[0] - a[0])) % math.pi
    return 0.0 if d >= math.pi - 1e-15 else d


def angle_mod_pi(x: float) -> float:
    """Reduce to (-pi/2, pi/2]: the distance of a full angle from 0."""
    r = x % math.pi
    return r - math.pi if r > math.pi / 2 else r


def close(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def is_coll(ps: Sequence[Vec]) -> bool:
    """Whether the points lie on one line: every point within ``TOL`` of the line from the
    first to the one farthest from it (all on one point: True). The same differences,
    ``np.hypot`` and products as ``_is_coll_spelled``, in Python floats: the farthest point
    by squared lengths, ``np.hypot`` telling apart those within rounding of each other."""
    (ax, ay), *others = [p.tolist() for p in ps]
    rel = [(x - ax, y - ay) for x, y in others]
    squares = [dx * dx + dy * dy for dx, dy in rel]
    top = max(squares)
    near = [i for i, v in enumerate(squares) if v >= top * (1 - 1e-9)]
    if len(near) == 1:
        far = near[0]
        n = float(np.hypot(*rel[far]))
    else:  # a tie, or nearly (an isosceles triangle): the first of the farthest by np.hypot
        lengths = [float(np.hypot(*rel[i])) for i in near]
        n = max(lengths)
        far = near[lengths.index(n)]
    if n < TOL:
        return True
    dx, dy = rel[far]
    ux, uy = dx / n, dy / n
    return all(abs(ux * ry - uy * rx) < TOL for rx, ry in rel)


def _is_coll_spelled(ps: Sequence[Vec]) -> bool:
    """``is_coll`` one point at a time (the definition the tests hold it to)."""
    base = [p for p in ps]
    a = base[0]
    far = max(base[1:], key=lambda p: float(np.hypot(*(p - a))))
    d = unit(far - a)
    if float(np.hypot(*(far - a))) < TOL:
        return True
    return all(abs(cross(d, p - a)) < TOL for p in base)


def circumcenter(a: Vec, b: Vec, c: Vec) -> Vec | None:
    d = 2 * cross(b - a, c - a)
    if abs(d) < 1e-12:
        return None
    b2 = float((b - a) @ (b - a))
    c2 = float((c - a) @ (c - a))
    ux = ((c - a)[1] * b2 - (b - a)[1] * c2) / d
    uy = ((b - a)[0] * c2 - (c - a)[0] * b2) / d
    return a + np.array([ux, uy])


def is_cyclic(ps: Sequence[Vec]) -> bool:
    if len(ps) < 4:
        return True
    o = circumcenter(ps[0], ps[1], ps[2])
    if o is None:
        return False
    r = float(np.hypot(*(ps[0] - o)))
    return all(close(float(np.hypot(*(p - o))), r) for p in ps[3:])


def full_angle(a: Vec, b: Vec, c: Vec, d: Vec) -> float:
    """Directed angle from line ab to line cd, in [0, pi)."""
    return (direction(c, d) - direction(a, b)) % math.pi


def same_full_angle(x: float, y: float) -> bool:
    return abs(angle_mod_pi(x - y)) < TOL


def length(a: Vec, b: Vec) -> float:
    (ax, ay), (bx, by) = a.tolist(), b.tolist()  # the differences in Python floats, then the
    return float(np.hypot(bx - ax, by - ay))  # same np.hypot as on the array's (2.3 -> 0.9 us)


def orientation(a: Vec, b: Vec, c: Vec) -> int:
    (ax, ay), (bx, by), (cx, cy) = a.tolist(), b.tolist(), c.tolist()
    s = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)  # ``cross(b - a, c - a)``
    return 0 if abs(s) < TOL else (1 if s > 0 else -1)
