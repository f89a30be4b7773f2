"""Interval, CROWN and alpha-CROWN bounds through a ``GraphNet``, batched over input boxes.

``graph_bounds`` walks the nodes in order: each node's bounds are its operation's interval
image of its inputs' bounds; the input of every activation or max-pool (a *pre-activation*
node) is then tightened by CROWN -- a backward linear pass from that node to the network input
through the relaxations of the earlier nonlinear nodes -- for the elements that need it (for a
ReLU-family consumer only the unstable ones). Backward passes run on *rows*: each row is one
linear objective of one box (``row_box`` maps rows to boxes), so all boxes' objectives go
through one batched pass; rows are processed in chunks to bound memory.

``splits`` (ReLU branch and bound) maps a pre-activation node to a [B, *shape] int8 tensor:
+1 forces the element >= 0, -1 forces it <= 0; the bounds then hold over the part of the box
where the split elements are in their stated phase (lower > upper: no point is).
"""

from __future__ import annotations

import math
import time
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from . import graph_ops as G
from .bounds import _Adam
from .graph import GraphNet

ROW_VALUES = 2**23  # rows x values per backward chunk (64 MiB of float64 coefficients)


@dataclass(frozen=True)
class GraphBounds:
    """Per node bounds [B, *shape] and the relaxation of each nonlinear node."""

    lower: tuple[Tensor, ...]
    upper: tuple[Tensor, ...]
    relax: Mapping[int, object]

    @property
    def infeasible(self) -> Tensor:
        bad = torch.zeros(self.lower[0].shape[0], dtype=torch.bool)
        for lo, hi in zip(self.lower, self.upper):
            bad |= (lo > hi).reshape(lo.shape[0], -1).any(1)
        return bad


def pre_activations(net: GraphNet) -> dict[int, bool]:
    """Nodes feeding a nonlinear operation -> whether every such consumer is ReLU-like (only
    then are the stable elements left to IBP)."""
    out: dict[int, bool] = {}
    for node in net.nodes[1:]:
        if isinstance(node.op, (G.Activation, G.MaxPool)):
            relu_like = isinstance(node.op, G.Activation) and node.op.relu_like
            j = node.inputs[0]
            out[j] = out.get(j, True) and relu_like
    return out


def relu_nodes(net: GraphNet) -> list[int]:
    """Nodes applying a ReLU-family activation (their alphas are optimisable)."""
    return [i for i, n in enumerate(net.nodes)
            if isinstance(n.op, G.Activation) and n.op.relu_like]


def _interval(net: GraphNet, i: int, lows: list[Tensor], ups: list[Tensor]
              ) -> tuple[Tensor, Tensor]:
    node = net.nodes[i]
    op = node.op
    if isinstance(op, G.Affine):
        return op.interval(*[(lows[j], ups[j]) for j in node.inputs])
    assert op is not None
    j = node.inputs[0]
    return op.interval((lows[j], ups[j]))


def _relax(net: GraphNet, i: int, lows: list[Tensor], ups: list[Tensor]) -> object:
    op = net.nodes[i].op
    j = net.nodes[i].inputs[0]
    assert isinstance(op, (G.Activation, G.MaxPool))
    return op.relax(lows[j], ups[j])


class PastDeadline(Exception):
    """Raised by ``graph_bounds`` when its deadline passes between two nodes; ``partial``
    (the bounds of the nodes done) lets a later call resume where it stopped."""

    def __init__(self, partial: _Partial) -> None:
        super().__init__("past the deadline")
        self.partial = partial


