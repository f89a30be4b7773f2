"""Grammar-constrained decoding: only let a language model emit what a grammar accepts.

Compile a grammar once (:func:`compile_grammar`: Lark text, a JSON schema dict, or
:func:`grammars.regex.compile_regex`), bind it to a tokenizer's vocabulary (:func:`bind`), then
drive one :class:`Matcher` per generation::

    index = bind(compile_grammar(schema), tokenizer)   # or IndexCache(tokenizer).get(schema)
    m = Matcher(index)
    bits = m.mask()            # uint32 words; apply with grammars.constrained.torch_mask
    m.advance(token_id)        # m.is_complete(), m.rollback(n), m.fork()

``m.shortest_completion()`` is a shortest string that completes the output; a
:class:`BudgetGuard` uses it to make a generation end complete within its token budget.

``bind`` walks the vocabulary lazily, per lexer state on first use: a fresh JSON schema
reaches its first mask in milliseconds. A server that
sees many schemas keeps an :class:`IndexCache` (bounded, least recently used dropped).
"""

from __future__ import annotations

import weakref
from typing import Any

from .budget import BudgetGuard
from .cache import IndexCache
from .errors import (
    EmptyLanguageError,
    GrammarError,
    GrammarSyntaxError,
    SchemaError,
    TokenRejected,
    UndefinedSymbolError,
    UnsupportedGrammarError,
)
from .grammar import Bnf, CompiledGrammar, compile_bnf, compile_lark
from .index import TokenIndex
from .matcher import Matcher
from .vocabulary import Vocabulary


def compile_grammar(grammar: str | dict | bool | CompiledGrammar,
                    whitespace: str = "compact",
                    ignore_unknown_formats: bool = False,
                    allow_shift_reduce: bool = False,
                    allow_deep_backups: bool = False) -> CompiledGrammar:
    """Lark grammar text, a JSON schema (dict), or an already compiled grammar.
    ``whitespace`` (``"compact"``, ``"pretty"``, ``"none"`` or ``"any"``) and
    ``ignore_unknown_formats``: for a JSON schema, see ``grammars.jsonschema``;
    ``allow_shift_reduce``: take lark's silent resolution of shift/reduce conflicts (as shifts)
    instead of refusing the grammar, at the risk of prefixes no string completes;
    ``allow_deep_backups``: accept a grammar where lark's lexer may back up over more than three
    lexemes (the matcher then rejects the rare strings lark reads only that way)."""
    if isinstance(grammar, CompiledGrammar):
        return grammar
    if isinstance(grammar, (dict, bool)):
        from grammars.jsonschema import schema_to_bnf

        return compile_bnf(schema_to_bnf(grammar, whitespace, ignore_unknown_formats))
    if isinstance(grammar, str):
        return compile_lark(grammar, allow_shift_reduce=allow_shift_reduce,
                            allow_deep_backups=allow_deep_backups)
    raise TypeError(f"grammar must be Lark text, a JSON schema dict or a CompiledGrammar, "
                    f"not {type(grammar).__name__}")


_VOCABS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def vocabulary_of(tokenizer: Any) -> Vocabulary:
    """The :class:`Vocabulary` of a tokenizer, read once per tokenizer object (reading a
    49k-token ``transformers`` tokenizer takes about half a second)."""
    if isinstance(tokenizer, Vocabulary):
        return tokenizer
    try:
        vocab = _VOCABS.get(tokenizer)
    except TypeError:  # neither hashable nor weakly referable: read it each time
        return Vocabulary.from_tokenizer(tokenizer)
    if vocab is None:
        vocab = Vocabulary.from_tokenizer(tokenizer)
        try:
            _VOCABS[tokenizer] = vocab
        except TypeError:
            pass
    return vocab


def bind(grammar: str | dict | CompiledGrammar | TokenIndex, tokenizer: Any,
         precompute: bool = False) -> TokenIndex:
    """A grammar bound to a tokenizer's vocabulary. The vocabulary is walked lazily, per lexer
    state on first use (milliseconds to the first mask); ``precompute=True`` walks every lexer
    state now instead (0.05-1.3 s), for a grammar that will serve many requests."""
    if isinstance(grammar, TokenIndex):
        return grammar
    index = TokenIndex(compile_grammar(grammar), vocabulary_of(tokenizer))
    if precompute:
        index.precompute()
    return index


__all__ = ["vocabulary_of", "compile_grammar", "compile_lark", "compile_bnf", "Bnf", "bind",
           "BudgetGuard",
           "IndexCache", "CompiledGrammar", "TokenIndex", "Matcher", "Vocabulary",
           "GrammarError", "GrammarSyntaxError", "UndefinedSymbolError",
           "UnsupportedGrammarError", "EmptyLanguageError", "SchemaError", "TokenRejected"]
