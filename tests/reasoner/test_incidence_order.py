"""The trajectories' draw and the incidence weights and pool (``reasoner.incidence_order``)
on small diagrams, where the ties can be counted by hand."""

from collections import Counter

import numpy as np

from reasoner.incidence_order import MAX_TIES, Weigher, draw, pool
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


def test_weigher_counts_ties_and_cannot_draw_what_does_not_meet():
    centre = cand("x = on_line x a c, on_line x b d")   # ties: none beyond its two lines
    midpoint = cand("x = midpoint x a b")                # on ab, which it states: none
    mid_ac = cand("x = midpoint x a c")                  # on bd as well: one tie
    parallel = cand("x = on_line x a b, on_line x c d")  # ab and cd never meet
    w = Weigher(SQUARE, {}, 0)
    assert w.factor(centre) == w.factor(midpoint) == 0.1  # ten times less likely
    assert w.factor(mid_ac) == 2.0                        # 1 + 1 times likelier
    assert w.factor(parallel) is None
    assert w.top == 1 + MAX_TIES


def test_weighed_draws_follow_cost_times_factor_and_count_only_what_they_consider():
    """Rejection against the largest factor draws each candidate with the probability of
    weighing them all first: exp(-cost) times its factor, normalised; one that cannot be
    drawn is never drawn and leaves the options."""
    centre = cand("x = on_line x a c, on_line x b d")
    mid_ac = cand("x = midpoint x a c")
    mid_bd = cand("x = midpoint x b d")  # the centre too: on ac and bd, one tie (ac)
    parallel = cand("x = on_line x a b, on_line x c d")
    options = [(0.0, centre), (0.5, mid_ac), (1.5, mid_bd), (0.0, parallel)]
    w = Weigher(SQUARE, {}, 0)
    factors = [w.factor(c) for _, c in options]
    expected = {str(c.clauses[0]): np.exp(-cost) * f
                for (cost, c), f in zip(options, factors) if f is not None}
    total = sum(expected.values())
    rng = np.random.default_rng(1)
    picks: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    n = 20000
    for _ in range(n):
        left = list(options)
        got = draw(left, 1.0, rng, w, counts)
        assert got is not None and got is not parallel and got not in [c for _, c in left]
        picks[str(got.clauses[0])] += 1
    for text, weight in expected.items():
        assert abs(picks[text] / n - weight / total) < 0.012, (text, picks[text] / n)
    assert counts["not_drawn_on_node"] > 0  # drawn by cost now and then, then left out
    only_parallel = [(0.0, parallel)]
    assert draw(only_parallel, 1.0, rng, w, counts) is None and only_parallel == []
    # a fresh weigher counts only the candidates its draws consider
    lazy = Weigher(SQUARE, {}, 0)
    many = [(float(i), cand("x = midpoint x a c")) for i in range(40)]
    draw(many, 0.1, np.random.default_rng(0), lazy)  # steep: the first one nearly always
    assert len(lazy._known) < 5


def test_pool_mixes_the_tied_ones_in_after_every_second_candidate():
    plain = [cand(f"x = midpoint x {p} {q}") for p, q in ("ab", "bc", "cd", "da")]
    tied = cand("x = midpoint x a c")  # on bd too
    untied = cand("x = midpoint x b a")
    got, n = pool([plain[0], plain[1], plain[2], untied, tied, plain[3]], 3, SQUARE, 0, 1)
    assert n == 1
    assert got == [plain[0], plain[1], tied, plain[2]]
    got, n = pool([plain[0], plain[1], plain[2], untied, tied], 3, SQUARE, 0, 2)
    assert n == 0 and got == plain[:3]  # one tie is not two


def _draw_spelled(options, temperature, rng, weigher=None):
    """``draw`` as first written: ``rng.choice`` with the weights at every draw."""
    w = None
    while options:
        if w is None:
            costs = np.array([c for c, _ in options])
            w = np.exp(-(costs - costs.min()) / temperature)
            w /= w.sum()
        i = int(rng.choice(len(options), p=w))
        if weigher is None:
            return options.pop(i)[1]
        f = weigher.factor(options[i][1])
        if f is None:
            options.pop(i)
            w = None
        elif rng.random() * weigher.top < f:
            return options.pop(i)[1]
    return None


def test_a_draw_takes_what_rng_choice_would_with_the_same_draws():
    """The cumulative weights kept between draws pick what ``rng.choice`` picks from the
    same generator, draw after draw, with and without a weigher that rejects and drops."""

    class Weigher:
        top = 3.0

        def factor(self, cand):
            k = int(cand.source[1:])
            return None if k % 7 == 3 else float(k % 3 + 1)

    costs = np.random.default_rng(4).random(60) * 3
    for weigher in (None, Weigher()):
        a = [(float(c), Candidate((), 0.0, f"c{k}")) for k, c in enumerate(costs)]
        b = list(a)
        r1, r2 = np.random.default_rng(11), np.random.default_rng(11)
        got = [draw(a, 0.7, r1, weigher) for _ in range(70)]
        want = [_draw_spelled(b, 0.7, r2, weigher) for _ in range(70)]
        assert got == want and a == b and r1.random() == r2.random()
        assert got[-1] is None and got[0] is not None
