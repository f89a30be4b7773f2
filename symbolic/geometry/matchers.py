"""Candidate generators for the rules of the table, one per rule id.

A matcher proposes rule instances (rule variable -> point) that are plausible on the
numeric diagram; the deduction loop then checks every premise of the rule symbolically and
the conclusion numerically. A matcher can therefore never make the prover unsound, only
slower (too many candidates) or weaker (too few). Rules whose content the AR tables already
cover (transitivity of equal angles and ratios, perpendicular/parallel chasing) need none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from itertools import combinations, permutations

from ..deadline import check
from . import kernels
from .numeric_index import NumericIndex
from .predicates import COLL
from .state import ProofState

Mapping = dict[str, str]
Matcher = Callable[[NumericIndex, ProofState], Iterator[Mapping]]
MATCHERS: dict[str, Matcher] = {}
STATIC: set[str] = set()  # rules whose matcher reads only the diagram (``matcher(static=)``)

# Rules whose every instance the AR tables derive by themselves (parallel/perpendicular
# chasing, transitivity of equal angles and ratios): they need no matcher, and proofs name
# an AR step after one of them when the step instantiates it (proof._as_table_rule).
AR_COVERED = frozenset({"r00", "r02", "r08", "r09", "r10", "r30", "r31"})


def matcher(*rule_ids: str, static: bool = False) -> Callable[[Matcher], Matcher]:
    """Register a candidate generator for these rules. A ``static`` one reads only the
    numeric index, so its candidates are computed once per diagram and replayed; on an index
    that extends a parent's, it proposes only the instances with a new point
    (``NumericIndex.touches``: the parent's closure has tried the others). A static matcher
    may skip the instances without a new point itself, where that is cheap; those it does
    not skip are dropped here."""
    def register(fn: Matcher) -> Matcher:
        gen = _cached(fn) if static else fn
        for rid in rule_ids:
            if rid in MATCHERS:
                raise ValueError(f"two matchers for {rid}")
            MATCHERS[rid] = gen
            if static:
                STATIC.add(rid)
        return fn
    return register


def _cached(fn: Matcher) -> Matcher:
    def replay(ix: NumericIndex, st: ProofState) -> Iterator[Mapping]:
        found = ix.cache.get(fn.__name__)
        if found is None:  # a deadline met on the way leaves nothing half made
            found = []
            for i, m in enumerate(fn(ix, st)):
                if i % 64 == 63:
                    check()
                if ix.touches(m.values()):
                    found.append(m)
            ix.cache[fn.__name__] = found
        return iter(found)
    return replay


def _unproved_quads(ix: NumericIndex, st: ProofState) -> Iterator[tuple[str, ...]]:
    for circle in ix.circles:
        for quad in combinations(sorted(circle), 4):
            if st.circle_through(frozenset(quad)) is None:
                yield quad


@matcher("r01")
def _concyclic_by_centre(ix, st):
    for o, groups in ix.equidistant.items():
        for g in groups:
            for a, b, c, d in combinations(g, 4):
                if st.circle_through(frozenset((a, b, c, d))) is None:
                    yield {"O": o, "A": a, "B": b, "C": c, "D": d}


@matcher("r03")
def _inscribed_angles(ix, st):
    for circle in list(st.circles):
        pts = sorted(circle.points)
        for a, b in combinations(pts, 2):
            rest = [x for x in pts if x not in (a, b)]
            for p, q in combinations(rest, 2):
                yield {"A": a, "B": b, "P": p, "Q": q}


@matcher("r04")
def _concyclic_by_angles(ix, st):
    for w, x, y, z in _unproved_quads(ix, st):
        for (a, b), (p, q) in (((w, x), (y, z)), ((w, y), (x, z)), ((w, z), (x, y))):
            yield {"A": a, "B": b, "P": p, "Q": q}
            yield {"A": p, "B": q, "P": a, "Q": b}


@matcher("r05")
def _equal_chords(ix, st):
    for circle in list(st.circles):
        pts = sorted(circle.points)
        chords = list(combinations(pts, 2))
        for (a, b), (p, q) in combinations(chords, 2):
            if abs(ix.dist[(a, b)] - ix.dist[(p, q)]) > 1e-6:
                continue
            cs = [x for x in pts if x not in (a, b)][:2]
            rs = [x for x in pts if x not in (p, q)][:2]
            for c in cs:
                for r in rs:
                    yield {"A": a, "B": b, "C": c, "P": p, "Q": q, "R": r}
                    yield {"A": a, "B": b, "C": c, "P": q, "Q": p, "R": r}


@matcher("r06", static=True)
def _midline(ix, st):
    mids = ix.midpoints
    for (e, a1, b1), (f, a2, b2) in permutations(mids, 2):
        for a, b in ((a1, b1), (b1, a1)):
            for a_, c in ((a2, b2), (b2, a2)):
                if a == a_ and b != c:
                    yield {"E": e, "A": a, "B": b, "F": f, "C": c}


def _thales(ix: NumericIndex) -> Iterator[Mapping]:
    touched = {line: ix.touches(line) for line in ix.lines}
    for l1, l2 in permutations(ix.lines, 2):
        if not (touched[l1] or touched[l2]):
            continue
        common = l1 & l2
        if len(common) != 1:
            continue
        (o,) = common
        seconds = list(permutations(sorted(l2 - {o}), 2))
        # with no new point among O, A, C, only the pairs (B, D) with one have new instances
        fresh = seconds if ix.is_new(o) else [
            (b, d) for b, d in seconds if ix.is_new(b) or ix.is_new(d)]
        for a, c in permutations(sorted(l1 - {o}), 2):
            for b, d in seconds if ix.is_new(a) or ix.is_new(c) else fresh:
                if ix.parallel(a, b, c, d):
                    yield {"A": a, "B": b, "C": c, "D": d, "O": o}


@matcher("r07", "r27", static=True)
def _parallel_cut(ix, st):
    yield from _thales(ix)


@matcher("r11", "r12", static=True)
def _bisector(ix, st):
    """D, B, C on a line and A off it with DB·AC = DC·AB (numerically): for each line, its
    points D, then the pairs B, C of the others, then every apex A (every point if the line
    has a new one, else the new points), all of a line's at once."""
    import numpy as np

    names, pos, dist = ix.names, ix.pos, ix._dist
    everyone = np.arange(len(names))
    fresh = np.flatnonzero(ix.new_points())  # (every point, without a parent)
    off_line = np.ones(len(names), dtype=np.bool_)
    for line in ix.lines:
        apexes = everyone if ix.touches(line) else fresh  # an instance has a new point
        at = np.array(sorted(pos[p] for p in line), dtype=np.intp)
        off_line[at] = False
        apexes = apexes[off_line[apexes]]
        off_line[at] = True
        if not len(apexes):
            continue
        d, b, c = at[kernels.apart_pairs(len(at))].T
        # |DB·AC - DC·AB| per (D, B, C) row and apex column: the products ``_bisector_spelled``
        # takes one at a time, the same bits
        off = np.abs(dist[d, b][:, None] * dist[apexes[None, :], c[:, None]]
                     - dist[d, c][:, None] * dist[apexes[None, :], b[:, None]])
        for m, j in zip(*(e.tolist() for e in np.nonzero(off < 1e-6))):
            yield {"a": names[apexes[j]], "b": names[b[m]], "c": names[c[m]], "d": names[d[m]]}


@matcher("r13", "r14", static=True)
def _isosceles(ix, st):
    for o, groups in ix.equidistant.items():
        for g in groups:
            for a, b in permutations(g, 2):
                if not ix.collinear(o, a, b):
                    yield {"O": o, "A": a, "B": b}


def _centred(ix: NumericIndex) -> Iterator[tuple[str, list[str]]]:
    for o, groups in ix.equidistant.items():
        for g in groups:
            if len(g) >= 3:
                yield o, g


@matcher("r15", "r16", static=True)
def _tangent(ix, st):
    for o, g in _centred(ix):
        for a in g:
            check()
            for x in ix.names:
                if x in (a, o) or not ix.perpendicular(o, a, a, x):
                    continue
                for b, c in permutations([p for p in g if p != a], 2):
                    yield {"O": o, "A": a, "B": b, "C": c, "X": x}


@matcher("r17", "r18", static=True)
def _centre_midpoint(ix, st):
    for o, g in _centred(ix):
        for m, b, c in ix.midpoints:
            if b in g and c in g:
                for a in g:
                    if a not in (b, c):
                        yield {"O": o, "A": a, "B": b, "C": c, "M": m}
                        yield {"O": o, "A": a, "B": c, "C": b, "M": m}


@matcher("r19", static=True)
def _right_median(ix, st):
    for m, a, c in ix.midpoints:
        for b in ix.names:
            if b not in (a, c, m) and ix.perpendicular(a, b, b, c):
                yield {"A": a, "B": b, "C": c, "M": m}


@matcher("r20", static=True)
def _diameter(ix, st):
    for o, g in _centred(ix):
        for a, c in permutations(g, 2):
            if ix.collinear(o, a, c):
                for b in g:
                    if b not in (a, c):
                        yield {"O": o, "A": a, "B": b, "C": c}


@matcher("r21", static=True)
def _isosceles_trapezoid(ix, st):
    for circle in ix.circles:
        for a, b, c, d in permutations(sorted(circle), 4):
            if a < b and ix.parallel(a, b, c, d):
                yield {"A": a, "B": b, "C": c, "D": d}


@matcher("r22", static=True)
def _perp_bisector_cong(ix, st):
    for m, a, b in ix.midpoints:
        check()
        for o in ix.names:
            if o not in (m, a, b) and ix.perpendicular(o, m, a, b):
                yield {"M": m, "A": a, "B": b, "O": o}


def _bisector_pairs(ix: NumericIndex) -> Iterator[tuple[str, str, str, str]]:
    """a < b and p < q each at one distance from a and b (|ap| = |bp| within 1e-6), read
    off the groups of points equidistant from p (which hold every such pair a, b)."""
    eq: dict[tuple[str, str], list[str]] = {}
    for p, groups in ix.equidistant.items():  # p in name order
        for g in groups:
            for a, b in combinations(g, 2):
                if abs(ix.dist[(a, p)] - ix.dist[(b, p)]) < 1e-6:
                    eq.setdefault((a, b), []).append(p)
    for a, b in sorted(eq):
        for p, q in combinations(eq[(a, b)], 2):
            yield a, b, p, q


@matcher("r23", static=True)
def _perp_bisector(ix, st):
    for a, b, p, q in _bisector_pairs(ix):
        yield {"A": a, "B": b, "P": p, "Q": q}


@matcher("r24", static=True)
def _kite_in_circle(ix, st):
    for a, b, p, q in _bisector_pairs(ix):
        if any({a, b, p, q} <= c for c in ix.circles):
            yield {"A": a, "B": b, "P": p, "Q": q}
            yield {"A": b, "B": a, "P": p, "Q": q}


def _double_midpoints(ix: NumericIndex) -> Iterator[Mapping]:
    by_mid: dict[str, list[tuple[str, str]]] = {}
    for m, a, b in ix.midpoints:
        by_mid.setdefault(m, []).append((a, b))
    for m, segs in by_mid.items():
        for (a, b), (c, d) in permutations(segs, 2):
            yield {"M": m, "A": a, "B": b, "C": c, "D": d}
            yield {"M": m, "A": a, "B": b, "C": d, "D": c}


@matcher("r25", "r26", static=True)
def _parallelogram(ix, st):
    yield from _double_midpoints(ix)


@matcher("r29", static=True)
def _two_midpoints(ix, st):
    for (m, a, b), (n, c, d) in permutations(ix.midpoints, 2):
        yield {"M": m, "A": a, "B": b, "N": n, "C": c, "D": d}


@matcher("r28")
def _para_to_coll(ix, st):
    for line in ix.lines:
        for a, b, c in combinations(sorted(line), 3):
            if st.derive(COLL, (a, b, c)) is None:
                for x, y, z in ((a, b, c), (b, a, c), (c, a, b)):
                    yield {"A": x, "B": y, "C": z}


@matcher("r32", "r33", "r34", "r35", "r36", "r37", "r38", "r39", "r40", "r43", "r44", static=True)
def _triangles(ix, st):
    for t1, t2 in ix.similar_pairs():
        a, b, c = t1
        p, q, r = t2
        for x, y, z, u, v, w in ((a, b, c, p, q, r), (b, c, a, q, r, p), (c, a, b, r, p, q)):
            yield {"A": x, "B": y, "C": z, "P": u, "Q": v, "R": w}


@matcher("r45", static=True)
def _equal_legs(ix, st):
    for group in ix.parallel_classes():
        check()
        # the pairs (AD, BC) of ``permutations(group, 2)`` with a new point, in that order
        new = [j for j, seg in enumerate(group) if ix.touches(seg)]
        everything = range(len(group))
        for i, (a, d) in enumerate(group):
            if a > d:
                continue
            for j in everything if ix.touches((a, d)) else new:
                b, c = group[j]
                if (j != i and len({a, b, c, d}) == 4 and not ix.collinear(a, d, b)
                        and abs(ix.dist[(a, b)] - ix.dist[(c, d)]) < 1e-6
                        and not ix.parallel(a, b, c, d)):
                    yield {"A": a, "B": b, "C": c, "D": d}


@matcher("r47", static=True)
def _centre_of_concyclic(ix, st):
    for o, g in _centred(ix):
        for a, b, c in combinations(g, 3):
            for d in g:
                if d not in (a, b, c):
                    yield {"O": o, "A": a, "B": b, "C": c, "D": d}


@matcher("r48", static=True)
def _incentre(ix, st):
    """Triangles ABC and points X on a bisector of the angle at A and of the one at B."""
    bisected = _bisected_pairs(ix)
    for (a, x), pairs in bisected.items():
        for b, c in pairs:
            if (a, c) in bisected.get((b, x), ()) and not ix.collinear(a, b, c):
                yield {"A": a, "B": b, "C": c, "X": x}


def _bisected_pairs(ix: NumericIndex) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(A, X) -> the ordered pairs (B, C) such that line AX bisects the angle of lines AB, AC
    (internal or external). With a parent (``ix.fresh``), only the entries (A, X, B, C)
    with a new point: all that instances with a new point look up."""
    check()
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    names = ix.names
    for a, x, b, c in kernels.bisected(ix._ang, ix._far, ix.new_points()):
        out.setdefault((names[a], names[x]), set()).add((names[b], names[c]))
    return out


@matcher("r41", "r42", static=True)
def _trapezoid_midline(ix, st):
    """Segments ab, cd of one parallel class (a before b) with a, d and b, c on lines of
    three points or more, and m on line ad, n on line bc with mn parallel to ab. The pairs
    of segments of each class (``permutations`` order) are filtered all at once."""
    import numpy as np

    groups = ix.parallel_classes()
    if not groups or not ix.lines:
        return
    check()
    pos, names, on_line = ix.pos, ix.names, ix.on_line
    ends = np.array([(pos[a], pos[b]) for g in groups for a, b in g], dtype=np.int64)
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    # every ordered pair (i, j) of entries of one class, row by row
    per = np.repeat(sizes, sizes)  # each entry's class size
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)  # its class's first entry
    i = np.repeat(np.arange(len(ends)), per)
    j = np.repeat(first, per) + np.arange(len(i)) - np.repeat(np.cumsum(per) - per, per)
    pa, pb, pc, pd = ends[i, 0], ends[i, 1], ends[j, 0], ends[j, 1]
    together = ix.on_common_line()
    keep = ((i != j) & (pa < pb) & together[pa, pd] & together[pb, pc]
            & (pa != pc) & (pb != pd))  # (a != d, b != c: no point is on a line with itself)
    if ix.fresh is not None:  # ``_midlines``' first test, all at once: a new point among
        new = ix.new_points()  # a, b, c, d or on line ad or bc
        line_new = np.zeros((len(names), len(names)), dtype=np.bool_)
        for line in ix.lines:
            if not ix.fresh.isdisjoint(line):
                at = [pos[p] for p in line]
                line_new[np.ix_(at, at)] = True
        keep &= (new[pa] | new[pb] | new[pc] | new[pd] | line_new[pa, pd] | line_new[pb, pc])
    for w, x, y, z in zip(*(e[keep].tolist() for e in (pa, pb, pc, pd))):
        a, b, c, d = names[w], names[x], names[y], names[z]
        yield from _midlines(ix, a, b, c, d, on_line[(a, d) if a < d else (d, a)],
                             on_line[(b, c) if b < c else (c, b)])


def _midlines(ix: NumericIndex, a: str, b: str, c: str, d: str, ad: frozenset[str],
              bc: frozenset[str]) -> Iterator[Mapping]:
    """r41's instances for the trapezoid abcd (ab parallel to cd, ``ad`` and ``bc`` the
    lines of three points or more through a, d and b, c): m on ad and n on bc with mn
    parallel to ab, when one of the points is new."""
    if not (ix.touches((a, b, c, d)) or ix.touches(ad)
            or ix.touches(bc)):  # no new point for m, n either
        return
    if ix.collinear(a, b, c):
        return
    for m in ad - {a, d}:
        for n in bc - {b, c}:
            if ix.parallel(m, n, a, b):
                yield {"a": a, "b": b, "c": c, "d": d, "m": m, "n": n}
                yield {"a": b, "b": a, "c": d, "d": c, "m": n, "n": m}


@matcher("r49", static=True)
def _power_of_a_point(ix, st):
    """Points P on the line of a chord XY of a circle centred O (OX = OY numerically), O not
    on that line: for the midpoint O of XY its median equations (``midp``) say as much."""
    for o, groups in ix.equidistant.items():
        for g in groups:
            for x, y in combinations(g, 2):
                line = ix.line(x, y)
                if o not in line:
                    for p in sorted(line - {x, y}):
                        yield {"O": o, "X": x, "Y": y, "P": p}


@matcher("r50", "r56", static=True)
def _chords_meeting(ix, st):
    """Two chords AB, CD of a circle (numerically) whose lines meet at a named point P."""
    for circle in ix.circles:
        chords = list(combinations(sorted(circle), 2))
        for (a, b), (c, d) in combinations(chords, 2):
            if len({a, b, c, d}) == 4:
                for p in sorted((ix.line(a, b) & ix.line(c, d)) - {a, b, c, d}):
                    yield {"P": p, "A": a, "B": b, "C": c, "D": d}


def _chord_meet(meets: dict, a: str, b: str, d: str, e: str):
    """The named points where the lines of chords ab and de meet (``meets`` keyed by the two
    chords, each sorted, in sorted order)."""
    one, two = (min(a, b), max(a, b)), (min(d, e), max(d, e))
    return meets.get((one, two) if one < two else (two, one), ())


@matcher("r58", static=True)
def _pascal(ix, st):
    """Hexagons ABCDEF of six named points on a circle (numerically) whose three pairs of
    opposite sides meet at named points X, Y, Z; each hexagon once (up to rotation and
    reflection) for each choice of meets."""
    for circle in ix.circles:
        if len(circle) < 6:
            continue
        check()
        on = sorted(circle)
        meets = {}  # ((a, b), (d, e)): the named points off the circle on lines ab and de
        for (a, b), (d, e) in combinations(list(combinations(on, 2)), 2):
            if len({a, b, d, e}) == 4:
                found = (ix.line(a, b) & ix.line(d, e)) - circle
                if found:
                    meets[((a, b), (d, e))] = found
        meet = partial(_chord_meet, meets)
        seen = set()
        # AB and DE the first pair of opposite sides, either way round (the other way is the
        # hexagon DEFABC, the same one turned), each in both directions
        for (a0, b0), (d0, e0) in meets:
            for a, b, d, e in ((a0, b0, d0, e0), (b0, a0, e0, d0), (a0, b0, e0, d0),
                               (b0, a0, d0, e0)):
                for c, f in permutations(circle - {a, b, d, e}, 2):
                    ys, zs = meet(b, c, e, f), meet(c, d, f, a)
                    if not ys or not zs:
                        continue
                    hexagon = (a, b, c, d, e, f)
                    turns = [hexagon[i:] + hexagon[:i] for i in range(6)]
                    key = min(turns + [t[::-1] for t in turns])
                    for x in meet(a, b, d, e):
                        for y in ys:
                            for z in zs:
                                if (key, frozenset((x, y, z))) in seen:
                                    continue
                                seen.add((key, frozenset((x, y, z))))
                                yield {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f,
                                       "X": x, "Y": y, "Z": z}


@matcher("r52", "r55", static=True)
def _menelaus(ix, st):
    """Complete quadrilaterals of the diagram: four lines (of three or more named points)
    meeting two by two at six distinct named points; each three of them a triangle, the
    fourth its transversal (one instance per triangle: the rule's equation is symmetric).
    r52 (Menelaus) states the ratio product there; r55 (its converse) reads the same
    instances the other way, concluding the transversal's collinearity from the product."""
    lines = [ln for ln in ix.lines if len(ln) >= 3]
    meet = {}  # (i, j), i < j: the named point where lines i and j meet
    for i, j in combinations(range(len(lines)), 2):
        common = lines[i] & lines[j]
        if len(common) == 1:
            meet[(i, j)] = next(iter(common))
    nbrs = {}
    for i, j in meet:
        nbrs.setdefault(i, set()).add(j)
        nbrs.setdefault(j, set()).add(i)
    for i, j in sorted(meet):
        for k in sorted(nbrs[i] & nbrs[j]):
            if k <= j:
                continue
            for t in sorted(nbrs[i] & nbrs[j] & nbrs[k]):
                if t <= k:
                    continue
                quad = (i, j, k, t)
                pts = {meet[(x, y)] for x, y in combinations(quad, 2)}
                if len(pts) < 6:
                    continue
                for side in quad:  # the transversal
                    a_, b_, c_ = (x for x in quad if x != side)
                    # vertices: A = b_ ∩ c_, B = a_ ∩ c_, C = a_ ∩ b_; feet on the transversal
                    a, b, c = meet[(b_, c_)], meet[(a_, c_)], meet[(a_, b_)]
                    d, e, f = (meet[tuple(sorted((x, side)))] for x in (a_, b_, c_))
                    yield {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


@matcher("r53", static=True)
def _harmonic_midpoint(ix, st):
    """The midpoint M of PE and points A, C on line PE with PA:PC = EA:EC (numerically)."""
    d = ix.dist
    for m, p, e in ix.midpoints:
        for a, c in combinations(sorted(ix.line(p, e) - {m, p, e}), 2):
            if abs(d[(p, a)] * d[(e, c)] - d[(p, c)] * d[(e, a)]) < 1e-9 * max(
                    1.0, d[(p, a)] * d[(e, c)]):
                yield {"P": p, "E": e, "A": a, "C": c, "M": m}
                yield {"P": e, "E": p, "A": a, "C": c, "M": m}


@matcher("r54")
def _equal_power_line(ix, st):
    """Three points of a numeric line not known to be collinear, with every segment PQ of
    named points perpendicular to it (one rotation: the premises say that XP² − XQ² is the
    same at A, B and C, whichever is A)."""
    for line in ix.lines:
        check()
        triples = [t for t in combinations(sorted(line), 3) if st.derive(COLL, t) is None]
        if not triples:
            continue
        a, b = triples[0][:2]
        normals = ix.perpendicular_segments(a, b)
        for t in triples:
            for p, q in normals:
                yield {"A": t[0], "B": t[1], "C": t[2], "P": p, "Q": q}


@matcher("r59", static=True)
def _sines(ix, st):
    """Every triangle of named points (the law of sines' equations; the angle bridge of
    ``dd.Saturation._bridge_sines`` ties their angles' sines together)."""
    for a, b, c in ix.triangles(new_only=True):
        yield {"A": a, "B": b, "C": c}


# the matchers that cluster a figure's ratios and products (r46, r51, r57) register too
from . import products  # noqa: E402,F401
