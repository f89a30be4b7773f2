"""The one worker runner: run a function on many tasks in forked workers with hard limits.

Every forked or time-limited run of the repository (batch solving, verification, benches, data
generation, harvests) goes through ``run``. Each task is ``fn(*task.args)`` in a worker
process; the caller gets one typed ``Outcome`` per task, never an exception:

- ``done``: the call returned (``value``);
- ``raised``: the call raised (``message`` is ``"Type: text"``); a ``MemoryError`` under
  ``RunConfig.address_space_limit`` lands here too;
- ``timeout``: no answer ``grace`` seconds after the task's ``limit``, so the worker was killed
  (SIGKILL: also a worker stuck in C code, in z3, numba or torch) and replaced;
- ``memory``: the worker's own memory passed ``RunConfig.memory_limit``, so it was killed
  and replaced (``message``: ``"exceeded the memory limit of 2 GiB"``);
- ``died``: the worker went away by itself (``message`` ``"signal 9"`` or ``"exit code 3"``);
- ``cancelled``: the caller cancelled it (``run``'s ``cancelled``) before it ended: taken off
  the queue, or its worker killed (SIGKILL) and replaced.

The memory limit is watched by the parent, not set inside the worker: while it waits for
answers it reads the private resident memory of every busy worker (``Private_Clean`` +
``Private_Dirty`` of ``/proc/PID/smaps_rollup``, Linux; the RSS where that file is missing)
every ``memory_poll`` seconds and kills one that is past the limit. Pages the worker still
shares with the parent (the modules and models it inherited) are not its own and are not
counted: a parent that preloaded torch or a model would otherwise start every worker near the
limit; a page the worker writes to becomes its own.
An address-space limit (``RLIMIT_AS``) is no substitute: forked workers inherit the parent's
mappings (torch, numba and LLVM reserve gigabytes of address space that is never resident),
so a plain one either kills every task or none. A task that allocates faster than the polling
can pass the limit by what it allocates in one poll interval before it is killed. A worker left
above half the limit after a task is replaced before its next one, so that memory an earlier
task left behind (allocator caches, loaded models) is not charged to a later one.

Workers are forked from the parent (``fork`` start method, Linux/macOS), so the modules the
parent imported (``RunConfig.preload``, whose ``warm_up()`` runs first) come for free: starting a
worker costs milliseconds. ``fn`` and ``initializer`` reach the workers through the fork (they
need not pickle); task arguments and return values go through a pipe (they must). A worker runs
at most ``max_tasks`` tasks before it is replaced (1: a fresh fork per task). Workers ignore
Ctrl-C (it is the parent's to handle), die with the parent (``PR_SET_PDEATHSIG`` on Linux) and,
with ``quiet``, write their stdout to /dev/null so that the parent's output stays clean. A task
may itself call ``run`` (nested limited tasks, e.g. a cross-check under its own limit). The
parent must not run other threads while it forks; the progress callback runs in its thread.

Outcomes come out in completion order as ``(index, outcome)``, ``index`` being the task's
position in the input; ``in_order`` re-sorts any such stream into input order while streaming.

Backends: the local process pool below, and a Ray cluster (``symbolic.cluster``) when
``RunConfig.cluster`` names one: the same ``(fn, tasks, config) -> (index, outcome)`` contract,
the same limits and outcomes (each cluster host runs this pool with one worker); tasks whose
host is lost are run again up to ``RunConfig.retries`` times. On a cluster, ``fn`` and
``initializer`` travel by cloudpickle (a closure works) instead of through the fork.
"""

from __future__ import annotations

