"""The trajectories' draw and the incidence weights and pool (``reasoner.incidence_order``)
on small diagrams, where the ties can be counted by hand."""

from collections import Counter

import numpy as np

from reasoner.incidence_order import draw, pool, weigh
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proposal import Candidate

# a square: its centre o is on both diagonals; m, the midpoint of ab, on no line through
# two of a, b, c, d other than ab itself, which its construction states
SQUARE = {"a": np.array([0.0, 0.0]), "b": np.array([2.0, 0.0]),
          "c": np.array([2.0, 2.0]), "d": np.array([0.0, 2.0])}
PROBLEM = parse_problem("a b = segment a b; c d = square a b c d; e = midpoint e a b "
                        "? cong a e e b")


def cand(text: str) -> Candidate:
    return Candidate(PROBLEM.parse_clauses([text]), 0.0, "test")


def test_draw_favours_low_cost_removes_what_it_draws_and_is_none_when_empty():
    rng = np.random.default_rng(0)
    picks = Counter()
    for _ in range(400):
        options = [(0.0, cand("x = midpoint x a b")), (3.0, cand("x = midpoint x b c"))]
        got = draw(options, 1.0, rng)
        assert got is not None and len(options) == 1 and got not in [c for _, c in options]
        picks[str(got.clauses[0])] += 1
    # weights 1 : e^-3, so the cheap one about 95% of the time
    assert picks["x = midpoint x a b"] > 340
    assert draw([], 1.0, rng) is None


def test_weigh_counts_ties_and_drops_what_cannot_be_drawn():
    centre = cand("x = on_line x a c, on_line x b d")   # ties: none beyond its two lines
    midpoint = cand("x = midpoint x a b")                # on ab, which it states: none
    mid_ac = cand("x = midpoint x a c")                  # on bd as well: one tie
    parallel = cand("x = on_line x a b, on_line x c d")  # ab and cd never meet
    counts: Counter[str] = Counter()
    got = weigh([(0.0, centre), (0.0, midpoint), (0.0, mid_ac), (0.0, parallel)],
                SQUARE, {}, 0, 1.0, counts)
    costs = {str(c.clauses[0]): cost for cost, c in got}
    assert counts["not_drawn_on_node"] == 1 and len(got) == 3
    assert np.isclose(costs[str(mid_ac.clauses[0])], -np.log(2))  # 1 + 1 times likelier
    assert np.isclose(costs[str(midpoint.clauses[0])], -np.log(0.1))  # ten times less


def test_pool_mixes_the_tied_ones_in_after_every_second_candidate():
    plain = [cand(f"x = midpoint x {p} {q}") for p, q in ("ab", "bc", "cd", "da")]
    tied = cand("x = midpoint x a c")  # on bd too
    untied = cand("x = midpoint x b a")
    got, n = pool([plain[0], plain[1], plain[2], untied, tied, plain[3]], 3, SQUARE, 0, 1)
    assert n == 1
    assert got == [plain[0], plain[1], tied, plain[2]]
    got, n = pool([plain[0], plain[1], plain[2], untied, tied], 3, SQUARE, 0, 2)
    assert n == 0 and got == plain[:3]  # one tie is not two
