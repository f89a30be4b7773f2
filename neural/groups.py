"""Ranking groups: the heuristic candidates of an example's statement, each labelled by DD+AR.

A generative model learns which clause comes next; a ranker must also learn which of the
clauses a solver would try do *not* work. ``neural.data``'s examples hold one auxiliary
construction that works for their goal; a group adds the candidates the search would weigh
against it: the heuristic source's first ``candidates`` for the example's statement and goal,
in the order the heuristic generator tries them (``neural.heuristic_aux.incidence_candidates``:
most incidences on the diagram first), each drawn on a fresh diagram of the statement and labelled
by one saturation continuing the statement's closure: ``true`` where DD+AR then proves the
goal, ``false`` where it does not, ``null`` where the candidate cannot be drawn or the
saturation ran out of time. An example whose goal DD+AR proves without help gives no group.

    python -m neural.groups .data/heuristic-hageo-s100 --out groups.jsonl --candidates 32 --jobs 2
    python -m neural.train DATA --groups groups.jsonl ...      # the ranking loss

Each row keeps the example's name, statement, goal and auxiliary clauses, and adds
``candidates`` (each a list of clause texts, in the problem's own point names) and ``labels``.
Deterministic per example (the diagram's seed is drawn from its name); rows already in
``--out`` are kept and their examples skipped, so a run can be resumed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from symbolic.geometry.dd import saturate
from symbolic.geometry.errors import GeometryError
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import Problem, make_problem, parse_problem
from symbolic.runner import Outcome, RunConfig, Status, Task, in_order, run

from . import jsonl
from .examples import DataConfig
from .heuristic_aux import continued, incidence_candidates
from .tokenizer import canonical

# examples per task of ``--jobs``: a few seconds of work each
CHUNK = 8


def label(row: dict, k: int, config: DataConfig | None = None) -> dict | None:
    """The group of one example row (see the module docstring), or None when its statement
    cannot be drawn or DD+AR proves its goal without an auxiliary construction."""
    config = config or DataConfig()
    rng = np.random.default_rng(_seed(row))
    try:
        problem = statement_of(row)
        coords = build_diagram(problem, rng, max_tries=10).coords
    except GeometryError:
        return None
    whole = saturate(problem, coords, config.ddar())
    if whole.timed_out or whole.goal is not None:
        return None
    candidates = incidence_candidates(problem, coords, rng, k)
    labels: list[bool | None] = []
    for candidate in candidates:
        tried = continued(problem, coords, candidate.clauses, whole, config, rng)
        labels.append(None if tried is None else tried[1].goal is not None)
    return {"name": row.get("name"), "problem": problem.text(),
            "statement": list(row["statement"]), "goal": row["goal"],
            "auxiliary": list(row.get("auxiliary", ())),
            "candidates": [[str(c) for c in cand.clauses] for cand in candidates],
            "labels": labels}


def statement_of(row: dict) -> Problem:
    """An example's (or a group's) statement with its goal, without the auxiliary clauses:
    its ``problem`` text (statement, auxiliary clauses, goal) read, and the first
    ``len(statement)`` clauses kept. Raises GeometryError."""
    problem = parse_problem(row["problem"], str(row.get("name") or "example"))
    return make_problem(problem.name, problem.clauses[:len(row["statement"])], problem.goal)


def label_all(rows: Sequence[dict], k: int) -> list[dict | None]:
    """``label`` of each row (one task of ``main --jobs``)."""
    return [label(row, k) for row in rows]


@dataclass(frozen=True)
class RankGroup:
    """A group as the model reads it: per candidate, the (prompt, target) token ids of each
    of its clauses (``neural.ranker.clause_items``), and whether it proves the goal."""

    items: tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], ...]
    labels: tuple[bool, ...]
    split: str


def rank_groups(rows: Iterable[dict], tokenizer: Any, max_len: int) -> list[RankGroup]:
    """The groups of ``rows`` a ranking loss can learn from: candidates labelled ``true`` or
    ``false`` (not ``null``) that fit in ``max_len`` tokens, at least one of each; split by
    statement (``split_of``)."""
    from .ranker import clause_items

    out = []
    for row in rows:
        kept = [(texts, bool(ok)) for texts, ok in zip(row["candidates"], row["labels"])
                if ok is not None]
        if not any(ok for _, ok in kept) or all(ok for _, ok in kept):
            continue
        try:
            problem = statement_of(row)
            can = canonical(problem)
        except GeometryError:
            continue
        items, labels = [], []
        for texts, ok in kept:
            try:
                clauses = problem.parse_clauses(texts)
            except GeometryError:
                continue
            seqs = tuple(clause_items(tokenizer, can, clauses))
            if all(len(p) + len(t) <= max_len for p, t in seqs):
                items.append(seqs)
                labels.append(ok)
        if any(labels) and not all(labels):
            out.append(RankGroup(tuple(items), tuple(labels), split_of(row["statement"])))
    return out


def split_of(statement: Sequence[str], permille: int = 50) -> str:
    """``eval`` for ``permille`` of the statements (by a hash of their text), else ``train``:
    groups are held back by statement, so no statement of a held-back group is trained on
    (with another goal, say)."""
    digest = hashlib.sha256("; ".join(statement).encode()).digest()
    return "eval" if int.from_bytes(digest[:4], "little") % 1000 < permille else "train"


def sample(group: RankGroup, size: int, rng: random.Random) -> RankGroup:
    """At most ``size`` of a group's candidates for one training step: its working ones (up
    to half of ``size``) and as many others drawn at random as fit."""
    pos = [i for i, ok in enumerate(group.labels) if ok]
    neg = [i for i, ok in enumerate(group.labels) if not ok]
    rng.shuffle(pos)
    rng.shuffle(neg)
    pos = pos[:max(1, size // 2)]
    keep = sorted(pos + neg[:max(1, size - len(pos))])
    return RankGroup(tuple(group.items[i] for i in keep),
                     tuple(group.labels[i] for i in keep), group.split)


def scores(model: Any, groups: Sequence[RankGroup], pad_id: int, device: Any) -> list[Any]:
    """Per group, the model's log-probability of each candidate (the sum over its clauses'
    target tokens, teacher forced): one tensor each, differentiable. The tokens every prompt
    of a group begins with (the statement's) go through the model once; each (prompt,
    target) pair's remaining tokens are a row of one batch continuing that attention cache."""
    import torch

    from .ranker import common_prefix

    out = []
    for group in groups:
        seqs = [(c, prompt, target) for c, items in enumerate(group.items)
                for prompt, target in items]
        prompts = [prompt for _, prompt, _ in seqs]
        n = min(len(common_prefix(prompts)), min(map(len, prompts)) - 1)
        _, cache = model(torch.tensor([list(prompts[0][:n])], device=device), [])
        width = max(len(prompt) + len(target) for _, prompt, target in seqs) - n - 1
        ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
        labels = torch.full((len(seqs), width), -100, dtype=torch.long)
        for r, (_, prompt, target) in enumerate(seqs):
            row = prompt[n:] + target
            ids[r, :len(row) - 1] = torch.tensor(row[:-1])
            labels[r, len(prompt) - n - 1:len(row) - 1] = torch.tensor(target)
        logits, _ = model(ids.to(device), [], prefix=cache)
        labels = labels.to(device)
        lp = torch.log_softmax(logits.float(), dim=-1)
        picked = lp.gather(-1, labels.clamp(min=0)[..., None])[..., 0]
        per_seq = (picked * (labels != -100)).sum(dim=1)
        owners = torch.tensor([c for c, _, _ in seqs], device=device)
        out.append(torch.zeros(len(group.items), device=device).index_add(0, owners, per_seq))
    return out


