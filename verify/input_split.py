"""Complete search by input splitting, for networks with few inputs (ACAS Xu has 5).

Boxes are bounded in batches with CROWN, intermediate backward passes only for neurons still
unstable under IBP and the bounds inherited from the parent box (valid on the sub-box), then
CROWN's backward pass for the spec rows. A box is closed when every disjunct has a row with
lower bound > 0; otherwise it is clipped to the part where the linear lower bounds allow a
violation (Clip-and-Verify). The minimisers of each row's linear bound, and the box centres,
are tried as counterexamples. Boxes still open get ``split_alpha_iterations`` steps of
alpha-CROWN on the spec rows (the intermediate bounds stay fixed). Branching
(``SearchConfig.branching``):

* ``lookahead`` (default): strong branching -- every box is split along every input, all
  children are bounded in one batch, and the input whose two children have the best summed
  bound (a closed child counting high) is kept, with its children's bounds;
* ``smear``: the input with the largest ``|coefficient| x width`` over the open rows;
* ``widest``: the widest input.
"""

from __future__ import annotations

import time

import torch
from torch import Tensor

from .attack import CaseTensors, _confirm
from .bounds import Bounds, alpha_crown, crown, forward_linear, spec_lower
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
    if len(ct.groups) > 1 and config.per_disjunct:
        return _each_disjunct(net, ct, oracle, config, deadline)
    if root_bound(net, ct, config):
        return CaseResult(Outcome.HOLDS, domains=1, method="alpha-crown")
    layers = len(net.linears)
    with torch.no_grad():
        root = crown(net, ct.lower[None], ct.upper[None])
    stack = BoxStack(ct.lower[None].clone(), ct.upper[None].clone(), *root.lower, *root.upper)
    groups = _row_groups(ct)
    lo_dim = int(ct.lower.shape[0])
    domains, gave_up = 0, False
    while len(stack):
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method="input-split")
        lookahead = config.branching == "lookahead"
        lo, hi, *flat = stack.pop(max(1, config.batch // lo_dim) if lookahead else config.batch)
        parent = Bounds(tuple(flat[:layers]), tuple(flat[layers:]))
        domains += lo.shape[0] * (2 * lo_dim if lookahead else 1)
        with torch.no_grad():
            if lookahead:
                step = _lookahead_step(net, ct, oracle, lo, hi, parent, config)
            else:
                step = _bound_and_split(net, ct, oracle, lo, hi, parent, groups, config)
        if isinstance(step, CaseResult):
            step.domains = domains
            return step
        children, tiny = step
        gave_up |= tiny
        stack.push(*children)
    outcome = Outcome.UNKNOWN if gave_up else Outcome.HOLDS
    return CaseResult(outcome, domains=domains, method="input-split")


def _each_disjunct(net: Network, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
                   deadline: float) -> CaseResult:
    """The union of the disjuncts is unreachable iff each one is: search them one at a time
    (tighter clipping and branching per disjunct); witnesses are still checked on the case."""
    domains, gave_up = 0, False
    for a, b in ct.groups:
        sub = CaseTensors(ct.case, ct.lower, ct.upper, ct.matrix[a:b], ct.rhs[a:b],
                          ((0, b - a),))
        result = input_split(net, sub, oracle, config, deadline)
        domains += result.domains
        if result.outcome in (Outcome.VIOLATED, Outcome.TIMEOUT):
            result.domains = domains
            return result
        gave_up |= result.outcome is Outcome.UNKNOWN
    return CaseResult(Outcome.UNKNOWN if gave_up else Outcome.HOLDS, domains=domains,
                      method="input-split")


def clip_boxes(ct: CaseTensors, lo: Tensor, hi: Tensor, a: Tensor, lower: Tensor
               ) -> tuple[Tensor, Tensor]:
    """Shrink each box to the bounding box of the part where some disjunct can still be met.

    Row r of a disjunct can be <= 0 only where its linear lower bound ``a_r x + c_r`` is, so
    along input i: ``a_ri x_i <= min_i - lower_r`` with ``min_i = min(a_ri lo_i, a_ri hi_i)``
    over the box (Clip-and-Verify). Rows of one disjunct intersect; disjuncts unite. An empty
    result has some lo > hi.
    """
    lo_b, hi_b = lo.unsqueeze(1), hi.unsqueeze(1)  # [B, 1, n]
    mins = torch.minimum(a * lo_b, a * hi_b)  # [B, m, n]
    limit = (mins - lower.unsqueeze(-1)) / torch.where(a == 0, torch.ones_like(a), a)
    slack = 1e-9 * (1 + limit.abs()) + 1e-9 * (hi_b - lo_b)
    upper_cut = torch.where(a > 0, limit + slack, torch.full_like(a, torch.inf))
    lower_cut = torch.where(a < 0, limit - slack, torch.full_like(a, -torch.inf))
    new_lo, new_hi = None, None
    for g0, g1 in ct.groups:
        if g1 == g0:
            return lo, hi
        g_lo = torch.maximum(lo, lower_cut[:, g0:g1].amax(1))
        g_hi = torch.minimum(hi, upper_cut[:, g0:g1].amin(1))
        empty = (g_lo > g_hi).any(-1, keepdim=True)
        g_lo = torch.where(empty, torch.full_like(g_lo, torch.inf), g_lo)
        g_hi = torch.where(empty, torch.full_like(g_hi, -torch.inf), g_hi)
        new_lo = g_lo if new_lo is None else torch.minimum(new_lo, g_lo)
        new_hi = g_hi if new_hi is None else torch.maximum(new_hi, g_hi)
    assert new_lo is not None and new_hi is not None
    return new_lo, new_hi


def _bound_and_split(net: Network, ct: CaseTensors, oracle: Oracle, lo: Tensor, hi: Tensor,
                     parent: Bounds, groups: Tensor, config: SearchConfig):
    """One batch: bound, drop proved boxes, clip, try counterexamples, split the rest."""
    if config.intermediate == 'crown':
        bounds = crown(net, lo, hi, parent=parent)
    else:
        bounds = forward_linear(net, lo, hi)
    lower, a, _ = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
    proved_disjunct = ct.disjunct_max(lower) > 0
    open_ = ~(proved_disjunct.all(-1) | bounds.infeasible)
    if config.clip:
        c_lo, c_hi = clip_boxes(ct, lo, hi, a, lower)
        open_ &= ~(c_lo > c_hi).any(-1)
        lo, hi = torch.where(open_[:, None], c_lo, lo), torch.where(open_[:, None], c_hi, hi)
    lo, hi, a, lower = lo[open_], hi[open_], a[open_], lower[open_]
    kept = [t[open_] for t in (*bounds.lower, *bounds.upper)]
    proved_disjunct = proved_disjunct[open_]
    if lo.shape[0] == 0:
        return (lo, hi, *kept), False
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
    if config.branching == "widest":
        score = width.clone()
    score = torch.where(width > 0, score + 1e-12 * width, torch.zeros_like(score))
    tiny = width.amax(-1) < config.min_width
    lo, hi, score = lo[~tiny], hi[~tiny], score[~tiny]
    kept = [t[~tiny] for t in kept]
    children = (*bisect(lo, hi, score), *(torch.cat([t, t]) for t in kept))
    return children, bool(tiny.any())


def bisect(lo: Tensor, hi: Tensor, score: Tensor) -> tuple[Tensor, Tensor]:
    """Each box cut in two at the middle of its highest-scoring coordinate: the (lo, hi) of
    the 2B halves, the lower halves first (row i and row B + i are box i's halves)."""
    dim = score.argmax(-1)
    rows = torch.arange(lo.shape[0])
    mid = (lo[rows, dim] + hi[rows, dim]) / 2
    left_hi, right_lo = hi.clone(), lo.clone()
    left_hi[rows, dim] = mid
    right_lo[rows, dim] = mid
    return torch.cat([lo, right_lo]), torch.cat([left_hi, hi])


def _bound_boxes(net: Network, ct: CaseTensors, lo: Tensor, hi: Tensor, parent: Bounds,
                 config: SearchConfig):
    """Bound a batch: (open mask, clipped lo, hi, spec lower, A, bounds)."""
    bounds = crown(net, lo, hi, parent=parent)
    lower, a, _ = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
    open_ = ~((ct.disjunct_max(lower) > 0).all(-1) | bounds.infeasible)
    if config.clip:
        c_lo, c_hi = clip_boxes(ct, lo, hi, a, lower)  # (a, lower) of the same linear bound
        open_ &= ~(c_lo > c_hi).any(-1)
        lo, hi = torch.where(open_[:, None], c_lo, lo), torch.where(open_[:, None], c_hi, hi)
    if config.split_alpha_iterations > 0 and bool(open_.any()):
        idx = open_.nonzero().flatten()
        sub = Bounds(tuple(t[idx] for t in bounds.lower), tuple(t[idx] for t in bounds.upper))
        with torch.enable_grad():
            better, _ = alpha_crown(net, lo[idx], hi[idx], ct.matrix, ct.rhs, sub,
                                    config.split_alpha_iterations, config.alpha_lr)
        lower = lower.index_put((idx,), torch.maximum(lower[idx], better))
        open_ &= ~(ct.disjunct_max(lower) > 0).all(-1)
    return open_, lo, hi, lower, a, bounds


def _lookahead_step(net: Network, ct: CaseTensors, oracle: Oracle, lo: Tensor, hi: Tensor,
                    parent: Bounds, config: SearchConfig):
    """Split each (open, already bounded) box along every input, bound all the children, keep
    the pair of the input whose worse child has the best bound (strong branching)."""
    width = hi - lo
    tiny = width.amax(-1) < config.min_width
    keep = ~tiny
    lo, hi, width = lo[keep], hi[keep], width[keep]
    parent = Bounds(tuple(t[keep] for t in parent.lower), tuple(t[keep] for t in parent.upper))
    b, d = lo.shape
    if b == 0:
        return (lo, hi, *parent.lower, *parent.upper), bool(tiny.any())
    mid = (lo + hi) / 2
    eye = torch.eye(d, dtype=torch.bool)  # [d, d]: row i splits input i
    lo_r, hi_r, mid_r = (t.unsqueeze(0).expand(d, b, d) for t in (lo, hi, mid))
    left_hi = torch.where(eye[:, None, :], mid_r, hi_r)
    right_lo = torch.where(eye[:, None, :], mid_r, lo_r)
    c_lo = torch.cat([lo_r, right_lo]).reshape(-1, d)  # index (side, dim, box)
    c_hi = torch.cat([left_hi, hi_r]).reshape(-1, d)
    rep = 2 * d
    c_parent = Bounds(tuple(t.repeat(rep, 1) for t in parent.lower),
                      tuple(t.repeat(rep, 1) for t in parent.upper))
    open_, c_lo, c_hi, lower, a, bounds = _bound_boxes(net, ct, c_lo, c_hi, c_parent, config)
    value = ct.disjunct_max(lower).amin(-1)
    value = torch.where(open_, value, torch.full_like(value, torch.inf)).reshape(2, d, b)
    # score of input i: the sum of its two children's bounds, a closed child counting as twice
    # the best open bound of the box (so closing one child beats improving both a little)
    value = value.clamp(min=-1e30)
    best = value.masked_fill(value.isinf(), -1e30).amax((0, 1), keepdim=True)
    value = torch.where(value.isinf(), best.abs() * 2 + 1, value)
    score = (value[0] + value[1]).T  # [b, d]
    score = torch.where(width > 0, score, torch.full_like(score, -torch.inf))
    dim = score.argmax(-1)  # [b]
    boxes = torch.arange(b)
    chosen = torch.cat([dim * b + boxes, (d + dim) * b + boxes])
    chosen = chosen[open_[chosen]]
    if chosen.numel():
        o_lo, o_hi, o_a = c_lo[chosen], c_hi[chosen], a[chosen]
        corners = torch.where(o_a > 0, o_lo.unsqueeze(1), o_hi.unsqueeze(1)).reshape(-1, d)
        cand = torch.cat([corners, (o_lo + o_hi) / 2])
        margin = ct.margin(net.forward(cand))
        if bool((margin <= 0).any()):
            witness = _confirm(ct, oracle, cand, margin, 8)
            if witness is not None:
                return CaseResult(Outcome.VIOLATED, witness, method="input-split")
    children = (c_lo[chosen], c_hi[chosen], *(t[chosen] for t in bounds.lower),
                *(t[chosen] for t in bounds.upper))
    return children, bool(tiny.any())
