"""Plane geometry for tests that build figures numerically."""

from __future__ import annotations

import numpy as np


def meet(p: np.ndarray, u: np.ndarray, q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The point where line p + s u meets line q + t v (the lines must not be parallel)."""
    s, _ = np.linalg.solve(np.array([u, -v]).T, q - p)
    return p + s * u
