"""The candidates of a search node (``reasoner.search``): every source asked for its list on
the node's problem (a source whose last call took longer than the time left is skipped, a
broken one counted and skipped), merged by cost, round-robin over the sources or by the
Bayesian ranking (``reasoner.ranking``).

On the statement the best-first search's list of a pool source (the heuristics) reaches past
``max_candidates`` to candidates tied to the figure (``pooled``, HAGeo's non-trivial
incidences). Trajectories take the fast sources (``trajectory_sources``) at every node; with
``trajectory_model`` the others (the model) join in: their first ``trajectory_model_k``
candidates on a statement (the list the best-first search asked for) and, while their time
in trajectories stays within that share of the search's time, at the nodes below it
(``model_turn``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from symbolic.deadline import Deadline
from symbolic.geometry.proposal import Candidate, ConstructionProposer

from . import incidence_order
from .ranking import order_by_arms

if TYPE_CHECKING:
    import numpy as np

    from symbolic.geometry.problem import Problem

    from .search import SearchConfig


class NodeLists:
    """The lists of one search's nodes. ``counts`` are the search's counters, ``rng`` its
    random stream, ``left`` the seconds it has left (None: no limit), ``start`` when it
    began."""

    def __init__(self, proposers: Sequence[ConstructionProposer], config: SearchConfig,
                 counts: Counter[str], rng: np.random.Generator,
                 left: Callable[[], float | None], start: float) -> None:
        self.proposers, self.config, self.counts, self.rng = proposers, config, counts, rng
        self.left, self.start = left, start
        self.source_seconds: dict[str, float] = {}  # how long each source's last call took
        self.pools: dict[str, list[Candidate]] = {}  # the statement's list, by pool source
        # the candidates of a statement (the problem's, a restatement's) by (id, source),
        # for the trajectories' draws from the sources they otherwise leave out
        self.statement_lists: dict[tuple[int, str], list[Candidate]] = {}
        self.model_seconds = 0.0  # those sources' time in trajectories

    def ordered(self, extended: Problem, depth: int, trajectory: bool = False,
                diagram: Any = None) -> list[tuple[float, Candidate]]:
        """Every source's candidates on ``extended`` (a trajectory's: those of
        ``trajectory_sources``, and the others' while ``model_turn`` allows), ordered by cost
        (``reasoner.search``'s docstring), the best at cost 0; on the statement, the best-first
        search's list of a pool source reaches past ``max_candidates`` to candidates tied to
        the figure on ``diagram`` (``pooled``). A source whose last call took longer than the
        time left is not asked."""
        k = self.config.max_candidates if depth == 0 else self.config.width
        candidates: list[Candidate] = []
        for proposer in self.proposers:
            slow = trajectory and self.slow(proposer)
            if slow and not self.model_turn(depth):
                continue
            remaining = self.left()
            last = self.source_seconds.get(proposer.source, 0.0)
            if remaining is not None and last > remaining:  # it would overrun the deadline
                self.counts[f"source_skipped:{proposer.source}"] += 1
                continue
            began = time.monotonic()
            try:
                if slow:
                    candidates.extend(self.model_list(proposer, extended, depth))
                elif depth == 0 and not trajectory and proposer.source in self.config.pool_sources:
                    candidates.extend(self.pooled(proposer, extended, k, diagram))
                else:
                    got = proposer.propose(extended, k)
                    if depth == 0 and self.slow(proposer) and self.config.trajectory_model:
                        self.statement_lists[(id(extended), proposer.source)] = got
                    candidates.extend(got)
            except Deadline:
                raise
            except Exception as e:  # a broken source must not take the search down
                self.counts[f"proposer_error:{type(proposer).__name__}:{type(e).__name__}"] += 1
            spent = time.monotonic() - began
            if slow:
                self.model_seconds += spent
            if not (slow and depth == 0):  # (mostly a list made before: no call to time)
                self.source_seconds[proposer.source] = spent
        if depth > self.config.multi_point_depth:
            candidates = [c for c in candidates if len(c.clauses) == 1]
        ranking = self.config.ranking
        if ranking is None:
            ordered = order_by_arms(candidates, by_kind=False)
        else:  # several workers share the statement's order (each takes its share of it)
            import numpy as np

            shared = depth == 0 and self.config.workers > 1
            ordered = ranking.order(
                candidates, np.random.default_rng(self.config.seed) if shared else self.rng)
        offset = ordered[0][0] if ordered else 0.0  # the best arm costs nothing extra
        return [(c - offset, cand) for c, cand in ordered]

    def slow(self, proposer: ConstructionProposer) -> bool:
        """Whether trajectories leave ``proposer`` out (but for ``trajectory_model``)."""
        allowed = self.config.trajectory_sources
        return allowed is not None and proposer.source not in allowed

    def model_turn(self, depth: int) -> bool:
        """Whether a trajectory node at ``depth`` may ask the sources that trajectories
        leave out (``trajectory_sources``: the model): on the statement whenever
        ``trajectory_model`` is on (their list there is made once), below it while their
        time in trajectories stays within ``trajectory_model`` of the search's time so far."""
        share = self.config.trajectory_model
        if share <= 0:
            return False
        if depth == 0:
            return True
        if self.model_seconds <= share * (time.monotonic() - self.start):
            self.counts["model_nodes"] += 1
            return True
        self.counts["model_nodes_skipped"] += 1
        return False

    def model_list(self, proposer: ConstructionProposer, problem: Problem,
                   depth: int) -> list[Candidate]:
        """A slow source's first ``trajectory_model_k`` candidates for a trajectory node: on
        a statement, taken from the list the best-first search asked for (asked once
        otherwise, e.g. on a restatement); below it, asked anew."""
        k = self.config.trajectory_model_k
        if depth > 0:
            return proposer.propose(problem, k)
        key = (id(problem), proposer.source)
        got = self.statement_lists.get(key)
        if got is None:
            got = self.statement_lists[key] = proposer.propose(problem, k)
        return got[:k]

    def pooled(self, proposer: ConstructionProposer, problem: Problem, k: int,
               diagram: Any) -> list[Candidate]:
        """The statement's first ``k`` candidates of ``proposer`` with those of the next
        ``incidence_pool`` tied to ``pool_ties`` or more lines and circles of the figure on
        ``diagram`` mixed in (``incidence_order.pool``): HAGeo keeps only candidates so tied,
        and the statement's list in a source's own order would never reach them. Made once
        per source and search."""
        hit = self.pools.get(proposer.source)
        if hit is not None:
            return hit
        if self.config.incidence_pool <= 0 or diagram is None:
            return proposer.propose(problem, k)
        got = proposer.propose(problem, k + self.config.incidence_pool)
        out, self.counts["pooled"] = incidence_order.pool(
            got, k, diagram.coords, self.config.seed, self.config.pool_ties)
        self.pools[proposer.source] = out
        return out
