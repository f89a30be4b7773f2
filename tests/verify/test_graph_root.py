"""The root bounds of a ``GraphNet`` case (``verify.graph_root``): which pre-activation nodes
alpha-CROWN re-bounds, and that the bounds it leaves enclose sampled values of every node and
the spec rows, on a small residual convolutional network (the shape of sri_resnet_a's)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from verify.attack import CaseTensors
from verify.graph import load_graph
from verify.graph_bounds import graph_bounds, pre_activations, spec_lower
from verify.graph_root import Root, root_bounds, root_refine_nodes
from verify.search import SearchConfig
from verify.vnnlib import parse_vnnlib

RNG = np.random.default_rng(11)


def _r(*shape: int, scale: float = 0.5) -> np.ndarray:
    return (RNG.normal(size=shape) * scale).astype(np.float32)


def _resnet():
    """conv, ReLU, a residual block (conv, ReLU, conv, Add, ReLU), Gemm, ReLU, Gemm: four
    pre-activation nodes."""
    n = lambda op, ins, out, **a: helper.make_node(op, ins, [out], name=out, **a)  # noqa: E731
    nodes = [n("Conv", ["x", "k1", "c1"], "a", pads=[1, 1, 1, 1], strides=[2, 2]),
             n("Relu", ["a"], "ra"),
             n("Conv", ["ra", "k2"], "b", pads=[1, 1, 1, 1]), n("Relu", ["b"], "rb"),
             n("Conv", ["rb", "k3"], "c", pads=[1, 1, 1, 1]), n("Add", ["c", "ra"], "s"),
             n("Relu", ["s"], "rs"), n("Flatten", ["rs"], "f"),
             n("Gemm", ["f", "w1", "g1"], "h"), n("Relu", ["h"], "rh"),
             n("Gemm", ["rh", "w2"], "y")]
    inits = {"k1": _r(4, 2, 3, 3), "c1": _r(4), "k2": _r(4, 4, 3, 3), "k3": _r(4, 4, 3, 3),
             "w1": _r(4 * 3 * 3, 12), "g1": _r(12), "w2": _r(12, 4)}
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(a, k) for k, a in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return load_graph(model.SerializeToString())


def _case(net, centre: np.ndarray, eps: float) -> CaseTensors:
    """Output 0 is not the largest: one disjunct per other output (a robustness spec)."""
    lines = [f"(declare-const X_{i} Real)" for i in range(net.input_size)]
    lines += [f"(declare-const Y_{i} Real)" for i in range(net.output_size)]
    for i, c in enumerate(centre):
        lines += [f"(assert (>= X_{i} {c - eps:.9f}))", f"(assert (<= X_{i} {c + eps:.9f}))"]
    ors = " ".join(f"(and (>= Y_{j} Y_0))" for j in range(1, net.output_size))
    lines.append(f"(assert (or {ors}))")
    return CaseTensors.of(parse_vnnlib("\n".join(lines)).cases[0])


def test_every_node_is_refined_when_the_time_allows_else_the_last_ones():
    net = _resnet()
    pre = sorted(pre_activations(net))
    assert len(pre) == 4
    config = SearchConfig(root_alpha_layers=2, root_alpha_all_factor=15.0)
    assert root_refine_nodes(net, config, crown_seconds=1.0, seconds_left=15.0) == pre
    assert root_refine_nodes(net, config, crown_seconds=1.0, seconds_left=14.0) == pre[-2:]
    never = SearchConfig(root_alpha_layers=1, root_alpha_all_factor=0.0)
    assert root_refine_nodes(net, never, crown_seconds=0.0, seconds_left=1e9) == pre[-1:]
    assert root_refine_nodes(net, SearchConfig(root_alpha_iterations=0), 0.0, 1e9) == []
    assert root_refine_nodes(net, SearchConfig(root_alpha_layers=0, root_alpha_all_factor=0.0),
                             0.0, 1e9) == []


@pytest.mark.parametrize("eps", [0.05, 0.2, 0.6])
def test_root_bounds_refining_every_node_enclose_samples_and_are_inside_the_last_nodes(eps):
    """Refining every node: each node's bounds still enclose the values of sampled inputs
    (and the box's corners) and are inside CROWN's and inside those of refining the last node
    only; the spec rows' root bounds stay below the sampled spec values."""
    net = _resnet()
    ct = _case(net, RNG.uniform(-1, 1, size=net.input_size), eps)
    lo, hi = ct.lower[None], ct.upper[None]
    x = lo + (hi - lo) * torch.rand(5000, net.input_size, dtype=torch.float64)
    x = torch.cat([x, lo, hi])
    with torch.no_grad():
        values = net.run(x.reshape(-1, *net.input_shape))
        crown = graph_bounds(net, lo, hi)
    margins = values[-1].reshape(x.shape[0], -1) @ ct.matrix.T - ct.rhs  # [S, m]
    every = root_bounds(net, ct, SearchConfig(root_alpha_all_factor=1e-9), math.inf)
    last = root_bounds(net, ct, SearchConfig(root_alpha_all_factor=0.0), math.inf)
    if every is True:  # proved at the root: every sample meets the property
        assert bool((ct.disjunct_max(margins) > 0).all())
        return
    assert isinstance(every, Root) and isinstance(last, Root)
    for k, v in enumerate(values):
        v = v.reshape(v.shape[0], -1)
        low, up = every.bounds.lower[k], every.bounds.upper[k]
        tol = 1e-9 * (1 + v.abs())
        assert bool((v >= low.reshape(1, -1) - tol).all()), (eps, net.nodes[k].label)
        assert bool((v <= up.reshape(1, -1) + tol).all()), (eps, net.nodes[k].label)
        assert bool((low >= crown.lower[k] - 1e-9).all() and (up <= crown.upper[k] + 1e-9).all())
    for j in sorted(pre_activations(net))[:-1]:  # "last" refined only the last one
        assert bool((every.bounds.lower[j] >= last.bounds.lower[j] - 1e-9).all())
        assert bool((every.bounds.upper[j] <= last.bounds.upper[j] + 1e-9).all())
    with torch.no_grad():
        spec = spec_lower(net, lo, hi, ct.matrix, ct.rhs, every.bounds, every.alphas)[0]
    assert bool((spec[0] <= margins.amin(0) + 1e-9).all())
