"""Falsification: uniform sampling, then PGD on the violation margin, then Adam on the summed
violation, inside one case's box.

The margin of an output is ``min over disjuncts of max over rows (C_i y - d_i)``; it is <= 0
exactly when the output is unsafe. Candidates with margin <= 0 go to the ``Oracle``; only a
confirmed ``Witness`` is returned. Where the margin's gradient is zero at every descent start
(inactive ReLUs cut every path to the output), the descents follow a leaky gradient through
the ReLUs instead (``surrogate.LeakyGradient``: the same values).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from .bounds import _Adam
from .network import Model
from .result import Witness
from .surrogate import LeakyGradient, flat_at
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
    adam_steps: int = 300
    adam_lr: float = 0.02  # in coordinates where the box is the unit cube; decays linearly
    adam_starts: int = 256  # best samples Adam starts from (besides where PGD ended)
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

    def violation(self, y: Tensor) -> Tensor:
        """[B, n_out] outputs -> [B]: min over disjuncts of the summed positive parts of its
        rows; 0 exactly when the output is unsafe (like ``margin <= 0``), but every row that
        is still violated contributes to the gradient, not only the worst one."""
        rows = (y @ self.matrix.T - self.rhs).clamp(min=0)
        return torch.stack([rows[..., a:b].sum(-1) for a, b in self.groups], -1).amin(-1)


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
    ranked = x[torch.argsort(margin)[: max(config.restarts, config.adam_starts)]]
    starts = ranked[: config.restarts]
    if flat_at(net, ct, starts):  # dead ReLUs cut every path: descend on a leaky gradient
        net = LeakyGradient(net)
    found, x = pgd(net, ct, oracle, starts, config.steps, config.step_fraction, config, deadline)
    if found is None and config.fine_steps > 0:
        # a second, fine-stepped descent from where the coarse one ended and from the best
        # samples again (narrow unsafe regions)
        found, x = pgd(net, ct, oracle, torch.cat([x, starts]), config.fine_steps,
                       config.fine_step_fraction, config, deadline)
    if found is None and config.adam_steps > 0:
        found = adam_descent(net, ct, oracle, torch.cat([x[:len(starts)], ranked]), config,
                             deadline)
    return found


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


def adam_descent(net: Model, ct: CaseTensors, oracle: Oracle, starts: Tensor,
                 config: AttackConfig, deadline: float) -> Witness | None:
    """Adam on ``ct.violation`` from ``starts``, in coordinates where the box is the unit cube,
    projected onto it; the learning rate decays linearly to 1% (the unsafe sets it is for are
    narrow: a constant rate circles them).

    For unsafe sets that are small in several outputs at once (reach_prob_density: a square
    of side 0.08-0.3 in two outputs of range ~4, and a third output above a threshold) signed
    steps on the margin zig-zag: the margin's gradient follows one row at a time and every
    input moves by the same fraction of its width. The summed violation pulls on every open
    row, and Adam's per-input step sizes settle on the inputs that move the outputs least
    (measured on robot_0..11: 4 of the 7 counterexamples only found by this stage)."""
    steps = config.adam_steps
    lo, width = ct.lower, ct.upper - ct.lower
    safe_width = torch.where(width > 0, width, torch.ones_like(width))
    z = ((starts - lo) / safe_width).clamp(0, 1).requires_grad_(True)
    adam = _Adam([z], config.adam_lr)
    for step in range(steps):
        if time.monotonic() > deadline:
            break
        x = lo + width * z
        y = net.forward(x)
        if step % 10 == 9 or step == steps - 1:
            found = _confirm(ct, oracle, x.detach(), ct.margin(y.detach()),
                             config.confirm_per_round)
            if found is not None:
                return found
        adam.lr = config.adam_lr * (1 - step / steps + 0.01)
        adam.step(torch.autograd.grad(ct.violation(y).sum(), z))
        with torch.no_grad():
            z.clamp_(0, 1)
    return None
