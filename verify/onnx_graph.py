"""Load an ONNX model into a ``Network`` by folding affine operators between ReLUs.

Each tensor of the ONNX graph is interpreted as either a constant (``Const``) or an affine
function of the current segment's input (``Affine``: the output of the last ReLU, or the network
input). An affine operator maps an ``Affine`` to an ``Affine`` by acting on its columns (linear
part) and its offset (full affine map); ``Relu`` closes the segment into a ``Linear`` layer.
Operators on constants only are folded. Initializers that are also listed as graph inputs (as in
the ACAS Xu files) are constants, not inputs. Anything else raises ``OnnxError`` naming the
operator and the node.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .errors import OnnxError
from .network import Linear, Network, ReLU


@dataclass(frozen=True, eq=False)
class Const:
    """A tensor that does not depend on the network input."""

    value: np.ndarray


@dataclass(frozen=True, eq=False)
class Affine:
    """``x -> cols^T x + offset`` of segment ``base``: cols [n_base, *shape], offset [*shape]."""

    base: int
    cols: torch.Tensor
    offset: torch.Tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.offset.shape)


Value = Const | Affine
Fn = Callable[[torch.Tensor], torch.Tensor]


class _Unsupported(Exception):
    """Raised inside an operator handler; re-raised as ``OnnxError`` naming the node."""


def _map(v: Affine, lin: Fn, aff: Fn | None = None) -> Affine:
    """Apply an affine operator: ``lin`` (linear part) to the columns, ``aff`` to the offset."""
    cols = lin(v.cols)
    offset = (aff or lin)(v.offset.unsqueeze(0)).squeeze(0)
    return Affine(v.base, cols.contiguous(), offset.contiguous())


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def _fold(fn: Fn, *consts: Const) -> Const:
    out = fn(*[torch.as_tensor(np.asarray(c.value)) for c in consts])
    return Const(out.numpy())


def _aligned(v: Affine, c: np.ndarray) -> tuple[Affine, torch.Tensor]:
    """Give ``v`` at least ``c``'s rank (leading 1s) so batch-first broadcasting is right."""
    extra = c.ndim - len(v.shape)
    if extra > 0:
        shape = (1,) * extra + v.shape
        v = Affine(v.base, v.cols.reshape((v.cols.shape[0], *shape)), v.offset.reshape(shape))
    return v, _t(c)


def _broadcast(v: Affine, shape: tuple[int, ...]) -> Affine:
    if v.shape == shape:
        return v
    return Affine(v.base, v.cols.expand((v.cols.shape[0], *shape)), v.offset.expand(shape))


# ---------------------------------------------------------------- elementwise operators


def _add(a: Value, b: Value, sign: float = 1.0) -> Value:
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value + sign * b.value)
    if isinstance(a, Affine) and isinstance(b, Affine):
        if a.base != b.base:
            raise _Unsupported("adds tensors from different ReLU segments (a residual "
                               "connection across a ReLU), which is not supported")
        shape = tuple(np.broadcast_shapes(a.shape, b.shape))
        a, b = _broadcast(a, shape), _broadcast(b, shape)
        return Affine(a.base, a.cols + sign * b.cols, a.offset + sign * b.offset)
    if isinstance(a, Const):  # c + s*v
        assert isinstance(b, Affine)
        return _add(_scale(b, np.asarray(sign)), a)
    assert isinstance(b, Const)
    v, c = _aligned(a, b.value)
    shape = tuple(np.broadcast_shapes(v.shape, tuple(c.shape)))
    v = _broadcast(v, shape)
    return _map(v, lambda t: t, lambda t: t + sign * c)


def _scale(v: Affine, c: np.ndarray) -> Affine:
    v, k = _aligned(v, np.asarray(c))
    shape = tuple(np.broadcast_shapes(v.shape, tuple(k.shape)))
    return _map(_broadcast(v, shape), lambda t: t * k)


def op_add(node, a: Value, b: Value) -> Value:
    return _add(a, b)


def op_sub(node, a: Value, b: Value) -> Value:
    return _add(a, b, -1.0)


