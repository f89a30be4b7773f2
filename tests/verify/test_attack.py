"""Falsification: the summed violation agrees with the margin, Adam reaches narrow unsafe sets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from verify_testlib import random_net

from verify.attack import AttackConfig, CaseTensors, adam_descent
from verify.vnnlib import Case, Disjunct


class _TorchOracle:
    """Confirms a candidate when the float64 network puts it in the unsafe set (the tests'
    networks have no ONNX source for onnxruntime)."""

    def __init__(self, net, ct: CaseTensors) -> None:
        self.net, self.ct = net, ct

    def confirm(self, case: Case, x: np.ndarray):
        y = self.net.forward(torch.as_tensor(x)[None])
        return x if float(self.ct.margin(y)[0]) <= 0 else None


@pytest.mark.parametrize("seed", range(4))
def test_violation_is_zero_exactly_where_the_margin_is_not_positive(seed):
    rng = np.random.default_rng(seed)
    disjuncts = tuple(Disjunct(rng.normal(size=(rows, 3)), rng.normal(size=rows) * 0.5)
                      for rows in (1, 3, 2))
    ct = CaseTensors.of(Case(np.zeros(2), np.ones(2), disjuncts))
    y = torch.as_tensor(rng.normal(size=(5000, 3)))
    violation, margin = ct.violation(y), ct.margin(y)
    assert bool(((violation == 0) == (margin <= 0)).all())
    assert bool((violation >= 0).all())
    assert bool(((margin <= 0).any()) and (margin > 0).any())  # both kinds were drawn


@pytest.mark.parametrize("seed", range(3))
def test_adam_reaches_a_narrow_unsafe_set(seed):
    """The unsafe set: outputs 1 and 2 within 0.02 of their value at a hidden input, output 0
    at least its value there minus 0.02 (the shape of reach_prob_density's sets); the witness
    is re-checked on the network."""
    rng = np.random.default_rng(10 + seed)
    net = random_net(rng, [5, 32, 32, 3])
    lo, hi = -np.ones(5), np.ones(5)
    target = net.forward(torch.as_tensor(rng.uniform(-0.8, 0.8, size=(1, 5))))[0].numpy()
    eye = np.eye(3)
    matrix = np.stack([eye[1], -eye[1], eye[2], -eye[2], -eye[0]])
    eps = 0.02
    rhs = np.array([target[1] + eps, eps - target[1], target[2] + eps, eps - target[2],
                    eps - target[0]])
    ct = CaseTensors.of(Case(lo, hi, (Disjunct(matrix, rhs),)))
    starts = ct.lower + (ct.upper - ct.lower) * torch.rand(
        64, 5, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    witness = adam_descent(net, ct, _TorchOracle(net, ct), starts, AttackConfig(),
                           float("inf"))
    assert witness is not None
    y = net.forward(torch.as_tensor(witness)[None])
    assert float(ct.margin(y)[0]) <= 0
    assert bool(((ct.lower <= torch.as_tensor(witness)) &
                 (torch.as_tensor(witness) <= ct.upper)).all())


def _dead_net(kind: str, n: int):
    """y = relu(sum(x) - (n - 5)) on [-1, 1]^n: the ReLU is off on all but a ~1e-9 share of
    the box (sampling never turns it on), so the output and its gradient are 0 there; the
    unsafe set y >= 1 is the corner where sum(x) >= n - 4."""
    weight, bias = np.ones((1, n)), np.array([-(n - 5.0)])
    if kind == "chain":
        from verify.network import Linear, Network, ReLU

        return Network((Linear(torch.as_tensor(weight), torch.as_tensor(bias)), ReLU(),
                        Linear(torch.eye(1, dtype=torch.float64),
                               torch.zeros(1, dtype=torch.float64))), (n,), (1,))
    from onnx import TensorProto, helper, numpy_helper

    from verify.graph import load_graph

    inits = {"w": weight.T.astype(np.float32), "b": bias.astype(np.float32)}
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w", "b"], ["h"]), helper.make_node("Relu", ["h"], ["y"])],
        "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(a, k) for k, a in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return load_graph(model.SerializeToString())


@pytest.mark.parametrize("kind", ["chain", "graph"])
def test_falsify_climbs_out_of_dead_relus(kind):
    """Every sample and every descent start has all ReLUs off: the margin is flat, so the
    descent follows a leaky gradient through them (``verify.surrogate``); the witness is
    checked on the network itself."""
    from verify.attack import falsify
    from verify.surrogate import LeakyGradient

    n = 20
    net = _dead_net(kind, n)
    ct = CaseTensors.of(Case(-np.ones(n), np.ones(n), (Disjunct(-np.ones((1, 1)),
                                                                 -np.ones(1)),)))
    x = ct.lower + (ct.upper - ct.lower) * torch.rand(
        100, n, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert bool((net.forward(x) == 0).all())
    surrogate = LeakyGradient(net).forward(x)
    assert torch.equal(surrogate, net.forward(x))  # the same values, only the gradient leaks
    config = AttackConfig(samples=20_000, restarts=8, steps=50, fine_steps=0, adam_steps=0)
    witness = falsify(net, ct, _TorchOracle(net, ct), config, float("inf"),
                      torch.Generator().manual_seed(1))
    assert witness is not None
    assert float(ct.margin(net.forward(torch.as_tensor(witness)[None]))[0]) <= 0
