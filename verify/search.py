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
    clip: bool = True
    per_disjunct: bool = False
    # input split: alpha-CROWN steps on the boxes CROWN leaves open (while it pays:
    # input_split.AlphaGate). Smear branching on ACAS Xu 4_2 property 2: a timeout at 116 s
    # with 5, unsat with 20; gradient branching (auto's default), CPU seconds with 0 / 5 / 20
    # steps: 4_2 property 2 44 / 14 / 23, 3_3 property 2 timeout / 19 / 30
    split_alpha_iterations: int = 5
    lookahead_alpha_iterations: int = 5  # the same with branching="lookahead"
    # input split: exponentiated-gradient steps on each box's LP over a disjunct's rows
    # together (conjunction.conjunction_bound; 0: the rows one at a time)
    conjunction_steps: int = 30
    bab_batch: int = 256  # graph BaB: domains bounded together (fewer if memory needs)
    bab_iterations: int = 1  # graph BaB: Adam steps per batch (warm-started from the parent)
    # graph BaB: Adam's step sizes for the alphas and the betas (one step per batch, so about
    # the move per split level). Domains to prove oval21's open disjuncts, batches of 64,
    # with 0.1 / 0.1 -> 0.05 / 0.03: base img2578 4944 -> 3766, deep img7878 a timeout at
    # 3729 -> 487, wide img3478 a timeout at 4753 -> 613
    bab_alpha_lr: float = 0.05
    bab_beta_lr: float = 0.03
    bab_per_disjunct: bool = True  # graph BaB: one search per disjunct, in turn
    # graph BaB on ReLU networks: once a search has run this many seconds, cutting planes
    # (``cuts.relu_cuts``: this many rounds of separation on the LP relaxation, within this
    # share of the time left) join every domain's bound, their multipliers optimised on the
    # root with this many steps. oval21 deep img1052 (two open disjuncts): a timeout at 720 s
    # (313,381 domains) without; both proved in 100 s with cuts made at once
    bab_cut_rounds: int = 3
    bab_cut_after: float = 10.0
    bab_cut_share: float = 0.25
    bab_cut_iterations: int = 50
    # ... and kept only when they close at least this share of the root's gap (with and
    # without them, the same steps): img1052's last disjunct -0.1034 -> -0.0830 (20%)
    bab_cut_gain: float = 0.1
    refine_layers: int = 0  # graph BaB: CROWN re-bounds this many last pre-activation nodes
    # graph: alpha-CROWN re-bounds this many last pre-activation nodes at the root, with
    # this many Adam steps (graph_bounds.alpha_refine; oval21 deep img4168: its hardest root
    # bound -1.80 -> -1.60 in 10 steps, 1.8 s; 20 steps: -1.59 in 3.3 s)
    root_alpha_layers: int = 1
    root_alpha_iterations: int = 10
    # graph: alpha-CROWN re-bounds every pre-activation node instead of the last
    # ``root_alpha_layers`` when the root's time left is at least this many times what CROWN
    # took there (0: never). All nodes cost ~5x CROWN's time on sri_resnet_a (28 s after
    # 6 s) and lift its spec idx 9101's hardest root bound -2.25 -> -1.62: unsat in 76 s
    # where the last node alone timed out at 300 s; at a 60 s timeout the rule keeps one node
    root_alpha_all_factor: float = 15.0
    branching: str = "auto"  # input_split's docstring: auto, gradient, smear, lookahead, widest
    attack: AttackConfig = field(default_factory=AttackConfig)
    # GraphNet: a short attack before the root bounds (measured on sri_resnet_a: its three
    # counterexamples of the every-6th slice in 5 s each, 7 s when there is none)
    first_attack: AttackConfig = field(
        default_factory=lambda: AttackConfig(restarts=16, steps=40, fine_steps=0, adam_steps=0))


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
    """Depth-first stack of input boxes, popped in batches.

    Each entry is a tuple of tensors sharing the leading (box) dimension: the box bounds and
    whatever travels with them (e.g. the pre-activation bounds inherited from the parent).
    """

    def __init__(self, *tensors: Tensor) -> None:
        self.chunks: list[tuple[Tensor, ...]] = [tensors]
        self.size = tensors[0].shape[0]

    def __len__(self) -> int:
        return self.size

    def push(self, *tensors: Tensor) -> None:
        if tensors[0].shape[0]:
            self.chunks.append(tensors)
            self.size += tensors[0].shape[0]

    def pop(self, n: int) -> tuple[Tensor, ...]:
        parts: list[tuple[Tensor, ...]] = []
        got = 0
        while self.chunks and got < n:
            chunk = self.chunks.pop()
            size = chunk[0].shape[0]
            take = min(n - got, size)
            if take < size:
                self.chunks.append(tuple(t[:-take] for t in chunk))
                chunk = tuple(t[-take:] for t in chunk)
            parts.append(chunk)
            got += take
        self.size -= got
        return tuple(torch.cat(ts) for ts in zip(*parts))
