"""Bad grammars fail at compile time with a clear, typed error."""

from __future__ import annotations

import pytest

from grammars.constrained import (
    EmptyLanguageError,
    GrammarError,
    GrammarSyntaxError,
    SchemaError,
    UndefinedSymbolError,
    UnsupportedGrammarError,
    compile_grammar,
)
from grammars.regex import compile_regex


@pytest.mark.parametrize("text, error, words", [
    ('start: ("a"\n', GrammarSyntaxError, "line 1"),
    ("start: foo\n", UndefinedSymbolError, "foo"),
    ('start: x\nx: "a" | "a" "b" | y\ny: "a"\n', UnsupportedGrammarError, "LALR"),
    ('start: a\na: "x" a\n', EmptyLanguageError, "a"),
    ('start: A\nA: /(?<=x)y/\n', UnsupportedGrammarError, "lookaround"),
    ('start: A\nA: /x*/\n', GrammarError, "zero-width"),
    ('start: A\nA: /^x/\n', UnsupportedGrammarError, "anchor"),
])
def test_bad_lark_grammars(text, error, words):
    with pytest.raises(error, match=words):
        compile_grammar(text)


def test_left_recursion_is_fine_for_lalr():
    g = compile_grammar('start: e\ne: e "+" "1" | "1"\n')
    assert g.matches("1+1+1")


@pytest.mark.parametrize("schema, words", [
    ({"type": "string", "pattern": "a+"}, "pattern"),
    ({"type": "object", "properties": {}, "required": ["x"]}, "required"),
    ({"enum": []}, "enum"),
    ({"$ref": "#/$defs/missing"}, "nothing"),
    ({"type": "wat"}, "unknown type"),
    (False, "false"),
    ({"type": "string", "minLength": 5, "maxLength": 2}, "maxLength 2 < minLength 5"),
    ({"type": "string", "minLength": -1}, "minLength must be a whole number >= 0, got -1"),
    ({"type": "string", "maxLength": True}, "maxLength must be a whole number"),
    ({"type": "array", "minItems": 3, "maxItems": 1}, "maxItems 1 < minItems 3"),
    ({"type": "array", "maxItems": 1.5}, "maxItems must be a whole number >= 0, got 1.5"),
])
def test_bad_schemas(schema, words):
    with pytest.raises(SchemaError, match=words):
        compile_grammar(schema)


def test_bad_regex():
    with pytest.raises(GrammarSyntaxError):
        compile_regex("a(b")
