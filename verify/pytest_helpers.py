"""Use verified properties as tests: ``assert_holds(net, prop)`` inside any pytest suite.

    from verify.pytest_helpers import assert_holds

    def test_controller_is_safe():
        assert_holds("models/controller.onnx", "specs/no_collision.vnnlib", timeout=30)

A violated property fails with the onnxruntime-confirmed counterexample; a property that is not
decided within the timeout fails too (it has not been shown to hold).
"""

from __future__ import annotations

from pathlib import Path

from .network import Network
from .result import Result, Status
from .search import SearchConfig
from .vnnlib import Property


def assert_holds(net: Network | str | Path | bytes, prop: Property | str | Path,
                 timeout: float = 60.0, config: SearchConfig | None = None) -> Result:
    """Assert the network never meets the VNNLIB violation; returns the ``unsat`` Result."""
    from .api import verify

    result = verify(net, prop, timeout, config)
    if result.status is Status.UNSAT:
        return result
    if result.status is Status.SAT and result.witness is not None:
        raise AssertionError(
            f"property violated: counterexample x = {result.witness.x.tolist()} gives "
            f"y = {result.witness.y.tolist()}")
    raise AssertionError(f"property not proved: {result.status.value} after "
                         f"{result.seconds:.1f} s")


def assert_violated(net: Network | str | Path | bytes, prop: Property | str | Path,
                    timeout: float = 60.0, config: SearchConfig | None = None) -> Result:
    """Assert a counterexample exists (e.g. to test that a spec is not vacuous)."""
    from .api import verify

    result = verify(net, prop, timeout, config)
    if result.status is not Status.SAT:
        raise AssertionError(f"no counterexample found: {result.status.value} after "
                             f"{result.seconds:.1f} s")
    return result
