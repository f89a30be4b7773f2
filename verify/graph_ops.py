"""Operations of a ``GraphNet``: one class per kind, each owning its forward and bound rules.

Tensors carry a leading batch dimension (sub-domains, or rows of a backward pass) before the
ONNX shape of the value (its own batch axis included, 1 for a symbolic batch dimension).

* ``Affine`` operations (affine in their input tensors; constants are baked in) give
  ``forward = linear + offset``; their interval rule is ``linear(centre) + offset +-
  abs_linear(radius)``, and their CROWN backward step is the transpose of ``linear``, taken by
  autograd (a vector-Jacobian product, exact for a linear map), plus ``<a, offset>``.
* ``Activation`` operations (elementwise, monotone) give a ``Relaxation``: two lines per
  element enclosing the function over the pre-activation interval; the ReLU family takes
  optimisable lower slopes (alpha).
* ``MaxPool`` relaxes each window: below by the input of largest lower bound, above by that
  input when it dominates the window, else by the largest upper bound.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


class OpKind(enum.Enum):
    AFFINE = "affine"
    ACTIVATION = "activation"
    MAXPOOL = "maxpool"


def lift(x: Tensor, rank: int) -> Tensor:
    """[B, *s] -> [B, 1, ..., 1, *s] with ``rank`` dimensions after the batch (ONNX broadcast)."""
    extra = rank - (x.dim() - 1)
    if extra <= 0:
        return x
    return x.reshape((x.shape[0],) + (1,) * extra + tuple(x.shape[1:]))


class Affine:
    """Base of the affine operations: ``forward(*xs) = linear(*xs) + offset``."""

    kind = OpKind.AFFINE
    offset: Tensor | None = None
    linear: Callable[..., Tensor]  # the linear part, on batched inputs
    abs_linear: Callable[..., Tensor]  # ``linear`` with absolute coefficients

    def forward(self, *xs: Tensor) -> Tensor:
        y = self.linear(*xs)
        return y if self.offset is None else y + self.offset

    def interval(self, *boxes: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        mid = self.forward(*[(lo + hi) / 2 for lo, hi in boxes])
        rad = self.abs_linear(*[(hi - lo) / 2 for lo, hi in boxes])
        return mid - rad, mid + rad

    def backward(self, a: Tensor, in_shapes: list[tuple[int, ...]]
                 ) -> tuple[list[Tensor], Tensor]:
        """``a @ y`` ([R, *out]) pulled back to ``sum_i a_i @ x_i + c``: ([a_i], c [R])."""
        rows = a.shape[0]
        xs = [torch.zeros((rows, *s), dtype=a.dtype, requires_grad=True) for s in in_shapes]
        with torch.enable_grad():
            y = self.linear(*xs)
            grads = torch.autograd.grad(y, xs, grad_outputs=a.expand_as(y),
                                        create_graph=a.requires_grad, allow_unused=True)
        out = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, xs)]
        if self.offset is None:
            return out, torch.zeros(rows, dtype=a.dtype)
        return out, (a * self.offset).reshape(rows, -1).sum(1)


@dataclass(eq=False)
class Gemm(Affine):
    """``x @ weight + bias`` on the last axis (Gemm, and MatMul by a constant on the right)."""

    weight: Tensor  # [in, out] (or batched, broadcast like numpy's matmul)
    offset: Tensor | None = None
    rank: int = 0

    def linear(self, x: Tensor) -> Tensor:
        return torch.matmul(lift(x, self.rank), self.weight)

    def abs_linear(self, x: Tensor) -> Tensor:
        return torch.matmul(lift(x, self.rank), self.weight.abs())


@dataclass(eq=False)
class LeftMatMul(Affine):
    """``weight @ x`` (MatMul by a constant on the left)."""

    weight: Tensor
    vector: bool = False  # x is 1-D: weight @ x is a matrix-vector product

    def linear(self, x: Tensor) -> Tensor:
        return self._apply(self.weight, x)

    def abs_linear(self, x: Tensor) -> Tensor:
        return self._apply(self.weight.abs(), x)

    def _apply(self, w: Tensor, x: Tensor) -> Tensor:
        if self.vector:
            return torch.matmul(w, x.unsqueeze(-1)).squeeze(-1)
        return torch.matmul(w, x)


@dataclass(eq=False)
class Conv(Affine):
    """1-D or 2-D convolution (pads, strides, dilations, groups) with constant weights."""

    weight: Tensor
    pads: tuple[int, ...]  # F.pad order
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    offset: Tensor | None = None

    def _apply(self, x: Tensor, w: Tensor) -> Tensor:
        conv = F.conv1d if w.dim() == 3 else F.conv2d
        n, inner = x.shape[0], x.shape[1:]
        flat = x.reshape((n * inner[0], *inner[1:]))
        out = conv(F.pad(flat, self.pads), w, None, stride=self.stride,
                   dilation=self.dilation, groups=self.groups)
        return out.reshape((n, inner[0], *out.shape[1:]))

    def linear(self, x: Tensor) -> Tensor:
        return self._apply(x, self.weight)

    def abs_linear(self, x: Tensor) -> Tensor:
        return self._apply(x, self.weight.abs())

    def backward(self, a: Tensor, in_shapes: list[tuple[int, ...]]
                 ) -> tuple[list[Tensor], Tensor]:
        """The transposed convolution, directly (autograd would also run the forward)."""
        (shape,) = in_shapes
        rows = a.shape[0]
        flat = a.reshape((rows * shape[0], *a.shape[2:]))
        spatial = shape[2:]
        pads = self.pads  # F.pad order: last dimension first
        before = [pads[2 * (len(spatial) - 1 - i)] for i in range(len(spatial))]
        after = [pads[2 * (len(spatial) - 1 - i) + 1] for i in range(len(spatial))]
        padded = [flat.shape[0], shape[1]] + [s + b + e for s, b, e in
                                              zip(spatial, before, after)]
        from torch.nn import grad as nn_grad

        grad_input = nn_grad.conv1d_input if len(spatial) == 1 else nn_grad.conv2d_input
        g = grad_input(padded, self.weight, flat, self.stride, 0, self.dilation, self.groups)
        crop = tuple(slice(b, b + s) for b, s in zip(before, spatial))
        g = g[(slice(None), slice(None), *crop)]
        const = (torch.zeros(rows, dtype=a.dtype) if self.offset is None
                 else (a * self.offset).reshape(rows, -1).sum(1))
        return [g.reshape((rows, *shape))], const


@dataclass(eq=False)
class Scale(Affine):
    """``x * factor + offset`` elementwise (Mul/Div by a constant, BatchNormalization,
    Add/Sub of a constant, Neg)."""

    factor: Tensor | None
    rank: int
    offset: Tensor | None = None

    def linear(self, x: Tensor) -> Tensor:
        x = lift(x, self.rank)
        return x if self.factor is None else x * self.factor

    def abs_linear(self, x: Tensor) -> Tensor:
        x = lift(x, self.rank)
        return x if self.factor is None else x * self.factor.abs()


@dataclass(eq=False)
class Sum(Affine):
    """``sign_0 * x_0 + sign_1 * x_1`` (Add/Sub between two branches, with broadcasting)."""

    signs: tuple[float, ...]
    rank: int

    def linear(self, *xs: Tensor) -> Tensor:
        out = sum(s * lift(x, self.rank) for s, x in zip(self.signs, xs))
        assert isinstance(out, Tensor)
        return out

    def abs_linear(self, *xs: Tensor) -> Tensor:
        out = sum(abs(s) * lift(x, self.rank) for s, x in zip(self.signs, xs))
        assert isinstance(out, Tensor)
        return out


@dataclass(eq=False)
class Reshape(Affine):
    """Any reshape (Reshape, Flatten, Squeeze, Unsqueeze) to ``shape``."""

    shape: tuple[int, ...]

    def linear(self, x: Tensor) -> Tensor:
        return x.reshape((x.shape[0], *self.shape))

    abs_linear = linear


@dataclass(eq=False)
class Transpose(Affine):
    perm: tuple[int, ...]

    def linear(self, x: Tensor) -> Tensor:
        return x.permute(0, *[p + 1 for p in self.perm])

    abs_linear = linear


@dataclass(eq=False)
class Slice(Affine):
    """``x[slices]`` with non-negative steps (Slice, and each output of Split)."""

    slices: tuple[slice, ...]  # one per ONNX axis

    def linear(self, x: Tensor) -> Tensor:
        return x[(slice(None), *self.slices)]

    abs_linear = linear


@dataclass(eq=False)
class Gather(Affine):
    """``take(x, indices, axis)`` with constant indices."""

    indices: Tensor  # int64, any shape
    axis: int

    def linear(self, x: Tensor) -> Tensor:
        picked = x.index_select(self.axis + 1, self.indices.reshape(-1))
        shape = x.shape[1:]
        out = (*shape[:self.axis], *self.indices.shape, *shape[self.axis + 1:])
        return picked.reshape((x.shape[0], *out))

    abs_linear = linear


@dataclass(eq=False)
class Concat(Affine):
    """Concatenation of branches and constants along ``axis``; ``parts`` lists, in order, the
    input index (int) or the constant tensor of each piece."""

    parts: tuple[int | Tensor, ...]
    axis: int

    def _pieces(self, xs: tuple[Tensor, ...], with_consts: bool) -> Tensor:
        rows = xs[0].shape[0]
        pieces = []
        for p in self.parts:
            if isinstance(p, Tensor):
                c = p if with_consts else torch.zeros_like(p)
                pieces.append(c.to(xs[0].dtype).unsqueeze(0).expand(rows, *c.shape))
            else:
                pieces.append(xs[p])
        return torch.cat(pieces, self.axis + 1)

    def linear(self, *xs: Tensor) -> Tensor:
        return self._pieces(xs, False)

    abs_linear = linear

    def forward(self, *xs: Tensor) -> Tensor:
        return self._pieces(xs, True)

    def backward(self, a: Tensor, in_shapes: list[tuple[int, ...]]
                 ) -> tuple[list[Tensor], Tensor]:
        out, _ = Affine.backward(self, a, in_shapes)
        zeros = [torch.zeros((1, *s), dtype=a.dtype) for s in in_shapes]
        offset = self.forward(*zeros)[0]
        return out, (a * offset).reshape(a.shape[0], -1).sum(1)


@dataclass(eq=False)
class AvgPool(Affine):
    """1-D or 2-D average pooling (``count_include_pad`` as given; ceil_mode)."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool

    def linear(self, x: Tensor) -> Tensor:
        pool = F.avg_pool1d if len(self.kernel) == 1 else F.avg_pool2d
        n, inner = x.shape[0], x.shape[1:]
        flat = x.reshape((n * inner[0], *inner[1:]))
        out = pool(flat, self.kernel, self.stride, self.padding, self.ceil_mode,
                   self.count_include_pad)
        return out.reshape((n, inner[0], *out.shape[1:]))

    abs_linear = linear


