"""Fit the guidance model (torch) on harvested teacher solutions and export JSON weights.

Each record of the harvest gives, for every function of its spec, the grammar's productions
with a label (used by the teacher's solution or not). The model (``model.py``) is fitted by
full-batch Adam on the binary cross-entropy with weight decay. A held-out fifth of the
problems (by hash) is scored first against a per-key frequency baseline, then the model is
refitted on all problems and written with its sha256.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from .features import (
    N_CROSS,
    cross,
    describe,
    labels,
    parse_solution,
    problem_features,
    spec_usage,
    usage,
)
from .model import UNK, WEIGHTS, GuidanceModel, save
from .splits import split_of

RANK = 8


def examples(data: Path | list[Path], root: Path) -> list[dict]:
    """One example per (record, function): feature bag, and per production key, cross
    features and label. ``data`` is one harvest file or several (teachers' records of the same
    file are all kept: different solutions are different evidence)."""
    from symbolic.sygus.defaults import grammar_of
    from symbolic.sygus.errors import SygusError
    from symbolic.sygus.spec import read_spec

    out = []
    for line in _read_all(data).splitlines():
        rec = json.loads(line)
        if split_of(rec["file"]) != "train":
            raise ValueError(f"{rec['file']} is not a train-split file")
        try:
            spec = read_spec(root / rec["file"])
            bodies = parse_solution(spec, rec["solution"])
        except (SygusError, RecursionError):
            continue
        used = spec_usage(spec)
        for fun in spec.funs:
            if fun.name not in bodies:
                continue
            grammar = grammar_of(fun, spec)
            prods = describe(grammar)
            ys = labels(prods, usage([bodies[fun.name]]))
            sizes = Counter(p.nt for p in prods.values())
            rows = [(prods[r].key, cross(prods[r], used, grammar.start.name,
                                         sizes[prods[r].nt]), y) for r, y in ys.items()]
            if rows:
                out.append({"file": rec["file"], "feats": problem_features(spec, fun, grammar),
                            "rows": rows})
    return out


def _read_all(data: Path | list[Path]) -> str:
    paths = [data] if isinstance(data, Path) else list(data)
    return "".join(_read_text(p).rstrip("\n") + "\n" for p in paths)


def _read_text(path: Path) -> str:
    import gzip

    return gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" \
        else path.read_text()


def _tensors(exs, keys, feats):
    import torch

    kidx = {k: i for i, k in enumerate(keys)}
    fidx = {f: i for i, f in enumerate(feats)}
    phi = torch.zeros(len(exs), len(feats))
    for i, ex in enumerate(exs):
        idx = [fidx[f] for f in ex["feats"] if f in fidx]
        if idx:
            phi[i, idx] = 1.0 / math.sqrt(len(ex["feats"]))
    ex_i, key_i, psi, y = [], [], [], []
    for i, ex in enumerate(exs):
        for key, c, lab in ex["rows"]:
            ex_i.append(i)
            key_i.append(kidx.get(key, kidx[UNK]))
            psi.append(c)
            y.append(lab)
    return (phi, torch.tensor(ex_i), torch.tensor(key_i), torch.tensor(psi, dtype=torch.float32),
            torch.tensor(y, dtype=torch.float32))


def fit(exs, epochs: int, seed: int, decay: float = 1e-3) -> GuidanceModel:
    import torch

    torch.manual_seed(seed)
    key_count = Counter(k for ex in exs for k, _, _ in ex["rows"])
    feat_count = Counter(f for ex in exs for f in ex["feats"])
    keys = tuple(sorted(k for k, n in key_count.items() if n >= 2)) + (UNK,)
    feats = tuple(sorted(f for f, n in feat_count.items() if n >= 2))
    phi, ex_i, key_i, psi, y = _tensors(exs, keys, feats)
    b = torch.zeros(len(keys), requires_grad=True)
    E = (0.1 * torch.randn(len(keys), RANK)).requires_grad_()
    M = (0.1 * torch.randn(RANK, len(feats))).requires_grad_()
    v = torch.zeros(N_CROSS, requires_grad=True)
    opt = torch.optim.Adam([b, E, M, v], lr=0.03)
    for _ in range(epochs):
        opt.zero_grad()
        h = phi @ M.T  # (N, R)
        z = b[key_i] + (E[key_i] * h[ex_i]).sum(1) + psi @ v
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss = loss + decay * (E.pow(2).sum() + M.pow(2).sum())
        loss.backward()
        opt.step()
    det = lambda t: t.detach().numpy().astype(float)
    return GuidanceModel(keys, feats, det(b), det(E), det(M), det(v),
                         {"examples": len(exs), "rows": int(len(y)), "epochs": epochs,
                          "seed": seed, "decay": decay, "rank": RANK})


def score(model: GuidanceModel, exs) -> float:
    """Mean binary cross-entropy of the model on examples."""
    total, n = 0.0, 0
    for ex in exs:
        h = model.M @ model.phi(ex["feats"])
        for key, c, lab in ex["rows"]:
            k = model.key_index(key)
            z = model.b[k] + model.E[k] @ h + model.v @ np.asarray(c)
            p = 1 / (1 + math.exp(-z))
            total -= math.log(max(1e-9, p if lab else 1 - p))
            n += 1
    return total / max(1, n)


def baseline(train_exs, exs) -> float:
    """Mean binary cross-entropy of per-key usage frequencies (Laplace smoothed)."""
    pos: Counter[str] = Counter()
    cnt: Counter[str] = Counter()
    for ex in train_exs:
        for key, _, lab in ex["rows"]:
            pos[key] += lab
            cnt[key] += 1
    total, n = 0.0, 0
    for ex in exs:
        for key, _, lab in ex["rows"]:
            p = (pos[key] + 1) / (cnt[key] + 2)
            total -= math.log(p if lab else 1 - p)
            n += 1
    return total / max(1, n)


def train(data: Path | list[Path], root: Path, out: Path | None, epochs: int = 300,
          seed: int = 0) -> str:
    exs = examples(data, root)
    held = [ex for ex in exs if hashlib.sha256(ex["file"].encode()).digest()[0] < 52]
    fit_on = [ex for ex in exs if ex not in held]
    model = fit(fit_on, epochs, seed)
    report = (f"examples {len(exs)} (held out {len(held)}): held-out BCE model "
              f"{score(model, held):.3f}, key-frequency baseline {baseline(fit_on, held):.3f}")
    model = fit(exs, epochs, seed)
    model.meta["held_out"] = report
    model.meta["data_sha256"] = hashlib.sha256(_read_all(data).encode()).hexdigest()
    paths = [data] if isinstance(data, Path) else list(data)
    model.meta["data"] = [p.name for p in paths]
    model.meta["teachers"] = dict(sorted(Counter(
        json.loads(line).get("engine", "cvc5") for line in _read_all(data).splitlines()
        if line.strip()).items()))
    save(model, out or WEIGHTS)
    return report + f"; fitted on all, written to {out or WEIGHTS}"
