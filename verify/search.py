"""Shared pieces of the complete search: configuration, outcomes and the box stack."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import torch
from torch import Tensor

from .attack import AttackConfig
from .result import Witness


@dataclass(frozen=True)
class SearchConfig:
    """Knobs of the complete search (``verify.api.verify``)."""

    batch: int = 256
    input_split_max_dim: int = 20
    alpha_iterations: int = 20
    alpha_lr: float = 0.1
    min_width: float = 1e-10
    lp_max_unstable: int = 12
    relu_batch: int = 64
    seed: int = 0
    intermediate: str = "crown"
    attack: AttackConfig = field(default_factory=AttackConfig)


class Outcome(enum.Enum):
    """How the search of one case ended."""

    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "unknown"
    TIMEOUT = "timeout"


@dataclass
class CaseResult:
    """Outcome of one case, with its witness when violated and counters."""

    outcome: Outcome
    witness: Witness | None = None
    domains: int = 0
    method: str = ""


class BoxStack:
    """Depth-first stack of input boxes, popped in batches."""

    def __init__(self, lo: Tensor, hi: Tensor) -> None:
        self.chunks: list[tuple[Tensor, Tensor]] = [(lo, hi)]
        self.size = lo.shape[0]

    def __len__(self) -> int:
        return self.size

    def push(self, lo: Tensor, hi: Tensor) -> None:
        if lo.shape[0]:
            self.chunks.append((lo, hi))
            self.size += lo.shape[0]

    def pop(self, n: int) -> tuple[Tensor, Tensor]:
        los, his, got = [], [], 0
        while self.chunks and got < n:
            lo, hi = self.chunks.pop()
            take = min(n - got, lo.shape[0])
            if take < lo.shape[0]:
                self.chunks.append((lo[:-take], hi[:-take]))
                lo, hi = lo[-take:], hi[-take:]
            los.append(lo)
            his.append(hi)
            got += take
        self.size -= got
        return torch.cat(los), torch.cat(his)
