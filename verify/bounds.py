"""Bound propagation over a ``Network``: IBP, CROWN and alpha-CROWN, batched over input boxes.

Every function takes input boxes ``lo, hi`` of shape [B, n_in] (float64) and returns sound
bounds for all of them at once. ``Bounds`` holds the pre-activation bounds of each ``Linear``
output; the final objective is ``C y - d`` (rows of a ``Disjunct``), whose *lower* bound > 0
proves that the disjunct's unsafe set is unreachable from the box.

``splits`` (ReLU branch and bound) fixes neurons: +1 active (pre-activation >= 0), -1 inactive
(<= 0), 0 free; each is a [B, n_j] tensor per ReLU layer. The bounds are then valid over the part
of the box where the fixed neurons are in their stated phase; a phase that no point can take
makes the bounds infeasible (lower > upper), reported as ``Bounds.infeasible``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .network import Network

Splits = Sequence[Tensor] | None


@dataclass(frozen=True)
class Bounds:
    """Pre-activation bounds ``lower[k] <= z_k <= upper[k]`` ([B, n_k]) per Linear layer k."""

    lower: tuple[Tensor, ...]
    upper: tuple[Tensor, ...]

    @property
    def infeasible(self) -> Tensor:
        """[B] bool: some neuron has lower > upper, so the (split) domain is empty."""
        bad = torch.zeros(self.lower[0].shape[0], dtype=torch.bool)
        for lo, hi in zip(self.lower, self.upper):
            bad |= (lo > hi).any(dim=1)
        return bad

    def unstable(self, k: int) -> Tensor:
        return (self.lower[k] < 0) & (self.upper[k] > 0)


def _clamp_split(lo: Tensor, hi: Tensor, split: Tensor | None) -> tuple[Tensor, Tensor]:
    if split is None:
        return lo, hi
    return (torch.where(split > 0, lo.clamp(min=0), lo),
            torch.where(split < 0, hi.clamp(max=0), hi))


def concretize(a: Tensor, const: Tensor, lo: Tensor, hi: Tensor) -> Tensor:
    """Lower bound of ``a @ x + const`` over the boxes: a [B, m, n], lo/hi [B, n] -> [B, m]."""
    center, radius = ((hi + lo) / 2).unsqueeze(-1), ((hi - lo) / 2).unsqueeze(-1)
    return (a @ center).squeeze(-1) - (a.abs() @ radius).squeeze(-1) + const


def ibp(net: Network, lo: Tensor, hi: Tensor, splits: Splits = None) -> Bounds:
    """Interval bound propagation through every layer."""
    lowers, uppers = [], []
    linears = net.linears
    for k, lin in enumerate(linears):
        l_k, u_k = lin.interval(lo, hi)
        if k < len(linears) - 1:
            l_k, u_k = _clamp_split(l_k, u_k, splits[k] if splits else None)
        lowers.append(l_k)
        uppers.append(u_k)
        lo, hi = l_k.clamp(min=0), u_k.clamp(min=0)
    return Bounds(tuple(lowers), tuple(uppers))


def backward(net: Network, k: int, a: Tensor, bounds: Bounds,
             alphas: Sequence[Tensor] | None = None) -> tuple[Tensor, Tensor]:
    """CROWN: ``a @ z_k >= A @ x + c`` for all x in the box; returns (A [B,m,n_in], c [B,m]).

    Uses the pre-activation bounds of layers < k; ``alphas[j]`` ([B, m, n_j]) are the lower
    slopes of unstable ReLUs of layer j (adaptive when None).
    """
    linears, relu = net.linears, net.relu
    a, const = linears[k].backward(a)
    for j in range(k - 1, -1, -1):
        alpha = alphas[j] if alphas is not None else None
        relax = relu.relax(bounds.lower[j], bounds.upper[j], alpha)
        a, c = relu.backward(a, relax)
        const = const + c
        a, c = linears[j].backward(a)
        const = const + c
    return a, const


def crown(net: Network, lo: Tensor, hi: Tensor, splits: Splits = None,
          parent: Bounds | None = None) -> Bounds:
    """CROWN pre-activation bounds of every Linear layer, each intersected with IBP.

    Backward passes run only for the (box, neuron) pairs still unstable under IBP (and under
    ``parent``: bounds known valid on a superset of each box, e.g. the box it was split from,
    which are intersected in); the pairs of all boxes are flattened into one row batch, so a
    layer costs one matrix product per earlier layer whatever the batch.
    """
    linears = net.linears
    relu = net.relu
    lowers: list[Tensor] = []
    uppers: list[Tensor] = []
    relaxes: list = []
    for k, lin in enumerate(linears):
        if k == 0:
            l_k, u_k = lin.interval(lo, hi)
        else:
            l_k, u_k = lin.interval(lowers[-1].clamp(min=0), uppers[-1].clamp(min=0))
        if parent is not None:
            l_k, u_k = torch.maximum(l_k, parent.lower[k]), torch.minimum(u_k, parent.upper[k])
        last = k == len(linears) - 1
        if k > 0:
            # final layer: every output is needed; hidden layers: only the unstable neurons
            need = torch.ones_like(l_k, dtype=torch.bool) if last else (l_k < 0) & (u_k > 0)
            box, neuron = need.nonzero(as_tuple=True)
            if box.numel():
                low, up = _pair_bounds(net, k, box, neuron, relaxes, lo, hi)
                l_k = l_k.index_put((box, neuron), torch.maximum(l_k[box, neuron], low))
                u_k = u_k.index_put((box, neuron), torch.minimum(u_k[box, neuron], up))
        if not last:
            l_k, u_k = _clamp_split(l_k, u_k, splits[k] if splits else None)
        lowers.append(l_k)
        uppers.append(u_k)
        if not last:
            relaxes.append(relu.relax(l_k, u_k))
    return Bounds(tuple(lowers), tuple(uppers))


def _pair_bounds(net: Network, k: int, box: Tensor, neuron: Tensor, relaxes: list,
                 lo: Tensor, hi: Tensor) -> tuple[Tensor, Tensor]:
    """CROWN lower and upper bounds of pre-activation ``z_k[box_p, neuron_p]`` for each pair p."""
    linears = net.linears
    p = box.numel()
    rows = linears[k].weight[neuron]  # [P, n_{k-1}]
    a = torch.cat([rows, -rows])  # lower bound rows of z and of -z
    const = torch.cat([linears[k].bias[neuron], -linears[k].bias[neuron]])
    box2 = torch.cat([box, box])
    for j in range(k - 1, -1, -1):
        r = relaxes[j]
        pos, neg = a.clamp(min=0), a.clamp(max=0)
        up_s = r.upper_slope[box2]
        a = pos * r.lower_slope[box2] + neg * up_s
        const = const + (neg * r.upper_intercept[box2]).sum(-1)
        const = const + a @ linears[j].bias
        a = a @ linears[j].weight
    lo_p, hi_p = lo[box2], hi[box2]
    center, radius = (hi_p + lo_p) / 2, (hi_p - lo_p) / 2
    value = (a * center).sum(-1) - (a.abs() * radius).sum(-1) + const
    return value[:p], -value[p:]


def spec_lower(net: Network, lo: Tensor, hi: Tensor, matrix: Tensor, rhs: Tensor,
               bounds: Bounds, alphas: Sequence[Tensor] | None = None
               ) -> tuple[Tensor, Tensor, Tensor]:
    """Lower bounds of ``matrix @ y - rhs`` ([B, m]) from the intermediate ``bounds``.

    Returns (lower [B, m], A [B, m, n_in], const [B, m]) so callers can read the linear bound
    (for branching heuristics and for the point minimising it).
    """
    batch = lo.shape[0]
    a = matrix.to(lo.dtype).expand(batch, *matrix.shape)
    big_a, const = backward(net, len(net.linears) - 1, a, bounds, alphas)
    const = const - rhs.to(lo.dtype)
    return concretize(big_a, const, lo, hi), big_a, const


def initial_alphas(net: Network, bounds: Bounds, rows: int) -> list[Tensor]:
    """Adaptive lower slopes as the starting alphas, one per (box, spec row, neuron)."""
    out = []
    for j in range(len(net.linears) - 1):
        lo, hi = bounds.lower[j], bounds.upper[j]
        start = (hi > -lo).to(lo.dtype).unsqueeze(1).expand(-1, rows, -1)
        out.append(start.clone())
    return out


def alpha_crown(net: Network, lo: Tensor, hi: Tensor, matrix: Tensor, rhs: Tensor,
                bounds: Bounds, iterations: int = 20, lr: float = 0.1,
                alphas: list[Tensor] | None = None) -> tuple[Tensor, list[Tensor]]:
    """alpha-CROWN on the final objective: lower slopes optimised by Adam, clamped to [0, 1].

    Every iterate gives a sound bound; the best per row is returned with the final alphas.
    Intermediate ``bounds`` are kept fixed.
    """
    params = [t.clone().requires_grad_(True) for t in
              (alphas or initial_alphas(net, bounds, matrix.shape[0]))]
    with torch.no_grad():
        best = spec_lower(net, lo, hi, matrix, rhs, bounds, params)[0]
    if not params or iterations <= 0:
        return best, params
    adam = _Adam(params, lr)
    for _ in range(iterations):
        lower = spec_lower(net, lo, hi, matrix, rhs, bounds, params)[0]
        best = torch.maximum(best, lower.detach())
        adam.step(torch.autograd.grad(-lower.sum(), params, allow_unused=True))
        with torch.no_grad():
            for p in params:
                p.clamp_(0.0, 1.0)
    with torch.no_grad():
        best = torch.maximum(best, spec_lower(net, lo, hi, matrix, rhs, bounds, params)[0])
    return best, [p.detach() for p in params]


class _Adam:
    """Adam with torch's defaults (betas 0.9 and 0.999, eps 1e-8), written out: the first
    ``torch.optim`` optimizer of a process imports ``torch._dynamo``, about 4 s that each fresh
    worker would pay inside its instance's time limit."""

    def __init__(self, params: list[Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = 0

    @torch.no_grad()
    def step(self, grads: tuple[Tensor | None, ...]) -> None:
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1 ** self.t)
        root_c2 = (1 - b2 ** self.t) ** 0.5
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            if g is None:
                continue
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            p.addcdiv_(m, v.sqrt().div_(root_c2).add_(self.eps), value=-step_size)


def forward_linear(net: Network, lo: Tensor, hi: Tensor, splits: Splits = None) -> Bounds:
    """Forward linear bounds (symbolic intervals): each pre-activation is enclosed by two affine
    functions of the input, ``L_k x + l_k <= z_k <= U_k x + u_k``, pushed forward with CROWN's
    ReLU relaxation; each bound is intersected with IBP. Cheap when the input is low-dimensional.
    """
    linears = net.linears
    batch, n_in = lo.shape
    eye = torch.eye(n_in, dtype=lo.dtype).expand(batch, n_in, n_in)
    # h (current layer input) as [B, n, n_in] coefficient tensors and [B, n] constants
    low_a, low_c, up_a, up_c = eye, torch.zeros_like(lo), eye, torch.zeros_like(lo)
    ibp_lo, ibp_hi = lo, hi
    lowers: list[Tensor] = []
    uppers: list[Tensor] = []
    for k, lin in enumerate(linears):
        w_pos, w_neg = lin.weight.clamp(min=0), lin.weight.clamp(max=0)
        za_lo = w_pos @ low_a + w_neg @ up_a
        zc_lo = low_c @ w_pos.T + up_c @ w_neg.T + lin.bias
        za_up = w_pos @ up_a + w_neg @ low_a
        zc_up = up_c @ w_pos.T + low_c @ w_neg.T + lin.bias
        i_lo, i_hi = lin.interval(ibp_lo, ibp_hi)
        l_k = torch.maximum(concretize(za_lo, zc_lo, lo, hi), i_lo)
        u_k = torch.minimum(-concretize(-za_up, -zc_up, lo, hi), i_hi)
        if k < len(linears) - 1:
            l_k, u_k = _clamp_split(l_k, u_k, splits[k] if splits else None)
        lowers.append(l_k)
        uppers.append(u_k)
        if k == len(linears) - 1:
            break
        relax = net.relu.relax(l_k, u_k)
        low_s, up_s = relax.lower_slope.unsqueeze(-1), relax.upper_slope.unsqueeze(-1)
        low_a, low_c = za_lo * low_s, zc_lo * relax.lower_slope
        up_a, up_c = za_up * up_s, zc_up * relax.upper_slope + relax.upper_intercept
        ibp_lo, ibp_hi = l_k.clamp(min=0), u_k.clamp(min=0)
    return Bounds(tuple(lowers), tuple(uppers))
