"""numba kernels agree with their plain-Python twins."""

from itertools import combinations

import numpy as np
import pytest

from symbolic.geometry import kernels


@pytest.fixture(params=[0, 1, 2])
def xy(request):
    rng = np.random.default_rng(request.param)
    pts = rng.uniform(-1, 1, size=(9, 2))
    pts[3] = (pts[0] + pts[1]) / 2  # a collinear triple
    c, r = np.array([0.1, -0.2]), 0.7  # four concyclic points
    for k, t in zip((5, 6, 7, 8), (0.3, 1.7, 2.9, 4.4)):
        pts[k] = c + r * np.array([np.cos(t), np.sin(t)])
    return pts


def test_pair_tables(xy):
    d1, a1 = kernels.pair_tables(xy)
    d2, a2 = kernels.pair_tables_py(xy)
    assert np.allclose(d1, d2) and np.allclose(a1, a2)
    assert np.all((a1 >= 0) & (a1 < np.pi))


def test_circles(xy):
    m1 = kernels.circles(xy, 1e-6)
    m2 = kernels.circles_py(xy, 1e-6)
    assert m1.shape == m2.shape == (84, 9)
    assert np.array_equal(m1, m2)
    rows = {tuple(np.flatnonzero(r)) for r in m1 if r.sum() >= 4}
    assert (5, 6, 7, 8) in rows


def test_triangle_angles(xy):
    tri = np.array(list(combinations(range(5), 3)), dtype=np.int64)
    a1 = kernels.triangle_angles(xy, tri)
    a2 = kernels.triangle_angles_py(xy, tri)
    assert np.allclose(a1, a2)
    ok = [i for i, (p, q, r) in enumerate(tri) if {p, q, r} != {0, 1, 3}]
    assert np.allclose(a1[ok].sum(axis=1), np.pi)
