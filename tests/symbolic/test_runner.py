"""The worker runner on real forks: limits that kill, deaths and errors reported, order, hooks."""

from __future__ import annotations

import ctypes
import mmap
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symbolic.runner import (
    RunConfig,
    Status,
    Task,
    format_size,
    in_order,
    parse_size,
    preload,
    private_above,
    private_memory,
    resident,
    run,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the runner forks")


def act(what: str, arg: float = 0.0):
    """The task: ``what`` says what to do (workers are forked, so this function reaches them
    without pickling)."""
    if what == "pid":
        return os.getpid()
    if what == "value":
        return arg * 2
    if what == "sleep":
        time.sleep(arg)
        return os.getpid()
    if what == "c-sleep":  # stuck in C: no Python code runs until it returns
        ctypes.CDLL(None).sleep(int(arg))
    if what == "exit":
        os._exit(int(arg))
    if what == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if what == "raise":
        raise ValueError(f"bad input {arg:g}")
    if what == "allocate":
        return len(bytearray(int(arg)))
    if what == "rss":
        return private_memory(os.getpid())
    if what == "grow":  # touch ``arg`` bytes of fresh pages, then wait to be watched
        # (fresh mappings: the heap may reuse pages inherited from the parent, already
        # resident after a long test session, which would not raise the count)
        chunks = []
        for _ in range(int(arg) >> 20):
            chunk = mmap.mmap(-1, 1 << 20)
            chunk.write(b"x" * (1 << 20))
            chunks.append(chunk)
        time.sleep(30)
        return len(chunks)
    if what == "print":
        print("from the worker", flush=True)
        return None
    if what == "env":
        return os.environ.get("RUNNER_TEST_INIT")
    if what == "sigint":
        return signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if what == "unpicklable":
        return lambda: None
    if what == "nested":  # a task that runs limited tasks of its own (e.g. a cross-check)
        inner = list(in_order(run(act, tasks(("value", arg), ("sleep", 5.0), limit=0.3))))
        return [(o.status.value, o.value) for o in inner[:1]] + [inner[1].status.value]
    raise AssertionError(what)


def tasks(*specs, limit: float | None = None) -> list[Task]:
    return [Task(spec if isinstance(spec, tuple) else (spec,), limit) for spec in specs]


def test_results_stream_in_completion_order_and_in_order_restores_input_order():
    work = tasks(("sleep", 0.3), ("value", 1), ("value", 2), ("value", 3))
    pairs = list(run(act, work, RunConfig(jobs=2)))
    assert sorted(i for i, _ in pairs) == [0, 1, 2, 3]
    assert pairs[0][0] != 0  # the slow first task finishes after the quick ones
    outcomes = list(in_order(pairs))
    assert [o.status for o in outcomes] == [Status.DONE] * 4
    assert [o.value for o in outcomes[1:]] == [2, 4, 6]
    assert list(in_order(iter([(2, "c"), (0, "a"), (1, "b")]))) == ["a", "b", "c"]


def test_a_task_past_its_limit_is_killed_and_the_next_one_gets_a_fresh_worker():
    limit, grace = 0.3, 0.1
    start = time.monotonic()
    out = list(in_order(run(act, tasks("pid", ("sleep", 30.0), "pid", limit=limit),
                            RunConfig(grace=grace))))
    assert time.monotonic() - start < 3.0
    assert [o.status for o in out] == [Status.DONE, Status.TIMEOUT, Status.DONE]
    assert limit + grace <= out[1].seconds < limit + grace + 1.0
    assert out[0].value != out[2].value  # the killed worker was replaced


def test_a_task_stuck_in_c_code_is_killed_too():
    start = time.monotonic()
    out = list(in_order(run(act, tasks(("c-sleep", 60.0), limit=0.2), RunConfig(grace=0.0))))
    assert out[0].status is Status.TIMEOUT and time.monotonic() - start < 3.0


def test_a_worker_that_dies_is_reported_with_the_reason_and_the_batch_goes_on():
    out = list(in_order(run(act, tasks(("exit", 3), "sigkill", ("value", 1)))))
    assert [o.status for o in out] == [Status.DIED, Status.DIED, Status.DONE]
    assert (out[0].message, out[0].exitcode) == ("exit code 3", 3)
    assert (out[1].message, out[1].exitcode) == ("signal 9", -9)
    assert out[2].value == 2


def test_an_exception_is_reported_with_its_type_and_message():
    out = list(in_order(run(act, tasks(("raise", 7), ("value", 1)))))
    assert out[0].status is Status.RAISED and out[0].message == "ValueError: bad input 7"
    assert out[0].value is None and out[1].value == 2


def test_a_task_may_run_limited_tasks_of_its_own():
    (out,) = list(in_order(run(act, tasks(("nested", 4)), RunConfig(grace=0.1))))
    assert out.status is Status.DONE, out.message
    assert out.value == [("done", 8), "timeout"]


def test_a_value_that_cannot_be_sent_back_is_an_error():
    out = list(run(act, tasks("unpicklable")))
    assert out[0][1].status is Status.RAISED
    assert out[0][1].message.startswith("cannot send the result: ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def _worker_baseline() -> int:
    """A fresh worker's own memory (a fork shares the parent's pages, but its resident
    count starts lower than the parent's after a long test session)."""
    (out,) = run(act, tasks(("rss", 0)), RunConfig(jobs=1))
    return out[1].value or 0


def test_a_worker_past_the_memory_limit_is_killed_and_the_others_go_on():
    limit = _worker_baseline() + (200 << 20)
    start = time.monotonic()
    work = tasks(("value", 1), ("grow", 400 << 20), ("sleep", 0.2), ("value", 2), limit=20.0)
    out = list(in_order(run(act, work, RunConfig(jobs=2, memory_limit=limit))))
    assert time.monotonic() - start < 10.0  # killed, not left to its 30 s sleep
    assert [o.status for o in out] == [Status.DONE, Status.MEMORY, Status.DONE, Status.DONE]
    assert out[1].message == f"exceeded the memory limit of {format_size(limit)}"
    assert out[0].value == 2 and out[3].value == 4


def test_a_worker_left_above_half_the_memory_limit_is_replaced():
    limit = 2 * _worker_baseline() + (200 << 20)
    out = list(in_order(run(_hold, [Task((0,)), Task((limit // 2,)), Task((0,))],
                            RunConfig(memory_limit=limit))))
    assert [o.status for o in out] == [Status.DONE] * 3
    assert out[0].value == out[1].value != out[2].value  # the bloated worker was replaced


def test_the_rss_bound_decides_as_the_private_count_would():
    """``private_above`` reads the costly private count only when the RSS is over the limit;
    its answer is the count's, at limits below, around and above this process's memory."""
    pid = os.getpid()
    private, rss = private_memory(pid), resident(pid)
    assert private is not None and rss is not None and private <= rss
    for limit in (0, private // 2, private - (8 << 20), (private + rss) // 2, 2 * rss):
        assert private_above(pid, limit) == (private_memory(pid) > limit), limit


_KEPT: list[bytes] = []


def _hold(size: int) -> int:
    _KEPT.append(b"x" * size)  # stays in this worker after the task
    return os.getpid()


@pytest.mark.parametrize("text, size", [("2G", 2 << 30), ("500M", 500 << 20), ("1.5GiB", 3 << 29),
                                        ("64mb", 64 << 20), (" 8 K ", 8 << 10), ("0", None),
                                        ("none", None), ("Unlimited", None)])
def test_sizes_parse_with_binary_units(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "2", "512", "-1G", "2X", "G", "0M", "two gigs", "1e9"])
def test_bad_sizes_are_one_line_errors(text):
    with pytest.raises(ValueError, match=r"expected a size .* got") as e:
        parse_size(text)
    assert "\n" not in str(e.value)


def test_sizes_print_in_their_largest_unit():
    assert [format_size(n) for n in (2 << 30, 3 << 29, 500 << 20, 1000, 5 << 40)] == [
        "2 GiB", "1.5 GiB", "500 MiB", "1000 B", "5 TiB"]


def test_the_address_space_limit_turns_a_huge_allocation_into_an_error():
    page = os.sysconf("SC_PAGE_SIZE")
    size_now = int(Path("/proc/self/statm").read_text().split()[0]) * page
    config = RunConfig(address_space_limit=size_now + (512 << 20))
    out = list(in_order(run(act, tasks(("allocate", 8 << 30), ("allocate", 1 << 20)), config)))
    assert out[0].status is Status.RAISED and out[0].message.startswith("MemoryError")
    assert out[1].status is Status.DONE and out[1].value == 1 << 20
    unlimited = list(run(act, tasks(("allocate", 1 << 20))))
    assert unlimited[0][1].status is Status.DONE


def test_workers_are_replaced_after_max_tasks():
    out = list(in_order(run(act, tasks(*["pid"] * 5), RunConfig(max_tasks=2))))
    pids = [o.value for o in out]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    fresh = list(in_order(run(act, tasks(*["pid"] * 3), RunConfig(max_tasks=1))))
    assert len({o.value for o in fresh}) == 3


def _mark_worker() -> None:
    os.environ["RUNNER_TEST_INIT"] = str(os.getpid())


def test_the_initializer_runs_once_in_each_worker():
    out = list(in_order(run(act, tasks("env", "pid", "env", "pid"),
                            RunConfig(max_tasks=2, initializer=_mark_worker))))
    assert [o.value for o in out[0::2]] == [str(o.value) for o in out[1::2]]
    assert "RUNNER_TEST_INIT" not in os.environ


def test_progress_is_called_once_per_task():
    seen = []
    work = tasks(("value", 1), ("sleep", 5.0), ("raise", 1), limit=0.2)
    list(run(act, work, RunConfig(jobs=2, grace=0.0),
             progress=lambda done, total, o: seen.append((done, total, o.status))))
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(s.value for _, _, s in seen) == ["done", "raised", "timeout"]


def test_workers_ignore_ctrl_c_and_quiet_workers_print_nothing(capfd):
    assert [o.value for _, o in run(act, tasks("sigint"))] == [True]
    list(run(act, tasks("print")))
    assert "from the worker" not in capfd.readouterr().out
    list(run(act, tasks("print"), RunConfig(quiet=False)))
    assert "from the worker" in capfd.readouterr().out


def test_closing_the_run_early_kills_busy_workers():
    import multiprocessing

    stream = run(act, tasks("pid", ("sleep", 60.0)), RunConfig(jobs=2))
    next(stream)
    children = {p.pid for p in multiprocessing.active_children()}
    stream.close()
    assert len(children) == 2 and not {p.pid for p in multiprocessing.active_children()} & children


def test_cancelled_tasks_are_killed_or_dropped_and_the_others_go_on():
    import multiprocessing

    cancelled: set[int] = set()
    work = tasks(("sleep", 0.2), ("sleep", 60.0), ("sleep", 60.0), ("value", 3.0))
    start = time.monotonic()
    out = []
    stream = run(act, work, RunConfig(jobs=2), cancelled=cancelled)
    for index, outcome in stream:
        out.append((index, outcome.status))
        if index == 0:
            children = {p.pid for p in multiprocessing.active_children()}
            cancelled.update({1, 2})  # 1 runs, 2 waits in the queue
    assert time.monotonic() - start < 20
    assert sorted(out) == [(0, Status.DONE), (1, Status.CANCELLED), (2, Status.CANCELLED),
                           (3, Status.DONE)]
    assert out[:3] == [(0, Status.DONE), (1, Status.CANCELLED), (2, Status.CANCELLED)]
    assert not {p.pid for p in multiprocessing.active_children()} & children


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie waiting to be reaped has stopped running


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_a_worker_dies_with_its_parent(tmp_path):
    pid_file = tmp_path / "worker.pid"
    middle = os.fork()  # a parent of the runner that we can kill
    if middle == 0:
        try:
            pid_file_arg = str(pid_file)
            list(run(_write_pid_and_sleep, [Task((pid_file_arg,))]))
        finally:
            os._exit(0)
    deadline = time.monotonic() + 5.0
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the worker never started"
        time.sleep(0.02)
    worker = int(pid_file.read_text())
    assert not _gone(worker)
    os.kill(middle, signal.SIGKILL)
    os.waitpid(middle, 0)
    deadline = time.monotonic() + 5.0
    while not _gone(worker):
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.02)


def _write_pid_and_sleep(path: str) -> None:
    tmp = path + ".tmp"
    Path(tmp).write_text(str(os.getpid()))
    os.replace(tmp, path)
    time.sleep(60)


FORKING = re.compile(r"^\s*(import multiprocessing|from multiprocessing\b)|\bos\.fork(pty)?\("
                     r"|ProcessPoolExecutor|\b(Process|Pool)\(|\bget_context\(\s*[\"']fork",
                     re.MULTILINE)
"""What starting a worker process looks like in Python source."""


def forking_files(root: Path) -> list[str]:
    """Tracked Python files outside the runner (with its cluster backend) and the tests that
    fork or use multiprocessing."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=root, capture_output=True,
                            text=True, check=True).stdout.split()
    return [name for name in listed
            if name not in ("symbolic/runner.py", "symbolic/cluster.py")
            and not name.startswith("tests/")
            and FORKING.search((root / name).read_text(encoding="utf-8"))]


def test_every_forked_run_goes_through_the_runner():
    root = Path(__file__).resolve().parents[2]
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    assert forking_files(root) == []
    assert FORKING.search("ctx = mp.get_context('fork')\nproc = ctx.Process(target=f)")
    assert FORKING.search("from multiprocessing.connection import wait")
    assert not FORKING.search("e.get_context(text)  # lark\nm = beams[b][2].fork()")


def test_preload_warms_up_a_tiered_module_only_when_asked(tmp_path, monkeypatch):
    body = "warmed = 0\ndef warm_up():\n    global warmed\n    warmed += 1\n"
    (tmp_path / "tiered_mod.py").write_text("TIERED = True\n" + body)
    (tmp_path / "plain_mod.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    preload(["tiered_mod", "plain_mod", "no_such_module_here"], warm=False)
    import plain_mod
    import tiered_mod

    assert (tiered_mod.warmed, plain_mod.warmed) == (0, 1)
    preload(["tiered_mod", "plain_mod"])
    assert (tiered_mod.warmed, plain_mod.warmed) == (1, 2)
