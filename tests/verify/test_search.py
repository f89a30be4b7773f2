"""Complete search: verdicts against brute force, witnesses re-checked, both BaB modes agree."""

from __future__ import annotations

import numpy as np
import pytest
from verify_testlib import ACAS, BENCH, EXAMPLES, needs_bench

from verify.api import verify
from verify.errors import InputError
from verify.pytest_helpers import assert_holds, assert_violated
from verify.result import Status
from verify.search import SearchConfig
from verify.vnnlib import read_vnnlib
from verify.witness import check_witness, to_float32_in_box

RELU_BAB = SearchConfig(input_split_max_dim=0)
EXPECTED = [("xor2.onnx", "xor2_y1_negative.vnnlib", Status.UNSAT),
            ("xor2.onnx", "xor2_y0_below.vnnlib", Status.SAT),
            ("conv1.onnx", "conv1_robust.vnnlib", Status.UNSAT),
            ("conv1.onnx", "conv1_all_class0.vnnlib", Status.SAT)]


def _check(net_path, prop_path, result):
    if result.status is Status.SAT:
        from verify.onnx_graph import load_onnx

        net, prop = load_onnx(net_path), read_vnnlib(prop_path)
        assert check_witness(net, prop.cases, result.witness, tol=0.0)


@pytest.mark.parametrize("config", [SearchConfig(), SearchConfig(branching="smear", clip=False),
                                    SearchConfig(branching="lookahead"),
                                    SearchConfig(branching="gradient"),
                                    SearchConfig(branching="widest", split_alpha_iterations=0,
                                                 per_disjunct=True, conjunction_steps=0),
                                    RELU_BAB],
                         ids=["input-split", "smear-noclip", "lookahead", "gradient",
                              "widest-each-disjunct",
                              "relu-bab"])
@pytest.mark.parametrize("net, prop, expected", EXPECTED)
def test_example_verdicts(net, prop, expected, config):
    result = verify(EXAMPLES / net, EXAMPLES / prop, 60, config)
    assert result.status is expected
    _check(EXAMPLES / net, EXAMPLES / prop, result)


@needs_bench
@pytest.mark.parametrize("net, prop, expected", [
    ("test_nano.onnx", "test_nano.vnnlib", Status.UNSAT),
    ("test_tiny.onnx", "test_tiny.vnnlib", Status.UNSAT),
    ("test_small.onnx", "test_small.vnnlib", Status.UNSAT),
    ("test_sat.onnx", "test_prop.vnnlib", Status.SAT),
    ("test_unsat.onnx", "test_prop.vnnlib", Status.UNSAT)])
def test_vnncomp_smoke_instances(net, prop, expected):
    t = BENCH / "test"
    result = verify(t / net, t / prop, 60)
    assert result.status is expected
    _check(t / net, t / prop, result)


def test_attack_off_still_finds_violation_by_search():
    """With no sampling and no PGD, the branch and bound's own candidates give the witness."""
    from verify.attack import AttackConfig

    config = SearchConfig(attack=AttackConfig(samples=0, restarts=0))
    for mode in (config, SearchConfig(input_split_max_dim=0, attack=config.attack)):
        result = verify(EXAMPLES / "xor2.onnx", EXAMPLES / "xor2_y0_below.vnnlib", 60, mode)
        assert result.status is Status.SAT


@pytest.mark.slow
def test_brute_force_agrees_on_random_thresholds():
    """Thresholds just above / below the sampled maximum of Y_0 on the unit square."""
    from verify.onnx_graph import load_onnx
    from verify.vnnlib import parse_vnnlib

    net = load_onnx(EXAMPLES / "xor2.onnx")
    grid = np.stack(np.meshgrid(*[np.linspace(0, 1, 401)] * 2), -1).reshape(-1, 2)
    top = float(net.forward_numpy(grid)[:, 0].max())
    head = "".join(f"(declare-const {v} Real)" for v in ("X_0", "X_1", "Y_0", "Y_1"))
    box = "(assert (>= X_0 0))(assert (<= X_0 1))(assert (>= X_1 0))(assert (<= X_1 1))"
    for threshold, expected in ((top + 0.05, Status.UNSAT), (top - 0.05, Status.SAT)):
        prop = parse_vnnlib(head + box + f"(assert (>= Y_0 {threshold!r}))")
        for config in (SearchConfig(), SearchConfig(branching="smear"),
                       SearchConfig(branching="gradient"), RELU_BAB):
            assert verify(net, prop, 60, config).status is expected


def test_size_mismatch_is_an_input_error():
    with pytest.raises(InputError, match="declares 5 inputs"):
        verify(EXAMPLES / "xor2.onnx", EXAMPLES / "acasxu_prop_3.vnnlib", 10)


def test_float32_rounding_stays_in_box():
    lo, hi = np.array([0.1, -1e-9]), np.array([0.1, 1e-9])
    x = to_float32_in_box(np.array([0.1, 0.0]), lo, hi)
    # [0.1, 0.1] holds no float32: the nearest one, within one ulp; the other stays inside
    assert x is not None and x[0] == np.float32(0.1) and lo[1] <= x[1] <= hi[1]
    assert abs(float(x[0]) - 0.1) <= float(np.spacing(np.float32(0.1)))
    assert to_float32_in_box(np.array([0.0]), np.array([1.0]), np.array([0.0])) is None
    x = to_float32_in_box(np.array([0.3, 0.5]), np.array([0.3, 0.0]), np.array([0.31, 1.0]))
    assert x is not None and x.astype(np.float64)[0] >= 0.3


