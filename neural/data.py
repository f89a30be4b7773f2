"""Synthetic training data: (problem, auxiliary construction) pairs found by our own prover.

One *attempt* draws a construction sequence (a triangle, then clauses whose constructions come
from the definition table with arguments among the existing points), draws the diagram
(``build_diagram``; degenerate draws are skipped) and runs DD+AR on each prefix of the
sequence, each closure continuing the one before (``neural.traceback.prefix_closures``).
Goals are statements on the points of a prefix that the whole sequence's closure proves and
that prefix's closure does not (``needed_goals``: facts the closure recorded and statements the
diagram shows numerically), so they need a later point. Each goal's proof is traced back
(``trace``, AlphaGeometry's dependency difference with minimal premises): the clauses that
construct the goal's points form the *statement*, the other clauses the proof uses are the
*auxiliary constructions*. The statement clauses in their order, then the auxiliary clauses,
points renamed ``a, b, c, ...`` in that order (AlphaGeometry's training format;
``Clause.rename``), make the example. Each is rebuilt from its typed clauses (``make_problem``,
``Problem.with_auxiliary``: checked as the parser checks a problem line) and re-proved
(``prove``: a fresh diagram, DD+AR, and the replay check ``check_proof`` on an independent
diagram), and, with ``require_needed`` (the default), DD+AR must fail to prove the statement
alone on a fresh diagram; so every example carries a checked proof.

Sequences that need auxiliary points are rare among random ones and cluster, so ``generate``
draws most sequences as variants of sequences that gave new examples (``mutate``).

Deterministic for a seed: each attempt draws its own generator from the one passed in, so a
time limit hit in one attempt drops only that attempt's examples. Deduplicated by problem text;
a held-back ``eval`` split chosen by a hash of the text (independent of the seed).

    python -m neural.data --count 100 --seed 0 --out data.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symbolic.geometry.dd import DDARConfig, DDARRun, saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.facts import Fact
from symbolic.geometry.predicates import COLL
from symbolic.geometry.problem import (
    Clause,
    Problem,
    make_problem,
    read_problems,
)
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.tables import Atom

from .canonical import canonical
from .sequences import (  # noqa: F401  (re-exported: the generator's public names)
    BASES,
    LOCI,
    POOL,
    Mix,
    mix_of,
    mutate,
    sample_clause,
    sample_clauses,
)
from .traceback import (
    needed_goals,
    prefix_closures,
    recorded_goals,
    statement_of,
    trace,
)


@dataclass(frozen=True)
class DataConfig:
    """Sizes and limits of the generator (all deterministic except the time limits, which
    only ever drop an attempt's examples)."""

    min_clauses: int = 4          # clauses after the base triangle
    max_clauses: int = 8
    pair_probability: float = 0.3  # a clause intersecting two loci
    early_inputs: float = 0.0      # bias of a construction's inputs towards early points
    goals_per_diagram: int = 64    # goals traced back per diagram
    goals_per_split: int = 2       # examples kept per (statement, auxiliary clauses) of a diagram
    checks_per_diagram: int = 16   # examples re-proved per diagram (the costly part)
    mutate_probability: float = 0.8  # an attempt draws a variant of a productive sequence
    mutations: int = 30            # variants drawn of each productive sequence
    max_depth: int = 4             # variants of variants, at most
    family_variants: int = 150     # variants descending from one fresh sequence, at most
    trunk_uses: int = 8            # fresh sequences keeping first clauses of a fresh one
    fresh_earlier: bool = False    # fresh sequences seek goals needing an earlier clause too
    min_steps: int = 2             # shortest proof kept
    max_levels: int = 16
    saturate_seconds: float = 6.0
    prove_seconds: float = 6.0
    eval_permille: int = 50        # share of the held-back split, per thousand
    require_needed: bool = True    # drop pairs whose statement DD+AR proves without the aux
    mix: Mix | None = None         # constructions drawn (None: POOL, LOCI and BASES above)


@dataclass(frozen=True)
class Example:
    """One training pair as text: statement clauses, auxiliary clauses, goal, the checked
    proof's length and rules (table ids and AR/structural step kinds, in order of first use),
    the split, and the whole problem in AlphaGeometry's language (auxiliary clauses last)."""

    name: str
    statement: tuple[str, ...]
    auxiliary: tuple[str, ...]
    goal: str
    proof_length: int
    rules: tuple[str, ...]
    split: str
    problem: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def split_of(text: str, eval_permille: int) -> str:
    h = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return "eval" if h % 1000 < eval_permille else "train"


# ------------------------------------------------------------------ goals


def _goals(problem: Problem, runs: Sequence[DDARRun], coords: dict,
           rng: np.random.Generator, config: DataConfig, fresh: bool = False) -> list[Fact]:
    """The goals to trace back, in a random order, at most ``goals_per_diagram``: with
    ``require_needed``, those that need a later point on this diagram (``needed_goals``);
    without, every derived fact a clause is left out of the statement of."""
    if config.require_needed:
        cands = needed_goals(problem, runs, coords, DDARConfig(
            config.max_levels, time.monotonic() + config.saturate_seconds),
            earlier=config.fresh_earlier or not fresh)
    else:
        n = len(problem.clauses)
        cands = [f for f in recorded_goals(runs[-1].state)
                 if len(statement_of(f, problem)) < n]
    order = rng.permutation(len(cands))[:config.goals_per_diagram]
    return [cands[i] for i in order]


def attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None = None,
            clauses: Sequence[Clause] | None = None) -> list[Example]:
    """One construction sequence (``clauses``, or a random one), its closures, and the
    checked examples found in it (those checked before ``deadline``, a ``time.monotonic()``
    value)."""
    return [ex for ex, _ in _attempt(rng, config, deadline, clauses).found]


