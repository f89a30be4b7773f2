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
*auxiliary constructions*. The example is spelled canonically (``neural.canonical``: points
renamed ``a, b, c, ...`` statement first, AlphaGeometry's training format, the one spelling
of it up to point renaming, independent clause order and symmetric arguments), so examples
are deduplicated up to renaming and symmetry, before the costly check. Each is rebuilt from
its typed clauses (``make_problem``, ``Problem.with_auxiliary``: checked as the parser checks
a problem line) and re-proved (``prove``: a fresh diagram, DD+AR, and the replay check
``check_proof`` on an independent diagram), and, with ``require_needed`` (the default), DD+AR
must fail to prove the statement alone on a fresh diagram; so every example carries a checked
proof (``neural.examples``).

Sequences that need auxiliary points are rare among random ones and cluster, so ``generate``
draws most sequences as variants of sequences that gave new examples (``mutate``), each
continuing its parent's drawing and closures of the clauses they share; fresh sequences
share a first part with the last wholly random one likewise (``neural.generator``). A run
starts with parents taken from a pool of earlier runs' examples (``neural.pool``: the shipped
pool by default, ``--parents FILE|DIR`` for others, ``--parents none`` for a cold start), so
it does not first spend tens of CPU seconds finding a productive sequence.

Deterministic for a seed: each attempt draws its own generator from the one passed in, so a
time limit hit in one attempt drops only that attempt's examples. A held-back ``eval`` split
chosen by a hash of the text (independent of the seed). ``--shard-dir`` writes shards with a
manifest and resumes a stopped run where it stopped (``neural.shards``).

    python -m neural.data --count 100 --seed 0 --out data.jsonl
    python -m neural.data --count 100000 --seed 0 --shard-dir data/ --shard-size 1000
    python -m neural.data --count 1000 --seed 1 --parents data/ --out more.jsonl
    python -m neural.data --count 1000 --aux heuristic --mix hageo_dev.txt --out olympiad.jsonl

``--aux heuristic`` takes the auxiliary constructions from the heuristic source's candidates
instead of the sequence's own clauses (``neural.heuristic_aux``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symbolic.geometry.errors import GeometryError
from symbolic.geometry.problem import Problem, read_problems

from .examples import (  # noqa: F401  (re-exported: the generator's public names)
    AUX_SOURCES,
    DataConfig,
    Drawn,
    Example,
    Outcome,
    attempt,
    check_example,
    split_of,
)
from .generator import Search, generate  # noqa: F401
from .pool import DEFAULT, merged, pool_digest, read_pool, seed_search
from .sequences import (  # noqa: F401
    BASES,
    LOCI,
    POOL,
    Mix,
    mix_of,
    mutate,
    sample_clause,
    sample_clauses,
)

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
    ap.add_argument("--aux", choices=AUX_SOURCES, default=DataConfig.aux,
                    help="where auxiliary constructions come from: 'traced', a random "
                         "sequence's own later clauses that a goal's proof needs (default), or "
                         "'heuristic', the heuristic source's candidates that complete a proof "
                         "of a fact the statement's closure leaves open (neural.heuristic_aux: "
                         "olympiad-like kinds of auxiliary points; no variants or parents)")
    ap.add_argument("--aux-candidates", type=int, default=DataConfig.aux_candidates,
                    help="with --aux heuristic: candidates tried per statement "
                         "(default: %(default)s)")
    ap.add_argument("--similar-only", type=float, default=DataConfig.similar_only,
                    metavar="SHARE",
                    help="with --aux heuristic: share of the statements whose only open facts "
                         "are similar-triangle pairs that are still tried (their candidates "
                         "seldom prove anything new; default: %(default)s)")
    ap.add_argument("--eval-permille", type=int, default=DataConfig.eval_permille)
    ap.add_argument("--mutate-probability", type=float, default=None,
                    help="share of sequences drawn as variants of sequences that gave new "
                         "examples (0: every sequence fresh; default: "
                         f"{DataConfig.mutate_probability}, 0 with --allow-unneeded)")
    ap.add_argument("--parents", metavar="PATH", action="append",
                    help="start from parents taken from earlier runs' examples: a JSON-lines "
                         "file (.gz too) or a shard directory, repeatable (neural.pool; "
                         "default: the shipped pool, neural/weights/data_parents.jsonl.gz; "
                         "'none': a cold start; no pool with --allow-unneeded)")
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

    count = _share(args, job)[0]
    progress = _Progress(count, quiet, resumes=True)
    directory = Path(args.shard_dir) if args.jobs == 1 else \
        Path(args.shard_dir) / f"worker-{job}"
    n = write_shards(directory, count, args.shard_size,
                     config_key(config, args.seed, job, args.jobs,
                                pool_digest(args.pool) if args.pool else None),
                     lambda: _search(args, config, job), deadline, progress=progress)
    progress.end()
    return n - count  # 0: the worker's share is there