def test_pytest_helpers():
    assert_holds(EXAMPLES / "xor2.onnx", EXAMPLES / "xor2_y1_negative.vnnlib", timeout=30)
    assert_violated(EXAMPLES / "xor2.onnx", EXAMPLES / "xor2_y0_below.vnnlib", timeout=30)
    with pytest.raises(AssertionError, match="property violated: counterexample"):
        assert_holds(EXAMPLES / "xor2.onnx", EXAMPLES / "xor2_y0_below.vnnlib", timeout=30)


def test_pytest_helpers_pin_torch_threads_and_restore_them(monkeypatch):
    import torch

    import verify.api

    seen = []
    real = verify.api.verify

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(verify.api, "verify", spy)
    original = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert_holds(EXAMPLES / "xor2.onnx", EXAMPLES / "xor2_y1_negative.vnnlib", timeout=30)
        with pytest.raises(AssertionError):
            assert_violated(EXAMPLES / "xor2.onnx", EXAMPLES / "xor2_y1_negative.vnnlib",
                            timeout=5, threads=3)
        assert seen == [1, 3] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(original)


@needs_bench
@pytest.mark.slow
@pytest.mark.parametrize("net, prop, expected", [("1_1", 4, Status.UNSAT),
                                                 ("1_7", 3, Status.SAT),
                                                 ("1_1", 1, Status.UNSAT),
                                                 ("3_3", 2, Status.UNSAT)])  # gradient branching
def test_acasxu_instances(net, prop, expected):
    n = ACAS / "onnx" / f"ACASXU_run2a_{net}_batch_2000.onnx"
    p = ACAS / "vnnlib" / f"prop_{prop}.vnnlib"
    result = verify(n, p, 116)
    assert result.status is expected
    _check(n, p, result)


def test_the_lp_of_a_network_past_float_range_is_undecided_not_an_error():
    """Found by the ONNX fuzzer: weights of 1e300 overflow the bounds (inf - inf = nan) and
    scipy's linprog raised ValueError; the LP now leaves such a leaf undecided."""
    import torch

    from verify.bounds import ibp
    from verify.lp import solve_disjunct
    from verify.network import Linear, Network, ReLU

    big = torch.full((2, 2), 1e300, dtype=torch.float64)
    net = Network((Linear(big, torch.zeros(2, dtype=torch.float64)), ReLU(),
                   Linear(-big, torch.zeros(2, dtype=torch.float64))), (2,), (2,))
    lo, hi = np.array([-1e10, -1e10]), np.array([1e10, 1e10])
    bounds = ibp(net, torch.as_tensor(lo)[None], torch.as_tensor(hi)[None])
    assert not all(torch.isfinite(u).all() for u in bounds.upper)
    res = solve_disjunct(net, lo, hi, bounds, 0, np.array([[1.0, 0.0]]), np.array([0.0]))
    assert (res.refuted, res.x, res.exact) == (False, None, False)


@pytest.mark.parametrize("seed", range(4))
def test_width_gradient_scores_match_finite_differences(seed):
    """The ``gradient`` branching score of input i is ``-r_i dL/dr_i`` (L: the CROWN lower
    bound of the disjunct's rows combined with fixed weights, r: the box's half-widths):
    checked against shrinking r_i a little."""
    import torch
    from verify_testlib import random_net

    from verify.attack import CaseTensors
    from verify.bounds import crown, spec_lower
    from verify.conjunction import combined_lower
    from verify.input_split import width_gradient
    from verify.vnnlib import Case, Disjunct

    rng = np.random.default_rng(seed)
    net = random_net(rng, [3, 12, 10, 3])
    matrix, rhs = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]]), np.zeros(2)
    lo = torch.as_tensor(rng.uniform(-1, 0, size=(4, 3)))
    hi = lo + torch.as_tensor(rng.uniform(0.1, 1, size=(4, 3)))
    case = Case(lo[0].numpy(), hi[0].numpy(), (Disjunct(matrix, rhs),))
    ct = CaseTensors.of(case)
    weights = torch.as_tensor(rng.dirichlet([1.0, 1.0], size=(4, 1)))  # [B, D, m]

    def bound(lo_, hi_):
        _, a, const = spec_lower(net, lo_, hi_, ct.matrix, ct.rhs, crown(net, lo_, hi_))
        return combined_lower(weights, a, const, lo_, hi_)[0][:, 0]

    score = width_gradient(net, ct, lo, hi, None, weights, torch.ones(4, 1, dtype=torch.bool))
    assert score.shape == lo.shape and bool((score >= 0).all())
    eps, base = 1e-7, bound(lo, hi)
    for i in range(3):
        shrink = torch.zeros_like(lo)
        shrink[:, i] = eps * (hi - lo)[:, i] / 2  # r_i -> r_i (1 - eps)
        gain = (bound(lo + shrink, hi - shrink) - base) / eps
        assert torch.allclose(gain.clamp(min=0), score[:, i], rtol=1e-3, atol=1e-6)
