"""The numeric index's kernels: numpy-vectorised and numba-compiled ones agree with their
plain-Python twins, and a process switches from the first to the second as ``kernels`` says."""

import subprocess
import sys
from itertools import combinations

import numpy as np
import pytest

from symbolic.geometry import kernels, kernels_jit

TIERS = {"numpy": (kernels.pair_tables_np, kernels.circles_np, kernels.triangle_angles_np),
         "numba": (kernels_jit.pair_tables, kernels_jit.circles, kernels_jit.triangle_angles)}


@pytest.fixture(params=sorted(TIERS))
def tier(request):
    return TIERS[request.param]


@pytest.fixture(params=[0, 1, 2])
def xy(request):
    rng = np.random.default_rng(request.param)
    pts = rng.uniform(-1, 1, size=(9, 2))
    pts[3] = (pts[0] + pts[1]) / 2  # a collinear triple
    c, r = np.array([0.1, -0.2]), 0.7  # four concyclic points
    for k, t in zip((5, 6, 7, 8), (0.3, 1.7, 2.9, 4.4)):
        pts[k] = c + r * np.array([np.cos(t), np.sin(t)])
    return pts


def test_pair_tables(xy, tier):
    d1, a1 = tier[0](xy)
    d2, a2 = kernels.pair_tables_py(xy)
    assert np.allclose(d1, d2) and np.allclose(a1, a2)
    assert np.all((a1 >= 0) & (a1 < np.pi))


def test_circles(xy, tier):
    m1 = tier[1](xy, 1e-6)
    m2 = kernels.circles_py(xy, 1e-6)
    assert m1.shape == m2.shape == (84, 9)
    assert np.array_equal(m1, m2)
    rows = {tuple(np.flatnonzero(r)) for r in m1 if r.sum() >= 4}
    assert (5, 6, 7, 8) in rows


def test_triangle_angles(xy, tier):
    tri = np.array(list(combinations(range(5), 3)), dtype=np.int64)
    a1 = tier[2](xy, tri)
    a2 = kernels.triangle_angles_py(xy, tri)
    assert np.allclose(a1, a2)
    ok = [i for i, (p, q, r) in enumerate(tri) if {p, q, r} != {0, 1, 3}]
    assert np.allclose(a1[ok].sum(axis=1), np.pi)


def test_tiers_agree_on_larger_diagrams():
    rng = np.random.default_rng(7)
    xy = rng.uniform(-1, 1, size=(20, 2))
    xy[10:16] = 0.4 * np.stack([np.cos(np.arange(6.0)), np.sin(np.arange(6.0))], axis=1)
    assert np.array_equal(kernels.circles_np(xy, 1e-9), kernels_jit.circles(xy, 1e-9))
    d1, a1 = kernels.pair_tables_np(xy)
    d2, a2 = kernels_jit.pair_tables(xy)
    assert np.allclose(d1, d2, rtol=0, atol=1e-14) and np.allclose(a1, a2, rtol=0, atol=1e-14)


SWITCH = """
import sys
from symbolic.geometry import kernels
import numpy as np
kernels.JIT_AFTER = float(sys.argv[1])
xy = np.random.default_rng(0).uniform(size=(12, 2))
before = ("numba" in sys.modules, kernels.jit_loaded())
for _ in range(int(sys.argv[2])):
    kernels.circles(xy, 1e-9)
print(before, ("numba" in sys.modules, kernels.jit_loaded()))
"""


@pytest.mark.parametrize("after, calls, loaded", [(1e9, 20, False), (0.0, 1, True)])
def test_a_process_loads_numba_only_after_enough_kernel_time(after, calls, loaded):
    # a fresh interpreter: this one has imported numba for the tests above
    out = subprocess.run([sys.executable, "-c", SWITCH, str(after), str(calls)],
                         capture_output=True, text=True, check=True).stdout.split(") (")
    assert out[0] == "(False, False"
    assert out[1].strip() == f"{loaded}, {loaded})"


