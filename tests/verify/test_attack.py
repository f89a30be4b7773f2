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
