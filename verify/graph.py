"""Any feed-forward ONNX DAG as a ``GraphNet``: nodes of operations from ``graph_ops``.

Node 0 is the network input; every other node applies one operation to earlier nodes. Tensors
that do not depend on the input are folded into constants while loading (the chain loader's
handlers in ``onnx_graph`` fold them), and constant operands are baked into the operation
(``Add(x, c)`` is a ``Scale`` with an offset). Nodes the output does not depend on are dropped.
Initializers listed as graph inputs are constants; a symbolic dimension counts as 1. Any other
operator, or a pattern an operation cannot bound (the product of two input-dependent tensors),
raises ``OnnxError`` naming the operator and the node.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import graph_ops as G
from .errors import OnnxError
from .onnx_graph import OPS as CONST_OPS
from .onnx_graph import Const, _attrs, _shape, _Unsupported, read_graph


@dataclass(frozen=True)
class Ref:
    """A tensor computed by node ``node`` (``-1`` while constant subgraphs are folded: no
    node computes it yet)."""

    node: int
    shape: tuple[int, ...]


Value = Const | Ref


@dataclass(frozen=True, eq=False)
class GraphNode:
    op: G.Op | None  # None for the network input (node 0)
    inputs: tuple[int, ...]
    shape: tuple[int, ...]
    label: str


@dataclass(frozen=True, eq=False)
class GraphNet:
    """A feed-forward DAG over batched tensors [B, *ONNX shape]; ``forward`` takes and returns
    flattened (C order) vectors like ``Network.forward``."""

    nodes: tuple[GraphNode, ...]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    onnx_bytes: bytes = b""
    input_name: str = ""

    @property
    def input_size(self) -> int:
        return math.prod(self.input_shape)

    @property
    def output_size(self) -> int:
        return math.prod(self.output_shape)

    def run(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every node's value for a batch of inputs [B, *input_shape]."""
        values = [x]
        for node in self.nodes[1:]:
            assert node.op is not None
            values.append(node.op.forward(*[values[i] for i in node.inputs]))
        return values

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.run(x.reshape((x.shape[0], *self.input_shape)))[-1]
        return out.reshape(x.shape[0], -1)

    def forward_numpy(self, x):
        with torch.no_grad():
            t = torch.as_tensor(np.asarray(x, dtype=np.float64)).reshape(-1, self.input_size)
            return self.forward(t).numpy()

    @property
    def has_windows(self) -> bool:
        """Whether some operation slides a window (convolution or pooling)."""
        return any(isinstance(n.op, (G.Conv, G.AvgPool, G.MaxPool)) for n in self.nodes)

    def relu_count(self) -> int:
        return sum(math.prod(n.shape) for n in self.nodes
                   if isinstance(n.op, G.Activation) and n.op.relu_like)


# ---------------------------------------------------------------- operator builders

Built = tuple[G.Op, list[Ref]] | Value
Builder = Callable[..., Built]


def _t(a: Any) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def _rank(*vs: Value | np.ndarray) -> int:
    def rank(v: Value | np.ndarray) -> int:
        if isinstance(v, Ref):
            return len(v.shape)
        return int(np.ndim(v.value if isinstance(v, Const) else v))
    return max(rank(v) for v in vs)


def _needs_ref(v: Value | None, what: str = "its data input") -> Ref:
    if not isinstance(v, Ref):
        raise _Unsupported(f"needs {what} to depend on the network input")
    return v


def _const(v: Value | None, what: str) -> np.ndarray:
    if isinstance(v, Ref):
        raise _Unsupported(f"has an input-dependent {what}, which is not supported")
    if v is None:
        raise _Unsupported(f"has no {what}")
    return np.asarray(v.value)


