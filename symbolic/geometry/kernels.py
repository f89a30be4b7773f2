"""Kernels of the numeric index: numpy-vectorised, numba-compiled once a process has used them
enough, each with a plain-Python twin used by the tests.

Measured hot loops (profile of the 231 JGEX problems): circle and line detection over all
point triples, triangle angles for similar-triangle matching, and pairwise lengths and
directions read by every numeric check of the matchers. The kernels take coordinates as a
float64 array of shape (n, 2); the twins compute the same with plain Python loops.

Tiered like a JIT: a process starts on the vectorised numpy kernels (``*_np``) and loads the
numba ones (``kernels_jit``) once it has spent ``JIT_AFTER`` seconds in them, or at once through
``warm_up()``. Loading numba costs about 1.3 s (importing it, then setting up its CPU target
while the first cached kernel loads), which a problem DD+AR proves in 0.1 s should not pay;
numba then runs the circle kernel 3-4x faster than numpy on 16-48 points (0.18 against 0.83 ms
at 16 points, 17.6 against 47 ms at 48), which a search of thousands of attempts gains from.
The switch is the ski-rental rule: go on renting (numpy) until the rent paid equals the price
of buying (loading numba). A batch of several problems warms numba up in the parent before it
forks its workers (``Domain.preload``), so that they share it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import lru_cache
from itertools import combinations
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

TIERED = True
"""This module loads numba by itself once used enough: ``symbolic.runner.preload`` warms it up
only for several tasks."""
JIT_AFTER = 1.0
"""Seconds of vectorised-kernel time after which a process loads the numba kernels (about the
1.3 s that loading them costs)."""

_jit: ModuleType | None = None
_numpy_seconds = 0.0


def warm_up() -> None:
    """Load the numba kernels now (a batch's parent does, before forking its workers)."""
    global _jit
    if _jit is None:
        from . import kernels_jit

        xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        _, ang = kernels_jit.pair_tables(xy)
        kernels_jit.circles(xy, 1e-9)
        kernels_jit.triangle_angles(xy, np.array([[0, 1, 2]], dtype=np.int64))
        kernels_jit.bisected(ang, ang > 0, np.ones(4, dtype=np.bool_))
        _jit = kernels_jit


def jit_loaded() -> bool:
    """Whether this process runs the numba kernels (``warm_up`` ran, or ``JIT_AFTER`` passed)."""
    return _jit is not None


def _charge(started: float) -> None:
    global _numpy_seconds
    _numpy_seconds += time.perf_counter() - started
    if _numpy_seconds >= JIT_AFTER:
        warm_up()


def _tiered(name: str, vectorised: Callable[..., T], *args: Any) -> T:
    """``name``'s numba kernel once loaded; else ``vectorised``, its time counted."""
    if _jit is not None:
        return getattr(_jit, name)(*args)  # type: ignore[no-any-return]
    started = time.perf_counter()
    out = vectorised(*args)
    _charge(started)
    return out


def pair_tables(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lengths |pq| and line directions of pq in [0, pi) for every pair of points."""
    return _tiered("pair_tables", pair_tables_np, xy)


def circles(xy: np.ndarray, tol: float) -> np.ndarray:
    """For every triple i<j<k of non-collinear points, which points lie on its circle
    (``circles_py``)."""
    return _tiered("circles", circles_np, xy, tol)


def triangle_angles(xy: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Interior angles at the three vertices of each triangle (rows of point indices)."""
    return _tiered("triangle_angles", triangle_angles_np, xy, tri)


def bisected(ang: np.ndarray, far: np.ndarray, new: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The quadruples (a, x, b, c) of point indices, distinct and each of x, b, c far from a,
    such that line ax bisects the angle of lines ab, ac (internal or external) and b is
    not on line ax, with one of them ``new``; in lexicographic order (``bisected_py``).
    ``ang`` and ``far`` are the direction and distinct-points tables of ``pair_tables``."""
    return _tiered("bisected", bisected_np, ang, far, new)


# ---------------------------------------------------------------- vectorised (numpy)


def pair_tables_np(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pair_tables_py`` with numpy arrays."""
    dx = xy[None, :, 0] - xy[:, None, 0]
    dy = xy[None, :, 1] - xy[:, None, 1]
    dist = np.hypot(dx, dy)
    ang = np.arctan2(dy, dx) % math.pi
    ang[ang >= math.pi - 1e-15] = 0.0
    return dist, ang


@lru_cache(maxsize=128)
def combination_rows(n: int, r: int) -> np.ndarray:
    """The rows of ``combinations(range(n), r)``, in that order, as one array (made once per
    n and r, read only)."""
    rows = np.array(list(combinations(range(n), r)), dtype=np.intp).reshape(-1, r)
    rows.flags.writeable = False
    return rows


@lru_cache(maxsize=64)
def apart_pairs(m: int) -> np.ndarray:
    """Rows (p, a, b) over range(m): each p, then each pair a < b of the others, in that
    order (made once per m, read only): a line's points and the pairs beside each."""
    rows = np.array([(q, x, y) for q in range(m)
                     for x, y in combinations([r for r in range(m) if r != q], 2)],
                    dtype=np.intp).reshape(-1, 3)
    rows.flags.writeable = False
    return rows


def triples(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The indices i<j<k of every triple of n points, in lexicographic order (read only)."""
    rows = combination_rows(n, 3)
    return rows[:, 0], rows[:, 1], rows[:, 2]


def circles_np(xy: np.ndarray, tol: float) -> np.ndarray:
    """``circles_py`` with numpy arrays: one row per triple, all points at once."""
    return circle_rows_np(xy, *triples(xy.shape[0]), tol)


def circle_rows_np(xy: np.ndarray, i: np.ndarray, j: np.ndarray, k: np.ndarray, tol: float
                   ) -> np.ndarray:
    """The rows of ``circles_np`` for the triples (i, j, k) (arrays of point indices)."""
    ax, ay = xy[i, 0], xy[i, 1]
    bx, by = xy[j, 0] - ax, xy[j, 1] - ay
    cx, cy = xy[k, 0] - ax, xy[k, 1] - ay
    d = 2.0 * (bx * cy - by * cx)
    ok = np.abs(d) >= 1e-12
    d = np.where(ok, d, 1.0)
    b2, c2 = bx * bx + by * by, cx * cx + cy * cy
    ox, oy = ax + (cy * b2 - by * c2) / d, ay + (bx * c2 - cx * b2) / d
    r = np.hypot(ax - ox, ay - oy)
    ok &= r <= 1e3
    dm = np.hypot(xy[None, :, 0] - ox[:, None], xy[None, :, 1] - oy[:, None])
    return (np.abs(dm - r[:, None]) <= (tol * np.maximum(1.0, r))[:, None]) & ok[:, None]


def triangle_angles_np(xy: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """``triangle_angles_py`` with numpy arrays."""
    out = np.zeros((tri.shape[0], 3))
    for v in range(3):
        p, q, r = xy[tri[:, v]], xy[tri[:, (v + 1) % 3]], xy[tri[:, (v + 2) % 3]]
        u, w = q - p, r - p
        c = (u[:, 0] * w[:, 0] + u[:, 1] * w[:, 1]) / (np.hypot(u[:, 0], u[:, 1])
                                                      * np.hypot(w[:, 0], w[:, 1]))
        out[:, v] = np.arccos(np.clip(c, -1.0, 1.0))
    return out


def bisected_np(ang: np.ndarray, far: np.ndarray, new: np.ndarray
                ) -> list[tuple[int, int, int, int]]:
    """``bisected_py`` with numpy arrays: per point a, the cube of the angles from line
    a x_i to a x_j and to a x_c (for an old a, only its slices at a new point)."""
    from ..deadline import check

    out = []
    for a in range(ang.shape[0]):
        check()  # an m^3 cube per point: tens of milliseconds each on olympiad diagrams
        idx = np.flatnonzero(far[a])
        m = len(idx)
        if m < 3:
            continue
        theta = ang[a, idx] % np.pi
        v = (theta[None, :] - theta[:, None]) % np.pi  # v[i, j]: from line a x_i to a x_j
        turned = np.abs(v) > 1e-6
        if new[a]:
            near = _bisecting(v, v, turned)
        else:  # only the triples with a new point: the slices along each axis at those
            fresh = np.flatnonzero(new[idx])
            if not len(fresh):
                continue
            near = np.zeros((m, m, m), dtype=bool)
            near[fresh] = _bisecting(v[fresh], v[fresh], turned[fresh])
            near[:, fresh] = _bisecting(v[:, fresh], v, turned[:, fresh])
            near[:, :, fresh] = _bisecting(v, v[:, fresh], turned)
        k = np.arange(m)
        near[k, k, :] = near[k, :, k] = near[:, k, k] = False
        out += [(a, int(idx[i]), int(idx[j]), int(idx[c])) for i, j, c in zip(*np.nonzero(near))]
    return out


def _bisecting(vj: np.ndarray, vc: np.ndarray, turned: np.ndarray) -> np.ndarray:
    """``near[i, j, c]`` of ``bisected_np`` for some rows, columns or layers: the angle
    from line a x_i to a x_j (``vj[i, j]``, turned when ``turned[i, j]``) and the one to
    a x_c (``vc[i, c]``) add up to a multiple of pi. Each element is the one the whole cube
    has (the same sums, elementwise)."""
    total = (vj[:, :, None] + vc[:, None, :]) % np.pi
    return (np.minimum(total, np.pi - total) < 1e-6) & turned[:, :, None]


# ---------------------------------------------------------------- plain-Python twins


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


def bisected_py(ang: np.ndarray, far: np.ndarray, new: np.ndarray
                ) -> list[tuple[int, int, int, int]]:
    """The quadruples (a, x, b, c) of point indices, x, b, c distinct and far from a, with
    one of a, x, b, c ``new``, such that the angle from line ax to ab (in [0, pi), not
    within 1e-6 of 0) and the one from ax to ac add up to a multiple of pi within 1e-6."""
    n, pi = ang.shape[0], math.pi
    out = []
    for a in range(n):
        for i in range(n):
            if not far[a, i]:
                continue
            ti = ang[a, i] % pi
            for j in range(n):
                if j == i or not far[a, j]:
                    continue
                vij = (ang[a, j] % pi - ti) % pi
                if abs(vij) <= 1e-6:
                    continue
                for c in range(n):
                    if c == i or c == j or not far[a, c]:
                        continue
                    if not (new[a] or new[i] or new[j] or new[c]):
                        continue
                    total = (vij + (ang[a, c] % pi - ti) % pi) % pi
                    if min(total, pi - total) < 1e-6:
                        out.append((a, i, j, c))
    return out
