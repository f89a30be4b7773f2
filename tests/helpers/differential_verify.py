"""Differential checks of the verifier: random small ReLU networks and VNNLIB properties,
decided exactly by a MILP, against the verifier's public API.

A case is a fully connected ReLU network (1-4 inputs, 1-3 hidden layers of 2-8 units, 1-3
outputs) written as a real ONNX model (``Gemm`` or ``MatMul`` + ``Add``, ``Relu``) and a VNNLIB
property (one or two input boxes; output thresholds ``Y_j >= t`` / ``Y_j <= t``, conjunctions
and disjunctions of them, or "``Y_i`` is the largest output"). Its exact answer is the least
violation margin ``m* = min over boxes and disjuncts of min_x max_rows (C y(x) - d)``: the
property is violated iff ``m* <= 0``. ``generate`` solves that MILP once and shifts the
thresholds (or the bias of ``Y_i``) so that ``m*`` lands at a drawn target: half of the cases
hold, half are violated, ``|m*|`` log-uniform between ``2 * BAND`` and the output spread.

``check`` solves the MILP again on the final case (big-M from interval bounds, HiGHS with no
MIP gap), confirms the optimum with onnxruntime at the MILP's minimiser and against dense
samples, runs ``verify.api.verify`` under the check's timeout (the path ``verify-net`` takes;
input splitting or, for a quarter of the cases, ReLU branch and bound), and compares:

* ``sat``: onnxruntime at the witness must give a margin <= 0 inside a box, and ``m*`` <= BAND
  (``violated+checked``; else ``wrong-sat``);
* ``unsat``: ``m*`` must be > 0, which it is by at least 2 * BAND by construction
  (``holds+checked``; else ``wrong-unsat``);
* ``unknown`` / ``timeout``: counted (``unknown/timeout``), not wrong;
* ``verify`` raising on the case: ``error``.

Outcomes that fail a run: ``wrong-sat``, ``wrong-unsat``, ``wrong-bounds`` and ``error``. Two
more are counted and never judged: ``boundary`` (below) and ``oracle-doubt`` (the MILP optimum
disagrees with onnxruntime, the samples, the generator's target or the activation-pattern LPs:
the oracle cannot be trusted on the case; none is expected).

Tolerance policy: the MILP is solved in real arithmetic over the float32 weights while
onnxruntime computes in float32, and HiGHS meets constraints to about 1e-7; those differ by far
less than ``BAND`` = 1e-5 on these outputs (|y| of order 1). A case whose ``m*`` falls within
``BAND`` of 0 is reported as ``unknown`` (``boundary``), never judged; the generator keeps the
target at least ``2 * BAND`` away. The bound rules (IBP, CROWN, forward, CROWN and alpha-CROWN
on the spec rows) are checked too: they must enclose the outputs of sampled inputs and of the
MILP minimiser with no tolerance beyond 1e-9 (``wrong-bounds``).

A case's ``text()`` is the network's sizes and weights and the VNNLIB property.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from differential import ERROR, Verdict, disagreement

HOLDS = "holds+checked"  # unsat, and the exact margin is positive
VIOLATED = "violated+checked"  # sat, the witness re-run in onnxruntime, the margin not positive
UNDECIDED = "unknown/timeout"
BOUNDARY = "boundary"  # the exact margin within BAND of 0: not judged
ORACLE_DOUBT = "oracle-doubt"  # the exact oracles disagree among themselves: not judged
WRONG_SAT = "wrong-sat"
WRONG_UNSAT = "wrong-unsat"
WRONG_BOUNDS = "wrong-bounds"
OUTCOMES = (HOLDS, VIOLATED, UNDECIDED, BOUNDARY, ORACLE_DOUBT, ERROR, WRONG_SAT, WRONG_UNSAT,
            WRONG_BOUNDS)

BAND = 1e-5
SAMPLES = 2000
ENUMERATE_RELUS = 6  # nets with at most this many ReLUs are also solved pattern by pattern


@dataclass(frozen=True)
class Rows:
    """One disjunct: the unsafe set ``{y : matrix @ y <= rhs}``, and how it was written."""

    matrix: np.ndarray  # [m, n_out]
    rhs: np.ndarray  # [m]


@dataclass(frozen=True)
class Case:
    """A network (float32 weights, as in the ONNX model) and its property."""

    index: int
    weights: tuple[np.ndarray, ...]  # [out, in] float32
    biases: tuple[np.ndarray, ...]
    onnx: bytes
    boxes: tuple[tuple[np.ndarray, np.ndarray], ...]
    disjuncts: tuple[Rows, ...]  # the same disjuncts over every box
    vnnlib: str
    relu_bab: bool  # force ReLU branch and bound instead of input splitting
    target: float  # m* the generator aimed at

    def text(self) -> str:
        """The case in full: sizes, weights, the VNNLIB text, the target margin."""
        sizes = [self.weights[0].shape[1], *(w.shape[0] for w in self.weights)]
        lines = [f"verify case {self.index}: sizes {sizes}, "
                 f"{'relu-bab' if self.relu_bab else 'input-split'}, target margin {self.target!r}"]
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            lines.append(f"W{k} = {w.tolist()!r}")
            lines.append(f"b{k} = {b.tolist()!r}")
        lines.append(self.vnnlib.rstrip())
        return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------- generation


def generate(rand: random.Random, index: int) -> Case:
    """A random network and property whose exact margin is at least ``2 * BAND`` from 0."""
    rng = np.random.default_rng(rand.getrandbits(128))
    n_in = int(rng.integers(1, 5))
    hidden = [int(rng.integers(2, 9)) for _ in range(int(rng.integers(1, 4)))]
    n_out = int(rng.integers(1, 4))
    sizes = [n_in, *hidden, n_out]
    weights = [(rng.normal(size=(b, a)) / np.sqrt(a)).astype(np.float32)
               for a, b in zip(sizes, sizes[1:])]
    biases = [(rng.normal(size=b) * 0.5).astype(np.float32) for b in sizes[1:]]
    boxes = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        center = rng.uniform(-1, 1, size=n_in)
        radius = rng.uniform(0.05, 1.0, size=n_in)
        boxes.append((np.round(center - radius, 4), np.round(center + radius, 4)))
    kind = _property_kind(rng, n_out)
    disjuncts, top = _disjuncts(rng, kind, n_out)
    base, _ = exact_margin(weights, biases, boxes, disjuncts)
    spread = _spread(rng, weights, biases, boxes)
    target = float(rng.choice([-1.0, 1.0]) * np.exp(rng.uniform(np.log(2 * BAND),
                                                                 np.log(max(spread, 1e-3)))))
    shift = base - target  # margins fall by ``shift``
    if top is None:
        disjuncts = [Rows(r.matrix, r.rhs + shift) for r in disjuncts]
    else:  # raise the bias of Y_top: each row (Y_j - Y_top) falls by the exact float32 step
        b = biases[-1].copy()
        new = np.float32(float(b[top]) + shift)
        shift = float(new) - float(b[top])
        b[top] = new
        biases[-1] = b
    target = base - shift
    gemm = bool(rng.random() < 0.5)
    relu_bab = bool(rng.random() < 0.25)
    return Case(index, tuple(weights), tuple(biases), onnx_model(weights, biases, gemm),
                tuple(boxes), tuple(disjuncts), vnnlib_text(n_in, n_out, boxes, disjuncts),
                relu_bab, float(target))


def _property_kind(rng: np.random.Generator, n_out: int) -> str:
    kinds = ["threshold", "conjunction", "disjunction"] + (["largest"] if n_out > 1 else [])
    return str(rng.choice(kinds))


def _disjuncts(rng: np.random.Generator, kind: str, n_out: int) -> tuple[list[Rows], int | None]:
    """Disjuncts before the shift, and the output whose bias carries the shift (``largest``)."""
    def row() -> tuple[np.ndarray, float]:
        c = np.zeros(n_out)
        c[int(rng.integers(n_out))] = rng.choice([-1.0, 1.0])  # -Y_j <= -t is Y_j >= t
        return c, float(np.round(rng.normal(), 3))

    if kind == "largest":
        top = int(rng.integers(n_out))
        rows = [np.eye(n_out)[j] - np.eye(n_out)[top] for j in range(n_out) if j != top]
        return [Rows(np.array(rows), np.zeros(len(rows)))], top
    shape = {"threshold": (1, 1, 1, 1), "conjunction": (1, 1, 2, 3),
             "disjunction": (2, 3, 1, 2)}[kind]  # disjuncts (from, to), rows (from, to)
    out = []
    for _ in range(int(rng.integers(shape[0], shape[1] + 1))):
        rows = [row() for _ in range(int(rng.integers(shape[2], shape[3] + 1)))]
        out.append(Rows(np.array([c for c, _ in rows]), np.array([d for _, d in rows])))
    return out, None


def _spread(rng: np.random.Generator, weights, biases, boxes) -> float:
    lo, hi = boxes[0]
    y = forward(weights, biases, rng.uniform(lo, hi, size=(200, len(lo))))
    return float(np.max(y.max(axis=0) - y.min(axis=0)))


def forward(weights, biases, x: np.ndarray) -> np.ndarray:
    """Outputs in float64 (real arithmetic over the float32 weights), x of shape [B, n_in]."""
    h = np.asarray(x, dtype=np.float64)
    for k, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w.astype(np.float64).T + b.astype(np.float64)
        if k < len(weights) - 1:
            h = np.maximum(h, 0.0)
    return h


def onnx_model(weights, biases, gemm: bool) -> bytes:
    """The network as an ONNX model: ``Gemm`` (transB) or ``MatMul`` + ``Add`` per layer."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, last = [], [], "x"
    for k, (w, b) in enumerate(zip(weights, biases)):
        out = f"z{k}" if k < len(weights) - 1 else "y"
        if gemm:
            inits += [numpy_helper.from_array(w, f"W{k}"), numpy_helper.from_array(b, f"B{k}")]
            nodes.append(helper.make_node("Gemm", [last, f"W{k}", f"B{k}"], [out], transB=1))
        else:
            inits += [numpy_helper.from_array(np.ascontiguousarray(w.T), f"W{k}"),
                      numpy_helper.from_array(b, f"B{k}")]
            nodes += [helper.make_node("MatMul", [last, f"W{k}"], [f"m{k}"]),
                      helper.make_node("Add", [f"m{k}", f"B{k}"], [out])]
        if k < len(weights) - 1:
            nodes.append(helper.make_node("Relu", [out], [f"h{k}"]))
            last = f"h{k}"
    graph = helper.make_graph(
        nodes, "random_relu_net",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, weights[0].shape[1]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, weights[-1].shape[0]])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


