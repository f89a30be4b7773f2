"""Use verified properties as tests: ``assert_holds(net, prop)`` inside any pytest suite.

    from verify.pytest_helpers import assert_holds

    def test_controller_is_safe():
        assert_holds("models/controller.onnx", "specs/no_collision.vnnlib", timeout=30)

A violated property fails with the onnxruntime-confirmed counterexample; a property that is not
decided within the timeout fails too (it has not been shown to hold). Each check runs on
``threads`` torch threads (1 by default, as ``verify-net`` does), so that a busy CI machine
does not stretch it past its limit; torch's setting is restored afterwards. A check ends within
about a second of its ``timeout`` (``verify.api.verify``'s cooperative limit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .network import Network
from .result import Result, Status
from .search import SearchConfig
from .vnnlib import Property


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run the block on ``threads`` torch threads, then restore torch's setting."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def assert_holds(net: Network | str | Path | bytes, prop: Property | str | Path,
                 timeout: float = 60.0, config: SearchConfig | None = None,
                 threads: int = 1) -> Result:
    """Assert the network never meets the VNNLIB violation; returns the ``unsat`` Result."""
    from .api import verify

    with torch_threads(threads):
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
                    timeout: float = 60.0, config: SearchConfig | None = None,
                    threads: int = 1) -> Result:
    """Assert a counterexample exists (e.g. to test that a spec is not vacuous)."""
    from .api import verify

    with torch_threads(threads):
        result = verify(net, prop, timeout, config)
    if result.status is not Status.SAT:
        raise AssertionError(f"no counterexample found: {result.status.value} after "
                             f"{result.seconds:.1f} s")
    return result