import ctypes
import enum
import importlib
import mmap
import multiprocessing as mp
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Container, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Status(enum.Enum):
    """How a task ended."""

    DONE = "done"
    TIMEOUT = "timeout"  # killed at its limit (+ grace)
    DIED = "died"  # the worker went away by itself
    RAISED = "raised"  # the call raised an exception
    MEMORY = "memory"  # killed: its own memory passed the limit
    CANCELLED = "cancelled"  # the caller cancelled it (``run(..., cancelled=)``)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The end of one task: ``value`` when ``done``; ``message`` otherwise (the exception as
    ``"Type: text"``, or how the worker died); ``exitcode`` of a dead worker (negative: the
    signal, as in ``multiprocessing``). ``seconds``: the call's own time when it answered, else
    the time from hand-over to the kill or death. ``wall``: the seconds from hand-over to the
    outcome as the runner saw them (``seconds`` plus the runner's overhead: pipes, scheduling,
    the cluster's network)."""

    status: Status
    seconds: float
    value: T | None = None
    message: str = ""
    exitcode: int | None = None
    wall: float | None = None


@dataclass(frozen=True)
class Task:
    """``fn(*args)`` with a hard ``limit`` in seconds (``None``: no limit)."""

    args: tuple[Any, ...] = ()
    limit: float | None = None


@dataclass(frozen=True)
class RunConfig:
    """How tasks run: ``jobs`` workers at a time; a task is killed ``grace`` seconds after its
    limit; a worker runs ``max_tasks`` tasks at most; ``memory_limit`` bytes of a worker's own
    resident memory (not shared with the parent; watched every ``memory_poll`` seconds, Linux;
    ``None``: no limit); ``address_space_limit`` bytes of address space (``RLIMIT_AS`` set in
    the worker, all it inherited included, so that a task gets a ``MemoryError``; ``None``: no
    limit);
    ``quiet`` sends the workers' stdout to /dev/null; ``initializer()`` runs once in each new
    worker; ``preload`` names modules imported in the parent before forking and warmed up
    there (their ``warm_up()``); a module that loads its compiled code by itself once it has
    been used enough (``TIERED = True``, the geometry kernels) is warmed up only with
    ``warm_up``: that pays off when several tasks share it, while one task loads only what it
    uses;
    ``cluster``: a Ray address (``local``, ``auto``, ``HOST:PORT``) to run on instead of the
    local pool (None), where a task whose worker is lost with its node runs again on another
    at most ``retries`` times."""

    jobs: int = 1
    grace: float = 0.5
    max_tasks: int = 25
    memory_limit: int | None = None
    memory_poll: float = 0.05
    address_space_limit: int | None = None
    quiet: bool = True
    initializer: Callable[[], None] | None = None
    preload: tuple[str, ...] = ()
    warm_up: bool = True
    cluster: str | None = None
    retries: int = 2


Progress = Callable[[int, int, Outcome[Any]], None]


def run(fn: Callable[..., T], tasks: Iterable[Task], config: RunConfig | None = None, *,
        progress: Progress | None = None, cancelled: Container[int] | None = None
        ) -> Generator[tuple[int, Outcome[T]], None, None]:
    """Run ``fn(*task.args)`` for every task; yield ``(index, outcome)`` in completion order,
    one per task. ``progress(done, total, outcome)`` is called after each. Closing the
    generator early kills the busy workers. With ``config.cluster`` the tasks run on that Ray
    cluster (``symbolic.cluster.ClusterError`` when it cannot be used).

    ``cancelled``: task indices the caller may add to (a ``set``) while it consumes the
    outcomes, e.g. the other tries of a problem one task has just solved: before it waits
    again, the runner takes each such task that has not ended off the queue, or kills its
    worker (on a cluster, its host), and yields it as ``cancelled``."""
    tasks = list(tasks)
    config = config or RunConfig()
    if not tasks:
        return
    done = 0
    if config.cluster is not None:
        from .cluster import run_cluster

        backend = run_cluster(fn, tasks, config, cancelled)
    else:
        backend = _run_local(fn, tasks, config, cancelled)
    for index, outcome in backend:
        done += 1
        if progress is not None:
            progress(done, len(tasks), outcome)
        yield index, outcome


def in_order(pairs: Iterable[tuple[int, T]]) -> Iterator[T]:
    """Re-order ``(index, item)`` pairs (indices 0..n-1) into input order, yielding each item
    as soon as every earlier one has come."""
    held: dict[int, T] = {}
    next_index = 0
    for index, item in pairs:
        held[index] = item
        while next_index in held:
            yield held.pop(next_index)
            next_index += 1


def preload(names: Iterable[str], warm: bool = True) -> None:
    """Import modules in the parent so that forked workers share them, and run each one's
    ``warm_up()`` (e.g. loading compiled numba kernels), a ``TIERED`` module's only with
    ``warm``; a missing module is skipped, left for the task that needs it to report."""
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        warm_up = getattr(module, "warm_up", None)
        if callable(warm_up) and (warm or not getattr(module, "TIERED", False)):
            warm_up()


# ---------------------------------------------------------------- memory sizes


_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)
NO_LIMIT = ("0", "none", "off", "unlimited")
MEMORY_LIMIT = 4 << 30
"""The default per-worker memory limit of the command-line tools (``--memory-limit``): 4 GiB,
2.5 times the largest worker measured on normal runs (a geometry search with the neural
source, 1.5 GB after 60 s; ACAS Xu verification 0.4 GB, a CIFAR network 0.7 GB)."""


