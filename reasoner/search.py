"""The propose-check search over auxiliary constructions (geometry).

DD+AR first; if it saturates without the goal, the sources are made (a model is loaded only
now, so a problem DD+AR proves never pays for it) and a best-first search over *nodes*: a node is
the statement plus the auxiliary candidates added so far (each candidate one or more typed
clauses from one proposal source). Trying a node means extending the problem with them
(``Problem.with_auxiliary``: checked, not re-parsed), drawing it and running DD+AR on it like
on any other problem, under ``per_candidate`` seconds; the first node whose goal is
proved, with the proof checked on a second diagram, wins. A node that saturates without the
goal, drew, and lies above ``depth`` is *expanded*: every source is asked for candidates on
the extended problem, and the children join the frontier. Only the first ``beam`` nodes
expanded at each depth get children at once (being popped best first, they are the best
ones); the others wait, and when the frontier runs dry with time left the best waiting node
is expanded (the beam widens one node at a time).

Costs (lower first): a child of a node costs the node's cost, plus ``depth_cost`` below the
root, plus its cost among its siblings: ``log(1 + i)`` for the ``i``-th candidate of its arm
(a source, or with a ranking a source and construction kind, see ``reasoner.ranking``) minus
the log of its arm's success rate relative to the best arm's. Without a ranking that is a
round-robin merge of the sources, each in its own order. Clause sets already seen (up to the
order of the clauses and the names of the new points) are skipped; a candidate that does not
fit the problem or cannot be drawn is skipped and never expanded. Proposers only propose; truth
is decided by the prover. The outcome records the clauses added, the source of each, per-arm
trial counts (to update a ranking) and search statistics.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from symbolic.geometry.proposal import Candidate, ConstructionProposer

from .ranking import Ranking, arm, order_by_arms

if TYPE_CHECKING:
    from symbolic.geometry.problem import Clause, Problem
    from symbolic.geometry.prover import ProofOutcome

Progress = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class SearchConfig:
    """``timeout`` bounds the whole search (DD+AR first included); ``per_candidate`` each
    node's DD+AR run; ``max_candidates`` how many proposals each source gives at the root,
    ``width`` below it; ``depth`` the most candidates stacked on the statement; ``beam`` the
    nodes expanded per depth; ``ranking`` orders the candidates of a node by source and kind
    (None: round-robin over the sources)."""

    timeout: float | None = 60.0
    per_candidate: float = 5.0
    max_candidates: int = 400
    width: int = 100
    depth: int = 2
    beam: int = 8
    depth_cost: float = 2.0
    ranking: Ranking | None = None
    seed: int = 0


@dataclass
class SearchOutcome:
    outcome: ProofOutcome             # the outcome of the problem that was proved last
    problem: Problem                  # that problem (the statement plus auxiliary clauses)
    auxiliary: tuple[str, ...] = ()   # the clauses added (as text), empty if DD+AR sufficed
    tried: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()     # the source of each auxiliary clause
    trials: dict[str, tuple[int, int]] = field(default_factory=dict)  # arm -> (tried, won)


@dataclass(frozen=True)
class _Node:
    steps: tuple[Candidate, ...]      # the candidates added, in order
    arms: tuple[str, ...]

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(c for cand in self.steps for c in cand.clauses)


def canonical(clauses: Sequence[Clause]) -> tuple[str, ...]:
    """A clause set up to order and the names of the points it creates."""
    new = {p: "·" for c in clauses for p in c.points}
    return tuple(sorted(str(c.rename(new)) for c in clauses))


Sources = Sequence[ConstructionProposer] | Callable[[], Sequence[ConstructionProposer]]
"""The proposal sources of a search, or a function that makes them: called only when DD+AR
saturates without the goal, so a problem DD+AR proves never pays for loading a model."""


def search(problem: Problem, proposers: Sources, config: SearchConfig | None = None,
           progress: Progress | None = None) -> SearchOutcome:
    """Prove ``problem``, adding auxiliary constructions from ``proposers`` if needed."""
    from symbolic.geometry.prover import ProverConfig, prove

    config = config or SearchConfig()
    start = time.monotonic()
    base = prove(problem, ProverConfig(seed=config.seed, timeout=config.timeout))
    if base.proved or base.timed_out:
        return SearchOutcome(base, problem, stats={"depth": 0})
    loading = time.monotonic()
    sources = proposers() if callable(proposers) else proposers
    if not sources:
        return SearchOutcome(base, problem, stats={"depth": 0})
    run = _Run(problem, sources, config, progress, start)
    run.loading = time.monotonic() - loading
    return run.loop(base)


class _Run:
    """The state of one search: frontier, seen clause sets, counters."""

    def __init__(self, problem: Problem, proposers: Sequence[ConstructionProposer],
                 config: SearchConfig, progress: Progress | None, start: float) -> None:
        import numpy as np

        self.problem, self.proposers, self.config = problem, proposers, config
        self.progress = progress
        self.start = start
        self.deadline = None if config.timeout is None else self.start + config.timeout
        self.rng = np.random.default_rng(config.seed)
        self.frontier: list[tuple[float, int, _Node]] = []
        self.deferred: list[tuple[float, int, _Node]] = []  # expandable, beyond the beam
        self.seen: set[tuple[str, ...]] = {()}
        self.pushed = 0
        self.expanded: Counter[int] = Counter()
        self.tried: Counter[int] = Counter()
        self.trials: dict[str, list[int]] = {}
        self.counts: Counter[str] = Counter()
        self.loading = 0.0  # seconds spent making the sources (loading a model)

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def stats(self, **extra: Any) -> dict[str, Any]:
        return {"tried": sum(self.tried.values()),
                "tried_by_depth": {str(d): n for d, n in sorted(self.tried.items())},
                "expanded": sum(self.expanded.values()), "frontier": len(self.frontier),
                "search_seconds": round(time.monotonic() - self.start, 3),
                "sources_seconds": round(self.loading, 3),
                **dict(self.counts), **extra}

    def outcome(self, out, problem, node: _Node | None, **extra: Any) -> SearchOutcome:
        trials = {k: (v[0], v[1]) for k, v in self.trials.items()}
        stats = self.stats(**extra)
        if node is None:
            return SearchOutcome(out, problem, (), stats["tried"], stats, (), trials)
        sources = tuple(cand.source for cand in node.steps for _ in cand.clauses)
        stats["depth"] = len(node.steps)
        return SearchOutcome(out, problem, tuple(map(str, node.clauses)), stats["tried"], stats,
                             sources, trials)

    def loop(self, base) -> SearchOutcome:
        from symbolic.geometry.errors import GeometryError
        from symbolic.geometry.prover import ProverConfig, prove

        self.expand(_Node((), ()), self.problem)
        while self.frontier or self.deferred:
            remaining = self.left()
            if remaining is not None and remaining <= 0:
                return self.outcome(base, self.problem, None, timed_out=True)
            if not self.frontier:  # the beam is spent: widen it with the best node left
                cost, _, node = heapq.heappop(self.deferred)
                self.counts["widened"] += 1
                self.expand(node, self.problem.with_auxiliary(node.clauses), cost)
                continue
            cost, _, node = heapq.heappop(self.frontier)
            depth = len(node.steps)
            self.tried[depth] += 1
            budget = self.config.per_candidate if remaining is None else min(
                self.config.per_candidate, remaining)
            try:
                extended = self.problem.with_auxiliary(node.clauses)
                out = prove(extended, ProverConfig(seed=self.config.seed, timeout=budget))
            except GeometryError:  # does not fit or cannot be drawn: skip it, never expand it
                self.counts["undrawable"] += 1
                self.record(node.arms[-1], won=False)
                continue
            if out.proved:
                self.record(node.arms[-1], won=True)
                for a in node.arms[:-1]:  # the nodes on the path helped: count them as won
                    self.trials[a][1] += 1
                return self.outcome(out, extended, node, cost=round(cost, 3))
            self.record(node.arms[-1], won=False)
            if out.timed_out:
                self.counts["candidate_timeouts"] += 1
            elif depth < self.config.depth and self.expanded[depth] < self.config.beam:
                self.expand(node, extended, cost)
            elif depth < self.config.depth:
                self.pushed += 1
                heapq.heappush(self.deferred, (cost, self.pushed, node))
            if self.progress is not None:
                self.progress(self.stats())
        return self.outcome(base, self.problem, None, exhausted=True)

    def record(self, name: str, won: bool) -> None:
        n = self.trials.setdefault(name, [0, 0])
        n[0] += 1
        n[1] += won

    def expand(self, node: _Node, extended: Problem, cost: float = 0.0) -> None:
        """Ask every source for candidates on ``extended`` and push the unseen ones."""
        depth = len(node.steps)
        self.expanded[depth] += 1
        k = self.config.max_candidates if depth == 0 else self.config.width
        candidates: list[Candidate] = []
        for proposer in self.proposers:
            try:
                candidates.extend(proposer.propose(extended, k))
            except Exception as e:  # a broken source must not take the search down
                self.counts[f"proposer_error:{type(proposer).__name__}:{type(e).__name__}"] += 1
        ranking = self.config.ranking
        if ranking is None:
            ordered = order_by_arms(candidates, by_kind=False)
        else:
            ordered = ranking.order(candidates, self.rng)
        base = cost + (self.config.depth_cost if depth > 0 else 0.0)
        offset = ordered[0][0] if ordered else 0.0  # the best arm costs nothing extra
        for c_cost, cand in ordered:
            clauses = node.clauses + cand.clauses
            key = canonical(clauses)
            if key in self.seen:
                continue
            self.seen.add(key)
            child = _Node(node.steps + (cand,), node.arms + (arm(cand),))
            self.pushed += 1
            heapq.heappush(self.frontier, (base + c_cost - offset, self.pushed, child))
