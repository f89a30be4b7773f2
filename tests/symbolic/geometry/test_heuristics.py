"""The heuristic proposer's candidates, in order and with their costs, are those of its
first spelling (each kind built in full, each item's steps made before sorting)."""

from itertools import combinations, permutations, zip_longest
from operator import itemgetter
from pathlib import Path

import pytest

from symbolic.geometry.heuristics import (
    HeuristicProposer,
    _seg,
    figure_circles,
    figure_lines,
    figure_triangles,
    full_lines,
    statement_circles,
)
from symbolic.geometry.problem import Clause, Step, read_problems
from symbolic.geometry.proposal import Candidate

ROOT = Path(__file__).resolve().parents[3]
JGEX = ROOT.parent / "shared" / "benchmarks" / "geometry" / "jgex_ag_231.txt"
HAGEO = ROOT.parent / "shared" / "benchmarks" / "geometry" / "hageo_dev.txt"


def _spelled(problem, k):
    x = problem.fresh_point()
    pts = list(problem.points)
    goal = set(problem.goal.args)
    lines = figure_lines(problem)
    kinds: list[list[tuple[int, object]]] = [[] for _ in range(11)]
    for a, b in combinations(pts, 2):
        kinds[0].append((-len(goal & {a, b}), (("midpoint", x, a, b),)))
    for (a, b), (c, d) in combinations(lines, 2):
        if len({a, b, c, d}) == 4:
            kinds[1].append((-len(goal & {a, b, c, d}),
                             (("on_line", x, a, b), ("on_line", x, c, d))))
    for a, b in lines:
        for c in pts:
            if c not in (a, b):
                kinds[2].append((-len(goal & {a, b, c}), (("foot", x, c, a, b),)))
                kinds[4].append((-len(goal & {a, b, c}), (("reflect", x, c, a, b),)))
    for a, b, c in combinations(pts, 3):
        kinds[3].append((-len(goal & {a, b, c}), (("circle", x, a, b, c),)))
    segments = set(lines)
    for a, b, c in combinations(pts, 3):  # the bisector at b of a triangle of the figure
        if _seg(a, b) in segments and _seg(b, c) in segments and _seg(a, c) in segments:
            score = -len(goal & {a, b, c})
            for u, v, w in ((a, b, c), (b, c, a), (c, a, b)):
                kinds[5].append((score,
                                 (("angle_bisector", x, u, v, w), ("on_line", x, u, w))))
    for a, b in combinations(pts, 2):
        for u, v in ((a, b), (b, a)):
            kinds[6].append((-len(goal & {u, v}), (("mirror", x, u, v),)))
    named = [(line, sorted(line, key=lambda p: (p not in goal, pts.index(p)))[:2])
             for line in full_lines(problem, lines)]
    for c in pts:
        for (l1, (a, b)), (l2, (d, e)) in permutations(named, 2):
            if c not in l1 and c not in l2:
                kinds[7].append((-len(goal & {c}) - len(goal & {a, b}) - len(goal & {d, e}),
                                 (("on_pline", x, c, a, b), ("on_line", x, d, e))))
    # the parallel through c to a line, meeting all the others (the goal's lines too)
    glines = [(a, b) for a, b in problem.goal.pred.figure_lines(problem.goal.args) if a != b]
    gnamed = [(line, sorted(line, key=lambda p: (p not in goal, pts.index(p)))[:2])
              for line in full_lines(problem, lines + glines)]
    paras = [(set(at.args[:2]), set(at.args[2:])) for cl in problem.clauses for st in cl.steps
             for at in st.premises if at.pred.name == "para"]
    names = problem.fresh_points(20)
    for c in pts:
        for l1, (a, b) in gnamed:
            if c in l1:
                continue
            meets = [(d, e) for l2, (d, e) in gnamed if c not in l2 and l2 != l1 and not any(
                (u <= l1 and v <= l2) or (v <= l1 and u <= l2) for u, v in paras)]
            meets.sort(key=lambda pair: -len(goal & set(pair)))  # stable: goal lines first
            del meets[4:]
            if len(meets) >= 2:
                kinds[8].append((-len(goal & {c}) - len(goal & {a, b}), [
                    (y, (("on_pline", y, c, a, b), ("on_line", y, d, e)))
                    for y, (d, e) in zip(names, meets)]))
    # second meets with the figure's circles: a line through one of its points, a circle
    # through one of its points
    full = full_lines(problem, lines)
    circles = figure_circles(problem, full, figure_triangles(problem, lines))

    def on(circle):
        first = sorted(circle[0], key=pts.index)
        return ("on_circle", x, circle[1], first[0]) if circle[1] else \
            ("on_circum", x, *first[:3])

    for circle in circles:
        for line in full:
            if len(line & circle[0]) == 1:
                (p,) = line & circle[0]
                q = sorted(line - {p}, key=lambda r: (r not in goal, pts.index(r)))[0]
                kinds[9].append((-len(goal & (line | circle[0])),
                                 (("on_line", x, p, q), on(circle))))
    for c1, c2 in combinations(circles, 2):
        if len(c1[0] & c2[0]) == 1 and not (c1[1] and c1[1] == c2[1]):
            kinds[10].append((-len(goal & (c1[0] | c2[0])), (on(c1), on(c2))))
    # the kinds in turn, each best first: the first k of that order, made
    ordered = [[steps for _, steps in sorted(kind, key=itemgetter(0))] for kind in kinds]
    ordered[:8] = [[[(x, steps)] for steps in kind] for kind in ordered[:8]]
    ordered[9:] = [[[(x, steps)] for steps in kind] for kind in ordered[9:]]
    n = sum(map(len, ordered))
    top: list = []
    for row in zip_longest(*ordered):
        top.extend(made for made in row if made is not None)
        if len(top) >= k:
            break
    return [Candidate(tuple(Clause((y,), tuple(Step.of(*s) for s in steps))
                            for y, steps in made), float(n - i), "heuristic")
            for i, made in enumerate(top[:k])]


