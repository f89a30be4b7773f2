"""A compiled grammar bound to a vocabulary: per-lexer-state token classes and mask caches.

For every lexer state ``L`` the vocabulary splits, with no parser involved, into tokens that
stay inside the current lexeme (``inside[L]``, a bitmask: always allowed), tokens that die, and
tokens that end the lexeme as terminal ``T`` partway through (grouped by ``T`` as trie nodes
where the next lexeme starts). At decode time only the boundary groups need the parser: for
each ``T`` the parser is fed ``T``; if it accepts, the walk continues from the new parser
state's lexer start over just those subtrees. Those continuation walks depend only on the path
of (terminal, lexer start) pairs, so they are cached, and so is the final mask per
(L, set of successful paths). Tokens may thus cross any number of terminal boundaries
(subword-aligned), and no valid tokenization is ever forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grammar import CompiledGrammar
from .kernels import walk
from .parser import Stack
from .trie import TokenTrie
from .vocabulary import Vocabulary

Groups = dict[int, np.ndarray]  # terminal -> trie nodes where the next lexeme starts


@dataclass
class _Walked:
    bits: np.ndarray  # uint32 words
    groups: Groups


@dataclass
class TokenIndex:
    """Everything precomputable for one (grammar, vocabulary) pair."""

    grammar: CompiledGrammar
    vocab: Vocabulary
    trie: TokenTrie = field(init=False)
    n_words: int = field(init=False)
    _state_cache: dict[int, _Walked] = field(init=False, default_factory=dict)
    _path_cache: dict[tuple, _Walked] = field(init=False, default_factory=dict)
    _mask_cache: dict[tuple, np.ndarray] = field(init=False, default_factory=dict)
    _memo: dict[tuple, np.ndarray] = field(init=False, default_factory=dict)  # (L, stack)

    def __post_init__(self) -> None:
        self.trie = self.vocab.trie
        self.n_words = (len(self.vocab) + 31) // 32
        self._out_nodes = np.empty(max(self.trie.n_nodes, 1), dtype=np.int32)
        self._out_terms = np.empty(max(self.trie.n_nodes, 1), dtype=np.int32)
        self._ignore = np.array([t.ignore for t in self.grammar.terminals], dtype=bool)
        self.token_bytes = [t or b"" for t in self.vocab.tokens]
        self._first: TokenIndex | None = None

    @property
    def first_token_index(self) -> TokenIndex:
        """For SentencePiece vocabularies: the index that reads a first token's ``▁`` as nothing."""
        if self._first is None:
            self._first = TokenIndex(self.grammar, self.vocab.without_leading_space())
        return self._first

    def precompute(self, depth: int = 3) -> None:
        """Do the walks now instead of on first use: from every lexer state, and on through
        up to ``depth`` lexeme boundaries into every lexer start the parser could be in."""
        after = self._starts_after_terminal()
        self.grammar.possible_starts(self.grammar.parser.start_state)
        for s in range(len(self.grammar.lexer.accept)):
            self._precompute_paths((s,), self._state(s).groups, after, depth)

    def _precompute_paths(self, path: tuple, groups: Groups, after: list[set[int]],
                          depth: int) -> None:
        if depth == 0:
            return
        for term, nodes in groups.items():
            for start in after[term]:
                key = path + (term, start)
                w = self._path_cache.get(key)
                if w is None:
                    w = self._path_cache[key] = self._walk(nodes, start)
                self._precompute_paths(key, w.groups, after, depth - 1)

    def _starts_after_terminal(self) -> list[set[int]]:
        """Per terminal, the lexer start states the parser can be in right after it."""
        g = self.grammar
        after: list[set[int]] = [set() for _ in g.terminals]
        for acts in g.parser.action:
            for term, act in acts.items():
                if act >= 0 and term < len(after):
                    after[term] |= g.possible_starts(act)
        starts = set(int(x) for x in g.lexer_start if x >= 0) | set(g._by_set.values())
        for i, t in enumerate(g.terminals):
            if t.ignore:
                after[i] = starts
        return after

    # -- walks -----------------------------------------------------------------------------
    def _walk(self, entries: np.ndarray, state: int) -> _Walked:
        t, lx = self.trie, self.grammar.lexer
        bits = np.zeros(self.n_words, dtype=np.uint32)
        n = walk(t.byte, t.depth, t.skip, t.tok_ptr, t.tok_list, lx.trans, lx.accept,
                 entries, state, bits, self._out_nodes, self._out_terms)
        groups: Groups = {}
        if n:
            terms = self._out_terms[:n]
            nodes = self._out_nodes[:n]
            for term in np.unique(terms):
                groups[int(term)] = nodes[terms == term].copy()
        return _Walked(bits, groups)

    def _state(self, state: int) -> _Walked:
        w = self._state_cache.get(state)
        if w is None:
            w = self._state_cache[state] = self._walk(self.trie.root_children, state)
        return w

    # -- masks -----------------------------------------------------------------------------
    def mask(self, stack: Stack, state: int) -> np.ndarray:
        """The allowed-token bitmask (uint32 words, EOS not included). Do not modify it."""
        base = self._state(state)
        if not base.groups:
            return base.bits
        memo = self._memo.get((state, stack))
        if memo is not None:
            return memo
        if len(self._memo) > 100_000:
            self._memo.clear()
        self._memo[(state, stack)] = out = self._mask_paths(stack, state, base)
        return out

    def _mask_paths(self, stack: Stack, state: int, base: _Walked) -> np.ndarray:
        paths: list[tuple] = []
        self._follow((state,), base.groups, stack, paths)
        key = (state, tuple(paths))
        out = self._mask_cache.get(key)
        if out is None:
            out = base.bits.copy()
            for p in paths:
                out |= self._path_cache[p].bits
            self._mask_cache[key] = out
        return out

    def _follow(self, path: tuple, groups: Groups, stack: Stack, paths: list[tuple]) -> None:
        g = self.grammar
        for term, nodes in groups.items():
            nxt = stack if self._ignore[term] else g.parser.feed(stack, term)
            if nxt is None:
                continue
            start = g.start_lexer_state(nxt)
            key = path + (term, start)
            w = self._path_cache.get(key)
            if w is None:
                w = self._path_cache[key] = self._walk(nodes, start)
            paths.append(key)
            if w.groups:
                self._follow(key, w.groups, nxt, paths)

    # -- byte stepping (advance, checks) ---------------------------------------------------
    def step(self, stack: Stack, state: int, data: bytes) -> tuple[Stack, int] | None:
        """Consume ``data``; the new (stack, lexer state), or None if rejected."""
        g = self.grammar
        trans, accept = g.lexer.trans, g.lexer.accept
        for b in data:
            ns = trans[state, b]
            if ns < 0:
                t = accept[state]
                if t < 0:
                    return None
                if not self._ignore[t]:
                    stack = g.parser.feed(stack, int(t))
                    if stack is None:
                        return None
                start = g.start_lexer_state(stack)
                trans, accept = g.lexer.trans, g.lexer.accept
                ns = trans[start, b]
                if ns < 0:
                    return None
            state = int(ns)
        return stack, state

    def is_complete(self, stack: Stack, state: int) -> bool:
        """Whether the text so far is a sentence of the grammar (EOS may follow)."""
        g = self.grammar
        if not g.lexer.is_start[state]:
            t = int(g.lexer.accept[state])
            if t < 0:
                return False
            if not self._ignore[t]:
                stack = g.parser.feed(stack, t)
                if stack is None:
                    return False
        return g.parser.accepts_end(stack)
