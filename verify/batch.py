"""Run many instances in forked worker processes, each with a hard timeout.

Each instance runs in its own forked child (the parent has imported torch and the verifier but
runs no torch work, so forking is safe); the child reports a ``Result`` through a pipe. A child
that has not answered ``KILL_GRACE`` seconds after its instance's timeout is killed and the
instance is reported as ``timeout``. Results come back in input order.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .errors import InputError
from .result import Result, Status

KILL_GRACE = 10.0


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
        out.append(Instance(base / onnx, base / vnnlib, seconds, onnx, vnnlib))
    if not out:
        raise InputError(f"{path}: no instances")
    return out


Solver = Callable[[Instance], Result]


def _child(conn: Connection, solver: Solver, instance: Instance, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    start = time.monotonic()
    try:
        result = solver(instance)
    except InputError as e:
        result = Result(Status.ERROR, time.monotonic() - start, error=str(e))
    except Exception as e:  # never let a crash look like a verdict
        result = Result(Status.ERROR, time.monotonic() - start,
                        error=f"internal error: {type(e).__name__}: {e}")
    conn.send(result)
    conn.close()


def run_instances(instances: list[Instance], solver: Solver, jobs: int = 1,
                  threads: int = 1) -> Iterator[tuple[int, Result]]:
    """Yield ``(index, Result)`` as instances finish, at most ``jobs`` at a time."""
    ctx = mp.get_context("fork")
    pending = list(enumerate(instances))[::-1]
    running: dict[Connection, tuple[int, mp.Process, float, float]] = {}
    while pending or running:
        while pending and len(running) < jobs:
            index, inst = pending.pop()
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, solver, inst, threads), daemon=True)
            proc.start()
            child.close()
            running[parent] = (index, proc, time.monotonic(), inst.timeout)
        now = time.monotonic()
        limit = min(start + t + KILL_GRACE - now for _, _, start, t in running.values())
        for conn in wait(list(running), timeout=max(limit, 0.01)):
            index, proc, start, _ = running.pop(conn)
            try:
                result = conn.recv()
            except EOFError:
                result = Result(Status.ERROR, time.monotonic() - start,
                                error=f"worker died (exit code {proc.exitcode})")
            proc.join()
            yield index, result
        now = time.monotonic()
        for conn, (index, proc, start, timeout) in list(running.items()):
            if now > start + timeout + KILL_GRACE:
                proc.kill()
                proc.join()
                del running[conn]
                yield index, Result(Status.TIMEOUT, now - start, error="killed at timeout")


def in_order(pairs: Iterator[tuple[int, Result]]) -> Iterator[tuple[int, Result]]:
    """Re-sort streamed ``(index, Result)`` pairs into input order while streaming."""
    held: dict[int, Result] = {}
    nxt = 0
    for index, result in pairs:
        held[index] = result
        while nxt in held:
            yield nxt, held.pop(nxt)
            nxt += 1