@dataclass(frozen=True)
class Drawn:
    """A sequence's diagram (``coords``) and its prefixes' closures (``runs``, as
    ``prefix_closures`` gives them): a variant that keeps the first ``k`` clauses starts from
    the first ``k`` of them instead of drawing and saturating those clauses again."""

    coords: dict
    runs: tuple[DDARRun, ...]

    def prefix(self, clauses: Sequence[Clause], k: int) -> Drawn:
        """The drawing and closures of the first ``k`` of ``clauses`` (the sequence drawn)."""
        pts = {p for c in clauses[:k] for p in c.points}
        return Drawn({p: xy for p, xy in self.coords.items() if p in pts}, self.runs[:k])


@dataclass(frozen=True)
class Outcome:
    """What an attempt found (each example with the clauses, indices, its statement and
    auxiliary constructions come from) and what it drew (None: nothing to start from)."""

    found: list[tuple[Example, tuple[int, ...]]]
    drawn: Drawn | None = None


def _draw(problem: Problem, rng: np.random.Generator, config: DataConfig,
          start: Drawn | None) -> Drawn | None:
    """The problem drawn and its prefixes saturated (the whole sequence only, without
    ``require_needed``), continuing ``start`` (a drawing and the closures of its first
    clauses) where given and drawable; None for a degenerate sequence or a closure out of
    time (a partial closure would depend on the machine's speed)."""
    from symbolic.geometry.numeric import Diagram, build_diagram, extend_diagram

    k = len(start.runs) if start is not None and config.require_needed else 0
    try:
        if start is not None and k:
            try:
                coords = extend_diagram(Diagram(start.coords, 1), problem, k, rng).coords
            except GeometryError:  # not drawable on the parent's diagram: draw it all anew
                k = 0
        if not k:
            coords = build_diagram(problem, rng, max_tries=10, check_goal=False).coords
    except GeometryError:
        return None
    ddar = DDARConfig(config.max_levels, time.monotonic() + config.saturate_seconds)
    if config.require_needed:
        runs = prefix_closures(problem, coords, ddar, start.runs[:k] if start else ())
    else:  # goals come from the whole closure alone: the prefixes' would go unread
        whole = saturate(problem, coords, ddar)
        runs = None if whole.timed_out else [whole]
    return None if runs is None else Drawn(coords, tuple(runs))


