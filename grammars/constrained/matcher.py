"""The incremental matcher: one generation's position in the grammar.

``mask()`` gives the allowed next tokens as a bitmask of uint32 words (bit ``i % 32`` of word
``i // 32`` for token ``i``), EOS ids included exactly when :meth:`is_complete`. ``advance``
consumes one token, ``rollback(n)`` undoes the last ``n``. States are immutable snapshots, so
rollback and ``fork`` are free.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        out = np.empty(self.index.n_words, dtype=np.uint32)
        self.fill_mask(out)
        return out

    def fill_mask(self, out: np.ndarray) -> None:
        """Write :meth:`mask` into ``out`` (``n_words`` uint32, e.g. a row of a batch)."""
        s = self._state
        idx = self.index
        if s.finished:
            out[:] = 0
            return
        if self.n_tokens == 0 and idx.vocab.strip_leading_space:
            out[:] = idx.first_token_index.mask(s.stack, s.lexer)
        else:
            out[:] = idx.mask(s.stack, s.lexer)
        if self._eos and idx.is_complete(s.stack, s.lexer):
            for e in self._eos:
                out[e >> 5] |= np.uint32(1 << (e & 31))

    def forced(self, limit: int = 256) -> bytes:
        """The longest byte string (at most ``limit`` bytes) that every accepted continuation
        starts with: empty when the output may end here (EOS is a continuation too) or when
        two different bytes may come next. What jump-forward decoding emits without asking
        the model."""
        s = self._state
        if s.finished:
            return b""
        idx = self.index
        stack, state = s.stack, s.lexer
        out = bytearray()
        while len(out) < limit and not idx.is_complete(stack, state):
            nxt = self._next_bytes(stack, state, stop_after=2)
            if len(nxt) != 1:
                break  # two bytes may follow (none is unreachable for a trimmed grammar)
            b, (stack, state) = nxt[0]
            out.append(b)
        return bytes(out)

    def shortest_completion(self) -> bytes | None:
        """A shortest byte string after which the output is a complete sentence (``b""`` if
        it is one already, or EOS has been consumed), found by grammar analysis and checked
        by feeding it (see :mod:`.completion`); None only for a grammar where neither that nor
        a bounded byte search finds one."""
        s = self._state
        if s.finished:
            return b""
        return self.index.completer.complete(s.stack, s.lexer)

    def next_bytes(self, after: bytes = b"") -> tuple[list[int], bool]:
        """The bytes that may follow the consumed text and then ``after`` (ascending), and
        whether the output may end there; ``([], False)`` if ``after`` may not follow."""
        s = self._state
        if s.finished:
            return [], False
        reached = self.index.step(s.stack, s.lexer, after) if after else (s.stack, s.lexer)
        if reached is None:
            return [], False
        return ([b for b, _ in self._next_bytes(*reached)],
                self.index.is_complete(*reached))

    def _next_bytes(self, stack: Stack, state: int, stop_after: int = 256
                    ) -> list[tuple[int, tuple[Stack, int]]]:
        """The bytes that may follow, each with the position it leads to (at most
        ``stop_after`` of them, the lowest)."""
        idx = self.index
        lx = idx.grammar.lexer
        # a byte the open lexeme cannot take is only possible where the lexeme may end
        cands = range(256) if lx.accept[state] >= 0 else np.flatnonzero(lx.trans[state] >= 0)
        out: list[tuple[int, tuple[Stack, int]]] = []
        for b in cands:
            nxt = idx.step(stack, state, bytes((int(b),)))
            if nxt is not None:
                out.append((int(b), nxt))
                if len(out) >= stop_after:
                    break
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


def batch_masks(matchers: Sequence[Matcher], out: np.ndarray | None = None) -> np.ndarray:
    """The masks of ``B`` matchers in one ``[B, words]`` uint32 array, row ``i`` for
    ``matchers[i]`` (all zeros once it has consumed EOS). Pass ``out`` to reuse a buffer.
    The matchers may be bound to different grammars over the same vocabulary."""
    if not matchers:
        raise ValueError("batch_masks needs at least one matcher")
    words = matchers[0].index.n_words
    if any(m.index.n_words != words for m in matchers):
        raise ValueError("batch_masks: the matchers are bound to vocabularies of different sizes")
    if out is None:
        out = np.empty((len(matchers), words), dtype=np.uint32)
    elif out.shape != (len(matchers), words) or out.dtype != np.uint32:
        raise ValueError(f"batch_masks: out must be uint32 of shape {(len(matchers), words)}, "
                         f"not {out.dtype} {out.shape}")
    for m, row in zip(matchers, out):
        m.fill_mask(row)
    return out