def vnnlib_text(n_in: int, n_out: int, boxes, disjuncts) -> str:
    """The violation: x in some box and, for some disjunct, every row ``C y <= d``."""
    lines = [f"(declare-const X_{i} Real)" for i in range(n_in)]
    lines += [f"(declare-const Y_{j} Real)" for j in range(n_out)]
    ors = []
    for lo, hi in boxes:
        box = [f"(>= X_{i} {float(lo[i])!r}) (<= X_{i} {float(hi[i])!r})" for i in range(n_in)]
        for rows in disjuncts:
            atoms = [_atom(c, d) for c, d in zip(rows.matrix, rows.rhs)]
            ors.append("(and " + " ".join(box + atoms) + ")")
    lines.append("(assert (or " + "\n  ".join(ors) + "))")
    return "\n".join(lines) + "\n"


def _atom(c: np.ndarray, d: float) -> str:
    nz = np.flatnonzero(c)
    if len(nz) == 1:  # +-Y_j <= d
        j = int(nz[0])
        return f"(<= Y_{j} {float(d)!r})" if c[j] > 0 else f"(>= Y_{j} {float(-d)!r})"
    plus, minus = int(np.flatnonzero(c > 0)[0]), int(np.flatnonzero(c < 0)[0])
    assert d == 0.0
    return f"(<= Y_{plus} Y_{minus})"


