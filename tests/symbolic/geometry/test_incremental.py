"""Incremental deduction for auxiliary points: a child's numeric index and static matchers
extend the parent's, and DD+AR continued from the parent's closure deduces exactly what a
run from nothing deduces on the same extended problem and diagram."""

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from geometry_children import drawn_children

from symbolic.geometry import state as state_module
from symbolic.geometry.dd import DDARConfig, Saturation, given_facts, saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.facts import Derivation, Fact, LazyAR
from symbolic.geometry.heuristics import HeuristicProposer
from symbolic.geometry.matchers import MATCHERS, STATIC
from symbolic.geometry.numeric import Diagram, build_diagram, extend_diagram
from symbolic.geometry.numeric_index import NumericIndex
from symbolic.geometry.problem import Problem, read_problems
from symbolic.geometry.state import ProofState

ROOT = Path(__file__).resolve().parents[3]
HAGEO = ROOT.parent / "shared" / "benchmarks" / "geometry" / "hageo_dev.txt"
# Problems DD+AR does not prove alone (so the parent saturates), with auxiliary candidates.
EXAMPLES = ("bisector_feet",)
OLYMPIAD = ("2000USATSTp2", "2005CMOp2", "2004CTSTp22", "2007CTSTp2", "2009G6")


def _problems() -> list[Problem]:
    found = {p.name: p for p in read_problems(ROOT / "problems" / "geometry" / "examples.txt")}
    out = [found[n] for n in EXAMPLES]
    if HAGEO.exists():
        olympiad = {p.name: p for p in read_problems(HAGEO)}
        out += [olympiad[n] for n in OLYMPIAD]
    return out


def _children(problem: Problem, k: int):
    """The parent's saturation, then (child problem, its diagram) for the first ``k``
    heuristic candidates that can be drawn on the parent's diagram."""
    diagram = build_diagram(problem, np.random.default_rng(0))
    parent = saturate(problem, diagram.coords, DDARConfig())
    assert parent.goal is None and parent.saturation is not None, problem.name
    out = []
    for child, drawn in drawn_children(problem, diagram, 3 * k):
        out.append((child, drawn.coords))
        if len(out) == k:
            break
    return parent.saturation, out


def _keys(matches) -> set[tuple]:
    return {tuple(sorted(m.items())) for m in matches}


def test_triangles_are_the_triples_collinear_finds_not_collinear():
    """``NumericIndex.triangles``, worked out for all triples at once, is the loop over
    ``combinations(names, 3)`` keeping those ``collinear`` rejects, in that order; with a
    parent, the ones with a new point. Coincident and collinear points included."""
    from itertools import combinations

    rng = np.random.default_rng(3)
    coords = {chr(97 + i): rng.normal(size=2) for i in range(10)}
    coords["k"] = coords["a"].copy()  # at another's place
    coords["l"] = (coords["b"] + coords["c"]) / 2  # on line bc
    coords["m"] = 2 * coords["c"] - coords["b"]
    coords["n"] = coords["d"] + 1e-9  # within the tolerance of d
    full = NumericIndex(coords)
    spelled = [t for t in combinations(full.names, 3) if not full.collinear(*t)]
    assert full.triangles() == spelled
    assert ("b", "c", "l") not in spelled and ("a", "b", "k") not in spelled
    assert ("a", "b", "c") in spelled
    parent = NumericIndex({p: v for p, v in coords.items() if p not in "ln"})
    child = NumericIndex(coords, parent)
    assert child.triangles(new_only=True) == [t for t in spelled if {"l", "n"} & set(t)]
    assert child.triangles() == spelled


