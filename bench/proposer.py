"""Proposer benchmark: geometry problems solved with the auxiliary search on vs off, each
proposal source ablated, and the Bayesian ranking on vs off, all at the same time budget.

Every configuration is one run of the CLI contract over the same problem file,
`solve-problem FILE --timeout S --jobs N --json` plus the configuration's flags, with a fresh
memory store per configuration (`--memory`, so within a run problems solved earlier can
inform later ones, in file order; never a problem its own answer). Configurations:

| name | flags |
|---|---|
| ddar | --no-aux (DD+AR alone) |
| all | the defaults: all sources (heuristic, memory, neural) merged round-robin |
| no-heuristic / no-memory / no-neural | --sources without that one |
| heuristic-only | --sources heuristic |
| neural-only | --sources neural (the model alone) |
| memory-only | --sources memory (the auxiliary points of earlier proofs in the run alone) |
| ranking | all sources ordered by the Bayesian ranking (--ranking) |
| heuristic-ranked | heuristic candidates in the model's order (--sources heuristic) |
| all-ranked | all sources; heuristic, memory candidates in the model's order (--neural-ranking) |
| all-trajectory-model | all sources; the model in the trajectories too (--trajectory-model 0.2) |

To fit the time, `--subset unsolved` runs only the problems the ledger
(`problems/geometry/jgex_ag_231.expected.json`) lists as not proved by DD+AR alone
(`--subset attempts`: the 23 it listed when the attempts-per-second comparisons began); the
others are proved by DD+AR before any search starts, so they count as solved in every
configuration with the search on. Prints a table (solved, of which with auxiliary points,
per source, median seconds of the solved, and attempts per second: candidates tried over
search seconds, summed over the problems that ran the search) and writes every row as JSON
with `--json-out`.

    python bench/proposer.py ../shared/benchmarks/geometry/jgex_ag_231.txt --subset unsolved \\
        --configs all,heuristic-only,ranking --timeout 60 --jobs 2 --json-out prop.json
    python bench/proposer.py ../shared/benchmarks/geometry/jgex_ag_231.txt --subset all \\
        --configs ddar,all --timeout 60 --jobs 2

If `neural.proposer` is not installed (or has no weights), the neural source is absent and
the table says so: `all` and `no-neural` are then the same configuration.

Measured 2026-11-28 (2-core CPU shared with other jobs, 60 s, --jobs 2, seed 0; neural source
= neural/proposer.py at main 0d1038c): full set, ddar 200/231, all 223/231 (no DD+AR proof
lost, 23 of the 31 DD+AR-unsolved gained). On the 31 DD+AR-unsolved: all 23, no-memory 24,
no-neural 21, heuristic-only 21, neural-only 24, no-heuristic 23, ranking 23 (the memory
here starts empty and holds only this subset's solutions).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
LEDGER = REPO_ROOT / "problems" / "geometry" / "jgex_ag_231.expected.json"
# --subset: the ledger's list of the problems DD+AR leaves now, or the fixed 23 it left when
# the attempts-per-second comparisons began (2026-12-03, 208 proved)
LEDGER_KEYS = {"unsolved": "not_proved", "attempts": "attempts_subset"}

CONFIGS: dict[str, tuple[str, ...]] = {
    "ddar": ("--no-aux",),
    "all": (),
    "no-heuristic": ("--sources", "memory,neural"),
    "no-memory": ("--sources", "heuristic,neural"),
    "no-neural": ("--sources", "heuristic,memory"),
    "heuristic-only": ("--sources", "heuristic"),
    "neural-only": ("--sources", "neural"),
    "memory-only": ("--sources", "memory"),
    "ranking": ("--ranking",),
    "heuristic-ranked": ("--sources", "heuristic", "--neural-ranking"),
    "all-ranked": ("--neural-ranking",),
    "all-trajectory-model": ("--trajectory-model", "0.2"),
}


def read_pairs(path: Path) -> list[tuple[str, str]]:
    lines = [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
    return list(zip(lines[::2], lines[1::2]))


def select(pairs: list[tuple[str, str]], subset: str, ledger: Path,
           limit: int | None) -> list[tuple[str, str]]:
    if subset in LEDGER_KEYS:
        names = set(json.loads(ledger.read_text())[LEDGER_KEYS[subset]])
        pairs = [p for p in pairs if p[0] in names]
    return pairs[:limit] if limit else pairs


def neural_meta() -> dict[str, Any] | None:
    """The shipped model's training record (held-back loss and exact-match accuracy...), or
    None when it is not installed."""
    code = ("import json, sys\ntry:\n from neural.proposer import load_default\n"
            "except ImportError:\n sys.exit(1)\np = load_default()\n"
            "sys.exit(1) if p is None else print(json.dumps(p.meta))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def run_config(name: str, pairs: list[tuple[str, str]], timeout: float, jobs: int,
               seed: int) -> dict[str, Any]:
    """One CLI run over ``pairs``; its JSON rows and wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "problems.txt"
        file.write_text("".join(f"{n}\n{t}\n" for n, t in pairs))
        argv = [sys.executable, "-m", "reasoner.cli", str(file), "--json", "--timeout",
                f"{timeout:g}", "--jobs", str(jobs), "--seed", str(seed), *CONFIGS[name]]
        if "--no-aux" not in CONFIGS[name]:
            argv += ["--memory", str(Path(tmp) / "memory")]
        start = time.monotonic()
        guard = (len(pairs) // max(jobs, 1) + 1) * (timeout + 10) + 120
        try:
            proc = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True,
                                  timeout=guard)
            stdout, err = proc.stdout, proc.stderr.strip()[-300:]
        except subprocess.TimeoutExpired as e:
            stdout = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
            err = f"exceeded {guard:.0f} s"
    rows = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {"config": name, "flags": list(CONFIGS[name]), "rows": rows,
            "wall_seconds": round(time.monotonic() - start, 1),
            "error": None if len(rows) == len(pairs) else err}


