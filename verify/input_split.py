"""Complete search by input splitting, for networks with few inputs (ACAS Xu has 5).

Boxes are bounded in batches: forward linear bounds for the pre-activations, then CROWN's
backward pass for the spec rows. A box is closed when every disjunct has a row with lower bound
> 0. Otherwise the points minimising each row's linear lower bound, and the box centre, are
tried as counterexamples, and the box is split at the midpoint of the input with the largest
``|coefficient| x width`` over the rows still open.
"""

from __future__ import annotations

import time

import torch
from torch import Tensor

from .attack import CaseTensors, _confirm
from .bounds import alpha_crown, crown, forward_linear, spec_lower
from .network import Network
from .search import BoxStack, CaseResult, Outcome, SearchConfig
from .witness import Oracle


def root_bound(net: Network, ct: CaseTensors, config: SearchConfig) -> bool:
    """CROWN then alpha-CROWN over the whole box: True when that alone proves the case."""
    lo, hi = ct.lower[None], ct.upper[None]
    bounds = crown(net, lo, hi)
    if bool(bounds.infeasible.all()):
        return True
    lower = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)[0]
    if bool((ct.disjunct_max(lower) > 0).all()):
        return True
    if config.alpha_iterations <= 0 or ct.matrix.shape[0] == 0:
        return False
    lower, _ = alpha_crown(net, lo, hi, ct.matrix, ct.rhs, bounds, config.alpha_iterations,
                           config.alpha_lr)
    return bool((ct.disjunct_max(lower) > 0).all())


def _row_groups(ct: CaseTensors) -> Tensor:
    index = torch.zeros(ct.matrix.shape[0], dtype=torch.long)
    for g, (a, b) in enumerate(ct.groups):
        index[a:b] = g
    return index


def input_split(net: Network, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
                deadline: float) -> CaseResult:
    """Decide one case by input-space branch and bound."""
    if ct.matrix.shape[0] == 0:  # some disjunct has no output rows: every input is unsafe
        witness = oracle.confirm(ct.case, ((ct.lower + ct.upper) / 2).numpy())
        return CaseResult(Outcome.VIOLATED if witness else Outcome.UNKNOWN, witness)
    if root_bound(net, ct, config):
        return CaseResult(Outcome.HOLDS, domains=1, method="alpha-crown")
    stack = BoxStack(ct.lower[None].clone(), ct.upper[None].clone())
    groups = _row_groups(ct)
    domains, gave_up = 0, False
    while len(stack):
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method="input-split")
        lo, hi = stack.pop(config.batch)
        domains += lo.shape[0]
        with torch.no_grad():
            step = _bound_and_split(net, ct, oracle, lo, hi, groups, config)
        if isinstance(step, CaseResult):
            step.domains = domains
            return step
        new_lo, new_hi, tiny = step
        gave_up |= tiny
        stack.push(new_lo, new_hi)
    outcome = Outcome.UNKNOWN if gave_up else Outcome.HOLDS
    return CaseResult(outcome, domains=domains, method="input-split")


def _bound_and_split(net: Network, ct: CaseTensors, oracle: Oracle, lo: Tensor, hi: Tensor,
                     groups: Tensor, config: SearchConfig):
    """One batch: bound, drop proved boxes, try counterexamples, split the rest."""
    bounds = crown(net, lo, hi) if config.intermediate == 'crown' else forward_linear(net, lo, hi)
    lower, a, _ = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
    proved_disjunct = ct.disjunct_max(lower) > 0
    open_ = ~(proved_disjunct.all(-1) | bounds.infeasible)
    lo, hi, a, lower = lo[open_], hi[open_], a[open_], lower[open_]
    proved_disjunct = proved_disjunct[open_]
    if lo.shape[0] == 0:
        return lo, hi, False
    # candidate counterexamples: minimisers of each row's linear lower bound, and centres
    corners = torch.where(a > 0, lo.unsqueeze(1), hi.unsqueeze(1)).reshape(-1, lo.shape[1])
    cand = torch.cat([corners, (lo + hi) / 2])
    margin = ct.margin(net.forward(cand))
    if bool((margin <= 0).any()):
        witness = _confirm(ct, oracle, cand, margin, 8)
        if witness is not None:
            return CaseResult(Outcome.VIOLATED, witness, method="input-split")
    width = hi - lo
    row_open = (~proved_disjunct)[:, groups].to(a.dtype)  # [B, m]
    score = ((a.abs() * width.unsqueeze(1)) * row_open.unsqueeze(-1)).sum(1)
    score = torch.where(width > 0, score + 1e-12 * width, torch.zeros_like(score))
    tiny = width.amax(-1) < config.min_width
    lo, hi, score = lo[~tiny], hi[~tiny], score[~tiny]
    dim = score.argmax(-1)
    rows = torch.arange(lo.shape[0])
    mid = (lo[rows, dim] + hi[rows, dim]) / 2
    left_hi, right_lo = hi.clone(), lo.clone()
    left_hi[rows, dim] = mid
    right_lo[rows, dim] = mid
    return torch.cat([lo, right_lo]), torch.cat([left_hi, hi]), bool(tiny.any())
