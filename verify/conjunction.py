"""The rows of a disjunct together: one LP per box on their linear lower bounds.

A disjunct's unsafe set is a conjunction, ``g_r(x) <= 0`` for every row r. CROWN gives each row
a linear lower bound ``a_r x + c_r <= g_r(x)`` on a box, and a box is closed when one row's
bound stays above 0 on it. Often none does while the rows together cannot all be <= 0: the box
is still closed when the LP "some x in the box with ``a_r x + c_r <= 0`` for every r" is
infeasible. Its value ``min_x max_r (a_r x + c_r)`` equals, by LP duality,

    max over lambda in the simplex of  f(lambda) = min_x sum_r lambda_r (a_r x + c_r),

and ``f`` is cheap in closed form (the minimising x takes ``lo_i`` or ``hi_i`` by the sign of
``(lambda A)_i``). Every ``lambda >= 0`` gives a sound lower bound, so the ascent on it
(exponentiated gradient, batched over boxes and disjuncts) needs no exactness: a weak lambda
only proves less. ``lambda = e_r`` is row r's own bound, so the value is never below the
rows' best (the caller takes the max with it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Conjunction:
    """Per box and disjunct: the best dual ``value`` found (a lower bound of
    ``min_x max_r (a_r x + c_r)`` over the disjunct's rows, in the rows' units up to a positive
    factor), the combined row ``weights`` (``lambda``, [B, D, m], zero outside the disjunct) and
    the box corner ``point`` ([B, D, n]) minimising the combined row, where the rows' linear
    bounds are closest to all being met (a counterexample candidate)."""

    value: Tensor
    weights: Tensor
    point: Tensor


def combined_lower(lam: Tensor, a: Tensor, const: Tensor, lo: Tensor, hi: Tensor
                   ) -> tuple[Tensor, Tensor]:
    """``f(lambda)`` and its minimiser: lam [B, D, m], a [B, m, n], const [B, m], lo/hi
    [B, n] -> (value [B, D], x [B, D, n])."""
    w = lam @ a  # [B, D, n]
    x = torch.where(w > 0, lo.unsqueeze(1), hi.unsqueeze(1))
    return (w * x).sum(-1) + (lam * const.unsqueeze(1)).sum(-1), x


def conjunction_bound(groups: tuple[tuple[int, int], ...], a: Tensor, const: Tensor,
                      lo: Tensor, hi: Tensor, steps: int = 30, rate: float = 2.0
                      ) -> Conjunction:
    """Ascend ``f`` over each disjunct's simplex (exponentiated gradient from the uniform
    weights, the rows scaled to a unit range over the box), keeping the best iterate."""
    b, m, _ = a.shape
    d = len(groups)
    member = torch.zeros(d, m, dtype=torch.bool)
    for g, (r0, r1) in enumerate(groups):
        member[g, r0:r1] = True
    # scale each row by its range over the box, so the rows weigh alike in the ascent
    width = (hi - lo).unsqueeze(1)
    scale = (a.abs() * width).sum(-1) + 1e-12 * (1 + const.abs())  # [B, m]
    a_n, c_n = a / scale.unsqueeze(-1), const / scale
    theta = torch.zeros(b, d, m, dtype=a.dtype)
    mask = member.unsqueeze(0).expand(b, d, m)
    best = torch.full((b, d), -torch.inf, dtype=a.dtype)
    best_lam = torch.zeros(b, d, m, dtype=a.dtype)
    best_x = lo.unsqueeze(1).expand(b, d, lo.shape[1]).clone()
    for t in range(steps):
        lam = torch.softmax(theta.masked_fill(~mask, -torch.inf), -1).nan_to_num(0.0)
        value, x = combined_lower(lam, a_n, c_n, lo, hi)
        better = value > best
        best = torch.where(better, value, best)
        best_lam = torch.where(better.unsqueeze(-1), lam, best_lam)
        best_x = torch.where(better.unsqueeze(-1), x, best_x)
        # supergradient: each row's (scaled) linear bound at the minimiser
        grad = (x @ a_n.transpose(1, 2)) + c_n.unsqueeze(1)  # [B, D, m]
        theta = theta + rate / (1 + t) ** 0.5 * grad
    # back to the rows' own units: lambda_r / scale_r, renormalised (f is homogeneous)
    lam = best_lam / scale.unsqueeze(1)
    lam = lam / lam.sum(-1, keepdim=True).clamp(min=1e-300)
    value, _ = combined_lower(lam, a, const, lo, hi)
    empty = ~member.any(-1)  # a disjunct with no rows: nothing proves it
    value = value.masked_fill(empty.unsqueeze(0) | best.isinf(), -torch.inf)
    return Conjunction(value, lam, best_x)
