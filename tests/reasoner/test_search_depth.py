"""The best-first search over auxiliary constructions at depth > 1, and the ranking."""

from __future__ import annotations

import numpy as np
import pytest
from needs_aux import ORTHOCENTER, WITHOUT_SQUARED

from reasoner.ranking import Ranking, arm, construction_kind, order_by_arms
from reasoner.search import SearchConfig, canonical, search
from symbolic.geometry.heuristics import HeuristicProposer
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proof import check_proof
from symbolic.geometry.proposal import Candidate

CIRCUM = "a b c = triangle a b c; d = on_circum d a b c; o = circle o a b c ? cong o a o d"


class Staged:
    """Proposes by how many auxiliary points the problem already has: ``stages[n]`` for a
    problem with ``n`` of them (points beyond the statement's)."""

    def __init__(self, base: int, *stages: list[str], source: str = "fake") -> None:
        self.base, self.stages, self.source = base, stages, source

    def propose(self, problem, k):
        n = len(problem.points) - self.base
        clauses = self.stages[n] if n < len(self.stages) else []
        return [Candidate((problem.parse_clause(c),), -i, self.source)
                for i, c in enumerate(clauses)][:k]


class Broken:
    source = "broken"

    def propose(self, problem, k):
        raise RuntimeError("no")


def pinned(**options) -> SearchConfig:
    """A search of 60 s without the squared table, where the orthocentre needs its auxiliary
    foot (``needs_aux``)."""
    return SearchConfig(ar_tables=WITHOUT_SQUARED, timeout=60, **options)


def best_first(**options) -> SearchConfig:
    """The best-first search alone (no trajectories), whose order the tests pin down."""
    return pinned(trajectory_depth=0, **options)


def checked(found) -> None:
    """The proof found holds on an independently drawn diagram of the extended problem."""
    coords = build_diagram(found.problem, np.random.default_rng(7)).coords
    check_proof(found.outcome.proof, coords, found.outcome.diagram.coords)


def test_depth_two_needs_both_points_and_the_proof_checks():
    # depth 1 offers only a midpoint; the foot that closes the proof is offered only once a
    # point was added, so the proof needs two auxiliary constructions
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b", "x = midpoint x b c"],
              ["y = on_line y b h, on_line y a c"])
    found = search(problem, [Staged(4, *stages)], best_first(depth=2))
    assert found.outcome.proved and len(found.auxiliary) == 2
    assert found.auxiliary[1] == "y = on_line y b h, on_line y a c"
    assert found.sources == ("fake", "fake") and found.stats["depth"] == 2
    checked(found)
    shallow = search(problem, [Staged(4, *stages)], best_first(depth=1))
    assert not shallow.outcome.proved and shallow.tried == 2


class Midpoints:
    """The heuristic source's midpoints only."""

    source = "heuristic"

    def propose(self, problem, k):
        return [c for c in HeuristicProposer().propose(problem, 10_000)
                if c.clauses[0].steps[0].construction.name == "midpoint"][:k]


def test_heuristic_search_finds_a_two_point_proof():
    # the circumcentre is as far from any point of the circumcircle as from a vertex: without
    # the rule that says so (r47), DD+AR needs two midpoints (perpendicular bisectors), and no
    # single midpoint suffices
    from symbolic.geometry.tables import rules

    without = frozenset(r.id for r in rules()) - {"r47"}
    problem = parse_problem(CIRCUM, name="circum")
    shallow = search(problem, [Midpoints()],
                     pinned(depth=1, rules=without, trajectory_depth=0))
    assert not shallow.outcome.proved and shallow.stats.get("exhausted")
    assert search(problem, [], pinned()).outcome.proved  # with r47: DD+AR
    for ranking in (None, Ranking()):
        found = search(problem, [Midpoints()],
                       pinned(depth=2, ranking=ranking, rules=without,
                                    trajectory_depth=0))
        assert found.outcome.proved and len(found.auxiliary) == 2, found.stats
        assert set(found.outcome.proof.auxiliary_points) >= {"x", "y"}
        checked(found)


def test_trials_count_the_winning_path_as_won():
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b"], ["y = on_line y b h, on_line y a c"])
    found = search(problem, [Staged(4, *stages)], best_first(depth=2))
    assert found.trials == {"fake:midpoint": (1, 1), "fake:on_line+on_line": (1, 1)}


def test_a_broken_source_does_not_stop_the_search():
    problem = parse_problem(ORTHOCENTER, name="ortho")
    found = search(problem, [Broken(), HeuristicProposer()], pinned())
    assert found.outcome.proved and found.sources == ("heuristic",)
    assert any(k.startswith("proposer_error:Broken") for k in found.stats)
    checked(found)