def op_mul(node, a: Value, b: Value) -> Value:
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value * b.value)
    if isinstance(a, Affine) and isinstance(b, Affine):
        raise _Unsupported("multiplies two input-dependent tensors (not linear)")
    v, c = (a, b) if isinstance(a, Affine) else (b, a)
    assert isinstance(v, Affine) and isinstance(c, Const)
    return _scale(v, c.value)


def op_div(node, a: Value, b: Value) -> Value:
    if isinstance(b, Affine):
        raise _Unsupported("divides by an input-dependent tensor (not linear)")
    if isinstance(a, Const):
        return Const(a.value / b.value)
    return _scale(a, 1.0 / np.asarray(b.value, dtype=np.float64))


def op_neg(node, a: Value) -> Value:
    return Const(-a.value) if isinstance(a, Const) else _scale(a, np.asarray(-1.0))


def op_identity(node, a: Value) -> Value:
    return a


def op_dropout(node, a: Value, ratio: Value | None = None, training: Value | None = None,
               **attrs: Any) -> Value:
    """Dropout in inference mode is the identity (its ``ratio`` and ``seed`` are unused)."""
    if isinstance(training, Affine) or (
            training is not None and bool(np.asarray(training.value).any())):
        raise _Unsupported("is in training mode (random), which is not supported")
    return a


# ---------------------------------------------------------------- matrix products


def op_matmul(node, a: Value, b: Value) -> Value:
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(np.matmul(a.value, b.value))
    if isinstance(a, Affine) and isinstance(b, Affine):
        raise _Unsupported("multiplies two input-dependent tensors (not linear)")
    if isinstance(a, Affine):
        assert isinstance(b, Const)
        w = _t(b.value)
        return _map(a, lambda t: torch.matmul(t, w))
    assert isinstance(a, Const) and isinstance(b, Affine)
    w = _t(a.value)
    if len(b.shape) == 1:  # matrix @ vector: keep the column axis apart from the batch axis
        if w.dim() != 2:
            raise _Unsupported("multiplies a batched constant by a 1-D input-dependent tensor")
        return _map(b, lambda t: torch.matmul(w, t.unsqueeze(-1)).squeeze(-1))
    return _map(b, lambda t: torch.matmul(w, t))


def op_gemm(node, a: Value, b: Value, c: Value | None = None, *, alpha: float = 1.0,
            beta: float = 1.0, transA: int = 0, transB: int = 0) -> Value:
    def tr(v: Value, flag: int) -> Value:
        if not flag:
            return v
        if isinstance(v, Const):
            return Const(v.value.T)
        return _map(v, lambda t: t.transpose(-1, -2))

    out = op_matmul(node, tr(a, transA), tr(b, transB))
    out = op_mul(node, out, Const(np.asarray(alpha)))
    if c is not None:
        out = _add(out, op_mul(node, c, Const(np.asarray(beta))))
    return out


# ---------------------------------------------------------------- shapes


def _reshape(v: Value, shape: tuple[int, ...]) -> Value:
    if isinstance(v, Const):
        return Const(v.value.reshape(shape))
    return _map(v, lambda t: t.reshape((t.shape[0], *shape)))


def _shape_of(v: Value) -> tuple[int, ...]:
    return tuple(v.value.shape) if isinstance(v, Const) else v.shape


def op_flatten(node, a: Value, *, axis: int = 1) -> Value:
    s = _shape_of(a)
    axis = axis + len(s) if axis < 0 else axis
    return _reshape(a, (math.prod(s[:axis]), math.prod(s[axis:])))


def op_reshape(node, a: Value, shape: Value, *, allowzero: int = 0) -> Value:
    if not isinstance(shape, Const):
        raise _Unsupported("has an input-dependent target shape")
    s, target = _shape_of(a), [int(d) for d in np.asarray(shape.value).reshape(-1)]
    if not allowzero:
        target = [s[i] if d == 0 else d for i, d in enumerate(target)]
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        target[target.index(-1)] = math.prod(s) // max(known, 1)
    return _reshape(a, tuple(target))