def b_gemm(a: Value, b: Value, c: Value | None = None, *, alpha: float = 1.0,
           beta: float = 1.0, transA: int = 0, transB: int = 0) -> Built:
    x = _needs_ref(a, "input A")
    if transA:
        raise _Unsupported("transposes an input-dependent A (transA=1), which is not supported")
    if isinstance(b, Ref):
        raise _Unsupported("multiplies two input-dependent tensors (not linear)")
    w = _const(b, "B")
    w = (w.T if transB else w) * alpha
    offset = _t(beta * _const(c, "C")) if c is not None else None
    return G.Gemm(_t(w), offset, 2), [x]


def b_matmul(a: Value, b: Value) -> Built:
    if isinstance(a, Ref) and isinstance(b, Ref):
        raise _Unsupported("multiplies two input-dependent tensors (not linear)")
    if isinstance(a, Ref):
        w = _const(b, "B")
        if len(a.shape) == 1 and w.ndim > 2:
            raise _Unsupported("multiplies a 1-D input-dependent tensor by a batched constant")
        return G.Gemm(_t(w), None, max(len(a.shape), w.ndim)), [a]
    x, w = _needs_ref(b, "A or B"), _const(a, "A")
    vector = len(x.shape) == 1
    if (vector and w.ndim != 2) or w.ndim > len(x.shape):
        raise _Unsupported("multiplies a batched constant by a lower-rank input-dependent "
                           "tensor")
    return G.LeftMatMul(_t(w), vector), [x]


def b_conv(x: Value, w: Value, b: Value | None = None, *, strides=None, pads=None,
           dilations=None, group: int = 1, kernel_shape=None, auto_pad: str = "NOTSET") -> Built:
    ref, weight = _needs_ref(x, "X"), _const(w, "weight")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad not in ("NOTSET", "VALID"):
        raise _Unsupported(f"auto_pad={auto_pad} is not supported")
    dims = weight.ndim - 2
    if dims not in (1, 2) or len(ref.shape) != dims + 2:
        raise _Unsupported(f"is {dims}-D; only 1-D and 2-D convolutions are supported")
    pads = list(pads or [0] * (2 * dims))
    torch_pad = tuple(p for i in reversed(range(dims)) for p in (pads[i], pads[i + dims]))
    offset = None if b is None else _t(_const(b, "bias")).reshape((-1,) + (1,) * dims)
    return G.Conv(_t(weight), torch_pad, tuple(strides or [1] * dims),
                  tuple(dilations or [1] * dims), group, offset), [ref]


def _add(a: Value, b: Value, sign: float) -> Built:
    if isinstance(a, Ref) and isinstance(b, Ref):
        return G.Sum((1.0, sign), _rank(a, b)), [a, b]
    if isinstance(a, Ref):
        c = _const(b, "operand")
        return G.Scale(None, _rank(a, c), _t(sign * c)), [a]
    assert isinstance(b, Ref)
    c = _const(a, "operand")
    return G.Scale(None if sign > 0 else _t(-1.0), _rank(b, c), _t(c)), [b]


def b_add(a: Value, b: Value) -> Built:
    return _add(a, b, 1.0)


def b_sub(a: Value, b: Value) -> Built:
    return _add(a, b, -1.0)


def b_mul(a: Value, b: Value) -> Built:
    if isinstance(a, Ref) and isinstance(b, Ref):
        raise _Unsupported("multiplies two input-dependent tensors (not linear)")
    x, c = (a, b) if isinstance(a, Ref) else (b, a)
    assert isinstance(x, Ref)
    k = _const(c, "factor")
    return G.Scale(_t(k), _rank(x, k)), [x]


def b_div(a: Value, b: Value) -> Built:
    if isinstance(b, Ref):
        raise _Unsupported("divides by an input-dependent tensor (not linear)")
    x = _needs_ref(a)
    k = _const(b, "divisor").astype(np.float64)
    return G.Scale(_t(1.0 / k), _rank(x, k)), [x]


def b_neg(a: Value) -> Built:
    return G.Scale(_t(-1.0), 0), [_needs_ref(a)]