def inference_cost(pairs: list[tuple[str, str]], seed: int, label: str) -> str:
    """The model's cost per clause on the problems ``pairs`` (name, text) of ``label``, in this
    process (the model loaded once; its loading time reported apart): its own proposals
    (grammar-constrained beam search, ``k`` clauses) and scoring heuristic candidates as a
    ranker. One thread, as a search worker runs it."""
    import torch

    from neural.proposer import load_default
    from neural.ranker import ModelRanker
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.heuristics import HeuristicProposer
    from symbolic.geometry.problem import parse_problem

    torch.manual_seed(seed)
    start = time.perf_counter()
    proposer = load_default()
    load_s = time.perf_counter() - start
    if proposer is None:
        return "inference cost: no model installed"
    ranker = ModelRanker(proposer)
    chosen = []
    for name, text in pairs:
        try:
            chosen.append(parse_problem(text, name))
        except GeometryError:
            continue  # reported by the configurations' runs
    rows: dict[str, list[float]] = {}
    for problem in chosen:
        proposer.propose(problem, 1)  # untimed: the first call binds the clause grammar
        for k in (1, 16, 64):
            t = time.perf_counter()
            got = proposer.propose(problem, k)
            rows.setdefault(f"propose k={k}", []).append(
                (time.perf_counter() - t) / max(len(got), 1))
        for k in (100, 400):
            cands = HeuristicProposer().propose(problem, k)
            t = time.perf_counter()
            ranker.score(problem, cands)
            rows.setdefault(f"rank {k} heuristic candidates", []).append(
                (time.perf_counter() - t) / max(len(cands), 1))
    lines = [f"model loading {load_s * 1000:.0f} ms (once per worker); per clause, median "
             f"over {len(chosen)} problems of {label}:",
             "| call | ms per clause |", "|---|---|"]
    lines += [f"| {name} | {statistics.median(v) * 1000:.2f} |" for name, v in rows.items()]
    return "\n".join(lines)


def summarize(run: dict[str, Any], total: int) -> dict[str, Any]:
    proved = [r for r in run["rows"] if r["status"] == "proved"]
    with_aux = [r for r in proved if r.get("auxiliary")]
    by_source: Counter[str] = Counter()
    for r in with_aux:
        for s in sorted(set(r.get("auxiliary_sources", []))):
            by_source[s] += 1
    depth2 = sum(1 for r in with_aux if r.get("search", {}).get("depth", 1) >= 2)
    searched = [r["search"] for r in run["rows"] if r.get("search", {}).get("search_seconds")]
    seconds = sum(s["search_seconds"] for s in searched)
    return {"config": run["config"], "problems": total, "solved": len(proved),
            "with_aux": len(with_aux), "depth2": depth2, "by_source": dict(by_source),
            "median_s": statistics.median(r["seconds"] for r in proved) if proved else None,
            "attempts_per_s": sum(s["tried"] for s in searched) / seconds if seconds else None,
            "wall_s": run["wall_seconds"], "error": run["error"]}


