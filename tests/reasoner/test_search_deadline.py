"""A search ends at its deadline, however long its sources or matchers take, and runs with
the collector off."""

import gc
import time

from needs_aux import BISECTOR_FEET

from reasoner.search import SearchConfig, search
from symbolic.deadline import check
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proposal import Candidate


class Slow:
    """A source that takes 20 s to propose nothing, checking the deadline as it goes."""

    source = "heuristic"

    def __init__(self) -> None:
        self.collecting: list[bool] = []

    def propose(self, problem, k) -> list[Candidate]:
        self.collecting.append(gc.isenabled())
        for _ in range(4000):
            check()
            time.sleep(0.005)
        return []


def test_a_slow_source_stops_at_the_searchs_deadline():
    slow = Slow()
    began = time.monotonic()
    found = search(parse_problem(BISECTOR_FEET), [slow], SearchConfig(timeout=1.5))
    spent = time.monotonic() - began
    assert not found.outcome.proved and found.stats.get("timed_out")
    assert spent < 2.0, spent  # not the source's 20 s
    assert slow.collecting  # the source was asked


def test_the_search_runs_with_the_collector_off_and_leaves_it_as_it_was():
    before = gc.get_threshold()
    assert gc.isenabled()
    slow = Slow()
    search(parse_problem(BISECTOR_FEET), [slow], SearchConfig(timeout=1.0))
    assert slow.collecting == [False]
    assert gc.isenabled() and gc.get_threshold() == before
    assert gc.get_freeze_count() == 0  # what it left alive is in the old generation
    gc.disable()  # one that was off stays off
    try:
        search(parse_problem(BISECTOR_FEET), [Slow()], SearchConfig(timeout=0.5))
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()  # what a caller froze stays frozen
    try:
        frozen = gc.get_freeze_count()
        search(parse_problem(BISECTOR_FEET), [Slow()], SearchConfig(timeout=0.5))
        assert 0 < gc.get_freeze_count() <= frozen  # (some of it may have been freed)
    finally:
        gc.unfreeze()


def test_a_search_stopped_by_its_deadline_is_a_timeout_and_ends_before_it(monkeypatch):
    import reasoner.domains.geometry as geometry
    from reasoner.api import SolveConfig, solve
    from reasoner.result import Status

    monkeypatch.setattr(geometry, "proposers", lambda problem, config: [Slow()])
    result = solve(BISECTOR_FEET, config=SolveConfig(timeout=2.0))
    assert result.status is Status.TIMEOUT and result.stats["search"]["timed_out"]
    assert result.seconds < 3.0, result.seconds  # not the source's 20 s


def test_a_search_that_makes_many_objects_collects_them_young_and_freezes_the_rest(
        monkeypatch):
    """Past ``YOUNG_LIMIT`` tracked objects since the last time, an attempt ends with one
    young pass (and what survives it frozen until the search ends); under it, none."""
    import reasoner.collector as collector_module
    from symbolic.geometry.heuristics import HeuristicProposer

    passes = []

    def seen(phase, info):
        if phase == "start" and not gc.isenabled():  # asked for by the search
            passes.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        for limit, want in ((10**9, False), (0, True)):
            passes.clear()
            monkeypatch.setattr(collector_module, "YOUNG_LIMIT", limit)
            found = search(parse_problem(BISECTOR_FEET), [HeuristicProposer()],
                           SearchConfig(timeout=20.0))
            assert found.tried >= 1
            assert (0 in passes) is want, (limit, passes)
            assert gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.callbacks.remove(seen)


def _young_passes(run):
    """The young passes (generation 0) made while ``run()`` runs."""
    passes = []

    def seen(phase, info):
        if phase == "start" and info["generation"] == 0:
            passes.append(info)

    gc.callbacks.append(seen)
    try:
        run()
    finally:
        gc.callbacks.remove(seen)
    return len(passes)


def test_young_passes_go_on_while_they_find_garbage_and_end_when_one_finds_none(monkeypatch):
    import reasoner.collector as collector_module
    from reasoner.collector import collect_young, collector_paused

    monkeypatch.setattr(collector_module, "YOUNG_LIMIT", 100)
    kept = []

    def cycles():  # 300 objects, each unreachable once made
        for _ in range(300):
            c: list = []
            c.append(c)

    def alive():  # 300 objects that stay reachable
        kept.extend([] for _ in range(300))

    with collector_paused():
        assert _young_passes(lambda: (cycles(), collect_young())) == 1
        assert _young_passes(lambda: (cycles(), collect_young())) == 1  # it found them: on
        assert _young_passes(lambda: (alive(), collect_young())) == 1  # found none: the last
        assert _young_passes(lambda: (cycles(), collect_young())) == 0
        assert _young_passes(lambda: (alive(), collect_young())) == 0
    with collector_paused():  # each search decides for itself
        assert _young_passes(lambda: (alive(), collect_young())) == 1
    with collector_paused():
        assert _young_passes(lambda: (cycles(), collect_young())) == 1
        with collector_paused():  # a search within a search, as the other one
            assert _young_passes(lambda: (alive(), collect_young())) == 1
            assert _young_passes(lambda: (alive(), collect_young())) == 0
        assert _young_passes(lambda: (alive(), collect_young())) == 1  # the outer's goes on
    assert gc.isenabled() and gc.get_freeze_count() == 0