def _similar_pairs_spelled(ix: NumericIndex) -> list:
    """``NumericIndex.similar_pairs`` as first written: dictionaries of every triangle's
    angles and of the buckets of each index of the chain, a new triangle looked up in each
    bucket around its own."""
    from symbolic.geometry import kernels
    from symbolic.geometry.numeric_index import AROUND, NEAR, PERMS

    def indexed(x):
        tris = x.triangles(new_only=x.parent is not None)
        rows = np.array([[x.pos[p] for p in t] for t in tris], dtype=np.int64).reshape(-1, 3)
        angle_of, buckets = {}, {}
        for t, a in zip(tris, kernels.triangle_angles_py(x.xy, rows).tolist()):
            s1, s2, _ = sorted(a)
            angle_of[t] = a
            buckets.setdefault((int(s1 * 1e4), int(s2 * 1e4)), []).append(t)
        return tris, angle_of, buckets

    chain, x = [], ix
    while x is not None:
        chain.append(indexed(x))
        x = x.parent
    new, angle_of, buckets = chain[0]
    every = {t: a for _, angles, _ in chain for t, a in angles.items()}
    out = []

    def compare(t1, t2):
        a1, a2 = every[t1], every[t2]
        for perm in PERMS[1:] if t1 == t2 else PERMS:
            if all(abs(a1[i] - a2[j]) < 1e-6 for i, j in enumerate(perm)):
                out.append((t1, tuple(t2[j] for j in perm)))

    for t in new:
        a = angle_of[t]
        if abs(a[0] - a[1]) < 1e-6 and abs(a[1] - a[2]) < 1e-6:
            compare(t, t)
    if ix.parent is None:
        for (k1, k2), group in buckets.items():
            near = [t for d in NEAR for t in buckets.get((k1 + d[0], k2 + d[1]), ())]
            for i, t1 in enumerate(group):
                for t2 in group[i + 1:] + near:
                    compare(t1, t2)
        return out
    for t in new:
        s1, s2, _ = sorted(angle_of[t])
        for d in AROUND:
            key = (int(s1 * 1e4) + d[0], int(s2 * 1e4) + d[1])
            for u in [u for _, _, b in chain for u in b.get(key, ())]:
                if u == t:
                    continue
                if d == (0, 0):
                    first, second = (t, u) if t < u else (u, t)
                else:
                    first, second = (t, u) if d > (0, 0) else (u, t)
                if first is u and ix.touches(u):
                    continue
                compare(first, second)
    return out


def test_similar_pairs_are_those_of_the_buckets_of_every_triangle():
    """The similar pairs, looked up only where a bucket around a new triangle holds
    another, are those of the loop over every new triangle's buckets, in the same order:
    a lattice (many similar and congruent triangles, equilateral ones on a triangular
    lattice) and its children and grandchildren, one new point at a time."""
    lattice = {f"p{x}{y}": np.array([x + 0.5 * y, y * 3 ** 0.5 / 2]) for x in range(3)
               for y in range(3)}
    lattice["q"] = np.array([0.25, 3 ** 0.5 / 4])  # the midpoint of p00 p01
    more = {"r": np.array([1.5, 0.0]), "s": np.array([1.0, 3 ** 0.5 / 2 + 1e-9]),
            "t": np.array([0.3, 0.7])}
    ix = NumericIndex(lattice)
    pairs = ix.similar_pairs()
    assert pairs == _similar_pairs_spelled(ix) and len(pairs) > 100
    assert any(set(t1) == set(t2) for t1, t2 in pairs)  # an equilateral one with itself
    coords = dict(lattice)
    for name, v in more.items():
        coords[name] = v
        ix = NumericIndex(dict(coords), ix)
        pairs = ix.similar_pairs()
        assert pairs == _similar_pairs_spelled(ix), name
        assert all(ix.touches(t1 + t2) for t1, t2 in pairs)
        assert pairs or name == "t", name


def _lines_spelled(ix: NumericIndex) -> list[frozenset[str]]:
    """``NumericIndex.lines`` of a diagram without a parent, as first written: each line's
    points read one by one from its first two."""
    import math
    from itertools import combinations

    ang, names, n = ix._ang, ix.names, len(ix.names)

    def members(i, j):
        def same(k):
            d = abs(ang[i, j] - ang[i, k])
            return min(d, math.pi - d) < 1e-6
        return [k for k in range(n)
                if k in (i, j) or (ix.dist[(names[i], names[k])] > 1e-6 and same(k))]

    out, seen = [], set()
    for i, j in combinations(range(n), 2):
        if (i, j) in seen or ix.dist[(names[i], names[j])] < 1e-6:
            continue
        pts = members(i, j)
        seen.update(combinations(pts, 2))
        if len(pts) >= 3:
            out.append(frozenset(names[k] for k in pts))
    return out


def test_lines_read_a_row_at_a_time_are_those_point_by_point():
    """A lattice (lines in four directions, one at the wrap of [0, pi)), a coincident point
    and a point within the tolerance of a line: the same lines in the same order."""
    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(4)}
    lattice["q"] = lattice["p12"].copy()
    lattice["r"] = np.array([1.5, 1.0 + 1e-9])  # on the row y = 1
    rng = np.random.default_rng(6)
    figure = {chr(97 + i): rng.normal(size=2) for i in range(8)}
    figure["z"] = 0.3 * figure["a"] + 0.7 * figure["b"]
    for coords in (lattice, figure):
        ix = NumericIndex(coords)
        assert ix.lines == _lines_spelled(ix)
    assert len(NumericIndex(lattice).lines) > 10