def op_transpose(node, a: Value, *, perm: list[int] | None = None) -> Value:
    n = len(_shape_of(a))
    perm = list(perm) if perm is not None else list(reversed(range(n)))
    if isinstance(a, Const):
        return Const(np.transpose(a.value, perm))
    return _map(a, lambda t: t.permute(0, *[p + 1 for p in perm]))


def _axes(axes_attr: list[int] | None, axes_in: Value | None) -> list[int] | None:
    if axes_in is not None:
        return [int(x) for x in np.asarray(axes_in.value).reshape(-1)]  # type: ignore[union-attr]
    return list(axes_attr) if axes_attr is not None else None


def op_unsqueeze(node, a: Value, axes_in: Value | None = None, *, axes=None) -> Value:
    s = list(_shape_of(a))
    ax = _axes(axes, axes_in) or []
    n = len(s) + len(ax)
    for x in sorted(x + n if x < 0 else x for x in ax):
        s.insert(x, 1)
    return _reshape(a, tuple(s))


def op_squeeze(node, a: Value, axes_in: Value | None = None, *, axes=None) -> Value:
    s = _shape_of(a)
    ax = _axes(axes, axes_in)
    drop = {x + len(s) if x < 0 else x for x in ax} if ax else {i for i, d in enumerate(s)
                                                                if d == 1}
    return _reshape(a, tuple(d for i, d in enumerate(s) if i not in drop))


def op_shape(node, a: Value) -> Value:
    return Const(np.asarray(_shape_of(a), dtype=np.int64))


def op_constant(node, **attrs: Any) -> Value:
    for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if key in attrs:
            return Const(np.asarray(attrs[key]))
    raise _Unsupported("has no supported value attribute")


def _const_only(fn: Callable[..., np.ndarray]) -> Callable[..., Value]:
    def handler(node, *inputs: Value | None, **attrs: Any) -> Value:
        values = []
        for v in inputs:
            if isinstance(v, Affine):
                raise _Unsupported("is only supported on constant inputs")
            values.append(None if v is None else v.value)
        return Const(np.asarray(fn(*values, **attrs)))
    return handler


def _gather(data, idx, axis: int = 0):
    return np.take(data, idx.astype(np.int64), axis=axis)


def _concat(*xs, axis: int = 0):
    return np.concatenate([np.atleast_1d(x) for x in xs], axis=axis)


def _cast(x, to: int = 1):
    return x


# ---------------------------------------------------------------- conv, batchnorm, relu


def op_conv(node, x: Value, w: Value, b: Value | None = None, *, strides=None, pads=None,
            dilations=None, group: int = 1, kernel_shape=None, auto_pad: str = "NOTSET") -> Value:
    if not isinstance(x, Affine) or not isinstance(w, Const) or isinstance(b, Affine):
        raise _Unsupported("needs an input-dependent X and constant weights")
    if isinstance(auto_pad, bytes):
        auto_pad = auto_pad.decode()
    if auto_pad not in ("NOTSET", "VALID"):
        raise _Unsupported(f"auto_pad={auto_pad} is not supported")
    weight, dims = _t(w.value), w.value.ndim - 2
    if dims not in (1, 2) or len(x.shape) != dims + 2:
        raise _Unsupported(f"is {dims}-D; only 1-D and 2-D convolutions are supported")
    conv = F.conv1d if dims == 1 else F.conv2d
    pads = list(pads or [0] * (2 * dims))
    # F.pad wants (last_begin, last_end, prev_begin, prev_end, ...)
    torch_pad = [p for i in reversed(range(dims)) for p in (pads[i], pads[i + dims])]
    stride, dilation = tuple(strides or [1] * dims), tuple(dilations or [1] * dims)
    bias = _t(b.value) if b is not None else None

    def apply(t: torch.Tensor, with_bias: bool) -> torch.Tensor:
        n, inner = t.shape[0], t.shape[1:]
        flat = t.reshape((n * inner[0], *inner[1:]))
        out = conv(F.pad(flat, torch_pad), weight, bias if with_bias else None, stride=stride,
                   dilation=dilation, groups=group)
        return out.reshape((n, inner[0], *out.shape[1:]))

    return _map(x, lambda t: apply(t, False), lambda t: apply(t, True))