def parse_size(text: str) -> int | None:
    """A memory size such as ``2G``, ``500M``, ``1.5GiB`` or ``64MB`` in bytes (binary units:
    K, M, G, T are powers of 1024); ``0``, ``none``, ``off`` or ``unlimited``: None (no limit).
    Raises ``ValueError`` with a one-line message for anything else, a bare number other than
    0 included (bytes or megabytes? say which)."""
    if text.strip().lower() in NO_LIMIT:
        return None
    match = _SIZE.fullmatch(text)
    if match is None or not match.group(2):
        raise ValueError(f"expected a size such as 2G or 500M (K, M, G, T), or 0 or none for "
                         f"no limit, got {text!r}")
    value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value <= 0:
        raise ValueError(f"expected a size > 0 such as 2G or 500M, or 0 or none for no limit, "
                         f"got {text!r}")
    return value


def format_size(size: int) -> str:
    """``2 GiB``, ``1.5 GiB``, ``500 MiB``: the size in its largest binary unit, one decimal."""
    for unit, name in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= unit:
            return f"{round(size / unit, 1):g} {name}"
    return f"{size} B"




def resident(pid: int) -> int | None:
    """The resident memory (RSS) of process ``pid`` in bytes; None where it cannot be read
    (the process is gone, or the system has no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * mmap.PAGESIZE
    except (OSError, IndexError, ValueError):
        return None


def private_memory(pid: int) -> int | None:
    """The resident memory process ``pid`` does not share (``Private_Clean`` +
    ``Private_Dirty`` in ``/proc/PID/smaps_rollup``) in bytes; its RSS where that file is
    missing (Linux before 4.14); None where neither can be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            total = 0
            for line in f:
                if line.startswith((b"Private_Clean:", b"Private_Dirty:")):
                    total += int(line.split()[1]) << 10  # kB
            return total
    except FileNotFoundError:
        return resident(pid)
    except (OSError, IndexError, ValueError):
        return None


def private_above(pid: int, limit: float) -> bool:
    """Whether the private resident memory of process ``pid`` (``private_memory``) is over
    ``limit``. Its RSS bounds that from above (up to the kernel's counter lag, a few pages)
    and is a counter read at once, so the count itself is made only when the RSS is over:
    ``smaps_rollup`` walks the page tables (about 12 ms for a 400 MB worker, holding its
    memory map lock), and the parent asks every ``memory_poll`` seconds, which took a
    fifth of a core from the worker it watched."""
    rss = resident(pid)
    if rss is not None and rss <= limit:
        return False
    return (private_memory(pid) or 0) > limit


# ---------------------------------------------------------------- the local pool (parent side)


def _run_local(fn: Callable[..., T], tasks: list[Task], config: RunConfig,
               cancelled: Container[int] | None = None) -> Iterator[tuple[int, Outcome[T]]]:
    preload(config.preload, config.warm_up)
    queue = list(enumerate(tasks))[::-1]  # pop() from the end takes them in input order
    pool = _Pool(fn, config, min(max(1, config.jobs), len(tasks)))
    try:
        while queue or pool.busy():
            if cancelled is not None:
                dropped = [index for index, _ in queue if index in cancelled]
                queue = [(index, task) for index, task in queue if index not in cancelled]
                yield from pool.cancel(cancelled)
                for index in dropped[::-1]:
                    yield index, Outcome(Status.CANCELLED, 0.0, wall=0.0)
                if not (queue or pool.busy()):
                    break
            while queue and pool.idle():
                pool.submit(*queue.pop())
            yield from pool.collect()
    finally:
        pool.close()


@dataclass(frozen=True)
class _Running:
    index: int
    started: float
    deadline: float


