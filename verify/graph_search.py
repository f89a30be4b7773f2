"""Complete search over a ``GraphNet``: input splitting for few inputs, else beta-CROWN BaB.

* ``graph_input_split``: boxes bounded in batches by CROWN (every batch recomputes the
  intermediate bounds on its boxes), clipped to where a violation is still possible, the
  minimisers of the linear bounds tried as counterexamples, split along the input with the
  largest ``|coefficient| x width`` over the open rows.
* ``graph_relu_bab``: intermediate bounds are computed once, on the whole box (CROWN); a domain
  fixes the phase of some ReLU-family elements, whose pre-activation bounds are clamped
  (exact relaxation there; the other bounds stay valid on the sub-domain). The spec rows are
  bounded with alpha-CROWN plus one Lagrange multiplier ``beta >= 0`` per split: ``f >= f -
  beta z`` where z >= 0 is forced, ``f >= f + beta z`` where z <= 0 (beta-CROWN); alphas and
  betas are optimised together by Adam. Open domains split the unstable element with the
  largest ``|a| * u(-l)/(u-l)`` (the area of its relaxation weighted by its coefficient).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import torch
from torch import Tensor

from . import graph_ops as G
from .attack import CaseTensors, _confirm
from .bounds import _Adam
from .graph import GraphNet
from .graph_bounds import (
    GraphBounds,
    PastDeadline,
    _Partial,
    alpha_crown,
    backward,
    concretize,
    graph_bounds,
    relu_nodes,
    spec_lower,
    spec_rows,
)
from .input_split import bisect, clip_boxes
from .search import CaseResult, Outcome, SearchConfig
from .witness import Oracle


def decide_graph_case(net: GraphNet, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
                      deadline: float, root: object = None) -> CaseResult:
    """Complete search of one case; ``root`` is what ``root_bounds`` gave for it, if run."""
    if ct.matrix.shape[0] == 0:  # some disjunct has no output rows: every input is unsafe
        witness = oracle.confirm(ct.case, ((ct.lower + ct.upper) / 2).numpy())
        return CaseResult(Outcome.VIOLATED if witness else Outcome.UNKNOWN, witness)
    if net.input_size <= config.input_split_max_dim:
        return graph_input_split(net, ct, oracle, config, deadline)
    return graph_relu_bab(net, ct, oracle, config, deadline,
                          root if isinstance(root, (GraphBounds, _Partial)) else None)


def root_bounds(net: GraphNet, ct: CaseTensors, config: SearchConfig,
                deadline: float) -> GraphBounds | _Partial | bool | None:
    """CROWN then alpha-CROWN over the case's whole box, before any attack: True when that
    proves the case; else the root bounds (for ``graph_relu_bab``), or as much of them as
    was done by ``deadline`` (the search resumes it)."""
    if ct.matrix.shape[0] == 0:
        return None
    lo, hi = ct.lower[None], ct.upper[None]
    try:
        with torch.no_grad():
            bounds = graph_bounds(net, lo, hi, deadline=deadline)
    except PastDeadline as stop:
        return stop.partial
    if bool(bounds.infeasible.all()):
        return True
    with torch.no_grad():
        lower = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)[0]
    if bool(_proved(ct, lower).all()):
        return True
    if config.alpha_iterations > 0 and time.monotonic() < deadline:
        lower = alpha_crown(net, lo, hi, ct.matrix, ct.rhs, bounds, config.alpha_iterations,
                            config.alpha_lr)
        if bool(_proved(ct, lower).all()):
            return True
    return bounds


def _proved(ct: CaseTensors, lower: Tensor) -> Tensor:
    """[B] bool: every disjunct has a row whose lower bound is > 0."""
    return (ct.disjunct_max(lower) > 0).all(-1)


def _try_corners(net: GraphNet, ct: CaseTensors, oracle: Oracle, lo: Tensor, hi: Tensor,
                 a: Tensor):
    """The minimisers of each row's linear lower bound, and the box centres, as candidates."""
    corners = torch.where(a > 0, lo.unsqueeze(1), hi.unsqueeze(1)).reshape(-1, lo.shape[1])
    cand = torch.cat([corners, (lo + hi) / 2])
    with torch.no_grad():
        margin = ct.margin(net.forward(cand))
    if bool((margin <= 0).any()):
        return _confirm(ct, oracle, cand, margin, 8)
    return None


