"""ReLU branch and bound, for networks whose input is too wide to split.

A domain fixes the phase of some ReLUs (``Splits``). Batches of domains are bounded with CROWN
(split neurons clamped), then alpha-CROWN on the spec; open domains offer the minimisers of the
linear bounds as counterexamples, go to an LP when few neurons are still unstable, and otherwise
are split on the unstable neuron of the earliest layer with the widest ``min(u, -l)``.
"""

from __future__ import annotations

import time

import torch
from torch import Tensor

from .attack import CaseTensors, _confirm
from .bounds import Bounds, alpha_crown, crown, spec_lower
from .lp import solve_disjunct
from .network import Network
from .search import CaseResult, Outcome, SearchConfig
from .witness import Oracle


def relu_bab(net: Network, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
             deadline: float) -> CaseResult:
    """Decide one case by splitting ReLUs."""
    sizes = [lin.out_features for lin in net.linears[:-1]]
    stack: list[list[Tensor]] = [[torch.zeros(1, n, dtype=torch.int8) for n in sizes]]
    domains, gave_up = 0, False
    while stack:
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method="relu-bab")
        splits = _pop(stack, config.relu_batch)
        domains += splits[0].shape[0]
        step = _bound_batch(net, ct, oracle, splits, config, deadline)
        if isinstance(step, CaseResult):
            step.domains = domains
            return step
        children, unknown = step
        gave_up |= unknown
        if children is not None:
            stack.append(children)
    return CaseResult(Outcome.UNKNOWN if gave_up else Outcome.HOLDS, domains=domains,
                      method="relu-bab")


def _pop(stack: list[list[Tensor]], n: int) -> list[Tensor]:
    top = stack.pop()
    if top[0].shape[0] > n:
        stack.append([t[:-n] for t in top])
        top = [t[-n:] for t in top]
    return top


def _bound_batch(net: Network, ct: CaseTensors, oracle: Oracle, splits: list[Tensor],
                 config: SearchConfig, deadline: float):
    d = splits[0].shape[0]
    lo, hi = ct.lower.expand(d, -1), ct.upper.expand(d, -1)
    with torch.no_grad():
        bounds = crown(net, lo, hi, splits)
        lower, a, _ = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
    if config.alpha_iterations > 0:
        alpha_lower, _ = alpha_crown(net, lo, hi, ct.matrix, ct.rhs, bounds,
                                     max(1, config.alpha_iterations // 4), config.alpha_lr)
        lower = torch.maximum(lower, alpha_lower)
    open_ = ~((ct.disjunct_max(lower) > 0).all(-1) | bounds.infeasible)
    if not bool(open_.any()):
        return None, False
    idx = open_.nonzero().flatten()
    with torch.no_grad():
        corners = torch.where(a[idx] > 0, lo[idx].unsqueeze(1), hi[idx].unsqueeze(1))
        cand = corners.reshape(-1, lo.shape[1])
        margin = ct.margin(net.forward(cand))
    witness = _confirm(ct, oracle, cand, margin, 8) if bool((margin <= 0).any()) else None
    if witness is not None:
        return CaseResult(Outcome.VIOLATED, witness, method="relu-bab")
    keep, unknown = [], False
    for b in idx.tolist():
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, method="relu-bab")
        unstable = sum(int(bounds.unstable(k)[b].sum()) for k in range(len(splits)))
        if unstable > config.lp_max_unstable:
            keep.append(b)
            continue
        leaf = _lp_leaf(net, ct, oracle, bounds, b)
        if isinstance(leaf, CaseResult):
            return leaf
        if leaf is None and unstable:
            keep.append(b)
        elif leaf is None:
            unknown = True
    if not keep:
        return None, unknown
    return _split(bounds, [s[keep] for s in splits], keep), unknown


def _lp_leaf(net: Network, ct: CaseTensors, oracle: Oracle, bounds: Bounds, b: int):
    """True when the LP refutes every disjunct; a CaseResult for a confirmed witness; else None."""
    lo, hi = ct.case.lower, ct.case.upper
    refuted_all = True
    for disjunct in ct.case.disjuncts:
        res = solve_disjunct(net, lo, hi, bounds, b, disjunct.matrix, disjunct.rhs)
        if res.refuted:
            continue
        refuted_all = False
        if res.x is not None:
            witness = oracle.confirm(ct.case, res.x)
            if witness is not None:
                return CaseResult(Outcome.VIOLATED, witness, method="relu-bab+lp")
    return True if refuted_all else None


def _split(bounds: Bounds, splits: list[Tensor], keep: list[int]) -> list[Tensor]:
    """Two children per domain: the chosen neuron forced inactive (-1) and active (+1)."""
    layer = torch.full((len(keep),), -1, dtype=torch.long)
    neuron = torch.zeros(len(keep), dtype=torch.long)
    for row, b in enumerate(keep):
        for k in range(len(splits)):
            lo, hi = bounds.lower[k][b], bounds.upper[k][b]
            score = torch.where((lo < 0) & (hi > 0), torch.minimum(hi, -lo),
                                torch.zeros_like(lo))
            if bool((score > 0).any()):
                layer[row], neuron[row] = k, int(score.argmax())
                break
    children = []
    for phase in (-1, 1):
        child = [s.clone() for s in splits]
        for row in range(len(keep)):
            if layer[row] >= 0:
                child[int(layer[row])][row, neuron[row]] = phase
        children.append(child)
    return [torch.cat([a, b]) for a, b in zip(*children)]
