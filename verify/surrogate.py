"""A network's exact forward values with a leaky gradient through its ReLUs, for the falsifier.

Where every path from the input to the output is cut by inactive ReLUs at every start point,
the violation margin is flat there: its gradient is zero and signed or Adam steps do not move
(collins_rul_cnn NN_rul_small_window_20 with if_then_7levels: all 100 ReLUs before the output
are inactive on 5,000 sampled inputs, the output is the constant 0.4155 and the unsafe set
Y_0 >= 18 lies where some of them turn on). ``LeakyGradient`` computes the same outputs but
lets ``slope`` times the gradient through every inactive ReLU (a straight-through estimate), so
the descent climbs towards turning them on. Values are exact, so margins and the witnesses
they rank are those of the network itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from . import graph_ops as G
from .graph import GraphNet
from .network import LayerKind, Model, Network

if TYPE_CHECKING:
    from .attack import CaseTensors


def leaky_relu_gradient(x: Tensor, slope: float) -> Tensor:
    """``max(x, 0)`` in value, with gradient ``slope`` (instead of 0) below 0."""
    negative = x.clamp(max=0)
    return x.clamp(min=0) + slope * (negative - negative.detach())


class LeakyGradient:
    """``net``'s forward pass (a ``Network`` or ``GraphNet``) with ``leaky_relu_gradient`` in
    place of each ReLU (LeakyReLUs already have a gradient below 0)."""

    def __init__(self, net: Model, slope: float = 0.01) -> None:
        self.net, self.slope = net, slope

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.net.input_shape

    @property
    def onnx_bytes(self) -> bytes:
        return self.net.onnx_bytes

    @property
    def input_name(self) -> str:
        return self.net.input_name

    @property
    def input_size(self) -> int:
        return self.net.input_size

    @property
    def output_size(self) -> int:
        return self.net.output_size

    def forward(self, x: Tensor) -> Tensor:
        net = self.net
        if isinstance(net, Network):
            for layer in net.layers:
                x = (leaky_relu_gradient(x, self.slope) if layer.kind is LayerKind.RELU
                     else layer.forward(x))
            return x
        assert isinstance(net, GraphNet)
        values = [x.reshape((x.shape[0], *net.input_shape))]
        for node in net.nodes[1:]:
            op = node.op
            assert op is not None
            args = [values[i] for i in node.inputs]
            if isinstance(op, G.Activation) and op.relu_like and op.negative_slope == 0:
                values.append(leaky_relu_gradient(args[0], self.slope))
            else:
                values.append(op.forward(*args))
        return values[-1].reshape(x.shape[0], -1)


def flat_at(net: Model, ct: CaseTensors, starts: Tensor) -> bool:
    """Whether the margin of ``ct`` has a zero gradient at every one of ``starts``."""
    x = starts.clone().requires_grad_(True)
    margin = ct.margin(net.forward(x))
    if not margin.requires_grad:  # no path from the input at all: nothing to descend on
        return False
    (grad,) = torch.autograd.grad(margin.sum(), x, allow_unused=True)
    return grad is None or not bool((grad != 0).any())