def test_equidistant_groups_are_the_clusters_of_each_points_distances():
    """``NumericIndex.equidistant``, a row of distances at a time, is ``cluster`` of the
    distances from each point (as first written), on a lattice (many equal distances,
    chains of nearly equal ones) and a random figure with a point on a circle."""
    from symbolic.geometry.numeric_index import cluster

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(4)}
    lattice["q"] = lattice["p12"].copy()
    lattice["r"] = np.array([1.5, 1.5 + 5e-7])
    rng = np.random.default_rng(4)
    figure = {chr(97 + i): rng.normal(size=2) for i in range(9)}
    t = 0.7
    figure["z"] = figure["a"] + np.linalg.norm(figure["b"] - figure["a"]) * np.array(
        [np.cos(t), np.sin(t)])
    for coords in (lattice, figure):
        ix = NumericIndex(coords)
        want = {}
        for o in ix.names:
            vals = [(ix.dist[(o, x)], x) for x in ix.names if x != o and ix.dist[(o, x)] > 1e-6]
            groups = cluster(vals)
            if groups:
                want[o] = [sorted(g) for g in groups]
        assert ix.equidistant == want
    assert ["b", "z"] in NumericIndex(figure).equidistant["a"]


def test_parallel_classes_are_the_clusters_of_the_segments_directions():
    """``NumericIndex.parallel_classes``, all segments at once, is ``cluster`` of the
    directions of the segments in ``combinations`` order (a direction near pi read as near 0),
    each segment in both orders, as first written: on a lattice (lines at the wrap of [0, pi),
    coincident points, chains of nearly parallel segments) and a random figure."""
    import math
    from itertools import combinations

    from symbolic.geometry.numeric_index import ANGLE_TOL, cluster

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(4)}
    lattice["q"] = lattice["p12"].copy()
    lattice["r"] = np.array([1.5, 1.0 + 5e-7])
    lattice["s"] = np.array([2.5, 3.0 - 3e-7])
    rng = np.random.default_rng(8)
    figure = {chr(97 + i): rng.normal(size=2) for i in range(9)}
    figure["z"] = figure["c"] + (figure["b"] - figure["a"]) * 0.4  # cz parallel to ab
    for coords in (lattice, figure, {"a": np.zeros(2)}):
        ix = NumericIndex(coords)
        vals = []
        for a, b in combinations(ix.names, 2):
            if ix.dist[(a, b)] >= 1e-6:
                v = float(ix._ang[ix.pos[a], ix.pos[b]])
                vals.append((v - math.pi if v > math.pi - 1e-3 else v, (a, b)))
        want = [[s for a, b in g for s in ((a, b), (b, a))] for g in cluster(vals, ANGLE_TOL)]
        assert ix.parallel_classes() == want
    assert any(("c", "z") in g and ("a", "b") in g for g in NumericIndex(figure).parallel_classes())
    assert len(NumericIndex(lattice).parallel_classes()) >= 4


def _trapezoid_midline_spelled(ix: NumericIndex):
    """The trapezoid midline matcher (r41, r42) as first written: every ordered pair of
    segments of a parallel class (each trapezoid's midlines as the matcher finds them)."""
    from itertools import permutations

    from symbolic.geometry.matchers import _midlines

    for group in ix.parallel_classes():
        for (a, b), (c, d) in permutations(group, 2):
            if a > b:
                continue
            ad = ix.on_line.get((a, d) if a < d else (d, a))
            if ad is None:
                continue
            bc = ix.on_line.get((b, c) if b < c else (c, b))
            if bc is None or len({a, b, c, d}) < 4:
                continue
            yield from _midlines(ix, a, b, c, d, ad, bc)


