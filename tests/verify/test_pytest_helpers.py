"""``assert_holds`` / ``assert_violated`` as CI checks: they keep their timeout, and they pass
every time on a machine that is busy with something else."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from verify_testlib import ACAS, EXAMPLES, needs_bench

from verify.pytest_helpers import assert_holds, assert_violated

XOR = EXAMPLES / "xor2.onnx"


@pytest.fixture
def cpu_load():
    """One busy loop per CPU in background processes, stopped after the test."""
    import os

    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for process in busy:
            process.kill()
            process.wait()


def test_the_helpers_pass_every_time_under_a_concurrent_cpu_load(cpu_load):
    for _ in range(3):
        assert assert_holds(XOR, EXAMPLES / "xor2_y1_negative.vnnlib", timeout=20).status.value \
            == "unsat"
        assert assert_violated(XOR, EXAMPLES / "xor2_y0_below.vnnlib", timeout=20).witness \
            is not None


@needs_bench
def test_a_helper_gives_up_within_its_timeout():
    from verify.api import load_network

    net = load_network(ACAS / "onnx" / "ACASXU_run2a_3_3_batch_2000.onnx")  # loads onnx
    timeout = 1.0
    start = time.monotonic()
    with pytest.raises(AssertionError, match="property not proved: timeout"):
        assert_holds(net, ACAS / "vnnlib" / "prop_2.vnnlib", timeout=timeout)
    assert time.monotonic() - start <= timeout + 1.0


@needs_bench
def test_a_short_limit_is_kept_while_sampling_for_a_counterexample():
    from verify.api import load_network, verify

    net = load_network(ACAS / "onnx" / "ACASXU_run2a_1_1_batch_2000.onnx")
    prop = ACAS / "vnnlib" / "prop_1.vnnlib"
    verify(net, prop, timeout=2.0)  # warm: the first call loads what it needs
    start = time.monotonic()
    verify(net, prop, timeout=0.2)  # 100k random samples alone took 2-5 s on a busy machine
    assert time.monotonic() - start <= 0.2 + 1.0