def graph_input_split(net: GraphNet, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
                      deadline: float) -> CaseResult:
    lo, hi = ct.lower[None], ct.upper[None]
    try:
        with torch.no_grad():
            bounds = graph_bounds(net, lo, hi, deadline=deadline)
    except PastDeadline:
        return CaseResult(Outcome.TIMEOUT, method="graph-input-split")
    with torch.no_grad():
        lower = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)[0]
    if bool(_proved(ct, lower).all()) or bool(bounds.infeasible.all()):
        return CaseResult(Outcome.HOLDS, domains=1, method="graph-crown")
    if config.alpha_iterations > 0:
        lower = alpha_crown(net, lo, hi, ct.matrix, ct.rhs, bounds, config.alpha_iterations,
                            config.alpha_lr)
        if bool(_proved(ct, lower).all()):
            return CaseResult(Outcome.HOLDS, domains=1, method="graph-alpha-crown")
    groups = torch.zeros(ct.matrix.shape[0], dtype=torch.long)
    for g, (a0, b0) in enumerate(ct.groups):
        groups[a0:b0] = g
    stack = [(lo, hi)]
    domains, gave_up = 0, False
    while stack:
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method="graph-input-split")
        lo, hi = _pop_boxes(stack, config.batch)
        domains += lo.shape[0]
        with torch.no_grad():
            bounds = graph_bounds(net, lo, hi)
            lower, a, _ = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
            open_ = ~(_proved(ct, lower) | bounds.infeasible)
            if config.clip:
                c_lo, c_hi = clip_boxes(ct, lo, hi, a, lower)
                open_ &= ~(c_lo > c_hi).any(-1)
                lo = torch.where(open_[:, None], c_lo, lo)
                hi = torch.where(open_[:, None], c_hi, hi)
            lo, hi, a, lower = lo[open_], hi[open_], a[open_], lower[open_]
            if lo.shape[0] == 0:
                continue
            witness = _try_corners(net, ct, oracle, lo, hi, a)
            if witness is not None:
                return CaseResult(Outcome.VIOLATED, witness, domains=domains,
                                  method="graph-input-split")
            width = hi - lo
            row_open = (ct.disjunct_max(lower) <= 0)[:, groups].to(a.dtype)
            score = (a.abs() * width.unsqueeze(1) * row_open.unsqueeze(-1)).sum(1)
            score = torch.where(width > 0, score + 1e-12 * width, torch.zeros_like(score))
            tiny = width.amax(-1) < config.min_width
            gave_up |= bool(tiny.any())
            lo, hi, score = lo[~tiny], hi[~tiny], score[~tiny]
        if lo.shape[0]:
            stack.append(bisect(lo, hi, score))
    return CaseResult(Outcome.UNKNOWN if gave_up else Outcome.HOLDS, domains=domains,
                      method="graph-input-split")


def _pop_boxes(stack: list[tuple[Tensor, Tensor]], n: int) -> tuple[Tensor, Tensor]:
    lo, hi = stack.pop()
    if lo.shape[0] > n:
        stack.append((lo[:-n], hi[:-n]))
        lo, hi = lo[-n:], hi[-n:]
    return lo, hi


# ---------------------------------------------------------------- ReLU branch and bound


def _pre_of(net: GraphNet) -> dict[int, int]:
    """ReLU-family node -> its pre-activation node (the split variable)."""
    return {k: net.nodes[k].inputs[0] for k in relu_nodes(net)}


def split_bounds(net: GraphNet, root: GraphBounds, splits: Mapping[int, Tensor]) -> GraphBounds:
    """The root bounds (one box) for a batch of domains: split pre-activations clamped, the
    relaxations of their activations recomputed."""
    d = next(iter(splits.values())).shape[0] if splits else 1
    lows = [t.expand(d, *t.shape[1:]) for t in root.lower]
    ups = [t.expand(d, *t.shape[1:]) for t in root.upper]
    relax = {k: _expand_relax(r, d) for k, r in root.relax.items()}
    for k, j in _pre_of(net).items():
        s = splits.get(j)
        if s is None:
            continue
        lows[j] = torch.where(s > 0, lows[j].clamp(min=0), lows[j])
        ups[j] = torch.where(s < 0, ups[j].clamp(max=0), ups[j])
        op = net.nodes[k].op
        assert isinstance(op, G.Activation)
        relax[k] = op.relax(lows[j], ups[j])
    return GraphBounds(tuple(lows), tuple(ups), relax)


def _expand_relax(r: object, d: int) -> object:
    if isinstance(r, G.Relaxation):
        return G.Relaxation(*(t.expand(d, *t.shape[1:]) for t in
                              (r.lower_slope, r.lower_icpt, r.upper_slope, r.upper_icpt)))
    assert isinstance(r, tuple)
    return tuple(t.expand(d, *t.shape[1:]) for t in r)


