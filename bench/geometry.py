"""Geometry benchmark: our engine vs Newclid 3.0.1 + yuclid, DD+AR only, side by side.

Reads an AlphaGeometry (AG1) problem file (pairs of lines: name, problem), runs every problem
with a per-problem timeout on each engine and prints, per engine: proved / of, median and mean
seconds of the proved problems, and the saturated (or unknown) / timeout / error counts, then
the problems proved by one engine only.

Reproduce (from the repo root):

    python bench/geometry.py --setup       # once: .bench-venv with newclid 3.0.1, py-yuclid 3.0.0
    # i.e. python -m venv .bench-venv && .bench-venv/bin/pip install newclid==3.0.1 \
    #          py-yuclid==3.0.0 pyyaml        (pyyaml: undeclared dependency of newclid 3.0.1)
    python bench/geometry.py ../shared/benchmarks/geometry/jgex_ag_231.txt \
        --only newclid --timeout 30 --limit 40
    python bench/geometry.py ../shared/benchmarks/geometry/jgex_ag_231.txt \
        --timeout 30 --jobs 2 --json-out jgex_rows.json

Newclid runs in its own venv (`--newclid-python`, default .bench-venv/bin/python), one
subprocess per problem (bench/_newclid_runner.py, killed with its process group on timeout),
`--jobs` at a time. Its time is the runner's in-process build+solve time; interpreter start-up
and imports (~1.5 s) are excluded but recorded as `wall_seconds` in --json-out. The runner
translates AG1 syntax into Newclid's JGEX dialect (see its docstring). Seed 0 by default.

Our engine is run once over the file through its CLI contract,
`solve-problem FILE --timeout S --jobs N --json` (or `python -m reasoner.cli FILE ...`), which
prints one JSON object per problem per line; its own `seconds` field is used. If the CLI is
missing or prints no rows, our column reads n/a with the reason. With `--per-process` it is run
as Newclid is, one command per problem (`--jobs` commands at a time), and the table's
`median wall s` column gives the median time of the whole command over the proved problems,
interpreter start-up, imports and any model loading included: what a user waits for one problem.

Measured (2-core CPU, seed 0, --timeout 30 --jobs 2): Newclid 3.0.1 + yuclid proves 205/231
of jgex_ag_231 (25 saturated, 1 yuclid SIGABRT), median 0.053 s, mean 0.102 s per proved problem.
With `--per-process --timeout 60 --jobs 2` (2026-12-03, load about 3): ours 214/231, median
wall of the command 1.80 s per proved problem; Newclid 205/231, 5.81 s.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NEWCLID_PYTHON = REPO_ROOT / ".bench-venv" / "bin" / "python"
RUNNER = Path(__file__).resolve().parent / "_newclid_runner.py"
NEWCLID_PACKAGES = ("newclid==3.0.1", "py-yuclid==3.0.0", "pyyaml")
ENGINES = ("ours", "newclid")
OURS_DDAR = "ours DD+AR"
UNSOLVED = ("saturated", "unknown")  # the engine stopped without a proof


@dataclass(frozen=True)
class Problem:
    name: str
    text: str


@dataclass(frozen=True)
class Row:
    """One engine's outcome on one problem."""

    engine: str
    problem: str
    status: str  # proved | saturated | unknown | timeout | error
    seconds: float  # engine-reported solve time (wall time for timeouts/crashes)
    wall_seconds: float | None = None
    steps: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class EngineRun:
    """All rows of one engine, or the reason it could not be run."""

    engine: str
    rows: list[Row] = field(default_factory=list)
    unavailable: str | None = None


@dataclass(frozen=True)
class Summary:
    engine: str
    proved: int
    total: int
    median_proved: float | None
    mean_proved: float | None
    median_wall: float | None  # whole command per problem (None: not run one per process)
    unsolved: int
    timeout: int
    error: int


# ---------------------------------------------------------------- problem file


