"""Run many instances in forked worker processes, each with a hard timeout.

Each instance runs in its own fresh fork of the one worker runner (``symbolic.runner``; the
parent has imported torch and the verifier but runs no torch work, so forking is safe). A
worker that has not answered ``KILL_GRACE`` seconds after its instance's timeout is killed and
the instance is reported as ``timeout``; one whose resident memory passes ``memory_limit`` is
killed and reported as ``memory``. Results come back in completion order with their index.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from symbolic.runner import Outcome, RunConfig, Task, run
from symbolic.runner import Status as Ended

from .errors import InputError
from .result import Result, Status

KILL_GRACE = 10.0
PRELOAD = ("verify.api",)
"""Imported (with torch) in the parent before forking, so that a fresh fork per instance does
not import torch again (seconds per instance on a loaded machine)."""


@dataclass(frozen=True)
class Instance:
    """One row of an instances.csv: paths (resolved against the root) and the timeout."""

    onnx: Path
    vnnlib: Path
    timeout: float
    onnx_text: str = ""
    vnnlib_text: str = ""


def read_instances(path: str | Path, root: str | Path | None = None) -> list[Instance]:
    """Parse ``onnx,vnnlib,timeout`` rows (no header); paths relative to ``root`` (default:
    the CSV's folder)."""
    path = Path(path)
    base = Path(root) if root else path.parent
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.__class__.__name__})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected onnx,vnnlib,timeout rows)"
                         ) from None
    out = []
    for line_no, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 3:
            raise InputError(f"{path}:{line_no}: expected onnx,vnnlib,timeout; got {len(row)} "
                             "fields")
        onnx, vnnlib, timeout = (f.strip() for f in row)
        try:
            seconds = float(timeout)
        except ValueError:
            raise InputError(f"{path}:{line_no}: timeout {timeout!r} is not a number") from None
        if not seconds > 0:
            raise InputError(f"{path}:{line_no}: timeout {timeout!r} must be a number of "
                             "seconds > 0")
        out.append(Instance(base / onnx, base / vnnlib, seconds, onnx, vnnlib))
    if not out:
        raise InputError(f"{path}: no instances")
    return out


Solver = Callable[[Instance], Result]


def run_instances(instances: list[Instance], solver: Solver, jobs: int = 1,
                  threads: int = 1, memory_limit: int | None = None,
                  cluster: str | None = None) -> Iterator[tuple[int, Result]]:
    """Yield ``(index, Result)`` as instances finish, at most ``jobs`` at a time, each in a
    fresh fork with ``threads`` torch threads and at most ``memory_limit`` bytes of resident
    memory (None: no limit), on the Ray cluster ``cluster`` when given (``symbolic.cluster``:
    each host forks the same fresh worker per instance); ``symbolic.runner.in_order`` puts
    them in input order."""

    def solve(instance: Instance) -> Result:  # in the worker
        start = time.monotonic()
        try:
            return solver(instance)
        except InputError as e:
            return Result(Status.ERROR, time.monotonic() - start, error=str(e))

    config = RunConfig(jobs=jobs, grace=KILL_GRACE, max_tasks=1, quiet=False,
                       memory_limit=memory_limit, initializer=partial(_set_threads, threads),
                       preload=PRELOAD, cluster=cluster)
    tasks = [Task((instance,), instance.timeout) for instance in instances]
    for index, outcome in run(solve, tasks, config):
        yield index, _result(outcome)


def _set_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def _result(outcome: Outcome[Result]) -> Result:
    """The ``Result`` of a runner outcome; never let a crash look like a verdict."""
    if outcome.status is Ended.DONE and outcome.value is not None:
        return outcome.value
    if outcome.status is Ended.TIMEOUT:
        return Result(Status.TIMEOUT, outcome.seconds, error="killed at timeout")
    if outcome.status is Ended.MEMORY:
        return Result(Status.MEMORY, outcome.seconds, error=outcome.message)
    if outcome.status is Ended.DIED:
        return Result(Status.ERROR, outcome.seconds,
                      error=f"worker died (exit code {outcome.exitcode})")
    return Result(Status.ERROR, outcome.seconds, error=f"internal error: {outcome.message}")
