"""Synthetic training data: (problem, auxiliary construction) pairs found by our own prover.

One *attempt* draws a random construction sequence (a triangle, then clauses whose constructions
come from the definition table with arguments among the existing points), draws the diagram
(``build_diagram``; degenerate draws are skipped), runs DD+AR to closure (``saturate``), picks
derived facts as goals and traces their proofs back (``extract_proof``). The goal's points and
the clauses they depend on form the *statement*; clauses the proof uses beyond those are the
*auxiliary constructions*. Pairs with at least one auxiliary clause, whose statement DD+AR
cannot prove without them (``require_needed``), are kept: the statement
clauses in their order, then the auxiliary clauses, points renamed ``a, b, c, ...`` in that
order (AlphaGeometry's training format; ``Clause.rename``). Each kept problem is rebuilt from
its typed clauses (``make_problem``, ``Problem.with_auxiliary``: checked as the parser checks a
problem line) and re-proved (``prove``: a fresh diagram, DD+AR, and the replay check
``check_proof`` on an independent diagram), so every example carries a checked proof.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symbolic.geometry.dd import DDARConfig, saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.facts import Fact, Rules
from symbolic.geometry.predicates import COLL
from symbolic.geometry.problem import (
    Clause,
    Problem,
    Step,
    canonical_names,
    make_problem,
    read_problems,
)
from symbolic.geometry.proof import extract_proof
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.tables import Atom, definitions

# Constructions drawn for a clause of their own, with weights (roughly their frequency in the
# JGEX and IMO sets), and the one-point loci that may be intersected in a two-construction clause.
POOL: dict[str, float] = {
    "on_line": 4, "midpoint": 4, "foot": 4, "circle": 2, "on_tline": 2, "on_pline": 2,
    "on_circle": 2, "angle_bisector": 1.5, "mirror": 1.5, "orthocenter": 1, "incenter": 1,
    "on_bline": 1, "intersection_ll": 1.5, "reflect": 1, "parallelogram": 1, "on_dia": 1,
    "psquare": 0.5, "eq_triangle": 0.5, "shift": 0.5, "on_circum": 1, "intersection_lc": 0.5,
}
LOCI = ("on_line", "on_tline", "on_pline", "on_circle", "on_bline", "on_dia")
BASES = ("triangle", "triangle", "triangle", "r_triangle", "iso_triangle")
GOALS = ("coll", "para", "perp", "cong", "cyclic", "midp", "eqangle", "eqratio",
         "simtri", "simtri2", "contri", "contri2")


@dataclass(frozen=True)
class Mix:
    """Which constructions random sequences draw, with weights: ``bases`` make the first
    points (three new points, no inputs), ``pool`` a clause of one construction, ``loci`` the
    two steps of a clause that intersects two loci (drawn with ``pair_probability``)."""

    bases: tuple[tuple[str, float], ...]
    pool: tuple[tuple[str, float], ...]
    loci: tuple[tuple[str, float], ...]
    pair_probability: float

    def describe(self, top: int = 8) -> str:
        def head(items: tuple[tuple[str, float], ...]) -> str:
            best = sorted(items, key=lambda kv: -kv[1])[:top]
            return ", ".join(f"{n} {w:g}" for n, w in best)
        return (f"bases: {head(self.bases)}; one construction: {head(self.pool)}; two loci "
                f"({self.pair_probability:.0%} of clauses): {head(self.loci)}")


def mix_of(problems: Sequence[Problem]) -> Mix:
    """The construction mix of a set of problems (e.g. an olympiad benchmark's): how often
    each construction the generator can draw makes a base, a clause alone, or one of two
    intersected loci. Constructions with numeric arguments, several new points after the
    base, or no inputs are left out (the generator cannot choose their arguments)."""
    from collections import Counter

    bases: Counter[str] = Counter()
    pool: Counter[str] = Counter()
    loci: Counter[str] = Counter()
    pairs = singles = 0
    for problem in problems:
        for i, clause in enumerate(problem.clauses):
            cons = [s.construction for s in clause.steps]
            if i == 0:
                if (len(cons) == 1 and len(cons[0].new_points) == 3 and not cons[0].inputs
                        and not cons[0].numeric_args):
                    bases[cons[0].name] += 1
                continue
            usable = [c for c in cons if len(c.new_points) == 1 and c.inputs
                      and not c.numeric_args]
            if len(usable) != len(cons):
                continue
            if len(cons) == 1:
                pool[cons[0].name] += 1
                singles += 1
            elif len(cons) == 2:
                loci.update(c.name for c in cons)
                pairs += 1
    if not bases or not pool or len(loci) < 2:
        raise ValueError("too few usable constructions to make a mix (need a three-point "
                         "base, one-construction clauses and two kinds of loci)")
    return Mix(tuple(sorted(bases.items())), tuple(sorted(pool.items())),
               tuple(sorted(loci.items())), pairs / (pairs + singles))


@dataclass(frozen=True)
class DataConfig:
    """Sizes and limits of the generator (all deterministic except the time limits, which
    only ever drop an attempt's examples)."""

    min_clauses: int = 4          # clauses after the base triangle
    max_clauses: int = 8
    pair_probability: float = 0.3  # a clause intersecting two loci
    goals_per_diagram: int = 64    # derived facts tried as goals per diagram
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


# ------------------------------------------------------------------ sampling sequences


def _step(name: str, point: str, existing: list[str], rng: np.random.Generator) -> Step | None:
    c = definitions()[name]
    if len(c.inputs) > len(existing) or c.numeric_args or len(c.new_points) != 1:
        return None
    chosen = rng.choice(len(existing), size=len(c.inputs), replace=False)
    binding = dict(zip(c.inputs, (existing[i] for i in chosen)))
    binding[c.new_points[0]] = point
    return Step(c, tuple(binding[a] for a in c.args))


def sample_clauses(rng: np.random.Generator, config: DataConfig) -> list[Clause]:
    """A random construction sequence (unchecked clauses) over points a, b, c, ...
    Without a mix the draws are the ones the shipped data were made with (uniform bases and
    loci), so a seed gives the same data as before."""
    names = canonical_names(3 + config.max_clauses)
    mix = config.mix
    if mix is None:
        base = BASES[int(rng.integers(len(BASES)))]
    else:
        base = _draw(mix.bases, rng)
    clauses = [Clause(("a", "b", "c"), (Step.of(base, "a", "b", "c"),))]
    pool = list(POOL) if mix is None else [n for n, _ in mix.pool]
    weights = np.array([POOL[n] for n in pool] if mix is None else [w for _, w in mix.pool],
                       dtype=float)
    weights /= weights.sum()
    pair_probability = config.pair_probability if mix is None else mix.pair_probability
    n = int(rng.integers(config.min_clauses, config.max_clauses + 1))
    for _ in range(n):
        existing = [p for c in clauses for p in c.points]
        point = names[len(existing)]
        if rng.random() < pair_probability:
            if mix is None:
                two = rng.choice(len(LOCI), size=2, replace=False)
                steps = [_step(LOCI[i], point, existing, rng) for i in two]
            else:
                w = np.array([x for _, x in mix.loci], dtype=float)
                two = rng.choice(len(mix.loci), size=2, replace=False, p=w / w.sum())
                steps = [_step(mix.loci[i][0], point, existing, rng) for i in two]
        else:
            steps = [_step(pool[int(rng.choice(len(pool), p=weights))], point, existing, rng)]
        if any(s is None for s in steps):
            continue
        clauses.append(Clause((point,), tuple(s for s in steps if s is not None)))
    return clauses


def _draw(items: tuple[tuple[str, float], ...], rng: np.random.Generator) -> str:
    w = np.array([x for _, x in items], dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))][0]


