"""A compiled grammar bound to a vocabulary: per-lexer-state token classes and mask caches.

For every lexer state ``L`` the vocabulary splits, with no parser involved, into tokens that
stay inside the current lexeme (``inside[L]``, a bitmask: always allowed), tokens that die, and
tokens that end the lexeme as terminal ``T`` partway through (grouped by the lexer's ``accept``
code: ``T`` and the bytes read past its match, see :mod:`.lexer`, as trie nodes where the next
lexeme goes on). At decode time only the boundary groups need the parser: for each code the
parser is fed ``T``; if it accepts, the walk continues from the new parser state's lexer start,
advanced over the bytes read past the match, over just those subtrees. Those continuation
walks depend only on the path of (code, lexer state) pairs, so they are cached, and so is the
final mask per (L, set of successful paths). Tokens may thus cross any number of terminal
boundaries (subword-aligned), and no valid tokenization is ever forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .completion import Completer
from .grammar import CompiledGrammar
from .kernels import walk
from .lexer import MAX_BACKUP_DEPTH
from .parser import Stack
from .trie import TokenTrie
from .vocabulary import Vocabulary

Groups = dict[int, np.ndarray]  # accept code -> trie nodes where the next lexeme goes on


@dataclass
class _Walked:
    classes: list[tuple[int, np.ndarray]]  # (lexer-state class, uint32 words) of inside tokens
    groups: Groups


DEEP_FOLLOWS = 200_000
"""Most follows kept per index that depend on cells under the stack's top."""


def _top(stack: Stack, k: int) -> tuple[int, ...]:
    """The states of the top ``k`` cells of ``stack`` (-1 past its bottom)."""
    out = []
    for _ in range(k):
        if stack is None:
            out.append(-1)
            break
        out.append(stack[0])
        stack = stack[1]
    return tuple(out)


