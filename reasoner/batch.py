"""Run many problems in worker processes with a hard per-problem timeout.

How the timeout works: the engine gets ``SolveConfig.timeout`` as a cooperative budget and
normally stops by itself. Each problem runs in a worker process; if no answer has come back
``KILL_GRACE`` seconds after its budget, the parent kills that worker (SIGKILL), reports the
problem as ``timeout`` and forks a fresh worker, so a runaway search can never hang a batch.
An answer that arrives later than the budget is reported as ``timeout`` too.

Workers are forked from the parent (``fork`` start method, Linux/macOS), so the modules the
parent imported (numpy, lark, the engine) and its cached tables come for free: starting a
worker costs milliseconds, not the seconds a fresh interpreter takes to import them. Each worker
runs at most ``max_tasks`` problems before it is replaced, which keeps memory in check. The
parent must not run threads while a batch is running (forking a threaded process is unsafe);
progress callbacks run in the parent's only thread.

Results come out in completion order (the order problems finish); each carries the
``index`` of its input through ``run_batch``'s ``(index, Result)`` pairs, and ``in_order``
re-sorts them into input order while still streaming.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from .api import SolveConfig
from .result import Result, Status

KILL_GRACE = 0.5
"""Seconds past the budget a worker is given to report its own timeout before it is killed."""

PRELOAD = ("reasoner.api", "symbolic.geometry.problem", "symbolic.geometry.prover",
           "symbolic.geometry.numeric")
"""Modules imported in the parent before forking, so that workers share them."""


Solver = Callable[..., Result]
Progress = Callable[[int, int, Result], None]


@dataclass(frozen=True)
class WorkItem:
    """One problem to solve, or the input error that stands in its place.

    ``problem`` is what the solver takes (a parsed ``Problem`` or its text); when ``error`` is
    set the item is reported as an ``error`` result at once and never reaches a worker.
    """

    name: str
    file: str
    domain: str = "geometry"
    problem: Any = None
    error: str | None = None


def error_result(item: WorkItem, message: str, seconds: float = 0.0) -> Result:
    """The ``error`` result of an item that could not be read or solved."""
    return Result(item.name, item.file, item.domain, Status.ERROR, seconds, error=message)


def run_batch(items: Iterable[WorkItem], config: SolveConfig | None = None, *, jobs: int = 1,
              progress: Progress | None = None, solver: Solver | None = None,
              max_tasks: int = 25) -> Iterator[tuple[int, Result]]:
    """Solve every item, ``jobs`` at a time, each in a worker with a hard timeout.

    Yields ``(index, result)`` in completion order, one per input item, ``index`` being the
    item's position in ``items``. ``progress(done, total, result)`` is called after each.
    ``solver`` defaults to ``reasoner.api.solve`` and is called as
    ``solver(problem, name=..., file=..., config=config)`` in the worker.
    """
    items = list(items)
    config = config or SolveConfig()
    done = 0
    for index, result in _run(items, config, max(1, jobs), solver, max(1, max_tasks)):
        done += 1
        if progress is not None:
            progress(done, len(items), result)
        yield index, result


def in_order(pairs: Iterable[tuple[int, Result]]) -> Iterator[Result]:
    """Re-order ``(index, result)`` pairs into input order, yielding each as soon as it can."""
    held: dict[int, Result] = {}
    next_index = 0
    for index, result in pairs:
        held[index] = result
        while next_index in held:
            yield held.pop(next_index)
            next_index += 1


def _run(items: list[WorkItem], config: SolveConfig, jobs: int, solver: Solver | None,
         max_tasks: int) -> Iterator[tuple[int, Result]]:
    queue: list[tuple[int, WorkItem]] = []
    for index, item in enumerate(items):
        if item.error is not None:
            yield index, error_result(item, item.error)
        else:
            queue.append((index, item))
    if not queue:
        return
    queue.reverse()  # pop() from the end takes them in input order
    from .domains import by_name

    # more modules for the domains of the batch (``Domain.preload``); a module's ``warm_up()``
    # (e.g. loading compiled numba kernels) runs too
    _preload(tuple(m for d in sorted({i.domain for _, i in queue})
                   for m in by_name(d).preload))
    pool = _Pool(min(jobs, len(queue)), config, solver, max_tasks)
    try:
        while queue or pool.busy():
            while queue and pool.idle():
                pool.submit(*queue.pop())
            yield from pool.collect()
    finally:
        pool.close()


# ---------------------------------------------------------------- the pool (parent side)


@dataclass
class _Task:
    index: int
    item: WorkItem
    started: float


class _Worker:
    """A forked worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any, config: SolveConfig, solver: Solver | None,
                 siblings: list[Connection]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, daemon=True,
            args=(child, config, solver, siblings + [self.conn], os.getpid()))
        self.process.start()
        child.close()
        self.task: _Task | None = None
        self.tasks_run = 0

    def submit(self, index: int, item: WorkItem) -> None:
        self.task = _Task(index, item, time.monotonic())
        self.tasks_run += 1
        self.conn.send((index, item))

    def stop(self, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(timeout=None if kill else 1.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class _Pool:
    """``jobs`` worker slots; a slot's worker is replaced when killed, dead or worn out."""

    def __init__(self, jobs: int, config: SolveConfig, solver: Solver | None,
                 max_tasks: int) -> None:
        _preload()
        self.ctx = mp.get_context("fork")
        self.config = config
        self.solver = solver
        self.max_tasks = max_tasks
        self.budget = config.timeout
        self.workers: list[_Worker | None] = [None] * jobs

    def busy(self) -> bool:
        return any(w is not None and w.task is not None for w in self.workers)

    def idle(self) -> bool:
        return any(w is None or w.task is None for w in self.workers)

    def submit(self, index: int, item: WorkItem) -> None:
        slot = next(k for k, w in enumerate(self.workers) if w is None or w.task is None)
        worker = self.workers[slot]
        if worker is None:
            siblings = [w.conn for w in self.workers if w is not None]
            worker = self.workers[slot] = _Worker(self.ctx, self.config, self.solver, siblings)
        worker.submit(index, item)

    def collect(self) -> Iterator[tuple[int, Result]]:
        """Wait for at least one answer, death or deadline; yield what finished."""
        busy = [w for w in self.workers if w is not None and w.task is not None]
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waitables, timeout=self._wait_time(busy)))
        now = time.monotonic()
        for worker in busy:
            if worker.conn in ready or worker.process.sentinel in ready:
                yield self._finish(worker)
            elif self._deadline(worker.task) <= now:
                yield self._kill(worker, now)

    def close(self) -> None:
        for slot, worker in enumerate(self.workers):
            if worker is not None:
                worker.stop(kill=worker.task is not None)
                self.workers[slot] = None

    def _deadline(self, task: _Task | None) -> float:
        if task is None or self.budget is None:
            return float("inf")
        return task.started + self.budget + KILL_GRACE

    def _wait_time(self, busy: list[_Worker]) -> float | None:
        deadline = min(self._deadline(w.task) for w in busy)
        return None if deadline == float("inf") else max(0.0, deadline - time.monotonic())

    def _finish(self, worker: _Worker) -> tuple[int, Result]:
        task = worker.task
        assert task is not None
        try:
            index, result = worker.conn.recv()
        except (EOFError, OSError):
            return task.index, self._died(worker, task)
        worker.task = None
        if worker.tasks_run >= self.max_tasks:
            self._replace(worker, kill=False)
        return index, self._enforce_budget(result)

    def _died(self, worker: _Worker, task: _Task) -> Result:
        worker.process.join()
        code = worker.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        self._replace(worker, kill=True)
        seconds = time.monotonic() - task.started
        return error_result(task.item, f"worker process died ({how})", seconds)

    def _kill(self, worker: _Worker, now: float) -> tuple[int, Result]:
        task = worker.task
        assert task is not None
        self._replace(worker, kill=True)
        item = task.item
        return task.index, Result(item.name, item.file, item.domain, Status.TIMEOUT,
                                  now - task.started, stats={"killed": True})

    def _replace(self, worker: _Worker, kill: bool) -> None:
        slot = self.workers.index(worker)
        self.workers[slot] = None
        worker.stop(kill=kill)

    def _enforce_budget(self, result: Result) -> Result:
        late = self.budget is not None and result.seconds > self.budget
        if not late or result.status in (Status.TIMEOUT, Status.ERROR):
            return result
        return replace(result, status=Status.TIMEOUT, steps=None, proof_text=None, proof=None,
                       solution=None)