def test_trapezoid_midlines_are_those_of_every_pair_of_parallel_segments():
    """r41's matcher, which looks only at segments whose ends lie on lines of three points,
    finds the instances of the loop over every ordered pair of parallel segments, in the
    same order: on a lattice (many trapezoids with their midlines), without and with a
    parent (a new point on a midline)."""
    from symbolic.geometry.matchers import _trapezoid_midline

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(3)}
    lattice["q"] = np.array([0.5, 1.0])
    parent = NumericIndex(lattice)
    child = NumericIndex({**lattice, "r": np.array([2.5, 1.0])}, parent)
    for ix in (parent, child):
        found = list(_trapezoid_midline(ix, None))
        assert found == list(_trapezoid_midline_spelled(ix))
        assert len(found) > 20
    assert any("r" in m.values() for m in _trapezoid_midline(child, None))
    # the new point only on a midline (as m or n), none of the trapezoid's corners new
    assert any("r" in (m["m"], m["n"]) and "r" not in (m["a"], m["b"], m["c"], m["d"])
               for m in _trapezoid_midline(child, None))


def _bisector_spelled(ix: NumericIndex):
    """r11's matcher as first written: one apex at a time."""
    fresh = sorted(ix.fresh) if ix.fresh is not None else ix.names
    for line in ix.lines:
        apexes = ix.names if ix.touches(line) else fresh  # an instance has a new point
        for d in sorted(line):
            for b, c in combinations(sorted(line - {d}), 2):
                for a in apexes:
                    if a in line:
                        continue
                    if abs(ix.dist[(d, b)] * ix.dist[(a, c)] - ix.dist[(d, c)] * ix.dist[(a, b)]) \
                            < 1e-6:
                        yield {"a": a, "b": b, "c": c, "d": d}


def test_bisector_feet_all_apexes_at_once_are_those_one_at_a_time():
    """r11's matcher (a line's apexes at once) finds the instances of the loop over one apex
    at a time, in the same order, without and with a parent: on a triangle with its inner
    bisector's foot and its side's midpoint, a new point the outer bisector's foot."""
    from symbolic.geometry.matchers import _bisector

    a, b, c = np.array([0.3, 2.1]), np.array([-1.0, 0.0]), np.array([2.2, 0.0])
    ab, ac = np.hypot(*(b - a)), np.hypot(*(c - a))
    e, f = np.array([0.7, 0.9]), np.array([1.9, 1.3])
    fa, fe = np.hypot(*(a - f)), np.hypot(*(e - f))
    figure = {"a": a, "b": b, "c": c, "d": (ac * b + ab * c) / (ab + ac),
              "m": (b + c) / 2, "e": e, "f": f,
              "g": (fa * e + fe * a) / (fa + fe)}  # on ea, f's bisector: no new point there
    parent = NumericIndex(figure)
    child = NumericIndex({**figure, "x": (ac * b - ab * c) / (ac - ab)}, parent)
    for ix in (parent, child):
        found = list(_bisector(ix, None))
        assert found == list(_bisector_spelled(ix))
        assert {"a": "a", "b": "b", "c": "c", "d": "d"} in found
    assert {"a": "a", "b": "b", "c": "c", "d": "x"} in list(_bisector(child, None))
    assert {"a": "f", "b": "a", "c": "e", "d": "g"} in list(_bisector(parent, None))
    assert {"a": "f", "b": "a", "c": "e", "d": "g"} not in list(_bisector(child, None))


def _equal_products_spelled(ix: NumericIndex):
    """r51's matcher as first written: ``cluster`` of each point's products and squared
    distances."""
    from symbolic.geometry.numeric_index import cluster

    pos = ix.pos
    for p in ix.names:
        keyed = []
        dots = ix.dots_from(p)
        for k, line in enumerate(ix.lines):
            if p in line:
                for a, b in combinations(sorted(line - {p}), 2):
                    keyed.append((float(dots[pos[a], pos[b]]), (k, a, b)))
        if not keyed:
            continue
        keyed += [(ix.dist[(p, t)] ** 2, (-1, t, t)) for t in ix.names if t != p]
        for group in cluster(keyed):
            for first, second in combinations(group, 2):
                (k1, a, b), (k2, c, d) = sorted((first, second), reverse=True)
                if k1 != k2 and k1 >= 0:
                    yield {"P": p, "A": a, "B": b, "C": c, "D": d}


