"""Shortest completions and the budget guard: every completion, fed after a random reachable
position, is accepted (by the matcher and by lark itself; by jsonschema for random schemas),
none is longer than what a brute-force search over bytes finds, and a guarded generation ends
complete within its budget."""

from __future__ import annotations

import json
import random
from collections import deque

import pytest
from constrained_helpers import GENERATORS, grammar, random_tokenization, small_vocab

from grammars.constrained import BudgetGuard, Matcher, TokenIndex, Vocabulary, compile_grammar
from grammars.constrained.examples.samples import rand_object_schema

NAMES = ["json", "arithmetic", "sql", "geometry", "schema"]
BYTES = Vocabulary.from_bytes([bytes([b]) for b in range(256)] + [None], eos_ids=[256])


@pytest.fixture(scope="module", params=NAMES)
def case(request):
    name = request.param
    rng = random.Random(NAMES.index(name))
    samples = [GENERATORS[name](rng) for _ in range(60)]
    g = grammar(name)
    return name, g, TokenIndex(g, small_vocab(samples, rng))


def _walk(index: TokenIndex, rng: random.Random, steps: int) -> Matcher:
    """A matcher after up to ``steps`` random allowed tokens (EOS never taken)."""
    m = Matcher(index)
    eos = set(index.vocab.eos_ids)
    for _ in range(steps):
        pool = [t for t in m.allowed_ids().tolist() if t not in eos]
        if not pool:
            break
        m.advance(rng.choice(pool))
    return m


def _text(m: Matcher) -> bytes:
    return b"".join(m.index.token_bytes[t] for t in m.tokens)


def _accepted(m: Matcher, tail: bytes) -> bool:
    s = m._state
    reached = m.index.step(s.stack, s.lexer, tail) if tail else (s.stack, s.lexer)
    return reached is not None and m.index.is_complete(*reached)


def _brute_force_length(m: Matcher, limit: int) -> int | None:
    """The length of a shortest completion, by breadth-first search over bytes (None past
    ``limit`` bytes)."""
    idx, s = m.index, m._state
    start = (s.stack, s.lexer)
    if idx.is_complete(*start):
        return 0
    seen, todo = {start}, deque([(start, 0)])
    while todo:
        pos, n = todo.popleft()
        if n >= limit:
            return None
        for b in range(256):
            nxt = idx.step(*pos, bytes((b,)))
            if nxt is None or nxt in seen:
                continue
            if idx.is_complete(*nxt):
                return n + 1
            seen.add(nxt)
            todo.append((nxt, n + 1))
    return None


def test_completion_of_random_positions_is_accepted_by_lark(case):
    name, g, index = case
    rng = random.Random(7)
    for _ in range(25):
        m = _walk(index, rng, rng.randint(0, 60))
        tail = m.shortest_completion()
        assert tail is not None, (name, _text(m))
        assert _accepted(m, tail), (name, _text(m), tail)
        assert g.matches((_text(m) + tail).decode()), (name, _text(m), tail)


def test_completion_is_no_longer_than_brute_force(case):
    name, _, _ = case
    rng = random.Random(8)
    index = TokenIndex(grammar(name), BYTES)
    checked = 0
    for _ in range(40):
        m = _walk(index, rng, rng.randint(0, 30))
        tail = m.shortest_completion()
        assert tail is not None
        best = _brute_force_length(m, 40)
        if best is not None:
            assert len(tail) == best, (name, _text(m), tail)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("whitespace", ["compact", "dumps", "pretty", "any"])
def test_completion_on_random_schemas_validates(whitespace):
    jsonschema = pytest.importorskip("jsonschema")
    rng = random.Random(9)
    for k in range(25):
        schema = rand_object_schema(random.Random(k), max_length=k % 2 == 1)
        index = TokenIndex(compile_grammar(schema, whitespace=whitespace), BYTES)
        for _ in range(3):
            m = _walk(index, rng, rng.randint(0, 80))
            tail = m.shortest_completion()
            assert tail is not None and _accepted(m, tail), (schema, _text(m), tail)
            jsonschema.validate(json.loads(_text(m) + tail), schema)


