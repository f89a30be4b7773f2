"""The runner's Ray backend on a real two-node cluster on loopback: the same outcomes, order and
rows as the local pool, limits that kill, lost workers retried, nothing lost or duplicated.

One cluster serves the whole module: a head and a second node, each ``ray start --block`` in
its own process group with one CPU, bound to 127.0.0.1 (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``
and ``--node-ip-address``), on a free port and a fresh temp folder, and killed by process group
at the end. The task functions of this module travel to the workers by value.
"""

from __future__ import annotations

import ctypes
import json
import os
import pickle
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from needs_aux import BISECTOR_FEET

from symbolic.cluster import LOOPBACK, ClusterError
from symbolic.runner import Outcome, RunConfig, Status, Task, in_order, run

# Ray reads these when imported (nothing else in the tests uses Ray): the driver (this
# process) talks to the cluster on 127.0.0.1 (else Ray swaps 127.0.0.1 for the machine's
# address), with a token of this cluster's own for the nodes and the driver (not ~/.ray's)
os.environ.update({LOOPBACK: "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
                   "RAY_AUTH_TOKEN": secrets.token_hex(16)})
ray = pytest.importorskip("ray")

pytestmark = [pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="the loopback cluster is started with Linux tools"),
              pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "geometry" / "examples.txt"
START = 90.0  # seconds a node gets to come up on a loaded machine


def act(what: str, arg: float = 0.0):
    """The task: ``what`` says what to do."""
    if what == "value":
        return arg * 2
    if what == "sleep":
        time.sleep(arg)
        return arg * 2
    if what == "c-sleep":  # stuck in C: no Python code runs until it returns
        ctypes.CDLL(None).sleep(int(arg))
    if what == "raise":
        raise ValueError(f"bad input {arg:g}")
    if what == "exit":
        os._exit(int(arg))
    if what == "kill-host":  # takes its cluster host's server (the forked worker's parent) down
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(30)
    return None