def _problems():
    out = list(read_problems(ROOT / "problems" / "geometry" / "examples.txt"))
    if JGEX.exists():
        out += list(read_problems(JGEX))[::7]
    if HAGEO.exists():  # olympiad figures, and the same with three points stacked on them
        for problem in list(read_problems(HAGEO))[::25]:
            out.append(problem)
            for i in range(3):
                cands = HeuristicProposer().propose(problem, 60)
                problem = problem.with_auxiliary(cands[(7 * i + 5) % len(cands)].clauses)
            out.append(problem)
    return out


@pytest.mark.parametrize("k", [1, 7, 100, 400, 10 ** 6])
def test_the_candidates_are_those_of_the_first_spelling(k):
    def spelled(cands):
        return [(tuple(map(str, c.clauses)), c.score, c.source) for c in cands]

    problems = _problems()
    assert len(problems) > 5
    for problem in problems:
        got = spelled(HeuristicProposer().propose(problem, k))
        assert got == spelled(_spelled(problem, k)), problem.name


def test_full_lines_merge_the_statements_collinear_sets():
    from symbolic.geometry.problem import parse_problem

    problem = parse_problem(
        "a b c = triangle a b c; d = angle_bisector d c b a, on_line d a c; "
        "e = angle_bisector e a c b, on_line e a b; f = on_line f d e, on_line f b c; "
        "g = on_line g a b ? eqangle a g a f a f a c")
    got = {frozenset(line) for line in full_lines(problem, figure_lines(problem))}
    assert {frozenset("abeg"), frozenset("acd"), frozenset("def"), frozenset("bcf"),
            frozenset("bd"), frozenset("ce")} == got


