"""Soundness, completeness and mask consistency on every bench grammar (small vocabularies)."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from constrained_helpers import (
    GENERATORS,
    SCHEMA,
    allowed,
    grammar,
    random_tokenization,
    random_walk,
    small_vocab,
)

from grammars.constrained import Matcher, TokenIndex

NAMES = ["json", "arithmetic", "sql", "geometry", "schema"]


@pytest.fixture(scope="module", params=NAMES)
def case(request):
    name = request.param
    rng = random.Random(hash(name) % 1000)
    samples = [GENERATORS[name](rng) for _ in range(60)]
    g = grammar(name)
    index = TokenIndex(g, small_vocab(samples, rng))
    index.precompute()
    return name, g, index


def test_generated_strings_are_valid_for_lark(case):
    name, g, _ = case
    rng = random.Random(1)
    for _ in range(40):
        text = GENERATORS[name](rng)
        assert g.matches(text), text


def test_completeness_every_tokenization_allowed_and_eos_at_end(case):
    name, _, index = case
    rng = random.Random(2)
    eos = index.vocab.eos_ids[0]
    for _ in range(40):
        text = GENERATORS[name](rng)
        m = Matcher(index)
        for tok in random_tokenization(index.vocab, text.encode(), rng):
            assert not m.is_complete() or True
            assert tok in allowed(m.mask(), len(index.vocab)), (text, index.token_bytes[tok])
            m.advance(tok)
        assert m.is_complete(), text
        assert eos in allowed(m.mask(), len(index.vocab))


def test_mask_equals_brute_force_token_check(case):
    _, _, index = case
    rng = random.Random(3)
    n = len(index.vocab)
    for _ in range(6):
        _, _, m = random_walk(index, rng, max_steps=rng.randrange(1, 40))
        if m.is_finished():
            m.rollback(1)
        brute = {t for t in range(n) if m.is_allowed(t)}
        assert allowed(m.mask(), n) == brute


def test_soundness_random_walks_parse(case):
    name, g, index = case
    rng = random.Random(4)
    done = 0
    for _ in range(60):
        text, finished, _ = random_walk(index, rng)
        if finished:
            done += 1
            assert g.matches(text), text
            if name in ("json", "schema"):
                json.loads(text)
            if name == "schema":
                jsonschema = pytest.importorskip("jsonschema")
                jsonschema.validate(json.loads(text), SCHEMA)
    assert done >= 10


def test_rollback_and_fork_restore_masks(case):
    name, _, index = case
    rng = random.Random(5)
    text = GENERATORS[name](rng)
    toks = random_tokenization(index.vocab, text.encode(), rng)
    m = Matcher(index)
    masks = []
    for t in toks:
        masks.append(m.mask().copy())
        m.advance(t)
    f = m.fork()
    k = len(toks) // 2
    m.rollback(k)
    assert (m.mask() == masks[len(toks) - k]).all()
    assert f.n_tokens == len(toks) and m.tokens == toks[: len(toks) - k]


@pytest.mark.parametrize("grammar,prefix", [
    # ")" is T0, T1 and T2; after "1111" a ")" can only end as T0 (it wins every tie) where
    # the parser (LALR lookaheads list T0) cannot take it
    ('start: (T3+ | (T2 | T0)) T2 | T0* | start T0 (T1 | T3*)\n'
     'T0: ")"\nT1: ")"\nT2: ")"\nT3: "1"\n', "1111"),
    # "ac" is T3 and T4; T4 wins the tie (wider), but here only T3 fits
    ('start: r1 r2* "=="* | r2 (T2 | ("==" | T3+)) start | r1?\nr1: T4 start\n'
     'r2: (T4 | T2) T2\nT2: /[+-]/\nT3: /(ab|a)c?/\nT4: /[ab]+c/\n', "ac-+a"),
])
def test_no_dead_end_when_a_terminal_always_loses_a_tie(grammar, prefix):
    """Found by the differential checks (bench/differential.py --engine grammar): the matcher
    allowed a byte whose lexeme could only end as a terminal the parser rejects, then allowed
    nothing. Both grammars have shift/reduce conflicts, which lark resolves silently and the
    compiler now refuses; the lexer classes that fixed them are checked without the conflicts
    (``allow_shift_reduce``, as the grammar stood then; the second grammar's ``/[ab]+c/`` may
    also make lark back up deeper than the matcher follows, ``allow_deep_backups``)."""
    from grammars.constrained import Vocabulary, compile_grammar
    from grammars.constrained.errors import UnsupportedGrammarError

    with pytest.raises(UnsupportedGrammarError, match="shift/reduce conflict"):
        compile_grammar(grammar)
    vocab = Vocabulary.from_bytes([bytes([b]) for b in range(256)] + [None], eos_ids=[256])
    index = TokenIndex(compile_grammar(grammar, allow_shift_reduce=True,
                                       allow_deep_backups=True), vocab)
    m = Matcher(index)
    for b in prefix.encode():
        m.advance(b)
    for tok in m.allowed_ids().tolist():
        n = m.fork()
        n.advance(tok)
        assert tok == 256 or len(n.allowed_ids()), (prefix, bytes([tok]))


def _single_bytes(m: Matcher) -> set[int]:
    """The bytes that may come next, read off the token mask (ids 0..255 are the bytes)."""
    return {t for t in allowed(m.mask(), len(m.index.vocab)) if t < 256}


def test_forced_is_what_the_mask_allows_alone(case):
    """``forced()`` (byte stepping) against the token masks (trie walks): every forced byte is
    the only byte the mask allows and the output may not end before it; after the forced
    string the output may end or two bytes may follow; and a valid sentence through the same
    prefix goes on with it."""
    name, _, index = case
    rng = random.Random(6)
    seen = 0
    for _ in range(12):
        text = GENERATORS[name](rng).encode()
        m = Matcher(index)
        for i in range(len(text) + 1):
            f = m.forced()
            assert text[i:].startswith(f), (text[:i], f)
            seen += len(f)
            probe = m.fork()
            for b in f:
                assert not probe.is_complete() and _single_bytes(probe) == {b}, (text[:i], f)
                probe.advance(b)
            assert probe.is_complete() or len(_single_bytes(probe)) >= 2, (text[:i], f)
            if i < len(text):
                m.advance(text[i])
    if name in ("json", "schema", "sql"):
        assert seen > 0  # the grammars do force bytes (keys, keywords, closing quotes)


def test_batch_masks_equal_single_masks(case):
    from grammars.constrained.matcher import batch_masks
    from grammars.constrained.torch_mask import bitmask_to_bool

    _, _, index = case
    rng = random.Random(8)
    matchers = [random_walk(index, rng, max_steps=rng.randrange(0, 30))[2] for _ in range(9)]
    bits = batch_masks(matchers)
    assert bits.shape == (9, index.n_words) and bits.dtype == np.uint32
    for m, row in zip(matchers, bits):
        assert (row == m.mask()).all()
        if m.is_finished():
            assert not row.any()
    again = batch_masks(matchers, bits)  # reuses the buffer
    assert again is bits
    n = len(index.vocab)
    flags = bitmask_to_bool(bits, n + 40)
    assert flags.shape == (9, n + 40) and not flags[:, n:].any()
    assert all(set(np.flatnonzero(f[:n]).tolist()) == allowed(m.mask(), n)
               for f, m in zip(flags, matchers))
    with pytest.raises(ValueError, match="shape"):
        batch_masks(matchers, np.zeros((2, index.n_words), dtype=np.uint32))
