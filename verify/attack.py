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

from .network import Model
from .result import Witness
from .vnnlib import Case
from .witness import Oracle


@dataclass(frozen=True)
class AttackConfig:
    """Budgets of the falsifier."""

    samples: int = 100_000
    sample_values: int = 2_000_000  # caps samples x input size
    restarts: int = 64
    steps: int = 100
    step_fraction: float = 0.1
    fine_steps: int = 300
    fine_step_fraction: float = 0.005
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


SAMPLE_CHUNK = 8192  # samples evaluated between two looks at the deadline


def falsify(net: Model, ct: CaseTensors, oracle: Oracle, config: AttackConfig,
            deadline: float, generator: torch.Generator) -> Witness | None:
    """Search the box for a counterexample; None when none was found in the budget."""
    lo, hi = ct.lower, ct.upper
    width = hi - lo
    count = min(config.samples, max(config.sample_values // max(len(lo), 1), 1000))
    with torch.no_grad():
        x = lo + width * torch.rand(count, len(lo), generator=generator, dtype=torch.float64)
        x = torch.cat([((lo + hi) / 2)[None], x])
        margins = []  # in chunks, so that the deadline is kept on a slow machine
        for k in range(0, len(x), SAMPLE_CHUNK):
            if k and time.monotonic() > deadline:
                break
            margins.append(ct.margin(net.forward(x[k:k + SAMPLE_CHUNK])))
        margin = torch.cat(margins)
        x = x[:len(margin)]
    found = _confirm(ct, oracle, x, margin, config.confirm_per_round)
    if found is not None or config.restarts <= 0:
        return found
    starts = x[torch.argsort(margin)[: config.restarts]]
    found, x = pgd(net, ct, oracle, starts, config.steps, config.step_fraction, config, deadline)
    if found is not None or config.fine_steps <= 0:
        return found
    # a second, fine-stepped descent from where the coarse one ended and from the best
    # samples again (narrow unsafe regions)
    return pgd(net, ct, oracle, torch.cat([x, starts]), config.fine_steps,
               config.fine_step_fraction, config, deadline)[0]


def pgd(net: Model, ct: CaseTensors, oracle: Oracle, starts: Tensor, steps: int,
        step_fraction: float, config: AttackConfig, deadline: float
        ) -> tuple[Witness | None, Tensor]:
    """Signed-gradient descent on the margin from ``starts``, projected onto the box; the
    step (a fraction of the box width) decays linearly. Returns a witness or the end points."""
    lo, hi = ct.lower, ct.upper
    x = starts.clone().requires_grad_(True)
    for step in range(steps):
        if time.monotonic() > deadline:
            break
        margin = ct.margin(net.forward(x))
        if step % 10 == 9 or step == steps - 1:
            found = _confirm(ct, oracle, x, margin.detach(), config.confirm_per_round)
            if found is not None:
                return found, x.detach()
        (grad,) = torch.autograd.grad(margin.sum(), x)
        size = step_fraction * (1 - step / steps) + step_fraction / 100
        with torch.no_grad():
            x -= size * (hi - lo) * grad.sign()
            x.copy_(torch.maximum(torch.minimum(x, hi), lo))
    return None, x.detach()