def test_equal_products_are_the_clusters_of_each_points_products():
    """r51's matcher, clustering each point's products all at once, finds the instances of
    the first spelling in the same order: on a lattice (many equal products, tangents) and
    a figure with chords of a circle through one point, with and without a parent (on a
    child, those with a new point: it skips the groups without one)."""
    from symbolic.geometry.products import _equal_products

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(4)}
    t = np.linspace(0.3, 5.9, 6)
    circle = {f"c{k}": np.array([np.cos(a), np.sin(a)]) for k, a in enumerate(t)}
    a, b, c, d = circle["c0"], circle["c3"], circle["c1"], circle["c4"]
    s, _ = np.linalg.solve(np.array([b - a, c - d]).T, c - a)
    circle["x"] = a + s * (b - a)  # where chords c0c3 and c1c4 meet: equal products
    circle["y"] = a + 1.7 * (a - b)  # on line c0 c3, outside: a tangent's length squared
    for coords in (lattice, circle):
        ix = NumericIndex(coords)
        found = list(_equal_products(ix, None))
        assert found == list(_equal_products_spelled(ix)) and found
        names = sorted(coords)
        parent = NumericIndex({p: coords[p] for p in names[:-2]})
        child = NumericIndex(coords, parent)

        def new(found, ix=child):  # the instances a child keeps (``matchers._cached``)
            return [m for m in found if ix.touches(m.values())]

        found = list(_equal_products(child, None))
        assert new(found) == new(_equal_products_spelled(child)) and new(found)
    assert len(list(_equal_products(NumericIndex(lattice), None))) > 100


def _ratio_resolution_spelled(ix: NumericIndex):
    """r46's matcher as first written: ``cluster`` of every line's triples' ratios."""
    from itertools import permutations

    from symbolic.geometry.numeric_index import cluster

    keyed = []
    xy = {p: (float(v[0]), float(v[1])) for p, v in ix.coords.items()}
    for line in ix.lines:
        for a, b, c in permutations(sorted(line), 3):
            if ix.dist[(a, c)] < 1e-9:
                continue
            (ax, ay), (bx, by), (cx, cy) = xy[a], xy[b], xy[c]
            side = (bx - ax) * (cx - ax) + (by - ay) * (cy - ay)
            keyed.append((ix.dist[(a, b)] / ix.dist[(a, c)], (a, b, c, side > 0)))
    for group in cluster(keyed):
        for (a, b, c, s1), (d, e, f, s2) in permutations(group, 2):
            if s1 == s2 and (a, b, c) != (d, e, f) and ix.touches((a, b, c, d, e, f)):
                yield {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


def test_ratio_resolutions_are_the_clusters_of_the_lines_ratios():
    """r46's matcher, clustering the ratios of every line's triples all at once, finds the
    instances of the first spelling in the same order: a lattice (lines of four points,
    many equal ratios, a coincident point) and a random figure with two lines cut alike,
    with and without a parent."""
    from symbolic.geometry.products import _ratio_resolution

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(4) for y in range(4)}
    lattice["q"] = lattice["p11"].copy()
    rng = np.random.default_rng(9)
    figure = {chr(97 + i): rng.normal(size=2) for i in range(4)}
    for k, t in enumerate((0.3, 1.6, -0.8)):  # a a+t(b-a) ... and c c+t(d-c) ...
        figure[f"x{k}"] = figure["a"] + t * (figure["b"] - figure["a"])
        figure[f"y{k}"] = figure["c"] + t * (figure["d"] - figure["c"])
    for coords in (lattice, figure):
        ix = NumericIndex(coords)
        found = list(_ratio_resolution(ix, None))
        assert found == list(_ratio_resolution_spelled(ix)) and found
        names = sorted(coords)
        child = NumericIndex(coords, NumericIndex({p: coords[p] for p in names[:-2]}))
        found = list(_ratio_resolution(child, None))
        assert found == list(_ratio_resolution_spelled(child)) and found
    assert list(_ratio_resolution(NumericIndex({"a": np.zeros(2)}), None)) == []


