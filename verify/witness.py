"""Confirm counterexamples with onnxruntime: the only way a ``sat`` verdict leaves the verifier.

A candidate ``x`` is rounded to float32 inside the case's box (nudged by one ulp if rounding left
it; a coordinate whose interval holds no float32 at all -- ``X_i`` fixed to a value float32
cannot represent, as in the collins_rul_cnn properties -- takes the nearest float32, less than
one float32 ulp away, well within VNN-COMP's 1e-4 witness tolerance), run through onnxruntime
on the original ONNX model, and accepted only when the output meets every row of some unsafe
disjunct exactly (no tolerance), so the witness passes VNN-COMP's 1e-4 check with margin.
"""

from __future__ import annotations

import numpy as np

from .errors import OnnxError
from .network import Model
from .result import Witness
from .vnnlib import Case


class Oracle:
    """onnxruntime on the network's source model (one session, single-threaded)."""

    def __init__(self, net: Model) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 4  # fatal only: its errors come back as OnnxError
        self.net = net
        try:
            self.session = ort.InferenceSession(net.onnx_bytes, options,
                                                providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime's errors share no base class but Exception
            raise OnnxError(f"onnxruntime cannot load the model: {_first_line(e)}") from None

    def run(self, x32: np.ndarray) -> np.ndarray:
        """Output (flattened, float64) of onnxruntime at one float32 input."""
        feed = {self.net.input_name: x32.astype(np.float32).reshape(self.net.input_shape)}
        try:
            out = self.session.run(None, feed)[0]
        except Exception as e:  # as above: a model onnxruntime loads but cannot run
            raise OnnxError(f"onnxruntime cannot run the model: {_first_line(e)}") from None
        return np.asarray(out, dtype=np.float64).reshape(-1)

    def confirm(self, case: Case, x: np.ndarray) -> Witness | None:
        """A ``Witness`` when onnxruntime agrees that ``x`` violates the property, else None."""
        x32 = to_float32_in_box(np.asarray(x, dtype=np.float64).reshape(-1), case.lower,
                                case.upper)
        if x32 is None:
            return None
        y = self.run(x32)
        if not np.all(np.isfinite(y)):
            return None
        if any(d.margin(y[None])[0] <= 0 for d in case.disjuncts):
            return Witness(x32.astype(np.float64), y)
        return None


def _first_line(e: Exception) -> str:
    """onnxruntime's message without its source path prefix, on one line."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    return (" ".join(lines) or type(e).__name__)[:300]


def to_float32_in_box(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray | None:
    """float32 values close to ``x`` within [lower, upper] (checked in float64); a coordinate
    whose interval holds no float32 takes the float32 nearest to the interval's middle (less
    than one ulp outside). None only for an empty interval (lower > upper)."""
    if np.any(lower > upper):
        return None
    x32 = np.clip(x, lower, upper).astype(np.float32)
    for _ in range(2):
        low, high = x32.astype(np.float64) < lower, x32.astype(np.float64) > upper
        x32 = np.where(low, np.nextafter(x32, np.float32(np.inf)), x32)
        x32 = np.where(high, np.nextafter(x32, np.float32(-np.inf)), x32)
    wide = x32.astype(np.float64)
    outside = (wide < lower) | (wide > upper)
    if np.any(outside):
        f = np.asarray(lower, dtype=np.float64).astype(np.float32)
        ceil = np.where(f.astype(np.float64) < lower, np.nextafter(f, np.float32(np.inf)), f)
        no_float32 = ceil.astype(np.float64) > upper
        if np.any(outside & ~no_float32):
            return None
        nearest = ((np.asarray(lower) + np.asarray(upper)) / 2).astype(np.float32)
        x32 = np.where(outside, nearest, x32)
    return x32


def check_witness(net: Model, case_list, witness: Witness, tol: float = 1e-4) -> bool:
    """VNN-COMP's check: onnxruntime reproduces ``y`` within ``tol``, ``x`` is in some box within
    ``tol`` and ``y`` meets some disjunct of that case within ``tol``."""
    y = Oracle(net).run(witness.x.astype(np.float32))
    if np.max(np.abs(y - witness.y), initial=0.0) > tol:
        return False
    for case in case_list:
        if np.all(witness.x >= case.lower - tol) and np.all(witness.x <= case.upper + tol):
            if any(d.margin(y[None])[0] <= tol for d in case.disjuncts):
                return True
    return False