def _attempt(rng: np.random.Generator, config: DataConfig, deadline: float | None,
             clauses: Sequence[Clause] | None, known: set[str] | None = None,
             start: Drawn | None = None, fresh: bool = False) -> Outcome:
    """``attempt``'s examples and drawing, starting from ``start`` (the drawing of a prefix
    of ``clauses``) where given. Examples whose canonical text (``neural.canonical``) is in
    ``known`` are not checked again; the texts of those checked are added to it, kept or
    not. A ``fresh`` sequence (not a variant) seeks only goals that need a later point
    unless ``fresh_earlier``."""
    if clauses is None:
        clauses = sample_clauses(rng, config)
    try:
        problem = make_problem("synthetic", clauses, Atom(COLL, ("a", "b", "c")))
    except GeometryError:
        return Outcome([])
    drawn = _draw(problem, rng, config, start)
    if drawn is None:
        return Outcome([])
    runs = drawn.runs
    state = runs[-1].state
    goals = _goals(problem, runs, drawn.coords, rng, config, fresh)
    seed = int(rng.integers(2**31))
    out = []
    checks = 0
    per_split: Counter[tuple] = Counter()  # examples per (statement, aux) and (statement, goal)
    for goal in goals:
        if checks >= config.checks_per_diagram or (deadline is not None
                                                   and time.monotonic() > deadline):
            break
        split = trace(problem, state, goal)
        if not split.auxiliary:
            continue
        try:
            stated, aux, atom = canonical(*split.clauses(problem))
        except (GeometryError, ValueError):
            continue
        by_aux, by_goal = (stated, aux), (stated, atom)
        if per_split[by_aux] >= config.goals_per_split or per_split[by_goal]:
            continue
        text = "; ".join(map(str, stated + aux)) + " ? " + str(atom)
        if known is not None:
            if text in known:
                continue
            known.add(text)
        try:
            statement = make_problem("synthetic", stated, atom)
        except GeometryError:
            continue
        checks += 1
        ex = check_example(statement, aux, seed, config)
        if ex is not None:
            out.append((ex, split.statement + split.auxiliary))
            per_split[by_aux] += 1
            per_split[by_goal] += 1
    return Outcome(out, drawn if config.require_needed else None)


def check_example(statement: Problem, aux: Sequence[Clause], seed: int,
                  config: DataConfig) -> Example | None:
    """Re-prove the statement extended with ``aux`` (``Problem.with_auxiliary``) and, with
    ``require_needed``, fail to prove the statement alone; the example, or None."""
    try:
        problem = statement.with_auxiliary(aux)
        outcome = prove(problem, ProverConfig(seed=seed, timeout=config.prove_seconds,
                                              max_levels=config.max_levels))
    except GeometryError:
        return None
    if not outcome.proved or outcome.proof is None:
        return None
    proof = outcome.proof
    if len(proof.steps) < config.min_steps or not proof.auxiliary_points:
        return None
    if config.require_needed:
        try:
            bare = prove(statement, ProverConfig(seed=seed, timeout=config.prove_seconds,
                                                 max_levels=config.max_levels))
        except GeometryError:
            return None
        if bare.proved or bare.timed_out:
            return None  # the auxiliary clauses are not needed (or we cannot tell)
    rules = tuple(dict.fromkeys(s.derivation.rule for s in proof.steps))
    text = problem.text()
    name = "syn_" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return Example(name, tuple(map(str, statement.clauses)), tuple(map(str, aux)),
                   str(statement.goal), len(proof.steps), rules,
                   split_of(text, config.eval_permille), text)


@dataclass
class _Parent:
    """A sequence that gave new examples, kept to draw variants of (``mutate``)."""

    clauses: tuple[Clause, ...]
    used: tuple[int, ...]  # the clauses its new examples state or construct aux points with
    depth: int        # variants between it and a fresh random sequence
    tries_left: int
    family: int       # the attempt that drew the fresh sequence it descends from
    drawn: Drawn | None = None  # its drawing and closures, for variants to start from


