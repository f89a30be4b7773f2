"""numba kernels for the numeric index, each with a plain-Python twin used by the tests.

Measured hot loops (profile of the 231 JGEX problems): circle and line detection over all
point triples, triangle angles for similar-triangle matching, and pairwise lengths and
directions read by every numeric check of the matchers. The kernels take coordinates as a
float64 array of shape (n, 2); the twins compute the same with plain Python loops.
"""

from __future__ import annotations

import math

import numpy as np

try:  # numba is a dependency; the twins keep the package importable without a JIT
    from numba import njit
except ImportError:  # pragma: no cover
    def njit(*args, **kwargs):  # type: ignore[no-redef]
        return (lambda f: f) if not args or not callable(args[0]) else args[0]


def pair_tables_py(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lengths |pq| and line directions of pq in [0, pi) for every pair of points."""
    n = xy.shape[0]
    dist = np.zeros((n, n))
    ang = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            dx, dy = xy[j, 0] - xy[i, 0], xy[j, 1] - xy[i, 1]
            dist[i, j] = math.hypot(dx, dy)
            a = math.atan2(dy, dx) % math.pi
            ang[i, j] = 0.0 if a >= math.pi - 1e-15 else a
    return dist, ang


def circles_py(xy: np.ndarray, tol: float) -> np.ndarray:
    """For every triple i<j<k of non-collinear points, which points lie on its circle.

    Returns a boolean matrix (number of triples, n) in lexicographic triple order; rows of
    collinear triples are all False.
    """
    n = xy.shape[0]
    rows = []
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                rows.append(_circle_row_py(xy, i, j, k, tol))
    return np.array(rows, dtype=np.bool_).reshape(len(rows), n)


def _circle_row_py(xy: np.ndarray, i: int, j: int, k: int, tol: float) -> list[bool]:
    n = xy.shape[0]
    ax, ay = xy[i]
    bx, by = xy[j, 0] - ax, xy[j, 1] - ay
    cx, cy = xy[k, 0] - ax, xy[k, 1] - ay
    d = 2.0 * (bx * cy - by * cx)
    if abs(d) < 1e-12:
        return [False] * n
    b2, c2 = bx * bx + by * by, cx * cx + cy * cy
    ox, oy = ax + (cy * b2 - by * c2) / d, ay + (bx * c2 - cx * b2) / d
    r = math.hypot(ax - ox, ay - oy)
    if r > 1e3:
        return [False] * n
    return [abs(math.hypot(xy[m, 0] - ox, xy[m, 1] - oy) - r) <= tol * max(1.0, r)
            for m in range(n)]


def triangle_angles_py(xy: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Interior angles at the three vertices of each triangle (rows of point indices)."""
    out = np.zeros((tri.shape[0], 3))
    for t in range(tri.shape[0]):
        for v in range(3):
            p, q, r = tri[t, v], tri[t, (v + 1) % 3], tri[t, (v + 2) % 3]
            ux, uy = xy[q, 0] - xy[p, 0], xy[q, 1] - xy[p, 1]
            vx, vy = xy[r, 0] - xy[p, 0], xy[r, 1] - xy[p, 1]
            c = (ux * vx + uy * vy) / (math.hypot(ux, uy) * math.hypot(vx, vy))
            out[t, v] = math.acos(min(1.0, max(-1.0, c)))
    return out


@njit(cache=True)
def pair_tables(xy):  # pragma: no cover - compiled; pair_tables_py is the tested twin
    n = xy.shape[0]
    dist = np.zeros((n, n))
    ang = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            dx = xy[j, 0] - xy[i, 0]
            dy = xy[j, 1] - xy[i, 1]
            dist[i, j] = math.hypot(dx, dy)
            a = math.atan2(dy, dx) % math.pi
            ang[i, j] = 0.0 if a >= math.pi - 1e-15 else a
    return dist, ang


@njit(cache=True)
def circles(xy, tol):  # pragma: no cover - compiled; circles_py is the tested twin
    n = xy.shape[0]
    count = n * (n - 1) * (n - 2) // 6
    out = np.zeros((count, n), dtype=np.bool_)
    row = 0
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                ax = xy[i, 0]
                ay = xy[i, 1]
                bx = xy[j, 0] - ax
                by = xy[j, 1] - ay
                cx = xy[k, 0] - ax
                cy = xy[k, 1] - ay
                d = 2.0 * (bx * cy - by * cx)
                if abs(d) >= 1e-12:
                    b2 = bx * bx + by * by
                    c2 = cx * cx + cy * cy
                    ox = ax + (cy * b2 - by * c2) / d
                    oy = ay + (bx * c2 - cx * b2) / d
                    r = math.hypot(ax - ox, ay - oy)
                    if r <= 1e3:
                        for m in range(n):
                            dm = math.hypot(xy[m, 0] - ox, xy[m, 1] - oy)
                            out[row, m] = abs(dm - r) <= tol * max(1.0, r)
                row += 1
    return out


@njit(cache=True)
def triangle_angles(xy, tri):  # pragma: no cover - compiled; triangle_angles_py is the twin
    out = np.zeros((tri.shape[0], 3))
    for t in range(tri.shape[0]):
        for v in range(3):
            p = tri[t, v]
            q = tri[t, (v + 1) % 3]
            r = tri[t, (v + 2) % 3]
            ux = xy[q, 0] - xy[p, 0]
            uy = xy[q, 1] - xy[p, 1]
            vx = xy[r, 0] - xy[p, 0]
            vy = xy[r, 1] - xy[p, 1]
            c = (ux * vx + uy * vy) / (math.hypot(ux, uy) * math.hypot(vx, vy))
            out[t, v] = math.acos(min(1.0, max(-1.0, c)))
    return out
