"""Shared test material: example grammars, random valid strings, small vocabularies, walks."""

from __future__ import annotations

import random
from importlib import resources

from grammars.constrained import Matcher, TokenIndex, Vocabulary, compile_grammar
from grammars.constrained.examples.samples import (  # noqa: F401  (re-exported for tests)
    GENERATORS,
    SCHEMA,
    dump_json,
    example_grammar,
    rand_schema_doc,
)

EXAMPLES = resources.files("grammars.constrained").joinpath("examples")


def grammar(name: str):
    return compile_grammar(example_grammar(name))


# -- vocabularies --------------------------------------------------------------------------------
def small_vocab(samples: list[str], rng: random.Random, n_multi: int = 600) -> Vocabulary:
    """All 256 bytes, multi-byte pieces cut from ``samples`` (crossing terminal boundaries,
    splitting UTF-8 sequences) and EOS as the last id."""
    pieces: set[bytes] = set()
    data = [s.encode() for s in samples if s]
    while len(pieces) < n_multi:
        d = rng.choice(data)
        i = rng.randrange(len(d))
        piece = d[i:i + rng.randint(2, 7)]
        if len(piece) > 1:
            pieces.add(piece)
    tokens: list[bytes | None] = [bytes([b]) for b in range(256)] + sorted(pieces) + [None]
    return Vocabulary.from_bytes(tokens, eos_ids=[len(tokens) - 1])


def random_tokenization(vocab: Vocabulary, text: bytes, rng: random.Random) -> list[int]:
    """A random split of ``text`` into vocabulary tokens (longer pieces preferred)."""
    by_bytes: dict[bytes, int] = {t: i for i, t in enumerate(vocab.tokens) if t}
    out, i = [], 0
    while i < len(text):
        options = [n for n in range(1, 8) if text[i:i + n] in by_bytes and i + n <= len(text)]
        n = max(options) if rng.random() < 0.6 else rng.choice(options)
        out.append(by_bytes[text[i:i + n]])
        i += n
    return out


def allowed(bits, vocab_size: int) -> set[int]:
    return {i for i in range(vocab_size) if (int(bits[i >> 5]) >> (i & 31)) & 1}


def random_walk(index: TokenIndex, rng: random.Random, max_steps: int = 200):
    """Sample allowed tokens at random until EOS; returns (text, completed)."""
    m = Matcher(index)
    eos = set(index.vocab.eos_ids)
    ones = {i for i, t in enumerate(index.vocab.tokens) if t is not None and len(t) == 1}
    for _ in range(max_steps):
        ids = m.allowed_ids()
        assert len(ids), f"dead end after {b''.join(index.token_bytes[i] for i in m.tokens)!r}"
        allowed = ids.tolist()
        ended = eos.intersection(allowed)
        if ended and rng.random() < 0.3:
            m.advance(next(iter(ended)))
            break
        pool = [i for i in allowed if i not in eos]
        if not pool:
            m.advance(next(iter(eos)))
            break
        short = [i for i in pool if i in ones] if rng.random() < 0.6 else []
        m.advance(rng.choice(short or pool))
    text = b"".join(index.token_bytes[i] for i in _consumed(m)).decode("utf-8", "replace")
    return text, m.is_finished(), m


def _consumed(m: Matcher) -> list[int]:
    return m.tokens