# ---------------------------------------------------------------- activations


class ActKind(enum.Enum):
    RELU = "Relu"
    LEAKY_RELU = "LeakyRelu"
    SIGMOID = "Sigmoid"
    TANH = "Tanh"
    SIGN = "Sign"


@dataclass(frozen=True)
class Relaxation:
    """``lower_slope*x + lower_icpt <= f(x) <= upper_slope*x + upper_icpt`` elementwise."""

    lower_slope: Tensor
    lower_icpt: Tensor
    upper_slope: Tensor
    upper_icpt: Tensor

    def parts(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        return self.lower_slope, self.lower_icpt, self.upper_slope, self.upper_icpt

    def map(self, f: Callable[[Tensor], Tensor]) -> Relaxation:
        """``f`` applied to each of the four tensors."""
        return Relaxation(*(f(t) for t in self.parts()))


def _sigmoid_grad(x: Tensor) -> Tensor:
    s = torch.sigmoid(x)
    return s * (1 - s)


def _tanh_grad(x: Tensor) -> Tensor:
    return 1 - torch.tanh(x) ** 2


@dataclass(frozen=True, eq=False)
class Activation:
    """An elementwise, monotone non-decreasing activation."""

    act: ActKind
    negative_slope: float = 0.0  # LeakyRelu's slope below 0 (0 for Relu)
    kind = OpKind.ACTIVATION

    @property
    def relu_like(self) -> bool:
        return self.act in (ActKind.RELU, ActKind.LEAKY_RELU)

    def forward(self, x: Tensor) -> Tensor:
        if self.relu_like:
            return torch.where(x >= 0, x, x * self.negative_slope)
        if self.act is ActKind.SIGMOID:
            return torch.sigmoid(x)
        if self.act is ActKind.TANH:
            return torch.tanh(x)
        return torch.sign(x)

    def interval(self, box: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        return self.forward(box[0]), self.forward(box[1])

    def relax(self, lo: Tensor, hi: Tensor) -> Relaxation:
        zero = torch.zeros_like(lo)
        if self.relu_like:
            return self._relax_relu(lo, hi, zero)
        if self.act is ActKind.SIGN:  # sign(lo) <= sign(x) <= sign(hi)
            return Relaxation(zero, torch.sign(lo), zero, torch.sign(hi))
        f, df = ((torch.sigmoid, _sigmoid_grad) if self.act is ActKind.SIGMOID
                 else (torch.tanh, _tanh_grad))
        return _s_shaped(f, df, lo, hi)

    def _relax_relu(self, lo: Tensor, hi: Tensor, zero: Tensor) -> Relaxation:
        s = self.negative_slope
        active, unstable = lo >= 0, (lo < 0) & (hi > 0)
        denom = torch.where(unstable, hi - lo, torch.ones_like(lo))
        f_lo = lo * s
        chord = (hi - f_lo) / denom
        up_s = torch.where(unstable, chord, torch.where(active, 1.0, s) + zero)
        up_c = torch.where(unstable, f_lo - chord * lo, zero)
        low_s = torch.where(unstable, torch.where(hi > -lo, 1.0, s) + zero, up_s)
        return Relaxation(low_s, zero, up_s, up_c)

    def initial_alpha(self, lo: Tensor, hi: Tensor) -> Tensor:
        return torch.where(hi > -lo, 1.0, self.negative_slope) + torch.zeros_like(lo)

    def with_alpha(self, relax: Relaxation, lo: Tensor, hi: Tensor, alpha: Tensor) -> Relaxation:
        """The relaxation with the lower slope of unstable neurons set to ``alpha``."""
        unstable = (lo < 0) & (hi > 0)
        low = torch.where(unstable, alpha.clamp(self.negative_slope, 1.0), relax.lower_slope)
        return Relaxation(low, relax.lower_icpt, relax.upper_slope, relax.upper_icpt)


def _s_shaped(f, df, lo: Tensor, hi: Tensor) -> Relaxation:
    """Sound lines for sigmoid/tanh (convex below 0, concave above, derivative largest at 0).

    Convex part (hi <= 0): chord above, tangent at the midpoint below; concave part (lo >= 0):
    the reverse. Across 0: both lines take the slope ``k = min(f'(lo), f'(hi))``, the least
    derivative on the interval, so ``f(x) - k x`` is non-decreasing and the lines through
    ``(lo, f(lo))`` and ``(hi, f(hi))`` enclose f.
    """
    f_lo, f_hi = f(lo), f(hi)
    width = hi - lo
    flat = width <= 1e-12
    chord = torch.where(flat, df(lo), (f_hi - f_lo) / torch.where(flat, 1.0, width))
    mid = (lo + hi) / 2
    t_s = df(mid)
    t_c = f(mid) - t_s * mid
    c_c = f_lo - chord * lo
    k = torch.minimum(df(lo), df(hi))
    convex, concave = hi <= 0, lo >= 0
    low_s = torch.where(convex, t_s, torch.where(concave, chord, k))
    low_c = torch.where(convex, t_c, torch.where(concave, c_c, f_lo - k * lo))
    up_s = torch.where(convex, chord, torch.where(concave, t_s, k))
    up_c = torch.where(convex, c_c, torch.where(concave, t_c, f_hi - k * hi))
    # float rounding: widen each line by a few ulps of the values involved
    eps = 1e-12 * (1 + lo.abs() + hi.abs())
    return Relaxation(low_s, low_c - eps, up_s, up_c + eps)


# ---------------------------------------------------------------- max pooling


@dataclass(eq=False)
class MaxPool:
    """1-D or 2-D max pooling (pads, strides; no dilation, floor mode)."""

    kernel: tuple[int, int]  # 1-D pools are 2-D pools of height 1
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]  # F.pad order: left, right, top, bottom
    one_d: bool
    kind = OpKind.MAXPOOL

    def _as_2d(self, x: Tensor) -> tuple[Tensor, tuple[int, ...]]:
        n, inner = x.shape[0], tuple(x.shape[1:])
        flat = x.reshape((n * inner[0], *inner[1:]))
        if self.one_d:
            flat = flat.unsqueeze(-2)
        return flat, inner

    def _back(self, y: Tensor, n: int, inner: tuple[int, ...]) -> Tensor:
        if self.one_d:
            y = y.squeeze(-2)
        return y.reshape((n, inner[0], *y.shape[1:]))

    def forward(self, x: Tensor) -> Tensor:
        flat, inner = self._as_2d(x)
        out = F.max_pool2d(F.pad(flat, self.pads, value=-math.inf), self.kernel, self.stride)
        return self._back(out, x.shape[0], inner)

    def interval(self, box: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        return self.forward(box[0]), self.forward(box[1])

    def windows(self, x: Tensor) -> tuple[Tensor, tuple[int, ...], tuple[int, int]]:
        """[B, *in] -> windows [B', C, K, L], the 2-D inner shape and the output size."""
        flat, _ = self._as_2d(x)
        padded = F.pad(flat, self.pads, value=-math.inf)
        size = padded.shape[-2:]
        cols = F.unfold(padded, self.kernel, stride=self.stride)
        c = padded.shape[1]
        k = self.kernel[0] * self.kernel[1]
        out_hw = ((size[0] - self.kernel[0]) // self.stride[0] + 1,
                  (size[1] - self.kernel[1]) // self.stride[1] + 1)
        return cols.reshape(cols.shape[0], c, k, -1), tuple(size), out_hw

    def relax(self, lo: Tensor, hi: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(index of the window input of largest lower bound, whether it dominates the window,
        the window's largest upper bound), each [B, N, C, L] over boxes [B, *in]."""
        lw, _, _ = self.windows(lo)
        uw, _, _ = self.windows(hi)
        best = lw.argmax(2)
        best_lo = lw.gather(2, best.unsqueeze(2)).squeeze(2)
        others = uw.scatter(2, best.unsqueeze(2), -math.inf)
        dominated = best_lo >= others.amax(2)
        batch = lo.shape[0]
        return (best.reshape(batch, -1, *best.shape[1:]),
                dominated.reshape(batch, -1, *best.shape[1:]),
                uw.amax(2).reshape(batch, -1, *best.shape[1:]))

    def backward(self, a: Tensor, relax: tuple[Tensor, Tensor, Tensor], in_shape: tuple[int, ...]
                 ) -> tuple[Tensor, Tensor]:
        """Lower-bound step for rows ``a`` [R, *out] with the rows' relaxation."""
        best, dominated, top = (t.reshape(-1, *t.shape[2:]) for t in relax)
        rows = a.shape[0]
        flat_a, _ = self._as_2d(a)  # [R', C, Ho, Wo]
        flat_a = flat_a.reshape(flat_a.shape[0], flat_a.shape[1], -1)  # [R', C, L]
        pos, neg = flat_a.clamp(min=0), flat_a.clamp(max=0)
        coef = pos + torch.where(dominated, neg, torch.zeros_like(neg))
        const = torch.where(dominated, torch.zeros_like(neg), neg * top)
        const = torch.where(torch.isfinite(const), const, torch.zeros_like(const))
        k = self.kernel[0] * self.kernel[1]
        cols = torch.zeros((*coef.shape[:2], k, coef.shape[2]), dtype=a.dtype)
        cols = cols.scatter(2, best.unsqueeze(2), coef.unsqueeze(2))
        zero_in = torch.zeros((1, *in_shape), dtype=a.dtype)
        _, size, _ = self.windows(zero_in)
        folded = F.fold(cols.reshape(cols.shape[0], -1, cols.shape[3]), size, self.kernel,
                        stride=self.stride)
        left, right, top_p, bottom = self.pads
        folded = folded[..., top_p:folded.shape[-2] - bottom, left:folded.shape[-1] - right]
        if self.one_d:
            folded = folded.squeeze(-2)
        return folded.reshape((rows, *in_shape)), const.reshape(rows, -1).sum(1)


Op = Affine | Activation | MaxPool
