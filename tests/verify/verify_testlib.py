"""Paths and small random networks shared by the verifier tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "verify"
BENCH = ROOT.parent / "shared" / "benchmarks" / "verify"
ACAS = BENCH / "acasxu"
# tests that read the shared benchmark data (beside the checkout) skip where it is absent
needs_bench = pytest.mark.skipif(not ACAS.exists(), reason="shared benchmark data absent")


def random_net(rng: np.random.Generator, sizes: list[int]):
    """A random ``Network`` with the given layer widths (float64 weights)."""
    import torch

    from verify.network import Linear, Network, ReLU

    layers: list = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        if i:
            layers.append(ReLU())
        w = torch.as_tensor(rng.normal(size=(b, a)) / np.sqrt(a))
        layers.append(Linear(w, torch.as_tensor(rng.normal(size=b) * 0.3)))
    return Network(tuple(layers), (sizes[0],), (sizes[-1],))
