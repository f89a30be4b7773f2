"""The typed errors of grammar compilation and decoding.

Every problem with a grammar is raised at compile time as a :class:`GrammarError` subclass whose
message names the rule, terminal or position at fault; decoding never discovers a bad grammar.
"""

from __future__ import annotations


class GrammarError(ValueError):
    """A grammar (Lark text, JSON schema or regex) that cannot be compiled."""


class GrammarSyntaxError(GrammarError):
    """The grammar text does not parse (carries line and column when known)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"grammar syntax error{where}: {message}")
        self.line = line
        self.column = column


class UndefinedSymbolError(GrammarError):
    """A rule or terminal is used but never defined."""


class UnsupportedGrammarError(GrammarError):
    """A grammar the engine cannot decode with (not LALR(1), lookaround regex, ...)."""


class EmptyLanguageError(GrammarError):
    """The grammar accepts no string at all (e.g. a rule that can never finish recursing)."""


class SchemaError(GrammarError):
    """A JSON schema the compiler does not support or that is malformed."""


class TokenRejected(ValueError):
    """``Matcher.advance`` was given a token that the grammar does not allow here."""