def b_batchnorm(x: Value, scale: Value, bias: Value, mean: Value, var: Value, *,
                epsilon: float = 1e-5, momentum: float = 0.9, training_mode: int = 0) -> Built:
    ref = _needs_ref(x, "X")
    s, bb, m, v = (_const(c, "statistic").astype(np.float64) for c in (scale, bias, mean, var))
    k = s / np.sqrt(v + epsilon)
    shape = (-1,) + (1,) * (len(ref.shape) - 2)
    return G.Scale(_t(k.reshape(shape)), len(ref.shape), _t((bb - m * k).reshape(shape))), [ref]


def _reshaped(x: Value, shape: tuple[int, ...]) -> Built:
    return G.Reshape(tuple(int(d) for d in shape)), [_needs_ref(x)]


def b_reshape(a: Value, shape: Value, *, allowzero: int = 0) -> Built:
    x = _needs_ref(a)
    target = [int(d) for d in _const(shape, "target shape").reshape(-1)]
    if not allowzero:
        target = [x.shape[i] if d == 0 else d for i, d in enumerate(target)]
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        target[target.index(-1)] = math.prod(x.shape) // max(known, 1)
    if math.prod(target) != math.prod(x.shape):
        raise _Unsupported(f"cannot reshape {x.shape} to {tuple(target)}")
    return _reshaped(x, tuple(target))


def b_flatten(a: Value, *, axis: int = 1) -> Built:
    s = _needs_ref(a).shape
    axis = axis + len(s) if axis < 0 else axis
    return _reshaped(a, (math.prod(s[:axis]), math.prod(s[axis:])))


def _axes(attr, given: Value | None) -> list[int] | None:
    if given is not None:
        return [int(v) for v in _const(given, "axes").reshape(-1)]
    return list(attr) if attr is not None else None


def b_unsqueeze(a: Value, axes_in: Value | None = None, *, axes=None) -> Built:
    s = list(_needs_ref(a).shape)
    ax = _axes(axes, axes_in) or []
    n = len(s) + len(ax)
    for i in sorted(i + n if i < 0 else i for i in ax):
        s.insert(i, 1)
    return _reshaped(a, tuple(s))


def b_squeeze(a: Value, axes_in: Value | None = None, *, axes=None) -> Built:
    s = _needs_ref(a).shape
    ax = _axes(axes, axes_in)
    drop = ({i + len(s) if i < 0 else i for i in ax} if ax
            else {i for i, d in enumerate(s) if d == 1})
    return _reshaped(a, tuple(d for i, d in enumerate(s) if i not in drop))


def b_transpose(a: Value, *, perm=None) -> Built:
    x = _needs_ref(a)
    n = len(x.shape)
    return G.Transpose(tuple(perm) if perm is not None else tuple(reversed(range(n)))), [x]


def _slices(shape: tuple[int, ...], starts, ends, axes, steps) -> tuple[slice, ...]:
    out = [slice(None)] * len(shape)
    axes = list(axes) if axes is not None else list(range(len(starts)))
    steps = list(steps) if steps is not None else [1] * len(starts)
    for s, e, ax, st in zip(starts, ends, axes, steps):
        if st <= 0:
            raise _Unsupported("has a step <= 0, which is not supported")
        ax = ax + len(shape) if ax < 0 else ax
        big = 2**62
        out[ax] = slice(int(max(min(s, big), -big)), int(max(min(e, big), -big)), int(st))
    return tuple(out)


def b_slice(a: Value, starts: Value | None = None, ends: Value | None = None,
            axes: Value | None = None, steps: Value | None = None, **attrs: Any) -> Built:
    x = _needs_ref(a)
    if starts is None:  # opset < 10: attributes
        st, en, ax, sp = attrs.get("starts"), attrs.get("ends"), attrs.get("axes"), None
    else:
        st, en = _const(starts, "starts").reshape(-1), _const(ends, "ends").reshape(-1)
        ax = None if axes is None else _const(axes, "axes").reshape(-1)
        sp = None if steps is None else _const(steps, "steps").reshape(-1)
    if st is None or en is None:
        raise _Unsupported("has no starts or ends")
    return G.Slice(_slices(x.shape, st, en, ax, sp)), [x]


