"""Trajectories that draw from the model too (``SearchConfig.trajectory_model``): its first
proposals on the statement, taken from the best-first search's list, and at the nodes below
it within a share of the search's time."""

from __future__ import annotations

import time

from needs_aux import ORTHOCENTER, WITHOUT_SQUARED
from test_search_depth import Staged, checked

from reasoner.search import SearchConfig, _Run, search
from symbolic.geometry.problem import parse_problem

STAGES = (["x = midpoint x a b", "x = midpoint x b c"], ["y = midpoint y a c"],
          ["z = on_line z b h, on_line z a c"])


class Counted(Staged):
    """``Staged``, counting its calls by the number of auxiliary points of the problem."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: dict[int, int] = {}

    def propose(self, problem, k):
        n = len(problem.points) - self.base
        self.calls[n] = self.calls.get(n, 0) + 1
        return super().propose(problem, k)


def sources() -> tuple[Counted, Counted]:
    """A model that proposes only on the statement, and a heuristic source that proposes
    only below it: a proof takes the model's point first, then the heuristics' two."""
    model = Counted(4, STAGES[0], source="neural")
    heuristic = Counted(4, [], *STAGES[1:], source="heuristic")
    return model, heuristic


def config(**options) -> SearchConfig:
    return SearchConfig(ar_tables=WITHOUT_SQUARED, timeout=60, depth=1, trajectory_depth=3,
                        **options)


def test_without_it_trajectories_never_start_from_the_models_points():
    model, heuristic = sources()
    found = search(parse_problem(ORTHOCENTER, name="ortho"), [model, heuristic], config())
    assert not found.outcome.proved
    assert found.tried == 2  # the model's two points, best first; no trajectory step
    assert set(model.calls) == {0}
    assert "model_nodes" not in found.stats


def test_trajectories_start_from_the_models_points_and_go_on_with_the_heuristics():
    model, heuristic = sources()
    found = search(parse_problem(ORTHOCENTER, name="ortho"), [model, heuristic],
                   config(trajectory_model=1.0))
    assert found.outcome.proved and len(found.auxiliary) == 3
    assert found.sources == ("neural", "heuristic", "heuristic")
    assert found.stats["proved_by_trajectory"] == 1
    checked(found)
    # on the statement the trajectories took the best-first search's list: asked once there
    assert model.calls[0] == 1
    # below it the model was asked at the trajectory nodes (it had nothing to offer there)
    assert model.calls.get(1, 0) >= 1 and found.stats["model_nodes"] >= 1
    assert found.stats["model_nodes"] == sum(n for d, n in model.calls.items() if d > 0)


def test_the_models_time_below_the_statement_stays_within_its_share():
    problem = parse_problem(ORTHOCENTER, name="ortho")
    run = _Run(problem, [], config(trajectory_model=0.2), None, time.monotonic() - 10.0)
    lists = run.lists
    assert lists.model_turn(0) and lists.model_turn(1)
    lists.model_seconds = 1.9
    assert lists.model_turn(2)
    lists.model_seconds = 2.1  # more than 0.2 of the 10 s spent
    assert lists.model_turn(0) and not lists.model_turn(1)
    assert run.counts["model_nodes"] == 2 and run.counts["model_nodes_skipped"] == 1
    off = _Run(problem, [], config(), None, time.monotonic() - 10.0)
    assert not off.lists.model_turn(0) and not off.lists.model_turn(1)