def op_batchnorm(node, x: Value, scale: Value, bias: Value, mean: Value, var: Value, *,
                 epsilon: float = 1e-5, momentum: float = 0.9, training_mode: int = 0) -> Value:
    consts = (scale, bias, mean, var)
    if not all(isinstance(c, Const) for c in consts):
        raise _Unsupported("needs constant scale, bias, mean and variance")
    s, bb, m, v = (np.asarray(c.value, dtype=np.float64) for c in consts)  # type: ignore
    k = s / np.sqrt(v + epsilon)
    shape = (-1,) + (1,) * (len(_shape_of(x)) - 2)
    kk, off = k.reshape(shape), (bb - m * k).reshape(shape)
    if isinstance(x, Const):
        return Const(x.value * kk + off)
    return _add(_scale(x, kk), Const(off))


OPS: dict[str, Callable[..., Value]] = {
    "Add": op_add, "Sub": op_sub, "Mul": op_mul, "Div": op_div, "Neg": op_neg,
    "Identity": op_identity, "Dropout": op_dropout,
    "MatMul": op_matmul, "Gemm": op_gemm,
    "Flatten": op_flatten, "Reshape": op_reshape, "Transpose": op_transpose,
    "Unsqueeze": op_unsqueeze, "Squeeze": op_squeeze, "Shape": op_shape,
    "Constant": op_constant, "Gather": _const_only(_gather), "Concat": _const_only(_concat),
    "Cast": _const_only(_cast),
    "Conv": op_conv, "BatchNormalization": op_batchnorm,
}
"""Affine operators by ONNX op_type (``Relu`` is handled by the loader: it closes a segment)."""

SUPPORTED = sorted([*OPS, "Relu"])
MAX_INPUTS = 2**14
"""Most input values of a network: each tensor is tracked as an affine map of the input, so the
input's identity map alone takes 8 n^2 bytes (2 GiB here)."""


# ---------------------------------------------------------------- the loader


class _Builder:
    """Walks the nodes in order, tracking values and closing a ``Linear`` at each ``Relu``."""

    def __init__(self, input_shape: tuple[int, ...]) -> None:
        self.layers: list[Linear | ReLU] = []
        self.segment = 0
        self.input_shape = input_shape

    def identity(self, shape: tuple[int, ...]) -> Affine:
        n = math.prod(shape)
        eye = torch.eye(n, dtype=torch.float64).reshape((n, *shape))
        return Affine(self.segment, eye, torch.zeros(shape, dtype=torch.float64))

    def close(self, v: Affine) -> None:
        n = v.cols.shape[0]
        weight = v.cols.reshape(n, -1).T.contiguous()
        self.layers.append(Linear(weight, v.offset.reshape(-1).clone()))

    def relu(self, v: Value) -> Value:
        if isinstance(v, Const):
            return Const(np.maximum(v.value, 0))
        if v.base != self.segment:
            raise _Unsupported("takes a tensor from an earlier ReLU segment (a residual "
                               "connection), which is not supported")
        self.close(v)
        self.layers.append(ReLU())
        self.segment += 1
        return self.identity(v.shape)


def _attrs(node) -> dict[str, Any]:
    import onnx

    out = {}
    for a in node.attribute:
        value = onnx.helper.get_attribute_value(a)
        if isinstance(value, onnx.TensorProto):
            value = onnx.numpy_helper.to_array(value)
        out[a.name] = value
    return out


def _shape(value_info) -> tuple[int, ...]:
    dims = value_info.type.tensor_type.shape.dim
    return tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1 for d in dims)


def _read_model(source: str | Path | bytes, name: str):
    import onnx

    try:
        if isinstance(source, bytes):
            return onnx.load_from_string(source)
        return onnx.load(str(source))
    except FileNotFoundError:
        raise OnnxError(f"{name}: no such file") from None
    except Exception as e:  # protobuf decode errors have many types
        raise OnnxError(f"{name}: not a readable ONNX model ({type(e).__name__})") from None