def b_gather(a: Value, indices: Value, *, axis: int = 0) -> Built:
    x = _needs_ref(a)
    idx = _const(indices, "indices").astype(np.int64)
    axis = axis + len(x.shape) if axis < 0 else axis
    idx = np.where(idx < 0, idx + x.shape[axis], idx)
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[axis]):
        raise _Unsupported("has an index out of range")
    return G.Gather(torch.as_tensor(idx), axis), [x]


def b_concat(*parts: Value, axis: int = 0) -> Built:
    refs: list[Ref] = []
    pieces: list[int | torch.Tensor] = []
    rank = _rank(*parts)
    for p in parts:
        if isinstance(p, Ref):
            pieces.append(len(refs))
            refs.append(p)
        else:
            pieces.append(_t(_const(p, "part")))
    axis = axis + rank if axis < 0 else axis
    return G.Concat(tuple(pieces), axis), refs


def _pool_attrs(x: Ref, kernel_shape, strides, pads, what: str):
    dims = len(kernel_shape or [])
    if dims not in (1, 2) or len(x.shape) != dims + 2:
        raise _Unsupported(f"is {dims}-D; only 1-D and 2-D {what} is supported")
    return dims, tuple(strides or [1] * dims), list(pads or [0] * (2 * dims))


def b_avgpool(a: Value, *, kernel_shape=None, strides=None, pads=None, ceil_mode: int = 0,
              count_include_pad: int = 0, auto_pad: str = "NOTSET") -> Built:
    x = _needs_ref(a)
    dims, stride, pads = _pool_attrs(x, kernel_shape, strides, pads, "average pooling")
    if pads[:dims] != pads[dims:] or any(2 * p > k for p, k in zip(pads, kernel_shape)):
        raise _Unsupported("has asymmetric or over-wide pads, which are not supported")
    return G.AvgPool(tuple(kernel_shape), stride, tuple(pads[:dims]), bool(ceil_mode),
                     bool(count_include_pad)), [x]


def b_maxpool(a: Value, *, kernel_shape=None, strides=None, pads=None, ceil_mode: int = 0,
              dilations=None, storage_order: int = 0, auto_pad: str = "NOTSET") -> Built:
    x = _needs_ref(a)
    dims, stride, pads = _pool_attrs(x, kernel_shape, strides, pads, "max pooling")
    if ceil_mode or any(d != 1 for d in (dilations or [])):
        raise _Unsupported("uses ceil_mode or dilations, which are not supported")
    if dims == 1:
        return G.MaxPool((1, kernel_shape[0]), (1, stride[0]), (pads[0], pads[1], 0, 0),
                         True), [x]
    return G.MaxPool(tuple(kernel_shape), stride, (pads[1], pads[3], pads[0], pads[2]),
                     False), [x]


def _activation(act: G.ActKind) -> Builder:
    def build(a: Value, **attrs: Any) -> Built:
        slope = float(attrs.get("alpha", 0.01)) if act is G.ActKind.LEAKY_RELU else 0.0
        if not 0.0 <= slope <= 1.0:
            raise _Unsupported(f"has alpha={slope} outside [0, 1], which is not supported")
        return G.Activation(act, slope), [_needs_ref(a)]
    return build


def b_dropout(a: Value, ratio: Value | None = None, training: Value | None = None,
              **attrs: Any) -> Built:
    if isinstance(training, Ref) or (training is not None
                                     and bool(np.asarray(training.value).any())):
        raise _Unsupported("is in training mode (random), which is not supported")
    return a


def b_identity(a: Value) -> Built:
    return a


FLOAT_TYPES = {1, 10, 11, 16}  # FLOAT, FLOAT16, DOUBLE, BFLOAT16