# -------------------------------------------------------------------------- the exact oracle


def exact_margin(weights, biases, boxes, disjuncts) -> tuple[float, np.ndarray]:
    """``m*`` and a minimiser, by one MILP per (box, disjunct)."""
    best, arg = np.inf, None
    for lo, hi in boxes:
        for rows in disjuncts:
            value, x = _milp(weights, biases, lo, hi, rows)
            if value < best:
                best, arg = value, x
    assert arg is not None
    return float(best), arg


def _interval(weights, biases, lo, hi) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pre-activation bounds per hidden layer (IBP), widened by a hair against rounding."""
    out = []
    lo, hi = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
    for w, b in zip(weights[:-1], biases[:-1]):
        w64 = w.astype(np.float64)
        mid, rad = (lo + hi) / 2, (hi - lo) / 2
        zc, zr = w64 @ mid + b, np.abs(w64) @ rad
        zl, zu = zc - zr, zc + zr
        pad = 1e-9 * (1 + np.abs(zl) + np.abs(zu))
        out.append((zl - pad, zu + pad))
        lo, hi = np.maximum(zl - pad, 0), np.maximum(zu + pad, 0)
    return out


def _milp(weights, biases, lo, hi, rows: Rows) -> tuple[float, np.ndarray]:
    """min over the box of max_rows (C y - d): big-M MILP with interval bounds, zero gap."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    bounds = _interval(weights, biases, lo, hi)
    n_in = weights[0].shape[1]
    # variable layout: x, then per hidden layer h (n_k) and a (n_k), then s
    offs, pos = [], n_in
    for w in weights[:-1]:
        offs.append(pos)
        pos += 2 * w.shape[0]
    s_idx, n_var = pos, pos + 1
    lb, ub = np.full(n_var, -np.inf), np.full(n_var, np.inf)
    lb[:n_in], ub[:n_in] = lo, hi
    integrality = np.zeros(n_var)
    a_rows: list[np.ndarray] = []
    a_lo: list[float] = []
    a_hi: list[float] = []

    def add(coef: np.ndarray, low: float, high: float) -> None:
        a_rows.append(coef)
        a_lo.append(low)
        a_hi.append(high)

    prev = (0, n_in)
    for k, (w, b) in enumerate(zip(weights[:-1], biases[:-1])):
        w64, b64 = w.astype(np.float64), b.astype(np.float64)
        n = w.shape[0]
        h0, a0 = offs[k], offs[k] + n
        zl, zu = bounds[k]
        for i in range(n):
            h, a = h0 + i, a0 + i
            lb[a], ub[a] = 0, 1
            z = np.zeros(n_var)
            z[prev[0]:prev[0] + prev[1]] = -w64[i]  # h - z = h - W h_prev - b
            if zu[i] <= 0:
                lb[h] = ub[h] = 0.0
                ub[a] = 0
                continue
            lb[h], ub[h] = 0.0, max(zu[i], 0.0)
            if zl[i] >= 0:
                ub[a] = lb[a] = 1
                coef = z.copy()
                coef[h] = 1
                add(coef, b64[i], b64[i])
                continue
            integrality[a] = 1
            coef = z.copy()
            coef[h] = 1
            add(coef, b64[i], np.inf)  # h >= z
            coef = np.zeros(n_var)
            coef[h], coef[a] = 1, -zu[i]
            add(coef, -np.inf, 0.0)  # h <= u a
            coef = z.copy()
            coef[h], coef[a] = 1, -zl[i]
            add(coef, -np.inf, b64[i] - zl[i])  # h <= z - l (1 - a)
        prev = (h0, n)
    w_l, b_l = weights[-1].astype(np.float64), biases[-1].astype(np.float64)
    for c, d in zip(rows.matrix, rows.rhs):
        coef = np.zeros(n_var)
        coef[prev[0]:prev[0] + prev[1]] = c @ w_l
        coef[s_idx] = -1
        add(coef, -np.inf, d - c @ b_l)  # C y - d <= s
    objective = np.zeros(n_var)
    objective[s_idx] = 1
    res = milp(objective, integrality=integrality, bounds=Bounds(lb, ub),
               constraints=LinearConstraint(np.array(a_rows), a_lo, a_hi),
               options={"mip_rel_gap": 0.0})
    if res.x is None:
        raise RuntimeError(f"MILP failed: {res.message}")
    return float(res.fun), np.clip(res.x[:n_in], lo, hi)