def test_completion_is_empty_when_complete():
    m = Matcher(TokenIndex(compile_grammar({"type": "integer"}), BYTES))
    m.advance(ord("7"))
    assert m.shortest_completion() == b""
    m.advance(256)  # EOS
    assert m.shortest_completion() == b""


def test_a_separator_keeps_two_lexemes_apart():
    """``NAME NAME``: the shortest strings glued, ``aa``, lex as one NAME; the ignored space
    goes between them."""
    g = compile_grammar('start: NAME NAME\nNAME: /[a-z]+/\n%ignore " "\n')
    m = Matcher(TokenIndex(g, BYTES))
    assert m.shortest_completion() == b"a a"
    m.advance(ord("x"))
    assert m.shortest_completion() == b" a"
    assert g.matches("x a")


def test_budget_guard_ends_complete_within_budget(case):
    """A random-token generation through the guard, with budgets from what the shortest
    completion at the start needs up to 40 tokens more: it always ends complete, within
    budget."""
    name, _, index = case
    rng = random.Random(10)
    eos = set(index.vocab.eos_ids)
    for _ in range(12):
        m = Matcher(index)
        need = len(BudgetGuard(m, 10**6).completion() or [])
        budget = need + rng.randint(0, 40)
        guard = BudgetGuard(m, budget)
        while True:
            pool = [t for t in m.allowed_ids().tolist() if t not in eos]
            if not pool or not guard.advance([rng.choice(pool)]):
                break
        guard.finish()
        assert m.is_complete(), (name, _text(m))
        assert m.n_tokens <= budget, (name, budget, m.n_tokens)


def test_budget_guard_leaves_outputs_that_fit_alone():
    """A document's tokens with a budget of its bytes: the guard takes every one (the shortest
    completion of each prefix is at most the rest of the document in bytes, and the
    vocabulary spells every byte, so it always fits)."""
    rng = random.Random(11)
    samples = [GENERATORS["json"](rng) for _ in range(40)]
    index = TokenIndex(grammar("json"), small_vocab(samples, rng))
    for text in samples[:10]:
        ids = random_tokenization(index.vocab, text.encode(), rng)
        m = Matcher(index)
        guard = BudgetGuard(m, len(text.encode()))
        assert all(guard.advance([t]) for t in ids)
        assert m.tokens == ids and m.is_complete()


def test_byte_search_takes_over_where_the_planned_lexemes_glue():
    """``A B`` with ``A: /a+|cc/`` and ``B: "a"``: the shortest strings, ``a`` then ``a``, lex
    as one ``A`` (and no ignored terminal can part them); the bounded byte search finds
    ``cca``."""
    g = compile_grammar('start: A B\nA: /a+|cc/\nB: "a"\n')
    m = Matcher(TokenIndex(g, BYTES))
    assert m.shortest_completion() == b"cca"
    assert g.matches("cca") and not g.matches("aa")


def test_budget_guard_goes_back_when_the_completion_outgrew_its_checks():
    """Each ``y`` adds eight ``z`` to the shortest completion; far from the budget the guard
    checks every 16 tokens only, so by the next check no completion fits: it goes back to
    the last position known to fit and ends complete there."""
    g = compile_grammar('start: item*\nitem: "x" | "y" item "z"~8\n')
    m = Matcher(TokenIndex(g, BYTES))
    guard = BudgetGuard(m, 40)
    assert guard.advance([ord("x")])
    taken = 1
    while guard.advance([ord("y")]):
        taken += 1
    assert taken > 5  # it took y's whose completion no longer fit before it looked
    guard.finish()
    assert m.is_complete() and m.n_tokens <= 40
    assert g.matches(_text(m).decode())