def graph_bounds(net: GraphNet, lo: Tensor, hi: Tensor, method: str = "crown",
                 splits: Mapping[int, Tensor] | None = None,
                 deadline: float | None = None, resume: _Partial | None = None,
                 reference: GraphBounds | None = None, fixed_upto: int = 0,
                 refine: Container[int] | None = None) -> GraphBounds:
    """Bounds of every node over the boxes [B, n_in]; ``method`` is ``crown`` or ``ibp``.
    Raises ``PastDeadline`` once ``time.monotonic()`` passes ``deadline``; ``resume`` (its
    ``partial``, for the same boxes, method and splits) continues that computation.

    ``reference``: bounds known to hold over the boxes (those of an enclosing box, batch 1
    or B): every node's bounds are intersected with them, and nodes up to ``fixed_upto`` take
    them as they are (their values do not depend on the splits). ``refine``: the
    pre-activation nodes CROWN tightens (default all)."""
    batch = lo.shape[0]
    pre = pre_activations(net)
    lows: list[Tensor] = list(resume.lower) if resume else []
    ups: list[Tensor] = list(resume.upper) if resume else []
    relax: dict[int, object] = dict(resume.relax) if resume else {}
    for i in range(len(lows), len(net.nodes)):
        node = net.nodes[i]
        if deadline is not None and time.monotonic() > deadline:
            raise PastDeadline(_Partial(tuple(lows), tuple(ups), relax))
        shape = (batch, *node.shape)
        if reference is not None and i <= fixed_upto:
            l_i, u_i = reference.lower[i].expand(shape), reference.upper[i].expand(shape)
        else:
            if i == 0:
                l_i, u_i = lo.reshape(shape), hi.reshape(shape)
            else:
                l_i, u_i = _interval(net, i, lows, ups)
            if reference is not None:
                l_i = torch.maximum(l_i, reference.lower[i])
                u_i = torch.minimum(u_i, reference.upper[i])
            if i in pre and i > 0 and method == "crown" and (refine is None or i in refine):
                l_i, u_i = _refine(net, i, l_i, u_i, pre[i], lo, hi, lows, ups, relax)
        if splits is not None and i in splits:
            s = splits[i]
            l_i = torch.where(s > 0, l_i.clamp(min=0), l_i)
            u_i = torch.where(s < 0, u_i.clamp(max=0), u_i)
        lows.append(l_i)
        ups.append(u_i)
        if isinstance(node.op, (G.Activation, G.MaxPool)):
            relax[i] = _relax(net, i, lows, ups)
    return GraphBounds(tuple(lows), tuple(ups), relax)


