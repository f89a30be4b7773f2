"""The worker pool: one result per input, hard timeouts that kill, crashes that do not spread."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from reasoner.api import SolveConfig
from reasoner.batch import KILL_GRACE, WorkItem, in_order, run_batch
from reasoner.result import Result, Status

EXAMPLES = Path(__file__).resolve().parents[2] / "problems" / "geometry" / "examples.txt"


def fake_solver(problem, *, name, file, config):
    """Stands in for the engine: the problem text says what to do (workers are forked, so a
    function of this module reaches them without pickling)."""
    if problem == "spin":  # a runaway search that ignores its cooperative timeout
        while True:
            pass
    if problem == "crash":
        os._exit(3)
    if problem == "hog":  # grows until the runner kills it
        hoard = []
        while True:
            hoard.append(b"x" * (8 << 20))
            time.sleep(0.005)
    if problem == "raise":
        raise RuntimeError("engine bug")
    if problem.startswith("sleep "):
        seconds = float(problem.split()[1])
        time.sleep(seconds)
        return Result(name, file, "geometry", Status.PROVED, seconds, steps=1)
    return Result(name, file, "geometry", Status.PROVED, 0.0, steps=1,
                  stats={"pid": os.getpid()})


def items(*problems: str) -> list[WorkItem]:
    return [WorkItem(f"p{k}", "f.txt", problem=p) for k, p in enumerate(problems)]


def test_every_input_gets_one_result_in_completion_order_with_its_index():
    work = items(*["ok"] * 7) + [WorkItem("bad", "f.txt", error="f.txt:3:1: parse error")]
    pairs = list(run_batch(work, jobs=2, solver=fake_solver))
    assert sorted(i for i, _ in pairs) == list(range(8))
    assert all(r.problem == work[i].name for i, r in pairs)
    assert pairs[0][1].status is Status.ERROR  # input errors are reported before any solving
    assert pairs[0][1].error == "f.txt:3:1: parse error"


def test_in_order_restores_input_order():
    work = items("sleep 0.3", "ok", "ok")
    results = list(in_order(run_batch(work, jobs=2, solver=fake_solver)))
    assert [r.problem for r in results] == ["p0", "p1", "p2"]


def test_runaway_worker_is_killed_and_the_batch_goes_on():
    timeout = 0.3
    work = items("spin", "ok", "spin", "ok")
    start = time.monotonic()
    results = list(in_order(run_batch(work, SolveConfig(timeout=timeout), jobs=1,
                                      solver=fake_solver)))
    elapsed = time.monotonic() - start
    assert [r.status for r in results] == [Status.TIMEOUT, Status.PROVED] * 2
    assert results[0].stats.get("killed") is True
    assert timeout <= results[0].seconds < timeout + KILL_GRACE + 1.0
    assert elapsed < 2 * (timeout + KILL_GRACE) + 2.0
    assert results[1].stats["pid"] != results[3].stats["pid"]  # a fresh worker each time


def test_progress_callback_sees_every_result():
    seen = []
    work = items("ok", "ok", "spin")
    list(run_batch(work, SolveConfig(timeout=0.1), solver=fake_solver,
                   progress=lambda done, total, r: seen.append((done, total, r.status))))
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(s.value for _, _, s in seen) == ["proved", "proved", "timeout"]


def test_answer_after_the_budget_counts_as_timeout():
    results = list(in_order(run_batch(items("sleep 0.3"), SolveConfig(timeout=0.1),
                                      solver=fake_solver)))
    assert results[0].status is Status.TIMEOUT and results[0].proof is None
    assert "killed" not in results[0].stats  # it answered within the grace period


def test_crash_and_exception_become_error_results():
    results = list(in_order(run_batch(items("crash", "raise", "ok"), solver=fake_solver)))
    assert [r.status for r in results] == [Status.ERROR, Status.ERROR, Status.PROVED]
    assert "worker process died (exit code 3)" in results[0].error
    assert results[1].error == "internal error: RuntimeError: engine bug"


def test_workers_are_recycled_after_max_tasks():
    results = list(in_order(run_batch(items(*["ok"] * 6), solver=fake_solver, max_tasks=2)))
    pids = [r.stats["pid"] for r in results]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4] == pids[5]


def test_closing_the_batch_early_kills_busy_workers():
    batch = run_batch(items("ok", "spin"), jobs=2, solver=fake_solver)
    next(batch)
    children = {p.pid for p in multiprocessing.active_children()}
    batch.close()  # what a Ctrl-C in the consumer does
    alive = {p.pid for p in multiprocessing.active_children()}
    assert len(children) == 2 and not alive & children


def test_real_engine_runs_in_the_workers():
    from symbolic.geometry.problem import read_problems

    problem = next(p for p in read_problems(EXAMPLES) if p.name == "orthocenter_aux")
    work = [WorkItem(problem.name, str(EXAMPLES), problem=problem)] * 2
    results = list(in_order(run_batch(work, SolveConfig(timeout=60), jobs=2)))
    assert [r.status for r in results] == [Status.PROVED, Status.PROVED]
    assert all(r.steps and r.steps > 0 for r in results)


def test_a_problem_past_the_memory_limit_is_reported_with_the_limit_and_the_batch_goes_on():
    limit = 300 << 20  # a worker's own memory: what it adds to the pages it shares
    results = list(in_order(run_batch(items("ok", "hog", "ok"), SolveConfig(
        timeout=20, memory_limit=limit), jobs=2, solver=fake_solver)))
    assert [r.status for r in results] == [Status.PROVED, Status.MEMORY, Status.PROVED]
    assert results[1].error.startswith("exceeded the memory limit of ")
    assert results[1].seconds < 10


@pytest.mark.parametrize("jobs", [1, 2])
def test_no_item_is_lost_under_mixed_outcomes(jobs):
    work = items("ok", "spin", "crash", "raise", "sleep 0.05", "ok")
    results = list(in_order(run_batch(work, SolveConfig(timeout=0.2), jobs=jobs,
                                      solver=fake_solver)))
    assert [r.status for r in results] == [Status.PROVED, Status.TIMEOUT, Status.ERROR,
                                           Status.ERROR, Status.PROVED, Status.PROVED]


def test_kernels_are_warmed_up_in_the_parent_only_for_batches_that_share_them():
    # one problem loads only what it uses (no 1.3 s of numba for a 0.1 s DD+AR proof); a batch
    # loads the compiled kernels once before forking, so that every worker has them
    from reasoner.batch import plan

    _, tasks, one = plan(items("x"), SolveConfig(timeout=5))
    assert len(tasks) == 1 and not one.warm_up
    assert "symbolic.geometry.kernels" in one.preload
    _, tasks, many = plan(items("x", "y", "z"), SolveConfig(timeout=5))
    assert len(tasks) == 3 and many.warm_up
    _, tasks, split = plan(items("x"), SolveConfig(timeout=5), jobs=2, workers=[2])
    assert len(tasks) == 2 and split.warm_up