FIVE = parse_problem("a b c = triangle a b c; d = midpoint d a b; e = midpoint e a c "
                     "? para d e b c")


def read(*texts: str):
    """``texts`` read as clauses of a problem with points a b c d e."""
    return FIVE.parse_clauses(texts)


def test_clause_sets_are_deduplicated_up_to_order_and_names():
    a = canonical(read("x = midpoint x a b", "y = foot y c a b"))
    b = canonical(read("y = foot y c a b", "x = midpoint x a b"))
    c = canonical(read("x = foot x c a b", "y = midpoint y a b"))
    assert a == b == c
    assert canonical(read("x = midpoint x a b")) != canonical(read("x = midpoint x a c"))
    assert canonical(read("x = midpoint x a b", "y = midpoint y a x")) != \
        canonical(read("x = midpoint x a b", "y = midpoint y a b"))


def test_construction_kinds_and_arms():
    cand = Candidate(read("x = on_line x a b, on_line x c d"), 0.0, "heuristic")
    assert construction_kind(cand) == "on_line+on_line"
    assert arm(cand) == "heuristic:on_line+on_line" and arm(cand, False) == "heuristic"


def _cands():
    mids = [Candidate(read(f"x = midpoint x a {p}"), 0.0, "heuristic") for p in "bcde"]
    feet = [Candidate(read(f"x = foot x {p} a b"), 0.0, "heuristic") for p in "cde"]
    return mids + feet


def test_round_robin_without_a_ranking_keeps_the_source_order():
    cands = _cands() + [Candidate(read("x = midpoint x b c"), 0.0, "memory")]
    ordered = [c for _, c in order_by_arms(cands, by_kind=False)]
    assert ordered[0] is cands[0] and ordered[1].source == "memory"
    assert [c for c in ordered if c.source == "heuristic"] == cands[:-1]


def test_ranking_update_moves_the_successful_kind_first():
    cands = _cands()
    rng = np.random.default_rng(0)
    prior = Ranking(thompson=False)
    first = [c for _, c in prior.order(cands, rng)][:2]
    assert {construction_kind(c) for c in first} == {"midpoint", "foot"}  # equal arms alternate
    learned = prior.updated({"heuristic:foot": (10, 4), "heuristic:midpoint": (40, 0)})
    assert learned.mean("heuristic:foot") > learned.mean("heuristic:midpoint")
    order = [construction_kind(c) for _, c in learned.order(cands, rng)]
    assert order[:3] == ["foot"] * 3
    # Thompson sampling agrees once the evidence is strong
    sampled = Ranking(learned.counts, thompson=True)
    assert all(construction_kind(sampled.order(cands, np.random.default_rng(s))[0][1]) == "foot"
               for s in range(20))


def test_posterior_is_the_conjugate_update():
    r = Ranking({"m": (10, 3)}, a0=1.0, b0=2.0)
    assert r.posterior("m") == (4.0, 9.0) and r.posterior("new") == (1.0, 2.0)
    assert r.updated({"m": (2, 1), "n": (1, 0)}).counts == {"m": (12, 4), "n": (1, 0)}


def test_pyro_svi_fit_agrees_with_the_conjugate_posterior():
    pytest.importorskip("pyro")
    from reasoner.ranking import fit_svi

    counts = {"heuristic:foot": (20, 6), "memory:midpoint": (4, 3)}
    fitted = fit_svi(counts, steps=600, seed=0)
    exact = Ranking(counts)
    for name, (a, b) in fitted.items():
        assert abs(a / (a + b) - exact.mean(name)) < 0.05, (name, a, b)


class Keyed:
    """Offers two midpoints at the root; below, the closing point only under midpoint b c."""

    source = "fake"

    def propose(self, problem, k):
        text = problem.text()
        if "midpoint" not in text:
            clauses = ["x = midpoint x a b", "x = midpoint x b c"]
        elif "midpoint x b c" in text:
            clauses = ["y = on_line y b h, on_line y a c"]
        else:
            clauses = ["y = midpoint y a c"]
        return [Candidate((problem.parse_clause(c),), -i, self.source)
                for i, c in enumerate(clauses)][:k]


def test_the_beam_widens_when_the_frontier_runs_dry():
    problem = parse_problem(ORTHOCENTER, name="ortho")
    found = search(problem, [Keyed()], best_first(depth=2, beam=1))
    assert found.outcome.proved and found.auxiliary[0] == "x = midpoint x b c"
    assert found.stats["widened"] == 1
    checked(found)


