"""JSON schema and regex front ends: the language is exactly what the schema/regex accepts."""

from __future__ import annotations

import random
import re

import pytest
from constrained_helpers import SCHEMA, rand_schema_doc

from grammars.constrained import compile_grammar
from grammars.regex import compile_regex


def test_schema_accepts_valid_documents():
    g = compile_grammar(SCHEMA)
    rng = random.Random(0)
    for _ in range(50):
        assert g.matches(rand_schema_doc(rng))


@pytest.mark.parametrize("doc", [
    '{"tags": ["a"]}',  # name missing
    '{"name": "", "tags": ["a"]}',  # minLength 1
    '{"name": "bob", "tags": []}',  # minItems 1
    '{"name": "bob", "tags": ["a", "a", "a", "a"]}',  # maxItems 3
    '{"name": "bob", "tags": ["c"]}',  # enum
    '{"name": "bob", "tags": ["a"], "extra": 1}',  # no additional properties
    '{"tags": ["a"], "name": "bob"}',  # schema order
    '{"name": "bob", "tags": ["a"], "age": 1.5}',  # integer
])
def test_schema_rejects_invalid_documents(doc):
    assert not compile_grammar(SCHEMA).matches(doc)


def test_recursive_refs_and_const():
    schema = {"$defs": {"node": {"type": "object", "properties": {
        "v": {"const": "x"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
        "required": ["v"]}}, "$ref": "#/$defs/node"}
    g = compile_grammar(schema)
    assert g.matches('{"v": "x", "kids": [{"v": "x"}, {"v": "x", "kids": []}]}')
    assert not g.matches('{"v": "y"}')


def test_whitespace_is_bounded_by_default():
    """compact: json.dumps's own separators or none; pretty: json.dumps(indent=k) up to a
    bounded indent; none: no whitespace; any: unbounded (the %ignore form)."""
    import json

    schema = {"type": "object", "properties": {
        "a": {"type": "array", "items": {"type": "integer"}},
        "b": {"type": "object", "properties": {"c": {"type": "string"}}}}}
    doc = {"a": [1, 2], "b": {"c": "x y"}}
    compact, pretty, none, free = (compile_grammar(schema, whitespace=w)
                                   for w in ("compact", "pretty", "none", "any"))
    for text in (json.dumps(doc), json.dumps(doc, separators=(",", ":"))):
        assert compact.matches(text) and pretty.matches(text) and free.matches(text)
    assert none.matches(json.dumps(doc, separators=(",", ":")))
    assert not none.matches(json.dumps(doc))
    dumps = compile_grammar(schema, whitespace="dumps")  # exactly json.dumps's separators
    assert dumps.matches(json.dumps(doc))
    assert not dumps.matches(json.dumps(doc, separators=(",", ":")))
    assert not dumps.matches(json.dumps(doc, separators=(",", ": ")))
    for k in (1, 2, 4):
        text = json.dumps(doc, indent=k)
        assert pretty.matches(text) and free.matches(text) and not compact.matches(text)
    assert pretty.matches(json.dumps({"a": [], "b": {}}, indent=2))
    for padded in ('{"a":  [1]}', '{ "a": [1]}', '{"a": [1] }', '{"a": [1],\n\n"b": {}}',
                   '{"a":\n[1]}', "\n" + json.dumps(doc)):
        assert free.matches(padded)
        assert not compact.matches(padded) and not pretty.matches(padded), padded
    deep = json.dumps(doc, indent=17)  # past the default max_indent of 16
    assert not pretty.matches(deep)
    from grammars.constrained import compile_lark
    from grammars.jsonschema import schema_to_lark

    assert compile_lark(schema_to_lark(schema, "pretty", max_indent=40)).matches(deep)
    with pytest.raises(ValueError, match="whitespace must be one of"):
        compile_grammar(schema, whitespace="loose")


@pytest.mark.parametrize("pattern", [r"[a-c]{2,4}(x|yz)?", r"\d+(\.\d+)?", r"(?i:ab)+",
                                     r"[^a]é.", r"[\w-]+@[a-z]+\.(com|org)"])
def test_regex_language_equals_python_fullmatch(pattern):
    g = compile_regex(pattern)
    rng = random.Random(1)
    alphabet = "abcxyzAB01.é-@mo "
    for _ in range(300):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        ours = _byte_match(g, s.encode())
        assert ours == (re.fullmatch(pattern, s, re.ASCII) is not None), s


def _byte_match(g, data: bytes) -> bool:
    from grammars.constrained import TokenIndex, Vocabulary

    index = TokenIndex(g, Vocabulary.from_bytes([bytes([b]) for b in range(256)]))
    stack = g.parser.initial()
    got = index.step(stack, g.start_lexer_state(stack), data)
    return got is not None and index.is_complete(*got)


@pytest.mark.parametrize("whitespace", ["compact", "pretty", "dumps", "none"])
def test_a_random_walk_under_bounded_whitespace_finishes_and_validates(whitespace):
    """Random tokens (a random-logit model) on random object schemas whose strings have a
    maxLength: bounded whitespace leaves nothing to pad with, so walks end, and every finished
    output is valid for its schema."""
    jsonschema = pytest.importorskip("jsonschema")
    import json

    from constrained_helpers import small_vocab

    from grammars.constrained import Matcher, TokenIndex
    from grammars.constrained.examples.samples import rand_object_schema

    rng = random.Random(0)
    samples = [json.dumps({"name": [1, "ab", None, True], "x": {"y": -2.5e3}}, indent=k)
               for k in (None, 2)]
    vocab = small_vocab(samples, rng, n_multi=120)
    finished = 0
    for k in range(12):
        rng = random.Random(k)
        schema = rand_object_schema(rng, max_length=True)
        m = Matcher(TokenIndex(compile_grammar(schema, whitespace=whitespace), vocab))
        while m.n_tokens < 400 and not m.is_finished():
            m.advance(int(rng.choice(m.allowed_ids())))
        if m.is_finished():
            finished += 1
            text = b"".join(vocab.tokens[t] or b"" for t in m.tokens
                            if t not in vocab.eos_ids).decode()
            jsonschema.validate(json.loads(text), schema)
    assert finished >= 11
