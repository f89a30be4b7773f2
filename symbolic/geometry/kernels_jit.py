"""The numba twins of ``kernels``' vectorised kernels, compiled (or loaded from numba's cache)
on first use. Importing this module imports numba (about 0.4 s) and the first call of each
kernel loads its cached machine code (about 1 s for the three, numba's CPU target being set up
then): ``kernels`` imports it only once a process has spent enough time in the vectorised
kernels to gain from it, or when a batch warms it up in the parent before forking workers."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def pair_tables(xy):  # pragma: no cover - compiled; the twins are in kernels
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
def circles(xy, tol):  # pragma: no cover - compiled; the twins are in kernels
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
def triangle_angles(xy, tri):  # pragma: no cover - compiled; the twins are in kernels
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


@njit(cache=True)
def bisected(ang, far, new):  # pragma: no cover - compiled; the twins are in kernels
    # kernels.bisected_py without a remainder in the loops: with theta in [0, pi), the
    # difference of two is in (-pi, pi) and the sum of two angles in [0, 2 pi), where
    # Python's x % pi is x + pi, x, or x - pi (exact: Sterbenz) as the loops write it
    n = ang.shape[0]
    pi = math.pi
    fresh = np.flatnonzero(new)
    everyone = np.arange(n)
    theta = np.empty(n)
    v = np.empty((n, n))
    out = []
    for a in range(n):
        for k in range(n):
            theta[k] = ang[a, k] % pi
        for i in range(n):
            for j in range(n):
                d = theta[j] - theta[i]
                v[i, j] = d + pi if d < 0.0 else d
        for i in range(n):
            if not far[a, i]:
                continue
            for j in range(n):
                if j == i or not far[a, j]:
                    continue
                vij = v[i, j]
                if abs(vij) <= 1e-6:
                    continue
                for c in everyone if new[a] or new[i] or new[j] else fresh:
                    if c == i or c == j or not far[a, c]:
                        continue
                    total = vij + v[i, c]
                    if total >= pi:
                        total -= pi
                    if min(total, pi - total) < 1e-6:
                        out.append((a, i, j, c))
    return out
