"""Non-trivial incidences of a candidate auxiliary point on the numeric diagram."""

import numpy as np

from symbolic.geometry.incidence import Incidences
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proposal import Candidate

ORTHO = "a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b ? perp a h b c"


def _count(problem, text: str) -> int | None:
    ties = Incidences(build_diagram(problem, np.random.default_rng(0)).coords)
    return ties.count(problem.parse_clauses([text]), np.random.default_rng(0))


def test_the_foot_of_an_altitude_lies_on_the_altitude():
    problem = parse_problem(ORTHO)
    # the foot of b on ac lies on bh (not stated by `foot`); the same point stated as the
    # intersection of bh and ac has both lines stated, so nothing beyond them
    assert _count(problem, "x = foot x b a c") == 1
    assert _count(problem, "x = on_line x b h, on_line x a c") == 0
    assert _count(problem, "x = midpoint x a b") == 0


def test_a_point_on_a_circle_of_the_figure_counts_once_per_circle():
    problem = parse_problem("a b c = triangle a b c; d = on_circum d a b c ? cyclic a b c d")
    assert _count(problem, "x = circle x a b c") == 0
    # the antipode of a lies on circle abcd: one circle, though four triples of it pass
    problem2 = problem.with_auxiliary(problem.parse_clauses(["o = circle o a b c"]))
    assert _count(problem2, "x = on_line x a o, on_circle x o a") == 1


def test_a_candidate_that_cannot_be_drawn_is_none():
    problem = parse_problem(ORTHO)
    assert _count(problem, "x = on_line x a b, on_pline x c a b") is None


def _node_diagrams(problem, k: int):
    """The statement's diagram, then those of ``k`` of its heuristic candidates drawn on it
    (a search's nodes: each keeps its parent's points where they are), and the candidates
    of each."""
    from geometry_children import drawn_children

    from symbolic.geometry.heuristics import HeuristicProposer

    diagram = build_diagram(problem, np.random.default_rng(0))
    out = [(problem, diagram)]
    for child, drawn in drawn_children(problem, diagram, 4 * k):
        out.append((child, drawn))
        if len(out) > k:
            break
    return [(d, HeuristicProposer().propose(p, 150)) for p, d in out]


def test_remembered_draws_count_what_fresh_draws_count(monkeypatch):
    """Counting with a memo of draws shared by the nodes (``numeric.draw_remembered``) gives
    every candidate the count it gets without one, on the statement and its children, and
    draws the same randomness (a candidate sampled on a locus included)."""
    from pathlib import Path

    from symbolic.geometry import numeric
    from symbolic.geometry.problem import read_problems

    hageo = Path(__file__).resolve().parents[4] / "shared" / "benchmarks" / "geometry"
    hageo = hageo / "hageo_dev.txt"
    problems = [parse_problem(ORTHO)]
    if hageo.exists():
        problems += [p for p in read_problems(hageo) if p.name in ("2005CMOp2", "2009G6")]
    sketched = []
    once = numeric._sketched
    monkeypatch.setattr(numeric, "_sketched", lambda *a: sketched.append(1) or once(*a))
    memo: dict = {}
    tried = worked_out = 0
    for problem in problems:
        for diagram, candidates in _node_diagrams(problem, 4):
            plain = Incidences(diagram.coords)
            remembered = Incidences(diagram.coords, memo)
            rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
            for cand in candidates + [Candidate(problem.parse_clauses(
                    ["x1 = on_circle x1 " + " ".join(problem.points[:2])]), 0.0, "t")]:
                before = len(sketched)
                count = remembered.count(cand.clauses, rng2)
                worked_out += len(sketched) - before
                assert count == plain.count(cand.clauses, rng1)
                assert rng1.bit_generator.state == rng2.bit_generator.state
                tried += 1
    assert memo and worked_out < tried / 2  # most draws read off an earlier node's