@dataclass
class TokenIndex:
    """Everything precomputable for one (grammar, vocabulary) pair."""

    grammar: CompiledGrammar
    vocab: Vocabulary
    trie: TokenTrie = field(init=False)
    n_words: int = field(init=False)
    _state_cache: dict[int, _Walked] = field(init=False, default_factory=dict)
    _path_cache: dict[tuple, _Walked] = field(init=False, default_factory=dict)
    _memo: dict[tuple, np.ndarray] = field(init=False, default_factory=dict)  # (L, stack)
    _follow_cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = field(
        init=False, default_factory=dict)
    # follows that consulted cells under the top: path -> cells consulted -> top cells -> hit
    _follow_deep: dict[tuple, dict[int, dict[tuple, tuple[np.ndarray, np.ndarray, int]]]] = \
        field(init=False, default_factory=dict)
    _n_deep: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.trie = self.vocab.trie
        self.n_words = (len(self.vocab) + 31) // 32
        self._out_nodes = np.empty(max(self.trie.n_nodes, 1), dtype=np.int32)
        self._out_terms = np.empty(max(self.trie.n_nodes, 1), dtype=np.int32)
        lx = self.grammar.lexer
        self._code_term = [int(t) for t in lx.code_term]
        self._ignore = [self.grammar.terminals[t].ignore for t in self._code_term]  # per code
        self._class_terms = self.grammar.lexer.class_terms
        self._buf = np.zeros((len(self._class_terms), self.n_words), dtype=np.uint32)
        self._used = np.zeros(len(self._class_terms), dtype=np.uint8)
        self._scratch = np.zeros(self.n_words, dtype=np.uint32)
        self.token_bytes = self.vocab.token_bytes
        self._first: TokenIndex | None = None
        self._completer: Completer | None = None

    @property
    def first_token_index(self) -> TokenIndex:
        """For SentencePiece vocabularies: the index that reads a first token's ``▁`` as nothing."""
        if self._first is None:
            self._first = TokenIndex(self.grammar, self.vocab.without_leading_space())
        return self._first

    @property
    def completer(self) -> Completer:
        """Shortest completions of positions in this grammar (analysed on first use)."""
        if self._completer is None:
            self._completer = Completer(self)
        return self._completer

    def precompute(self, depth: int = 64, budget: int = 50_000) -> None:
        """Do the walks now instead of on first use: from every lexer state, and on through
        up to ``depth`` lexeme boundaries into every lexer start the parser could be in
        (at most ``budget`` continuation walks; the rest happen lazily)."""
        after = self._starts_after_terminal()
        for s in range(len(self.grammar.lexer.accept)):
            self._precompute_paths((s,), self._state(s).groups, after, depth, budget)
        self._precompute_follows()

    def _precompute_follows(self) -> None:
        """Fill the follow cache for every walked path and every parser state it can start
        from (a stub stack stands for the unknown cells below the top)."""
        g = self.grammar
        tops: dict[tuple[int, int], set[int]] = {}  # (code, lexer state) -> parser states
        by_term: dict[int, list[int]] = {}
        for code, term in enumerate(self._code_term):
            by_term.setdefault(term, []).append(code)

        def add_top(term: int, parser_state: int) -> None:
            for code in by_term.get(term, ()):
                start = self._relex(int(g.lexer_start[parser_state]), code)
                if start >= 0:
                    tops.setdefault((code, start), set()).add(parser_state)

        for acts in g.parser.action:
            for term, act in acts.items():
                if act >= 0:
                    add_top(term, act)
        for i, t in enumerate(g.terminals):
            if t.ignore:
                for s in range(len(g.lexer_start)):
                    add_top(i, s)
        for key, w in list(self._path_cache.items()):
            if not w.groups:
                continue
            for top in tops.get(key[-2:], ()):
                try:
                    self._follow(key, w.groups, (top, None), self._scratch)
                except TypeError:  # it reached under the stub: depends on the real stack
                    pass

    def _precompute_paths(self, path: tuple, groups: Groups, after: list[set[int]],
                          depth: int, budget: int) -> None:
        if depth == 0 or len(self._path_cache) >= budget:
            return
        for code, nodes in groups.items():
            for after_start in after[self._code_term[code]]:
                start = self._relex(after_start, code)
                if start < 0:
                    continue
                key = path + (code, start)
                w = self._path_cache.get(key)
                if w is None:
                    w = self._path_cache[key] = self._walk(nodes, start)
                self._precompute_paths(key, w.groups, after, depth - 1, budget)

    def _starts_after_terminal(self) -> list[set[int]]:
        """Per terminal, the lexer start states the parser can be in right after it."""
        g = self.grammar
        after: list[set[int]] = [set() for _ in g.terminals]
        for acts in g.parser.action:
            for term, act in acts.items():
                if act >= 0 and term < len(after):
                    after[term].add(int(g.lexer_start[act]))
        starts = set(int(x) for x in g.lexer_start)
        for i, t in enumerate(g.terminals):
            if t.ignore:
                after[i] = starts
        return after

    # -- walks -----------------------------------------------------------------------------
    def _walk(self, entries: np.ndarray, state: int) -> _Walked:
        t, lx = self.trie, self.grammar.lexer
        buf, used = self._buf, self._used
        n = walk(t.byte, t.depth, t.skip, t.tok_ptr, t.tok_list, lx.trans, lx.accept,
                 lx.state_class, entries, state, buf, used, self._out_nodes, self._out_terms)
        classes = []
        for c in np.flatnonzero(used):
            classes.append((int(c), buf[c].copy()))
            buf[c] = 0
        used[:] = 0
        groups: Groups = {}
        if n:
            terms = self._out_terms[:n]
            nodes = self._out_nodes[:n]
            for term in np.unique(terms):
                groups[int(term)] = nodes[terms == term].copy()
        return _Walked(classes, groups)

    def _state(self, state: int) -> _Walked:
        w = self._state_cache.get(state)
        if w is None:
            w = self._state_cache[state] = self._walk(self.trie.root_children, state)
        return w

    # -- masks -----------------------------------------------------------------------------
    def mask(self, stack: Stack, state: int) -> np.ndarray:
        """The allowed-token bitmask (uint32 words, EOS not included). Do not modify it."""
        memo = self._memo.get((state, stack))
        if memo is not None:
            return memo
        if len(self._memo) > 4096:
            self._memo.clear()
        base = self._state(state)
        out = np.zeros(self.n_words, dtype=np.uint32)
        self._add_classes(out, base, self.grammar.acceptable(stack), stack, 0)
        if base.groups:
            self._follow((state,), base.groups, stack, out)
        self._memo[(state, stack)] = out
        return out

    def clear_position_caches(self) -> None:
        """Forget masks memoized per parser stack (the per-grammar caches stay)."""
        self._memo.clear()
        self.grammar._memo.clear()

    def _add_classes(self, out: np.ndarray, w: _Walked, acc: int, stack: Stack,
                     ext: int) -> int:
        """OR in the inside tokens of ``w`` whose open lexeme may become an accepted terminal
        (``acc``: those ``stack`` accepts), or end by backing up to a match the parser takes
        with what follows it; the lowest height consulted (see :meth:`_follow`)."""
        low = ext
        codes = self.grammar.lexer.class_codes
        for c, bits in w.classes:
            if self._class_terms[c] & acc:
                out |= bits
                continue
            for code in codes[c]:
                ok, lo = self._viable(stack, ext, code, acc, MAX_BACKUP_DEPTH)
                low = min(low, lo)
                if ok:
                    out |= bits
                    break
        return low

    def _viable(self, stack: Stack, ext: int, code: int, acc: int,
                depth: int) -> tuple[bool, int]:
        """Whether an open lexeme may end as ``code`` here: the parser (at ``stack``,
        accepting ``acc``) takes its terminal, and the bytes past its match, lexed again,
        are a lexeme the parser may take next; and the lowest height consulted."""
        g = self.grammar
        lx = g.lexer
        term = self._code_term[code]
        if not acc >> term & 1:
            return False, ext
        if self._ignore[code]:
            nxt, e, low = stack, ext, ext
        else:
            fed, e, low = g.parser.feed_depth(stack, term, ext)
            if fed is None:
                return False, low
            nxt = fed
        state = lx.relex(g.start_lexer_state(nxt), code)
        if state < 0:
            return False, low
        acc, lo = g.acceptable_depth(nxt, e)
        low = min(low, lo)
        c = lx.state_class[state]
        if lx.class_terms[c] & acc:
            return True, low
        for inner in lx.class_codes[c] if depth > 1 else ():
            ok, lo = self._viable(nxt, e, inner, acc, depth - 1)
            low = min(low, lo)
            if ok:
                return True, low
        return False, low

    def _follow(self, path: tuple, groups: Groups, stack: Stack, out: np.ndarray) -> int:
        """OR into ``out`` the tokens of every continuation of ``path`` the parser allows.

        Returns the lowest stack height consulted relative to ``stack`` (below 0: cells under
        its top). The result is a function of the path and of the cells consulted: when only
        its top was, it is cached per (path, top state) as sparse words, so chains of shifts
        (``((((``, ``----``) cost one lookup; when ``k`` cells were (a reduction looked under
        the top), per (path, the top ``k`` states), so a closing ``)`` at any depth of the
        same nesting costs one lookup too."""
        ck = (path, stack[0])
        hit = self._follow_cache.get(ck)
        if hit is not None:
            out[hit[0]] |= hit[1]
            return 0
        deep = self._follow_deep.get(path)
        if deep is not None:
            for k, table in deep.items():
                got = table.get(_top(stack, k))
                if got is not None:
                    out[got[0]] |= got[1]
                    return got[2]
        g = self.grammar
        low = 0
        mine = np.zeros(self.n_words, dtype=np.uint32)
        nxt: Stack | None
        for code, nodes in groups.items():
            if self._ignore[code]:
                nxt, ext = stack, 0
            else:
                nxt, ext, lo = g.parser.feed_depth(stack, self._code_term[code], 0)
                low = min(low, lo)
                if nxt is None:
                    continue
            start = self._relex(g.start_lexer_state(nxt), code)
            if start < 0:
                continue
            key = path + (code, start)
            w = self._path_cache.get(key)
            if w is None:
                w = self._path_cache[key] = self._walk(nodes, start)
            acc, lo = g.acceptable_depth(nxt, ext)
            low = min(low, lo, self._add_classes(mine, w, acc, nxt, ext))
            if w.groups:
                low = min(low, ext + self._follow(key, w.groups, nxt, mine))
        nz = np.flatnonzero(mine)
        if low >= 0:
            self._follow_cache[ck] = (nz, mine[nz])
        else:
            if self._n_deep >= DEEP_FOLLOWS:  # bounded: a server's grammar lives long
                self._follow_deep.clear()
                self._n_deep = 0
            self._n_deep += 1
            cells = 1 - low
            self._follow_deep.setdefault(path, {}).setdefault(cells, {})[
                _top(stack, cells)] = (nz, mine[nz], low)
        out |= mine
        return low

    # -- byte stepping (advance, checks) ---------------------------------------------------
    def step(self, stack: Stack, state: int, data: bytes) -> tuple[Stack, int] | None:
        """Consume ``data``; the new (stack, lexer state), or None if rejected."""
        g = self.grammar
        trans = g.lexer.trans
        for b in data:
            while trans[state, b] < 0:  # the lexeme ends before b (maybe backing up)
                nxt = self._end_lexeme(stack, state)
                if nxt is None:
                    return None
                stack, state = nxt
            state = int(trans[state, b])
        lx = g.lexer
        c = lx.state_class[state]
        acc = g.acceptable(stack)
        if not lx.class_terms[c] & acc and not any(
                self._viable(stack, 0, code, acc, MAX_BACKUP_DEPTH)[0]
                for code in lx.class_codes[c]):
            return None  # the open lexeme can only end in ways the parser rejects
        return stack, state

    def is_complete(self, stack: Stack, state: int) -> bool:
        """Whether the text so far is a sentence of the grammar (EOS may follow)."""
        g = self.grammar
        while not g.lexer.is_start[state]:
            nxt = self._end_lexeme(stack, state)
            if nxt is None:
                return False
            stack, state = nxt
        return g.parser.accepts_end(stack)

    def _end_lexeme(self, stack: Stack, state: int) -> tuple[Stack, int] | None:
        """End the open lexeme as its best match: feed its terminal to the parser and lex the
        bytes read past the match again; the new (stack, lexer state), or None."""
        g = self.grammar
        code = int(g.lexer.accept[state])
        if code < 0:
            return None
        if not self._ignore[code]:
            fed = g.parser.feed(stack, self._code_term[code])
            if fed is None:
                return None
            stack = fed
        state = self._relex(g.start_lexer_state(stack), code)
        return None if state < 0 else (stack, state)

    def _relex(self, start: int, code: int) -> int:
        """Lexer ``start`` advanced over the bytes ``code``'s lexeme read past its match; -1 if
        they do not stay inside one lexeme."""
        return self.grammar.lexer.relex(start, code)
