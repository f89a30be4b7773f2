"""Hand-written auxiliary-construction proposals: the classic ones a geometer tries first.

When DD+AR saturates without the goal, a proof often needs a point the statement does not
have. This proposer lists the classic ones over the figure's points and lines, kind by kind
in turn (so that a short list still holds every kind), goal points first within each kind.
It only proposes: every candidate is drawn, deduced from and checked like any other problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations, zip_longest
from operator import itemgetter

import numpy as np

from ..deadline import check
from .kernels import combination_rows
from .problem import Clause, Problem, Step
from .proposal import Candidate


def figure_lines(problem: Problem) -> list[tuple[str, str]]:
    """Segments the statement draws: pairs of points named together in a premise."""
    out: dict[tuple[str, str], None] = {}
    for clause in problem.clauses:
        for step in clause.steps:
            for atom in step.premises:
                for a, b in atom.pred.figure_lines(atom.args):
                    if a != b:
                        out.setdefault((min(a, b), max(a, b)), None)
    return list(out)


def full_lines(problem: Problem, lines: list[tuple[str, str]]) -> list[frozenset[str]]:
    """The statement's lines as point sets: its collinear triples and figure ``lines`` (see
    ``figure_lines``), merged while two share two points."""
    sets = [frozenset(atom.args) for clause in problem.clauses for step in clause.steps
            for atom in step.premises if atom.pred.name == "coll"]
    return _merged([], [*(x for x in sets if len(x) > 2), *map(frozenset, lines)])


def _merged(out: list[frozenset[str]], sets: Iterable[frozenset[str]]
            ) -> list[frozenset[str]]:
    """``out`` with each of ``sets`` in turn merged into it while it shares two points with
    a line of it (taken out and the union put last). ``full_lines`` with more lines is
    its result merged with them."""
    for s in sets:
        while True:
            hit = next((i for i, t in enumerate(out) if len(s & t) > 1), None)
            if hit is None:
                break
            s = s | out.pop(hit)
        out.append(s)
    return out


def statement_circles(problem: Problem) -> list[tuple[frozenset[str], str | None]]:
    """The statement's circles as (named points on it, its centre or None): the points of
    each ``cyclic`` premise, and the points a premise puts at one distance from a centre
    (``cong o a o b``: every chain of such equalities about one centre is one circle);
    circles sharing three points are one. In the order the premises state them."""
    cyclic: list[set[str]] = []
    about: dict[str, list[set[str]]] = {}  # centre -> its circles' points so far
    for clause in problem.clauses:
        for step in clause.steps:
            for atom in step.premises:
                if atom.pred.name == "cyclic":
                    cyclic.append(set(atom.args))
                elif atom.pred.name == "cong":
                    a, b, c, d = atom.args
                    for o in sorted({a, b} & {c, d}):
                        u, v = (b if a == o else a), (d if c == o else c)
                        if u == v:
                            continue
                        groups = about.setdefault(o, [])
                        joined = {u, v}
                        for g in [g for g in groups if g & joined]:
                            joined |= g
                            groups.remove(g)
                        groups.append(joined)
    circles: list[tuple[set[str], str | None]] = [
        (g, o) for o, groups in about.items() for g in groups]
    circles += [(c, None) for c in cyclic]
    merged = True
    while merged:
        merged = False
        for i, j in combinations(range(len(circles)), 2):
            (s1, o1), (s2, o2) = circles[i], circles[j]
            if len(s1 & s2) >= 3 and (o1 is None or o2 is None or o1 == o2):
                circles[i] = (s1 | s2, o1 or o2)
                del circles[j]
                merged = True
                break
    return [(frozenset(s), o) for s, o in circles]


def figure_triangles(problem: Problem, lines: list[tuple[str, str]]
                     ) -> list[tuple[str, str, str]]:
    """The figure's triangles: three points (in the statement's order) joined pairwise by
    ``lines`` (see ``figure_lines``)."""
    segments = set(lines)
    out = []
    for a, b, c in combinations(problem.points, 3):
        check()
        if _seg(a, b) in segments and _seg(b, c) in segments and _seg(a, c) in segments:
            out.append((a, b, c))
    return out


def figure_circles(problem: Problem, full: list[frozenset[str]],
                   triangles: list[tuple[str, str, str]]
                   ) -> list[tuple[frozenset[str], str | None]]:
    """The circles an auxiliary point may be put on: the statement's (``statement_circles``)
    that are known by three points or by a centre and two, then the circumcircles of the
    figure's ``triangles`` (``figure_triangles``) that are not among them nor on one of its
    ``full`` lines (``full_lines``)."""
    circles = [(s, o) for s, o in statement_circles(problem) if len(s) >= 3 or
               (o is not None and len(s) >= 2)]
    known = [s for s, _ in circles]
    for tri in triangles:
        t = frozenset(tri)
        if not any(t <= s for s in known) and not any(t <= line for line in full):
            circles.append((t, None))
            known.append(t)
    return circles


def _on_circle(circle: tuple[frozenset[str], str | None], order: dict[str, int]
               ) -> tuple[str, ...]:
    """A circle as a construction's name and arguments after the new point: by its centre
    and its first point when it has a centre, else by its first three points."""
    pts, centre = circle
    first = sorted(pts, key=order.__getitem__)
    if centre is not None:
        return ("on_circle", centre, first[0])
    return ("on_circum", *first[:3])


MEETS = 4  # the most points a transversal candidate adds

_Steps = tuple[tuple[str, ...], ...]  # a clause's steps as (construction, arguments...)


class HeuristicProposer:
    """Classic auxiliary points over the figure, in kinds taken in turn (the first of every
    kind, then the second of every kind, ...), goal points first within each kind: midpoints,
    intersections of two lines of the figure, feet of perpendiculars onto them, circumcentres,
    reflections over them, feet of angle bisectors, points reflected through a point, and
    where the parallel through a point to a line of the figure meets another line of it (the
    transversal that ratio chasing needs for Menelaus and Ceva), where a line of the figure
    through a point of a circle meets the circle again, and where two circles through one
    common point meet again (``figure_circles``: the statement's circles, the circumcircles
    of its triangles). HAGeo's families of auxiliary points meet existing lines and circles
    like these last two."""

    source = "heuristic"

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        x = problem.fresh_point()
        pts = list(problem.points)
        goal = set(problem.goal.args)
        lines = figure_lines(problem)
        # minus the goal points among an item's (distinct) points: each kind's order, best
        # first; an item is kept as its score and points, its steps made for the first k
        w = {p: -1 if p in goal else 0 for p in [*pts, *(q for line in lines for q in line)]}
        # each kind's first k in a stable sort by score (no kind gives more than k of them
        # to the turns below), and how many items it has
        firsts, counts = _best_kinds(pts, lines, w, k)
        k5: list[tuple] = []
        triangles = figure_triangles(problem, lines)
        for a, b, c in triangles:  # the bisector at b of a triangle of the figure
            score = w[a] + w[b] + w[c]
            k5.extend(((score, a, b, c), (score, b, c, a), (score, c, a, b)))
        # the parallel through c to a line of the figure, where it meets another line not
        # through c; a line is one of the statement's collinear sets, named by its best two
        order = {p: i for i, p in enumerate(pts)}
        full = full_lines(problem, lines)
        k7: list[tuple] = []
        k7_all = _parallels(pts, _named(full, w, order), w, k, k7)
        check()
        k8 = _transversals(problem, full, pts, w, order)
        check()
        k9: list[tuple] = []
        k10: list[tuple] = []
        _circle_meets(figure_circles(problem, full, triangles), full, w, order, k9, k10)
        check()
        k0, k1, k2, k3, k6 = firsts
        rest = [sorted(kind, key=itemgetter(0)) for kind in (k5, k7, k8, k9, k10)]
        ordered = [k0, k1, k2, k3, k2, rest[0], k6, *rest[1:]]  # k4: k2's items, reflected
        n = sum(counts) + counts[2] + len(k5) + k7_all + len(k8) + len(k9) + len(k10)
        # the kinds in turn, each best first
        top: list[tuple[int, tuple]] = []
        for row in zip_longest(*ordered):
            top.extend((i, item) for i, item in enumerate(row) if item is not None)
            if len(top) >= k:
                break
        names = problem.fresh_points(max((len(e[1][-1]) for e in top if e[0] == 8), default=1))
        return [Candidate(_clauses(x, names, *entry), float(n - i), self.source)
                for i, entry in enumerate(top[:k])]


def _first_by_score(score: np.ndarray, k: int) -> list[int]:
    """The positions of the first ``k`` scores in a stable sort (the lowest first, equals
    in their order)."""
    return np.argsort(score, kind="stable")[:k].tolist()


def _best_kinds(pts: list[str], lines: list[tuple[str, str]], w: dict[str, int], k: int
                ) -> tuple[list[list[tuple]], list[int]]:
    """The first ``k`` items, by score then in the order written out, of the kinds over
    points and the figure's ``lines`` (``HeuristicProposer.propose``): midpoints (score,
    a, b) of ``combinations(pts, 2)``; meets of two lines (score, a, b, c, d) of
    ``combinations(lines, 2)`` with four distinct points; feet (score, c, a, b) of each line
    and each point c off its two; circumcentres (score, a, b, c) of
    ``combinations(pts, 3)``; mirrors (score, a, b) and (score, b, a) of each pair; and how
    many items each kind has. Scores for all items at once, items made for the first k."""
    n = len(pts)
    wv = np.array([w[p] for p in pts], dtype=np.int64)
    pairs, triples = combination_rows(n, 2), combination_rows(n, 3)
    pair_score = wv[pairs].sum(axis=1)
    first_pairs = _first_by_score(pair_score, k)
    k0 = [(int(pair_score[r]), pts[i], pts[j]) for r in first_pairs
          for i, j in (pairs[r].tolist(),)]
    k6 = [item for s, a, b in k0[:(k + 1) // 2] for item in ((s, a, b), (s, b, a))][:k]
    triple_score = wv[triples].sum(axis=1)
    k3 = [(int(triple_score[r]), pts[i], pts[j], pts[m]) for r in _first_by_score(triple_score, k)
          for i, j, m in (triples[r].tolist(),)]
    # the lines' two points as numbers: a point's position, another name its own number
    ids = {p: i for i, p in enumerate(pts)}
    ends = np.array([[ids.setdefault(a, len(ids)), ids.setdefault(b, len(ids))]
                     for a, b in lines], dtype=np.int64).reshape(-1, 2)
    line_score = np.array([w[a] + w[b] for a, b in lines], dtype=np.int64)
    # feet: each line (in order) with each point (in order) but its two
    off = (np.arange(n)[None, :] != ends[:, :1]) & (np.arange(n)[None, :] != ends[:, 1:])
    line_at, at = np.nonzero(off)
    foot_score = line_score[line_at] + wv[at]
    k2 = [(int(foot_score[r]), pts[at[r]], *lines[line_at[r]])
          for r in _first_by_score(foot_score, k)]
    # meets: pairs of lines with four distinct points
    m = len(lines)
    two = combination_rows(m, 2)
    e1, e2 = ends[two[:, 0]], ends[two[:, 1]]
    apart = ((e1[:, :1] != e2) & (e1[:, 1:] != e2)).all(axis=1)
    two = two[apart]
    meet_score = line_score[two[:, 0]] + line_score[two[:, 1]]
    k1 = [(int(meet_score[r]), *lines[i], *lines[j]) for r in _first_by_score(meet_score, k)
          for i, j in (two[r].tolist(),)]
    counts = [len(pairs), len(two), len(foot_score), len(triples), 2 * len(pairs)]
    return [k0, k1, k2, k3, k6], counts


def _named(lines: list[frozenset[str]], w: dict[str, int], order: dict[str, int]
           ) -> list[tuple[frozenset[str], tuple[str, str]]]:
    """Each line (a point set) with the two points that name it: goal points first, then
    the earliest."""
    out = []
    for line in lines:
        a, b = sorted(line, key=lambda p: (w.get(p, 0), order[p]))[:2]
        out.append((line, (a, b)))
    return out


def _parallels(pts: list[str], full: list[tuple[frozenset[str], tuple[str, str]]],
               w: dict[str, int], k: int, out: list[tuple]) -> int:
    """The parallel through a point c to a line of the figure, where it meets another line
    (both missing c): items (score, c, a, b, d, e), score the goal points among c and the
    lines' names. Appends to ``out`` the first ``k`` of them by score, in the order (c, first
    line, second line) among equals (what a stable sort of them all would put first), and
    returns how many there are. With L lines and n points there are about n·L² items: this
    walks each score's items in turn, stopping at ``k``, in about 6·n·L steps and ``k``."""
    rows = []
    total = 0
    values: set[int] = set()
    for c in pts:
        apart = [(w[a] + w[b], a, b) for line, (a, b) in full if c not in line]
        total += len(apart) * (len(apart) - 1)
        by_score: dict[int, list[int]] = {}
        for j, (s, _, _) in enumerate(apart):
            by_score.setdefault(s, []).append(j)
        values.update(w[c] + s1 + s2 for s1 in by_score for s2 in by_score)
        rows.append((c, apart, by_score))
    for v in sorted(values):
        for c, apart, by_score in rows:
            check()
            rest = v - w[c]
            for i, (s1, a, b) in enumerate(apart):
                for j in by_score.get(rest - s1, ()):
                    if j != i:
                        _, d, e = apart[j]
                        out.append((v, c, a, b, d, e))
                        if len(out) >= k:
                            return total
    return total


