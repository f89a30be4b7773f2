"""Cutting planes for the ReLU branch and bound (GCP-CROWN's general cuts, Zhang et al. 2022).

The cuts are Anderson et al.'s ideal single-neuron inequalities (2020, "Strong mixed-integer
programming formulations for trained neural networks"): for a ReLU element ``y = max(0, w.x +
b)`` whose inputs lie in a box ``[L, U]`` and whose phase indicator is ``z``, and for every
subset ``I`` of its inputs,

    y <= sum_{i in I} w_i (x_i - Lb_i (1 - z)) + (b + sum_{i not in I} w_i Ub_i) z,

with ``Lb_i, Ub_i`` the bound of ``x_i`` where ``w_i x_i`` is least / greatest. Each holds at
every point of the network over the box (z = 1 where the pre-activation is positive, 0 where
negative), whatever the property. Of the exponentially many, those violated by the optimum of
the LP relaxation (the big-M formulation over the root's intermediate bounds, solved by HiGHS's
interior point method) are added, and the LP solved again, for a few rounds; the LP serves only
to pick the subsets, so the cuts are valid however accurately it is solved. The branch and bound
adds them to every domain's bound with one multiplier per cut and spec row (``beta_crown``).

Networks whose nonlinear nodes are all ReLU (affine nodes and reshapes between them) get cuts;
any other node makes ``relu_cuts`` return None.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor

from . import graph_ops as G
from .graph import GraphNet
from .graph_bounds import GraphBounds

if TYPE_CHECKING:
    from .attack import CaseTensors
    from .search import SearchConfig

# each cut's right-hand side is raised by this much of the magnitudes it sums (the weights are
# read off the graph by pushing unit vectors through it, which rounds)
SLACK = 1e-9
VIOLATION = 1e-5  # cuts the LP point violates by less are not added


@dataclass(frozen=True)
class Cuts:
    """Cutting planes ``sum_i values[i] . v_i + sum_k indicators[k] . z_k <= rhs`` over the
    values ``v_i`` of graph nodes and the phase indicators ``z_k`` of ReLU nodes (z = 1 where
    the pre-activation is positive, 0 where negative): sparse [C, n_i] / [C, n_k] matrices per
    node over its flattened elements, ``rhs`` [C]. Every input of the box satisfies every cut
    (with z consistent with its pre-activations)."""

    values: dict[int, Tensor]
    indicators: dict[int, Tensor]
    rhs: Tensor

    def __post_init__(self) -> None:  # the transposes the bound multiplies by
        object.__setattr__(self, "_t", {
            key: q.t().coalesce() for key, q in
            [*((("v", i), q) for i, q in self.values.items()),
             *((("z", k), q) for k, q in self.indicators.items())]})

    @property
    def size(self) -> int:
        return self.rhs.shape[0]

    def terms(self, net: GraphNet, mu: Tensor
              ) -> tuple[dict[int, Tensor], dict[int, Tensor], Tensor]:
        """For multipliers ``mu`` [R, C] >= 0: the coefficients each node's values and each
        ReLU node's indicators get ([R, *shape]), and the constant ``mu . rhs`` [R]."""
        t: dict[tuple[str, int], Tensor] = self._t  # type: ignore[attr-defined]

        def times(kind: str, i: int) -> Tensor:
            return torch.sparse.mm(t[kind, i], mu.t()).t().reshape(mu.shape[0],
                                                                    *net.nodes[i].shape)
        return ({i: times("v", i) for i in self.values},
                {k: times("z", k) for k in self.indicators}, mu @ self.rhs)

    def lhs(self, net: GraphNet, values: list[Tensor]) -> Tensor:
        """The cuts' left-hand sides [B, C] at points whose node values are ``values``
        (``GraphNet.run``), z read off the pre-activations' signs."""
        batch = values[0].shape[0]
        out = torch.zeros(batch, self.size, dtype=self.rhs.dtype)
        for i, q in self.values.items():
            out += torch.sparse.mm(q, values[i].reshape(batch, -1).t().to(q.dtype)).t()
        for k, q in self.indicators.items():
            z = (values[net.nodes[k].inputs[0]].reshape(batch, -1) > 0).to(q.dtype)
            out += torch.sparse.mm(q, z.t()).t()
        return out