def _search(args: argparse.Namespace, config: DataConfig, job: int) -> Search:
    """Worker ``job``'s search before its first attempt: its seed, and parents from the
    pool (``args.pool``, read by ``main``) where there is one."""
    return seed_search(Search(_share(args, job)[1], config), getattr(args, "pool", ()))


# seconds between progress lines when stderr is not a terminal (a log file: one line each
# time, instead of rewriting one line after every sequence)
LOG_EVERY = 30.0


class _Progress:
    """A worker's progress on stderr: one line rewritten after every sequence on a
    terminal, a line every ``LOG_EVERY`` seconds and a last one at the end otherwise. With
    ``resumes``, the first call says where a resumed shard directory starts, and the rate
    counts only the examples found since."""

    def __init__(self, count: int, quiet: bool, resumes: bool = False) -> None:
        self.count, self.quiet, self.tty = count, quiet, sys.stderr.isatty()
        self.start = self.last = time.monotonic()
        self.text = ""
        self.base: int | None = None if resumes else 0

    def __call__(self, n: int, attempts: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if self.base is None:
            self.base = n
            if n:
                print(f"resuming at {n} examples, {attempts} sequences", file=sys.stderr,
                      flush=True)
            return
        self.text = (f"{n}/{self.count} examples, {attempts} sequences, "
                     f"{(n - self.base) / max(now - self.start, 1e-9) * 60:.1f}/min")
        if self.tty:
            print(f"\r{self.text}", end="", file=sys.stderr, flush=True)
        elif now - self.last >= LOG_EVERY:
            self.last = now
            print(f"{self.text} ({now - self.start:.0f} s)", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.quiet or not self.text:
            return
        if self.tty:
            print(file=sys.stderr)
        else:
            print(f"{self.text} ({time.monotonic() - self.start:.0f} s, done)",
                  file=sys.stderr, flush=True)


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
    count = _share(args, job)[0]
    search = _search(args, config, job)
    progress = _Progress(count, quiet)
    yield from generate(count, search.rng, config, progress, deadline=deadline, search=search)
    progress.end()


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
    if args.aux_candidates < 1:
        print("error: --aux-candidates must be at least 1", file=sys.stderr)
        return 2
    if not 0 <= args.similar_only <= 1:
        print("error: --similar-only must be between 0 and 1", file=sys.stderr)
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
                                            or args.aux == "heuristic"
                                            else DataConfig.mutate_probability),
                        require_needed=not args.allow_unneeded, mix=mix,
                        aux=args.aux, aux_candidates=args.aux_candidates,
                        similar_only=args.similar_only,
                        **_unneeded_limits(args.allow_unneeded))
    if args.aux == "heuristic" and args.parents:
        print("error: --parents are sequences to draw variants of; --aux heuristic draws "
              "every statement fresh", file=sys.stderr)
        return 2
    paths = args.parents or ([] if args.allow_unneeded or args.aux == "heuristic"
                             else [str(DEFAULT)])
    args.pool = []
    for path in (p for p in paths if p != "none"):
        try:
            args.pool = merged(args.pool, read_pool(path))
        except (OSError, ValueError) as e:
            print(f"error: --parents {path}: {e}", file=sys.stderr)
            return 2
    if args.pool:
        print(f"parents from {', '.join(paths)}: {len(args.pool)} examples", file=sys.stderr)
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    if args.jobs == 1 and not args.cluster:
        from .shards import ShardError
        try:
            n = _worker(args, config, 0, args.out, deadline, False)
        except ShardError as e:
            print(f"\nerror: {e}", file=sys.stderr)
            return 2
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
    return _merge(args, found)


def _merge(args: argparse.Namespace, found: list[list[str]]) -> int:
    """Write the workers' JSON lines to ``args.out`` in worker order, deduplicated (their
    texts are canonical, so up to renaming); the exit code."""
    seen: set[str] = set()
    n = 0
    with open(args.out, "w", encoding="utf-8") as f:
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