def _transversals(problem: Problem, lines: list[frozenset[str]], pts: list[str],
                  w: dict[str, int], order: dict[str, int]) -> list[tuple]:
    """The parallel through a point c to a line of the figure (``lines``: its
    ``full_lines``), with every point where it meets the figure's other lines and the
    goal's that miss c (two at least), save those the statement makes parallel to it: the
    whole transversal that Ceva and Menelaus by ratio chasing want, as one candidate; at most
    ``MEETS`` points (each costs every attempt from there on), on the lines with the most
    goal points. Items (score, c, a, b, ((d, e), ...))."""
    goal = problem.goal
    full = _named(_merged(list(lines), [frozenset((a, b)) for a, b in
                                        goal.pred.figure_lines(goal.args) if a != b]), w, order)
    # point sets as bits (the points' places in ``order``)
    def bits(pts: Iterable[str]) -> int:
        return sum(1 << order[r] for r in set(pts))

    para = [(bits(atom.args[:2]), bits(atom.args[2:]))
            for clause in problem.clauses for step in clause.steps
            for atom in step.premises if atom.pred.name == "para"]
    on = [bits(line) for line, _ in full]

    def parallel(l1: int, l2: int) -> bool:  # the statement makes them so
        return any((not u & ~l1 and not v & ~l2) or (not u & ~l2 and not v & ~l1)
                   for u, v in para)

    # each line's others not parallel to it, the lines through goal points first (a stable
    # sort: the same order as the point c's own list sorted, once the lines through c left)
    meeting = []
    for i, b1 in enumerate(on):
        check()
        meeting.append(sorted(((w[d] + w[e], b2, (d, e)) for j, (b2, (_, (d, e)))
                               in enumerate(zip(on, full)) if j != i and not parallel(b1, b2)),
                              key=itemgetter(0)))
    out = []
    for c in pts:
        check()
        bit = 1 << order[c]
        for (_, (a, b)), b1, others in zip(full, on, meeting):
            if b1 & bit:
                continue
            best: list[tuple[str, str]] = []  # at most four points
            for _, b2, pair in others:
                if not b2 & bit:
                    best.append(pair)
                    if len(best) == MEETS:
                        break
            if len(best) > 1:
                out.append((w[c] + w[a] + w[b], c, a, b, tuple(best)))
    return out


