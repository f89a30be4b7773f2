"""The cluster backend of the worker runner: the same tasks, limits and outcomes on Ray.

``symbolic.runner.run`` hands its tasks here when ``RunConfig.cluster`` names a Ray cluster
(``local``: a private Ray instance on this machine, bound to 127.0.0.1; ``auto``: the cluster
``ray start`` left on this machine or ``RAY_ADDRESS``; ``HOST:PORT``: that cluster's head).

How it works: the driver starts ``jobs`` Ray actors (one CPU each, wherever the cluster has
room). Each actor is a *host*: it starts a server process that imports ``RunConfig.preload``
once and keeps a local pool of one forked worker (``symbolic.runner``'s own; see ``Host`` for
why the actor does not fork itself), so every limit holds exactly as on one machine:
a task past its limit (even one stuck in z3, numba or onnxruntime C code) is killed by SIGKILL,
its worker replaced, and the outcome is ``timeout``; ``memory``, ``raised`` and ``died`` come
back the same way. The driver feeds each idle host the next task and yields
``(index, outcome)`` in completion order; ``in_order`` restores input order. ``jobs`` 0 means
one host per CPU of the cluster.

Faults: a host that goes away (its process killed, its node lost) takes the task it was running
with it; the driver starts a new host, wherever Ray places it, and runs the task again, up to
``RunConfig.retries`` times more; after that the task ends ``died`` with the reason. A host
that has not answered 5 s past its task's limit and grace is killed from the driver (a hung
host) and the task is a ``timeout``. Closing the generator (Ctrl-C included) kills every host,
and with them their servers and forked workers (each dies with its parent), and shuts a ``local``
instance down; a task the caller cancels (``run``'s ``cancelled``) while it runs is ended the
same way, its host killed (``ray.kill``) and, while tasks wait, a new one started. Hosts
that fail to start (``2 * jobs + 2`` times) stop the starting of more; if no host is left, or
none has run for ``START_TIMEOUT`` seconds, the run raises ``ClusterError`` when nothing has
answered yet, and otherwise ends each task left ``died`` with the reason. Every task gets
exactly one outcome.

``fn`` and the task arguments travel by Ray's (cloud)pickle, so a closure works; every node
needs this package installed at the same version as the driver.
"""

from __future__ import annotations

import os
import pickle
import re
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from .runner import Outcome, RunConfig, Status, Task, _detach_from_parent, _Pool, preload

T = TypeVar("T")

__all__ = ["ClusterError", "HUNG_SLACK", "START_TIMEOUT", "run_cluster"]

HUNG_SLACK = 5.0
"""Seconds past a task's limit and grace after which the driver kills a host that has not
answered (its own pool kills the task's worker at limit + grace)."""

START_TIMEOUT = 120.0
"""Seconds the driver waits, with no host running, for one to start before giving up (the
cluster has no free CPU, or lost every node)."""