def test_a_childs_circles_are_those_of_every_triple():
    """A child's circles, read from the triples with a new point and the parent's circles'
    first three points, are those ``_circles`` finds from every triple, in the same order:
    new points on two circles of the parent, on a new circle with old points, and on
    none; grandchildren too."""
    t = np.linspace(0.2, 5.8, 5)
    coords = {f"a{k}": np.array([np.cos(x), np.sin(x)]) for k, x in enumerate(t)}
    coords.update({f"b{k}": np.array([3 + 2 * np.cos(x), 2 * np.sin(x)])
                   for k, x in enumerate(t)})
    coords["c"] = np.array([0.4, -2.0])
    ix = NumericIndex(coords)
    assert len(ix.circles) == 2
    p, q, r = coords["c"], coords["a0"], coords["b1"]  # n on their circle
    (ox, oy) = np.linalg.solve(2 * np.array([q - p, r - p]), [q @ q - p @ p, r @ r - p @ p])
    o = np.array([ox, oy])
    on = o + np.linalg.norm(p - o) * np.array([np.cos(0.3), np.sin(0.3)])
    for name, v in (("z", np.array([np.cos(2.9), np.sin(2.9)])),  # on the first circle
                    ("m", np.array([3 + 2 * np.cos(0.5), 2 * np.sin(0.5)])),  # the second
                    ("n", on), ("d", np.array([-1.3, 2.2]))):
        coords = {**coords, name: v}
        ix = NumericIndex(coords, ix)
        assert ix.circles == NumericIndex(coords).circles, name
    assert {"a0", "z"} <= ix.circles[0] and {"b0", "m"} <= ix.circles[-1]
    assert frozenset({"a0", "b1", "c", "n"}) in ix.circles


def test_perpendicular_segments_are_those_of_the_whole_table():
    """The segments perpendicular to a line, read from the pairs p < q, are those of the
    first spelling (the upper triangle of the whole table), in the same order; asked again,
    the same list."""
    import math

    lattice = {f"p{x}{y}": np.array([x, y], dtype=float) for x in range(3) for y in range(3)}
    lattice["q"] = lattice["p11"].copy()
    lattice["r"] = np.array([0.5, 2.5])
    ix = NumericIndex(lattice)
    for a, b in (("p00", "p01"), ("p00", "p11"), ("p10", "r")):
        i, j = ix.pos[a], ix.pos[b]
        d = np.abs(ix._ang - ix._ang[i, j]) % math.pi
        ok = np.triu((np.abs(d - math.pi / 2) < 1e-6) & ix._far, 1)
        want = [(ix.names[p], ix.names[q]) for p, q in zip(*np.nonzero(ok))]
        assert ix.perpendicular_segments(a, b) == want
        assert ix.perpendicular_segments(a, b) is ix.perpendicular_segments(a, b)
    assert ("p00", "p10") in ix.perpendicular_segments("p00", "p01")


def _check_extended_index(parent: NumericIndex, coords) -> None:
    inc = NumericIndex(coords, parent)
    full = NumericIndex(coords)
    assert inc.fresh == frozenset(coords) - frozenset(parent.coords)
    assert inc.lines == full.lines  # same lines, same order
    assert inc.on_line == full.on_line and inc.circles == full.circles
    assert inc.equidistant == full.equidistant and inc.midpoints == full.midpoints
    assert inc.triangles(new_only=True) == [t for t in full.triangles() if inc.touches(t)]
    assert set(inc.similar_pairs()) == {
        (t1, t2) for t1, t2 in full.similar_pairs() if inc.touches(t1 + t2)}
    state = ProofState(coords)
    for rid in sorted(STATIC):
        new = _keys(MATCHERS[rid](inc, state))
        every = _keys(MATCHERS[rid](full, state))
        # the new instances are those with a new point; the others are the parent's
        assert new == {k for k in every if inc.touches(v for _, v in k)}, rid
        old = _keys(MATCHERS[rid](NumericIndex(parent.coords), state))
        assert every - new <= old, rid


def _grandchildren(child, coords, k: int, first: int | None = None):
    """(grandchild, drawn diagram) for the first ``first`` of the heuristics' ``k`` candidates
    on ``child`` whose points extend its diagram (seed 2)."""
    for cand in HeuristicProposer().propose(child, k)[:first]:
        grandchild = child.with_auxiliary(cand.clauses)
        try:
            drawn = extend_diagram(Diagram(coords), grandchild, len(child.clauses),
                                   np.random.default_rng(2))
        except GeometryError:
            continue
        yield grandchild, drawn


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_an_extended_index_holds_the_whole_structure_and_only_new_static_instances(problem):
    parent, children = _children(problem, 4)
    assert children
    for _, coords in children:
        _check_extended_index(parent.index, coords)
    # two levels: an index extending an extended index
    child, coords = children[0]
    run = saturate(child, coords, DDARConfig(), parent=parent)
    if run.goal is None:
        for _, drawn in _grandchildren(child, coords, 6):
            _check_extended_index(run.saturation.index, drawn.coords)


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_continuing_from_the_parent_deduces_what_a_fresh_run_deduces(problem):
    parent, children = _children(problem, 4)
    for child, coords in children:
        inc = saturate(child, coords, DDARConfig(), parent=parent)
        fresh = saturate(child, coords, DDARConfig())
        assert (inc.goal is None) == (fresh.goal is None), child.name
        if inc.goal is None:  # a saturated closure: the same facts (a proof stops early),
            # but for the equal angles the law of sines' bridge ties together, one to another
            # in the order it meets them (a child's new angles come among its parent's), and
            # so for a composite statement met in another order (recorded in one run, its
            # parts in the other): each run knows what the other recorded
            ties = set(inc.saturation.sine_ties) | set(fresh.saturation.sine_ties)
            for run, other in ((inc, fresh), (fresh, inc)):
                for fact in set(run.state.facts) - set(other.state.facts):
                    assert fact in ties or fact.pred.known_by_parts, (child.name, fact)
                    assert _follows(other.state, fact), (child.name, fact)