def _supported(net: GraphNet) -> bool:
    for node in net.nodes[1:]:
        op = node.op
        if isinstance(op, G.Activation):
            if op.act is not G.ActKind.RELU or op.negative_slope != 0.0:
                return False
        elif not isinstance(op, G.Affine):
            return False
    return True


def _jacobian(op: G.Affine, shapes: list[tuple[int, ...]], k: int
              ) -> tuple[Any, np.ndarray]:
    """``op`` as ``y = J_k v_k + (the other inputs' terms) + c``: J_k (scipy CSR, read off by
    pushing unit vectors through the operation) and c."""
    import scipy.sparse as sp

    zeros = [torch.zeros((1, *s), dtype=torch.float64) for s in shapes]
    with torch.no_grad():
        c = op.forward(*zeros).reshape(-1)
        n = math.prod(shapes[k])
        parts = []
        for s0 in range(0, n, 512):
            m = min(512, n - s0)
            eye = torch.zeros((m, n), dtype=torch.float64)
            eye[torch.arange(m), torch.arange(s0, s0 + m)] = 1
            xs = [z.expand(m, *z.shape[1:]).clone() for z in zeros]
            xs[k] = eye.reshape(m, *shapes[k])
            y = (op.forward(*xs).reshape(m, -1) - c).numpy().T
            parts.append(sp.csr_matrix(np.where(y != 0, y, 0.0)))
    return sp.hstack(parts).tocsr(), c.numpy()


