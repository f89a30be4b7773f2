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


def test_compact_whitespace_option():
    g = compile_grammar({"type": "array", "items": {"type": "integer"}}, any_whitespace=False)
    assert g.matches("[1,2]") and not g.matches("[1, 2]")


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
