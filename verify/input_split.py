"""Complete search by input splitting, for networks with few inputs (ACAS Xu has 5).

Boxes are bounded in batches with CROWN, intermediate backward passes only for neurons still
unstable under IBP and the bounds inherited from the parent box (valid on the sub-box), then
CROWN's backward pass for the spec rows. A box is closed when every disjunct has a row with
lower bound > 0, or when its rows together cannot all be met: the LP over their linear lower
bounds on the box is infeasible (``conjunction.conjunction_bound``; reach_prob_density
robot_3..8, where each row alone is satisfiable on every box). Otherwise it is clipped to the
part where the linear lower bounds (the combined rows included) allow a violation
(Clip-and-Verify). The minimisers of each row's linear bound and of the combined rows, and
the box centres, are tried as counterexamples. Boxes still open get
``split_alpha_iterations`` steps of alpha-CROWN on the spec rows (the intermediate bounds
stay fixed; the slopes start from the parent's, and the steps are skipped while they close
too few boxes: ``AlphaGate``). Branching (``SearchConfig.branching``):

* ``auto`` (default): ``lookahead`` when every disjunct is a single row, else ``gradient``
  and, for the last eighth of the time (at most 15 s), ``lookahead`` (measured back to
  back: ACAS Xu 3_1 property 1, one row: lookahead 5.4 s, smear a timeout at 60 s; robot_6,
  five rows: lookahead 30.7 s, smear 7.8 s; ACAS Xu 4_2 property 2, four rows: smear with
  20 alpha steps 38 s, gradient 20 s; ACAS Xu 3_3 property 2, four rows: smear a timeout at
  116 s, gradient 30 s);
* ``gradient``: the input whose width the bound is most sensitive to, ``-r_i dL/dr_i``
  (``width_gradient``: through the intermediate bounds as well; smear, which sees only the
  last linear bound, kept halving ACAS Xu 3_3 property 2's boxes across a thin ridge near
  x1 = -0.032, down to widths 6e-5, while their x2 stayed 0.25 wide);
* ``smear``: the input with the largest ``|coefficient| x width`` over the open rows (the
  combined row's score instead was measured worse: robot_6 41 s);
* ``lookahead``: strong branching -- every box is split along every input, all children are
  bounded in one batch, and the input whose two children have the best summed bound (a
  closed child counting high) is kept, with its children's bounds
  (``lookahead_alpha_iterations`` alpha-CROWN steps, not gated, no slopes inherited);
* ``widest``: the widest input.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from .attack import CaseTensors, _confirm
from .bounds import Bounds, alpha_crown, crown, forward_linear, initial_alphas, spec_lower
from .conjunction import Conjunction, conjunction_bound
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


# ``auto`` branching, several rows a disjunct: the lookahead's last share of the time, at most
AUTO_LOOKAHEAD_SECONDS = 15.0

@dataclass
class AlphaGate:
    """Whether the boxes CROWN leaves open get alpha-CROWN: while the share of them it closes
    (a moving average, from an optimistic start) is at least ``threshold``, else one batch in
    ``probe_every`` to re-measure. Measured on the ACAS Xu hard cases it closes ~35% of them
    (needed: 3_3 and 4_2 property 2), on reach_prob_density robot_6 ~5% for 3x the time."""

    threshold: float = 0.15
    probe_every: int = 8
    rate: float = 1.0
    skipped: int = 0

    def use(self) -> bool:
        if self.rate >= self.threshold:
            return True
        self.skipped += 1
        if self.skipped >= self.probe_every:
            self.skipped = 0
            return True
        return False

    def record(self, tried: int, closed: int) -> None:
        if tried:
            self.rate = 0.7 * self.rate + 0.3 * closed / tried


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
    if config.branching == "auto":
        if all(b - a == 1 for a, b in ct.groups):
            return _search(net, ct, oracle, replace(config, branching="lookahead"), deadline)
        return _gradient_then_lookahead(net, ct, oracle, config, deadline)
    return _search(net, ct, oracle, config, deadline)


def _gradient_then_lookahead(net: Network, ct: CaseTensors, oracle: Oracle,
                             config: SearchConfig, deadline: float) -> CaseResult:
    """``auto`` branching where a disjunct has several rows: neither branching wins on every
    such case, so ``gradient`` gets the time but a last share (an eighth of it, at most
    ``AUTO_LOOKAHEAD_SECONDS``), and the lookahead that share, from the root again. Measured
    with smear first, on 2 loaded cores, two instances at once: ACAS Xu 1_9 property 7 (sat,
    four rows a disjunct) lookahead 4-13 s (630 boxes; 2 s as the last share), smear a
    timeout at 116 s (gradient finds it in 5 s); reach_prob_density robot_3, 5, 6, 8 (unsat)
    lookahead timeouts at 60 s, smear 8-18 s, and 20-60 s (one timeout) when a quarter of
    lookahead went first."""
    share = min(AUTO_LOOKAHEAD_SECONDS, max(0.0, deadline - time.monotonic()) / 8)
    first = _search(net, ct, oracle, replace(config, branching="gradient"), deadline - share)
    if first.outcome in (Outcome.HOLDS, Outcome.VIOLATED):
        return first
    rest = _search(net, ct, oracle, replace(config, branching="lookahead"), deadline)
    rest.domains += first.domains
    return rest


def _search(net: Network, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
            deadline: float) -> CaseResult:
    """The box search with one branching rule (``config.branching``, not ``auto``)."""
    layers = len(net.linears)
    with torch.no_grad():
        root = crown(net, ct.lower[None], ct.upper[None])
    lookahead = config.branching == "lookahead"
    # the alpha-CROWN slopes travel with the boxes (warm starts), except in the lookahead
    alphas = [] if lookahead else initial_alphas(net, root, ct.matrix.shape[0])
    stack = BoxStack(ct.lower[None].clone(), ct.upper[None].clone(), *root.lower, *root.upper,
                     *alphas)
    groups = _row_groups(ct)
    lo_dim = int(ct.lower.shape[0])
    domains, gave_up = 0, False
    gate = AlphaGate()
    while len(stack):
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method="input-split")
        lo, hi, *flat = stack.pop(max(1, config.batch // lo_dim) if lookahead else config.batch)
        parent = Bounds(tuple(flat[:layers]), tuple(flat[layers:2 * layers]))
        domains += lo.shape[0] * (2 * lo_dim if lookahead else 1)
        with torch.no_grad():
            if lookahead:
                step = _lookahead_step(net, ct, oracle, lo, hi, parent, config)
            else:
                step = _bound_and_split(net, ct, oracle, lo, hi, parent, flat[2 * layers:],
                                        groups, config, gate)
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


def clip_boxes(ct: CaseTensors, lo: Tensor, hi: Tensor, a: Tensor, lower: Tensor,
               groups: tuple[tuple[int, int], ...] | None = None) -> tuple[Tensor, Tensor]:
    """Shrink each box to the bounding box of the part where some disjunct can still be met.

    Row r of a disjunct can be <= 0 only where its linear lower bound ``a_r x + c_r`` is, so
    along input i: ``a_ri x_i <= min_i - lower_r`` with ``min_i = min(a_ri lo_i, a_ri hi_i)``
    over the box (Clip-and-Verify). Rows of one disjunct intersect; disjuncts unite. An empty
    result has some lo > hi. ``groups`` (default ``ct.groups``) are the disjuncts' row ranges
    of ``a`` when it holds more rows than the case (``with_combined``).
    """
    lo_b, hi_b = lo.unsqueeze(1), hi.unsqueeze(1)  # [B, 1, n]
    mins = torch.minimum(a * lo_b, a * hi_b)  # [B, m, n]
    limit = (mins - lower.unsqueeze(-1)) / torch.where(a == 0, torch.ones_like(a), a)
    slack = 1e-9 * (1 + limit.abs()) + 1e-9 * (hi_b - lo_b)
    upper_cut = torch.where(a > 0, limit + slack, torch.full_like(a, torch.inf))
    lower_cut = torch.where(a < 0, limit - slack, torch.full_like(a, -torch.inf))
    new_lo, new_hi = None, None
    for g0, g1 in groups or ct.groups:
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
                     parent: Bounds, alphas: list[Tensor], groups: Tensor, config: SearchConfig,
                     gate: AlphaGate):
    """One batch: bound, drop proved boxes, clip, try counterexamples, split the rest (the
    children inherit the bounds and the alpha-CROWN slopes of their parent)."""
    open_, lo, hi, value, a, bounds, conj, alphas = _bound_boxes(
        net, ct, lo, hi, parent, config, config.split_alpha_iterations if gate.use() else 0,
        alphas, gate)
    lo, hi, a, value = lo[open_], hi[open_], a[open_], value[open_]
    kept = [t[open_] for t in (*bounds.lower, *bounds.upper, *alphas)]
    point = conj.point[open_]
    if lo.shape[0] == 0:
        return (lo, hi, *kept), False
    # candidate counterexamples: minimisers of each row's linear lower bound and of each
    # disjunct's combined row (clamped into the clipped box), and the centres
    corners = torch.where(a > 0, lo.unsqueeze(1), hi.unsqueeze(1)).reshape(-1, lo.shape[1])
    joint = torch.minimum(torch.maximum(point, lo.unsqueeze(1)), hi.unsqueeze(1))
    cand = torch.cat([corners, joint.reshape(-1, lo.shape[1]), (lo + hi) / 2])
    margin = ct.margin(net.forward(cand))
    if bool((margin <= 0).any()):
        witness = _confirm(ct, oracle, cand, margin, 8)
        if witness is not None:
            return CaseResult(Outcome.VIOLATED, witness, method="input-split")
    width = hi - lo
    if config.branching == "widest":
        score = width.clone()
    elif config.branching == "gradient":
        sub = Bounds(tuple(t[open_] for t in parent.lower), tuple(t[open_] for t in parent.upper))
        score = width_gradient(net, ct, lo, hi, sub, conj.weights[open_], value <= 0)
    else:
        row_open = (value <= 0)[:, groups].to(a.dtype)  # [B, m]
        score = ((a.abs() * width.unsqueeze(1)) * row_open.unsqueeze(-1)).sum(1)
    score = torch.where(width > 0, score + 1e-12 * width, torch.zeros_like(score))
    tiny = width.amax(-1) < config.min_width
    lo, hi, score = lo[~tiny], hi[~tiny], score[~tiny]
    kept = [t[~tiny] for t in kept]
    children = (*bisect(lo, hi, score), *(torch.cat([t, t]) for t in kept))
    return children, bool(tiny.any())


def width_gradient(net: Network, ct: CaseTensors, lo: Tensor, hi: Tensor,
                   parent: Bounds | None, weights: Tensor, open_disjuncts: Tensor) -> Tensor:
    """[B, n] branching scores: ``-r_i dL/dr_i`` for the half-widths ``r`` of each box, where
    ``L`` sums, over its open disjuncts, the lower bound of their rows combined with
    ``weights`` (the conjunction's ``lambda``, [B, D, m], held fixed; a unit vector gives one
    row's CROWN bound) -- the first-order gain of shrinking input i, through the
    intermediate bounds as well as the last layer's linear term (all that ``smear`` sees)."""
    with torch.enable_grad():
        center = (lo + hi) / 2
        radius = ((hi - lo) / 2).requires_grad_()
        b_lo, b_hi = center - radius, center + radius
        bounds = crown(net, b_lo, b_hi, parent=parent)
        _, a, const = spec_lower(net, b_lo, b_hi, ct.matrix, ct.rhs, bounds)
        w = weights @ a  # [B, D, n]
        value = ((w * center.unsqueeze(1)).sum(-1) - (w.abs() * radius.unsqueeze(1)).sum(-1)
                 + (weights * const.unsqueeze(1)).sum(-1))  # [B, D]
        objective = torch.where(open_disjuncts, value, torch.zeros_like(value)).sum()
        (grad,) = torch.autograd.grad(objective, radius)
    return torch.nan_to_num(-grad * radius, nan=0.0, posinf=0.0).detach().clamp(min=0)


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


def with_combined(groups: tuple[tuple[int, int], ...], a: Tensor, lower: Tensor,
                  conj: Conjunction) -> tuple[Tensor, Tensor, tuple[tuple[int, int], ...]]:
    """The rows' (A, lower) with each non-empty disjunct's combined row ``lambda A`` (lower
    bound ``conj.value``) appended to its rows, and the new row ranges, for ``clip_boxes``."""
    a_parts, l_parts, new_groups, at = [], [], [], 0
    combined = conj.weights @ a  # [B, D, n]
    for g, (r0, r1) in enumerate(groups):
        a_parts.append(a[:, r0:r1])
        l_parts.append(lower[:, r0:r1])
        if r1 > r0:
            a_parts.append(combined[:, g:g + 1])
            l_parts.append(conj.value[:, g:g + 1])
        size = r1 - r0 + (r1 > r0)
        new_groups.append((at, at + size))
        at += size
    return torch.cat(a_parts, 1), torch.cat(l_parts, 1), tuple(new_groups)


def _bound_boxes(net: Network, ct: CaseTensors, lo: Tensor, hi: Tensor, parent: Bounds,
                 config: SearchConfig, alpha_iterations: int, alphas: list[Tensor] | None = None,
                 gate: AlphaGate | None = None):
    """Bound a batch: (open mask, clipped lo, hi, value [B, D], A, bounds, conjunction, alphas).

    A disjunct's value is the best of its rows' lower bounds and of their conjunction's LP
    (``conjunction.conjunction_bound``); > 0 proves it on the box. ``alpha_iterations``
    steps of alpha-CROWN on the spec rows of the boxes still open, from ``alphas`` (their
    parents' slopes, [B, m, n_j] per ReLU layer) when given, which come back updated; the
    ``gate`` hears how many boxes alpha-CROWN closed."""
    if config.intermediate == "crown":
        bounds = crown(net, lo, hi, parent=parent)
    else:
        bounds = forward_linear(net, lo, hi)
    lower, a, const = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
    conj = conjunction_bound(ct.groups, a, const, lo, hi, config.conjunction_steps)
    value = torch.maximum(ct.disjunct_max(lower), conj.value)
    open_ = ~((value > 0).all(-1) | bounds.infeasible)
    if config.clip:
        a_c, l_c, g_c = with_combined(ct.groups, a, lower, conj)
        c_lo, c_hi = clip_boxes(ct, lo, hi, a_c, l_c, g_c)  # (a, lower) of the same bounds
        open_ &= ~(c_lo > c_hi).any(-1)
        lo, hi = torch.where(open_[:, None], c_lo, lo), torch.where(open_[:, None], c_hi, hi)
    alphas = list(alphas) if alphas is not None else []
    if alpha_iterations > 0 and bool(open_.any()):
        idx = open_.nonzero().flatten()
        sub = Bounds(tuple(t[idx] for t in bounds.lower), tuple(t[idx] for t in bounds.upper))
        start = [t[idx] for t in alphas] or None
        with torch.enable_grad():
            better, slopes = alpha_crown(net, lo[idx], hi[idx], ct.matrix, ct.rhs, sub,
                                         alpha_iterations, config.alpha_lr, start)
        value = value.index_put((idx,), torch.maximum(value[idx], ct.disjunct_max(better)))
        still = ~(value > 0).all(-1)
        if gate is not None:
            gate.record(idx.numel(), int((open_ & ~still).sum()))
        open_ &= still
        alphas = [t.index_put((idx,), s.to(t.dtype)) for t, s in zip(alphas, slopes)]
    return open_, lo, hi, value, a, bounds, conj, alphas


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
    open_, c_lo, c_hi, value, a, bounds, conj, _ = _bound_boxes(net, ct, c_lo, c_hi, c_parent,
                                                             config,
                                                             config.lookahead_alpha_iterations)
    value = value.amin(-1)
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
        joint = conj.point[chosen].reshape(-1, d)  # before clipping: may lie outside the clip
        joint = torch.minimum(torch.maximum(joint, o_lo.repeat_interleave(conj.point.shape[1], 0)),
                              o_hi.repeat_interleave(conj.point.shape[1], 0))
        cand = torch.cat([corners, joint, (o_lo + o_hi) / 2])
        margin = ct.margin(net.forward(cand))
        if bool((margin <= 0).any()):
            witness = _confirm(ct, oracle, cand, margin, 8)
            if witness is not None:
                return CaseResult(Outcome.VIOLATED, witness, method="input-split")
    children = (c_lo[chosen], c_hi[chosen], *(t[chosen] for t in bounds.lower),
                *(t[chosen] for t in bounds.upper))
    return children, bool(tiny.any())