LOOPBACK = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""With this variable at 0 Ray gives the node the address 127.0.0.1 and binds only there."""


class ClusterError(Exception):
    """The cluster cannot be used (Ray missing, no cluster at the address, no host starts);
    the message is one line for the user."""


class Host:
    """The body of a Ray actor: it relays tasks to its *server*, a fresh single-threaded Python
    process (``python -m symbolic.cluster``) that keeps one forked worker of the local pool.

    The worker is not forked from the actor itself: a Ray worker process runs threads (gRPC,
    the core worker), and a fork taken while one of them holds a lock can hang in the child.
    The server is started (not forked), imports ``preload``, and forks from a single thread as
    the local pool does on one machine. It dies with the actor."""

    def __init__(self, fn: Callable[..., Any], config: RunConfig) -> None:
        import ray.cloudpickle as cloudpickle

        ours, theirs = socket.socketpair()
        self.server = subprocess.Popen(
            [sys.executable, "-m", "symbolic.cluster", str(theirs.fileno()), str(os.getpid())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send_bytes(cloudpickle.dumps((fn, config)))
        try:
            self.pid = self.conn.recv()  # the server is ready: preloaded
        except EOFError:
            code = self.server.wait()
            raise RuntimeError(f"its server exited with code {code} (is this package "
                               "installed on every node?)") from None

    def ready(self) -> int:
        return self.pid

    def call(self, index: int, task: Task) -> bytes:
        """The task's outcome, pickled (relayed as the server sent it: the driver unpickles
        it); raises (``EOFError``) when the server is gone, which the driver treats as a lost
        host."""
        self.conn.send((index, task))
        return self.conn.recv_bytes()


def serve(fd: int, parent: int) -> None:
    """The host's server: ``(fn, config)`` first, then ``(index, task)`` requests, each
    answered by its outcome from a pool of one forked worker, until the host goes away."""
    _detach_from_parent(quiet=False)  # ignore Ctrl-C, die with the host
    if os.getppid() != parent:
        return
    conn = Connection(fd)
    fn, config = pickle.loads(conn.recv_bytes())
    preload(config.preload, config.warm_up)
    pool = _Pool(fn, replace(config, jobs=1, cluster=None), 1)
    conn.send(os.getpid())
    try:
        while True:
            try:
                index, task = conn.recv()
            except (EOFError, OSError):
                return
            pool.submit(index, task)
            conn.send(_one(pool))
    finally:
        pool.close()


def import_ray(address: str) -> Any:
    """Ray, imported; ``local`` keeps a private instance on the loopback address."""
    if address == "local":
        os.environ.setdefault(LOOPBACK, "0")
    try:
        import ray
    except ImportError:
        raise ClusterError("--cluster needs Ray: pip install 'neurosym[cluster]'") from None
    return ray


def connect(ray: Any, address: str, jobs: int) -> bool:
    """Connect the driver (or start a private instance for ``local``); True when this call
    did, so that the caller disconnects afterwards. A driver already connected (a program that
    called ``ray.init`` itself) keeps its connection when ``address`` names that cluster."""
    import logging

    host_port = address not in ("local", "auto")
    if host_port:
        _split(address)
    if ray.is_initialized():
        here = ray.get_runtime_context().gcs_address
        if host_port and here != address:
            raise ClusterError(f"--cluster {address}: this process is connected to the Ray "
                               f"cluster at {here} already")
        return False
    options: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False,
                               "include_dashboard": False, "configure_logging": True}
    if address == "local":  # jobs 0: one per CPU
        ray.init(address="local", num_cpus=max(jobs, os.cpu_count() or 1), **options)
        return True
    if host_port:
        _probe(address)
    try:
        ray.init(address=address, **options)
    except (ConnectionError, ValueError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ClusterError(f"--cluster {address}: cannot connect ({first})") from None
    return True


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--cluster {address}: expected local, auto or HOST:PORT")
    return host.strip("[]"), int(port)


def _probe(address: str, timeout: float = 5.0) -> None:
    """Fail fast, in one line, when nothing listens at ``HOST:PORT`` (Ray itself retries for
    minutes)."""
    try:
        socket.create_connection(_split(address), timeout=timeout).close()
    except OSError as e:
        why = e.strerror or type(e).__name__
        raise ClusterError(f"--cluster {address}: no Ray cluster answers there ({why})"
                           ) from None


@dataclass
class _Busy:
    host: Any
    index: int
    task: Task
    started: float


def run_cluster(fn: Callable[..., T], tasks: list[Task], config: RunConfig,
                cancelled: Container[int] | None = None) -> Iterator[tuple[int, Outcome[T]]]:
    """``symbolic.runner.run`` on the Ray cluster ``config.cluster``: yield
    ``(index, outcome)`` in completion order, one per task; a task in ``cancelled`` is taken
    off the queue, or its host killed (and a new one started if tasks are waiting)."""
    address = config.cluster or "local"
    ray = import_ray(address)
    connected = connect(ray, address, config.jobs)
    try:
        jobs = config.jobs if config.jobs > 0 else int(ray.cluster_resources().get("CPU", 1))
        driver = _Driver(ray, fn, config, min(max(1, jobs), len(tasks)))
    except BaseException:
        if connected:
            ray.shutdown()
        raise
    try:
        yield from driver.drive(tasks, cancelled)
    finally:
        driver.close()
        if connected:
            ray.shutdown()


class _Driver:
    """The driver's bookkeeping: hosts starting, idle and busy; tasks queued and retried."""

    def __init__(self, ray: Any, fn: Callable[..., Any], config: RunConfig, jobs: int) -> None:
        self.ray = ray
        self.config = config
        self.jobs = jobs
        self.actor = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(Host)
        self.fn = ray.put(fn)
        self.starting: dict[Any, Any] = {}  # ready() ref -> host
        self.idle: list[Any] = []
        self.busy: dict[Any, _Busy] = {}  # call() ref -> what it runs
        self.lost: dict[int, int] = {}  # task index -> hosts lost under it
        self.failed_starts = 0
        self.broken: str | None = None  # why no more hosts are started
        self.last_host = time.monotonic()  # when a host last started or answered

    def drive(self, tasks: list[Task], cancelled: Container[int] | None = None
              ) -> Iterator[tuple[int, Outcome[Any]]]:
        queue = deque(enumerate(tasks))
        yielded = 0
        for _ in range(self.jobs):
            self._start_host()
        while queue or self.busy:
            if cancelled is not None:
                for pair in self._cancel(queue, cancelled):
                    yielded += 1
                    yield pair
                if not (queue or self.busy):
                    break
            while queue and self.idle:
                index, task = queue.popleft()
                self._submit(self.idle.pop(), index, task)
            if not self.busy and not self.idle and (
                    self.broken is not None and not self.starting
                    or time.monotonic() - self.last_host > START_TIMEOUT):
                why = self.broken or f"no worker started on the cluster within " \
                    f"{START_TIMEOUT:g} s (does it have a free CPU?)"
                if not yielded:  # nothing answered: the cluster is unusable
                    raise ClusterError(why)
                while queue:  # mid-batch (every node lost): a row for each task left
                    index, _ = queue.popleft()
                    yield index, Outcome(Status.DIED, 0.0, message=why, wall=0.0)
                return
            refs = list(self.busy) + list(self.starting)
            ready, _ = self.ray.wait(refs, num_returns=1, timeout=self._wait_time())
            for ref in ready:
                if ref in self.starting:
                    self._started(ref)
                else:
                    for pair in self._answered(ref, queue):
                        yielded += 1
                        yield pair
            for pair in self._kill_hung():
                yielded += 1
                yield pair

    def close(self) -> None:
        for host in [*self.starting.values(), *self.idle, *(b.host for b in self.busy.values())]:
            self._kill(host)
        self.starting.clear()
        self.idle.clear()
        self.busy.clear()

    def _start_host(self) -> None:
        host = self.actor.remote(self.fn, self.config)
        self.starting[host.ready.remote()] = host

    def _started(self, ref: Any) -> None:
        host = self.starting.pop(ref)
        try:
            self.ray.get(ref)
        except Exception as e:  # the host died while starting: start another, a few times
            self._kill(host)
            self.failed_starts += 1
            if self.failed_starts > 2 * self.jobs + 2:  # go on with the hosts there are
                self.broken = f"cluster workers fail to start ({_reason(e)})"
            else:
                self._start_host()
            return
        self.last_host = time.monotonic()
        self.idle.append(host)

    def _submit(self, host: Any, index: int, task: Task) -> None:
        self.busy[host.call.remote(index, task)] = _Busy(host, index, task, time.monotonic())

    def _answered(self, ref: Any, queue: deque[tuple[int, Task]]
                  ) -> Iterator[tuple[int, Outcome[Any]]]:
        busy = self.busy.pop(ref)
        try:
            data = self.ray.get(ref)
        except Exception as e:  # the host (its process or its node) went away
            self._kill(busy.host)
            self._start_host()
            lost = self.lost[busy.index] = self.lost.get(busy.index, 0) + 1
            if lost <= self.config.retries:
                queue.appendleft((busy.index, busy.task))  # next to run, on another host
                return
            seconds = time.monotonic() - busy.started
            yield busy.index, Outcome(Status.DIED, seconds, wall=seconds,
                                      message=f"lost its cluster worker {lost} times "
                                              f"({_reason(e)})")
            return
        self.idle.append(busy.host)
        self.last_host = time.monotonic()
        wall = self.last_host - busy.started
        try:
            outcome = pickle.loads(data)
        except Exception as e:  # a value this process cannot rebuild (a class it lacks)
            outcome = Outcome(Status.RAISED, wall, message=f"cannot read the result: "
                                                           f"{type(e).__name__}: {e}")
        yield busy.index, replace(outcome, wall=wall)

    def _wait_time(self) -> float | None:
        deadlines = [b.started + b.task.limit + self.config.grace + HUNG_SLACK
                     for b in self.busy.values() if b.task.limit is not None]
        if not self.busy and not self.idle:
            deadlines.append(time.monotonic() + 1.0)  # to notice START_TIMEOUT
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _kill_hung(self) -> Iterator[tuple[int, Outcome[Any]]]:
        now = time.monotonic()
        for ref, busy in list(self.busy.items()):
            limit = busy.task.limit
            if limit is not None and now > busy.started + limit + self.config.grace + HUNG_SLACK:
                del self.busy[ref]
                self._kill(busy.host)
                self._start_host()
                yield busy.index, Outcome(Status.TIMEOUT, now - busy.started,
                                          wall=now - busy.started)

    def _cancel(self, queue: deque[tuple[int, Task]], cancelled: Container[int]
                ) -> Iterator[tuple[int, Outcome[Any]]]:
        """Take the cancelled tasks off the queue and kill the hosts running one (a new host
        is started while tasks are waiting)."""
        dropped = [index for index, _ in queue if index in cancelled]
        kept = [(index, task) for index, task in queue if index not in cancelled]
        queue.clear()
        queue.extend(kept)
        now = time.monotonic()
        running = [(ref, b) for ref, b in self.busy.items() if b.index in cancelled]
        for ref, busy in running:
            del self.busy[ref]
            self._kill(busy.host)
            if len(queue) > len(self.idle) + len(self.starting):
                self._start_host()
        for _, busy in running:
            yield busy.index, Outcome(Status.CANCELLED, now - busy.started,
                                      wall=now - busy.started)
        for index in dropped:
            yield index, Outcome(Status.CANCELLED, 0.0, wall=0.0)

    def _kill(self, host: Any) -> None:
        try:
            self.ray.kill(host, no_restart=True)
        except Exception:  # already gone
            pass


def _reason(error: Exception) -> str:
    """A Ray error in one line: its type and, of its message (a traceback, for an error raised
    in a worker), the last line, e.g. ``ActorDiedError: ModuleNotFoundError: No module named
    'symbolic'``."""
    lines = [line.strip() for line in _ANSI.sub("", str(error)).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[-1] if lines else ''}"[:300]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _one(pool: _Pool) -> Outcome[Any]:
    """The outcome of the one task ``pool`` runs (``collect`` may wake to poll memory without
    one)."""
    while True:
        for _, outcome in pool.collect():
            return outcome


if __name__ == "__main__":  # a host's server (``Host``)
    serve(int(sys.argv[1]), int(sys.argv[2]))
