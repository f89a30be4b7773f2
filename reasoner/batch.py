"""Run many problems in worker processes with a hard per-problem timeout.

How the timeout works: the engine gets ``SolveConfig.timeout`` as a cooperative budget and
normally stops by itself. Each problem runs in a worker process of the one worker runner
(``symbolic.runner``); if no answer has come back ``KILL_GRACE`` seconds after its budget, the
runner kills that worker (SIGKILL) and forks a fresh one, and the problem is reported as
``timeout``, so a runaway search can never hang a batch. An answer that arrives later than the
budget is reported as ``timeout`` too. With ``SolveConfig.memory_limit`` the runner kills a
worker whose resident memory passes it, and the problem is reported as ``memory`` with the limit
in its ``error``.

Workers are forked from the parent, so the modules the parent imported (``PRELOAD``, and each
domain's ``Domain.preload`` for the domains of the batch) come for free. Each worker runs at most
``max_tasks`` problems before it is replaced, which keeps memory in check. A crash of the
engine (an exception, or a worker that dies) becomes an ``error`` result of that problem only.

With ``cluster`` (a Ray address, ``symbolic.cluster``) the same tasks run on a Ray cluster
instead: each cluster host keeps such a worker, so the limits, statuses and order are the same;
a problem whose host is lost with its node runs again elsewhere (twice at most), then is an
``error`` saying so.

Several workers per problem (``workers``; ``spread`` gives the extra workers of a batch with
fewer problems than ``jobs`` to its problems): a problem whose domain ``searches`` (geometry
with the auxiliary search) runs as ``w`` tasks at once, worker ``i`` solving it with
``SolveConfig.worker = i`` of ``workers = w`` (its own share of the search and random stream,
``reasoner.search``); the first checked proof wins and the problem's other tasks are cancelled
at once (their workers killed, on a cluster their hosts). Its result is the winner's, whose
``search`` statistics say which ``worker`` of how many ``workers`` won and, in ``tried_all``,
the attempts of every worker that answered (a cancelled worker's attempts are lost with it).
Without a proof the problem ends when all its workers have: its result is the worst of theirs
(error, memory, timeout, unknown in that order, the lowest worker first).

This module only maps a ``WorkItem`` to a runner task and the runner's outcome to a ``Result``.
Results come out in completion order (the order problems finish); each carries the ``index`` of
its input through ``run_batch``'s ``(index, Result)`` pairs, and ``in_order`` re-sorts them
into input order while still streaming.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from symbolic.runner import Outcome, RunConfig, Task, in_order, run
from symbolic.runner import Status as Ended

from .config import SolveConfig
from .result import Result, Status

__all__ = ["KILL_GRACE", "PRELOAD", "WorkItem", "error_result", "in_order", "plan", "result_of",
           "run_batch", "spread"]

KILL_GRACE = 0.5
"""Seconds past the budget a worker is given to report its own timeout before it is killed."""

PRELOAD = ("reasoner.api",)
"""Modules imported in the parent before forking whatever the batch holds, so that workers
share them (each domain adds its own: ``Domain.preload``)."""


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
              max_tasks: int = 25, cluster: str | None = None, workers: int | None = 1
              ) -> Iterator[tuple[int, Result]]:
    """Solve every item, ``jobs`` at a time, each in a worker with a hard timeout (on the Ray
    cluster ``cluster`` when given, ``jobs`` 0 meaning one per CPU of the cluster;
    ``symbolic.cluster.ClusterError`` if it cannot be used). ``workers``: how many workers
    search each problem at once, first proof wins (None: ``spread`` the jobs over a batch with
    fewer problems than ``jobs``; see the module docstring).

    Yields ``(index, result)`` in completion order, one per input item, ``index`` being the
    item's position in ``items``. ``progress(done, total, result)`` is called after each.
    ``solver`` defaults to ``reasoner.api.solve`` and is called as
    ``solver(problem, name=..., file=..., config=config)`` in the worker.
    """
    items = list(items)
    config = config or SolveConfig()
    done = 0
    for index, result in _run(items, config, jobs, solver, max_tasks, cluster, workers):
        done += 1
        if progress is not None:
            progress(done, len(items), result)
        yield index, result


def _run(items: list[WorkItem], config: SolveConfig, jobs: int, solver: Solver | None,
         max_tasks: int, cluster: str | None, workers: int | None
         ) -> Iterator[tuple[int, Result]]:
    queue: list[int] = []
    for index, item in enumerate(items):
        if item.error is not None:  # input errors are reported before any solving
            yield index, error_result(item, item.error)
        else:
            queue.append(index)
    if not queue:
        return
    todo = [items[k] for k in queue]
    counts = spread(todo, config, jobs, workers)
    solve, tasks, run_config = plan(todo, config, jobs, solver, max_tasks, cluster, counts)
    owner = [(position, i) for position, w in enumerate(counts) for i in range(w)]
    first = [sum(counts[:position]) for position in range(len(counts))]
    answered: dict[int, list[tuple[int, Result]]] = {}
    cancelled: set[int] = set()
    for t, outcome in run(solve, tasks, run_config, cancelled=cancelled):
        position, worker = owner[t]
        if outcome.status is Ended.CANCELLED:  # another worker of its problem has ended it
            continue
        index = queue[position]
        result = result_of(items[index], outcome, config.timeout)
        if counts[position] == 1:
            yield index, result
            continue
        got = answered.setdefault(position, [])
        got.append((worker, result))
        if result.status.definitive or len(got) == counts[position]:
            cancelled.update(range(first[position], first[position] + counts[position]))
            yield index, _merge(got, counts[position])


def spread(items: Sequence[WorkItem], config: SolveConfig, jobs: int,
           workers: int | None = 1) -> list[int]:
    """How many workers search each item at once: ``workers`` for each item whose domain
    ``searches`` (geometry with the auxiliary search on), 1 for the others; ``workers`` None:
    a batch of fewer items than ``jobs`` shares the ``jobs`` out among them (``jobs // n``,
    one more for the first ``jobs % n``), else 1 each (as with ``jobs`` 0, unknown here)."""
    from .domains import by_name

    n = len(items)
    out = []
    for k, item in enumerate(items):
        if not (config.aux and by_name(item.domain).searches):
            out.append(1)
        elif workers is not None:
            out.append(max(1, workers))
        else:
            out.append(max(1, jobs // n + (k < jobs % n)) if jobs > n else 1)
    return out


_SEVERITY = (Status.ERROR, Status.MEMORY, Status.TIMEOUT, Status.UNKNOWN)


def _merge(answered: list[tuple[int, Result]], workers: int) -> Result:
    """The result of a problem searched by several workers from those that answered: a
    definitive one (the last, the others were cancelled), else the worst (``_SEVERITY``,
    lowest worker first) with the longest time; ``tried_all`` sums their attempts."""
    by_worker = sorted(answered, key=lambda pair: pair[0])
    worker, best = answered[-1]
    if not best.status.definitive:
        rank = {status: k for k, status in enumerate(_SEVERITY)}
        worker, best = min(by_worker, key=lambda pair: rank.get(pair[1].status, len(rank)))
        best = replace(best, seconds=max(r.seconds for _, r in answered))
    search = best.stats.get("search")
    if search is None:  # a crash or a kill: no statistics
        return best
    tried = sum(r.stats.get("search", {}).get("tried", 0) for _, r in answered)
    search = {**search, "worker": worker, "workers": workers, "tried_all": tried,
              "workers_answered": len(answered)}
    return replace(best, stats={**best.stats, "search": search})


def plan(items: list[WorkItem], config: SolveConfig, jobs: int = 1, solver: Solver | None = None,
         max_tasks: int = 25, cluster: str | None = None, workers: Sequence[int] | None = None
         ) -> tuple[Callable[..., Result], list[Task], RunConfig]:
    """The runner's function, tasks and configuration that solve ``items`` (none an input
    error); ``result_of`` turns each outcome into the item's ``Result`` (``bench/cluster.py``
    runs a plan itself to see the runner's own timings). ``workers[k]`` tasks (default 1)
    search item ``k``, one after the other in the task list."""
    chosen = solver if solver is not None else _default_solver()

    def solve(item: WorkItem, worker: int = 0, workers: int = 1) -> Result:  # in the worker
        mine = config if workers == 1 else replace(config, worker=worker, workers=workers)
        return chosen(item.problem, name=item.name, file=item.file, config=mine)

    from .domains import by_name

    # the modules of the batch's domains (``Domain.preload``) are imported, and warmed up
    # (e.g. compiled numba kernels loaded), in the parent before workers fork
    present = sorted({item.domain for item in items})
    preload = tuple(m for d in present for m in by_name(d).preload) + PRELOAD
    counts = workers or [1] * len(items)
    if jobs > 0:  # a problem's workers run at once, even past ``jobs``
        jobs = max(jobs, *counts)
    tasks = [Task((item,) if w == 1 else (item, i, w), config.timeout)
             for item, w in zip(items, counts) for i in range(w)]
    # tiered kernels warmed up in the parent pay off when tasks share them; one task loads only
    # what it uses (a problem DD+AR proves in 0.1 s does not wait 1.3 s for numba,
    # ``symbolic.geometry.kernels``); the others (SyGuS's) are warmed up in any case
    run_config = RunConfig(jobs=jobs if cluster else max(1, jobs), grace=KILL_GRACE,
                           max_tasks=max(1, max_tasks), memory_limit=config.memory_limit,
                           preload=preload, warm_up=len(tasks) > 1, cluster=cluster)
    return solve, tasks, run_config


def _default_solver() -> Solver:
    from .api import solve

    return solve


def result_of(item: WorkItem, outcome: Outcome[Result], budget: float | None) -> Result:
    """The ``Result`` of a runner outcome: the solver's own, or a timeout or error of the
    item."""
    if outcome.status is Ended.DONE and outcome.value is not None:
        return _enforce_budget(outcome.value, budget)
    if outcome.status is Ended.TIMEOUT:
        return Result(item.name, item.file, item.domain, Status.TIMEOUT, outcome.seconds,
                      stats={"killed": True})
    if outcome.status is Ended.MEMORY:
        return Result(item.name, item.file, item.domain, Status.MEMORY, outcome.seconds,
                      error=outcome.message, stats={"killed": True})
    if outcome.status is Ended.DIED:
        return error_result(item, f"worker process died ({outcome.message})", outcome.seconds)
    return error_result(item, f"internal error: {outcome.message}", outcome.seconds)


def _enforce_budget(result: Result, budget: float | None) -> Result:
    """An answer that came later than the budget is a timeout."""
    late = budget is not None and result.seconds > budget
    if not late or result.status in (Status.TIMEOUT, Status.ERROR):
        return result
    return replace(result, status=Status.TIMEOUT, steps=None, proof_text=None, proof=None,
                   solution=None, figure=None)
