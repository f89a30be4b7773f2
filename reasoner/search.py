"""The propose-check search over auxiliary constructions (geometry).

DD+AR first; if it saturates without the goal, the sources are made (a model is loaded only
now, so a problem DD+AR proves never pays for it) and a search over *nodes*: a node is the
statement plus the auxiliary candidates added so far (each candidate one or more typed
clauses from one proposal source). Trying a node means extending the problem with them
(``Problem.with_auxiliary``: checked, not re-parsed), drawing the new points on its parent
node's diagram and continuing DD+AR from the parent's closure (``prove(..., parent=)``: only
what the new points bring is deduced), under ``per_candidate`` seconds; the first node whose
goal is proved, with the proof checked on a second, independent diagram, wins.

Two ways of choosing nodes take turns. **Best first**: a node that saturates without the
goal, drew, and lies above ``depth`` is *expanded*: every source is asked for candidates on
the extended problem, and the children join the frontier. Only the first ``beam`` nodes
expanded at each depth get children at once (being popped best first, they are the best
ones); the others wait, and when the frontier runs dry with time left the best waiting node
is expanded (the beam widens one node at a time). **Trajectories** (as in HAGeo, Duan et al.
2025): from the statement, draw one candidate of the current node (the lower its cost, the
likelier: weight ``exp(-cost / temperature)``), try it, step into it, and go on until a proof,
``trajectory_depth`` stacked candidates or a dead end; then start again from the statement.
The candidates a node has not given out yet are shared by all trajectories through it, and
the last ``cache`` nodes tried are kept, so trajectories with a common start do not repeat
it. Trajectories take every other turn once every candidate of the statement itself was tried
or ``trajectory_after`` of the time is spent (a proof with one auxiliary point is looked for
first), and every turn when the best-first search has nothing left. Trajectories draw from
the fast sources (``trajectory_sources``: heuristic, memory); with ``trajectory_model`` the
others (the model) join in: their first ``trajectory_model_k`` candidates on a statement
(from the list the best-first search asked for) and, while their time in trajectories
stays within that share of the search's time, at the nodes below it (``model_turn``).

Costs (lower first): a child of a node costs the node's cost, plus ``depth_cost`` below the
root, plus its cost among its siblings: ``log(1 + i)`` for the ``i``-th candidate of its arm
(a source, or with a ranking a source and construction kind, see ``reasoner.ranking``) minus
the log of its arm's success rate relative to the best arm's. Without a ranking that is a
round-robin merge of the sources, each in its own order. Clause sets already seen (up to the
order of the clauses and the names of the new points) are skipped; a candidate that does not
fit the problem or cannot be drawn is skipped and never expanded. Proposers only propose; truth
is decided by the prover. The outcome records the clauses added, the source of each, per-arm
trial counts (to update a ranking) and search statistics.

Several workers (``SearchConfig.worker`` of ``workers``, run at once by ``reasoner.batch``,
the first proof wins): every worker runs DD+AR on the same diagram (``seed``), then takes its
own share of the best-first search, the statement's candidates whose place in cost order is
``worker`` modulo ``workers`` (and everything below them), so that the workers' best-first
searches together are the one-worker search, none repeating another's; its trajectories draw
from all the statement's candidates with a random stream of its own (``(seed, worker)``;
worker 0 keeps ``seed``'s, so worker 0 of 1 is the one-worker search).
"""

from __future__ import annotations

import heapq
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from symbolic.deadline import Deadline, check, until
from symbolic.geometry.proposal import Candidate, ConstructionProposer

from . import incidence_order
from .collector import collect_young, collector_paused
from .node_lists import NodeLists
from .ranking import Ranking, arm
from .restated import prove_restated, with_restatement

if TYPE_CHECKING:
    from symbolic.geometry.problem import Clause, Problem
    from symbolic.geometry.prover import ProofOutcome, ProverConfig
    from symbolic.geometry.restate import Restatement