def b_cast(a: Value, *, to: int = 1, **attrs: Any) -> Built:
    if to not in FLOAT_TYPES:
        raise _Unsupported(f"casts an input-dependent tensor to the non-float type {to}")
    return a


def b_shape(a: Value, **attrs: Any) -> Built:
    shape = np.asarray(_needs_ref(a).shape, dtype=np.int64)
    start, end = attrs.get("start", 0), attrs.get("end", len(shape))
    return Const(shape[start:end])


BUILDERS: dict[str, Builder] = {
    "Gemm": b_gemm, "MatMul": b_matmul, "Conv": b_conv,
    "Add": b_add, "Sub": b_sub, "Mul": b_mul, "Div": b_div, "Neg": b_neg,
    "BatchNormalization": b_batchnorm,
    "Reshape": b_reshape, "Flatten": b_flatten, "Squeeze": b_squeeze,
    "Unsqueeze": b_unsqueeze, "Transpose": b_transpose,
    "Slice": b_slice, "Gather": b_gather, "Concat": b_concat,
    "AveragePool": b_avgpool, "MaxPool": b_maxpool,
    "Relu": _activation(G.ActKind.RELU), "LeakyRelu": _activation(G.ActKind.LEAKY_RELU),
    "Sigmoid": _activation(G.ActKind.SIGMOID), "Tanh": _activation(G.ActKind.TANH),
    "Sign": _activation(G.ActKind.SIGN),
    "Dropout": b_dropout, "Identity": b_identity, "Cast": b_cast, "Shape": b_shape,
}
"""Operator builders by ONNX op_type (``Split`` and ``Constant`` are handled by the loader)."""

SUPPORTED = sorted([*BUILDERS, "Split", "Constant"])


# ---------------------------------------------------------------- the loader


