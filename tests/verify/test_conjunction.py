"""The LP over a disjunct's rows together (verify.conjunction): sound, near exact, and the
boxes the input split closes with it hold no sampled counterexample."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from verify_testlib import BENCH, needs_bench, random_net

from verify.conjunction import combined_lower, conjunction_bound


def _linear_rows(rng, boxes=64, rows=4, n=5):
    a = torch.as_tensor(rng.normal(size=(boxes, rows, n)))
    const = torch.as_tensor(rng.normal(size=(boxes, rows)) * 0.5)
    center = rng.uniform(-1, 1, size=(boxes, n))
    radius = rng.uniform(0.05, 1.0, size=(boxes, n))
    return a, const, torch.as_tensor(center - radius), torch.as_tensor(center + radius)


def _exact_minmax(a, const, lo, hi) -> float:
    """min over the box of max_r (a_r x + c_r), by scipy's HiGHS."""
    from scipy.optimize import linprog

    m, n = a.shape
    res = linprog(np.r_[np.zeros(n), 1.0], A_ub=np.hstack([a, -np.ones((m, 1))]),
                  b_ub=-const, bounds=[*zip(lo, hi), (None, None)], method="highs")
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("seed", range(3))
def test_conjunction_value_is_below_the_rows_max_at_every_sampled_point(seed):
    """Soundness: the value lower-bounds max_r (a_r x + c_r) at every point of the box."""
    rng = np.random.default_rng(seed)
    a, const, lo, hi = _linear_rows(rng)
    conj = conjunction_bound(((0, 2), (2, 4)), a, const, lo, hi, steps=30)
    u = torch.as_tensor(rng.uniform(size=(4000, 1, lo.shape[1])))
    corners = torch.as_tensor(rng.integers(0, 2, size=(256, 1, lo.shape[1]))).to(lo.dtype)
    pts = lo + (hi - lo) * torch.cat([u, corners])  # [S, B, n]
    rows = (pts.unsqueeze(2) * a).sum(-1) + const  # [S, B, m]
    for g, (r0, r1) in enumerate(((0, 2), (2, 4))):
        worst = rows[..., r0:r1].amax(-1).amin(0)  # [B]
        assert torch.all(conj.value[:, g] <= worst + 1e-9)
    # the weights stay on each disjunct's simplex, and the value is f(weights)
    assert torch.all(conj.weights >= 0)
    assert torch.all(conj.weights[:, 0, 2:] == 0) and torch.all(conj.weights[:, 1, :2] == 0)
    assert torch.allclose(conj.weights.sum(-1), torch.ones(lo.shape[0], 2, dtype=lo.dtype))
    value, _ = combined_lower(conj.weights, a, const, lo, hi)
    assert torch.allclose(value, conj.value)


def test_conjunction_proves_boxes_no_single_row_does_and_matches_the_exact_lp():
    """Tightness: the sign agrees with the exact LP on (almost) every box, including boxes where
    every row alone is satisfiable, and with more steps on all of them."""
    rng = np.random.default_rng(7)
    a, const, lo, hi = _linear_rows(rng, boxes=120)
    single = (torch.minimum(a * lo.unsqueeze(1), a * hi.unsqueeze(1)).sum(-1) + const)
    exact = np.array([_exact_minmax(a[b].numpy(), const[b].numpy(), lo[b].numpy(),
                                    hi[b].numpy()) for b in range(a.shape[0])])
    conj = conjunction_bound(((0, 4),), a, const, lo, hi, steps=100)
    value = conj.value[:, 0].numpy()
    assert np.all(value <= exact + 1e-9)
    assert np.array_equal(value > 0, exact > 0)
    only_joint = (exact > 0) & (single.amax(-1).numpy() <= 0)
    assert only_joint.sum() >= 5  # the case the conjunction is for is present, and proved
    assert np.all(value[only_joint] > 0)


def test_conjunction_point_is_the_minimiser_of_the_combined_row():
    rng = np.random.default_rng(3)
    a, const, lo, hi = _linear_rows(rng, boxes=16)
    conj = conjunction_bound(((0, 4),), a, const, lo, hi, steps=20)
    x = conj.point[:, 0]
    assert torch.all((x >= lo) & (x <= hi))
    at_x = (conj.weights[:, 0] * ((a * x.unsqueeze(1)).sum(-1) + const)).sum(-1)
    assert torch.allclose(at_x, conj.value[:, 0])


def test_conjunction_of_a_disjunct_without_rows_proves_nothing():
    rng = np.random.default_rng(4)
    a, const, lo, hi = _linear_rows(rng, boxes=4, rows=2)
    conj = conjunction_bound(((0, 2), (2, 2)), a, const, lo, hi)
    assert torch.all(conj.value[:, 1] == -torch.inf)
    assert torch.all(conjunction_bound(((0, 2),), a, const, lo, hi, steps=0).value
                     == -torch.inf)


def _case(net, rng, lo, hi):
    """A one-disjunct case of 4 rows on a random net, unsafe on a few percent of the box."""
    from verify.attack import CaseTensors
    from verify.vnnlib import Case, Disjunct

    x = lo + (hi - lo) * torch.as_tensor(rng.uniform(size=(20000, lo.shape[0])))
    y = net.forward(x)
    m = rng.normal(size=(4, y.shape[1]))
    values = (y @ torch.as_tensor(m).T).numpy()
    rhs = np.quantile(values, 0.6, axis=0)
    return CaseTensors.of(Case(lo.numpy(), hi.numpy(), (Disjunct(m, rhs),)))


