"""A regular expression as a grammar: the whole output must match it (``re.fullmatch``).

The regex becomes the single terminal of a one-rule Lark grammar, so it goes through the same
byte-level lexer as every other grammar (Unicode classes, partial UTF-8 tokens).
"""

from __future__ import annotations

import re

from grammars.constrained.errors import GrammarSyntaxError


def regex_to_lark(pattern: str) -> str:
    """Lark grammar text accepting exactly the strings that fully match ``pattern``."""
    try:
        re.compile(pattern)
    except re.error as e:
        raise GrammarSyntaxError(f"bad regex {pattern!r}: {e.msg}", 1, (e.pos or 0) + 1) from e
    body = pattern.replace("/", "\\/")
    return f"start: PATTERN\nPATTERN: /{body}/\n"


def compile_regex(pattern: str):
    """The compiled grammar (``CompiledGrammar``) of a regex."""
    from grammars.constrained.grammar import compile_lark

    return compile_lark(regex_to_lark(pattern))
