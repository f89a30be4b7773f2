"""Does training on the search's own proofs help? Self-improvement measured on held-out problems.

The problems of a benchmark are split into folds (by their position in the problem file). For
each fold, the proposer is fine-tuned (``neural.train --init``) on the auxiliary points the
search found for the *other* folds' problems (``neural.proved``: renamed, re-proved, kept when
DD+AR needs them), mixed into every batch beside the data the shipped model was trained on;
the fold's own answers are never trained on. Then, on the fold's held-out examples (each
auxiliary clause given the statement and the clauses before it), the shipped and the tuned
model are compared:

- loss: mean negative log-probability per target token (teacher forced), and exact: the share
  of targets whose every token is the model's first choice;
- own beam: the share of targets among the model's own ``--beam`` proposals (the neural
  source);
- as a ranker: where the target lands among the heuristic source's first ``--pool``
  candidates (those held-out targets the heuristics offer at all), in the heuristic order and
  ordered by each model's log-probability (``neural.ranker``), as the median rank and the
  share in the first 10 and 50.

With ``--synthetic FILE`` a third model is compared on every fold: the base model fine-tuned
the same way on FILE (synthetic examples, e.g. ``neural.data --aux heuristic``, which hold no
benchmark answer at all) instead of on the other folds' proofs.

With ``--search-timeout S`` the fold's problems the rows list as proved with auxiliary points
are also searched again with the neural source alone, once per model (``solve-problem
--sources neural --model ...``), and the proved counts compared.

    solve-problem hageo_dev.txt --timeout 120 --jobs 2 --json > rows.jsonl
    python bench/self_improvement.py rows.jsonl --work si/ --steps 300

The rows of the README's headline run are kept (``bench/results/hageo_dev_120s_35b7f03.jsonl.gz``,
read as they are, from the repository root: they name the problem file relative to it).

The rows' problems must come from one problem file. Examples and tuned checkpoints are kept
in ``--work`` and reused by a second run with the same settings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from neural.jsonl import rows as read_rows  # noqa: E402  (``solve-problem --json`` rows, .gz too)
from neural.proposer import WEIGHTS  # noqa: E402

BASE_DATA = WEIGHTS.with_name("proposer_data.jsonl.gz")


def folds_of(rows: Sequence[dict], n: int) -> tuple[Path, list[list[str]]]:
    """The problem file of the rows and its problem names split into ``n`` folds by position
    (problem i goes to fold i mod n)."""
    from symbolic.geometry.problem import Problem, read_problems

    files = {str(r.get("file")) for r in rows if r.get("domain", "geometry") == "geometry"}
    if len(files) != 1:
        raise SystemExit(f"the rows come from {len(files)} problem files; give rows of one")
    file = Path(files.pop())
    names = [p.name for p in read_problems(file) if isinstance(p, Problem)]
    return file, [names[k::n] for k in range(n)]


def input_rows(path: Path, prog: str) -> list[dict]:
    """The rows of an input file (``solve-problem --json``, .gz too); where it cannot be read,
    one line on stderr naming it and exit 2 (``SystemExit``)."""
    from neural.jsonl import read

    try:
        return [row for _, _, row in read([path])]
    except ValueError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None


def examples(rows: Sequence[dict], keep: set[str] | None, out: Path) -> list[dict]:
    """The checked examples of the rows of the problems in ``keep`` (all rows if None;
    cached in ``out``)."""
    from neural.proved import examples_from_rows

    if not out.is_file():
        names = {str(r.get("problem")) for r in rows}
        found = examples_from_rows(rows, exclude=names - keep if keep is not None else frozenset())
        out.write_text("".join(json.dumps(ex.to_json()) + "\n" for ex in found))
    return read_rows(out)


def fine_tune(extra: Path, out: Path, args: argparse.Namespace) -> float:
    """Fine-tune the base model with ``extra`` mixed in; the seconds it took (0 if cached)."""
    if out.is_file() and out.with_name(out.name + ".sha256").is_file():
        return 0.0
    cmd = [sys.executable, "-m", "neural.train", str(args.data), "--init", str(args.model),
           "--extra", str(extra), "--extra-share", str(args.extra_share),
           "--steps", str(args.steps), "--batch", str(args.batch), "--lr", str(args.lr),
           "--warmup", str(max(1, args.steps // 10)), "--eval-every", str(args.steps),
           "--keep", "last", "--seed", str(args.seed), "--device", "cpu", "--out", str(out)]
    start = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.monotonic() - start


def held_sequences(exs: Sequence[dict]) -> list[tuple[list[str], str, str]]:
    """(statement with the clauses before, goal, target clause) of every auxiliary clause."""
    out = []
    for ex in exs:
        for i, clause in enumerate(ex["auxiliary"]):
            out.append((list(ex["statement"]) + list(ex["auxiliary"][:i]), ex["goal"], clause))
    return out


def model_metrics(proposer: Any, seqs: Sequence[tuple[list[str], str, str]], beam: int
                  ) -> dict[str, float]:
    """Teacher-forced loss and exact match, and the share of targets in the own beam."""
    import torch

    from neural.proposer import beam_search
    from neural.train import TrainSequence, evaluate

    tok, model = proposer.tokenizer, proposer.model
    items = [TrainSequence(tuple(tok.prompt(st, goal)), tuple(tok.target(t)), "eval")
             for st, goal, t in seqs]
    fits = [s for s in items if len(s.prompt) + len(s.target) <= model.config.max_len]
    loss, exact = evaluate(model, fits, tok.pad_id, "cpu")
    model.eval()
    hits = 0
    with torch.no_grad():
        for (st, _, target), item in zip(seqs, items):
            if len(item.prompt) + proposer.max_tokens > model.config.max_len:
                continue
            n = len({p for c in st for p in _defined(c)})
            found = beam_search(model, list(item.prompt), proposer.index(n), beam,
                                proposer.max_tokens, tok.eos_id, proposer._repeats)
            hits += any(tok.decode(ids) == target for ids, _ in found)
    return {"loss": loss, "exact": exact, "beam": hits / max(len(seqs), 1),
            "fits": len(fits)}


def _defined(clause: str) -> list[str]:
    return clause.split("=", 1)[0].split()


def ranks(proposers: dict[str, Any], seqs: Sequence[tuple[list[str], str, str]], pool: int
          ) -> dict[str, list[int]]:
    """Rank (0 = first) of each target the heuristic source offers, in its own order and in
    each model's order."""
    from neural.ranker import ModelRanker
    from symbolic.geometry.heuristics import HeuristicProposer
    from symbolic.geometry.problem import parse_problem

    out: dict[str, list[int]] = {"heuristic": [], **{k: [] for k in proposers}}
    heuristics = HeuristicProposer()
    rankers = {k: ModelRanker(p) for k, p in proposers.items()}
    for st, goal, target in seqs:
        problem = parse_problem("; ".join(st) + " ? " + goal)
        want = problem.parse_clauses([target])[0]
        cands = heuristics.propose(problem, pool)
        at = None
        for i, c in enumerate(cands):
            if len(c.clauses) != 1 or len(c.clauses[0].points) != len(want.points):
                continue
            same = c.clauses[0].rename(dict(zip(c.clauses[0].points, want.points)))
            if str(same) == str(want):
                at = i
                break
        if at is None:
            continue
        out["heuristic"].append(at)
        for k, r in rankers.items():
            scores = r.score(problem, cands)
            order = sorted(range(len(cands)), key=lambda i: (-scores[i], i))
            out[k].append(order.index(at))
    return out