@pytest.mark.parametrize("seed", range(3))
def test_boxes_closed_by_the_input_split_bound_hold_no_sampled_counterexample(seed):
    """Soundness end to end: the boxes ``_bound_boxes`` closes (row bounds, conjunction LP,
    clipping) contain no sampled unsafe point, and a clipped box keeps every one."""
    from verify.bounds import crown
    from verify.input_split import _bound_boxes
    from verify.search import SearchConfig

    rng = np.random.default_rng(40 + seed)
    net = random_net(rng, [3, 16, 16, 4])
    lo0, hi0 = torch.full((3,), -1.0, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    ct = _case(net, rng, lo0, hi0)
    k = 6  # a 6 x 6 x 6 grid of boxes
    edges = torch.linspace(-1, 1, k + 1, dtype=torch.float64)
    idx = torch.cartesian_prod(*[torch.arange(k)] * 3)
    lo, hi = edges[idx], edges[idx + 1]
    parent = crown(net, lo, hi)
    # slopes "inherited" from a parent: any value in [0, 1] must stay sound
    slopes = [torch.as_tensor(rng.uniform(size=(lo.shape[0], 4, n))) for n in (16, 16)]
    still_open = []
    for steps, alpha in ((0, 0), (30, 0), (30, 3)):
        config = SearchConfig(conjunction_steps=steps)
        open_, c_lo, c_hi, *_ = _bound_boxes(net, ct, lo, hi, parent, config, alpha,
                                             slopes if alpha else None)
        pts = lo.unsqueeze(1) + (hi - lo).unsqueeze(1) * torch.as_tensor(
            rng.uniform(size=(lo.shape[0], 400, 3)))
        unsafe = (ct.margin(net.forward(pts.reshape(-1, 3))) <= 0).reshape(lo.shape[0], -1)
        assert not bool(unsafe[~open_].any())
        inside = ((pts >= c_lo.unsqueeze(1)) & (pts <= c_hi.unsqueeze(1))).all(-1)
        assert bool(inside[unsafe].all())
        assert bool(unsafe.any())  # the test has counterexamples to miss
        still_open.append(int(open_.sum()))
    assert still_open[1] < still_open[0]  # the LP closed boxes the rows alone did not
    assert still_open[2] <= still_open[1]


def test_alpha_gate_stops_when_alpha_crown_closes_few_boxes_and_probes_again():
    from verify.input_split import AlphaGate

    gate = AlphaGate(threshold=0.15, probe_every=4)
    assert gate.use()
    for _ in range(10):
        gate.record(100, 2)
    uses = [gate.use() for _ in range(12)]
    assert uses.count(True) == 3 and uses[3] and uses[7] and uses[11]
    for _ in range(10):
        gate.record(100, 60)
    assert all(gate.use() for _ in range(5))
    gate.record(0, 0)  # nothing tried: nothing learnt
    assert gate.use()


@needs_bench
def test_robot_6_conjunction_is_proved_by_the_input_split():
    """reach_prob_density robot_6 (unsat; each row alone is satisfiable on the box): decided
    by the input split with the conjunction LP (8 s here; timed out at 60 s before it)."""
    from verify.api import verify
    from verify.result import Status
    from verify.search import SearchConfig

    folder = BENCH / "reach_prob_density"
    net, prop = folder / "onnx" / "robot.onnx", folder / "vnnlib" / "robot_6.vnnlib"
    result = verify(net, prop, timeout=60, config=SearchConfig(branching="smear"))
    assert result.status is Status.UNSAT


@pytest.mark.parametrize("decided", [True, False])
def test_auto_branching_runs_gradient_then_a_last_share_of_lookahead(monkeypatch, decided):
    """Several rows a disjunct: the gradient branching until the last eighth of the time (at most
    AUTO_LOOKAHEAD_SECONDS), then the lookahead from the root (only when it left the case
    open)."""
    import time

    import verify.input_split as split
    from verify.search import CaseResult, Outcome

    calls: list[tuple[str, float]] = []

    def search(net, ct, oracle, config, deadline):
        calls.append((config.branching, deadline - time.monotonic()))
        outcome = Outcome.HOLDS if decided else Outcome.TIMEOUT
        return CaseResult(outcome, domains=3)

    monkeypatch.setattr(split, "_search", search)
    result = split._gradient_then_lookahead(None, None, None, split.SearchConfig(),
                                            time.monotonic() + 40)
    assert calls[0][0] == "gradient" and 34 < calls[0][1] <= 35  # 40 s less its last eighth
    if decided:
        assert len(calls) == 1 and result.domains == 3
    else:
        assert calls[1][0] == "lookahead" and 39 < calls[1][1] <= 40
        assert result.domains == 6 and result.outcome is Outcome.TIMEOUT
    calls.clear()
    split._gradient_then_lookahead(None, None, None, split.SearchConfig(), time.monotonic() + 400)
    assert 384 < calls[0][1] <= 385  # the lookahead's share is capped
