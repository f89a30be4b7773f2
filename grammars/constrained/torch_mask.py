"""Apply a matcher's bitmask to torch logits, and a ``transformers`` LogitsProcessor adapter.

torch and transformers are imported only here (optional extras); the engine itself needs
neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .index import TokenIndex
from .matcher import Matcher, batch_masks


def bitmask_to_bool(bits: np.ndarray, size: int) -> np.ndarray:
    """Bool array of ``size`` (padded with False past the vocabulary) from uint32 words; a
    ``[B, words]`` batch gives ``[B, size]``."""
    flat = np.unpackbits(bits.view(np.uint8), axis=-1, bitorder="little").view(bool)
    if flat.shape[-1] >= size:
        return flat[..., :size]
    pad = np.zeros(flat.shape[:-1] + (size - flat.shape[-1],), dtype=bool)
    return np.concatenate([flat, pad], axis=-1)


def apply_bitmask(logits: Any, bits: np.ndarray) -> Any:
    """Set disallowed entries of the logits to -inf, in place: ``[vocab]`` logits (or any
    shape ending in vocab) with one mask, or ``[B, vocab]`` logits with a ``[B, words]`` batch
    of masks (:func:`grammars.constrained.matcher.batch_masks`)."""
    import torch

    allowed = torch.from_numpy(bitmask_to_bool(bits, logits.shape[-1])).to(logits.device)
    return logits.masked_fill_(~allowed, float("-inf"))


def logits_processor(index: TokenIndex | Sequence[TokenIndex]) -> Any:
    """A ``transformers.LogitsProcessor`` that constrains ``model.generate`` to ``index``
    (or, given one index per batch row, each row to its own grammar).

    One processor serves one ``generate`` call; the batch's masks are filled in one call
    (:func:`batch_masks`) and applied as one ``[B, vocab]`` operation. Rows that have emitted
    EOS are left alone (``generate`` pads them)."""
    from transformers import LogitsProcessor

    class GrammarLogitsProcessor(LogitsProcessor):
        def __init__(self) -> None:
            self.matchers: list[Matcher] | None = None
            self.bits: np.ndarray | None = None

        def __call__(self, input_ids, scores):
            rows = input_ids.shape[0]
            if self.matchers is None:
                indexes = [index] * rows if isinstance(index, TokenIndex) else list(index)
                if len(indexes) != rows:
                    raise ValueError(f"logits_processor got {len(indexes)} grammars for a "
                                     f"batch of {rows} rows")
                self.matchers = [Matcher(i) for i in indexes]
            else:
                for m, row in zip(self.matchers, input_ids[:, -1].tolist()):
                    if not m.is_finished():
                        m.advance(int(row))
            self.bits = batch_masks(self.matchers, self.bits)
            for i, m in enumerate(self.matchers):
                if m.is_finished():
                    self.bits[i] = np.uint32(0xFFFFFFFF)
            apply_bitmask(scores, self.bits)
            return scores

    return GrammarLogitsProcessor()