# ------------------------------------------------------------------ goals and traceback


def _closure(start: set[int], deps: list[set[int]]) -> set[int]:
    out, todo = set(), list(start)
    while todo:
        i = todo.pop()
        if i not in out:
            out.add(i)
            todo.extend(deps[i] - out)
    return out


def _pairs(problem: Problem, state, goals: Sequence[Fact],
           keep: Callable[[tuple[Clause, ...], Atom], bool] | None = None
           ) -> Iterator[tuple[tuple[Clause, ...], tuple[Clause, ...], Atom]]:
    """(statement clauses, auxiliary clauses, goal) for each goal whose proof needs aux points,
    renamed ``a, b, c, ...`` in that order. The statement is known before the proof (the
    clauses the goal's points depend on): ``keep(statement, goal)`` may drop a goal before its
    proof is traced back, the costly part."""
    clause_of = {p: i for i, c in enumerate(problem.clauses) for p in c.points}
    deps = [{clause_of[a] for s in c.steps for a in s.args if a in clause_of} - {i}
            for i, c in enumerate(problem.clauses)]
    step_clause = {str(s): i for i, c in enumerate(problem.clauses) for s in c.steps}
    for goal in goals:
        stated = _closure({clause_of[p] for p in goal.points if p in clause_of} | {0}, deps)
        if len(stated) == len(problem.clauses):
            continue  # no clause is left to be auxiliary
        if keep is not None:
            pts = [p for i in sorted(stated) for p in problem.clauses[i].points]
            mapping = dict(zip(pts, canonical_names(len(pts))))
            if not keep(tuple(problem.clauses[i].rename(mapping) for i in sorted(stated)),
                        Atom(goal.pred, goal.args).rename(mapping)):
                continue
        pg = dataclasses.replace(problem, goal=Atom(goal.pred, goal.args))
        proof = extract_proof(pg, state, goal)
        mentioned = {goal} | {f for f, _ in proof.given} | {s.conclusion for s in proof.steps}
        need = {clause_of[p] for f in mentioned for p in f.points if p in clause_of}
        need |= {step_clause[c] for _, c in proof.given if c in step_clause}
        aux = _closure(need | stated, deps) - stated
        if not aux:
            continue
        order = sorted(stated) + sorted(aux)
        pts = [p for i in order for p in problem.clauses[i].points]
        mapping = dict(zip(pts, canonical_names(len(pts))))
        renamed = tuple(problem.clauses[i].rename(mapping) for i in order)
        yield (renamed[:len(stated)], renamed[len(stated):],
               Atom(goal.pred, goal.args).rename(mapping))