def _preload(names: tuple[str, ...] = PRELOAD) -> None:
    """Import the engine in the parent so that forked workers share it; a missing module is
    left for the worker to report as the problem's error."""
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        warm_up = getattr(module, "warm_up", None)
        if callable(warm_up):
            warm_up()


# ---------------------------------------------------------------- the worker (child side)


def _worker_main(conn: Connection, config: SolveConfig, solver: Solver | None,
                 inherited: list[Connection], parent: int) -> None:
    """Serve ``(index, item)`` requests until ``None`` or the parent goes away."""
    for other in inherited:  # the parent's ends of every pipe: keep only our own end open
        other.close()
    _detach_from_parent_terminal()
    if os.getppid() != parent:  # the parent died before we asked to die with it
        return
    if solver is None:
        from .api import solve as solver
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        index, item = request
        conn.send((index, _solve_one(solver, item, config)))


def _solve_one(solver: Solver, item: WorkItem, config: SolveConfig) -> Result:
    start = time.perf_counter()
    try:
        return solver(item.problem, name=item.name, file=item.file, config=config)
    except Exception as e:  # an engine bug must not take the batch down
        return error_result(item, f"internal error: {type(e).__name__}: {e}",
                            time.perf_counter() - start)


def _detach_from_parent_terminal() -> None:
    """Leave Ctrl-C to the parent, keep stdout clean for the parent's output, die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(os.devnull, "w")  # lives as long as the process
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
