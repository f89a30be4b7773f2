"""Apply a matcher's bitmask to torch logits, and a ``transformers`` LogitsProcessor adapter.

torch and transformers are imported only here (optional extras); the engine itself needs
neither.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .index import TokenIndex
from .matcher import Matcher


def bitmask_to_bool(bits: np.ndarray, size: int) -> np.ndarray:
    """Bool array of ``size`` (padded with False past the vocabulary) from uint32 words."""
    flat = np.unpackbits(bits.view(np.uint8), bitorder="little").view(bool)
    if len(flat) >= size:
        return flat[:size]
    return np.concatenate([flat, np.zeros(size - len(flat), dtype=bool)])


def apply_bitmask(logits: Any, bits: np.ndarray) -> Any:
    """Set disallowed entries of a 1-D (or last-dim) logits tensor to -inf, in place."""
    import torch

    allowed = torch.from_numpy(bitmask_to_bool(bits, logits.shape[-1])).to(logits.device)
    return logits.masked_fill_(~allowed, float("-inf"))


def logits_processor(index: TokenIndex) -> Any:
    """A ``transformers.LogitsProcessor`` that constrains ``model.generate`` to ``index``.

    One processor serves one ``generate`` call (batch rows tracked separately)."""
    from transformers import LogitsProcessor

    class GrammarLogitsProcessor(LogitsProcessor):
        def __init__(self) -> None:
            self.matchers: list[Matcher] | None = None

        def __call__(self, input_ids, scores):
            if self.matchers is None:
                self.matchers = [Matcher(index) for _ in range(input_ids.shape[0])]
            else:
                for m, row in zip(self.matchers, input_ids[:, -1].tolist()):
                    if not m.is_finished():
                        m.advance(int(row))
            for i, m in enumerate(self.matchers):
                if m.is_finished():
                    continue
                apply_bitmask(scores[i], m.mask())
            return scores

    return GrammarLogitsProcessor()
