"""The statement's list of the best-first search reaches past ``max_candidates`` to the
candidates whose new point is tied to the figure (HAGeo's non-trivial incidences)."""

import time

from fixed_proposer import Fixed
from needs_aux import BISECTOR_FEET

from reasoner.search import SearchConfig, _Run, canonical, search
from symbolic.geometry.heuristics import HeuristicProposer
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove

# HAGeo dev 2015ARMOg9p7: the line through the foot h of the altitude and the centroid m
# meets the circumcircle at a1; the circle a1 h b touches ab. A human proof takes the point
# k where the parallel to bc through a meets hm: the homothety at m (ratio -1/2) sends k to
# h, so k is a's mirror image in the perpendicular bisector of bc, on the circumcircle.
CENTROID_CHORD = (
    "a b c = triangle; o = circumcenter a b c; x y z m = centroid x y z m a b c; "
    "h = foot a b c; a1 = on_line m h, on_circle o a; o1 = circumcenter a1 h b ? perp o1 b a b")


def test_the_statements_list_reaches_a_point_tied_to_the_figure():
    problem = parse_problem(CENTROID_CHORD, name="centroid_chord")
    base = prove(problem, ProverConfig(seed=0, timeout=60))
    assert not base.proved and not base.timed_out
    p = problem.fresh_point()
    aux = problem.parse_clauses([f"{p} = on_pline {p} a b c, on_line {p} m h"])
    first = HeuristicProposer().propose(problem, 400)
    assert canonical(aux) not in {canonical(c.clauses) for c in first}  # beyond the 400
    run = _Run(problem, [HeuristicProposer()], SearchConfig(), None, time.monotonic())
    got = [c for _, c in run.lists.ordered(problem, 0, diagram=base.diagram)]
    assert canonical(aux) in {canonical(c.clauses) for c in got}  # on the circumcircle, ...
    assert [c for c in got if c in first] == first  # the source's own first 400 in order
    assert len(got) < len(first) + 400  # only the tied ones join
    # a trajectory's list is the source's own
    assert [c for _, c in run.lists.ordered(problem, 0, trajectory=True)] == first
    # and with that point DD+AR proves the goal
    assert prove(problem.with_auxiliary(aux), ProverConfig(seed=0, timeout=120),
                 parent=base).proved


def test_no_pool_keeps_the_sources_list():
    problem = parse_problem(CENTROID_CHORD, name="centroid_chord")
    base = prove(problem, ProverConfig(seed=0, timeout=60))
    run = _Run(problem, [HeuristicProposer()], SearchConfig(incidence_pool=0), None,
               time.monotonic())
    got = [c for _, c in run.lists.ordered(problem, 0, diagram=base.diagram)]
    assert got == HeuristicProposer().propose(problem, 400)


def test_a_source_outside_the_pool_sources_is_asked_for_its_k():
    problem = parse_problem(BISECTOR_FEET)
    found = search(problem, [Fixed("x = on_line x a a", "x = midpoint x a b")],
                   SearchConfig(timeout=30, max_candidates=1, depth=1, trajectory_depth=0))
    assert not found.outcome.proved and found.tried == 1


def test_with_the_neural_ranking_the_source_is_asked_for_its_k_only(monkeypatch):
    """The model orders the heuristic's candidates itself: the pool would have it score
    thousands more on every statement."""
    import reasoner.search as search_module
    from reasoner.config import SolveConfig
    from reasoner.domains.geometry import _search

    seen = []

    def fake(problem, proposers, config, progress=None):
        seen.append(config.incidence_pool)
        raise RuntimeError("enough")

    monkeypatch.setattr(search_module, "search", fake)
    problem = parse_problem(BISECTOR_FEET)
    for ranking in (False, True):
        try:
            _search(problem, SolveConfig(neural_ranking=ranking))
        except RuntimeError:
            pass
    assert seen == [SearchConfig().incidence_pool, 0] and seen[0] > 0
