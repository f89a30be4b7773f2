"""The DAG path of the verifier (``GraphNet``: input splitting, beta-CROWN branch and bound)
against the exact MILP of the differential engine, on its random ReLU networks loaded as
graphs; and end to end on the residual network of the VNN-COMP suite."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import differential_verify as engine
import pytest
from differential import case_rng
from verify_testlib import BENCH, needs_bench

from verify.result import Status

CASES = 30
TIMEOUT = 10.0
AGREE = (engine.HOLDS, engine.VIOLATED)


def _graph_runner(input_split: bool, **options):
    def run(case, timeout):
        from verify.api import verify
        from verify.graph import load_graph
        from verify.pytest_helpers import torch_threads
        from verify.search import SearchConfig

        config = SearchConfig(seed=case.index, input_split_max_dim=20 if input_split else 0,
                              **options)
        with tempfile.TemporaryDirectory() as tmp:
            prop = Path(tmp, "prop.vnnlib")
            prop.write_text(case.vnnlib, encoding="utf-8")
            with torch_threads(1):
                return verify(load_graph(case.onnx), prop, timeout, config)
    return run


@pytest.fixture(scope="module")
def cases():
    return [engine.generate(case_rng(3, i), i) for i in range(CASES)]


@pytest.mark.parametrize("input_split", [True, False], ids=["input-split", "beta-crown-bab"])
def test_graph_verdicts_agree_with_the_exact_optimum(cases, input_split, monkeypatch):
    monkeypatch.setattr(engine, "run_verifier", _graph_runner(input_split))
    verdicts = [engine.check(c, TIMEOUT) for c in cases]
    wrong = [(c.index, v.outcome, v.detail) for c, v in zip(cases, verdicts)
             if v.outcome not in AGREE + (engine.UNDECIDED,)]
    assert wrong == []
    rows = Counter(v.outcome for v in verdicts)
    # measured: 15 + 15 decided by input splitting, 15 + 14 (one timeout) by branch and bound
    assert rows[engine.HOLDS] >= 12 and rows[engine.VIOLATED] >= 12, rows


def test_bab_with_refined_intermediate_bounds_agrees_with_the_exact_optimum(cases,
                                                                            monkeypatch):
    """Branch and bound re-bounding every pre-activation node after the splits, several
    steps per batch from the parents' alphas and betas, in small batches (many warm starts)."""
    runner = _graph_runner(False, refine_layers=99, bab_iterations=3, bab_batch=4)
    monkeypatch.setattr(engine, "run_verifier", runner)
    verdicts = [engine.check(c, TIMEOUT) for c in cases[:15]]
    wrong = [(c.index, v.outcome, v.detail) for c, v in zip(cases, verdicts)
             if v.outcome not in AGREE + (engine.UNDECIDED,)]
    assert wrong == []
    rows = Counter(v.outcome for v in verdicts)
    assert rows[engine.HOLDS] >= 5 and rows[engine.VIOLATED] >= 5, rows


@needs_bench
def test_a_residual_network_gets_a_confirmed_witness():
    from verify.api import load_network, verify
    from verify.graph import GraphNet
    from verify.pytest_helpers import torch_threads

    folder = BENCH / "sri_resnet_a"
    net = load_network(folder / "onnx" / "resnet_3b2_bn_mixup_adv_4.0_bs128_lr-1.onnx")
    assert isinstance(net, GraphNet)  # a residual Add across a ReLU: not a chain
    with torch_threads(1):
        result = verify(net, folder / "vnnlib" / "cifar10_spec_idx_1551_eps_0.00198.vnnlib", 30)
    assert result.status is Status.SAT  # alpha-beta-CROWN and the attack agree
    assert result.witness is not None
