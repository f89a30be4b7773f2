"""Train the auxiliary-construction proposer on synthetic data from ``neural.data``.

Each example (statement, auxiliary clauses a1..ak, goal) gives k sequences: the statement
with a1..a(i-1) added, the goal, then a(i) as the target, so the model learns to propose the
*next* auxiliary clause of a partly extended problem (what the depth > 1 search asks). The
loss is on the target tokens only. The held-back ``eval`` split (chosen by ``neural.data`` by
a hash of the text) measures the loss and the exact-match rate of the target; the checkpoint
with the lowest eval loss is written, with its SHA-256 beside it.

    python -m neural.data --count 20000 --jobs 16 --seconds 400 --seed 0 --out data.jsonl
    python -m neural.train data.jsonl --out neural/weights/proposer.pt --minutes 2

A GPU is used when there is one (``--device``); on a CPU the same run takes hours, not minutes.

Fine-tuning (the self-improvement loop) starts from a checkpoint and mixes new examples, say
the auxiliary points of problems the search proved (``neural.proved``), into every batch
beside the data the checkpoint was trained on, so that a few dozen examples are seen often
without the rest being forgotten; a short fine-tune on a CPU takes minutes:

    python -m neural.train neural/weights/proposer_data.jsonl.gz --init neural/weights/proposer.pt \
        --extra proved.jsonl --extra-share 0.25 --steps 300 --lr 1e-4 --warmup 20 --keep last \
        --out tuned.pt

With ``--groups`` (lists of heuristic candidates labelled by DD+AR, ``neural.groups``) every
step adds a listwise ranking loss, so that the model's log-probability scores the candidates
that prove a goal above those that do not; the held-back lists' ranking is printed at each
evaluation (docs/journal/neural.md, "Labelled candidate lists": measured, it does not beat
the heuristic order).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import jsonl
from .jsonl import sha256_of

FORMAT = "neurosym-proposer/1"
# held-back ranking groups measured at each evaluation (the first ones, always the same)
RANK_EVAL = 200


@dataclass(frozen=True)
class TrainSequence:
    prompt: tuple[int, ...]
    target: tuple[int, ...]
    split: str


def sequences(rows: Iterable[dict], tokenizer, max_len: int) -> list[TrainSequence]:
    """Training sequences from data rows (deduplicated; longer than ``max_len`` dropped)."""
    out: dict[tuple, TrainSequence] = {}
    for row in rows:
        statement, aux = list(row["statement"]), list(row["auxiliary"])
        for i, clause in enumerate(aux):
            prompt = tuple(tokenizer.prompt(statement + aux[:i], row["goal"]))
            target = tuple(tokenizer.target(clause))
            if len(prompt) + len(target) > max_len:
                continue
            out.setdefault((prompt, target), TrainSequence(prompt, target, row["split"]))
    return list(out.values())


def _epochs(seqs: Sequence[TrainSequence], size: int, rng: random.Random):
    """Endless chunks of ``size`` sequences, each pass over ``seqs`` in a new order (all of
    them at once when there are fewer)."""
    order = list(range(len(seqs)))
    while True:
        rng.shuffle(order)
        for i in range(0, len(order) - size + 1, size):
            yield [seqs[j] for j in order[i:i + size]]
        if len(order) < size:
            yield [seqs[j] for j in order]


def batches(seqs: Sequence[TrainSequence], size: int, pad_id: int, rng: random.Random, device,
            extra: Sequence[TrainSequence] = (), extra_share: float = 0.0):
    """Endless shuffled batches: (inputs, labels) with labels -100 outside the targets. With
    ``extra``, ``round(size * extra_share)`` (at least 1) of each batch's sequences come from
    it, in passes of their own, and the rest from ``seqs``."""
    if not extra or extra_share <= 0:
        for chunk in _epochs(seqs, size, rng):
            yield collate(chunk, pad_id, device)
        return
    n_extra = min(size, max(1, round(size * extra_share)))
    base, more = _epochs(seqs, size - n_extra, rng), _epochs(extra, n_extra, rng)
    while True:
        chunk = next(more)[:n_extra] + (next(base) if n_extra < size else [])
        yield collate(chunk, pad_id, device)


def collate(chunk: Sequence[TrainSequence], pad_id: int, device):
    import torch

    n = max(len(s.prompt) + len(s.target) for s in chunk) - 1
    inputs = torch.full((len(chunk), n), pad_id, dtype=torch.long)
    labels = torch.full((len(chunk), n), -100, dtype=torch.long)
    for r, s in enumerate(chunk):
        full = s.prompt + s.target
        inputs[r, :len(full) - 1] = torch.tensor(full[:-1])
        labels[r, len(s.prompt) - 1:len(full) - 1] = torch.tensor(s.target)
    return inputs.to(device), labels.to(device)


def evaluate(model, seqs: Sequence[TrainSequence], pad_id: int, device, size: int = 256):
    """Mean target-token loss and the share of targets predicted exactly (teacher forced)."""
    from torch.nn import functional as F

    from .model import evaluating

    total, tokens, exact = 0.0, 0, 0
    with evaluating(model):
        for i in range(0, len(seqs), size):
            inputs, labels = collate(seqs[i:i + size], pad_id, device)
            logits = model(inputs).float()
            total += float(F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100,
                                           reduction="sum"))
            mask = labels != -100
            tokens += int(mask.sum())
            right = (logits.argmax(-1) == labels) | ~mask
            exact += int(right.all(dim=1).sum())
    return total / max(tokens, 1), exact / max(len(seqs), 1)


def save(path: Path, model, tokenizer, meta: dict) -> str:
    """Write the checkpoint (half-precision weights) and ``<path>.sha256``; the digest."""
    import torch

    state = {k: v.detach().to("cpu", torch.float16) if v.is_floating_point() else v.cpu()
             for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": FORMAT, "config": model.config.to_dict(), "words": tokenizer.words,
                "state_dict": state, "meta": meta}, path)
    digest = sha256_of(path)
    path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n")
    return digest


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m neural.train",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="+",
                    help="JSON-lines files from python -m neural.data (.gz read as gzip), or "
                         "shard directories of its --shard-dir (every shard, workers' too)")
    ap.add_argument("--out", default="neural/weights/proposer.pt")
    ap.add_argument("--device", default="auto", help="auto, cpu or cuda")
    ap.add_argument("--minutes", type=float, default=None, help="stop after this long")
    ap.add_argument("--steps", type=int, default=20000, help="stop after this many steps")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--max-len", type=int, default=512)
    ap.add_argument("--init", metavar="CHECKPOINT",
                    help="start from this checkpoint (SHA-256 checked): its size, vocabulary and "
                         "weights; --d-model, --layers, --heads and --max-len are then ignored")
    ap.add_argument("--extra", action="append", default=[], metavar="PATH",
                    help="more examples (repeatable), drawn into every batch at --extra-share "
                         "beside the main data; all of them train (none held back)")
    ap.add_argument("--extra-share", type=float, default=0.25,
                    help="share of each batch taken from --extra (default: %(default)s)")
    ap.add_argument("--groups", action="append", default=[], metavar="PATH",
                    help="ranking groups (python -m neural.groups; repeatable): each step adds "
                         "the listwise ranking loss of --group-batch of them, so the model "
                         "learns to score the candidates that prove a goal above the others")
    ap.add_argument("--group-batch", type=int, default=4, metavar="G",
                    help="groups per step (default: %(default)s)")
    ap.add_argument("--group-size", type=int, default=16, metavar="M",
                    help="candidates of a group per step, the working ones first (default: "
                         "%(default)s)")
    ap.add_argument("--rank-weight", type=float, default=1.0,
                    help="weight of the ranking loss beside the generative one (default: "
                         "%(default)s)")
    ap.add_argument("--keep", choices=("best", "last"), default="best",
                    help="write the checkpoint with the lowest held-back loss (default), or "
                         "the last one (for a fixed fine-tuning schedule)")
    return ap.parse_args(argv)


def read_rows(names: Sequence[str], digest) -> list[dict]:
    """The JSON rows of data files (``.gz`` read as gzip) or shard directories (their
    ``shard-*.jsonl``, ``neural.jsonl.files``), their bytes fed to ``digest``; raises
    ``ValueError`` naming the file (and line) that cannot be read."""
    return [row for _, _, row in jsonl.read(names, digest)]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.group_batch < 1 or args.group_size < 2:
        print("error: --group-batch must be at least 1 and --group-size at least 2",
              file=sys.stderr)
        return 2
    import torch
    from torch.nn import functional as F

    from .model import ConstructionLM, ModelConfig
    from .tokenizer import ConstructionTokenizer

    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" \
        else args.device
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    digest = hashlib.sha256()
    try:
        rows = read_rows(args.data, digest)
        extra_rows = read_rows(args.extra, digest)
        group_rows = read_rows(args.groups, digest)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    init = None
    if args.init:
        from .proposer import WeightsError, load

        try:
            init = load(args.init)
        except WeightsError as e:
            print(f"error: --init: {e}", file=sys.stderr)
            return 2
        tokenizer, config = init.tokenizer, init.model.config
    else:
        tokenizer = ConstructionTokenizer()
        config = ModelConfig(len(tokenizer), args.d_model, args.layers, args.heads,
                             4 * args.d_model, args.max_len, args.dropout)
    seqs = sequences(rows, tokenizer, config.max_len)
    train = [s for s in seqs if s.split == "train"]
    held = [s for s in seqs if s.split != "train"]
    extra = sequences(extra_rows, tokenizer, config.max_len)
    if not train:
        print("error: no training sequences in the data", file=sys.stderr)
        return 2
    rank_train: list = []
    rank_held: list = []
    if group_rows:
        from .groups import rank_groups, rank_loss, rank_metrics, sample

        ranked = rank_groups(group_rows, tokenizer, config.max_len)
        rank_train = [g for g in ranked if g.split == "train"]
        rank_held = [g for g in ranked if g.split != "train"]
        if not rank_train:
            print("error: --groups: no group with a working and a failing candidate",
                  file=sys.stderr)
            return 2
    model = ConstructionLM(config).to(device)
    if init is not None:
        model.load_state_dict(init.model.state_dict())
        model.train()
    print(f"{len(rows)} examples -> {len(train)} training / {len(held)} eval sequences"
          + (f", {len(extra)} extra at {args.extra_share:.0%} of each batch" if extra else "")
          + (f", {len(rank_train)} ranking groups ({len(rank_held)} held back)"
             if rank_train else "")
          + f"; {model.n_parameters() / 1e6:.2f}M parameters on {device}"
          + (f", from {args.init}" if init else ""), file=sys.stderr)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay,
                            betas=(0.9, 0.95))
    total_steps = args.steps
    start = time.monotonic()
    deadline = None if args.minutes is None else start + 60 * args.minutes
    best = (math.inf, 0.0, 0)
    best_state = None
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else None
    stream = batches(train, args.batch, tokenizer.pad_id, rng, device, extra,
                     args.extra_share)
    step = 0
    for step in range(1, total_steps + 1):
        frac = step / total_steps
        if deadline is not None:
            frac = max(frac, (time.monotonic() - start) / (deadline - start))
        lr = args.lr * min(1.0, step / args.warmup) * 0.5 * (1 + math.cos(math.pi * min(frac, 1)))
        for group in opt.param_groups:
            group["lr"] = lr
        inputs, labels = next(stream)
        if autocast is not None:
            with autocast:
                logits = model(inputs)
        else:
            logits = model(inputs)
        loss = F.cross_entropy(logits.float().transpose(1, 2), labels, ignore_index=-100)
        ranking = None
        if rank_train:
            chosen = [sample(rank_train[rng.randrange(len(rank_train))], args.group_size, rng)
                      for _ in range(args.group_batch)]
            ranking = rank_loss(model, chosen, tokenizer.pad_id, device)
        total = loss if ranking is None else loss + args.rank_weight * ranking
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        last = frac >= 1 or step == total_steps
        if step % args.eval_every == 0 or last:
            ev_loss, ev_exact = evaluate(model, held, tokenizer.pad_id, device) if held \
                else (float(loss.detach()), 0.0)
            ranked_line = ""
            if ranking is not None:
                ranked_line = f"  rank loss {float(ranking.detach()):.3f}"
                if rank_held:
                    m = rank_metrics(model, rank_held[:RANK_EVAL], tokenizer.pad_id, device)
                    ranked_line += (f"  first working: heuristic place {m['heuristic_place']:.2f}"
                                    f" ({m['heuristic_first']:.0%} first), model "
                                    f"{m['model_place']:.2f} ({m['model_first']:.0%} first)")
            print(f"step {step}  train loss {float(loss.detach()):.3f}  eval loss {ev_loss:.3f}  "
                  f"eval exact {ev_exact:.3f}  lr {lr:.2e}{ranked_line}  "
                  f"{time.monotonic() - start:.0f}s", file=sys.stderr, flush=True)
            if ev_loss < best[0] or args.keep == "last":
                best = (ev_loss, ev_exact, step)
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if last:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    meta = {"examples": len(rows), "train_sequences": len(train), "eval_sequences": len(held),
            "steps": step, "best_step": best[2], "eval_loss": round(best[0], 4),
            "eval_exact": round(best[1], 4), "data_sha256": digest.hexdigest(),
            "seed": args.seed, "device": device, "torch": str(torch.__version__),
            "seconds": round(time.monotonic() - start, 1)}
    if init is not None:
        meta["init"] = {"path": Path(args.init).name, "sha256": sha256_of(Path(args.init)),
                        "meta": init.meta}
    if extra:
        meta["extra_examples"] = len(extra_rows)
        meta["extra_sequences"] = len(extra)
        meta["extra_share"] = args.extra_share
    if rank_train:
        meta["ranking_groups"] = len(rank_train)
        meta["ranking"] = {"group_batch": args.group_batch, "group_size": args.group_size,
                           "weight": args.rank_weight}
    if args.keep == "last":
        meta["kept"] = "last"
    out = Path(args.out)
    sha = save(out, model, tokenizer, meta)
    print(f"wrote {out} (sha256 {sha[:16]}...): {json.dumps(meta)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