def read_problems(path: Path, limit: int | None = None) -> list[Problem]:
    """AG1 `Problem.from_txt_file`: blank lines dropped, then (name, problem) pairs."""
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if len(lines) % 2:
        raise ValueError(f"{path}: odd number of non-blank lines ({len(lines)})")
    problems = [Problem(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]
    return problems[:limit] if limit is not None else problems


def write_problems(problems: Sequence[Problem], path: Path) -> None:
    path.write_text("".join(f"{p.name}\n{p.text}\n" for p in problems))


# ---------------------------------------------------------------- newclid


def setup_newclid_venv(python: Path) -> None:
    """Create the venv that owns `python` and install Newclid + yuclid into it."""
    venv = python.parent.parent
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", *NEWCLID_PACKAGES]
    subprocess.run(pip, check=True)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _last_json_line(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


def run_newclid_one(problem: Problem, python: Path, timeout: float, seed: int) -> Row:
    """Run one problem in a fresh Newclid subprocess, killed (with yuclid) on timeout."""
    cmd = [str(python), str(RUNNER), "--name", problem.name, "--problem", problem.text]
    cmd += ["--seed", str(seed)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        wall = time.perf_counter() - t0
        return Row("newclid", problem.name, "timeout", round(wall, 4), round(wall, 4))
    wall = round(time.perf_counter() - t0, 4)
    out = _last_json_line(stdout)
    if out is None:
        detail = f"exit {proc.returncode}: {stderr.strip()[-300:]}"
        return Row("newclid", problem.name, "error", wall, wall, detail=detail)
    return Row(
        engine="newclid",
        problem=problem.name,
        status=str(out.get("status", "error")),
        seconds=float(out.get("seconds", wall)),
        wall_seconds=wall,
        steps=out.get("steps"),
        detail=out.get("error"),
    )


def run_newclid(
    problems: Sequence[Problem], python: Path, timeout: float, jobs: int, seed: int
) -> EngineRun:
    if not python.exists():
        return EngineRun("newclid", unavailable=f"{python} missing; run with --setup")
    solve = functools.partial(run_newclid_one, python=python, timeout=timeout, seed=seed)
    return EngineRun("newclid", rows=_map_with_progress(solve, problems, jobs))


def _map_with_progress(
    solve: Callable[[Problem], Row], problems: Sequence[Problem], jobs: int
) -> list[Row]:
    """Solve `jobs` problems at a time (each in its own subprocess); keep input order."""
    results: dict[str, Row] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(solve, p): p for p in problems}
        for done, future in enumerate(as_completed(futures), 1):
            row = future.result()
            results[futures[future].name] = row
            print(
                f"[{done}/{len(problems)}] {row.engine} {row.status} "
                f"{row.seconds:.2f}s {row.problem}",
                file=sys.stderr,
                flush=True,
            )
    return [results[p.name] for p in problems]


# ---------------------------------------------------------------- ours


def ours_command() -> list[str] | None:
    """`solve-problem` if installed, else `python -m reasoner.cli` if it exists, else None."""
    exe = shutil.which("solve-problem")
    if exe:
        return [exe]
    sys.path.insert(0, str(REPO_ROOT))
    try:
        found = importlib.util.find_spec("reasoner.cli") is not None
    except ImportError:
        found = False
    finally:
        sys.path.remove(str(REPO_ROOT))
    return [sys.executable, "-m", "reasoner.cli"] if found else None


def parse_ours_output(stdout: str) -> dict[str, dict[str, Any]]:
    """Geometry JSON rows of our CLI, keyed by problem name; other lines are ignored."""
    rows: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if (
            isinstance(obj, dict)
            and "problem" in obj
            and obj.get("domain", "geometry") == "geometry"
        ):
            rows[str(obj["problem"])] = obj
    return rows


def _ours_row(problem: Problem, out: dict[str, Any] | None) -> Row:
    if out is None:
        return Row("ours", problem.name, "error", 0.0, detail="no output row for this problem")
    return Row(
        engine="ours",
        problem=problem.name,
        status=str(out.get("status", "error")),
        seconds=float(out.get("seconds", 0.0)),
        steps=out.get("steps"),
        detail=out.get("error") or out.get("reason"),
    )


def run_ours(problems: Sequence[Problem], timeout: float, jobs: int,
             extra: Sequence[str] = (), label: str = "ours") -> EngineRun:
    cmd = ours_command()
    if cmd is None:
        reason = "engine not built yet: no `solve-problem` on PATH and no reasoner/cli.py"
        return EngineRun(label, unavailable=reason)
    # Generous outer guard; the CLI enforces the per-problem timeout itself.
    budget = (len(problems) // max(jobs, 1) + 1) * (timeout + 10) + 60
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "problems.txt"
        write_problems(problems, file)
        argv = [*cmd, str(file), "--timeout", f"{timeout:g}", "--jobs", str(jobs), "--json",
                *extra]
        try:
            proc = subprocess.run(
                argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=budget
            )
        except subprocess.TimeoutExpired as exc:
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            return _ours_rows(problems, stdout, f"CLI exceeded {budget:.0f} s overall", label)
    return _ours_rows(
        problems, proc.stdout, f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}", label
    )


def run_ours_one(problem: Problem, timeout: float, extra: Sequence[str] = (),
                 cmd: Sequence[str] = ()) -> Row:
    """One problem in its own `solve-problem` command; `wall_seconds` is the command's time."""
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "problem.txt"
        write_problems([problem], file)
        argv = [*cmd, str(file), "--timeout", f"{timeout:g}", "--jobs", "1", "--json", *extra]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True,
                                  timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            wall = round(time.perf_counter() - t0, 4)
            return Row("ours", problem.name, "timeout", wall, wall, detail="command hung")
        wall = round(time.perf_counter() - t0, 4)
    row = _ours_row(problem, parse_ours_output(proc.stdout).get(problem.name))
    if row.status == "error" and row.detail == "no output row for this problem":
        row = replace(row, detail=f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return replace(row, wall_seconds=wall)


def run_ours_per_process(problems: Sequence[Problem], timeout: float, jobs: int,
                         extra: Sequence[str] = (), label: str = "ours") -> EngineRun:
    cmd = ours_command()
    if cmd is None:
        return EngineRun(label, unavailable="engine not built yet: no `solve-problem` on PATH "
                                            "and no reasoner/cli.py")
    solve = functools.partial(run_ours_one, timeout=timeout, extra=extra, cmd=cmd)
    return EngineRun(label, rows=_map_with_progress(solve, problems, jobs))


def _ours_rows(problems: Sequence[Problem], stdout: str, failure: str,
               label: str = "ours") -> EngineRun:
    outputs = parse_ours_output(stdout)
    if not outputs:
        return EngineRun(label, unavailable=f"no JSON rows ({failure})")
    return EngineRun(label, rows=[_ours_row(p, outputs.get(p.name)) for p in problems])


# ---------------------------------------------------------------- report


def _count(rows: Sequence[Row], *statuses: str) -> int:
    return sum(row.status in statuses for row in rows)


def summarize(run: EngineRun) -> Summary:
    """Anything not proved, saturated/unknown or timed out counts as an error."""
    proved = [r.seconds for r in run.rows if r.status == "proved"]
    walls = [r.wall_seconds for r in run.rows if r.status == "proved"]
    unsolved, timeout = _count(run.rows, *UNSOLVED), _count(run.rows, "timeout")
    return Summary(
        engine=run.engine,
        proved=len(proved),
        total=len(run.rows),
        median_proved=statistics.median(proved) if proved else None,
        mean_proved=statistics.fmean(proved) if proved else None,
        median_wall=(statistics.median(w for w in walls if w is not None)
                     if walls and None not in walls else None),
        unsolved=unsolved,
        timeout=timeout,
        error=len(run.rows) - len(proved) - unsolved - timeout,
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_table(runs: Sequence[EngineRun]) -> str:
    header = (
        "engine",
        "proved",
        "of",
        "median s (proved)",
        "mean s (proved)",
        "median wall s (proved)",
        "saturated/unknown",
        "timeout",
        "error",
    )
    body: list[tuple[str, ...]] = []
    notes: list[str] = []
    for run in runs:
        if run.unavailable is not None:
            body.append((run.engine, "n/a", *("" for _ in header[2:])))
            notes.append(f"{run.engine}: n/a - {run.unavailable}")
            continue
        s = summarize(run)
        body.append(
            (
                s.engine,
                str(s.proved),
                str(s.total),
                _fmt(s.median_proved),
                _fmt(s.mean_proved),
                _fmt(s.median_wall),
                str(s.unsolved),
                str(s.timeout),
                str(s.error),
            )
        )
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *body)
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines + notes + _only_one_lines(runs))


def _only_one_lines(runs: Sequence[EngineRun]) -> list[str]:
    """Problems proved by one engine but not the other (ours DD+AR vs Newclid, both ran)."""
    ran = [r for r in runs if r.unavailable is None and r.engine in (OURS_DDAR, "newclid")]
    if len(ran) != 2:
        return []
    proved = [{row.problem for row in r.rows if row.status == "proved"} for r in ran]
    lines = []
    for (run, mine), theirs in zip(zip(ran, proved, strict=True), reversed(proved), strict=True):
        only = sorted(mine - theirs)
        lines.append(f"proved only by {run.engine} ({len(only)}): {', '.join(only) or '-'}")
    return lines


# ---------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark our geometry engine against Newclid 3.0.1 + yuclid.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("file", nargs="?", type=Path, help="AG1 problem file (name/problem pairs)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per problem")
    parser.add_argument("--jobs", type=int, default=2, help="problems run in parallel")
    parser.add_argument("--only", choices=("ours", "newclid", "both"), default="both")
    parser.add_argument("--limit", type=int, default=None, help="first N problems only")
    parser.add_argument("--seed", type=int, default=0, help="Newclid diagram seed")
    parser.add_argument("--json-out", type=Path, default=None, help="write per-problem rows")
    parser.add_argument("--aux", action="store_true",
                        help="also run ours with the auxiliary-construction search "
                             "(solve-problem's default: heuristic, memory and neural sources) "
                             "as a third row; the "
                             "first two rows are DD+AR only (ours with --no-aux)")
    parser.add_argument("--per-process", action="store_true",
                        help="run ours one command per problem, as Newclid is run, and report "
                             "the median wall time of the whole command (start-up, imports "
                             "and model loading included)")
    parser.add_argument("--newclid-python", type=Path, default=DEFAULT_NEWCLID_PYTHON)
    parser.add_argument(
        "--setup",
        action="store_true",
        help="create the Newclid venv and install into it, then exit",
    )
    args = parser.parse_args(argv)
    if not args.setup and args.file is None:
        parser.error("a problem FILE is required (unless --setup)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.setup:
        setup_newclid_venv(args.newclid_python)
        print(f"Newclid venv ready: {args.newclid_python}")
        return 0
    problems = read_problems(args.file, args.limit)
    engines = ENGINES if args.only == "both" else (args.only,)
    runs: list[EngineRun] = []
    if "ours" in engines:
        ours = run_ours_per_process if args.per_process else run_ours
        runs.append(ours(problems, args.timeout, args.jobs, ("--no-aux",), OURS_DDAR))
        if args.aux:
            runs.append(ours(problems, args.timeout, args.jobs, (), "ours + aux search"))
    if "newclid" in engines:
        runs.append(run_newclid(problems, args.newclid_python, args.timeout, args.jobs, args.seed))
    print(f"{args.file} - {len(problems)} problems, timeout {args.timeout:g} s, jobs {args.jobs}")
    print(format_table(runs))
    if args.json_out is not None:
        rows = [asdict(row) for run in runs for row in run.rows]
        args.json_out.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
