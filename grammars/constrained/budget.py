"""Budget-aware finishing: a constrained generation that ends complete within its token budget.

A server calling ``generate(..., max_new_tokens=N)`` wants a sentence of the grammar, not a
truncated one; a model that wanders (a random or unsure model rarely closes a string) would
otherwise hit ``N`` mid-sentence. :class:`BudgetGuard` wraps one generation's
:class:`~grammars.constrained.Matcher`: every token the model picks is taken only if a
complete output still fits after it, that is if the shortest completion from there
(:meth:`Matcher.shortest_completion`, split into the fewest vocabulary tokens) is no longer
than the tokens left. The first token after which it would not fit is refused, and the
completion of the position before it, which fit, is emitted instead, with no model pass (as
jump-forward emits forced text). Outputs the budget never squeezes are untouched.

Cost: a completion is computed only near the budget (when the tokens left are within twice
the last completion's length plus :data:`WATCH_SLACK`) and every :data:`RECHECK_EVERY` tokens
otherwise, to notice a completion that grew; far from the budget, the per-token cost is one
counter update. A completion that grew past the budget between two checks (a token opening
a deep structure) is caught at the next: the guard then goes back to the last position known
to fit, dropping the tokens since, so the output still ends complete.

The completion is shortest in bytes; its fewest-token split may be longer than the fewest
tokens of some longer completion, so the guard may step in slightly before the last moment,
never after it. If no position checked so far had a completion that fits (a budget too small
from the start), it cannot help and stays out of the way: the output ends as it would
without it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import TokenRejected
from .matcher import Matcher

WATCH_SLACK = 16
"""Tokens of slack past twice the last completion's length where checking starts."""

RECHECK_EVERY = 16
"""Tokens between two checks while far from the budget."""


class BudgetGuard:
    """Keeps ``matcher`` able to end complete within ``max_tokens`` more tokens (EOS not
    counted). Feed the model's tokens through :meth:`advance`; when it returns False, call
    :meth:`finish`."""

    def __init__(self, matcher: Matcher, max_tokens: int):
        self.matcher = matcher
        self.limit = matcher.n_tokens + max_tokens
        self._since = RECHECK_EVERY  # the first token is checked
        self._last = 0  # tokens of the last completion computed
        self._safe: int | None = None  # the last position (tokens) whose completion fit
        self.checks = 0  # completions computed (for benchmarks)

    @property
    def room(self) -> int:
        """Tokens left in the budget."""
        return self.limit - self.matcher.n_tokens

    def completion(self) -> list[int] | None:
        """The shortest completion of the current position as the fewest vocabulary tokens
        the matcher takes, ``[]`` if the output is complete; None if none is known."""
        text = self.matcher.shortest_completion()
        self.checks += 1
        if text is None:
            return None
        ids = _fewest_tokens(self.matcher, text)
        if ids is not None:
            self._last = len(ids)
        return ids

    def advance(self, ids: Sequence[int]) -> bool:
        """Consume ``ids`` (the model's next token, or tokens jumped forward) if a complete
        output still fits in the budget after them, and return True; otherwise return False
        with the matcher back where one fits: where it was, or, if the completion grew past
        the budget between two checks, at the last position known to fit (the tokens since
        are dropped). Raises :class:`~grammars.constrained.TokenRejected` for a token the
        grammar forbids (the matcher unchanged)."""
        if not ids:
            return True
        m = self.matcher
        for k, t in enumerate(ids):
            if not m.try_advance(t):
                m.rollback(k)
                raise TokenRejected(f"token {t} is not allowed after {m.n_tokens + k} tokens")
        self._since += len(ids)
        if self.room > 2 * self._last + WATCH_SLACK and self._since < RECHECK_EVERY:
            return True
        self._since = 0
        if self._fits(self.completion()):
            self._safe = m.n_tokens
            return True
        m.rollback(len(ids))
        if self._safe == m.n_tokens or self._fits(self.completion()):
            return False
        if self._safe is not None:
            m.rollback(m.n_tokens - self._safe)
            return False
        for t in ids:  # no position so far is known to fit: the guard cannot help
            m.advance(t)
        return True

    def _fits(self, ids: list[int] | None) -> bool:
        return ids is not None and len(ids) <= self.room

    def finish(self) -> list[int]:
        """Consume the shortest completion of the current position and return its tokens
        (``[]`` if the output is already complete or none is known)."""
        ids = self.completion() or []
        for t in ids:
            self.matcher.advance(t)
        return ids


def _fewest_tokens(matcher: Matcher, text: bytes) -> list[int] | None:
    """``text`` split into the fewest vocabulary tokens that ``matcher`` takes one after the
    other (every split of a string the grammar accepts is taken token by token, the first
    token of a SentencePiece output aside, which is checked); None if there is none."""
    if not text:
        return []
    vocab = matcher.index.vocab
    by_bytes, longest = vocab.id_of_bytes, vocab.longest_token
    n = len(text)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (tokens, last token) per prefix
    best[0] = (0, -1)
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(i + 1, min(n, i + longest) + 1):
            t = by_bytes.get(text[i:j])
            if t is not None:
                prev = best[j]
                if prev is None or here[0] + 1 < prev[0]:
                    best[j] = (here[0] + 1, t)
    if best[n] is None:
        return None
    ids: list[int] = []
    j = n
    while j:
        entry = best[j]
        assert entry is not None
        t = entry[1]
        ids.append(t)
        j -= len(vocab.tokens[t] or b"")
    ids.reverse()
    probe = matcher.fork()
    if all(probe.try_advance(t) for t in ids) and probe.is_complete():
        return ids
    return None