def _circle_meets(circles: list[tuple[frozenset[str], str | None]],
                  full: list[frozenset[str]], w: dict[str, int], order: dict[str, int],
                  on_lines: list[tuple], on_circles: list[tuple]) -> None:
    """The second meets with the figure's ``circles`` (``figure_circles``): a line of the
    figure (``full``) through exactly one named point p of a circle meets it again (items
    (score, p, q, circle's construction), q the line's other point named first), two circles
    with exactly one named point in common meet again (items (score, first circle's,
    second's)); score: the goal points on the line and circle, or on the two circles (minus
    their count)."""
    # point sets as bits (the points' places in ``order``): one point in common is one bit
    # of the intersection, and a score counts the goal points of the union
    def bits(pts: frozenset[str]) -> int:
        return sum(1 << order[r] for r in pts)

    goal = sum(1 << i for r, i in order.items() if w[r] < 0)
    line_bits = [bits(line) for line in full]
    circle_bits = [bits(circle[0]) for circle in circles]
    named = [_on_circle(circle, order) for circle in circles]
    for (pts, _), cb, on in zip(circles, circle_bits, named):
        for line, lb in zip(full, line_bits):
            common = lb & cb
            if not common or common & (common - 1):  # not exactly one point
                continue
            (p,) = line & pts
            q = min(line - {p}, key=lambda r: (w[r], order[r]))
            on_lines.append((-((lb | cb) & goal).bit_count(), p, q, on))
    for (i, (_, o1)), (j, (_, o2)) in combinations(enumerate(circles), 2):
        common = circle_bits[i] & circle_bits[j]
        if common and not common & (common - 1) and (o1 is None or o1 != o2):
            on_circles.append((-((circle_bits[i] | circle_bits[j]) & goal).bit_count(),
                               named[i], named[j]))


