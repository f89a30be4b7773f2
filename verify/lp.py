"""Exact-or-relaxed LP over a ReLU domain (scipy HiGHS), for the leaves of ReLU branch and bound.

Variables are the input ``x`` and, per ReLU layer j, the pre-activation ``z_j`` and output
``h_j``. Fixed neurons are linear (active: h = z >= 0; inactive: h = 0 >= z); the others get the
triangle relaxation. Minimising ``t`` subject to ``C_i y - d_i <= t`` for a disjunct's rows gives
a bound on its margin: ``t > tol`` refutes the disjunct on the domain; with no unstable neuron
the LP is exact and its solution is a candidate counterexample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bounds import Bounds
from .network import Network

REFUTE_TOL = 1e-6


@dataclass(frozen=True)
class LpResult:
    """``refuted``: no point of the domain meets the disjunct; else ``x`` is the LP optimum."""

    refuted: bool
    x: np.ndarray | None
    exact: bool


def solve_disjunct(net: Network, lo: np.ndarray, hi: np.ndarray, bounds: Bounds, b: int,
                   matrix: np.ndarray, rhs: np.ndarray) -> LpResult:
    """LP for domain ``b`` of ``bounds`` (its pre-activation bounds, splits already applied)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    linears = net.linears
    sizes = [lin.out_features for lin in linears[:-1]]
    n_in = linears[0].in_features
    offsets, pos = [], n_in  # layout: x, then (z_j, h_j) per ReLU layer, then t
    for n in sizes:
        offsets.append(pos)
        pos += 2 * n
    t_var = pos
    n_var = pos + 1
    eq_rows: list = []
    ub_rows: list = []
    eq_b: list[float] = []
    ub_b: list[float] = []
    var_lo = np.full(n_var, -np.inf)
    var_hi = np.full(n_var, np.inf)
    var_lo[:n_in], var_hi[:n_in] = lo, hi
    exact = True

    def h_index(j: int) -> tuple[int, int]:  # (start, size) of the input of linear j
        return (0, n_in) if j == 0 else (offsets[j - 1] + sizes[j - 1], sizes[j - 1])

    for j, n in enumerate(sizes):
        w = linears[j].weight.numpy()
        start, size = h_index(j)
        z0, h0 = offsets[j], offsets[j] + n
        for i in range(n):  # z = W h + b
            eq_rows.append({z0 + i: 1.0} | {start + k: -w[i, k] for k in range(size)
                                              if w[i, k] != 0.0})
            eq_b.append(float(linears[j].bias[i]))
        low, up = bounds.lower[j][b].numpy(), bounds.upper[j][b].numpy()
        var_lo[z0:z0 + n], var_hi[z0:z0 + n] = low, up
        for i in range(n):
            if low[i] >= 0:
                eq_rows.append({h0 + i: 1.0, z0 + i: -1.0})
                eq_b.append(0.0)
            elif up[i] <= 0:
                var_lo[h0 + i] = var_hi[h0 + i] = 0.0
            else:
                exact = False
                var_lo[h0 + i], var_hi[h0 + i] = 0.0, up[i]
                ub_rows.append({z0 + i: 1.0, h0 + i: -1.0})  # z - h <= 0
                ub_b.append(0.0)
                s = up[i] / (up[i] - low[i])  # h - s z <= -s l
                ub_rows.append({h0 + i: 1.0, z0 + i: -s})
                ub_b.append(float(-s * low[i]))
    last = linears[-1]
    cw = matrix @ last.weight.numpy()
    cb = matrix @ last.bias.numpy() - rhs
    start, size = h_index(len(linears) - 1)
    for r in range(len(rhs)):  # C (W h + b) - d - t <= 0
        ub_rows.append({start + k: cw[r, k] for k in range(size) if cw[r, k] != 0.0}
                       | {t_var: -1.0})
        ub_b.append(float(-cb[r]))

    def sparse(rows: list) -> coo_matrix:
        data = [(r, c, v) for r, row in enumerate(rows) for c, v in row.items()]
        r_, c_, v_ = zip(*data) if data else ((), (), ())
        return coo_matrix((v_, (r_, c_)), shape=(len(rows), n_var))

    cost = np.zeros(n_var)
    cost[t_var] = 1.0
    if (np.isnan(var_lo).any() or np.isnan(var_hi).any()
            or not np.isfinite(np.asarray(ub_b + eq_b, dtype=float)).all()
            or not all(np.isfinite(c) for rows in (ub_rows, eq_rows) for row in rows
                       for c in row.values())):
        return LpResult(False, None, False)  # weights or bounds past float range: undecided
    res = linprog(cost, A_ub=sparse(ub_rows), b_ub=ub_b, A_eq=sparse(eq_rows) if eq_rows
                  else None, b_eq=eq_b or None, bounds=list(zip(var_lo, var_hi)),
                  method="highs")
    if res.status == 2:  # infeasible domain
        return LpResult(True, None, exact)
    if res.status != 0:
        return LpResult(False, None, False)
    return LpResult(bool(res.fun > REFUTE_TOL), res.x[:n_in], exact)
