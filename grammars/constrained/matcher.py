"""The incremental matcher: one generation's position in the grammar.

``mask()`` gives the allowed next tokens as a bitmask of uint32 words (bit ``i % 32`` of word
``i // 32`` for token ``i``), EOS ids included exactly when :meth:`is_complete`. ``advance``
consumes one token, ``rollback(n)`` undoes the last ``n``. States are immutable snapshots, so
rollback and ``fork`` are free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import TokenRejected
from .index import TokenIndex
from .parser import Stack


@dataclass(frozen=True)
class _State:
    stack: Stack
    lexer: int
    finished: bool = False  # EOS consumed
    token: int = -1  # the token that led here


class Matcher:
    """Tracks one output through a :class:`TokenIndex`."""

    def __init__(self, index: TokenIndex, _history: list[_State] | None = None):
        self.index = index
        g = index.grammar
        if _history is None:
            stack = g.parser.initial()
            _history = [_State(stack, g.start_lexer_state(stack))]
        self._history = _history
        self._eos = tuple(index.vocab.eos_ids)

    @property
    def _state(self) -> _State:
        return self._history[-1]

    @property
    def n_tokens(self) -> int:
        return len(self._history) - 1

    @property
    def tokens(self) -> list[int]:
        """The consumed token ids (EOS excluded)."""
        return [s.token for s in self._history[1:] if not s.finished]

    def fork(self) -> Matcher:
        """An independent copy at the same position."""
        m = Matcher(self.index, list(self._history))
        return m

    def is_complete(self) -> bool:
        s = self._state
        return s.finished or self.index.is_complete(s.stack, s.lexer)

    def is_finished(self) -> bool:
        """Whether EOS has been consumed."""
        return self._state.finished

    def mask(self) -> np.ndarray:
        """Allowed next tokens as uint32 bitmask words (a fresh array the caller may keep)."""
        s = self._state
        idx = self.index
        if s.finished:
            return np.zeros(idx.n_words, dtype=np.uint32)
        if self.n_tokens == 0 and idx.vocab.strip_leading_space:
            out = idx.first_token_index.mask(s.stack, s.lexer).copy()
        else:
            out = idx.mask(s.stack, s.lexer).copy()
        if self._eos and idx.is_complete(s.stack, s.lexer):
            for e in self._eos:
                out[e >> 5] |= np.uint32(1 << (e & 31))
        return out

    def allowed_ids(self) -> np.ndarray:
        """The allowed next token ids, ascending."""
        bits = np.unpackbits(self.mask().view(np.uint8), bitorder="little")
        return np.flatnonzero(bits[: len(self.index.vocab)])

    def _next(self, token_id: int) -> _State | None:
        s = self._state
        if s.finished:
            return None
        if token_id in self._eos:
            ok = self.index.is_complete(s.stack, s.lexer)
            return _State(s.stack, s.lexer, True, token_id) if ok else None
        data = self.index.token_bytes[token_id] if 0 <= token_id < len(self.index.vocab) else b""
        if self.n_tokens == 0 and self.index.vocab.strip_leading_space and data[:1] == b" ":
            data = data[1:]
        if not data:
            return None
        nxt = self.index.step(s.stack, s.lexer, data)
        return None if nxt is None else _State(nxt[0], nxt[1], False, token_id)

    def is_allowed(self, token_id: int) -> bool:
        return self._next(token_id) is not None

    def try_advance(self, token_id: int) -> bool:
        """Consume ``token_id`` if allowed; return whether it was."""
        nxt = self._next(token_id)
        if nxt is None:
            return False
        self._history.append(nxt)
        return True

    def advance(self, token_id: int) -> None:
        """Consume ``token_id``; raise :class:`TokenRejected` if the grammar forbids it."""
        if not self.try_advance(token_id):
            raise TokenRejected(f"token {token_id} ({self.index.token_bytes[token_id]!r}) "
                                f"is not allowed after {self.n_tokens} tokens")

    def rollback(self, n: int = 1) -> None:
        """Undo the last ``n`` tokens (EOS counts as one)."""
        if n < 0 or n > self.n_tokens:
            raise ValueError(f"cannot roll back {n} of {self.n_tokens} tokens")
        if n:
            del self._history[-n:]