def _goal_candidates(state, rng: np.random.Generator, k: int) -> list[Fact]:
    cands = sorted(f for f, d in state.facts.items()
                   if d.rule != Rules.GIVEN and f.pred.name in GOALS
                   and not f.pred.degenerate(f.args))
    if len(cands) > k:
        cands = [cands[i] for i in sorted(rng.choice(len(cands), size=k, replace=False))]
    return cands


def attempt(rng: np.random.Generator, config: DataConfig,
            deadline: float | None = None) -> list[Example]:
    """One random sequence, its closure, and the checked examples found in it (those checked
    before ``deadline``, a ``time.monotonic()`` value)."""
    from symbolic.geometry.numeric import build_diagram

    clauses = sample_clauses(rng, config)
    try:
        problem = make_problem("synthetic", clauses, Atom(COLL, ("a", "b", "c")))
        diagram = build_diagram(problem, rng, max_tries=10, check_goal=False)
    except GeometryError:
        return []  # degenerate or undrawable sequence
    run = saturate(problem, diagram.coords, DDARConfig(
        config.max_levels, time.monotonic() + config.saturate_seconds))
    if run.timed_out:
        return []  # a partial closure would depend on the machine's speed
    out = []
    goals = _goal_candidates(run.state, rng, config.goals_per_diagram)
    seed = int(rng.integers(2**31))
    closures: dict[tuple[Clause, ...], Any] = {}

    def needs_more(stated: tuple[Clause, ...], goal: Atom) -> bool:
        """Whether DD+AR's closure of the statement alone misses the goal: tested before the
        proof is traced back, one closure per statement instead of one proof per goal."""
        if deadline is not None and time.monotonic() > deadline:
            return False
        try:
            statement = make_problem("synthetic", stated, goal)
        except GeometryError:
            return False
        return not _statement_proves(statement, seed, config, closures)

    keep = needs_more if config.require_needed else None
    for stated, aux, goal in _pairs(problem, run.state, goals, keep):
        if deadline is not None and time.monotonic() > deadline:
            break
        try:
            statement = make_problem("synthetic", stated, goal)
        except GeometryError:
            continue
        ex = check_example(statement, aux, seed, config)
        if ex is not None:
            out.append(ex)
    return out