def beta_crown(net: GraphNet, lo: Tensor, hi: Tensor, matrix: Tensor, rhs: Tensor,
               bounds: GraphBounds, splits: Mapping[int, Tensor], iterations: int, lr: float,
               deadline: float = float("inf")) -> tuple[Tensor, Tensor, dict[int, Tensor]]:
    """Spec lower bounds [B, m] over split domains with optimised alphas and betas; also the
    linear bound's input coefficients (of the last iterate) and the coefficients reaching each
    pre-activation node (for branching)."""
    batch = lo.shape[0]
    row_box = spec_rows(batch, matrix)
    params: list[Tensor] = []
    alphas: dict[int, Tensor] = {}
    for k, j in _pre_of(net).items():
        op = net.nodes[k].op
        assert isinstance(op, G.Activation)
        alphas[k] = op.initial_alpha(bounds.lower[j], bounds.upper[j])[row_box].clone()
        params.append(alphas[k])
    betas: dict[int, Tensor] = {}
    signs: dict[int, Tensor] = {}
    for j, s in splits.items():
        signs[j] = (-s.to(lo.dtype))[row_box]  # z >= 0 forced: -beta z; z <= 0: +beta z
        betas[j] = torch.zeros_like(signs[j])
        params.append(betas[j])
    a = matrix.to(lo.dtype).unsqueeze(0).expand(batch, -1, -1).reshape(batch * matrix.shape[0],
                                                                        *net.nodes[-1].shape)
    const_rhs = rhs.to(lo.dtype).repeat(batch)
    lo_r, hi_r = lo[row_box], hi[row_box]

    def bound(record: dict[int, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        extra = {j: signs[j] * betas[j] for j in betas}
        big_a, const = backward(net, len(net.nodes) - 1, a, row_box, bounds, alphas, extra,
                                record)
        return concretize(big_a, const - const_rhs, lo_r, hi_r), big_a

    for p in params:
        p.requires_grad_(True)
    with torch.no_grad():
        best, big_a = bound()
    if iterations > 0 and params:
        adam = _Adam(params, lr)
        for _ in range(iterations):
            if time.monotonic() > deadline:
                break
            lower, _ = bound()
            best = torch.maximum(best, lower.detach())
            adam.step(torch.autograd.grad(-lower.sum(), params, allow_unused=True))
            with torch.no_grad():
                for k in alphas:
                    op = net.nodes[k].op
                    assert isinstance(op, G.Activation)
                    alphas[k].clamp_(op.negative_slope, 1.0)
                for j in betas:
                    betas[j].clamp_(min=0.0)
    record: dict[int, Tensor] = {}
    with torch.no_grad():
        lower, big_a = bound(record)
    best = torch.maximum(best, lower)
    m = matrix.shape[0]
    return best.reshape(batch, m), big_a.reshape(batch, m, -1), record


def graph_relu_bab(net: GraphNet, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
                   deadline: float, root: GraphBounds | _Partial | None = None) -> CaseResult:
    """Decide one case by splitting ReLU-family elements (beta-CROWN bounds); ``root``: the
    intermediate bounds over the case's box when already computed (or partly)."""
    lo, hi = ct.lower[None], ct.upper[None]
    if not isinstance(root, GraphBounds):
        try:
            with torch.no_grad():
                root = graph_bounds(net, lo, hi, deadline=deadline, resume=root)
        except PastDeadline:
            return CaseResult(Outcome.TIMEOUT, method="graph-bab")
    if bool(root.infeasible.all()):
        return CaseResult(Outcome.HOLDS, domains=1, method="graph-crown")
    pre = _pre_of(net)
    empty = {j: torch.zeros((1, *net.nodes[j].shape), dtype=torch.int8) for j in pre.values()}
    stack: list[dict[int, Tensor]] = [empty]
    domains, gave_up = 0, False
    iterations = config.alpha_iterations
    while stack:
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method="graph-bab")
        splits = _pop_domains(stack, config.relu_batch)
        d = next(iter(splits.values())).shape[0] if splits else 1
        domains += d
        bounds = split_bounds(net, root, splits)
        b_lo, b_hi = lo.expand(d, -1), hi.expand(d, -1)
        lower, a, record = beta_crown(net, b_lo, b_hi, ct.matrix, ct.rhs, bounds, splits,
                                      iterations, config.alpha_lr, deadline)
        iterations = max(1, config.split_alpha_iterations)
        if domains == 1:  # the root: the disjuncts it proves need no branching
            ct, lower, a, record = _open_disjuncts(ct, lower, a, record)
        open_ = ~(_proved(ct, lower) | bounds.infeasible)
        if not bool(open_.any()):
            continue
        idx = open_.nonzero().flatten()
        witness = _try_corners(net, ct, oracle, b_lo[idx], b_hi[idx], a[idx])
        if witness is not None:
            return CaseResult(Outcome.VIOLATED, witness, domains=domains, method="graph-bab")
        children, stuck = _branch(net, bounds, splits, record, idx, ct.matrix.shape[0])
        gave_up |= stuck
        if children is not None:
            stack.append(children)
    return CaseResult(Outcome.UNKNOWN if gave_up else Outcome.HOLDS, domains=domains,
                      method="graph-bab")


def _open_disjuncts(ct: CaseTensors, lower: Tensor, a: Tensor, record: dict[int, Tensor]):
    """The case restricted to the disjuncts the root bound (one domain) leaves open, with the
    root's bounds and recorded coefficients restricted to their rows. Witnesses are still
    checked against the whole case."""
    reach = ct.disjunct_max(lower)[0]
    keep = [g for g in range(len(ct.groups)) if bool(reach[g] <= 0)]
    if not keep or len(keep) == len(ct.groups):
        return ct, lower, a, record
    rows = torch.cat([torch.arange(*ct.groups[g]) for g in keep])
    groups, start = [], 0
    for g in keep:
        size = ct.groups[g][1] - ct.groups[g][0]
        groups.append((start, start + size))
        start += size
    sub = CaseTensors(ct.case, ct.lower, ct.upper, ct.matrix[rows], ct.rhs[rows], tuple(groups))
    kept = {j: r[rows] for j, r in record.items()}  # one domain: its rows are the spec rows
    return sub, lower[:, rows], a[:, rows], kept


def _pop_domains(stack: list[dict[int, Tensor]], n: int) -> dict[int, Tensor]:
    top = stack.pop()
    size = next(iter(top.values())).shape[0] if top else 1
    if size > n:
        stack.append({j: t[:-n] for j, t in top.items()})
        top = {j: t[-n:] for j, t in top.items()}
    return top


def _branch(net: GraphNet, bounds: GraphBounds, splits: dict[int, Tensor],
            record: dict[int, Tensor], idx: Tensor, rows: int
            ) -> tuple[dict[int, Tensor] | None, bool]:
    """Two children per open domain ``idx``: the best-scored unstable element forced inactive
    and active. Domains with no unstable element left are dropped as undecided."""
    pre = sorted(set(_pre_of(net).values()))
    scores = []
    for j in pre:
        lo, hi = bounds.lower[j][idx], bounds.upper[j][idx]
        unstable = (lo < 0) & (hi > 0) & (splits[j][idx] == 0)
        gap = torch.where(unstable, hi * (-lo) / (hi - lo).clamp(min=1e-30),
                          torch.zeros_like(lo))
        coef = record.get(j)
        if coef is not None:  # BaBSR: the upper line's intercept times its (negative) weight
            weight = (-coef).clamp(min=0).reshape(-1, rows, *coef.shape[1:])[idx].sum(1)
        else:
            weight = torch.ones_like(gap)
        score = gap * (weight + 1e-6)  # unstable elements always score above stable ones
        scores.append(torch.where(unstable, score + 1e-30, torch.zeros_like(score))
                      .reshape(len(idx), -1))
    flat = torch.cat(scores, 1)
    best = flat.argmax(1)
    ok = flat.gather(1, best[:, None]).squeeze(1) > 0
    stuck = not bool(ok.all())
    if not bool(ok.any()):
        return None, stuck
    idx, best = idx[ok], best[ok]
    children: dict[int, list[Tensor]] = {j: [] for j in pre}
    offsets = torch.cumsum(torch.tensor([0] + [s.shape[1] for s in scores]), 0)
    for phase in (-1, 1):
        for n_j, j in enumerate(pre):
            child = splits[j][idx].clone()
            flat_child = child.reshape(len(idx), -1)
            mine = (best >= offsets[n_j]) & (best < offsets[n_j + 1])
            rows_m = mine.nonzero().flatten()
            flat_child[rows_m, best[rows_m] - offsets[n_j]] = phase
            children[j].append(child)
    return {j: torch.cat(parts) for j, parts in children.items()}, stuck