class _LP:
    """The big-M LP relaxation of a ReLU network over a box, for one spec (min t, t >= each
    row): columns per node (the input, each affine node's outputs; per ReLU node its unstable
    elements' outputs and indicators, a fixed 0 column per inactive element, active elements
    sharing their pre-activation's column)."""

    def __init__(self, net: GraphNet, bounds: GraphBounds, lo: np.ndarray, hi: np.ndarray,
                 matrix: np.ndarray, rhs: np.ndarray) -> None:
        import scipy.sparse as sp

        self.col_lo: list[float] = []
        self.col_hi: list[float] = []
        row_lo: list[np.ndarray] = []
        row_hi: list[np.ndarray] = []
        self.cols: dict[int, np.ndarray] = {}
        self.relu: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.affine: dict[int, list[tuple[int, Any, np.ndarray]]] = {}
        blocks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []  # (row0, r, c, v)
        n_rows: int = 0

        def new(lo_: np.ndarray, hi_: np.ndarray) -> np.ndarray:
            start = len(self.col_lo)
            self.col_lo.extend(lo_.tolist())
            self.col_hi.extend(hi_.tolist())
            return np.arange(start, start + len(lo_))

        def add_rows(r: np.ndarray, c: np.ndarray, v: np.ndarray, lo_: np.ndarray,
                     hi_: np.ndarray) -> None:
            nonlocal n_rows
            blocks.append((n_rows, r, c, v))
            row_lo.append(lo_)
            row_hi.append(hi_)
            n_rows += len(lo_)

        self.cols[0] = new(lo.reshape(-1), hi.reshape(-1))
        for i, node in enumerate(net.nodes[1:], 1):
            op = node.op
            if isinstance(op, G.Reshape):
                self.cols[i] = self.cols[node.inputs[0]]
                continue
            if isinstance(op, G.Activation):
                j = node.inputs[0]
                pre = self.cols[j]
                lo_j = bounds.lower[j].reshape(-1).numpy()
                hi_j = bounds.upper[j].reshape(-1).numpy()
                cols = pre.copy()
                dead = hi_j <= 0
                unstable = np.flatnonzero((lo_j < 0) & (hi_j > 0))
                cols[dead] = new(np.zeros(int(dead.sum())), np.zeros(int(dead.sum())))
                y = new(np.zeros(len(unstable)), hi_j[unstable])
                z = new(np.zeros(len(unstable)), np.ones(len(unstable)))
                cols[unstable] = y
                self.relu[i] = (unstable, y, z)
                self.cols[i] = cols
                m = len(unstable)
                if m:
                    r = np.arange(m)
                    x, lo_u, hi_u = pre[unstable], lo_j[unstable], hi_j[unstable]
                    inf = np.full(m, np.inf)
                    # y >= x;  y <= u z;  y <= x - l (1 - z)
                    add_rows(np.r_[r, r], np.r_[y, x], np.r_[np.ones(m), -np.ones(m)],
                             np.zeros(m), inf)
                    add_rows(np.r_[r, r], np.r_[y, z], np.r_[np.ones(m), -hi_u], -inf,
                             np.zeros(m))
                    add_rows(np.r_[r, r, r], np.r_[y, x, z],
                             np.r_[np.ones(m), -np.ones(m), -lo_u], -inf, -lo_u)
                continue
            assert isinstance(op, G.Affine)
            shapes = [net.nodes[j].shape for j in node.inputs]
            out = new(bounds.lower[i].reshape(-1).numpy(), bounds.upper[i].reshape(-1).numpy())
            n = len(out)
            parts = []
            c = np.zeros(n)
            for k, j in enumerate(node.inputs):
                jac, c = _jacobian(op, shapes, k)
                parts.append((j, jac, c))
            self.affine[i] = parts
            r_all, c_all, v_all = [np.arange(n)], [out], [np.ones(n)]
            for j, jac, _ in parts:
                coo = jac.tocoo()
                r_all.append(coo.row)
                c_all.append(self.cols[j][coo.col])
                v_all.append(-coo.data)
            add_rows(np.concatenate(r_all), np.concatenate(c_all), np.concatenate(v_all), c, c)
            self.cols[i] = out
        last = self.cols[len(net.nodes) - 1]
        self.t = int(new(np.array([-np.inf]), np.array([np.inf]))[0])
        m = matrix.shape[0]
        rr, cc, vv = [], [], []
        for row in range(m):
            nz = np.flatnonzero(matrix[row])
            rr.extend([row] * (len(nz) + 1))
            cc.extend(last[nz].tolist() + [self.t])
            vv.extend(matrix[row, nz].tolist() + [-1.0])
        add_rows(np.array(rr), np.array(cc), np.array(vv), np.full(m, -np.inf), rhs)
        n_cols = len(self.col_lo)
        r = np.concatenate([b[1] + b[0] for b in blocks])
        c = np.concatenate([b[2] for b in blocks])
        v = np.concatenate([b[3] for b in blocks])
        self.a = sp.csc_matrix((v, (r, c)), shape=(n_rows, n_cols))
        self.row_lo = np.concatenate(row_lo)
        self.row_hi = np.concatenate(row_hi)
        self.lo = np.array(self.col_lo)
        self.hi = np.array(self.col_hi)
        # column -> (node, element, is an indicator); fixed columns are absent
        self.owner: dict[int, tuple[int, int, bool]] = {}
        for i in sorted(self.cols):
            if i in self.relu:
                unstable, y, z = self.relu[i]
                for e, cy, cz in zip(unstable.tolist(), y.tolist(), z.tolist()):
                    self.owner[cy] = (i, e, False)
                    self.owner[cz] = (i, e, True)
                continue
            for e, col in enumerate(self.cols[i].tolist()):
                self.owner.setdefault(col, (i, e, False))
        self._pre = {k: net.nodes[k].inputs[0] for k in self.relu}
        # per ReLU node, its unstable elements' weights, input columns and biases (separation)
        self._cache: dict[int, tuple[list[np.ndarray], list[np.ndarray], np.ndarray]] = {}

    def separate(self, point: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """Anderson cuts the point violates: (columns, coefficients, rhs) rows ``<=``."""
        found = []
        for k, (unstable, y, z) in self.relu.items():
            if not len(unstable):
                continue
            # the pre-activation node's rows of the unstable elements over its inputs' columns
            parts = self.affine.get(self._pre[k])
            if parts is None:
                continue
            w_rows, cols_rows, bias = self._rows(k, parts, unstable)
            zk, yk = point[z], point[y]
            for r in range(len(unstable)):
                w, cols = w_rows[r], cols_rows[r]
                lo, hi = self.lo[cols], self.hi[cols]
                if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
                    continue
                lb = np.where(w >= 0, lo, hi)
                ub = np.where(w >= 0, hi, lo)
                inside = w * (point[cols] - lb * (1 - zk[r]))
                outside = w * ub * zk[r]
                take = inside < outside
                least = float(np.minimum(inside, outside).sum() + bias[r] * zk[r])
                if yk[r] - least <= VIOLATION:
                    continue
                w_in, lb_in = w[take], lb[take]
                on_z = -(float(np.sum(w_in * lb_in)) + float(bias[r])
                         + float(np.sum(w[~take] * ub[~take])))
                rhs = -float(np.sum(w_in * lb_in))
                scale = 1.0 + float(np.sum(np.abs(w) * np.maximum(np.abs(lo), np.abs(hi)))) \
                    + abs(float(bias[r]))
                cols_all = np.r_[y[r], cols[take], z[r]]
                coef_all = np.r_[1.0, -w_in, on_z]
                uniq, inv = np.unique(cols_all, return_inverse=True)
                found.append((uniq, np.bincount(inv, coef_all), rhs + SLACK * scale))
        return found

    def _rows(self, k: int, parts: list[tuple[int, Any, np.ndarray]], unstable: np.ndarray
              ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        got = self._cache.get(k)
        if got is None:
            import scipy.sparse as sp

            jac = sp.hstack([p[1] for p in parts]).tocsr()[unstable]
            cols = np.concatenate([self.cols[j] for j, _, _ in parts])
            w_rows = [jac.data[jac.indptr[r]:jac.indptr[r + 1]] for r in range(len(unstable))]
            c_rows = [cols[jac.indices[jac.indptr[r]:jac.indptr[r + 1]]]
                      for r in range(len(unstable))]
            got = self._cache[k] = (w_rows, c_rows, parts[0][2][unstable])
        return got


@contextmanager
def _silent_stdout() -> Iterator[None]:
    """File descriptor 1 sent to /dev/null: HiGHS prints its banner when a solver is made,
    before any option can turn its output off (``verify-net --json`` writes JSON there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def relu_cuts(net: GraphNet, bounds: GraphBounds, lower: Tensor, upper: Tensor,
              matrix: Tensor, rhs: Tensor, rounds: int, deadline: float) -> Cuts | None:
    """Anderson cuts for the spec rows ``matrix y <= rhs`` (one disjunct) over the box, from
    ``rounds`` rounds of separation on the LP relaxation over ``bounds`` (the root's
    intermediate bounds, one box); None for networks with other nonlinear nodes, or when no
    cut is found before ``deadline``."""
    if not _supported(net) or rounds <= 0:
        return None
    try:
        import highspy
    except ImportError:  # an install without the verify extra's HiGHS: no cuts
        return None

    lp = _LP(net, bounds, lower.numpy(), upper.numpy(), matrix.numpy(), rhs.numpy())
    with _silent_stdout():
        h = highspy.Highs()
    for key, value in (("output_flag", False), ("threads", 1), ("presolve", "off"),
                       ("solver", "ipm"), ("run_crossover", "off")):
        h.setOptionValue(key, value)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = lp.a.shape[1], lp.a.shape[0]
    cost = np.zeros(lp.a.shape[1])
    cost[lp.t] = 1.0
    model.col_cost_ = cost
    model.col_lower_, model.col_upper_ = lp.lo, lp.hi
    model.row_lower_, model.row_upper_ = lp.row_lo, lp.row_hi
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = lp.a.indptr
    model.a_matrix_.index_ = lp.a.indices
    model.a_matrix_.value_ = lp.a.data
    h.passModel(model)
    cuts: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(rounds):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        h.setOptionValue("time_limit", left)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        found = lp.separate(np.asarray(h.getSolution().col_value))
        if not found:
            break
        cuts.extend(found)
        starts = np.cumsum([0] + [len(c) for c, _, _ in found[:-1]])
        index = np.concatenate([c for c, _, _ in found]).astype(np.int32)
        h.addRows(len(found), np.full(len(found), -highspy.kHighsInf),
                  np.array([r for _, _, r in found]), len(index), starts.astype(np.int32),
                  index, np.concatenate([v for _, v, _ in found]))
    if not cuts:
        return None
    return _as_cuts(net, lp, cuts)


def _as_cuts(net: GraphNet, lp: _LP, rows: list[tuple[np.ndarray, np.ndarray, float]]) -> Cuts:
    entries: dict[tuple[int, bool], tuple[list[int], list[int], list[float]]] = {}
    for c, (cols, coefs, _) in enumerate(rows):
        for col, v in zip(cols.tolist(), coefs.tolist()):
            owner = lp.owner.get(col)
            if owner is None:  # a fixed 0 column (an inactive element's output)
                continue
            i, e, ind = owner
            rr, ee, vv = entries.setdefault((i, ind), ([], [], []))
            rr.append(c)
            ee.append(e)
            vv.append(v)
    n_cuts = len(rows)

    def matrix(i: int, got: tuple[list[int], list[int], list[float]]) -> Tensor:
        rr, ee, vv = got
        return torch.sparse_coo_tensor(
            torch.tensor([rr, ee]), torch.tensor(vv, dtype=torch.float64),
            (n_cuts, math.prod(net.nodes[i].shape)), check_invariants=False).coalesce()

    return Cuts({i: matrix(i, g) for (i, ind), g in entries.items() if not ind},
                {i: matrix(i, g) for (i, ind), g in entries.items() if ind},
                torch.tensor([r for _, _, r in rows], dtype=torch.float64))


def root_cuts(net: GraphNet, ct: CaseTensors, bounds: GraphBounds,
              alphas: dict[int, Tensor] | None, config: SearchConfig, deadline: float
              ) -> tuple[Cuts | None, Tensor | None, dict[int, Tensor] | None]:
    """For a branch and bound on ``ct`` (one box): cuts for its rows (``relu_cuts``, within
    ``config.bab_cut_share`` of the time left), their multipliers and the alphas optimised
    with them on the root domain; (None, None, None) when there are none, or when they close
    less than ``config.bab_cut_gain`` of the root's gap (the same steps with and without them:
    starting again pays only when the cuts tighten the bound)."""
    from .graph_search import beta_crown

    until = time.monotonic() + (deadline - time.monotonic()) * config.bab_cut_share
    cuts = relu_cuts(net, bounds, ct.lower, ct.upper, ct.matrix, ct.rhs, config.bab_cut_rounds,
                     until)
    if cuts is None:
        return None, None, None
    lo, hi = ct.lower[None], ct.upper[None]
    res = beta_crown(net, lo, hi, ct.matrix, ct.rhs, bounds, {}, config.bab_cut_iterations,
                     config.alpha_lr, deadline, alphas, cuts=cuts)
    plain = beta_crown(net, lo, hi, ct.matrix, ct.rhs, bounds, {}, config.bab_cut_iterations,
                       config.alpha_lr, deadline, alphas)
    with_cuts, without = (float(ct.disjunct_max(r.lower).min()) for r in (res, plain))
    if without >= 0 or with_cuts - without < config.bab_cut_gain * -without:
        return None, None, None
    return cuts, res.mu, res.alphas
