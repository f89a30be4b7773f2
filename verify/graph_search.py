"""Complete search over a ``GraphNet``: input splitting for few inputs, else beta-CROWN BaB.

* ``graph_input_split``: boxes bounded in batches by CROWN (every batch recomputes the
  intermediate bounds on its boxes), clipped to where a violation is still possible, the
  minimisers of the linear bounds tried as counterexamples, split along the input with the
  largest ``|coefficient| x width`` over the open rows.
* ``graph_relu_bab``: intermediate bounds are computed once, on the whole box (``graph_root``:
  CROWN, then alpha-CROWN on some pre-activation nodes); a domain
  fixes the phase of some ReLU-family elements, whose pre-activation bounds are clamped
  (exact relaxation there; the other bounds stay valid on the sub-domain). The spec rows are
  bounded with alpha-CROWN plus one Lagrange multiplier ``beta >= 0`` per split: ``f >= f -
  beta z`` where z >= 0 is forced, ``f >= f + beta z`` where z <= 0 (beta-CROWN); alphas and
  betas are optimised together by Adam, a few steps per batch: a child starts from its
  parent's alphas and betas (the root's from alpha-CROWN's best) and keeps its parent's bound
  where its own is lower. Batches are sized to take about ``BATCH_SECONDS``. Open domains
  split the unstable element with the largest ``|a| * u(-l)/(u-l)`` (the area of its
  relaxation weighted by its coefficients in the spec rows still open). Optionally
  (``refine_layers``) CROWN re-bounds the pre-activation nodes after the first split of each
  domain over the split relaxations (measured too slow on CPU for oval21: off by default).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor

from . import graph_ops as G
from .attack import CaseTensors, _confirm
from .bounds import _Adam
from .cuts import Cuts, root_cuts
from .graph import GraphNet
from .graph_bounds import (
    GraphBounds,
    PastDeadline,
    _Partial,
    alpha_crown,
    backward,
    concretize,
    graph_bounds,
    keep_best,
    spec_lower,
    spec_rows,
)
from .graph_root import Root, _pre_of, _proved
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
    start = root if isinstance(root, (Root, _Partial)) else None
    if config.bab_per_disjunct and len(ct.groups) > 1:
        return graph_bab_per_disjunct(net, ct, oracle, config, deadline, start)
    return graph_relu_bab(net, ct, oracle, config, deadline, start)


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



def split_bounds(net: GraphNet, root: GraphBounds, splits: Mapping[int, Tensor]) -> GraphBounds:
    """The root bounds (one box) for a batch of domains: split pre-activations clamped, the
    relaxations of their activations recomputed where split (elsewhere the root's)."""
    d = next(iter(splits.values())).shape[0] if splits else 1
    lows = [t.expand(d, *t.shape[1:]) for t in root.lower]
    ups = [t.expand(d, *t.shape[1:]) for t in root.upper]
    relax = {k: _expand_relax(r, d) for k, r in root.relax.items()}
    for k, j in _pre_of(net).items():
        s = splits.get(j)
        if s is None:
            continue
        where = (s != 0).nonzero(as_tuple=True)
        if not len(where[0]):
            continue
        lows[j] = torch.where(s > 0, lows[j].clamp(min=0), lows[j])
        ups[j] = torch.where(s < 0, ups[j].clamp(max=0), ups[j])
        op = net.nodes[k].op
        assert isinstance(op, G.Activation)
        base = relax[k]
        assert isinstance(base, G.Relaxation)
        sub = op.relax(lows[j][where], ups[j][where])  # elementwise: the split elements only
        relax[k] = G.Relaxation(*(full.index_put(where, part)
                                  for full, part in zip(base.parts(), sub.parts())))
    return GraphBounds(tuple(lows), tuple(ups), relax)


def _domain_bounds(net: GraphNet, root: GraphBounds, splits: dict[int, Tensor], lo: Tensor,
                   hi: Tensor, refine_layers: int) -> GraphBounds:
    """The bounds of a batch of domains: the root's with the splits applied, and the last
    ``refine_layers`` pre-activation nodes after the first split re-bounded by CROWN over the
    split relaxations (intersected with the root's)."""
    split_at = [j for j, s in splits.items() if bool(s.any())]
    if not split_at or refine_layers <= 0:
        return split_bounds(net, root, splits)
    first = min(split_at)
    later = [j for j in sorted(set(_pre_of(net).values())) if j > first][-refine_layers:]
    if not later:
        return split_bounds(net, root, splits)
    with torch.no_grad():
        return graph_bounds(net, lo, hi, splits=splits, reference=root, fixed_upto=first,
                            refine=set(later))


def _expand_relax(r: object, d: int) -> object:
    if isinstance(r, G.Relaxation):
        return r.map(lambda t: t.expand(d, *t.shape[1:]))
    assert isinstance(r, tuple)
    return tuple(t.expand(d, *t.shape[1:]) for t in r)


CUT_LR = 0.01  # Adam's step size for the cuts' multipliers (img1052: 0.1 loosened the bound)


@dataclass(frozen=True)
class BetaResult:
    """What ``beta_crown`` found for a batch of domains: the spec lower bounds [B, m], the input
    coefficients of the last iterate's linear bounds [B, m, n_in], the coefficients reaching
    each split node (for branching), and each row's best alphas and betas (to warm-start the
    children)."""

    lower: Tensor
    a: Tensor
    record: dict[int, Tensor]
    alphas: dict[int, Tensor]
    betas: dict[int, Tensor]
    mu: Tensor | None = None  # the cuts' multipliers [B*m, C] (with ``cuts``)


def beta_crown(net: GraphNet, lo: Tensor, hi: Tensor, matrix: Tensor, rhs: Tensor,
               bounds: GraphBounds, splits: Mapping[int, Tensor], iterations: int, lr: float,
               deadline: float = float("inf"), alphas: Mapping[int, Tensor] | None = None,
               betas: Mapping[int, Tensor] | None = None, final_pass: bool = True,
               beta_lr: float | None = None, cuts: Cuts | None = None,
               mus: Tensor | None = None) -> BetaResult:
    """Spec lower bounds over split domains with alphas and betas optimised by Adam, started
    from ``alphas`` / ``betas`` ([B*m, *shape] per node) when given (any values are sound:
    alphas are clamped to the slope range, betas to >= 0); ``lr`` is the alphas' step size,
    ``beta_lr`` the betas' (default ``lr``). Without ``final_pass`` the
    parameters after the last step are not evaluated (the bound is the best one evaluated)
    but returned, for the children to start from. ``cuts`` (``verify.cuts.Cuts``) join the
    bound with one multiplier >= 0 per cut and row, started from ``mus`` ([B*m, C]) when given,
    else 0, and stepped at ``CUT_LR``."""
    batch = lo.shape[0]
    row_box = spec_rows(batch, matrix)
    al: dict[int, Tensor] = {}
    for k, j in _pre_of(net).items():
        op = net.nodes[k].op
        assert isinstance(op, G.Activation)
        if alphas is not None and k in alphas:
            al[k] = alphas[k].clone().clamp_(op.negative_slope, 1.0)
        else:
            al[k] = op.initial_alpha(bounds.lower[j], bounds.upper[j])[row_box].clone()
    be: dict[int, Tensor] = {}
    signs: dict[int, Tensor] = {}
    for j, s in splits.items():
        signs[j] = (-s.to(lo.dtype))[row_box]  # z >= 0 forced: -beta z; z <= 0: +beta z
        given = betas.get(j) if betas is not None else None
        be[j] = given.clone().clamp_(min=0.0) if given is not None else torch.zeros_like(signs[j])
    mu = None
    if cuts is not None and cuts.size:
        mu = (mus.clone().clamp_(min=0.0) if mus is not None and mus.shape[1] == cuts.size
              else torch.zeros((row_box.shape[0], cuts.size), dtype=lo.dtype))
    params = list(al.values()) + list(be.values())
    a = matrix.to(lo.dtype).unsqueeze(0).expand(batch, -1, -1).reshape(batch * matrix.shape[0],
                                                                        *net.nodes[-1].shape)
    const_rhs = rhs.to(lo.dtype).repeat(batch)
    lo_r, hi_r = lo[row_box], hi[row_box]

    def bound(record: dict[int, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        extra = {j: signs[j] * be[j] for j in be}
        z_coef = None
        const_cut: Tensor | float = 0.0
        if mu is not None:
            assert cuts is not None
            on_values, z_coef, const_cut = cuts.terms(net, mu)
            for i, c in on_values.items():
                extra[i] = extra[i] + c if i in extra else c
        big_a, const = backward(net, len(net.nodes) - 1, a, row_box, bounds, al, extra, record,
                                z_coef)
        return concretize(big_a, const - const_rhs - const_cut, lo_r, hi_r), big_a

    if mu is not None:
        params.append(mu)
    best = torch.full((row_box.shape[0],), -torch.inf, dtype=lo.dtype)
    iterations = iterations if params else 0
    # without a final pass after steps, the last step's parameters are returned: no need
    # to keep the best ones
    track = final_pass or iterations == 0
    keep = {id(p): p.detach().clone() for p in params} if track else {}
    adams = [_Adam(list(al.values()), lr),
             _Adam(list(be.values()), lr if beta_lr is None else beta_lr)]
    if mu is not None:
        adams.append(_Adam([mu], CUT_LR))
    for p in params:
        p.requires_grad_(True)
    record: dict[int, Tensor] = {}
    for step in range(iterations + 1):
        last = step == iterations or (step > 0 and time.monotonic() > deadline)
        if last and step > 0 and not final_pass:
            break  # the children start from the last step's parameters
        with torch.set_grad_enabled(not last):
            lower, big_a = bound(record)
        better = lower.detach() > best
        best = torch.maximum(best, lower.detach())
        if track:
            for p in params:
                keep_best(keep[id(p)], p.detach(), better)
        if last:
            break
        grads = torch.autograd.grad(-lower.sum(), params, allow_unused=True)
        adams[0].step(grads[:len(al)])
        adams[1].step(grads[len(al):len(al) + len(be)])
        if mu is not None:
            adams[2].step(grads[-1:])
        with torch.no_grad():
            for k in al:
                op = net.nodes[k].op
                assert isinstance(op, G.Activation)
                al[k].clamp_(op.negative_slope, 1.0)
            for j in be:
                be[j].clamp_(min=0.0)
            if mu is not None:
                mu.clamp_(min=0.0)
    if not final_pass and iterations > 0:
        keep = {id(p): p.detach() for p in params}
    m = matrix.shape[0]
    return BetaResult(best.reshape(batch, m), big_a.detach().reshape(batch, m, -1), record,
                      {k: keep[id(t)] for k, t in al.items()},
                      {j: keep[id(t)] for j, t in be.items()},
                      None if mu is None else keep[id(mu)])


@dataclass(frozen=True)
class _Domains:
    """A batch of ReLU-split domains: the phase of each element ([d, *shape] per split node,
    int8), a valid lower bound of each spec row ([d, m], the parent's), and the alphas and
    betas ([d*m, *shape]) to start from (None: start afresh)."""

    splits: dict[int, Tensor]
    lower: Tensor
    alphas: dict[int, Tensor] | None = None
    betas: dict[int, Tensor] | None = None

    @property
    def size(self) -> int:
        return self.lower.shape[0]

    def take(self, idx: Tensor) -> _Domains:
        m = self.lower.shape[1]
        rows = (idx[:, None] * m + torch.arange(m)).reshape(-1)
        return _Domains({j: t[idx] for j, t in self.splits.items()}, self.lower[idx],
                        None if self.alphas is None else {k: t[rows] for k, t in
                                                          self.alphas.items()},
                        None if self.betas is None else {j: t[rows] for j, t in
                                                         self.betas.items()})

    def nbytes(self) -> int:
        params = [*(self.alphas or {}).values(), *(self.betas or {}).values()]
        return sum(t.numel() * t.element_size() for t in params)

    @staticmethod
    def cat(parts: list[_Domains]) -> _Domains:
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        warm = all(p.alphas is not None and p.betas is not None for p in parts)
        return _Domains(
            {j: torch.cat([p.splits[j] for p in parts]) for j in first.splits},
            torch.cat([p.lower for p in parts]),
            {k: torch.cat([p.alphas[k] for p in parts])  # type: ignore[index]
             for k in first.alphas} if warm and first.alphas is not None else None,
            {j: torch.cat([p.betas[j] for p in parts])  # type: ignore[index]
             for j in first.betas} if warm and first.betas is not None else None)


WARM_BYTES = 2**30  # the most memory the stacked domains' alphas and betas may take
GRAD_BYTES = 2**31  # about the most memory one batch's optimisation may take


def _batch_size(net: GraphNet, m: int, most: int) -> int:
    """Domains per batch: at most ``most``, and few enough that the backward pass of their
    spec rows, kept for autograd (about three tensors per node), fits in ``GRAD_BYTES``."""
    values = sum(math.prod(n.shape) for n in net.nodes)
    return max(1, min(most, GRAD_BYTES // (3 * 8 * values * max(m, 1))))


BATCH_SECONDS = 1.5  # the time a batch of domains should take (deadlines are kept between)


def _next_batch(batch: int, d: int, seconds: float, most: int, deadline: float) -> int:
    """The next batch size: about ``BATCH_SECONDS`` (and at most the time left) at the rate
    of the last batch of ``d`` domains, growing at most twofold."""
    per = max(seconds, 1e-6) / d
    left = max(deadline - time.monotonic(), 0.0)
    return max(1, min(most, 2 * max(batch, d), int(min(BATCH_SECONDS, left) / per)))


def _pop_domains(stack: list[_Domains], n: int) -> _Domains:
    """Up to ``n`` domains from the top of the stack (depth first)."""
    parts: list[_Domains] = []
    got = 0
    while stack and got < n:
        top = stack.pop()
        take = min(n - got, top.size)
        if take < top.size:
            stack.append(top.take(torch.arange(top.size - take)))
            top = top.take(torch.arange(top.size - take, top.size))
        parts.append(top)
        got += take
    return _Domains.cat(parts)


def _sub_case(ct: CaseTensors, g: int) -> CaseTensors:
    """The case restricted to its disjunct g (witnesses are still checked on the whole case:
    a point violating one disjunct violates the case)."""
    a0, b0 = ct.groups[g]
    return CaseTensors(ct.case, ct.lower, ct.upper, ct.matrix[a0:b0], ct.rhs[a0:b0],
                       ((0, b0 - a0),))


def _root_bounds(net: GraphNet, lo: torch.Tensor, hi: torch.Tensor, deadline: float,
                 root: Root | _Partial | None) -> Root | None:
    """The intermediate bounds over the whole box: ``root`` when complete, else computed (or
    finished from a partial run); None past the deadline."""
    if isinstance(root, Root):
        return root
    try:
        with torch.no_grad():
            return Root(graph_bounds(net, lo, hi, deadline=deadline, resume=root))
    except PastDeadline:
        return None


def graph_bab_per_disjunct(net: GraphNet, ct: CaseTensors, oracle: Oracle,
                           config: SearchConfig, deadline: float,
                           root: Root | _Partial | None = None) -> CaseResult:
    """Branch and bound on each disjunct in turn (as alpha-beta-CROWN does per target label):
    each search bounds and branches for that disjunct's rows only. The easiest disjuncts (by
    root bound) go first, each with all the time left (every disjunct must be proved; a
    counterexample is the attack's to find)."""
    lo, hi = ct.lower[None], ct.upper[None]
    root = _root_bounds(net, lo, hi, deadline, root)
    if root is None:
        return CaseResult(Outcome.TIMEOUT, method="graph-bab")
    with torch.no_grad():
        lower = spec_lower(net, lo, hi, ct.matrix, ct.rhs, root.bounds, root.alphas)[0]
    reach = ct.disjunct_max(lower)[0]
    order = sorted(range(len(ct.groups)), key=lambda g: -float(reach[g]))
    domains, method = 0, "graph-bab"
    for g in order:
        a0, b0 = ct.groups[g]
        alphas = None if root.alphas is None else {k: t[a0:b0] for k, t in root.alphas.items()}
        out = graph_relu_bab(net, _sub_case(ct, g), oracle, config, deadline,
                             Root(root.bounds, alphas))
        domains += out.domains
        method = out.method if out.method.endswith("+cuts") else method
        if out.outcome is not Outcome.HOLDS:
            return CaseResult(out.outcome, out.witness, domains, method)
    return CaseResult(Outcome.HOLDS, domains=domains, method=method)


def graph_relu_bab(net: GraphNet, ct: CaseTensors, oracle: Oracle, config: SearchConfig,
                   deadline: float, root: Root | _Partial | None = None) -> CaseResult:
    """Decide one case by splitting ReLU-family elements (beta-CROWN bounds); ``root``: the
    intermediate bounds over the case's box when already computed (or partly), with the
    root's alphas. Children start from their parent's alphas and betas, and keep its bound
    where theirs is lower (a child's domain is part of its parent's)."""
    lo, hi = ct.lower[None], ct.upper[None]
    root = _root_bounds(net, lo, hi, deadline, root)
    if root is None:
        return CaseResult(Outcome.TIMEOUT, method="graph-bab")
    bounds0 = root.bounds
    if bool(bounds0.infeasible.all()):
        return CaseResult(Outcome.HOLDS, domains=1, method="graph-crown")
    pre = _pre_of(net)
    empty = {j: torch.zeros((1, *net.nodes[j].shape), dtype=torch.int8) for j in pre.values()}
    m = ct.matrix.shape[0]
    stack = [_Domains(empty, torch.full((1, m), -torch.inf, dtype=lo.dtype), root.alphas,
                      None)]
    domains, gave_up, stored = 0, False, stack[0].nbytes()
    iterations = 0 if root.alphas is not None else config.alpha_iterations
    most = _batch_size(net, m, config.bab_batch)
    batch = min(most, 8)
    started = time.monotonic()
    cuts: Cuts | None = None
    mu: Tensor | None = None  # the cuts' multipliers at the root [rows, C]
    cut_tried = config.bab_cut_rounds <= 0
    root_alphas: dict[int, Tensor] | None = None
    tag = "graph-bab"  # the method the result names
    while stack:
        if time.monotonic() > deadline:
            return CaseResult(Outcome.TIMEOUT, domains=domains, method=tag)
        if not cut_tried and time.monotonic() - started > config.bab_cut_after:
            # a long search: with cuts (if they pay) it starts again from the root, with the
            # alphas optimised together with their multipliers
            cut_tried = True
            cuts, mu, alphas = root_cuts(net, ct, bounds0, root_alphas, config, deadline)
            if cuts is not None:
                tag = "graph-bab+cuts"
                m = ct.matrix.shape[0]
                stack = [_Domains(empty, torch.full((1, m), -torch.inf, dtype=lo.dtype), alphas,
                                  None)]
                stored = stack[0].nbytes()
                continue
        dom = _pop_domains(stack, batch)
        began = time.monotonic()
        stored -= dom.nbytes()
        d = dom.size
        domains += d
        b_lo, b_hi = lo.expand(d, -1), hi.expand(d, -1)
        bounds = _domain_bounds(net, bounds0, dom.splits, b_lo, b_hi, config.refine_layers)
        res = beta_crown(net, b_lo, b_hi, ct.matrix, ct.rhs, bounds, dom.splits, iterations,
                         config.bab_alpha_lr, deadline, dom.alphas, dom.betas,
                         final_pass=False, beta_lr=config.bab_beta_lr, cuts=cuts,
                         mus=None if mu is None else mu.repeat(d, 1))
        iterations = config.bab_iterations
        lower = torch.maximum(res.lower, dom.lower)
        batch = _next_batch(batch, d, time.monotonic() - began, most, deadline)
        if domains == 1:  # the root: the disjuncts it proves need no branching
            ct, res, lower = _open_disjuncts(ct, res, lower)
            root_alphas = res.alphas
        open_ = ~(_proved(ct, lower) | bounds.infeasible)
        if not bool(open_.any()):
            continue
        idx = open_.nonzero().flatten()
        witness = _try_corners(net, ct, oracle, b_lo[idx], b_hi[idx], res.a[idx])
        if witness is not None:
            return CaseResult(Outcome.VIOLATED, witness, domains=domains, method=tag)
        groups = torch.zeros(ct.matrix.shape[0], dtype=torch.long)
        for g, (a0, b0) in enumerate(ct.groups):
            groups[a0:b0] = g
        row_open = (ct.disjunct_max(lower[idx]) <= 0)[:, groups]
        children, parents, stuck = _branch(net, bounds, dom.splits, res.record, idx, row_open)
        gave_up |= stuck
        if children is None:
            continue
        warm = _Domains(dom.splits, lower, res.alphas, res.betas).take(parents)
        child = _Domains(children, warm.lower, warm.alphas, warm.betas)
        if stored + child.nbytes() > WARM_BYTES:
            child = _Domains(children, warm.lower)
        stored += child.nbytes()
        stack.append(child)
    return CaseResult(Outcome.UNKNOWN if gave_up else Outcome.HOLDS, domains=domains,
                      method=tag)


def _open_disjuncts(ct: CaseTensors, res: BetaResult, lower: Tensor
                    ) -> tuple[CaseTensors, BetaResult, Tensor]:
    """The case restricted to the disjuncts the root bound (one domain) leaves open, with the
    root's bounds, recorded coefficients and parameters restricted to their rows. Witnesses
    are still checked against the whole case."""
    reach = ct.disjunct_max(lower)[0]
    keep = [g for g in range(len(ct.groups)) if bool(reach[g] <= 0)]
    if not keep or len(keep) == len(ct.groups):
        return ct, res, lower
    rows = torch.cat([torch.arange(*ct.groups[g]) for g in keep])
    groups, start = [], 0
    for g in keep:
        size = ct.groups[g][1] - ct.groups[g][0]
        groups.append((start, start + size))
        start += size
    sub = CaseTensors(ct.case, ct.lower, ct.upper, ct.matrix[rows], ct.rhs[rows], tuple(groups))
    # one domain: its rows are the spec rows
    pick = lambda d: {j: r[rows] for j, r in d.items()}  # noqa: E731
    kept = BetaResult(res.lower[:, rows], res.a[:, rows], pick(res.record), pick(res.alphas),
                      pick(res.betas))
    return sub, kept, lower[:, rows]


def _branch(net: GraphNet, bounds: GraphBounds, splits: dict[int, Tensor],
            record: dict[int, Tensor], idx: Tensor, row_open: Tensor
            ) -> tuple[dict[int, Tensor] | None, Tensor, bool]:
    """Two children per open domain ``idx``: the best-scored unstable element forced inactive
    and active; also each child's parent (its position in the batch). Only the spec rows
    still open (``row_open`` [len(idx), m]) weigh in the scores. Domains with no unstable
    element left are dropped as undecided."""
    rows = row_open.shape[1]
    pre = sorted(set(_pre_of(net).values()))
    scores = []
    for j in pre:
        lo, hi = bounds.lower[j][idx], bounds.upper[j][idx]
        unstable = (lo < 0) & (hi > 0) & (splits[j][idx] == 0)
        gap = torch.where(unstable, hi * (-lo) / (hi - lo).clamp(min=1e-30),
                          torch.zeros_like(lo))
        coef = record.get(j)
        if coef is not None:  # BaBSR: the upper line's intercept times its (negative) weight
            per_row = (-coef).clamp(min=0).reshape(-1, rows, *coef.shape[1:])[idx]
            mask = row_open.to(coef.dtype).reshape(*row_open.shape, *(1,) * (coef.dim() - 1))
            weight = (per_row * mask).sum(1)
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
        return None, idx[:0], stuck
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
    return {j: torch.cat(parts) for j, parts in children.items()}, torch.cat([idx, idx]), stuck
