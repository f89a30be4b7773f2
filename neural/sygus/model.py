"""The guidance model's weights and its numpy forward pass (inference needs no torch).

For a production with vocabulary key ``k`` (operator name or leaf kind), problem features
``φ`` (multi-hot over the feature vocabulary, scaled by ``1/sqrt(#features)``) and cross
features ``ψ`` (``features.cross``), the logit of "the solution uses this production" is

    b[k] + E[k] · (M φ) + v · ψ

(a low-rank bilinear term between keys and problem features, plus shared cross weights).
Unknown keys use the ``<unk>`` row. Weights live in one JSON file with a sha256 file beside
it; ``load`` refuses a file whose checksum does not match.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..jsonl import sha256_of
from .features import Production, cross, describe, problem_features, spec_usage

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "sygus_guidance.json"
UNK = "<unk>"


class ChecksumError(ValueError):
    """The weights file does not match its recorded sha256."""


@dataclass(frozen=True)
class GuidanceModel:
    keys: tuple[str, ...]
    features: tuple[str, ...]
    b: np.ndarray  # (K,)
    E: np.ndarray  # (K, R)
    M: np.ndarray  # (R, F)
    v: np.ndarray  # (C,)
    meta: dict
    _kidx: dict[str, int] = field(init=False, repr=False, compare=False)
    _fidx: dict[str, int] = field(init=False, repr=False, compare=False)

    def key_index(self, key: str) -> int:
        return self._kidx.get(key, self._kidx[UNK])

    def __post_init__(self) -> None:
        object.__setattr__(self, "_kidx", {k: i for i, k in enumerate(self.keys)})
        object.__setattr__(self, "_fidx", {f: i for i, f in enumerate(self.features)})

    def phi(self, feats: list[str]) -> np.ndarray:
        x = np.zeros(len(self.features))
        idx = [self._fidx[f] for f in feats if f in self._fidx]
        if idx:
            x[idx] = 1.0 / math.sqrt(len(feats))
        return x

    def logits(self, spec, fun, grammar) -> dict[tuple[str, int], tuple[Production, float]]:
        """Every production of ``grammar`` with its logit (unit productions: +inf)."""
        prods = describe(grammar)
        h = self.M @ self.phi(problem_features(spec, fun, grammar))
        used = spec_usage(spec)
        sizes: dict[str, int] = {}
        for p in prods.values():
            sizes[p.nt] = sizes.get(p.nt, 0) + 1
        start = grammar.start.name
        out = {}
        for r, p in prods.items():
            if p.kind == "nt":
                out[r] = (p, math.inf)
                continue
            k = self.key_index(p.key)
            z = self.b[k] + self.E[k] @ h + self.v @ np.asarray(cross(p, used, start,
                                                                         sizes[p.nt]))
            out[r] = (p, float(z))
        return out

    def to_json(self) -> dict:
        r4 = lambda a: np.round(np.asarray(a, dtype=float), 4).tolist()
        return {"version": 1, "keys": list(self.keys), "features": list(self.features),
                "b": r4(self.b), "E": r4(self.E), "M": r4(self.M), "v": r4(self.v),
                "meta": self.meta}

    @classmethod
    def from_json(cls, d: dict) -> GuidanceModel:
        return cls(tuple(d["keys"]), tuple(d["features"]), np.asarray(d["b"], float),
                   np.asarray(d["E"], float), np.asarray(d["M"], float),
                   np.asarray(d["v"], float), d.get("meta", {}))


def save(model: GuidanceModel, path: Path = WEIGHTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n")
    path.with_name(path.name + ".sha256").write_text(f"{sha256_of(path)}  {path.name}\n")


def load(path: Path = WEIGHTS) -> GuidanceModel:
    """The model of a weights file, after checking it against ``<file>.sha256``."""
    recorded = path.with_name(path.name + ".sha256").read_text().split()[0]
    if sha256_of(path) != recorded:
        raise ChecksumError(f"{path}: sha256 does not match {path.name}.sha256")
    return GuidanceModel.from_json(json.loads(path.read_text()))