@lru_cache(maxsize=1 << 15)
def _clauses(x: str, names: tuple[str, ...], kind: int, item: tuple) -> tuple[Clause, ...]:
    """The clauses of an item of a kind: one new point ``x``, or for a transversal one of
    ``names`` per line it meets. Memoised (clauses are immutable): a trajectory's nodes at
    one depth name their new point alike and propose mostly the same items."""
    if kind == 8:
        _, c, a, b, meets = item
        return tuple(Clause((y,), (Step.of("on_pline", y, c, a, b), Step.of("on_line", y, d, e)))
                     for y, (d, e) in zip(names, meets))
    return (Clause((x,), tuple(Step.of(*s) for s in _steps(x, kind, item))),)


def _steps(x: str, kind: int, item: tuple) -> _Steps:
    """The steps of an item of a kind (``HeuristicProposer.propose``) for the point ``x``."""
    if kind == 0:
        return (("midpoint", x, *item[1:]),)
    if kind == 1:
        _, a, b, c, d = item
        return (("on_line", x, a, b), ("on_line", x, c, d))
    if kind == 2:
        return (("foot", x, *item[1:]),)
    if kind == 3:
        return (("circle", x, *item[1:]),)
    if kind == 4:
        return (("reflect", x, *item[1:]),)
    if kind == 5:
        _, u, v, w = item
        return (("angle_bisector", x, u, v, w), ("on_line", x, u, w))
    if kind == 6:
        return (("mirror", x, *item[1:]),)
    if kind == 9:
        _, p, q, (name, *on) = item
        return (("on_line", x, p, q), (name, x, *on))
    if kind == 10:
        _, (name1, *on1), (name2, *on2) = item
        return ((name1, x, *on1), (name2, x, *on2))
    _, c, a, b, d, e = item
    return (("on_pline", x, c, a, b), ("on_line", x, d, e))


def _seg(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)
