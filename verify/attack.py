"""Falsification: uniform sampling, then PGD on the violation margin, inside one case's box.

The margin of an output is ``min over disjuncts of max over rows (C_i y - d_i)``; it is <= 0
exactly when the output is unsafe. Candidates with margin <= 0 go to the ``Oracle``; only a
confirmed ``Witness`` is returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from .network import Network
from .result import Witness
from .vnnlib import Case
from .witness import Oracle


@dataclass(frozen=True)
class AttackConfig:
    """Budgets of the falsifier."""

    samples: int = 10_000
    restarts: int = 64
    steps: int = 100
    step_fraction: float = 0.1
    confirm_per_round: int = 4


@dataclass(frozen=True, eq=False)
class CaseTensors:
    """A ``Case`` as torch tensors: box, stacked disjunct rows and the row range of each."""

    case: Case
    lower: Tensor
    upper: Tensor
    matrix: Tensor
    rhs: Tensor
    groups: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, case: Case) -> CaseTensors:
        rows = [d.matrix for d in case.disjuncts]
        groups, start = [], 0
        for r in rows:
            groups.append((start, start + len(r)))
            start += len(r)
        n_out = case.disjuncts[0].matrix.shape[1]
        matrix = np.concatenate(rows) if start else np.zeros((0, n_out))
        rhs = np.concatenate([d.rhs for d in case.disjuncts]) if start else np.zeros(0)
        return cls(case, torch.as_tensor(case.lower, dtype=torch.float64),
                   torch.as_tensor(case.upper, dtype=torch.float64),
                   torch.as_tensor(matrix, dtype=torch.float64),
                   torch.as_tensor(rhs, dtype=torch.float64), tuple(groups))

    def disjunct_max(self, rows: Tensor) -> Tensor:
        """[..., m] row values -> [..., D]: the max over each disjunct's rows (-inf if empty)."""
        parts = [rows[..., a:b].amax(-1) if b > a else
                 torch.full(rows.shape[:-1], -torch.inf, dtype=rows.dtype)
                 for a, b in self.groups]
        return torch.stack(parts, -1)

    def margin(self, y: Tensor) -> Tensor:
        """[B, n_out] outputs -> [B] margins (<= 0: unsafe)."""
        return self.disjunct_max(y @ self.matrix.T - self.rhs).amin(-1)


def _confirm(ct: CaseTensors, oracle: Oracle, x: Tensor, margin: Tensor,
             limit: int) -> Witness | None:
    order = torch.argsort(margin)[:limit]
    for i in order.tolist():
        if margin[i] > 0:
            break
        witness = oracle.confirm(ct.case, x[i].detach().numpy())
        if witness is not None:
            return witness
    return None


def falsify(net: Network, ct: CaseTensors, oracle: Oracle, config: AttackConfig,
            deadline: float, generator: torch.Generator) -> Witness | None:
    """Search the box for a counterexample; None when none was found in the budget."""
    lo, hi = ct.lower, ct.upper
    width = hi - lo
    with torch.no_grad():
        x = lo + width * torch.rand(config.samples, len(lo), generator=generator,
                                    dtype=torch.float64)
        x = torch.cat([((lo + hi) / 2)[None], x])
        margin = ct.margin(net.forward(x))
    found = _confirm(ct, oracle, x, margin, config.confirm_per_round)
    if found is not None or config.restarts <= 0:
        return found
    starts = x[torch.argsort(margin)[: config.restarts]]
    return pgd(net, ct, oracle, starts, config, deadline)


def pgd(net: Network, ct: CaseTensors, oracle: Oracle, starts: Tensor, config: AttackConfig,
        deadline: float) -> Witness | None:
    """Signed-gradient descent on the margin from ``starts``, projected onto the box."""
    lo, hi = ct.lower, ct.upper
    x = starts.clone().requires_grad_(True)
    for step in range(config.steps):
        if time.monotonic() > deadline:
            return None
        margin = ct.margin(net.forward(x))
        if step % 10 == 9 or step == config.steps - 1:
            found = _confirm(ct, oracle, x, margin.detach(), config.confirm_per_round)
            if found is not None:
                return found
        (grad,) = torch.autograd.grad(margin.sum(), x)
        size = config.step_fraction * (1 - step / config.steps) + 1e-3
        with torch.no_grad():
            x -= size * (hi - lo) * grad.sign()
            x.copy_(torch.maximum(torch.minimum(x, hi), lo))
    return None
