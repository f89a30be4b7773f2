"""Checkpoints measured on a search run's olympiad proofs: as a generator and as a ranker.

The auxiliary points of the problems a run proved with them (``solve-problem --json`` rows;
``neural.proved``: renamed, re-proved, kept where DD+AR needs them) are the test: no
fine-tuning here, so give checkpoints that never saw these rows' answers (``neural.train``
on synthetic data, or ``bench/self_improvement.py`` for the run's own proofs by folds).
For each checkpoint, beside the heuristic order:

- generator: the mean negative log-probability per target token of every auxiliary clause
  given the statement and the clauses before it (teacher forced), the share whose every
  token is the first choice (exact), and the share among its own ``--beam`` proposals;
- ranker of the heuristic source's first ``--pool`` candidates: where each auxiliary clause
  the heuristics offer lands (median place, 0 = first; in the first 10 and 50);
- ranker of labelled lists (``neural.groups``: for each example, the heuristic candidates in
  the order the generator tries them, each labelled by DD+AR with whether it proves the goal
  alone): where the first working candidate comes (mean place, share first).

    python bench/olympiad_ranking.py bench/results/hageo_dev_120s_35b7f03.jsonl.gz \\
        --checkpoint shipped=neural/weights/proposer.pt --checkpoint tuned=tuned.pt --work ol/

``--work`` keeps the examples and the labelled lists, reused by a second run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from self_improvement import (  # noqa: E402
    examples,
    fmt_ranks,
    held_sequences,
    input_rows,
    model_metrics,
    ranks,
)

from neural.jsonl import rows as read_rows  # noqa: E402


def lists(exs: Sequence[dict], k: int, out: Path) -> list[dict]:
    """The labelled candidate lists of the examples (``neural.groups.label``, ``k``
    candidates each; cached in ``out``)."""
    from neural.groups import label_all

    if not out.is_file():
        found = [g for g in label_all(exs, k) if g is not None]
        out.write_text("".join(json.dumps(g) + "\n" for g in found))
    return list(read_rows(out))


def list_places(proposer: Any, groups: Sequence[dict]) -> dict[str, float]:
    """``neural.groups.rank_metrics`` of one checkpoint on the lists it can score."""
    from neural.groups import rank_groups, rank_metrics

    usable = rank_groups(groups, proposer.tokenizer, proposer.model.config.max_len)
    return {**rank_metrics(proposer.model, usable, proposer.tokenizer.pad_id, "cpu"),
            "lists": len(usable)}


def _checkpoint(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {text!r}")
    return name, Path(path)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("rows", type=Path, help="solve-problem --json rows (.gz too)")
    p.add_argument("--checkpoint", type=_checkpoint, action="append", required=True,
                   metavar="NAME=PATH", help="a checkpoint to measure (repeatable)")
    p.add_argument("--work", type=Path, required=True,
                   help="folder for the examples and the labelled lists (reused)")
    p.add_argument("--beam", type=int, default=16, help="width of the own-beam check")
    p.add_argument("--pool", type=int, default=400, help="heuristic candidates ranked")
    p.add_argument("--candidates", type=int, default=32,
                   help="candidates per labelled list (neural.groups)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    from neural.proposer import WeightsError, load

    torch.set_num_threads(1)
    rows = input_rows(args.rows, "olympiad_ranking")
    try:
        models = {name: load(path) for name, path in args.checkpoint}
    except WeightsError as e:
        print(f"olympiad_ranking: error: {e}", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    exs = examples(rows, None, args.work / "examples.jsonl")
    groups = lists(exs, args.candidates, args.work / "lists.jsonl")
    seqs = held_sequences(exs)
    print(f"{len(exs)} examples ({len(seqs)} auxiliary clauses), {len(groups)} labelled "
          f"lists ({sum(any(g['labels']) for g in groups)} with a working candidate)",
          file=sys.stderr, flush=True)
    measured = {name: (model_metrics(m, seqs, args.beam), list_places(m, groups))
                for name, m in models.items()}
    where = ranks(models, seqs, args.pool)
    found = len(where["heuristic"])
    heuristic = next(iter(measured.values()))[1]  # the lists' own order, the same for all
    print(f"| order | loss per token | exact | in own beam of {args.beam} | place among the "
          f"heuristic's {args.pool}: median / top 10 / top 50 (of {found}) | first working "
          "candidate of the lists: mean place / first |")
    print("|---|---|---|---|---|---|")
    print(f"| heuristic | - | - | - | {fmt_ranks(where['heuristic'])} | "
          f"{heuristic['heuristic_place']:.2f} / {heuristic['heuristic_first']:.0%} |")
    for name, (m, places) in measured.items():
        print(f"| {name} | {m['loss']:.2f} | {m['exact']:.0%} | {m['beam']:.1%} | "
              f"{fmt_ranks(where[name])} | {places['model_place']:.2f} / "
              f"{places['model_first']:.0%} ({places['lists']} lists) |")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
