"""The Ray cluster backend against the local process pool, and a simulated scale-out.

``run``: solves a problem file twice with the same configuration as ``solve-problem FILE
--timeout S --jobs N`` (the same plan: ``reasoner.batch.plan``), first on the local process
pool, then with ``--cluster ADDRESS`` (default ``local``: a private Ray instance on this
machine), and writes every problem's status, own seconds and the runner's wall seconds (from
hand-over to outcome) for both to ``--out`` (JSON). It prints:

- the proved sets and every problem whose status differs, with its seconds in each run
  (``near the limit``: where it did not time out, it took at least the timeout less 1 s);
- the scheduling overhead per problem, wall - own seconds of every problem that answered
  (median, p99, max) for each backend; on the cluster it is the Ray round trip to the host plus
  the host's pipe to its forked worker; the pool's is the pipe alone;
- each batch's wall time (the cluster's with Ray's start-up and shutdown) and the throughput
  ratio cluster/pool.

``overhead``: the runner's own cost apart from any solver: ``--tasks`` tasks that sleep
``--sleep`` seconds each, on the pool and on the cluster; per task, wall - own seconds (median,
p99), and each batch's wall time (the cluster's with its hosts' start-up: each batch starts
its own actors and their server processes, about a second each; Ray itself is started first).

``scale``: from a ``run`` file, the wall time the batch would take on K real cores
(K = 2, 4, 8, 16 by default): the measured per-problem wall seconds on the cluster (own time
plus overhead, a timeout counted at its kill time), handed to K workers in input order, each
problem to the first free worker (what the driver does), plus the cluster's measured fixed
start-up. It assumes each problem takes as long on a core of its own as it did here with 2
problems sharing 2 cores, and that the driver keeps up (its per-problem work is the overhead
measured above).

Reproduce (from the repo root; ~10 min per backend with most of JGEX-231 fast, the rest
timing out; other work on the machine slows both runs):

    python bench/cluster.py run ../shared/benchmarks/geometry/jgex_ag_231.txt \\
        --timeout 30 --jobs 2 --out cluster_jgex.json
    python bench/cluster.py scale cluster_jgex.json  # or bench/results/*.json.gz
    python bench/cluster.py overhead --tasks 400 --jobs 2
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reasoner.batch import plan, result_of  # noqa: E402
from reasoner.cli import collect, solve_config  # noqa: E402
from reasoner.cli import parse_args as solve_args  # noqa: E402
from symbolic.runner import RunConfig, Task, run  # noqa: E402

BACKENDS = ("pool", "cluster")


def measure(path: str, timeout: float, jobs: int, cluster: str | None) -> dict:
    """One batch: per problem ``name``, ``status``, ``seconds`` (its own), ``wall`` (the
    runner's, hand-over to outcome); the batch's ``wall`` from start to the last row."""
    args = solve_args([path, "--timeout", str(timeout), "--jobs", str(jobs)])
    items = [item for item in collect(args.paths, None) if item.error is None]
    config = solve_config(args)
    start = time.monotonic()
    fn, tasks, run_config = plan(items, config, jobs, cluster=cluster)
    rows: list[dict] = [{} for _ in items]
    for done, (index, outcome) in enumerate(run(fn, tasks, run_config), 1):
        result = result_of(items[index], outcome, config.timeout)
        rows[index] = {"name": items[index].name, "status": result.status.value,
                       "seconds": result.seconds, "own": outcome.seconds,
                       "wall": outcome.wall, "answered": outcome.status.value == "done"}
        if done % 20 == 0 or done == len(items):
            print(f"  {cluster or 'pool'}: {done}/{len(items)} "
                  f"({time.monotonic() - start:.0f} s)", file=sys.stderr)
    return {"backend": "cluster" if cluster else "pool", "cluster": cluster,
            "wall": time.monotonic() - start, "rows": rows}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(data: dict) -> None:
    timeout = data["timeout"]
    pool, cluster = data["pool"], data["cluster"]
    proved = {b: {r["name"] for r in data[b]["rows"] if r["status"] == "proved"}
              for b in BACKENDS}
    print(f"{data['file']}: {len(pool['rows'])} problems, --timeout {timeout:g} "
          f"--jobs {data['jobs']}")
    for b in BACKENDS:
        print(f"  {b:8} proved {len(proved[b])}, batch wall {data[b]['wall']:.1f} s")
    for p, c in zip(pool["rows"], cluster["rows"]):
        if p["status"] != c["status"]:
            answered = [r["seconds"] for r in (p, c) if r["status"] != "timeout"]
            near = all(seconds >= timeout - 1 for seconds in answered)
            print(f"  differs: {p['name']}: pool {p['status']} {p['seconds']:.2f} s, cluster "
                  f"{c['status']} {c['seconds']:.2f} s{'  (near the limit)' if near else ''}")
    for b in BACKENDS:
        over = [1000 * (r["wall"] - r["own"]) for r in data[b]["rows"] if r["answered"]]
        print(f"  {b:8} overhead per problem: median {statistics.median(over):.1f} ms, "
              f"p99 {percentile(over, 0.99):.1f} ms, max {max(over):.1f} ms "
              f"({len(over)} answered)")
    print(f"  throughput cluster/pool: {pool['wall'] / cluster['wall']:.1%} "
          "(the cluster's wall includes Ray's start-up and shutdown)")


def nap(seconds: float) -> float:
    """The no-op task of ``overhead``."""
    time.sleep(seconds)
    return seconds


def overhead(tasks: int, sleep: float, jobs: int, cluster: str) -> None:
    import ray

    work = [Task((sleep,), 30) for _ in range(tasks)]
    ray.init(address="local", num_cpus=jobs, include_dashboard=False, log_to_driver=False,
             logging_level="ERROR")
    try:
        for name, config in (("pool", RunConfig(jobs=jobs)),
                             ("cluster", RunConfig(jobs=jobs, cluster=cluster))):
            start = time.monotonic()
            outcomes = [o for _, o in run(nap, work, config)]
            wall = time.monotonic() - start
            over = [1000 * (o.wall - o.seconds) for o in outcomes]
            print(f"  {name:8} {tasks} tasks of {sleep * 1000:g} ms, --jobs {jobs}: overhead "
                  f"per task median {statistics.median(over):.2f} ms, p99 "
                  f"{percentile(over, 0.99):.2f} ms; batch {wall:.2f} s (ideal "
                  f"{tasks * sleep / jobs:.2f} s)")
    finally:
        ray.shutdown()


def simulate(walls: list[float], k: int) -> float:
    """Makespan of ``walls`` handed out in order, each to the first free of ``k`` workers."""
    free = [0.0] * k
    for wall in walls:
        heapq.heappush(free, heapq.heappop(free) + wall)
    return max(free)


def scale(data: dict, ks: list[int]) -> None:
    rows = data["cluster"]["rows"]
    walls = [r["wall"] for r in rows]
    jobs = data["jobs"]
    fixed = max(0.0, data["cluster"]["wall"] - simulate(walls, jobs))
    print(f"{data['file']}: {len(rows)} problems, {sum(walls):.0f} task-seconds measured on "
          f"the cluster backend (--jobs {jobs}); fixed cost (start-up, shutdown, idle tail "
          f"beyond the simulation) {fixed:.1f} s")
    print("   K   simulated wall   speed-up vs K=2")
    base = simulate(walls, 2) + fixed
    for k in ks:
        wall = simulate(walls, k) + fixed
        print(f"  {k:2}   {wall:10.1f} s   {base / wall:8.2f}x")


def load(path: str) -> dict:
    """A ``run`` file (``.json``, or ``.json.gz`` as kept in bench/results)."""
    data = Path(path).read_bytes()
    return json.loads(gzip.decompress(data) if path.endswith(".gz") else data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/cluster.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="the batch on the pool, then on the cluster")
    r.add_argument("file")
    r.add_argument("--timeout", type=float, default=30.0)
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--cluster", default="local", metavar="ADDRESS")
    r.add_argument("--out", required=True, help="JSON file of the measurements")
    o = sub.add_parser("overhead", help="the runner's own cost per task, apart from solving")
    o.add_argument("--tasks", type=int, default=400)
    o.add_argument("--sleep", type=float, default=0.02)
    o.add_argument("--jobs", type=int, default=2)
    p = sub.add_parser("report", help="print a run's comparison again from its JSON")
    p.add_argument("json")
    s = sub.add_parser("scale", help="the simulated scale-out from a run's JSON")
    s.add_argument("json")
    s.add_argument("--k", type=int, nargs="+", default=[2, 4, 8, 16])
    args = parser.parse_args(argv)
    if args.command == "scale":
        scale(load(args.json), args.k)
        return 0
    if args.command == "overhead":
        overhead(args.tasks, args.sleep, args.jobs, "auto")
        return 0
    if args.command == "report":
        report(load(args.json))
        return 0
    data = {"file": args.file, "timeout": args.timeout, "jobs": args.jobs}
    data["pool"] = measure(args.file, args.timeout, args.jobs, None)
    data["cluster"] = measure(args.file, args.timeout, args.jobs, args.cluster)
    Path(args.out).write_text(json.dumps(data, indent=1))
    report(data)
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