def _bisector_figure(seed: int) -> np.ndarray:
    """Random points with bisectors among them: the incentre i of abc and an excentre,
    a point on line ai, the mirror of b in line ai (on line ac), two coincident points."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(-1, 1, size=(3, 2))
    la, lb, lc = (np.linalg.norm(b - c), np.linalg.norm(c - a), np.linalg.norm(a - b))
    incentre = (la * a + lb * b + lc * c) / (la + lb + lc)
    excentre = (-la * a + lb * b + lc * c) / (-la + lb + lc)
    u = (incentre - a) / np.linalg.norm(incentre - a)
    mirror = a + 2 * np.dot(b - a, u) * u - (b - a)
    on_bisector = a + 1.7 * (incentre - a)
    extra = rng.uniform(-1, 1, size=(3, 2))
    return np.vstack([a, b, c, incentre, excentre, mirror, on_bisector, extra, extra[:1]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bisected_tiers_are_the_twin_exactly(seed):
    """The bisector kernel's three tiers give the same quadruples in the same order, for
    every point new and for a few new ones; the incentre's and excentre's bisectors are
    among them, and an old index's quadruples are those with a new point."""
    xy = _bisector_figure(seed)
    dist, ang = kernels.pair_tables_py(xy)
    far = dist >= 1e-6
    n = len(xy)
    everything = np.ones(n, dtype=np.bool_)
    for new in (everything, np.arange(n) >= n - 2, np.arange(n) == 3, np.zeros(n, dtype=np.bool_)):
        want = kernels.bisected_py(ang, far, new)
        assert kernels.bisected_np(ang, far, new) == want
        assert [tuple(q) for q in kernels_jit.bisected(ang, far, new)] == want
        assert want == sorted(want)
        full = kernels.bisected_py(ang, far, everything)
        assert want == [q for q in full if any(new[list(q)])]
    full = kernels.bisected_py(ang, far, everything)
    assert {(0, 3, 1, 2), (0, 3, 2, 1), (1, 3, 0, 2), (2, 3, 0, 1)} <= set(full)
    assert {(0, 4, 1, 2), (0, 6, 1, 2), (0, 3, 1, 5)} <= set(full)
    assert not any(10 in q and 7 in q for q in full if q[0] in (7, 10))  # coincident: not far


def test_bisected_tiers_agree_on_a_lattice_and_random_figures():
    """A 4 x 4 lattice (lines at 0, 45, 90 and 135 degrees and many bisectors, directions
    at the wrap of [0, pi)) and random figures with random new points: the numba tier,
    written without remainders, finds exactly the twin's quadruples."""
    lattice = np.array([(x, y) for x in range(4) for y in range(4)], dtype=np.float64)
    figures = [lattice, lattice * 0.37 + 0.1]
    rng = np.random.default_rng(11)
    figures += [_bisector_figure(seed)[: int(rng.integers(5, 12))] for seed in range(3, 9)]
    for xy in figures:
        dist, ang = kernels.pair_tables_py(xy)
        far = dist >= 1e-6
        for _ in range(3):
            new = rng.random(len(xy)) < 0.25
            want = kernels.bisected_py(ang, far, new)
            assert [tuple(q) for q in kernels_jit.bisected(ang, far, new)] == want
            assert kernels.bisected_np(ang, far, new) == want
    everything = np.ones(16, dtype=np.bool_)
    dist, ang = kernels.pair_tables_py(lattice)
    assert len(kernels.bisected_py(ang, dist >= 1e-6, everything)) > 1000


def test_index_rows_are_the_loops_they_stand_for():
    for n in range(7):
        for r in (2, 3):
            rows = kernels.combination_rows(n, r)
            assert rows.tolist() == [list(c) for c in combinations(range(n), r)]
            assert not rows.flags.writeable
        rows = kernels.apart_pairs(n)
        assert rows.tolist() == [[q, x, y] for q in range(n)
                                 for x, y in combinations([k for k in range(n) if k != q], 2)]
        assert rows.shape == (n * (n - 1) * (n - 2) // 2, 3) and not rows.flags.writeable