@pytest.mark.parametrize("problem", _problems()[:3], ids=lambda p: p.name)
def test_a_child_states_only_its_new_clauses_premises_and_holds_every_one(problem):
    parent, children = _children(problem, 2)
    for child, coords in children:
        n = len(parent.problem.clauses)
        news = given_facts(child, n)
        assert news == given_facts(child)[len(given_facts(parent.problem)):]
        assert Saturation(child, coords, DDARConfig(), parent)._given_from == n
        run = saturate(child, coords, DDARConfig(), parent=parent)
        for fact, _ in given_facts(child):  # the parent's premises and the new ones
            assert fact in run.state.facts, fact
    # a parent whose clauses are not a start of the problem's: every premise is stated
    child, coords = children[0]
    assert Saturation(problem, coords, DDARConfig(),
                      Saturation(child, coords, DDARConfig()))._given_from == 0


def _follows(state: ProofState, fact: Fact) -> bool:
    """Whether ``state`` knows ``fact``: recorded, derivable, or (a statement known by its
    parts, as deduction settles a rule instance) every part derivable."""
    if state.derive_fact(fact) is not None:
        return True
    parts = fact.pred.unfold(fact.args) if fact.pred.known_by_parts else []
    return bool(parts) and all(state.derive_fact(q) is not None for q in parts)


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_two_levels_of_continuation_know_what_a_fresh_run_knows(problem):
    """A grandchild continued from a child that was itself continued: what a closure keeps
    for its children (settled and waiting instances, the residuals of failed AR queries,
    the statements known by their parts) stays valid one level further down. Each run knows
    every fact the other recorded; the recorded sets themselves may differ by a composite
    statement (a ``simtri2`` of a triangle pair recorded in one run, its parts in the other:
    which one a run records depends on the order it met them, on main as well)."""
    parent, children = _children(problem, 3)
    for child, coords in children:
        run = saturate(child, coords, DDARConfig(), parent=parent)
        if run.goal is not None:
            continue
        for grandchild, drawn in _grandchildren(child, coords, 6, first=3):
            inc = saturate(grandchild, drawn.coords, DDARConfig(), parent=run.saturation)
            fresh = saturate(grandchild, drawn.coords, DDARConfig())
            assert (inc.goal is None) == (fresh.goal is None), grandchild.name
            if inc.goal is None:
                a, b = set(inc.state.facts), set(fresh.state.facts)
                assert all(_follows(fresh.state, f) for f in a - b), grandchild.name
                assert all(_follows(inc.state, f) for f in b - a), grandchild.name