def enumerated_margin(weights, biases, boxes, disjuncts) -> float:
    """``m*`` by one LP per activation pattern (a second oracle, for nets of few ReLUs)."""
    from itertools import product

    from scipy.optimize import linprog

    hidden = [w.shape[0] for w in weights[:-1]]
    n_in = weights[0].shape[1]
    best = np.inf
    for pattern in product((0.0, 1.0), repeat=sum(hidden)):
        phases = np.split(np.array(pattern), np.cumsum(hidden)[:-1])
        a, c = np.eye(n_in), np.zeros(n_in)  # h = a x + c under the pattern
        ub_rows, ub_rhs = [], []
        for w, b, p in zip(weights[:-1], biases[:-1], phases):
            za, zc = w.astype(np.float64) @ a, w.astype(np.float64) @ c + b
            sign = np.where(p > 0, -1.0, 1.0)  # active: -z <= 0, inactive: z <= 0
            ub_rows += list(sign[:, None] * za)
            ub_rhs += list(-sign * zc)
            a, c = p[:, None] * za, p * zc
        ya = weights[-1].astype(np.float64) @ a
        yc = weights[-1].astype(np.float64) @ c + biases[-1]
        for lo, hi in boxes:
            for rows in disjuncts:  # min s: C (ya x + yc) - d <= s
                g = np.hstack([rows.matrix @ ya, -np.ones((len(rows.rhs), 1))])
                res = linprog(np.r_[np.zeros(n_in), 1.0],
                              A_ub=np.vstack([np.hstack([ub_rows, np.zeros((len(ub_rows), 1))]),
                                              g]) if ub_rows else g,
                              b_ub=np.r_[ub_rhs, rows.rhs - rows.matrix @ yc],
                              bounds=[*zip(lo, hi), (None, None)], method="highs")
                if res.status == 0:
                    best = min(best, float(res.fun))
    return best