class _Loader:
    def __init__(self, name: str, input_shape: tuple[int, ...]) -> None:
        self.name = name
        self.nodes: list[GraphNode] = [GraphNode(None, (), input_shape, "input")]

    def add(self, op: G.Op, refs: list[Ref], label: str) -> Ref:
        zeros = [torch.zeros((1, *r.shape), dtype=torch.float64) for r in refs]
        with torch.no_grad():
            shape = tuple(op.forward(*zeros).shape[1:])
        self.nodes.append(GraphNode(op, tuple(r.node for r in refs), shape, label))
        return Ref(len(self.nodes) - 1, shape)

    def node(self, node, values: dict[str, Value | None]) -> list[Value]:
        op_type = node.op_type
        args = [values[i] for i in node.input]
        attrs = _attrs(node)
        if op_type == "Constant":
            return [_as_const(CONST_OPS["Constant"](node, **attrs))]
        if op_type == "Split":
            return self.split(node, args, attrs)
        builder = BUILDERS[op_type]
        data = [a for a in args if a is not None]
        if data and all(isinstance(a, Const) for a in data):
            return [self.fold(node, op_type, args, attrs)]
        built = builder(*args, **attrs)
        if isinstance(built, (Const, Ref)):
            return [built]
        op, refs = built
        return [self.add(op, refs, self.label(node))]

    def fold(self, node, op_type: str, args: list[Value | None], attrs: dict) -> Value:
        """An operator on constants only: the chain loader's handler, else the operation's
        forward on the constant (as a batch of one)."""
        if op_type in CONST_OPS and op_type != "Dropout":
            return _as_const(CONST_OPS[op_type](node, *args, **attrs))
        first = args[0]
        assert isinstance(first, Const)
        value = np.asarray(first.value)
        built = BUILDERS[op_type](Ref(-1, value.shape), *args[1:], **attrs)
        if isinstance(built, Ref):
            return first
        if isinstance(built, Const):
            return built
        op, _ = built
        with torch.no_grad():
            out = op.forward(torch.as_tensor(value)[None])[0]
        return Const(out.numpy())

    def split(self, node, args: list[Value | None], attrs: dict) -> list[Value]:
        data = args[0]
        shape = data.shape if isinstance(data, Ref) else np.shape(data.value)  # type: ignore
        axis = attrs.get("axis", 0)
        axis = axis + len(shape) if axis < 0 else axis
        if len(args) > 1 and args[1] is not None:
            sizes = [int(s) for s in _const(args[1], "split sizes").reshape(-1)]
        elif "split" in attrs:
            sizes = [int(s) for s in attrs["split"]]
        else:
            n = len(node.output)
            step = -(-shape[axis] // n)
            sizes = [min(step, shape[axis] - i * step) for i in range(n)]
        out: list[Value] = []
        start = 0
        for k, size in enumerate(sizes):
            sl = [slice(None)] * len(shape)
            sl[axis] = slice(start, start + size)
            start += size
            if isinstance(data, Const):
                out.append(Const(np.asarray(data.value)[tuple(sl)]))
            else:
                assert isinstance(data, Ref)
                out.append(self.add(G.Slice(tuple(sl)), [data], f"{self.label(node)}[{k}]"))
        return out

    def label(self, node) -> str:
        op = node.op_type if isinstance(node.op_type, str) else repr(node.op_type)
        return f"node {node.name or node.output[0]!r} ({op})"


def _as_const(v: object) -> Const:
    if not isinstance(v, Const):
        raise _Unsupported("did not fold to a constant")
    return v


def load_graph(source: str | Path | bytes, name: str | None = None) -> GraphNet:
    """Load an ONNX model (path or serialized bytes) into a ``GraphNet``."""
    name = name or (str(source) if not isinstance(source, bytes) else "<onnx>")
    model, values, input_value = read_graph(source, name)
    graph = model.graph
    input_shape = _shape(input_value)
    loader = _Loader(name, input_shape)
    values[input_value.name] = Ref(0, input_shape)
    for node in graph.node:
        _load_node(loader, node, values, name)
    out = values.get(graph.output[0].name)
    if not isinstance(out, Ref):
        raise OnnxError(f"{name}: the output does not depend on the input")
    nodes = _prune(loader.nodes, out.node)
    return GraphNet(nodes, input_shape, out.shape, onnx_bytes=model.SerializeToString(),
                    input_name=input_value.name)


def _load_node(loader: _Loader, node, values: dict[str, Value | None], name: str) -> None:
    label = f"{name}: {loader.label(node)}"
    op = node.op_type if isinstance(node.op_type, str) and node.op_type.isprintable() \
        else repr(node.op_type)
    if not node.output:
        raise OnnxError(f"{label}: has no output")
    if op not in BUILDERS and op not in ("Split", "Constant"):
        raise OnnxError(f"{label}: unsupported operator {op!r} "
                        f"(supported: {', '.join(SUPPORTED)})")
    missing = [i for i in node.input if i not in values]
    if missing:
        raise OnnxError(f"{label}: unknown input tensor {missing[0]!r}")
    if node.input and values[node.input[0]] is None:
        raise OnnxError(f"{label}: its data input (the first) is empty")
    try:
        outs = loader.node(node, values)
    except _Unsupported as e:
        raise OnnxError(f"{label}: {e}") from None
    except (TypeError, ValueError, RuntimeError, IndexError, AttributeError, KeyError,
            AssertionError) as e:
        raise OnnxError(f"{label}: cannot interpret ({str(e) or type(e).__name__})"
                        .splitlines()[0]) from None
    for out_name, value in zip(node.output, outs):
        values[out_name] = value


def _prune(nodes: list[GraphNode], out: int) -> tuple[GraphNode, ...]:
    """The nodes ``out`` depends on (and the input), renumbered, ``out`` last."""
    keep = {0, out}
    for i in range(out, 0, -1):
        if i in keep:
            keep.update(nodes[i].inputs)
    order = sorted(keep)
    index = {old: new for new, old in enumerate(order)}
    return tuple(GraphNode(nodes[i].op, tuple(index[j] for j in nodes[i].inputs),
                           nodes[i].shape, nodes[i].label) for i in order)