class _Worker:
    """A forked worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any, fn: Callable[..., Any], config: RunConfig,
                 siblings: list[Connection]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, daemon=True,
            args=(child, fn, config, siblings + [self.conn], os.getpid()))
        self.process.start()
        child.close()
        self.task: _Running | None = None
        self.tasks_run = 0

    def submit(self, index: int, task: Task, grace: float) -> None:
        now = time.monotonic()
        deadline = float("inf") if task.limit is None else now + task.limit + grace
        self.task = _Running(index, now, deadline)
        self.tasks_run += 1
        self.conn.send((index, task.args))

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

    def __init__(self, fn: Callable[..., Any], config: RunConfig, jobs: int) -> None:
        self.ctx = mp.get_context("fork")
        self.fn = fn
        self.config = config
        self.workers: list[_Worker | None] = [None] * jobs

    def busy(self) -> bool:
        return any(w is not None and w.task is not None for w in self.workers)

    def idle(self) -> bool:
        return any(w is None or w.task is None for w in self.workers)

    def submit(self, index: int, task: Task) -> None:
        slot = next(k for k, w in enumerate(self.workers) if w is None or w.task is None)
        worker = self.workers[slot]
        if worker is None:
            siblings = [w.conn for w in self.workers if w is not None]
            worker = self.workers[slot] = _Worker(self.ctx, self.fn, self.config, siblings)
        worker.submit(index, task, self.config.grace)

    def collect(self) -> Iterator[tuple[int, Outcome[Any]]]:
        """Wait for at least one answer, death or deadline; yield what ended."""
        busy = [w for w in self.workers if w is not None and w.task is not None]
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        deadline = min(w.task.deadline for w in busy if w.task is not None)
        limit = self.config.memory_limit
        if limit is not None:  # wake up to look at the workers' memory
            deadline = min(deadline, time.monotonic() + self.config.memory_poll)
        timeout = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
        ready = set(wait(waitables, timeout=timeout))
        now = time.monotonic()
        for worker in busy:
            task = worker.task
            assert task is not None
            if worker.conn in ready or worker.process.sentinel in ready:
                outcome = self._finish(worker, task)
                yield task.index, replace(outcome, wall=time.monotonic() - task.started)
            elif task.deadline <= now:
                self._replace(worker, kill=True)
                yield task.index, Outcome(Status.TIMEOUT, now - task.started,
                                          wall=now - task.started)
            elif limit is not None and private_above(worker.process.pid, limit):
                self._replace(worker, kill=True)
                yield task.index, Outcome(Status.MEMORY, now - task.started,
                                          message=f"exceeded the memory limit of "
                                                  f"{format_size(limit)}",
                                          wall=now - task.started)

    def cancel(self, indices: Container[int]) -> Iterator[tuple[int, Outcome[Any]]]:
        """Kill (and replace) the workers running a task in ``indices``; yield each such
        task as ``cancelled``."""
        for worker in [w for w in self.workers if w is not None and w.task is not None]:
            task = worker.task
            if task is not None and task.index in indices:
                self._replace(worker, kill=True)
                seconds = time.monotonic() - task.started
                yield task.index, Outcome(Status.CANCELLED, seconds, wall=seconds)

    def close(self) -> None:
        for slot, worker in enumerate(self.workers):
            if worker is not None:
                worker.stop(kill=worker.task is not None)
                self.workers[slot] = None

    def _finish(self, worker: _Worker, task: _Running) -> Outcome[Any]:
        try:
            outcome: Outcome[Any] = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join()
            code = worker.process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            self._replace(worker, kill=True)
            return Outcome(Status.DIED, time.monotonic() - task.started, message=how,
                           exitcode=code)
        worker.task = None
        limit = self.config.memory_limit
        if (worker.tasks_run >= max(1, self.config.max_tasks)
                or limit is not None and private_above(worker.process.pid, limit / 2)):
            self._replace(worker, kill=False)
        return outcome

    def _replace(self, worker: _Worker, kill: bool) -> None:
        self.workers[self.workers.index(worker)] = None
        worker.stop(kill=kill)


# ---------------------------------------------------------------- the worker (child side)


def _worker_main(conn: Connection, fn: Callable[..., Any], config: RunConfig,
                 inherited: list[Connection], parent: int) -> None:
    """Serve ``(index, args)`` requests until ``None`` or the parent goes away."""
    for other in inherited:  # the parent's ends of every pipe: keep only our own end open
        other.close()
    _detach_from_parent(config.quiet)
    # The parent's multiprocessing terminates its daemon workers when it exits; inside the
    # worker, clear the flag so that a task may start limited tasks of its own (a daemon may
    # not have children), which die with this worker (parent-death signal).
    mp.current_process().daemon = False
    if os.getppid() != parent:  # the parent died before we asked to die with it
        return
    if config.address_space_limit is not None:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (config.address_space_limit, hard))
    if config.initializer is not None:
        config.initializer()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        _, args = request
        outcome = _call(fn, args)
        try:
            conn.send(outcome)
        except Exception as e:  # a value that does not pickle
            conn.send(Outcome(Status.RAISED, outcome.seconds,
                              message=f"cannot send the result: {type(e).__name__}: {e}"))


def _call(fn: Callable[..., Any], args: tuple[Any, ...]) -> Outcome[Any]:
    start = time.perf_counter()
    try:
        value = fn(*args)
    except Exception as e:  # a bug in one task must not take the batch down
        return Outcome(Status.RAISED, time.perf_counter() - start,
                       message=f"{type(e).__name__}: {e}")
    return Outcome(Status.DONE, time.perf_counter() - start, value)


def _detach_from_parent(quiet: bool) -> None:
    """Leave Ctrl-C to the parent, keep stdout clean for the parent's output, die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if quiet:
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
