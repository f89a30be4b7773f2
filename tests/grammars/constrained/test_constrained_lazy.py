"""Fast compilation: the BNF path for JSON schemas and lark's parts without its front end give
the grammar lark itself builds; lazily walked indexes give the masks of precomputed ones; the
compile caches return what a fresh build does and stay bounded."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from constrained_helpers import (
    SCHEMA,
    example_grammar,
    random_tokenization,
    random_walk,
    small_vocab,
)

from grammars.constrained import (
    Matcher,
    TokenIndex,
    UnsupportedGrammarError,
    compile_grammar,
    compile_lark,
)
from grammars.constrained.examples.samples import (
    BENCH_GRAMMARS,
    GENERATORS,
    rand_object_schema,
    rand_schema_value,
)
from grammars.constrained.grammar import _compile, _load_lark, _terminals, compile_bnf
from grammars.constrained.nfa import NFA, _fragment
from grammars.jsonschema import schema_to_bnf, schema_to_lark


def _schemas(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = [SCHEMA]
    while len(out) < n:
        out.append(rand_object_schema(rng, max_length=rng.random() < 0.3))
    return out


@pytest.mark.parametrize("whitespace", ["compact", "pretty", "none", "any"])
def test_bnf_path_builds_what_lark_builds_from_the_text(whitespace):
    """The BNF path has the terminals (names, regexes, priorities, widths, %ignore) lark.Lark
    makes of the same grammar as text, an LALR(1) table of as many states, and the same
    masks along random documents."""
    rng = random.Random(len(whitespace))
    schemas = _schemas(25, seed=len(whitespace))
    indent = {"pretty": 2, "any": 3}.get(whitespace)
    docs = [json.dumps(rand_schema_value(s, rng), ensure_ascii=False, indent=indent,
                       separators=(",", ":") if whitespace == "none" else None)
            for s in schemas]
    vocab = small_vocab(docs, rng, 300)
    for schema, doc in zip(schemas, docs):
        bnf = schema_to_bnf(schema, whitespace)
        fast = compile_bnf(bnf)
        assert fast._lark is None  # lark's parser is not built until asked for
        slow = compile_lark(schema_to_lark(schema, whitespace))
        assert fast.terminals == slow.terminals
        assert len(fast.parser.action) == len(slow.parser.action)
        assert fast.matches(doc) and slow.matches(doc), doc
        ids = random_tokenization(vocab, doc.encode(), rng)
        for a, b in zip(_masks_along(TokenIndex(fast, vocab), ids),
                        _masks_along(TokenIndex(slow, vocab), ids)):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("name", [n for n in BENCH_GRAMMARS if n != "schema"])
def test_lark_parts_compile_what_lark_itself_gives(name):
    """compile_lark (lark's pieces, no lark.Lark) against the grammar compiled from a full
    lark.Lark: the same terminals, as many parser states, the same masks."""
    text = example_grammar(name)
    g = compile_lark(text)
    assert g._lark is None
    lk = _load_lark(text, "start")
    ref = _compile(text, "start", _terminals(lk.terminals, lk.ignore_tokens),
                   lk.parser.parser.parser.parse_table, lk, False)
    assert g.terminals == ref.terminals
    assert len(g.parser.action) == len(ref.parser.action)
    rng = random.Random(3)
    texts = [GENERATORS[name](rng) for _ in range(12)]
    vocab = small_vocab(texts, rng, 120)
    for t in texts:
        assert g.matches(t)  # the oracle, built when first asked for
        ids = random_tokenization(vocab, t.encode(), rng)
        for a, b in zip(_masks_along(TokenIndex(g, vocab), ids),
                        _masks_along(TokenIndex(ref, vocab), ids)):
            assert np.array_equal(a, b)


def test_bnf_path_falls_back_to_lark_for_what_lark_reports():
    dup = {"anyOf": [{"type": "string"}, {"type": "string"}]}  # an alternative twice
    g = compile_grammar(dup)
    assert g.matches('"x"') and not g.matches("1")
    clash = {"anyOf": [{"enum": ["a"]}, {"const": "a"}]}  # a reduce/reduce conflict
    with pytest.raises(UnsupportedGrammarError) as fast:
        compile_grammar(clash)
    with pytest.raises(UnsupportedGrammarError) as slow:
        compile_lark(schema_to_lark(clash))
    assert str(fast.value) == str(slow.value)


def _masks_along(index: TokenIndex, ids: list[int]) -> list[np.ndarray]:
    m, out = Matcher(index), []
    for t in ids:
        out.append(m.mask())
        m.advance(t)
    out.append(m.mask())
    return out


def test_lazy_index_gives_the_masks_of_a_precomputed_one_on_random_schemas():
    rng = random.Random(5)
    schemas = _schemas(30, seed=5)
    docs = [json.dumps(rand_schema_value(s, rng), ensure_ascii=False,
                       separators=rng.choice([None, (",", ":")])) for s in schemas]
    vocab = small_vocab(docs, rng, 200)
    for schema, doc in zip(schemas, docs):
        g = compile_grammar(schema)
        assert g.matches(doc), doc
        eager = TokenIndex(g, vocab)
        eager.precompute()
        lazy = TokenIndex(g, vocab)
        ids = random_tokenization(vocab, doc.encode(), rng)
        for a, b in zip(_masks_along(lazy, ids), _masks_along(eager, ids)):
            assert np.array_equal(a, b)
        _, _, m = random_walk(lazy, rng, 60)  # and where a random walk goes
        assert np.array_equal(Matcher(eager, list(m._history)).mask(), m.mask())


@pytest.mark.parametrize("name", [n for n in BENCH_GRAMMARS if n != "schema"])
def test_lazy_index_gives_the_masks_of_a_precomputed_one_on_lark_grammars(name):
    rng = random.Random(7)
    texts = [GENERATORS[name](rng) for _ in range(12)]
    vocab = small_vocab(texts, rng, 120)
    g = compile_grammar(example_grammar(name))
    eager = TokenIndex(g, vocab)
    eager.precompute()
    lazy = TokenIndex(g, vocab)
    for text in texts:
        ids = random_tokenization(vocab, text.encode(), rng)
        for a, b in zip(_masks_along(lazy, ids), _masks_along(eager, ids)):
            assert np.array_equal(a, b)


def test_regex_fragment_cache_copies_what_a_fresh_build_makes():
    patterns = [r'"(?:[^"\\]|\\.)*"', r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?", r"[a-zé]+", "x{2,4}"]
    cached, fresh = NFA(), NFA()
    for p in patterns * 2:  # the second round copies from the cache
        assert cached.add_regex(p, "t") == fresh._build_regex(p, "t")
    assert cached.edges == fresh.edges and cached.eps == fresh.eps


def test_regex_fragment_cache_is_bounded():
    bound = _fragment.cache_info().maxsize
    assert bound is not None
    nfa = NFA()
    for i in range(bound + 50):
        nfa.add_regex(f"q{i}", "t")
    assert _fragment.cache_info().currsize <= bound


def test_index_cache_compiles_each_grammar_once_and_stays_bounded():
    from grammars.constrained import IndexCache

    rng = random.Random(9)
    schemas = _schemas(12, seed=9)
    docs = [json.dumps(rand_schema_value(s, rng), ensure_ascii=False) for s in schemas]
    vocab = small_vocab(docs, rng, 150)
    cache = IndexCache(vocab, max_size=4)
    first = cache.get(schemas[0])
    assert cache.get(json.loads(json.dumps(schemas[0]))) is first  # equal schema: a hit
    assert (cache.hits, cache.misses) == (1, 1)
    for s in schemas:
        cache.get(s)
        assert len(cache) <= 4
    assert cache.misses == 12 and len(cache) == 4
    assert cache.get(schemas[0]) is not first  # evicted long ago: compiled again
    assert cache.get(schemas[-1]) is cache.get(schemas[-1])  # recently used: kept
    for s, doc in zip(schemas, docs):  # a cached index masks as a fresh one does
        ids = random_tokenization(vocab, doc.encode(), rng)
        index = cache.get(s)
        fresh = TokenIndex(index.grammar, vocab)
        for a, b in zip(_masks_along(index, ids), _masks_along(fresh, ids)):
            assert np.array_equal(a, b)
    swapped = {"type": "object", "properties": {"b": {"type": "integer"}, "a": {"type": "null"}}}
    straight = {"type": "object", "properties": {"a": {"type": "null"}, "b": {"type": "integer"}}}
    assert cache.get(swapped).grammar.matches('{"b": 1, "a": null}')
    assert cache.get(straight).grammar.matches('{"a": null, "b": 1}')  # order is the language
    with pytest.raises(ValueError):
        IndexCache(vocab, max_size=0)


@pytest.mark.parametrize("text", [
    'start: e\ne: e "+" e | "1"\n',
    'start: s\ns: "if" s | "if" s "else" s | "x"\n',
    'start: a*\na: "x" | "x" "y" | "y"\n',
])
def test_shift_reduce_conflicts_found_as_lark_logs_them(text):
    with pytest.raises(UnsupportedGrammarError, match="shift/reduce") as parts:
        compile_lark(text)
    with pytest.raises(UnsupportedGrammarError) as logged:  # lark.Lark, conflicts from its log
        _load_lark(text, "start")
    assert str(parts.value) == str(logged.value)
    assert compile_lark(text, allow_shift_reduce=True).terminals


def test_ascii_ranges_take_the_one_edge_the_utf8_splitting_gives():
    from grammars.constrained.nfa import _Builder, normalize, utf8_sequences

    for lo in range(0, 128, 3):
        for hi in range(lo, 128, 7):
            assert normalize([(lo, hi)]) == [(lo, hi)]
            assert utf8_sequences(lo, hi) == [[(lo, hi)]]
            nfa = NFA()
            s, f = _Builder(nfa, "t", "p").ranges([(lo, hi)])
            assert nfa.edges[s] == [(lo, hi, f)] and len(nfa.edges) == 2


class _Forgetful(dict):
    """A follow cache that never keeps anything: the reference for the deep-follow cache."""

    def setdefault(self, key, default=None):
        return {} if default is None else default


def test_follows_cached_by_the_cells_they_read_give_the_masks_of_no_cache():
    rng = random.Random(11)
    texts = [GENERATORS["arithmetic"](rng) for _ in range(10)]
    texts += ["(" * d + "1" + ")" * d + " * (2 - (3 / (4 + 5)))" for d in range(1, 9)]
    vocab = small_vocab(texts, rng, 120)
    g = compile_grammar(example_grammar("arithmetic"))
    cached = TokenIndex(g, vocab)
    for text in texts:
        ids = random_tokenization(vocab, text.encode(), rng)
        reference = TokenIndex(g, vocab)
        reference._follow_deep = _Forgetful()
        for a, b in zip(_masks_along(cached, ids), _masks_along(reference, ids)):
            assert np.array_equal(a, b)
        cached.clear_position_caches()  # the per-stack masks go, the follows stay
    assert cached._follow_deep and cached._n_deep > 0  # closing brackets read under the top
