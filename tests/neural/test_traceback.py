"""Prefix closures, goals that need a later point, and the statement/auxiliary split."""

from __future__ import annotations

import numpy as np
import pytest
from needs_aux import WITHOUT_SQUARED

from neural.traceback import needed_goals, numeric_goals, prefix_closures, trace
from symbolic.geometry.dd import DDARConfig, saturate
from symbolic.geometry.facts import Fact
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.predicates import PERP
from symbolic.geometry.problem import parse_problem

# The orthocenter: d on two altitudes of abc; DD+AR without the squared table proves the third
# (ad perpendicular to bc) only with the foot e of the altitude from b (a point the goal does
# not mention). With the squared table, d's clause alone proves it (``needs_aux``).
ORTHO = ("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
         "e = on_line e a c, on_line e b d; f = midpoint f a b ? coll a b c")
THIRD = Fact.make(PERP, ("a", "d", "b", "c"))
CONFIG = DDARConfig(16, None, ar_tables=WITHOUT_SQUARED)


@pytest.fixture(scope="module")
def ortho():
    problem = parse_problem(ORTHO)
    coords = build_diagram(problem, np.random.default_rng(0), check_goal=False).coords
    runs = prefix_closures(problem, coords, CONFIG)
    assert runs is not None
    return problem, coords, runs


def test_prefix_closures_match_closures_from_scratch(ortho):
    problem, coords, runs = ortho
    states = [r.state for r in runs]
    assert len(states) == len(problem.clauses)
    full = saturate(problem, coords, CONFIG).state
    assert set(states[-1].facts) == set(full.facts)
    assert states[1].derive_fact(THIRD) is None and states[2].derive_fact(THIRD) == THIRD


def test_the_third_altitude_needs_the_foot(ortho):
    problem, coords, runs = ortho
    states = [r.state for r in runs]
    goals = needed_goals(problem, runs, coords, CONFIG)
    assert THIRD in goals
    # given facts and facts of the last clause's point are never goals that need a point
    assert Fact.make(PERP, ("b", "d", "a", "c")) not in goals
    assert all("f" not in g.points for g in goals)
    split = trace(problem, states[-1], THIRD)
    assert split.statement == (0, 1) and split.auxiliary == (2,)  # the midpoint f is unused
    stated, aux, goal = split.renamed(problem)
    assert [str(c) for c in stated] == ["a b c = triangle a b c",
                                        "d = on_tline d b a c, on_tline d c a b"]
    assert [str(c) for c in aux] == ["e = on_line e a c, on_line e b d"]
    assert str(goal) == "perp a d b c"


def test_a_goal_without_later_points_has_no_auxiliary(ortho):
    problem, _, runs = ortho
    states = [r.state for r in runs]
    given = Fact.make(PERP, ("b", "d", "a", "c"))
    split = trace(problem, states[-1], given)
    assert split.statement == (0, 1) and split.auxiliary == ()


def test_numeric_goals_hold_on_a_second_diagram(ortho):
    """Every numeric goal of a drawing of the orthocenter problem that DD+AR proves holds
    on an independent drawing (the statements are read off correctly); the third altitude
    is among them."""
    problem, coords, runs = ortho
    states = [r.state for r in runs]
    goals = numeric_goals(coords)
    assert THIRD in goals
    other = build_diagram(problem, np.random.default_rng(7), check_goal=False).coords
    second = saturate(problem, other, CONFIG).state
    proved = [g for g in goals if states[-1].derive_fact(g) is not None]
    assert len(proved) > 10
    assert all(second.holds(g.pred, g.args) for g in proved)


def test_an_earlier_clause_off_the_statement_can_be_auxiliary():
    """The foot e of the altitude from b, drawn before the orthocenter d: the prefix that
    holds d's clause proves the third altitude, but the statement (abc and d) does not."""
    problem = parse_problem("a b c = triangle a b c; e = foot e b a c; "
                            "d = on_tline d b a c, on_tline d c a b ? coll a b c")
    coords = build_diagram(problem, np.random.default_rng(0), check_goal=False).coords
    runs = prefix_closures(problem, coords, CONFIG)
    assert runs is not None
    assert THIRD in needed_goals(problem, runs, coords, CONFIG)
    split = trace(problem, runs[-1].state, THIRD)
    assert split.statement == (0, 2) and split.auxiliary == (1,)
    stated, aux, goal = split.renamed(problem)
    assert [str(c) for c in aux] == ["e = foot e b a c"] and str(goal) == "perp a d b c"
    assert [str(c) for c in stated][1] == "d = on_tline d b a c, on_tline d c a b"