def _statement_proves(statement: Problem, seed: int, config: DataConfig,
                      closures: dict[tuple[Clause, ...], Any]) -> bool:
    """Whether DD+AR's closure of ``statement`` alone holds its goal (True also when the
    statement cannot be drawn or saturated in time: such pairs are dropped). The closure is
    computed once per statement (its clauses) and kept in ``closures``."""
    from symbolic.geometry.dd import goal_fact
    from symbolic.geometry.numeric import build_diagram

    key = statement.clauses
    if key not in closures:
        closures[key] = None
        try:
            diagram = build_diagram(statement, np.random.default_rng(seed), max_tries=10,
                                    check_goal=False)
            # a goal that is false (a b c is the base triangle), so saturation runs to the end
            bare = dataclasses.replace(statement, goal=Atom(COLL, ("a", "b", "c")))
            run = saturate(bare, diagram.coords, DDARConfig(
                config.max_levels, time.monotonic() + config.saturate_seconds))
            if not run.timed_out:
                closures[key] = run.state
        except GeometryError:
            pass
    state = closures[key]
    if state is None:
        return True
    return goal_fact(state, statement.goal) is not None


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


def generate(count: int, rng: np.random.Generator, config: DataConfig | None = None,
             progress=None, max_attempts: int | None = None,
             deadline: float | None = None) -> Iterator[Example]:
    """Up to ``count`` distinct examples (distinct problem texts). ``progress(n, attempts)``
    is called after each attempt; ``max_attempts`` bounds the work (default 2000 * count),
    ``deadline`` (a ``time.monotonic()`` value) the time."""
    config = config or DataConfig()
    seen: set[str] = set()
    attempts = 0
    limit = max_attempts if max_attempts is not None else 2000 * max(count, 1)
    while len(seen) < count and attempts < limit and (deadline is None
                                                      or time.monotonic() < deadline):
        sub = np.random.default_rng(int(rng.integers(2**63)))
        attempts += 1
        for ex in attempt(sub, config, deadline):
            if ex.problem in seen or len(seen) >= count:
                continue
            seen.add(ex.problem)
            yield ex
        if progress is not None:
            progress(len(seen), attempts)


# ------------------------------------------------------------------ CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m neural.data", description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, required=True, help="number of examples")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="output JSON-lines file")
    ap.add_argument("--min-clauses", type=int, default=DataConfig.min_clauses,
                    help="fewest clauses after the base (default: %(default)s)")
    ap.add_argument("--max-clauses", type=int, default=DataConfig.max_clauses,
                    help="most clauses after the base (default: %(default)s)")
    ap.add_argument("--mix", metavar="FILE",
                    help="draw constructions as often as the problems of FILE (a problem "
                         "file, e.g. an olympiad set) use them, instead of the built-in "
                         "JGEX-like mix")
    ap.add_argument("--eval-permille", type=int, default=DataConfig.eval_permille)
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
    """Write up to ``args.count // args.jobs`` (+1 for the first ``count % jobs``) examples."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for ex in _examples(args, config, job, deadline, quiet):
            f.write(json.dumps(ex.to_json()) + "\n")
            f.flush()
            n += 1
    return n


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
    count = args.count // args.jobs + (job < args.count % args.jobs)
    rng = np.random.default_rng([args.seed, job]) if args.jobs > 1 else \
        np.random.default_rng(args.seed)
    start = time.monotonic()

    def progress(n: int, attempts: int) -> None:
        if quiet:
            return
        rate = n / max(time.monotonic() - start, 1e-9) * 60
        print(f"\r{n}/{count} examples, {attempts} sequences, {rate:.1f}/min",
              end="", file=sys.stderr, flush=True)

    yield from generate(count, rng, config, progress, deadline=deadline)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.jobs < 1 or args.count < 1:
        print("error: --jobs and --count must be at least 1", file=sys.stderr)
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
                        require_needed=not args.allow_unneeded, mix=mix)
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    if args.jobs == 1 and not args.cluster:
        n = _worker(args, config, 0, args.out, deadline, False)
        print(file=sys.stderr)
        return 0 if n == args.count else 1
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