def test_an_unreachable_cluster_is_one_line_and_exit_2(capsys):
    from reasoner.cli import main

    port = free_port()  # nothing listens there
    assert main([str(EXAMPLES), "--timeout", "5", "--cluster", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"solve-problem: error: --cluster 127.0.0.1:{port}: no Ray cluster "
                          "answers there (")
    assert len(err.strip().splitlines()) == 1


def test_without_ray_the_cluster_option_says_what_to_install(monkeypatch, capsys):
    from verify.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    csv = ROOT / "problems" / "verify" / "holds.csv"
    assert main(["--instances", str(csv), "--cluster", "local"]) == 2
    assert capsys.readouterr().err == ("verify-net: error: --cluster needs Ray: pip install "
                                       "'neurosym[cluster]'\n")


def test_cluster_error_is_raised_before_any_task_runs():
    with pytest.raises(ClusterError, match="expected local, auto or HOST:PORT"):
        list(run(act, [Task(("value", 1.0))], RunConfig(cluster="nowhere")))


# ``ray start`` for the second node. With RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 (which keeps Ray
# on 127.0.0.1) ``ray start --address`` refuses to join a cluster ("multi-node clusters are not
# supported on Windows and OSX"); this runs the same command with that one check turned off
# (only its own copy of the constant changes: the addresses stay on 127.0.0.1).
JOIN = """import sys, types
from ray._private import ray_constants
from ray.scripts import scripts
constants = types.ModuleType("ray_constants")
constants.__dict__.update(vars(ray_constants))
constants.ENABLE_RAY_CLUSTER = True
scripts.ray_constants = constants
sys.argv = ["ray", *sys.argv[1:]]
scripts.main()
"""


class Node:
    """``ray start --block ARGS`` in a session of its own (all its processes are in it; Ray
    puts each worker in a process group of its own); ``join``: the second node's command
    (``JOIN``)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path,
                 join: bool = False) -> None:
        command = [sys.executable, "-c", JOIN] if join else \
            [str(Path(sys.executable).parent / "ray")]
        self.log = open(log, "w")
        self.proc = subprocess.Popen([*command, "start", "--block", *args], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def kill(self) -> None:
        for pid, _, _ in processes(self.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.log.close()


def processes(session: int) -> list[tuple[int, int, str]]:
    """``(pid, ppid, command line)`` of every process in session ``session``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if not cmdline.strip():  # a zombie or one exiting right now: nothing left to kill
            continue
        if int(fields[3]) == session:
            out.append((int(entry), int(fields[1]), cmdline.decode(errors="replace").strip()))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            raise TimeoutError(f"{what} not within {seconds:g} s")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, list[Node]]]:
    """A head and a second node on loopback; yields the address and the two nodes."""
    temp = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))  # short: socket paths are limited
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    port = free_port()
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--disable-usage-stats"]
    head = Node(["--head", "--port", str(port), "--include-dashboard", "false",
                 "--temp-dir", str(temp), *common], env, temp / "head.log")
    nodes = [head]
    address = f"127.0.0.1:{port}"
    try:
        wait_until(lambda: _listening(port), START, "the head")
        second = Node(["--address", address, *common], env, temp / "second.log", join=True)
        nodes.append(second)
        ray.init(address=address, log_to_driver=False, logging_level="ERROR")
        wait_until(lambda: sum(n["Alive"] for n in ray.nodes()) == 2, START, "the second node")
        ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
        yield address, nodes
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for node in reversed(nodes):
            node.kill()
        shutil.rmtree(temp, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def on(address: str, **kw) -> RunConfig:
    return RunConfig(jobs=2, grace=0.5, cluster=address, **kw)


MIXED = [Task(("value", 1.0), 20), Task(("c-sleep", 60), 1.0), Task(("raise", 3.0), 20),
         Task(("exit", 3), 20), Task(("sleep", 0.2), 20), Task(("value", 5.0), 20)]


def summary(outcome):
    return outcome.status, outcome.value, outcome.message, outcome.exitcode


def test_the_cluster_gives_the_pools_outcomes_in_input_order_and_kills_at_the_limit(cluster):
    address, _ = cluster
    local = list(in_order(run(act, MIXED, RunConfig(jobs=2, grace=0.5))))
    start = time.monotonic()
    pairs = list(run(act, MIXED, on(address)))
    assert time.monotonic() - start < 30  # the task stuck in C for 60 s was killed
    assert sorted(i for i, _ in pairs) == list(range(len(MIXED)))
    remote = list(in_order(pairs))
    assert [summary(o) for o in remote] == [summary(o) for o in local]
    assert remote[1].status is Status.TIMEOUT and 1.0 <= remote[1].seconds < 10
    assert all(o.wall is not None and o.wall >= o.seconds for o in remote)


def test_a_task_that_keeps_killing_its_worker_is_retried_then_reported(cluster):
    address, _ = cluster
    tasks = [Task(("kill-host",), 20), Task(("value", 2.0), 20)]
    out = dict(run(act, tasks, on(address, retries=1)))
    assert out[1].status is Status.DONE and out[1].value == 4.0
    assert out[0].status is Status.DIED
    assert out[0].message.startswith("lost its cluster worker 2 times (")


def test_killing_one_nodes_workers_mid_batch_loses_and_duplicates_nothing(cluster):
    address, (_, second) = cluster
    tasks = [Task(("sleep", 0.4, ), 30) for _ in range(3)] + \
        [Task(("sleep", 0.3 + k / 100), 30) for k in range(9)]
    killed: list[str] = []

    def second_nodes_workers() -> list[tuple[int, str]]:
        rows = processes(second.proc.pid)
        raylets = {pid for pid, _, cmd in rows if "raylet" in cmd.split()[0]}
        return [(pid, cmd) for pid, ppid, cmd in rows  # not what they started: those die
                if ppid in raylets and cmd.startswith(("ray::Host", "ray::IDLE"))]

    def kill_second_nodes_workers(done: int, _total: int, _outcome) -> None:
        # from the third row on, once the second node's host is up (on a loaded machine it
        # can start after the first host has run a few tasks): the driver waits here
        if done >= 3 and not killed:
            deadline = time.monotonic() + START
            while not any(cmd.startswith("ray::Host") for _, cmd in second_nodes_workers()):
                assert time.monotonic() < deadline, "the second node's host never started"
                time.sleep(0.05)
            for pid, cmd in second_nodes_workers():
                os.kill(pid, signal.SIGKILL)
                killed.append(cmd)

    pairs = list(run(act, tasks, on(address), progress=kill_second_nodes_workers))
    assert any(cmd.startswith("ray::Host") for cmd in killed), killed
    assert sorted(i for i, _ in pairs) == list(range(len(tasks)))  # one row each
    clean = [o.value for o in in_order(run(act, tasks, RunConfig(jobs=2)))]
    assert [o.status for o in in_order(pairs)] == [Status.DONE] * len(tasks)
    assert [o.value for o in in_order(pairs)] == clean


def test_closing_the_batch_early_kills_the_cluster_workers(cluster):
    address, nodes = cluster

    def hosts() -> list[str]:  # the actors, their servers and their forked workers
        return [cmd for node in nodes for _, _, cmd in processes(node.proc.pid)
                if cmd.startswith("ray::Host") or "symbolic.cluster" in cmd]

    # the first outcome comes once both hosts run a task (the driver only runs between rows)
    pairs = run(act, [Task(("sleep", 4.0), 20)] + [Task(("sleep", 60), 120)] * 3, on(address))
    assert next(pairs)[1].value == 8.0
    assert len(hosts()) >= 5  # 2 actors, 2 servers, the forked worker of the task running
    pairs.close()  # as Ctrl-C does
    wait_until(lambda: not hosts(), 30, "the cluster workers' end")


def solve_json(argv: list[str], capsys) -> tuple[int, list[dict]]:
    from reasoner.cli import main

    code = main([*argv, "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for row in rows:
        row.pop("seconds")
    return code, rows


def test_solve_problem_on_the_cluster_prints_the_pools_rows(cluster, capsys):
    address, _ = cluster
    argv = [str(EXAMPLES), "--problem", "incenter_excenter", "--problem", "euler",
            "--timeout", "30", "--jobs", "2"]
    code, rows = solve_json(argv, capsys)
    assert (code, [r["status"] for r in rows]) == (0, ["proved", "proved"])
    assert solve_json([*argv, "--cluster", address], capsys) == (code, rows)



def test_verify_net_on_the_cluster_prints_the_pools_rows(cluster, tmp_path, capsys):
    from verify.cli import main

    address, _ = cluster
    folder = ROOT / "problems" / "verify"
    csv = tmp_path / "instances.csv"  # paths relative to the CSV's folder: absolute here
    csv.write_text(f"{folder / 'xor2.onnx'},{folder / 'xor2_y1_negative.vnnlib'},30\n"
                   f"{folder / 'conv1.onnx'},{folder / 'conv1_robust.vnnlib'},30\n")

    def rows(*extra: str) -> tuple[int, list[dict]]:
        code = main(["--instances", str(csv), "--jobs", "2", "--json", *extra])
        out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        for row in out:
            row.pop("seconds", None)
        return code, out

    local = rows()
    assert local[0] == 0 and len(local[1]) == 2
    assert rows("--cluster", address) == local


def test_the_memory_is_written_by_the_driver_once_per_proved_problem(cluster, tmp_path, capsys):
    from kg.memory import Memory

    address, _ = cluster
    store = tmp_path / "memory"
    code, rows = solve_json([str(EXAMPLES), "--problem", "incenter_excenter", "--problem",
                             "euler", "--timeout", "30", "--jobs", "2", "--memory", str(store),
                             "--cluster", address], capsys)
    assert (code, [r["status"] for r in rows]) == (0, ["proved", "proved"])
    with Memory(str(store), read_only=True) as m:
        names = m.query("SELECT ?name WHERE { ?p a ns:Problem ; ns:name ?name }")
    assert sorted(str(name) for (name,) in names) == ["euler", "incenter_excenter"]


def test_data_generation_on_the_cluster_writes_the_same_data_as_locally(cluster, tmp_path):
    from neural.data import main

    address, _ = cluster
    argv = ["--count", "2", "--jobs", "2", "--seed", "4", "--allow-unneeded"]
    assert main([*argv, "--out", str(tmp_path / "local.jsonl")]) == 0
    assert main([*argv, "--out", str(tmp_path / "cluster.jsonl"), "--cluster", address]) == 0
    local = (tmp_path / "local.jsonl").read_text()
    assert len(local.splitlines()) == 2
    assert (tmp_path / "cluster.jsonl").read_text() == local
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cluster.jsonl", "local.jsonl"]


def cluster_hosts(nodes) -> list[str]:
    """The command lines of the run's hosts: actors, their servers, their forked workers."""
    return [cmd for node in nodes for _, _, cmd in processes(node.proc.pid)
            if cmd.startswith("ray::Host") or "symbolic.cluster" in cmd]


def test_a_cancelled_task_has_its_host_killed_and_the_batch_goes_on(cluster):
    address, nodes = cluster
    cancelled: set[int] = set()
    # the first outcome comes once both hosts run a task (the driver only runs between rows)
    tasks = [Task(("sleep", 6.0), 20), Task(("sleep", 60), 120), Task(("value", 2.0), 20)]
    start = time.monotonic()
    out = {}
    for index, outcome in run(act, tasks, on(address), cancelled=cancelled):
        out[index] = outcome
        if index == 0:
            cancelled.add(1)  # running on the other host, killed with it
        if index == 1:  # its actor, server and worker go; the other host stays
            wait_until(lambda: sum(c.startswith("ray::Host") for c in cluster_hosts(nodes)) == 1
                       and len(cluster_hosts(nodes)) <= 3, 20, "the cancelled host's end")
    assert time.monotonic() - start < 40
    assert [out[i].status for i in range(3)] == [Status.DONE, Status.CANCELLED, Status.DONE]
    assert out[1].seconds > 1.0  # it was running, not waiting in the queue
    assert out[2].value == 4.0


def test_one_problem_searched_by_two_cluster_workers_is_proved_and_leaves_nothing(
        cluster, tmp_path, capsys):
    address, nodes = cluster
    f = tmp_path / "p.txt"
    f.write_text("bisector_feet\n" + BISECTOR_FEET + "\n")
    code, rows = solve_json([str(f), "--sources", "heuristic", "--timeout", "60", "--jobs", "2",
                             "--cluster", address], capsys)
    (row,) = rows
    assert code == 0 and row["status"] == "proved" and row["auxiliary"]
    assert row["search"]["workers"] == 2 and row["search"]["worker"] in (0, 1)
    wait_until(lambda: not cluster_hosts(nodes), 30, "the cluster workers' end")


def test_the_sygus_harvest_on_the_cluster_writes_the_same_bytes_as_locally(cluster, tmp_path):
    from neural.sygus.__main__ import main
    from neural.sygus.splits import split_of

    pytest.importorskip("cvc5")
    address, _ = cluster
    root = tmp_path / "root"
    names = [n for n in (f"T/p{i}.sl" for i in range(100)) if split_of(n) == "train"][:2]
    for name, problem in zip(names, ("max2.sl", "bv_pbe.sl")):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text((ROOT / "problems" / "sygus" / problem).read_text())
    argv = ["harvest", "--root", str(root), "--per-track", "5", "--timeout", "10",
            "--no-seconds"]
    assert main([*argv, "--jobs", "2", "--out", str(tmp_path / "local.jsonl")]) == 0
    assert main([*argv, "--jobs", "2", "--out", str(tmp_path / "cluster.jsonl"),
                 "--cluster", address]) == 0
    local = (tmp_path / "local.jsonl").read_text()
    assert len(local.splitlines()) == 2 and "seconds" not in local
    assert (tmp_path / "cluster.jsonl").read_bytes() == local.encode()


class FakeRay:
    """Ray as the driver sees it, scripted: the first host answers one task, then its node is
    lost, and no host starts again (every node gone). A reference is a function that returns
    the value or raises."""

    def __init__(self) -> None:
        self.hosts = 0

    def remote(self, **_options):
        return lambda _cls: None  # hosts come from ``host`` instead

    def put(self, value):
        return value

    def wait(self, refs, num_returns, timeout):
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref):
        return ref()

    def kill(self, _host, no_restart=True):
        pass

    def host(self):
        first = self.hosts == 0
        self.hosts += 1
        calls = []

        def fail(message):
            raise RuntimeError(message)

        def call(index, _task):
            calls.append(index)
            if len(calls) > 1:
                return lambda: fail("node lost")
            return lambda: pickle.dumps(Outcome(Status.DONE, 0.1, value=index))

        ready = (lambda: 1) if first else (lambda: fail("no node"))
        return types.SimpleNamespace(ready=types.SimpleNamespace(remote=lambda: ready),
                                     call=types.SimpleNamespace(remote=call))


def test_losing_every_node_mid_batch_still_gives_each_task_one_row():
    from symbolic.cluster import _Driver

    fake = FakeRay()
    driver = _Driver(fake, act, RunConfig(jobs=1, cluster="fake"), 1)

    def start_host(self=driver):
        host = fake.host()
        self.starting[host.ready.remote()] = host

    driver._start_host = start_host  # type: ignore[method-assign]
    out = dict(driver.drive([Task(("value", 1.0), 5)] * 3))
    assert sorted(out) == [0, 1, 2]
    assert out[0].status is Status.DONE
    for index in (1, 2):
        assert out[index].status is Status.DIED
        assert out[index].message == "cluster workers fail to start (RuntimeError: no node)"
