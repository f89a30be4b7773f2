"""A bounded cache of bound grammars, for a server that sees a new schema with most requests.

Each distinct grammar is compiled and bound once, lazily (its token walks are done on first
use, so a new grammar costs a few milliseconds before its first mask, see
``bench/decoding.py --first-mask``); the least recently used is dropped past ``max_size``,
so memory stays bounded however many schemas come by. Like a :class:`TokenIndex`, a cache
serves one thread.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from .grammar import CompiledGrammar
from .index import TokenIndex


class IndexCache:
    """``get(grammar)``: the :class:`TokenIndex` of Lark text or a JSON schema on this
    vocabulary, compiled on a miss (options of ``compile_grammar`` as keywords)."""

    def __init__(self, tokenizer: Any, max_size: int = 256, **compile_options: Any):
        if max_size < 1:
            raise ValueError(f"max_size must be at least 1, not {max_size}")
        from . import vocabulary_of

        self.vocab = vocabulary_of(tokenizer)
        self.max_size = max_size
        self.compile_options = compile_options
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[str, str], TokenIndex] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, grammar: str | dict | bool | CompiledGrammar) -> TokenIndex:
        from . import compile_grammar

        if isinstance(grammar, CompiledGrammar):
            key = ("compiled", str(id(grammar)))
        elif isinstance(grammar, str):
            key = ("lark", grammar)
        else:  # property order is part of a schema's language here: keep it in the key
            key = ("schema", json.dumps(grammar, ensure_ascii=False))
        index = self._entries.get(key)
        if index is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return index
        self.misses += 1
        index = TokenIndex(compile_grammar(grammar, **self.compile_options), self.vocab)
        self._entries[key] = index
        if len(self._entries) > self.max_size:
            self._entries.popitem(last=False)
        return index