Progress = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class SearchConfig:
    """``timeout`` bounds the whole search (DD+AR first included); ``per_candidate`` each
    node's DD+AR run; ``max_candidates`` how many proposals each source gives at the root,
    ``width`` below it; ``depth`` the most candidates the best-first search stacks on the
    statement; ``beam`` the nodes it expands per depth; ``trajectory_depth`` the most a
    trajectory stacks (0: no trajectories), ``trajectory_after`` the share of the time after
    which they start even if single candidates are left, ``temperature`` how greedily they
    draw, ``trajectory_sources`` from which sources, ``incidences`` whether a candidate whose
    new point lands on lines and circles of the figure is likelier; ``cache`` how many tried
    nodes are kept to continue from; ``ranking`` orders the candidates of a node by source and
    kind (None: round-robin over the sources); ``multi_point_depth`` the deepest node given
    candidates of several clauses at once (a whole transversal): each new point costs every
    attempt below it, so stacked ones slow the search down; ``incidence_pool``,
    ``pool_ties`` and ``pool_sources`` how the statement's candidates reach past
    ``max_candidates`` to those whose point lands on lines and circles of the figure (HAGeo's
    non-trivial incidences); ``restate`` whether DD+AR runs on the goal's restatements
    (``symbolic.geometry.restate``: its point constructed on the goal's locus, the locus left
    out to prove) before any auxiliary point is proposed, and after ``restate_after`` of the
    time budget every other trajectory starts from one of those left short, in turn."""

    timeout: float | None = 60.0
    per_candidate: float = 5.0
    restate: bool = True
    restate_after: float = 0.5
    max_candidates: int = 400
    width: int = 100
    depth: int = 2
    beam: int = 8
    depth_cost: float = 2.0
    trajectory_depth: int = 6
    trajectory_after: float = 0.25
    temperature: float = 1.0
    # the sources trajectories draw from (None: all): the neural model takes 40-150 ms a
    # call on an olympiad problem, several attempts' worth, too slow to ask at every step
    trajectory_sources: frozenset[str] | None = frozenset({"heuristic", "memory"})
    # the sources left out of ``trajectory_sources`` (the model) in trajectories too: their
    # first ``trajectory_model_k`` candidates join the draws on a statement (the list made
    # for the best-first search) and, while their time in trajectories stays within this
    # share of the search's time, at the nodes below it (0: never)
    trajectory_model: float = 0.0
    trajectory_model_k: int = 16
    incidences: bool = True  # weight trajectory draws by non-trivial incidences (HAGeo)
    multi_point_depth: int = 0
    # the statement's candidates beyond the first ``max_candidates``: up to this many more
    # of the pool sources' are drawn, and those tied to ``pool_ties`` lines or circles of
    # the figure or more join the list (see ``_Run.pooled``); 0: none. The heuristic source
    # takes its eleven kinds in turn, so this reaches about 220 deeper into each kind
    incidence_pool: int = 2000
    pool_ties: int = 2
    pool_sources: frozenset[str] = frozenset({"heuristic"})
    cache: int = 64
    ranking: Ranking | None = None
    seed: int = 0
    rules: frozenset[str] | None = None  # restrict DD to these rule ids (ablations, tests)
    # one of ``workers`` searches of the same problem run at once (``reasoner.batch``): see
    # the module docstring, "Several workers"
    worker: int = 0
    workers: int = 1
    ar_tables: frozenset[str] | None = None  # the AR tables DD+AR feeds (None: the default)
    # the attempts (statements with auxiliary points) whose closure feeds the ratio table the
    # law of sines too: those with at most this many points (0: none). The statement's own
    # closure does, and attempts continue from their parent's either way, but the
    # triangles and equal angles a new point brings cost several attempts' time each
    # (measured in the README, "The law of sines")
    attempt_sines: int = 0  # (``reasoner.config.EVERY_ATTEMPT``: all of them)

    def prover(self, timeout: float | None, points: int = 0) -> ProverConfig:
        """DD+AR's configuration for the statement, or for an attempt that adds ``points``
        auxiliary steps to it."""
        from symbolic.geometry.prover import ProverConfig
        from symbolic.geometry.state import DEFAULT_AR_TABLES, SINE

        tables = DEFAULT_AR_TABLES if self.ar_tables is None else self.ar_tables
        if points > self.attempt_sines:
            tables = tables - {SINE}
        return ProverConfig(seed=self.seed, timeout=timeout, rules=self.rules,
                            ar_tables=tables)


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
    # the outcome of the node this one extends by its last step: DD+AR continues from its
    # closure (None: deduce from nothing)
    parent: ProofOutcome | None = field(default=None, compare=False, repr=False)
    root: int = 0  # the statement it extends: 0 the problem's, i > 0 its i-th restatement

    @property
    def clauses(self) -> tuple[Clause, ...]:
        return tuple(c for cand in self.steps for c in cand.clauses)


@dataclass
class _Tried:
    """A node that saturated without the goal: its problem and outcome (with the closure to
    continue from), and the candidates a trajectory has not drawn there yet."""

    problem: Problem
    outcome: ProofOutcome
    node: _Node
    options: list[tuple[float, Candidate]] | None = None
    weigher: incidence_order.Weigher | None = None  # the options' incidence factors


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
    config = config or SearchConfig()
    start = time.monotonic()
    with collector_paused():
        return _search(problem, proposers, config, progress, start)


