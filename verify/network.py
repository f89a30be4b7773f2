"""The verification graph: a chain of layer kinds, each owning its forward and bound rules.

A ``Network`` is ``Linear, ReLU, Linear, ReLU, ..., Linear`` over flattened (C order) vectors.
The ONNX loader folds every affine operator (Gemm, MatMul, Conv, BatchNormalization, Add, Sub,
Mul, Div, Flatten, Reshape, ...) into the ``Linear`` between two ReLUs, so the bound code needs
one rule per layer kind:

* ``Linear.interval`` / ``ReLU.interval``: interval bound propagation (IBP);
* ``Linear.backward`` / ``ReLU.backward``: one step of CROWN's backward linear propagation,
  the ReLU step under a ``Relaxation`` (lower slope chosen, adaptively or by alpha).

All tensors are float64 torch tensors with a leading batch dimension.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from torch import Tensor


class Model(Protocol):
    """What the falsifier and the witness oracle need of a network (a ``Network`` or a
    ``graph.GraphNet``): flattened forward passes and the source model."""

    @property
    def input_shape(self) -> tuple[int, ...]: ...

    @property
    def onnx_bytes(self) -> bytes: ...

    @property
    def input_name(self) -> str: ...

    @property
    def input_size(self) -> int: ...

    @property
    def output_size(self) -> int: ...

    def forward(self, x: Tensor) -> Tensor: ...


class LayerKind(enum.Enum):
    """The closed vocabulary of layer kinds a ``Network`` is made of."""

    LINEAR = "linear"
    RELU = "relu"


@dataclass(frozen=True, eq=False)
class Linear:
    """``y = W x + b`` with ``weight`` of shape [out, in] and ``bias`` of shape [out]."""

    weight: Tensor
    bias: Tensor
    kind = LayerKind.LINEAR

    @property
    def in_features(self) -> int:
        return int(self.weight.shape[1])

    @property
    def out_features(self) -> int:
        return int(self.weight.shape[0])

    def forward(self, x: Tensor) -> Tensor:
        return x @ self.weight.T + self.bias

    def interval(self, lo: Tensor, hi: Tensor) -> tuple[Tensor, Tensor]:
        """Exact interval image of the box [lo, hi] (batched [B, in])."""
        center, radius = (hi + lo) / 2, (hi - lo) / 2
        mid = center @ self.weight.T + self.bias
        rad = radius @ self.weight.abs().T
        return mid - rad, mid + rad

    def backward(self, a: Tensor) -> tuple[Tensor, Tensor]:
        """Pull ``a @ y`` ([B, m, out]) back to ``a' @ x + c``: returns (a', c [B, m])."""
        return a @ self.weight, a @ self.bias


@dataclass(frozen=True)
class Relaxation:
    """Linear bounds of ReLU on [l, u]: ``lower_slope*x <= relu(x) <= upper_slope*x + upper_icpt``.

    Shapes [B, n] or, for per-row alpha, [B, m, n].
    """

    lower_slope: Tensor
    upper_slope: Tensor
    upper_intercept: Tensor


@dataclass(frozen=True, eq=False)
class ReLU:
    """Elementwise ``max(x, 0)``."""

    kind = LayerKind.RELU

    def forward(self, x: Tensor) -> Tensor:
        return x.clamp(min=0)

    def interval(self, lo: Tensor, hi: Tensor) -> tuple[Tensor, Tensor]:
        return lo.clamp(min=0), hi.clamp(min=0)

    def relax(self, lo: Tensor, hi: Tensor, alpha: Tensor | None = None) -> Relaxation:
        """CROWN's relaxation; the lower slope is ``alpha`` on unstable neurons when given,
        else adaptive (1 where u > -l, else 0)."""
        import torch

        active, unstable = lo >= 0, (lo < 0) & (hi > 0)
        denom = torch.where(unstable, hi - lo, torch.ones_like(lo))
        up_slope = torch.where(unstable, hi / denom, active.to(lo.dtype))
        up_icpt = torch.where(unstable, -lo * hi / denom, torch.zeros_like(lo))
        if alpha is None:
            low = torch.where(unstable, (hi > -lo).to(lo.dtype), active.to(lo.dtype))
        else:
            unstable_b = unstable.unsqueeze(1) if alpha.dim() == 3 else unstable
            active_b = active.unsqueeze(1) if alpha.dim() == 3 else active
            low = torch.where(unstable_b, alpha, active_b.to(lo.dtype))
        return Relaxation(low, up_slope, up_icpt)

    def backward(self, a: Tensor, relax: Relaxation) -> tuple[Tensor, Tensor]:
        """Lower-bound step: ``a @ relu(x) >= a' @ x + c`` (a: [B, m, n])."""
        pos, neg = a.clamp(min=0), a.clamp(max=0)
        low = relax.lower_slope if relax.lower_slope.dim() == 3 else relax.lower_slope.unsqueeze(1)
        new_a = pos * low + neg * relax.upper_slope.unsqueeze(1)
        const = (neg * relax.upper_intercept.unsqueeze(1)).sum(-1)
        return new_a, const


Layer = Linear | ReLU
RELU = ReLU()


@dataclass(frozen=True, eq=False)
class Network:
    """A feed-forward ReLU network ``Linear (ReLU Linear)*`` over flattened vectors.

    ``input_shape`` / ``output_shape`` are the ONNX tensor shapes (VNNLIB indexes their C-order
    flattening); ``onnx_bytes`` is the serialized source model, used to confirm witnesses.
    """

    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    onnx_bytes: bytes = b""
    input_name: str = ""

    def __post_init__(self) -> None:
        kinds = [layer.kind for layer in self.layers]
        ok = kinds and len(kinds) % 2 == 1 and all(
            k is (LayerKind.LINEAR if i % 2 == 0 else LayerKind.RELU) for i, k in enumerate(kinds))
        if not ok:
            raise ValueError("a Network is Linear (ReLU Linear)*")

    @property
    def relu(self) -> ReLU:
        """The activation between the linear layers (stateless: every ReLU layer is this)."""
        return RELU

    @property
    def linears(self) -> list[Linear]:
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    @property
    def input_size(self) -> int:
        return self.linears[0].in_features

    @property
    def output_size(self) -> int:
        return self.linears[-1].out_features

    @property
    def relu_count(self) -> int:
        return sum(lin.out_features for lin in self.linears[:-1])

    def forward(self, x: Tensor) -> Tensor:
        """Batched forward pass on flattened inputs [B, n_in] -> [B, n_out]."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward_numpy(self, x):
        """Forward pass of a numpy array (any batch of flattened inputs), float64."""
        import numpy as np
        import torch

        with torch.no_grad():
            t = torch.as_tensor(np.asarray(x, dtype=np.float64)).reshape(-1, self.input_size)
            return self.forward(t).numpy()
