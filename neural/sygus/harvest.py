"""Teacher solutions for train-split files. A teacher solves each file in a forked process
(``symbolic.runner``) under a hard wall-clock limit; every solved file becomes one JSONL record
``{"file", "track", "engine", "status", "seconds", "solution"}`` (``file`` relative to the
benchmark root). Only train-split files are ever read (``splits.split_of``).

With ``cluster`` (a Ray address, ``symbolic.cluster``) the files are solved on that cluster's
workers under the same limits (the files are read by the workers: on several machines, on a
shared file system at the same path) and the records are written here, in the same order;
without ``seconds`` (the solve times, which differ from run to run) the output is the same
bytes as a local run's.

Teachers: ``cvc5`` (PyPI ``cvc5``) and ``neurosym``, our own synthesizer under uniform rule
weights (self-training: its answers show which productions *our* enumerator and its
strategies end up using; every answer has passed its z3 and evaluator checks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from symbolic.runner import RunConfig, Task, in_order, run
from symbolic.runner import Status as Ended

from .splits import split_files, split_of

ENGINES = ("cvc5", "neurosym")
PRELOAD = {"cvc5": ("cvc5",), "neurosym": ("z3", "symbolic.sygus.solver", "symbolic.sygus.kernels")}
"""What each teacher's workers import (and warm up: the kernels are compiled) before forking:
in this process for local workers, in each host's server on a cluster."""


def _ours(path: str, timeout: float) -> str:
    from symbolic.sygus.pcfg import UniformProposer
    from symbolic.sygus.solver import Outcome, SynthConfig, synthesize
    from symbolic.sygus.spec import read_spec

    result = synthesize(read_spec(path), SynthConfig(timeout=timeout,
                                                     proposer=UniformProposer()))
    return (result.text or "") if result.outcome is Outcome.SOLVED else ""


def _solve(path: str, engine: str, timeout: float) -> tuple[str, str]:
    """(status, text) of one file, in the forked worker; a parse error raises."""
    from symbolic.sygus.oracle import cvc5_solve

    text = cvc5_solve(path) if engine == "cvc5" else _ours(path, timeout)
    return ("solved" if "define-fun" in text else "unknown"), text


def solve_all(paths: Sequence[Path], timeout: float, engine: str = "cvc5",
              jobs: int = 1, cluster: str | None = None
              ) -> Iterator[tuple[int, tuple[str, float, str]]]:
    """Each file in a fresh forked process (``symbolic.runner``) under a hard limit, ``jobs`` at
    a time (on the Ray cluster ``cluster`` when given): yields ``(index, (status, seconds,
    text))`` as they finish, status ``solved``, ``unknown``, ``timeout`` or ``error``
    (``text``: the solution, or what went wrong)."""
    # our engine stops itself at ``timeout``; the hard limit leaves it time to answer
    limit = timeout + 2.0 if engine == "neurosym" else timeout
    tasks = [Task((str(path), engine, timeout), limit) for path in paths]
    config = RunConfig(jobs=jobs, grace=0.0, max_tasks=1, quiet=False,
                       preload=PRELOAD.get(engine, ()), cluster=cluster)
    for index, outcome in run(_solve, tasks, config):
        if outcome.status is Ended.DONE and outcome.value is not None:
            status, text = outcome.value
            yield index, (status, outcome.seconds, text)
        elif outcome.status is Ended.RAISED:  # a parse error: report, never hang
            yield index, ("error", outcome.seconds, outcome.message[:200])
        elif outcome.status is Ended.DIED:
            yield index, ("error", outcome.seconds, "died")
        else:
            yield index, ("timeout", limit, "")


def solve_one(path: Path, timeout: float, engine: str = "cvc5") -> tuple[str, float, str]:
    """``solve_all`` of one file."""
    return next(in_order(solve_all([path], timeout, engine)))


def harvest(root: Path, out: Path, per_track: int, timeout: float, jobs: int,
            engine: str = "cvc5", offset: int = 0, cluster: str | None = None,
            seconds: bool = True) -> dict[str, int]:
    """Solve a deterministic sample of ``per_track`` train files per track (skipping the
    first ``offset`` of each track's sample order), on the Ray cluster ``cluster`` when given
    (``symbolic.cluster.ClusterError`` if it cannot be used); write solved records to ``out``,
    with each solve's ``seconds`` unless told not to. Returns solved counts per track."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "cvc5" and cluster is None:
        import cvc5  # noqa: F401  (a missing teacher fails here, not in every worker)
    todo = [(t, f) for t, files in split_files(root, "train", per_track, offset=offset).items()
            for f in files]
    assert all(split_of(f) == "train" for _, f in todo)
    results = list(in_order(solve_all([root / f for _, f in todo], timeout, engine,
                                      max(1, jobs), cluster)))
    solved: dict[str, int] = {}
    with out.open("w") as fh:
        for (track, rel), (status, took, text) in zip(todo, results):
            solved.setdefault(track, 0)
            if status != "solved":
                continue
            solved[track] += 1
            record = {"file": rel, "track": track, "engine": engine, "status": status,
                      "seconds": round(took, 3), "solution": text}
            if not seconds:
                del record["seconds"]
            fh.write(json.dumps(record) + "\n")
    return solved