def test_a_kept_residual_is_the_residual_on_the_table_now():
    """Every failed AR query a continued closure keeps (``ProofState._residuals``), brought
    up to date, is the query's residual on the final tables."""
    problem = _problems()[-1]
    parent, children = _children(problem, 2)
    for child, coords in children:
        state = saturate(child, coords, DDARConfig(), parent=parent).state
        assert state._residuals
        for (fact, i), (res, known) in state._residuals.items():
            table_name, expr = state.equations(fact)[i]
            table = state.tables[table_name]
            assert table.residual_since(res, known) == table.residual(expr), fact


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_waiting_for_the_lacking_premise_changes_nothing(problem, monkeypatch):
    """An instance that failed for want of a premise is tried again only when what it waits
    for may have come (``Waiting``); tried again at every change of the state instead (the
    oracle), fresh and continued runs record the same facts, settle the same instances and
    apply the same number of rules."""
    parent, children = _children(problem, 3)

    def outcome(child, coords, from_parent):
        run = saturate(child, coords, DDARConfig(), parent=parent if from_parent else None)
        return set(run.state.facts), set(run.saturation.settled), run.stats["applied"]

    waiting = [outcome(c, xy, p) for c, xy in children for p in (False, True)]
    monkeypatch.setattr(Saturation, "_wakes", lambda self, w: True)
    assert waiting == [outcome(c, xy, p) for c, xy in children for p in (False, True)]


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_an_ar_step_found_when_read_is_the_one_found_at_once(problem, monkeypatch):
    """AR steps work out their combination when first read (``LazyAR``); worked out at once
    instead (the oracle), fresh and continued runs record the same facts with the same
    premises and certificates, and a lazy step pickles as the plain derivation it is."""
    import pickle

    parent, children = _children(problem, 3)

    def outcome(child, coords, from_parent):
        run = saturate(child, coords, DDARConfig(), parent=parent if from_parent else None)
        return {f: (d.rule, d.premises, d.certificate) for f, d in run.state.facts.items()}

    steps = [d for c, xy in children for d in saturate(c, xy, DDARConfig()).state.facts.values()
             if isinstance(d, LazyAR)]
    assert steps
    for d in steps[:20]:
        again = pickle.loads(pickle.dumps(d))
        assert type(again) is Derivation and again == d.resolved()
        assert again.certificate == d.certificate

    lazy = [outcome(c, xy, p) for c, xy in children for p in (False, True)]

    def at_once(rule, find):
        premises, cert = find()
        return Derivation(rule, premises, 0, (), cert)

    monkeypatch.setattr(state_module, "LazyAR", at_once)
    assert lazy == [outcome(c, xy, p) for c, xy in children for p in (False, True)]


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_a_continued_squared_table_has_every_median_of_the_new_points(problem):
    """A midpoint the parent fed to the squared table gets, in a child and a grandchild, the
    median equations of the new points only (the parent's are in the copied table): the
    table still implies the median's equation from every point of the diagram."""
    from symbolic.geometry.predicates import MIDP

    parent, children = _children(problem, 3)
    checked = 0
    for child, coords in children:
        run = saturate(child, coords, DDARConfig(), parent=parent)
        runs = [(run, coords)]
        if run.goal is None:
            runs += [(saturate(g, d.coords, DDARConfig(), parent=run.saturation), d.coords)
                     for g, d in _grandchildren(child, coords, 6, first=2)]
        for r, xy in runs:
            if r.goal is not None or "squared" not in r.state.enabled:
                continue
            for fact in [f for f in r.state.facts if f.pred is MIDP]:
                for table, expr in MIDP.medians(fact.args, r.state, sorted(xy)):
                    assert r.state.tables[table].implies(expr) is not None, (fact, expr)
                    checked += 1
    if problem.name in OLYMPIAD[:1]:
        assert checked, "the problem's children know a midpoint"


@pytest.mark.parametrize("problem", _problems()[:3], ids=lambda p: p.name)
def test_an_extended_state_keeps_the_equations_that_do_not_read_every_point(problem):
    """A child's state keeps its parent's memoised equations but those of predicates whose
    equations read every point (the first spelling: a filter over all of them), in order."""
    from symbolic.geometry.facts import Fact
    from symbolic.geometry.predicates import MIDP

    parent, children = _children(problem, 1)
    st = parent.state
    a, b, c = sorted(st.coords)[:3]
    st.equations(Fact.make(MIDP, (a, b, c)))  # one whose equations read every point
    assert st._equations and any(f.pred.equations_read_all_points for f in st._equations)
    _, coords = children[0]
    new = st.extended(coords)
    assert list(new._equations.items()) == [
        (f, e) for f, e in st._equations.items() if not f.pred.equations_read_all_points]
    assert new._reads_all == [] and set(st._reads_all) == {
        f for f in st._equations if f.pred.equations_read_all_points}


def test_new_points_are_those_a_child_adds():
    coords = {p: np.array([float(k), float(k * k % 5)]) for k, p in enumerate("abcdef")}
    parent = NumericIndex({p: coords[p] for p in "abdf"})
    child = NumericIndex(coords, parent)
    assert parent.new_points().tolist() == [True] * 4
    assert child.new_points().tolist() == [child.is_new(p) for p in child.names] \
        == [False, False, True, False, True, False]
    assert child.new_points() is child.new_points()