def rank_loss(model: Any, groups: Sequence[RankGroup], pad_id: int, device: Any) -> Any:
    """Mean over ``groups`` of ``-log`` of the probability the softmax of the candidates'
    log-probabilities puts on the working ones (a listwise loss: the model learns to score
    the candidates that prove the goal above those that do not)."""
    import torch

    losses = []
    for group, s in zip(groups, scores(model, groups, pad_id, device)):
        pos = torch.tensor(group.labels, device=s.device)
        losses.append(torch.logsumexp(s, 0) - torch.logsumexp(s[pos], 0))
    return torch.stack(losses).mean()


def rank_metrics(model: Any, groups: Sequence[RankGroup], pad_id: int, device: Any
                 ) -> dict[str, float]:
    """Where the first working candidate comes, in the heuristic order (the group's) and in
    the model's (log-probability, ties in the heuristic order): mean place (0 = first) and
    the share of groups it comes first in."""
    from .model import evaluating

    places: dict[str, list[int]] = {"heuristic": [], "model": []}
    with evaluating(model):
        for group in groups:
            s = scores(model, [group], pad_id, device)[0].tolist()
            order = sorted(range(len(s)), key=lambda i: (-s[i], i))
            places["heuristic"].append(group.labels.index(True))
            places["model"].append(next(k for k, i in enumerate(order) if group.labels[i]))
    out = {}
    for name, p in places.items():
        out[f"{name}_place"] = sum(p) / max(len(p), 1)
        out[f"{name}_first"] = sum(x == 0 for x in p) / max(len(p), 1)
    return out