def search(file: Path, names: Sequence[str], model: Path, args: argparse.Namespace
           ) -> tuple[int, float]:
    """Proved count and wall seconds of the neural source alone on ``names``."""
    cmd = [sys.executable, "-m", "reasoner", str(file), "--sources", "neural", "--model",
           str(model), "--timeout", str(args.search_timeout), "--jobs", str(args.jobs),
           "--json"]
    for n in names:
        cmd += ["--problem", n]
    start = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    rows = [json.loads(ln) for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode not in (0, 1) or len(rows) != len(names):  # 1: some not proved
        raise SystemExit(f"solve-problem with {model} answered {len(rows)} of {len(names)} "
                         f"problems (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return sum(r.get("status") == "proved" for r in rows), time.monotonic() - start


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("rows", type=Path, help="solve-problem --json rows of one problem file")
    p.add_argument("--work", type=Path, required=True,
                   help="folder for the examples and the tuned checkpoints (reused)")
    p.add_argument("--folds", type=int, default=2)
    p.add_argument("--model", type=Path, default=WEIGHTS, help="the base checkpoint")
    p.add_argument("--data", type=Path, default=BASE_DATA,
                   help="the base model's training data, mixed into every batch")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--extra-share", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--beam", type=int, default=16, help="width of the own-beam check")
    p.add_argument("--pool", type=int, default=400, help="heuristic candidates ranked")
    p.add_argument("--synthetic", type=Path, metavar="FILE",
                   help="also compare the base model fine-tuned on FILE (synthetic examples; "
                        "kept as WORK/synthetic.pt)")
    p.add_argument("--search-timeout", type=float, default=0.0,
                   help="also search the fold's auxiliary-point problems with the neural "
                        "source alone, S seconds each (0: not)")
    p.add_argument("--jobs", type=int, default=2)
    return p.parse_args(argv)


def fmt_ranks(r: list[int]) -> str:
    if not r:
        return "-"
    return (f"{statistics.median(r):g} / {sum(x < 10 for x in r)} / "
            f"{sum(x < 50 for x in r)}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from neural.proposer import WeightsError, load

    rows = input_rows(args.rows, "self_improvement")
    file, folds = folds_of(rows, args.folds)
    try:
        base = load(args.model)
    except WeightsError as e:
        print(f"self_improvement: error: {e}", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    models = {"base": base}
    if args.synthetic:
        seconds = fine_tune(args.synthetic, args.work / "synthetic.pt", args)
        print(f"fine-tuned on {args.synthetic} in {seconds:.0f} s", file=sys.stderr, flush=True)
        models["synthetic"] = load(args.work / "synthetic.pt")
    table = []
    for k, fold in enumerate(folds):
        held_names = set(fold)
        others = {n for j, f in enumerate(folds) if j != k for n in f}
        train_ex = examples(rows, others, args.work / f"train{k}.jsonl")
        held_ex = examples(rows, held_names, args.work / f"held{k}.jsonl")
        tuned_path = args.work / f"tuned{k}.pt"
        seconds = fine_tune(args.work / f"train{k}.jsonl", tuned_path, args)
        tuned = load(tuned_path)
        seqs = held_sequences(held_ex)
        print(f"fold {k}: {len(train_ex)} training examples from the other folds, "
              f"{len(held_ex)} held out ({len(seqs)} clauses); fine-tune {seconds:.0f} s",
              file=sys.stderr, flush=True)
        compared = {**models, "tuned": tuned}
        metrics = {name: model_metrics(m, seqs, args.beam) for name, m in compared.items()}
        where = ranks(compared, seqs, args.pool)
        row: dict[str, Any] = {"fold": k, "train": len(train_ex), "held": len(held_ex),
                               "clauses": len(seqs), "metrics": metrics, "ranks": where}
        if args.search_timeout > 0:
            aux = [str(r["problem"]) for r in rows if r.get("status") == "proved"
                   and r.get("auxiliary") and r.get("problem") in held_names]
            row["search"] = {"problems": len(aux),
                             "base": search(file, aux, args.model, args),
                             "tuned": search(file, aux, tuned_path, args)}
        table.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print("| fold | train / held examples | model | loss | exact | own beam | "
          "median rank / top 10 / top 50 among heuristic candidates | search |")
    print("|---|---|---|---|---|---|---|---|")
    for row in table:
        for name in ("heuristic", "base", "tuned", "synthetic"):
            if name not in row["ranks"]:
                continue
            m = row["metrics"].get(name)
            s = row.get("search", {}).get(name)
            cells = [f"{m['loss']:.3f}", f"{m['exact']:.0%}", f"{m['beam']:.0%}"] if m \
                else ["-", "-", "-"]
            found = f"{s[0]} of {row['search']['problems']}" if s else "-"
            print(f"| {row['fold']} | {row['train']} / {row['held']} | {name} | "
                  + " | ".join(cells) + f" | {fmt_ranks(row['ranks'][name])} "
                  f"(of {len(row['ranks'][name])}) | {found} |")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
