"""Soundness of every bound rule: bounds enclose the outputs of densely sampled inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from verify_testlib import ACAS, needs_bench, random_net

from verify.bounds import alpha_crown, crown, forward_linear, ibp, spec_lower
from verify.onnx_graph import load_onnx

RULES = {"ibp": ibp, "crown": crown, "forward": forward_linear}


def _boxes(rng, n_in, count=3):
    center = rng.uniform(-1, 1, size=(count, n_in))
    radius = rng.uniform(0.05, 0.8, size=(count, n_in))
    return torch.as_tensor(center - radius), torch.as_tensor(center + radius)


def _samples(rng, lo, hi, n=4000):
    u = torch.as_tensor(rng.uniform(size=(n, lo.shape[0])))
    pts = lo + (hi - lo) * u
    corners = torch.where(torch.as_tensor(rng.integers(0, 2, size=(64, lo.shape[0]))) > 0,
                          hi, lo)
    return torch.cat([pts, corners])


def _preactivations(net, x):
    out = []
    for layer in net.layers:
        x = layer.forward(x)
        if layer.kind.value == "linear":
            out.append(x)
    return out


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("seed", range(4))
def test_intermediate_bounds_enclose_samples(rule, seed):
    rng = np.random.default_rng(seed)
    net = random_net(rng, [3, 12, 10, 8, 4])
    lo, hi = _boxes(rng, 3)
    bounds = RULES[rule](net, lo, hi)
    for b in range(lo.shape[0]):
        for k, z in enumerate(_preactivations(net, _samples(rng, lo[b], hi[b]))):
            assert torch.all(z >= bounds.lower[k][b] - 1e-9)
            assert torch.all(z <= bounds.upper[k][b] + 1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_spec_bounds_crown_and_alpha_crown_enclose_samples(seed):
    rng = np.random.default_rng(10 + seed)
    net = random_net(rng, [4, 16, 16, 3])
    lo, hi = _boxes(rng, 4)
    matrix, rhs = torch.as_tensor(rng.normal(size=(5, 3))), torch.as_tensor(rng.normal(size=5))
    bounds = crown(net, lo, hi)
    lower, _, _ = spec_lower(net, lo, hi, matrix, rhs, bounds)
    alpha_lower, _ = alpha_crown(net, lo, hi, matrix, rhs, bounds, iterations=15)
    assert torch.all(alpha_lower >= lower - 1e-9)  # optimising never loosens
    for b in range(lo.shape[0]):
        y = net.forward(_samples(rng, lo[b], hi[b]))
        values = y @ matrix.T - rhs
        assert torch.all(values >= alpha_lower[b] - 1e-9)


@pytest.mark.parametrize("rule", ["ibp", "crown", "forward"])
def test_bounds_with_relu_splits_enclose_the_split_region(rule):
    rng = np.random.default_rng(7)
    net = random_net(rng, [3, 10, 10, 2])
    lo, hi = _boxes(rng, 3, count=1)
    splits = [torch.as_tensor(rng.integers(-1, 2, size=(1, 10)) * (rng.uniform(size=(1, 10))
                                                                     < 0.3), dtype=torch.int8)
              for _ in range(2)]
    bounds = RULES[rule](net, lo, hi, splits)
    x = _samples(rng, lo[0], hi[0], 20000)
    pre = _preactivations(net, x)
    inside = torch.ones(len(x), dtype=torch.bool)
    for k, s in enumerate(splits):
        inside &= torch.all((s[0] == 0) | ((s[0] > 0) & (pre[k] >= 0)) | ((s[0] < 0) &
                                                                         (pre[k] <= 0)), dim=1)
    if bool(bounds.infeasible[0]):
        assert not bool(inside.any())
        return
    for k, z in enumerate(pre):
        assert torch.all(z[inside] >= bounds.lower[k][0] - 1e-9)
        assert torch.all(z[inside] <= bounds.upper[k][0] + 1e-9)


@needs_bench
def test_acasxu_root_bounds_are_sound_and_ordered():
    net = load_onnx(ACAS / "onnx" / "ACASXU_run2a_1_1_batch_2000.onnx")
    lo = torch.tensor([[-0.3, -0.5, -0.5, -0.5, -0.5]], dtype=torch.float64)
    hi = torch.tensor([[0.68, 0.5, 0.5, 0.5, 0.5]], dtype=torch.float64)
    y = net.forward(_samples(np.random.default_rng(0), lo[0], hi[0], 20000))
    b_ibp, b_crown = ibp(net, lo, hi), crown(net, lo, hi)
    for b in (b_ibp, b_crown):
        assert torch.all(y >= b.lower[-1][0] - 1e-9) and torch.all(y <= b.upper[-1][0] + 1e-9)
    assert torch.all(b_crown.lower[-1] >= b_ibp.lower[-1])


@pytest.mark.parametrize("seed", range(4))
def test_crown_with_parent_bounds_encloses_samples_of_the_sub_box(seed):
    """Bounds of a box reused for a sub-box (input splitting) stay sound and only tighten."""
    rng = np.random.default_rng(20 + seed)
    net = random_net(rng, [3, 14, 12, 10, 4])
    lo, hi = _boxes(rng, 3, count=2)
    parent = crown(net, lo, hi)
    cut_lo, cut_hi = (torch.as_tensor(rng.uniform(0, 0.45, size=lo.shape)) for _ in range(2))
    sub_lo, sub_hi = lo + cut_lo * (hi - lo), hi - cut_hi * (hi - lo)
    child = crown(net, sub_lo, sub_hi, parent=parent)
    for b in range(lo.shape[0]):
        for k, z in enumerate(_preactivations(net, _samples(rng, sub_lo[b], sub_hi[b]))):
            assert torch.all(z >= child.lower[k][b] - 1e-9)
            assert torch.all(z <= child.upper[k][b] + 1e-9)
            assert torch.all(child.lower[k][b] >= parent.lower[k][b])
            assert torch.all(child.upper[k][b] <= parent.upper[k][b])


@pytest.mark.parametrize("seed", range(6))
def test_clipping_keeps_every_sampled_unsafe_point(seed):
    """Clip-and-Verify shrinks a box only by parts where no disjunct can be met."""
    from verify.attack import CaseTensors
    from verify.input_split import clip_boxes
    from verify.vnnlib import Case, Disjunct

    rng = np.random.default_rng(30 + seed)
    net = random_net(rng, [3, 12, 12, 3])
    lo, hi = _boxes(rng, 3, count=2)
    x = torch.cat([_samples(rng, lo[b], hi[b], 6000) for b in range(2)])
    y = net.forward(x)
    disjuncts = []
    for rows in (1, 2):
        m = rng.normal(size=(rows, 3))
        values = (y @ torch.as_tensor(m).T).numpy()
        rhs = np.quantile(values, 0.1 + 0.1 * rows, axis=0)  # some samples are unsafe
        disjuncts.append(Disjunct(m, rhs))
    ct = CaseTensors.of(Case(lo[0].numpy(), hi[0].numpy(), tuple(disjuncts)))
    bounds = crown(net, lo, hi)
    lower, a, _ = spec_lower(net, lo, hi, ct.matrix, ct.rhs, bounds)
    c_lo, c_hi = clip_boxes(ct, lo, hi, a, lower)
    for b in range(2):
        pts = _samples(rng, lo[b], hi[b], 20000)
        unsafe = ct.margin(net.forward(pts)) <= 0
        inside = torch.all((pts >= c_lo[b]) & (pts <= c_hi[b]), dim=1)
        assert torch.all(inside[unsafe])
        assert torch.all(c_lo[b] >= lo[b]) and torch.all(c_hi[b] <= hi[b])