def _shared(a: Sequence[Clause], b: Sequence[Clause]) -> int:
    """How many first clauses ``a`` and ``b`` share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@dataclass
class Search:
    """The generator's state between attempts (``generate``): its random generator, the
    productive sequences it draws variants of, the variants left to each family, the
    canonical texts of the examples it has checked (``known``), and its counts. An attempt
    that ran to its end leaves a state to resume from (``neural.shards``)."""

    rng: np.random.Generator
    config: DataConfig
    parents: list[_Parent] = dataclasses.field(default_factory=list)
    family_left: dict[int, int] = dataclasses.field(default_factory=dict)
    known: set[str] = dataclasses.field(default_factory=set)
    seen: set[str] = dataclasses.field(default_factory=set)
    attempts: int = 0
    trunk: _Trunk | None = None

    def step(self, deadline: float | None = None) -> list[Example]:
        """One attempt: a variant of a parent (with probability ``mutate_probability``) or
        a fresh sequence; its new examples."""
        config = self.config
        sub = np.random.default_rng(int(self.rng.integers(2**63)))
        self.attempts += 1
        depth, family, start = 0, self.attempts, None
        if self.parents and sub.random() < config.mutate_probability:
            j = int(sub.integers(len(self.parents)))
            parent = self.parents[j]
            clauses = mutate(parent.clauses, parent.used, sub, config)
            depth, family = parent.depth + 1, parent.family
            if parent.drawn is not None:
                start = parent.drawn.prefix(parent.clauses, _shared(parent.clauses, clauses))
            parent.tries_left -= 1
            self.family_left[family] -= 1
            if self.family_left[family] <= 0:
                self.parents = [p for p in self.parents if p.family != family]
            elif parent.tries_left <= 0:
                self.parents.pop(j)
        else:
            clauses, start = self._fresh(sub)
        outcome = _attempt(sub, config, deadline, clauses, self.known, start,
                           fresh=depth == 0)
        if start is None and depth == 0 and outcome.drawn is not None \
                and config.require_needed and config.trunk_uses:
            self.trunk = _Trunk(tuple(clauses), outcome.drawn, config.trunk_uses)
        used: set[int] = set()
        new = []
        for ex, clause_ids in outcome.found:
            if ex.problem not in self.seen:
                self.seen.add(ex.problem)
                used.update(clause_ids)
                new.append(ex)
        self.family_left.setdefault(family, config.family_variants)
        if used and depth < config.max_depth and config.mutations \
                and self.family_left[family] > 0:
            self.parents.append(_Parent(tuple(clauses), tuple(sorted(used)), depth,
                                        config.mutations, family, outcome.drawn))
        return new

    def _fresh(self, rng: np.random.Generator) -> tuple[list[Clause], Drawn | None]:
        """A fresh sequence: after a wholly random one (the *trunk*), ``trunk_uses`` keep its
        base and first clauses (at least one, not all) and draw the others anew, starting
        from its drawing and closures of the clauses kept."""
        t = self.trunk
        if t is None or t.left <= 0 or len(t.clauses) < 3:
            return sample_clauses(rng, self.config), None
        t.left -= 1
        k = int(rng.integers(2, len(t.clauses)))
        return sample_clauses(rng, self.config, t.clauses[:k]), t.drawn.prefix(t.clauses, k)


@dataclass
class _Trunk:
    """The last wholly random sequence, drawn and saturated, and how many fresh sequences
    may still start from it."""

    clauses: tuple[Clause, ...]
    drawn: Drawn
    left: int


def generate(count: int, rng: np.random.Generator, config: DataConfig | None = None,
             progress=None, max_attempts: int | None = None,
             deadline: float | None = None, search: Search | None = None
             ) -> Iterator[Example]:
    """Up to ``count`` distinct examples (distinct canonical texts, ``neural.canonical``).
    ``progress(n, attempts)`` is called after each attempt; ``max_attempts`` bounds the work
    (default 2000 * count), ``deadline`` (a ``time.monotonic()`` value) the time; ``search``:
    a state to continue from (then ``rng`` and ``config`` are its own).

    Sequences that need auxiliary points are rare (about one random sequence in 500 with
    DD+AR's closures today) and cluster: a variant of one is one again about a third of the
    time. So a sequence that gave new examples becomes a *parent*: with probability
    ``mutate_probability`` an attempt draws a variant of a parent (``mutate``) instead of a
    fresh sequence, starting from the parent's drawing and closures of the clauses they
    share; each parent gives ``mutations`` variants, productive variants become parents up
    to ``max_depth`` variants from a fresh sequence, and all those descending from one fresh
    sequence (a family, one kind of configuration) number ``family_variants`` at most, so
    that no family fills the data. (Without ``require_needed`` productive sequences are
    common and a variant mostly repeats its parent's examples: the CLI then draws every
    sequence fresh.)"""
    search = search or Search(rng, config or DataConfig())
    limit = max_attempts if max_attempts is not None else 2000 * max(count, 1)
    n = 0
    while n < count and search.attempts < limit and (deadline is None
                                                     or time.monotonic() < deadline):
        for ex in search.step(deadline)[:count - n]:
            n += 1
            yield ex
        if progress is not None:
            progress(n, search.attempts)


# ------------------------------------------------------------------ CLI


def _unneeded_limits(allow_unneeded: bool) -> dict[str, Any]:
    """With ``--allow-unneeded`` every traced goal is cheap to check (no failed proof of the
    statement alone), so the per-diagram caps that keep needed-mode runs varied would only
    throw examples away: each diagram checks all its goals, as many per split as it has."""
    if not allow_unneeded:
        return {}
    n = DataConfig.goals_per_diagram
    return {"checks_per_diagram": n, "goals_per_split": n}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m neural.data", description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, required=True, help="number of examples")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="output JSON-lines file (required without --shard-dir)")
    ap.add_argument("--shard-dir", metavar="DIR",
                    help="write the examples to DIR in shards with a manifest, resuming what "
                         "DIR holds (worker i of --jobs N writes DIR/worker-i); the same "
                         "shards for a seed however often the run is stopped and restarted")
    ap.add_argument("--shard-size", type=int, default=1000,
                    help="examples per shard (default: %(default)s)")
    ap.add_argument("--min-clauses", type=int, default=DataConfig.min_clauses,
                    help="fewest clauses after the base (default: %(default)s)")
    ap.add_argument("--max-clauses", type=int, default=DataConfig.max_clauses,
                    help="most clauses after the base (default: %(default)s)")
    ap.add_argument("--mix", metavar="FILE",
                    help="draw constructions as often as the problems of FILE (a problem "
                         "file, e.g. an olympiad set) use them, instead of the built-in "
                         "JGEX-like mix")
    ap.add_argument("--eval-permille", type=int, default=DataConfig.eval_permille)
    ap.add_argument("--mutate-probability", type=float, default=None,
                    help="share of sequences drawn as variants of sequences that gave new "
                         "examples (0: every sequence fresh; default: "
                         f"{DataConfig.mutate_probability}, 0 with --allow-unneeded)")
    ap.add_argument("--allow-unneeded", action="store_true",
                    help="keep pairs whose statement DD+AR proves without the auxiliary clauses "
                         "(much faster; weaker data)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="worker processes; worker i draws from seed (SEED, i), so the output "
                         "is deterministic for a given SEED and JOBS when no time limit is hit")
    ap.add_argument("--cluster", metavar="ADDRESS",
                    help="run the workers on a Ray cluster (local, auto or HOST:PORT; pip install "
                         "'neurosym[cluster]'): the same data as locally for a SEED and JOBS, "
                         "written by this process")
    ap.add_argument("--seconds", type=float, default=None,
                    help="stop after this many seconds with what has been found (each example "
                         "is written as soon as it is checked)")
    return ap.parse_args(argv)


def _worker(args: argparse.Namespace, config: DataConfig, job: int, path: str,
            deadline: float | None, quiet: bool) -> int:
    """Write up to ``args.count // args.jobs`` (+1 for the first ``count % jobs``) examples
    (to ``path``, or to the worker's shard directory)."""
    if args.shard_dir:
        return _shard_worker(args, config, job, deadline, quiet)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for ex in _examples(args, config, job, deadline, quiet):
            f.write(json.dumps(ex.to_json()) + "\n")
            f.flush()
            n += 1
    return n


def _share(args: argparse.Namespace, job: int) -> tuple[int, np.random.Generator]:
    """Worker ``job``'s count and random generator (seed (SEED, job) with several)."""
    count = args.count // args.jobs + (job < args.count % args.jobs)
    rng = np.random.default_rng([args.seed, job]) if args.jobs > 1 else \
        np.random.default_rng(args.seed)
    return count, rng


def _shard_worker(args: argparse.Namespace, config: DataConfig, job: int,
                  deadline: float | None, quiet: bool) -> int:
    from .shards import config_key, write_shards

    count, rng = _share(args, job)
    directory = Path(args.shard_dir) if args.jobs == 1 else \
        Path(args.shard_dir) / f"worker-{job}"
    n = write_shards(directory, count, args.shard_size,
                     config_key(config, args.seed, job, args.jobs),
                     lambda: Search(rng, config), deadline, progress=_progress(count, quiet))
    return n - count  # 0: the worker's share is there


def _progress(count: int, quiet: bool):
    start = time.monotonic()

    def progress(n: int, attempts: int) -> None:
        if quiet:
            return
        rate = n / max(time.monotonic() - start, 1e-9) * 60
        print(f"\r{n}/{count} examples, {attempts} sequences, {rate:.1f}/min",
              end="", file=sys.stderr, flush=True)
    return progress


def _cluster_worker(args: argparse.Namespace, config: DataConfig, job: int,
                    seconds: float | None) -> list[str]:
    """``_worker`` on a cluster node: the examples' JSON lines come back to the driver (the
    node need not share its files); the time limit starts when the worker does."""
    deadline = None if seconds is None else time.monotonic() + seconds
    return [json.dumps(ex.to_json()) + "\n"
            for ex in _examples(args, config, job, deadline, True)]


def _examples(args: argparse.Namespace, config: DataConfig, job: int, deadline: float | None,
              quiet: bool) -> Iterator[Example]:
    """Worker ``job``'s share of the examples, from its own seed (SEED, job)."""
    count, rng = _share(args, job)
    yield from generate(count, rng, config, _progress(count, quiet), deadline=deadline)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.jobs < 1 or args.count < 1:
        print("error: --jobs and --count must be at least 1", file=sys.stderr)
        return 2
    if not args.out and not args.shard_dir or args.shard_size < 1:
        print("error: give --out or --shard-dir (with --shard-size at least 1)",
              file=sys.stderr)
        return 2
    if args.shard_dir and args.cluster:
        print("error: --shard-dir runs on this machine only (no --cluster)", file=sys.stderr)
        return 2
    if not 0 <= args.min_clauses <= args.max_clauses:
        print("error: need 0 <= --min-clauses <= --max-clauses", file=sys.stderr)
        return 2
    mix = None
    if args.mix:
        try:
            mix = mix_of([p for p in read_problems(args.mix) if isinstance(p, Problem)])
        except (GeometryError, OSError, ValueError) as e:
            print(f"error: --mix {args.mix}: {e}", file=sys.stderr)
            return 2
        print(f"mix of {args.mix}: {mix.describe()}", file=sys.stderr)
    config = DataConfig(min_clauses=args.min_clauses, max_clauses=args.max_clauses,
                        eval_permille=args.eval_permille,
                        mutate_probability=(args.mutate_probability
                                            if args.mutate_probability is not None
                                            else 0.0 if args.allow_unneeded
                                            else DataConfig.mutate_probability),
                        require_needed=not args.allow_unneeded, mix=mix,
                        **_unneeded_limits(args.allow_unneeded))
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    if args.jobs == 1 and not args.cluster:
        from .shards import ShardError
        try:
            n = _worker(args, config, 0, args.out, deadline, False)
        except ShardError as e:
            print(f"\nerror: {e}", file=sys.stderr)
            return 2
        print(file=sys.stderr)
        return 0 if (n == 0 if args.shard_dir else n == args.count) else 1
    from symbolic.cluster import ClusterError
    from symbolic.runner import RunConfig, Task, run
    from symbolic.runner import Status as Ended

    parts = [f"{args.out}.part{j}" for j in range(args.jobs)]
    if args.cluster:
        fn: Any = _cluster_worker
        tasks = [Task((args, config, j, args.seconds)) for j in range(args.jobs)]
    else:
        fn = _worker
        tasks = [Task((args, config, j, parts[j], deadline, True)) for j in range(args.jobs)]
    try:
        outcomes = dict(run(fn, tasks, RunConfig(jobs=args.jobs, quiet=False,
                                                 cluster=args.cluster)))
    except ClusterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = [(j, o) for j, o in sorted(outcomes.items()) if o.status is not Ended.DONE]
    for j, outcome in failed:
        print(f"error: worker {j} {outcome.status.value}: {outcome.message}", file=sys.stderr)
    if failed:
        return 1
    if args.shard_dir:  # each worker wrote its own shards
        short = [j for j in range(args.jobs) if outcomes[j].value]
        print(f"shards in {args.shard_dir}/worker-*; workers short of their share: "
              f"{short or 'none'}", file=sys.stderr)
        return 1 if short else 0
    if args.cluster:
        found = [outcomes[j].value or [] for j in range(args.jobs)]
    else:
        found = [Path(part).read_text(encoding="utf-8").splitlines(keepends=True)
                 for part in parts]
        for part in parts:
            Path(part).unlink()
    seen: set[str] = set()
    n = 0
    with open(args.out, "w", encoding="utf-8") as f:  # merge in worker order, deduplicated
        for lines in found:
            for line in lines:
                text = json.loads(line)["problem"]
                if text not in seen:
                    seen.add(text)
                    f.write(line)
                    n += 1
    print(f"{n} examples ({sum(map(len, found))} found by {args.jobs} workers, duplicates "
          f"dropped) -> {args.out}", file=sys.stderr)
    return 0 if n == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