def read_graph(source: str | Path | bytes, name: str) -> tuple[Any, dict[str, Any], Any]:
    """An ONNX model, its initializers as constants (keyed by name, plus ``""`` for an
    omitted optional input) and its one network input (initializers listed as graph inputs,
    as some exporters write them, are not network inputs)."""
    from onnx import numpy_helper

    model = _read_model(source, name)
    graph = model.graph
    values: dict[str, Any] = {"": None}
    for init in graph.initializer:
        try:
            values[init.name] = Const(numpy_helper.to_array(init))
        except (TypeError, ValueError, KeyError) as e:  # an undefined or unknown element type
            raise OnnxError(f"{name}: initializer {init.name!r} cannot be read "
                            f"({str(e).splitlines()[0] if str(e) else type(e).__name__})"
                            ) from None
    inputs = [i for i in graph.input if i.name not in values]
    if len(inputs) != 1:
        raise OnnxError(f"{name}: expected one network input, found {len(inputs)}")
    if len(graph.output) != 1:
        raise OnnxError(f"{name}: expected one network output, found {len(graph.output)}")
    return model, values, inputs[0]


def load_onnx(source: str | Path | bytes, name: str | None = None) -> Network:
    """Load an ONNX model (path or serialized bytes) into a ``Network``."""
    name = name or (str(source) if not isinstance(source, bytes) else "<onnx>")
    model, values, input_value = read_graph(source, name)
    graph = model.graph
    input_shape = _shape(input_value)
    if math.prod(input_shape) > MAX_INPUTS:
        raise OnnxError(f"{name}: input of shape {input_shape} has more than {MAX_INPUTS} "
                        "values, more than this verifier handles")
    builder = _Builder(input_shape)
    values[input_value.name] = builder.identity(input_shape)
    for node in graph.node:
        values[node.output[0]] = _run_node(node, values, builder, name)
    out = values.get(graph.output[0].name)
    if not isinstance(out, Affine):
        raise OnnxError(f"{name}: the output does not depend on the input")
    if out.base != builder.segment:
        raise OnnxError(f"{name}: the output {graph.output[0].name!r} is computed before the "
                        "last Relu (nodes after the output are not supported)")
    builder.close(out)
    return Network(tuple(builder.layers), input_shape, out.shape,
                   onnx_bytes=model.SerializeToString(), input_name=input_value.name)


def _run_node(node, values: dict[str, Value | None], builder: _Builder, name: str) -> Value:
    op = node.op_type  # protobuf gives bytes for a name that is not UTF-8
    op = op if isinstance(op, str) and op.isprintable() else repr(op)
    if not node.output:
        raise OnnxError(f"{name}: node {node.name!r} ({op}) has no output")
    label = f"{name}: node {node.name or node.output[0]!r} ({op})"
    if node.op_type != "Relu" and node.op_type not in OPS:
        raise OnnxError(f"{label}: unsupported operator {node.op_type!r} "
                        f"(supported: {', '.join(SUPPORTED)})")
    missing = [i for i in node.input if i not in values]
    if missing:
        raise OnnxError(f"{label}: unknown input tensor {missing[0]!r}")
    args = [values[i] for i in node.input]
    if args and args[0] is None:
        raise OnnxError(f"{label}: its data input (the first) is empty")
    try:
        if node.op_type == "Relu":
            return builder.relu(args[0])  # type: ignore[arg-type]
        return OPS[node.op_type](node, *args, **_attrs(node))
    except _Unsupported as e:
        raise OnnxError(f"{label}: {e}") from None
    except (TypeError, ValueError, RuntimeError, IndexError, AttributeError,
            AssertionError) as e:
        why = ("an empty input where a tensor is needed" if None in args
               else str(e) or type(e).__name__)
        raise OnnxError(f"{label}: cannot interpret ({why})".splitlines()[0]) from None