def _refine(net: GraphNet, i: int, l_i: Tensor, u_i: Tensor, unstable_only: bool,
            lo: Tensor, hi: Tensor, lows: list[Tensor], ups: list[Tensor],
            relax: dict[int, object]) -> tuple[Tensor, Tensor]:
    """CROWN bounds of node i's elements that need them, intersected with the interval ones."""
    batch = l_i.shape[0]
    flat_l, flat_u = l_i.reshape(batch, -1).clone(), u_i.reshape(batch, -1).clone()
    need = (flat_l < 0) & (flat_u > 0) if unstable_only else flat_u > flat_l
    box, elem = need.nonzero(as_tuple=True)
    if box.numel() == 0:
        return l_i, u_i
    n = flat_l.shape[1]
    widest = max(n, max(math.prod(net.nodes[k].shape) for k in range(i)))
    chunk = max(1, ROW_VALUES // (2 * widest))
    partial = _Partial(tuple(lows), tuple(ups), relax)
    for s in range(0, box.numel(), chunk):
        b, e = box[s:s + chunk], elem[s:s + chunk]
        p = b.numel()
        a = torch.zeros((2 * p, n), dtype=lo.dtype)
        rows = torch.arange(p)
        a[rows, e] = 1.0
        a[rows + p, e] = -1.0
        row_box = torch.cat([b, b])
        big_a, const = backward(net, i, a.reshape(2 * p, *net.nodes[i].shape), row_box, partial)
        value = concretize(big_a, const, lo[row_box], hi[row_box])
        flat_l[b, e] = torch.maximum(flat_l[b, e], value[:p])
        flat_u[b, e] = torch.minimum(flat_u[b, e], -value[p:])
    return flat_l.reshape(l_i.shape), flat_u.reshape(u_i.shape)


@dataclass(frozen=True)
class _Partial:
    """Bounds and relaxations of the nodes computed so far (what ``backward`` reads)."""

    lower: tuple[Tensor, ...]
    upper: tuple[Tensor, ...]
    relax: Mapping[int, object]


def concretize(a: Tensor, const: Tensor, lo: Tensor, hi: Tensor) -> Tensor:
    """Lower bound of ``a . x + const`` per row: a [R, n], lo/hi [R, n] -> [R]."""
    center, radius = (hi + lo) / 2, (hi - lo) / 2
    return (a * center).sum(-1) - (a.abs() * radius).sum(-1) + const


def backward(net: GraphNet, target: int, a: Tensor, row_box: Tensor,
             bounds: GraphBounds | _Partial, alphas: Mapping[int, Tensor] | None = None,
             extra: Mapping[int, Tensor] | None = None, record: dict[int, Tensor] | None = None,
             z_coef: Mapping[int, Tensor] | None = None) -> tuple[Tensor, Tensor]:
    """CROWN: ``a . node_target >= A . x + c`` over each row's box: (A [R, n_in], c [R]).

    ``alphas[k]`` ([R, *shape]) are the lower slopes of the unstable elements of ReLU-family
    node k (adaptive when absent). ``extra[k]`` ([R, *shape]) is added to the coefficients of
    node k (beta-CROWN's ``+- beta z`` terms; the caller answers for their soundness);
    ``record``, when given, receives for each node j of ``extra`` the coefficients of the
    output of the ReLU-family activation j feeds (for branching heuristics)."""
    rows = a.shape[0]
    acc: dict[int, Tensor] = {target: a}
    const = torch.zeros(rows, dtype=a.dtype)
    # one row per box (a single spec row): the boxes' tensors are the rows' as they are
    identity = bool(rows == 0 or (int(row_box[-1]) == rows - 1
                                  and torch.equal(row_box, torch.arange(rows))))

    def at_rows(t: Tensor) -> Tensor:
        if t.shape[0] == 1:
            return t.expand(rows, *t.shape[1:])
        return t if identity and t.shape[0] == rows else t[row_box]

    def push(j: int, g: Tensor) -> None:
        acc[j] = acc[j] + g if j in acc else g

    for k in range(target, 0, -1):
        a_k = acc.pop(k, None)
        if extra is not None and k in extra:
            a_k = extra[k] if a_k is None else a_k + extra[k]
        if a_k is None and z_coef is not None and k in z_coef:
            a_k = torch.zeros_like(z_coef[k])
        if a_k is None:
            continue
        node = net.nodes[k]
        op = node.op
        if isinstance(op, G.Affine):
            grads, c = op.backward(a_k, [net.nodes[j].shape for j in node.inputs])
            const = const + c
            for j, g in zip(node.inputs, grads):
                push(j, g)
            continue
        j = node.inputs[0]
        if isinstance(op, G.MaxPool):
            rel = tuple(t[row_box] for t in bounds.relax[k])  # type: ignore[attr-defined]
            g, c = op.backward(a_k, rel, net.nodes[j].shape)
            const = const + c
            push(j, g)
            continue
        assert isinstance(op, G.Activation)
        if record is not None and extra is not None and j in extra:
            record[j] = a_k.detach()
        if z_coef is not None and k in z_coef:
            a_k, g_z, c_z = _cut_terms(a_k, z_coef[k], at_rows(bounds.lower[j]),
                                       at_rows(bounds.upper[j]))
            push(j, g_z)
            const = const + c_z
        lines = bounds.relax[k]
        assert isinstance(lines, G.Relaxation)
        r = lines.map(at_rows)
        if alphas is not None and k in alphas:
            r = op.with_alpha(r, at_rows(bounds.lower[j]), at_rows(bounds.upper[j]), alphas[k])
        pos, neg = a_k.clamp(min=0), a_k.clamp(max=0)
        push(j, pos * r.lower_slope + neg * r.upper_slope)
        const = const + (pos * r.lower_icpt + neg * r.upper_icpt).reshape(rows, -1).sum(1)
    a_in = acc.get(0)
    if extra is not None and 0 in extra:
        a_in = extra[0] if a_in is None else a_in + extra[0]
    if a_in is None:
        a_in = torch.zeros((rows, *net.nodes[0].shape), dtype=a.dtype)
    return a_in.reshape(rows, -1), const


def _cut_terms(a_k: Tensor, q: Tensor, lo: Tensor, up: Tensor
               ) -> tuple[Tensor, Tensor, Tensor]:
    """``q . z`` for a ReLU node's relaxed indicators z (cutting planes' terms), bounded
    below by terms in its output and its input: z = 1 where ``lo >= 0``, 0 where ``up <=
    0``; in between z lies in ``[y/u, 1 + (y - x)/l]`` on the triangle relaxation, so ``q z
    >= q y / u`` for q >= 0 and ``q z >= q + (q/l) y - (q/l) x`` for q < 0. Returns the
    output's coefficients with those terms, the input's coefficients and the constant."""
    unstable = (lo < 0) & (up > 0)
    zero = torch.zeros_like(q)
    pos, neg = q.clamp(min=0), q.clamp(max=0)
    u = torch.where(unstable, up, torch.ones_like(up))
    lo_ = torch.where(unstable, lo, -torch.ones_like(lo))
    a_k = a_k + torch.where(unstable, pos / u + neg / lo_, zero)
    g = torch.where(unstable, -neg / lo_, zero)
    c = torch.where(unstable, neg, torch.where(lo >= 0, q, zero))
    return a_k, g, c.reshape(q.shape[0], -1).sum(1)


def spec_rows(batch: int, matrix: Tensor) -> Tensor:
    return torch.arange(batch).repeat_interleave(matrix.shape[0])


def spec_lower(net: GraphNet, lo: Tensor, hi: Tensor, matrix: Tensor, rhs: Tensor,
               bounds: GraphBounds, alphas: Mapping[int, Tensor] | None = None
               ) -> tuple[Tensor, Tensor, Tensor]:
    """Lower bounds of ``matrix @ y - rhs`` ([B, m]), with the linear bound (A [B, m, n_in],
    const [B, m]) they concretize."""
    batch, m = lo.shape[0], matrix.shape[0]
    a = matrix.to(lo.dtype).unsqueeze(0).expand(batch, -1, -1).reshape(batch * m, -1)
    row_box = spec_rows(batch, matrix)
    big_a, const = backward(net, len(net.nodes) - 1,
                            a.reshape(batch * m, *net.nodes[-1].shape), row_box, bounds, alphas)
    const = const - rhs.to(lo.dtype).repeat(batch)
    lower = concretize(big_a, const, lo[row_box], hi[row_box])
    return lower.reshape(batch, m), big_a.reshape(batch, m, -1), const.reshape(batch, m)


def alpha_crown(net: GraphNet, lo: Tensor, hi: Tensor, matrix: Tensor, rhs: Tensor,
                bounds: GraphBounds, iterations: int = 20, lr: float = 0.1,
                keep: dict[int, Tensor] | None = None, deadline: float = math.inf) -> Tensor:
    """alpha-CROWN on the spec rows: the lower slopes of the unstable ReLU-family elements,
    one per (row, element), optimised by Adam; intermediate bounds stay fixed. Every iterate
    is sound, so the best bound per row is returned ([B, m]); ``keep``, when given, receives
    the alphas ([B*m, *shape] per ReLU-family node) of each row's best iterate. Stops early
    once ``time.monotonic()`` passes ``deadline``."""
    row_box = spec_rows(lo.shape[0], matrix)
    params: dict[int, Tensor] = {}
    for k in relu_nodes(net):
        op = net.nodes[k].op
        assert isinstance(op, G.Activation)
        j = net.nodes[k].inputs[0]
        start = op.initial_alpha(bounds.lower[j], bounds.upper[j])[row_box]
        params[k] = start.clone().requires_grad_(True)
    best = torch.full((lo.shape[0], matrix.shape[0]), -torch.inf, dtype=lo.dtype)
    best_params = {k: p.detach().clone() for k, p in params.items()}
    keys = list(params)
    iterations = iterations if keys else 0
    adam = _Adam([params[k] for k in keys], lr)
    for step in range(iterations + 1):
        if step and time.monotonic() > deadline:
            iterations = step
        if step == iterations:
            with torch.no_grad():
                lower = spec_lower(net, lo, hi, matrix, rhs, bounds, params)[0]
        else:
            lower = spec_lower(net, lo, hi, matrix, rhs, bounds, params)[0]
        better = (lower.detach() > best).reshape(-1)
        best = torch.maximum(best, lower.detach())
        for k in keys:
            keep_best(best_params[k], params[k].detach(), better)
        if step == iterations:
            break
        grads = torch.autograd.grad(-lower.sum(), [params[k] for k in keys], allow_unused=True)
        adam.step(grads)
        with torch.no_grad():
            for k in keys:
                op = net.nodes[k].op
                assert isinstance(op, G.Activation)
                params[k].clamp_(op.negative_slope, 1.0)
    if keep is not None:
        keep.update(best_params)
    return best


def keep_best(best: Tensor, current: Tensor, better: Tensor) -> None:
    """``best[r] = current[r]`` for the rows r where ``better`` ([R] bool) holds."""
    if bool(better.any()):
        best[better] = current[better]


def alpha_refine(net: GraphNet, lo: Tensor, hi: Tensor, bounds: GraphBounds,
                 nodes: Sequence[int], iterations: int, lr: float,
                 deadline: float = math.inf) -> GraphBounds:
    """Tighter bounds of the unstable elements of the pre-activation ``nodes`` (one box,
    ``lo``/``hi`` [1, n_in]): alpha-CROWN with each element's bound (lower and upper) as an
    objective of its own, its own alphas for every earlier ReLU-family node. Each node's
    tightened bounds give the later nodes tighter relaxations, so those are re-bounded by
    CROWN before the next node is refined. Every alpha in the slope range is sound, so the
    result holds over the box whatever the optimisation did; nodes past ``deadline`` keep
    their CROWN bounds.

    Why only at the root and only a few nodes: the last pre-activation layers have the
    loosest CROWN bounds (the relaxation errors add up along the depth), and every domain of
    the branch and bound starts from the root's bounds (oval21: the 100 elements before the
    last linear layer)."""
    for i in sorted(nodes):
        if time.monotonic() > deadline:
            break
        flat_l, flat_u = bounds.lower[i].reshape(-1), bounds.upper[i].reshape(-1)
        elem = ((flat_l < 0) & (flat_u > 0)).nonzero().flatten()
        p = elem.numel()
        if p == 0:
            continue
        a = torch.zeros((2 * p, flat_l.numel()), dtype=lo.dtype)
        a[torch.arange(p), elem] = 1.0
        a[torch.arange(p) + p, elem] = -1.0
        a = a.reshape(2 * p, *net.nodes[i].shape)
        row_box = torch.zeros(2 * p, dtype=torch.long)
        params: dict[int, Tensor] = {}
        for k in relu_nodes(net):
            if k < i:
                op = net.nodes[k].op
                assert isinstance(op, G.Activation)
                j = net.nodes[k].inputs[0]
                start = op.initial_alpha(bounds.lower[j], bounds.upper[j])[row_box]
                params[k] = start.clone().requires_grad_(True)
        adam = _Adam(list(params.values()), lr)
        best = torch.full((2 * p,), -torch.inf, dtype=lo.dtype)
        for step in range(iterations + 1):
            last = step == iterations or time.monotonic() > deadline or not params
            with torch.set_grad_enabled(not last):
                big_a, const = backward(net, i, a, row_box, bounds, params)
                value = concretize(big_a, const, lo[row_box], hi[row_box])
            best = torch.maximum(best, value.detach())
            if last:
                break
            adam.step(torch.autograd.grad(-value.sum(), list(params.values())))
            with torch.no_grad():
                for k, t in params.items():
                    op = net.nodes[k].op
                    assert isinstance(op, G.Activation)
                    t.clamp_(op.negative_slope, 1.0)
        low, up = flat_l.clone(), flat_u.clone()
        low[elem] = torch.maximum(low[elem], best[:p])
        up[elem] = torch.minimum(up[elem], -best[p:])
        lows, ups = list(bounds.lower), list(bounds.upper)
        lows[i], ups[i] = low.reshape(lows[i].shape), up.reshape(ups[i].shape)
        with torch.no_grad():
            bounds = graph_bounds(net, lo, hi, reference=GraphBounds(tuple(lows), tuple(ups),
                                                                     bounds.relax),
                                  fixed_upto=i)
    return bounds