def _search(problem: Problem, proposers: Sources, config: SearchConfig,
            progress: Progress | None, start: float) -> SearchOutcome:
    from symbolic.geometry.prover import prove

    base = prove(problem, config.prover(config.timeout))
    if base.proved or base.timed_out:
        return SearchOutcome(base, problem, stats={"depth": 0})
    roots: list[tuple[Restatement, ProofOutcome]] = []
    if config.restate:
        found = prove_restated(problem, base, config, start, roots)
        if found is not None:
            r, out, tried = found
            return SearchOutcome(out, r.problem, stats={
                "depth": 0, "restated": r.text(), "restatements_tried": tried,
                "search_seconds": round(time.monotonic() - start, 3)})
    loading = time.monotonic()
    sources = proposers() if callable(proposers) else proposers
    if not sources:
        return SearchOutcome(base, problem, stats={"depth": 0})
    run = _Run(problem, sources, config, progress, start)
    run.restatements = roots
    run.loading = time.monotonic() - loading
    with until(run.deadline):
        try:
            return run.loop(base)
        except Deadline:  # a source or a matcher stopped at the deadline, deep in its loop
            return run.outcome(base, problem, None, timed_out=True)


EXIT_RESERVE = 0.25  # seconds, at most, the search loop leaves of its budget (``_Run``)