def _failed(outcome: Outcome, n: int) -> list[dict | None]:
    print(f"warning: {n} examples not labelled: {outcome.status.value} {outcome.message}",
          file=sys.stderr)
    return [None] * n


def _seed(row: dict) -> int:
    key = str(row.get("name") or json.dumps([row["statement"], row["goal"]]))
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")


def _examples(name: str) -> list[dict]:
    """The example rows of a file or shard directory; ValueError naming the file and line of
    one that cannot be read or lacks a statement, goal or problem text."""
    rows = []
    for path, n, row in jsonl.read([name]):
        if not isinstance(row, dict) or not isinstance(row.get("statement"), list) \
                or not isinstance(row.get("goal"), str) \
                or not isinstance(row.get("problem"), str):
            raise ValueError(f"{path}:{n}: not an example (no statement list, goal and "
                             "problem text)")
        rows.append(row)
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m neural.groups",
                                 description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("data", nargs="+", help="example files or shard directories "
                    "(neural.data's output; .jsonl or .jsonl.gz)")
    ap.add_argument("--out", type=Path, required=True,
                    help="groups written here (JSON lines; appended to, resumable)")
    ap.add_argument("--candidates", type=int, default=32, metavar="K",
                    help="heuristic candidates labelled per example (default 32)")
    ap.add_argument("--limit", type=int, default=None, metavar="N",
                    help="label at most N examples (new ones; default: all)")
    ap.add_argument("--seconds", type=float, default=None, help="stop after this long")
    ap.add_argument("--jobs", type=int, default=1, metavar="N",
                    help="worker processes (default 1); the rows written are the same, in the "
                         "same order, whatever N")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.candidates < 2:
        print("error: --candidates must be at least 2 (a group ranks candidates)",
              file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        rows = [row for name in args.data for row in _examples(name)]
        done = {r.get("name") for r in jsonl.rows(args.out)} if args.out.exists() else set()
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    todo = [r for r in rows if r.get("name") not in done]
    if args.limit is not None:
        todo = todo[:args.limit]
    if not args.quiet:
        print(f"{len(rows)} examples, {len(done)} labelled before, {len(todo)} to label",
              file=sys.stderr)
    start = time.monotonic()
    written = positive = 0
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    runner = run(label_all, [Task((c, args.candidates)) for c in chunks],
                 RunConfig(jobs=args.jobs)) if args.jobs > 1 else None
    labelled: Iterable[list[dict | None]] = (
        (o.value if o.status is Status.DONE and o.value is not None else _failed(o, len(c))
         for o, c in zip(in_order(runner), chunks)) if runner is not None
        else (label_all(c, args.candidates) for c in chunks))
    i = 0
    with args.out.open("a", encoding="utf-8") as out:
        for done_chunk in labelled:
            for group in done_chunk:
                i += 1
                if group is not None:
                    out.write(json.dumps(group) + "\n")
                    written += 1
                    positive += any(group["labels"])
                if not args.quiet and i % 100 == 0:
                    print(f"{i}/{len(todo)} examples, {written} groups ({positive} with a "
                          f"working candidate), {time.monotonic() - start:.0f} s",
                          file=sys.stderr)
            out.flush()
            if args.seconds is not None and time.monotonic() - start > args.seconds:
                break
    if runner is not None:
        runner.close()  # stops the workers still labelling (after --seconds)
    if not args.quiet:
        print(f"{written} groups written to {args.out} ({positive} with a working candidate) "
              f"in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