ANY = {"trajectory_sources": None}  # trajectories may draw from the fake sources


def test_trajectories_stack_points_beyond_the_best_first_depth():
    # the foot that closes the proof is offered only once two points were added: best first
    # at depth 1 cannot reach it, a trajectory of three steps does, and the proof checks
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b", "x = midpoint x b c"], ["y = midpoint y a c"],
              ["z = on_line z b h, on_line z a c"])
    flat = search(problem, [Staged(4, *stages)], pinned(depth=1,
                                                              trajectory_depth=0))
    assert not flat.outcome.proved and "trajectories" not in flat.stats
    found = search(problem, [Staged(4, *stages)], pinned(depth=1,
                                                               trajectory_depth=3, **ANY))
    assert found.outcome.proved and len(found.auxiliary) == 3
    assert found.auxiliary[2] == "z = on_line z b h, on_line z a c"
    assert found.stats["proved_by_trajectory"] == 1 and found.stats["depth"] == 3
    checked(found)
    again = search(problem, [Staged(4, *stages)], pinned(depth=1,
                                                               trajectory_depth=3, **ANY))
    assert again.auxiliary == found.auxiliary  # seeded: the same trajectories


def test_trajectories_end_when_nothing_new_is_left():
    # two candidates, neither proves: trajectories reuse the cached nodes, find nothing new
    # to try and stop, long before the time limit
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b", "x = midpoint x b c"], ["y = midpoint y a c"])
    found = search(problem, [Staged(4, *stages)], pinned(depth=1,
                                                               trajectory_depth=4, **ANY))
    assert not found.outcome.proved and found.stats.get("exhausted")
    assert found.stats["search_seconds"] < 30
    assert found.tried == 4  # x twice, then y on each: every clause set once


def test_trajectories_draw_only_from_their_sources():
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b", "x = midpoint x b c"], ["y = midpoint y a c"],
              ["z = on_line z b h, on_line z a c"])
    found = search(problem, [Staged(4, *stages)], pinned(depth=1,
                                                               trajectory_depth=3))
    assert not found.outcome.proved and found.tried == 2  # "fake" is not a trajectory source


class Grouped(Staged):
    """As ``Staged``, each proposal a group of clauses (``"; "``-separated)."""

    def propose(self, problem, k):
        n = len(problem.points) - self.base
        groups = self.stages[n] if n < len(self.stages) else []
        return [Candidate(tuple(problem.parse_clauses(g.split("; "))), -i, self.source)
                for i, g in enumerate(groups)][:k]


def test_candidates_of_several_points_only_down_to_their_depth():
    # the closing foot comes only in a group of two clauses offered below the root: by
    # default (multi_point_depth 0) it is never tried, one level deeper it proves
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b"],
              ["y = midpoint y b c; z = on_line z b h, on_line z a c"])
    kept = search(problem, [Grouped(4, *stages)], best_first(depth=2))
    assert not kept.outcome.proved and kept.tried == 1
    found = search(problem, [Grouped(4, *stages)], best_first(depth=2, multi_point_depth=1))
    assert found.outcome.proved and len(found.auxiliary) == 3
    checked(found)


def test_attempts_keep_the_law_of_sines_up_to_the_points_asked(monkeypatch):
    """``attempt_sines=1``: the attempts with one auxiliary point feed the sine table, those
    with two continue from theirs without it (``SearchConfig.prover``)."""
    from symbolic.geometry import prover
    from symbolic.geometry.state import SINE

    seen = []
    prove = prover.prove

    def recorded(problem, config=None, *, parent=None):
        seen.append((len(problem.points) - 4, SINE in config.ar_tables))
        return prove(problem, config, parent=parent)

    monkeypatch.setattr(prover, "prove", recorded)
    problem = parse_problem(ORTHOCENTER, name="ortho")
    stages = (["x = midpoint x a b", "x = midpoint x b c"],
              ["y = on_line y b h, on_line y a c"])
    config = SearchConfig(ar_tables=WITHOUT_SQUARED | {SINE}, timeout=60, trajectory_depth=0,
                          depth=2, attempt_sines=1)
    found = search(problem, [Staged(4, *stages)], config)
    assert found.outcome.proved and len(found.auxiliary) == 2
    assert seen[0] == (0, True)  # the statement
    assert {points for points, _ in seen} == {0, 1, 2}
    assert all(sines == (points <= 1) for points, sines in seen)
