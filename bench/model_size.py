"""Size the proposer by the data: a ladder of models trained on the same data and budget.

Issue #18 asks for a transformer sized by its held-back loss. Each size of ``--size``
(``NAME=DxLxH``: width, layers, heads) is trained from scratch by ``python -m neural.train``
on the same data, seed and schedule (``--steps`` of ``--batch``, or ``--minutes`` each), one
after another so that each has the machine to itself, and measured:

- the held-back loss per target token and exact-match rate on the data's own ``eval`` split
  (``neural.data`` chooses it by a hash of the text; ``neural.train`` keeps the checkpoint
  with the lowest);
- with ``--olympiad ROWS`` (``solve-problem --json`` rows of a search run), the same on the
  auxiliary clauses of the olympiad problems that run proved with them (``neural.proved``),
  which no size saw, and the share of them in the model's own beam of ``--beam``.

The size with the lowest held-back loss is the one the data support at that budget; a larger
one that does not lower it is more than the data (or the budget) carry. On a CPU the budget
that fits in minutes favours small models; the ladder is meant for a GPU (``--device
cuda``), where a size takes a few minutes:

    python bench/model_size.py neural/weights/proposer_data.jsonl.gz .data/heuristic-hageo-s100 \\
        --size small=256x6x8 --size medium=384x8x8 --size large=512x8x8 \\
        --steps 8000 --batch 128 --device cuda --work sizes/ \\
        --olympiad bench/results/hageo_dev_120s_35b7f03.jsonl.gz

``--work`` keeps each checkpoint (``NAME.pt``) and its training log; a size whose checkpoint is
there is measured, not trained again.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from self_improvement import examples, held_sequences, input_rows, model_metrics  # noqa: E402


def _size(text: str) -> tuple[str, tuple[int, int, int]]:
    name, sep, shape = text.partition("=")
    m = re.fullmatch(r"(\d+)x(\d+)x(\d+)", shape)
    if not sep or not name or m is None:
        raise argparse.ArgumentTypeError(f"expected NAME=DxLxH (say small=256x6x8), got {text!r}")
    d, layers, heads = (int(g) for g in m.groups())
    if min(d, layers, heads) < 1 or d % heads:
        raise argparse.ArgumentTypeError(
            f"{text!r}: width, layers and heads must be positive and the width a multiple of "
            "the heads")
    return name, (d, layers, heads)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("data", nargs="+", help="data files or shard directories (neural.train's)")
    p.add_argument("--size", type=_size, action="append", required=True, metavar="NAME=DxLxH",
                   help="a model size: width, layers and heads (repeatable)")
    p.add_argument("--work", type=Path, required=True,
                   help="folder for the checkpoints and their logs (reused)")
    p.add_argument("--steps", type=int, default=2000, help="training steps per size")
    p.add_argument("--minutes", type=float, default=None,
                   help="stop each size after this long too (the same for all; whichever of "
                        "--steps and --minutes comes first)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (neural.train's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--olympiad", type=Path, default=None, metavar="ROWS",
                   help="solve-problem --json rows whose proofs' auxiliary clauses are measured "
                        "too (kept in --work/olympiad.jsonl)")
    p.add_argument("--beam", type=int, default=16, help="width of the own-beam check")
    return p.parse_args(argv)


def train(name: str, shape: tuple[int, int, int], args: argparse.Namespace) -> Path:
    """The checkpoint of one size, trained unless ``--work`` has it (with its checksum)."""
    out = args.work / f"{name}.pt"
    if out.is_file() and out.with_name(out.name + ".sha256").is_file():
        return out
    d, layers, heads = shape
    cmd = [sys.executable, "-m", "neural.train", *args.data, "--d-model", str(d),
           "--layers", str(layers), "--heads", str(heads), "--steps", str(args.steps),
           "--batch", str(args.batch), "--lr", str(args.lr),
           "--warmup", str(max(1, min(200, args.steps // 10))),
           "--eval-every", str(250 if args.minutes is not None else max(1, args.steps // 8)),
           "--seed", str(args.seed),
           "--device", args.device, "--out", str(out)]
    if args.minutes is not None:
        cmd += ["--minutes", str(args.minutes)]
    log = args.work / f"{name}.log"
    print(f"training {name} ({d} wide, {layers} layers, {heads} heads): log in {log}",
          file=sys.stderr, flush=True)
    with log.open("w") as f:
        done = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text().strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"training {name} failed (exit {done.returncode}): {tail[0]}")
    return out


def measure(path: Path, seqs: Sequence[tuple[list[str], str, str]], beam: int
            ) -> dict[str, Any]:
    """The checkpoint's size and training figures, and its olympiad figures if ``seqs``."""
    from neural.proposer import load

    proposer = load(path)
    meta = proposer.meta
    out: dict[str, Any] = {"parameters": proposer.model.n_parameters(), "steps": meta["steps"],
                           "best_step": meta["best_step"], "seconds": meta["seconds"],
                           "device": meta["device"], "eval_loss": meta["eval_loss"],
                           "eval_exact": meta["eval_exact"],
                           "eval_sequences": meta["eval_sequences"]}
    if seqs:
        out["olympiad"] = model_metrics(proposer, seqs, beam)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = [name for name, _ in args.size]
    if len(set(names)) != len(names):
        print("model_size: error: --size names must differ", file=sys.stderr)
        return 2
    import torch

    if args.device == "cpu":  # the measures in this process: one thread, as the trainings
        torch.set_num_threads(1)
    args.work.mkdir(parents=True, exist_ok=True)
    seqs: list = []
    if args.olympiad is not None:
        exs = examples(input_rows(args.olympiad, "model_size"), None,
                       args.work / "olympiad.jsonl")
        seqs = held_sequences(exs)
    measured = {}
    for name, shape in args.size:
        start = time.monotonic()
        try:
            path = train(name, shape, args)
        except RuntimeError as e:
            print(f"model_size: error: {e}", file=sys.stderr)
            return 1
        measured[name] = measure(path, seqs, args.beam)
        print(f"{name}: {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    best = min(measured, key=lambda k: measured[k]["eval_loss"])
    olympiad = (f" | olympiad clauses ({len(seqs)}): loss / exact / in own beam of {args.beam}"
                if seqs else "")
    print(f"| size | parameters | steps (best) | training seconds | held-back loss / exact"
          f"{olympiad} |")
    print("|---|---|---|---|---|" + ("---|" if seqs else ""))
    for name, (d, layers, heads) in args.size:
        m = measured[name]
        mark = "**" if name == best else ""
        row = (f"| {name} ({d}x{layers}x{heads}) | {m['parameters'] / 1e6:.2f}M | "
               f"{m['steps']} ({m['best_step']}) | {m['seconds']:.0f} on {m['device']} | "
               f"{mark}{m['eval_loss']:.3f}{mark} / {m['eval_exact']:.0%}")
        if seqs:
            o = m["olympiad"]
            row += f" | {o['loss']:.2f} / {o['exact']:.0%} / {o['beam']:.1%}"
        print(row + " |")
    held = measured[best]["eval_sequences"]
    if held:
        print(f"\nlowest held-back loss: {best} ({held} held-back sequences)")
    else:
        print("\nno held-back sequences in the data: the losses are training losses, which "
              "do not size a model")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