class _Run:
    """The state of one search: frontier, seen clause sets, counters."""

    def __init__(self, problem: Problem, proposers: Sequence[ConstructionProposer],
                 config: SearchConfig, progress: Progress | None, start: float) -> None:
        import numpy as np

        self.problem, self.proposers, self.config = problem, proposers, config
        self.progress = progress
        self.start = start
        # the loop ends a little early (2% of the budget, 0.25 s at most), for what follows
        # it within the budget: the collector's first pass once it is on again
        # (``collector.collector_paused``), then the result's way back to the caller
        self.deadline = (None if config.timeout is None else
                         self.start + config.timeout - min(EXIT_RESERVE, 0.02 * config.timeout))
        self.rng = np.random.default_rng(
            config.seed if config.worker == 0 else [config.seed, config.worker])
        self.frontier: list[tuple[float, int, _Node]] = []
        self.deferred: list[tuple[float, int, _Node]] = []  # expandable, beyond the beam
        self.seen: set[tuple[str, ...]] = {()}
        self.pushed = 0
        self.expanded: Counter[int] = Counter()
        self.tried: Counter[int] = Counter()
        self.trials: dict[str, list[int]] = {}
        self.counts: Counter[str] = Counter()
        self.loading = 0.0  # seconds spent making the sources (loading a model)
        self.dead: set[tuple[str, ...]] = set()  # clause sets not drawable, or timed out
        # nodes tried that saturated without the goal, most recently used last
        self.cache: OrderedDict[tuple[str, ...], _Tried] = OrderedDict()
        self.trajectory: _Tried | None = None  # where the current trajectory stands
        self.root: _Tried | None = None  # the statement, where trajectories start
        # the goal's restatements DD+AR left short (``prove_restated``), and the statements the
        # nodes extend: the problem's, then each restatement's (``_Node.root``)
        self.restatements: list[tuple[Restatement, ProofOutcome]] = []
        self.roots: list[_Tried] = []
        self.singles = 0  # candidates of the statement itself waiting in the frontier
        # candidates drawn for their incidences, shared by the nodes (which place their
        # parent's points where the parent does): ``numeric.draw_remembered``
        self.drawn: dict = {}
        # the candidates of a node, from the sources (``reasoner.node_lists``)
        self.lists = NodeLists(proposers, config, self.counts, self.rng, self.left, start)

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def stats(self, **extra: Any) -> dict[str, Any]:
        workers = self.config.workers
        if workers > 1:
            extra = {"worker": self.config.worker, "workers": workers, **extra}
        return {"tried": sum(self.tried.values()),
                "tried_by_depth": {str(d): n for d, n in sorted(self.tried.items())},
                "expanded": sum(self.expanded.values()), "frontier": len(self.frontier),
                "search_seconds": round(time.monotonic() - self.start, 3),
                "sources_seconds": round(self.loading, 3),
                **({"model_seconds": round(self.lists.model_seconds, 3)}
                   if self.lists.model_seconds else {}),
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

    def loop(self, base: ProofOutcome) -> SearchOutcome:
        """Best-first attempts and trajectory attempts in turn, until a proof, the deadline,
        or nothing is left to try."""
        from symbolic.geometry.errors import GeometryError
        from symbolic.geometry.prover import prove

        self.root = _Tried(self.problem, base, _Node((), ()))
        self.roots = [self.root] + [_Tried(r.problem, out, _Node((), (), root=i))
                                    for i, (r, out) in enumerate(self.restatements, start=1)]
        self.expand(_Node((), ()), self.problem, base)
        rollouts = self.config.trajectory_depth > 0
        idle = 0  # trajectory turns in a row that found nothing new to try
        turn = 0
        while self.frontier or self.deferred or rollouts:
            remaining = self.left()
            if remaining is not None and remaining <= 0:
                return self.outcome(base, self.problem, None, timed_out=True)
            turn += 1
            if rollouts and (not (self.frontier or self.deferred)
                             or turn % 2 == 0 and self.rollouts_due()):
                done = self.rollout_step()
                if isinstance(done, SearchOutcome):
                    return done
                idle = 0 if done else idle + 1
                rollouts = idle < 32
                continue
            if not self.frontier:  # the beam is spent: widen it with the best node left
                cost, _, node = heapq.heappop(self.deferred)
                self.counts["widened"] += 1
                extended = self.problem.with_auxiliary(node.clauses)
                try:  # its closure was not kept: deduce it again (from its parent's)
                    again = prove(extended, self.config.prover(self.budget(), len(node.steps)),
                                  parent=node.parent)
                except GeometryError:
                    continue
                if again.proved:  # drawn anew, it may deduce more than the first time
                    return self.outcome(again, extended, node, cost=round(cost, 3))
                if not again.timed_out:
                    self.expand(node, extended, again, cost)
                continue
            cost, _, node = heapq.heappop(self.frontier)
            if len(node.steps) == 1:
                self.singles -= 1
            got = self.attempt(node)
            if got is None:
                continue
            extended, out, node = got.problem, got.outcome, got.node
            if out.proved:
                return self.outcome(out, extended, node, cost=round(cost, 3))
            depth = len(node.steps)
            if out.timed_out:
                pass
            elif depth < self.config.depth and self.expanded[depth] < self.config.beam:
                self.expand(node, extended, out, cost)
            elif depth < self.config.depth:
                self.pushed += 1
                heapq.heappush(self.deferred, (cost, self.pushed, node))
        return self.outcome(base, self.problem, None, exhausted=True)

    def budget(self) -> float:
        """Seconds for one node's DD+AR run: ``per_candidate``, or what is left if less."""
        remaining = self.left()
        if remaining is None:
            return self.config.per_candidate
        return max(0.0, min(self.config.per_candidate, remaining))

    def rollouts_due(self) -> bool:
        """Trajectories take every other turn once every single candidate was tried, or
        after ``trajectory_after`` of the time budget: a proof with one auxiliary point is
        looked for first."""
        if self.singles <= 0 or self.deadline is None:
            return True
        spent = time.monotonic() - self.start
        return spent >= self.config.trajectory_after * (self.deadline - self.start)

    def attempt(self, node: _Node) -> _Tried | None:
        """Try one node: extend the statement with its clauses, draw and deduce (continuing
        from its parent's closure). A node tried before and still cached is not tried again:
        the cached one comes back (its clauses may be in another order, use its node).
        None when it does not fit or cannot be drawn; neither such a node nor one whose
        deduction ran out of time is tried again."""
        from symbolic.geometry.errors import GeometryError
        from symbolic.geometry.prover import prove

        key = self.key(node)
        if key in self.dead:
            return None
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.move_to_end(key)
            self.counts["reused"] += 1
            return hit
        self.tried[len(node.steps)] += 1
        try:
            extended = self.roots[node.root].problem.with_auxiliary(node.clauses)
            out = prove(extended, self.config.prover(self.budget(), len(node.steps)),
                        parent=node.parent)
        except GeometryError:  # does not fit or cannot be drawn: never try it again
            self.counts["undrawable"] += 1
            self.dead.add(key)
            self.record(node.arms[-1], won=False)
            return None
        if out.incremental:
            self.counts["incremental"] += 1
        self.record(node.arms[-1], won=out.proved)
        if out.proved:
            for a in node.arms[:-1]:  # the nodes on the path helped: count them as won
                self.trials[a][1] += 1
        elif out.timed_out:  # not worth another ``per_candidate`` seconds
            self.counts["candidate_timeouts"] += 1
            self.dead.add(key)
        collect_young()
        tried = _Tried(extended, out, node)
        if not (out.proved or out.timed_out):
            self.cache[key] = tried
            while len(self.cache) > self.config.cache:
                self.cache.popitem(last=False)
        if self.progress is not None:
            self.progress(self.stats())
        return tried

    def rollout_step(self) -> SearchOutcome | bool:
        """One attempt of the current trajectory: sample a candidate on its last node (the
        better a candidate's cost, the likelier), try it, and step into it if it saturated
        without the goal (a new trajectory starts from the statement after ``trajectory_depth``
        steps or a dead end). Steps into nodes tried before cost nothing and do not count.
        The proof if one was found, else whether an attempt was made."""
        for _ in range(64):
            check()
            t = self.trajectory
            if t is None:
                self.counts["trajectories"] += 1
                t = self.trajectory = self.next_root()
            if t.options is None:
                t.options = self.lists.ordered(t.problem, len(t.node.steps), trajectory=True)
                t.weigher = self.weigher(t) if self.config.incidences else None
            cand = incidence_order.draw(t.options, self.config.temperature, self.rng,
                                        t.weigher, self.counts)
            if cand is None:  # nothing left to draw here: start again (at the statement,
                self.trajectory = None  # with all its candidates back)
                if not t.node.steps:
                    t.options = None
                continue
            node = _Node(t.node.steps + (cand,), t.node.arms + (arm(cand),), t.outcome,
                         t.node.root)
            key = self.key(node)
            fresh = key not in self.cache and key not in self.dead
            got = self.attempt(node)
            if got is not None and got.outcome.proved and node.root:
                r = self.restatements[node.root - 1][0]
                checked = with_restatement(got.outcome, r)
                if checked is None:  # not the problem's point after all: never again
                    self.counts["restatement_rejected"] += 1
                    self.dead.add(key)
                    return True
                self.counts["proved_by_trajectory"] += 1
                return self.outcome(checked, got.problem, got.node, restated=r.text())
            if got is not None:
                if got.outcome.proved:
                    self.counts["proved_by_trajectory"] += 1
                    return self.outcome(got.outcome, got.problem, got.node)
                deep = len(got.node.steps) >= self.config.trajectory_depth
                # step in; its untried candidates are shared by every trajectory through it
                self.trajectory = None if got.outcome.timed_out or deep else got
            if fresh:
                return True
        return False

    def key(self, node: _Node) -> tuple[str, ...]:
        """What identifies a node among those tried: its clauses up to order and new names,
        and the statement it extends."""
        key = canonical(node.clauses)
        return key if node.root == 0 else (f"#{node.root}", *key)

    def next_root(self) -> _Tried:
        """Where the next trajectory starts: the statement, or once ``restate_after`` of the
        time budget has passed, every other time one of the goal's restatements in turn."""
        assert self.root is not None, "loop() sets the root"
        n = self.counts["trajectories"]
        if len(self.roots) < 2 or n % 2 or self.deadline is None:
            return self.root
        spent = time.monotonic() - self.start
        if spent < self.config.restate_after * (self.deadline - self.start):
            return self.root
        self.counts["restated_trajectories"] += 1
        return self.roots[1 + (n // 2) % (len(self.roots) - 1)]

    def weigher(self, t: _Tried) -> incidence_order.Weigher | None:
        """HAGeo's filter, made soft (``incidence_order.Weigher``), on the node's diagram."""
        if t.outcome.diagram is None:
            return None
        if len(self.drawn) > 1 << 17:
            self.drawn.clear()
        return incidence_order.Weigher(t.outcome.diagram.coords, self.drawn, self.config.seed)

    def record(self, name: str, won: bool) -> None:
        n = self.trials.setdefault(name, [0, 0])
        n[0] += 1
        n[1] += won

    def expand(self, node: _Node, extended: Problem, outcome: ProofOutcome,
               cost: float = 0.0) -> None:
        """Ask every source for candidates on ``extended`` (whose DD+AR run ended in
        ``outcome``) and push the unseen ones."""
        depth = len(node.steps)
        self.expanded[depth] += 1
        base = cost + (self.config.depth_cost if depth > 0 else 0.0)
        workers, worker = self.config.workers, self.config.worker
        ordered = self.lists.ordered(extended, depth, diagram=outcome.diagram)
        for place, (c_cost, cand) in enumerate(ordered):
            if depth == 0 and place % workers != worker:  # another worker's share
                continue
            if place % 64 == 63:
                check()
            clauses = node.clauses + cand.clauses
            key = canonical(clauses)
            if key in self.seen:
                continue
            self.seen.add(key)
            child = _Node(node.steps + (cand,), node.arms + (arm(cand),), outcome)
            self.singles += depth == 0
            self.pushed += 1
            heapq.heappush(self.frontier, (base + c_cost, self.pushed, child))