def format_table(summaries: Sequence[dict[str, Any]]) -> str:
    head = ("| configuration | solved | with aux | of which depth 2 | aux proofs by source "
            "| median s (solved) | attempts/s |")
    lines = [head, "|---|---|---|---|---|---|---|"]
    for s in summaries:
        src = ", ".join(f"{k} {v}" for k, v in sorted(s["by_source"].items())) or "-"
        med = "-" if s["median_s"] is None else f"{s['median_s']:.2f}"
        rate = "-" if s["attempts_per_s"] is None else f"{s['attempts_per_s']:.1f}"
        lines.append(f"| {s['config']} | {s['solved']} / {s['problems']} | {s['with_aux']} | "
                     f"{s['depth2']} | {src} | {med} | {rate} |"
                     + (f" (incomplete: {s['error']})" if s["error"] else ""))
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Solved counts with the auxiliary search on vs off, each proposal source "
        "ablated, ranking on vs off, at one time budget.",
        epilog="configurations: " + ", ".join(CONFIGS))
    p.add_argument("file", type=Path, help="AlphaGeometry problem file (name, problem lines)")
    p.add_argument("--configs", default="ddar,all,no-heuristic,no-memory,no-neural,ranking",
                   help="comma-separated configurations (default: %(default)s)")
    p.add_argument("--subset", choices=("all", *LEDGER_KEYS), default="all",
                   help="all problems, only those the ledger lists as not proved by DD+AR "
                        "(unsolved), or the 23 it listed when the attempts-per-second "
                        "comparisons began (attempts)")
    p.add_argument("--ledger", type=Path, default=LEDGER, help="ledger of DD+AR outcomes")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per problem")
    p.add_argument("--jobs", type=int, default=2, help="problems in parallel (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="first N selected problems only")
    p.add_argument("--every", type=int, default=1, metavar="N",
                   help="every N-th selected problem only, a slice of a long run (default 1)")
    p.add_argument("--offset", type=int, default=0, metavar="K",
                   help="with --every: start at the K-th selected problem (default 0)")
    p.add_argument("--json-out", type=Path, help="write the summaries and all rows as JSON")
    p.add_argument("--inference-cost", type=int, default=0, metavar="N",
                   help="also time the model per clause (its proposals, and as a ranker) on "
                        "the first N selected problems, in this process")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in names if c not in CONFIGS]
    if unknown:
        print(f"unknown configuration {unknown[0]!r}; known: {', '.join(CONFIGS)}",
              file=sys.stderr)
        return 2
    pairs = select(read_pairs(args.file), args.subset, args.ledger, None)
    pairs = pairs[args.offset::max(args.every, 1)][:args.limit]
    meta = neural_meta()
    neural = meta is not None
    runs, summaries = [], []
    for name in names:
        run = run_config(name, pairs, args.timeout, args.jobs, args.seed)
        runs.append(run)
        summaries.append(summarize(run, len(pairs)))
        print(f"{name}: {summaries[-1]['solved']}/{len(pairs)} solved "
              f"({run['wall_seconds']} s)", file=sys.stderr, flush=True)
    print(f"{args.file} ({args.subset}: {len(pairs)} problems), timeout {args.timeout:g} s, "
          f"jobs {args.jobs}, seed {args.seed}; neural source "
          f"{'present' if neural else 'absent (not installed or no weights)'}")
    if meta:
        print(f"model: {meta.get('examples')} examples, held back {meta.get('eval_sequences')} "
              f"sequences: loss {meta.get('eval_loss')}, exact match "
              f"{meta.get('eval_exact')} (the model's own clause equals the data's)")
    print(format_table(summaries))
    if args.inference_cost:
        print(inference_cost(pairs[:args.inference_cost], args.seed, args.file.name))
    if args.json_out:
        args.json_out.write_text(json.dumps({"file": str(args.file), "subset": args.subset,
                                             "timeout": args.timeout, "jobs": args.jobs,
                                             "neural": neural, "model": meta,
                                             "summaries": summaries,
                                             "runs": runs}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
