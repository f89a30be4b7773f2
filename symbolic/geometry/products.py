"""Matchers that cluster a figure's values along its lines, each worked out for every point
and line at once: ratio resolution (r46: collinear triples cut alike), equal products (r51:
PA·PB = PC·PD along two lines through P, or a tangent PC) and the tangents among them (r57).
They register with the others (``matchers.matcher``)."""

from __future__ import annotations

from functools import cache
from itertools import combinations, permutations

from . import kernels
from .matchers import MATCHERS, matcher
from .numeric_index import TOL


@matcher("r46", static=True)
def _ratio_resolution(ix, st):
    """Pairs of collinear triples (A, B, C), (D, E, F) with AB:AC = DE:DF and A, D on the same
    side of BC, EF. The ratios of every line's triples (in ``permutations`` order) are
    ``cluster``-ed all at once (sorted, a group broken where one is further than ``TOL``
    from the one before)."""
    import numpy as np

    triples = [np.array(sorted(ix.pos[p] for p in line), dtype=np.int64)[_perms3(len(line))]
               for line in ix.lines]
    if not triples:
        return
    t = np.concatenate(triples)
    a, b, c = t[:, 0], t[:, 1], t[:, 2]
    dist, xy = ix._dist, ix.xy
    t = t[dist[a, c] >= 1e-9]
    a, b, c = t[:, 0], t[:, 1], t[:, 2]
    ratio = dist[a, b] / dist[a, c]
    u, w = xy[b] - xy[a], xy[c] - xy[a]
    side = (u[:, 0] * w[:, 0] + u[:, 1] * w[:, 1]) > 0  # +-|ab||ac| (collinear)
    order = np.argsort(ratio, kind="stable")
    v = ratio[order]
    joined = np.abs(np.diff(v)) <= TOL * np.maximum(1.0, np.abs(v[1:]))
    if not joined.any():
        return
    names = ix.names
    runs = _runs(joined)
    if ix.fresh is not None:  # only groups with a new point give instances with one
        new = ix.new_points()
        seen = np.concatenate(([0], np.cumsum((new[a] | new[b] | new[c])[order])))
        runs = [(lo, hi) for lo, hi in runs if seen[hi + 1] > seen[lo]]
    for lo, hi in runs:
        rows = order[lo:hi + 1]
        group = [(names[i], names[j], names[k], s)
                 for (i, j, k), s in zip(t[rows].tolist(), side[rows].tolist())]
        for (a1, b1, c1, s1), (d, e, f, s2) in permutations(group, 2):
            if s1 == s2 and (a1, b1, c1) != (d, e, f) and ix.touches((a1, b1, c1, d, e, f)):
                yield {"A": a1, "B": b1, "C": c1, "D": d, "E": e, "F": f}


@cache
def _perms3(m: int):
    """The rows of ``permutations(range(m), 3)`` as an array (made once per m)."""
    import numpy as np

    return np.array(list(permutations(range(m), 3)), dtype=np.int64).reshape(-1, 3)


@matcher("r51", static=True)
def _equal_products(ix, st):
    """P with PA·PB = PC·PD (vectors) for A, B and C, D on two lines through P, or C = D
    any point (a tangent PC). Per P: ``cluster`` of the products of the pairs on each line
    through P (by line, then pair) and every other point's squared distance from P (the
    values sorted, a group broken where one is further than ``TOL`` from the one before),
    for every P at once."""
    import numpy as np

    names, pos, xy = ix.names, ix.pos, ix.xy
    ps, ks, as_, bs = [], [], [], []  # each line's points p, and pairs a, b of the others
    for k, line in enumerate(ix.lines):
        at = np.array(sorted(pos[x] for x in line), dtype=np.int64)[kernels.apart_pairs(len(line))]
        ps.append(at[:, 0])
        as_.append(at[:, 1])
        bs.append(at[:, 2])
        ks.append(np.full(len(at), k, dtype=np.int64))
    if not ps:
        return
    p, k, a, b = (np.concatenate(x) for x in (ps, ks, as_, bs))
    u, w = xy[a] - xy[p], xy[b] - xy[p]
    products = u[:, 0] * w[:, 0] + u[:, 1] * w[:, 1]
    # the tangents: every other point t of each point p on a line (squared as Python does:
    # ``x ** 2`` is not always ``x * x``), after p's pairs
    on = sorted(set(p.tolist()))
    tp = np.repeat(np.array(on, dtype=np.int64), len(names) - 1)
    tt = np.array([t for q in on for t in range(len(names)) if t != q], dtype=np.int64)
    dist = ix.dist
    squares = [dist[(names[q], names[t])] ** 2 for q, t in zip(tp.tolist(), tt.tolist())]
    point = np.concatenate((p, tp))
    value = np.concatenate((products, squares))
    order = np.lexsort((np.arange(len(value)), value, point))  # by p, value, then as written
    v, same_p = value[order], point[order]
    joined = ((same_p[1:] == same_p[:-1])
              & (np.abs(np.diff(v)) <= TOL * np.maximum(1.0, np.abs(v[1:]))))
    if not joined.any():
        return
    line_items = len(products)
    k_of, a_of, b_of, t_of = k.tolist(), a.tolist(), b.tolist(), tt.tolist()
    runs = _runs(joined)
    if ix.fresh is not None:  # only groups with a new point (the centre or an item's) give
        new = ix.new_points()  # instances with one
        with_new = np.concatenate((new[p] | new[a] | new[b], new[tp] | new[tt]))[order]
        seen = np.concatenate(([0], np.cumsum(with_new)))
        runs = [(lo, hi) for lo, hi in runs if seen[hi + 1] > seen[lo]]
    for lo, hi in runs:
        group = []
        for r in order[lo:hi + 1].tolist():
            if r < line_items:
                group.append((k_of[r], names[a_of[r]], names[b_of[r]]))
            else:
                t = names[t_of[r - line_items]]
                group.append((-1, t, t))
        centre = names[int(same_p[lo])]
        for first, second in combinations(group, 2):
            (k1, a1, b1), (k2, c, d) = sorted((first, second), reverse=True)  # line first
            if k1 != k2 and k1 >= 0:
                yield {"P": centre, "A": a1, "B": b1, "C": c, "D": d}


@matcher("r57", static=True)
def _tangent_products(ix, st):
    """P on a line AB and C off it with PC² = PA·PB (vectors, numerically): r51's instances
    (replayed from its cache, not computed again) with C = D."""
    for m in MATCHERS["r51"](ix, st):
        if m["C"] == m["D"] and m["C"] not in ix.line(m["A"], m["B"]):
            yield {"P": m["P"], "A": m["A"], "B": m["B"], "C": m["C"]}


def _runs(joined) -> list[tuple[int, int]]:
    """The groups of a sorted array whose neighbours ``joined`` links (``joined[i]``: items
    i and i + 1 are in one group): (first, last) of each run of two or more."""
    import numpy as np

    starts = np.flatnonzero(np.diff(np.concatenate(([0], joined.astype(np.int8), [0]))))
    return list(zip(starts[::2].tolist(), starts[1::2].tolist()))