def test_a_parallel_through_a_point_meets_another_line():
    """Menelaus by ratio chasing: the parallel through c to ab, where it meets de."""
    from symbolic.geometry.problem import parse_problem

    problem = parse_problem("a b c = triangle a b c; d = on_line d a c; e = on_line e a b; "
                            "f = on_line f d e, on_line f b c ? coll d e f")
    texts = [" ".join(map(str, c.clauses)) for c in HeuristicProposer().propose(problem, 10 ** 6)]
    pairs = [(set(t.replace(",", "").split()[5:7]), set(t.split()[9:11])) for t in texts
             if t.startswith("x = on_pline x c ")]
    assert any(p <= set("abe") and q <= set("def") for p, q in pairs)
    # never through c itself, nor parallel to a line through c
    assert pairs and not any(p <= set("ac") or q <= set("ac") or p <= set("bc") or
                             q <= set("bc") for p, q in pairs)


def test_statement_circles_by_centre_and_by_cyclic_premises():
    """Points at one distance from a centre are one circle (every chain of equal distances
    about it), other distances about the same centre other circles; a cyclic premise sharing
    three points with a circle is that circle."""
    from symbolic.geometry.problem import parse_problem

    problem = parse_problem(
        "a b c = triangle a b c; o = circle o a b c; d = on_circle d o a; "
        "e = on_circle e o d; f = on_circle f a b; g = on_circum g a b f; "
        "h = on_circum h b c d; k = on_line k a b ? cong o a o e")
    got = {(s, o) for s, o in statement_circles(problem)}
    assert (frozenset("abcdeh"), "o") in got  # h: cyclic b c d h, three points on it
    assert (frozenset("bf"), "a") in got  # about a: |ab| = |af|
    assert (frozenset("abfg"), None) in got
    assert len(got) == 3


def test_second_meets_with_the_figures_circles():
    """A line of the figure through one point of a circle meets it again (the diameter
    through a vertex: the antipode); two circles through one named point meet again; lines
    and circles through two named points of a circle give nothing (both meets are named)."""
    from symbolic.geometry.problem import parse_problem

    problem = parse_problem(
        "a b c = triangle a b c; o = circle o a b c; d = on_line d b c; "
        "e = on_circum e a b d ? cong o a o e")
    texts = [" ".join(map(str, c.clauses)) for c in HeuristicProposer().propose(problem, 10 ** 6)]
    assert "x = on_line x a o, on_circle x o a" in texts
    assert "x = on_line x a o, on_circum x a b d" in texts
    assert "x = on_circle x o a, on_circum x a b d" not in texts  # a and b: two in common
    assert not any(t.startswith("x = on_line x b c, on_circle x o") for t in texts)
    # a complete quadrilateral: the circumcircles of its four triangles (the figure's, by
    # the lines its premises name) meet pairwise at its Miquel point
    problem = parse_problem("a b c = triangle a b c; d = on_line d b c; e = on_line e a c; "
                            "f = on_line f d e, on_line f a b ? coll a b f")
    texts = [" ".join(map(str, c.clauses)) for c in HeuristicProposer().propose(problem, 10 ** 6)]
    assert {"x = on_circum x a b c, on_circum x a e f", "x = on_circum x a e f, on_circum x c d e",
            "x = on_circum x b d f, on_circum x c d e"} <= set(texts)


@pytest.mark.skipif(not HAGEO.exists(), reason="needs ../shared/benchmarks")
def test_a_circle_meet_proves_an_olympiad_problem():
    """2014 Iran GO A p3 (HAGeo-409): DD+AR alone does not prove it; with the point where
    the circle through m, x, y meets line ma again, one of the proposer's candidates, it
    does (and the proof is checked)."""
    from symbolic.geometry.prover import prove

    problem = next(p for p in read_problems(HAGEO) if p.name == "2014IranGOAp3")
    assert not prove(problem).proved
    cands = HeuristicProposer().propose(problem, 400)
    clause = next(c for c in cands if c.text() == "z = on_line z m a, on_circum z m x y")
    out = prove(problem.with_auxiliary(clause.clauses))
    assert out.proved and out.proof is not None