def test_the_remembered_statement_of_a_clause_is_the_one_read_off_it():
    """``_stated`` (memoised per clause, up to the clause object) says what ``_stated_once``
    reads off every heuristic candidate, asked first or again, on fresh clause objects."""
    from symbolic.geometry.heuristics import HeuristicProposer
    from symbolic.geometry.incidence import _STATED, _stated, _stated_once

    problem = parse_problem(ORTHO)
    _STATED.clear()
    for _ in range(2):
        for cand in HeuristicProposer().propose(problem, 400):
            for clause in cand.clauses:
                assert _stated(clause) == _stated_once(clause), clause
    assert _STATED


def test_clear_of_is_norm_of_the_difference():
    """The drawing's "away from the existing points" test on floats is ``norm(p - q)``."""
    from symbolic.geometry.loci import norm
    from symbolic.geometry.numeric import _clear_of

    rng = np.random.default_rng(0)
    for _ in range(3000):
        p = rng.normal(size=2) * 10.0 ** int(rng.integers(-3, 3))
        others = [rng.normal(size=2) for _ in range(4)]
        near = float(min(norm(p - q) for q in others))  # at the boundary
        for lim in (near, np.nextafter(near, np.inf), near / 2):
            xy = [(float(q[0]), float(q[1])) for q in others]
            assert _clear_of(p, xy, lim) == all(norm(p - q) >= lim for q in others)


def _lines_through_spelled(self, p, stated):
    if not len(self.pairs):
        return 0
    a, d, length = self._a, self._d, self._length
    cross = np.abs(d[:, 0] * (p[1] - a[:, 1]) - d[:, 1] * (p[0] - a[:, 0]))
    on = (length > self.tol) & (cross <= self.tol * np.maximum(length, 1.0))
    near = np.hypot(a[:, 0] - p[0], a[:, 1] - p[1]) > self.tol
    lines = set()
    for i in np.flatnonzero(on & near):
        pts = frozenset((self.names[self.pairs[i, 0]], self.names[self.pairs[i, 1]]))
        if any(pts <= s for s in stated):
            continue
        lines.add(self._line_of(pts))
    return len(lines)


def _circles_through_spelled(self, p, stated):
    if not len(self.triples):
        return 0
    ok = self._ok
    dist = np.hypot(self.centres[:, 0] - p[0], self.centres[:, 1] - p[1])
    gap = np.abs(np.where(ok, dist - self._radius, np.inf))
    on = ok & (gap <= self._slack)
    circles = set()
    for i in np.flatnonzero(on):
        pts = frozenset(self.names[k] for k in self.triples[i])
        if any(pts <= s for s in stated):
            continue
        c, r = self.centres[i], self.radii[i]
        circles.add((round(float(c[0]), 5), round(float(c[1]), 5), round(float(r), 5)))
    return len(circles)


def test_the_line_and_circle_tests_count_what_their_first_spelling_counts(monkeypatch):
    """The precomputed columns (``Incidences._lines_through``, ``_circles_through``) count
    every candidate of the statement and its children as the first spelling did."""
    problem = parse_problem("a b c = triangle a b c; d = on_circum d a b c; "
                            "h = on_tline h b a c, on_tline h c a b ? perp a h b c")
    nodes = _node_diagrams(problem, 3)

    def counts():
        out = []
        for diagram, cands in nodes:
            ties = Incidences(diagram.coords)
            out += [ties.count(c.clauses, np.random.default_rng(0)) for c in cands]
        return out

    now = counts()
    assert sum(k or 0 for k in now) > 0
    monkeypatch.setattr(Incidences, "_lines_through", _lines_through_spelled)
    monkeypatch.setattr(Incidences, "_circles_through", _circles_through_spelled)
    assert now == counts()


def test_counting_stops_at_a_passed_deadline():
    import time

    import pytest

    from symbolic.deadline import Deadline, until

    problem = parse_problem(ORTHO)
    ties = Incidences(build_diagram(problem, np.random.default_rng(0)).coords)
    clauses = problem.parse_clauses(["x = foot x b a c"])
    with until(time.monotonic() - 1.0), pytest.raises(Deadline):
        ties.count(clauses, np.random.default_rng(0))