def margins(case: Case, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per row of x/y: the violation margin (min over boxes containing x and disjuncts), +inf
    outside every box."""
    out = np.full(len(y), np.inf)
    for lo, hi in case.boxes:
        inside = np.all((x >= lo) & (x <= hi), axis=1)
        for rows in case.disjuncts:
            m = (y @ rows.matrix.T - rows.rhs).max(axis=1)
            out = np.where(inside, np.minimum(out, m), out)
    return out


# -------------------------------------------------------------------------- the check


def _ort(case: Case):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(case.onnx, options, providers=["CPUExecutionProvider"])

    def run(x: np.ndarray) -> np.ndarray:
        return np.stack([np.asarray(session.run(None, {"x": row[None]})[0], np.float64)[0]
                         for row in np.asarray(x, np.float32)])

    return run


def _samples(rng: np.random.Generator, case: Case, n: int) -> np.ndarray:
    parts = []
    for lo, hi in case.boxes:
        parts.append(rng.uniform(lo, hi, size=(n, len(lo))))
        corners = rng.integers(0, 2, size=(32, len(lo))) > 0
        parts.append(np.where(corners, hi, lo))
    return np.concatenate(parts)


def check(case: Case, timeout: float) -> Verdict:
    """Run the verifier on the case (``timeout`` seconds) and compare with the exact MILP
    answer."""
    rng = np.random.default_rng(case.index)
    exact, x_star = exact_margin(case.weights, case.biases, case.boxes, case.disjuncts)
    run = _ort(case)
    x = np.concatenate([_samples(rng, case, SAMPLES), x_star[None]])
    y = forward(case.weights, case.biases, x)
    m = margins(case, x, y)
    problem = _oracle_problem(case, exact, x, y, m, run)
    if problem:
        return Verdict(ORACLE_DOUBT, problem)
    bound_problem = check_bounds(case, x, y)
    if bound_problem:
        return disagreement(WRONG_BOUNDS, bound_problem)
    if abs(exact) < BAND:
        return Verdict(BOUNDARY, f"exact margin {exact:.3g} within {BAND:g} of 0")
    try:
        result = run_verifier(case, timeout)
    except Exception as e:  # noqa: BLE001 - a crash on a valid case is a finding
        return Verdict(ERROR, f"verify raised {type(e).__name__}: {e}"[:200])
    status = result.status.value
    truth = "holds" if exact > 0 else "violated"
    if status == "sat":
        w = result.witness
        if w is None:
            return disagreement(WRONG_SAT, "sat without a witness")
        wy = run(w.x[None])
        wm = margins(case, w.x[None], wy)[0]
        if not wm <= 0:
            return disagreement(WRONG_SAT, f"witness margin {wm:.3g} > 0 under onnxruntime "
                                f"(x={w.x.tolist()})")
        if exact > 0:
            return disagreement(WRONG_SAT, f"sat with an onnxruntime-confirmed witness but the "
                                f"exact margin is {exact:.3g} > 0")
        return Verdict(VIOLATED, f"sat, exact margin {exact:.3g}")
    if status == "unsat":
        if exact <= 0:
            return disagreement(WRONG_UNSAT, f"unsat but the exact margin is {exact:.3g} "
                                f"(x*={x_star.tolist()})")
        return Verdict(HOLDS, f"unsat, exact margin {exact:.3g}")
    return Verdict(UNDECIDED, f"{status} after {result.seconds:.2f} s, truth {truth} "
                   f"(margin {exact:.3g})")


def _oracle_problem(case, exact, x, y, m, run) -> str:
    """Why the MILP answer cannot be trusted on this case, or ''."""
    y_ort = run(x[-64:])
    if np.max(np.abs(y_ort - y[-64:])) > 1e-4 * (1 + np.max(np.abs(y))):
        return "onnxruntime and the float64 forward pass differ (generator bug)"
    if m[-1] > exact + 1e-6:
        return f"the MILP minimiser has margin {m[-1]:.9g}, not {exact:.9g}"
    if np.min(m) < exact - 1e-6:
        return f"a sample has margin {np.min(m):.9g} below the MILP optimum {exact:.9g}"
    if abs(exact - case.target) > 1e-6:
        return f"MILP optimum {exact:.9g} differs from the generator's {case.target:.9g}"
    if sum(w.shape[0] for w in case.weights[:-1]) <= ENUMERATE_RELUS:
        other = enumerated_margin(case.weights, case.biases, case.boxes, case.disjuncts)
        if abs(other - exact) > 1e-6:
            return f"MILP optimum {exact:.9g} but {other:.9g} by activation patterns"
    return ""


def run_verifier(case: Case, timeout: float):
    """``verify.api.verify`` on the ONNX and VNNLIB files, as ``verify-net`` runs it."""
    from verify.api import verify
    from verify.pytest_helpers import torch_threads
    from verify.search import SearchConfig

    config = SearchConfig(seed=case.index, input_split_max_dim=0 if case.relu_bab else 20)
    with tempfile.TemporaryDirectory() as tmp:
        net, prop = Path(tmp, "net.onnx"), Path(tmp, "prop.vnnlib")
        net.write_bytes(case.onnx)
        prop.write_text(case.vnnlib, encoding="utf-8")
        with torch_threads(1):
            return verify(net, prop, timeout, config)


def check_bounds(case: Case, x: np.ndarray, y: np.ndarray) -> str:
    """Every bound rule encloses the outputs (and spec rows) of the sampled inputs, or why not."""
    import torch

    from verify.bounds import alpha_crown, crown, forward_linear, ibp, spec_lower
    from verify.onnx_graph import load_onnx
    from verify.pytest_helpers import torch_threads

    net = load_onnx(case.onnx)
    with torch_threads(1):
        for b, (lo, hi) in enumerate(case.boxes):
            inside = np.all((x >= lo) & (x <= hi), axis=1)
            yb = y[inside]
            tlo, thi = torch.as_tensor(lo)[None], torch.as_tensor(hi)[None]
            for name, rule in (("ibp", ibp), ("crown", crown), ("forward", forward_linear)):
                bd = rule(net, tlo, thi)
                low, up = bd.lower[-1][0].numpy(), bd.upper[-1][0].numpy()
                if np.any(yb < low - 1e-9) or np.any(yb > up + 1e-9):
                    return f"{name} output bounds of box {b} miss a sampled output"
            bd = crown(net, tlo, thi)
            for rows in case.disjuncts:
                c, d = torch.as_tensor(rows.matrix), torch.as_tensor(rows.rhs)
                low = spec_lower(net, tlo, thi, c, d, bd)[0][0].numpy()
                alpha = alpha_crown(net, tlo, thi, c, d, bd, iterations=10)[0][0].numpy()
                values = yb @ rows.matrix.T - rows.rhs
                if np.any(values < low - 1e-9):
                    return f"CROWN spec bound of box {b} above a sampled row value"
                if np.any(values < alpha - 1e-9):
                    return f"alpha-CROWN spec bound of box {b} above a sampled row value"
    return ""


def warm_up() -> None:
    """Import the verifier, its oracles and their native libraries in the parent of forked
    workers (``symbolic.runner`` preload)."""
    import onnx  # noqa: F401
    import onnxruntime  # noqa: F401
    import scipy.optimize  # noqa: F401
    import torch  # noqa: F401

    import verify.api  # noqa: F401
    import verify.bounds  # noqa: F401
