"""Non-trivial incidences of a candidate auxiliary point on the numeric diagram."""

import numpy as np

from symbolic.geometry.incidence import Incidences
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem

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
