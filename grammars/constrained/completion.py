"""The shortest way to finish: a short byte string that takes a matcher position to a complete
sentence of the grammar, found by grammar analysis rather than by a blind search over bytes.

What a budget-aware decoder appends when the tokens left only just cover it (see
:mod:`.budget`). Three analyses, each done once per grammar:

- per terminal, the shortest string its regex matches (a 0-1 breadth-first search over its
  byte NFA, readable bytes preferred where a class gives the choice);
- per nonterminal, its cheapest yield (a fixpoint: a rule costs the sum of its symbols'
  costs, and is chosen only when strictly cheaper, so the chosen rules form a well-founded
  derivation and yields are finite);
- per LALR state, its kernel items ``A -> alpha . beta`` (``|alpha| >= 1``), read off the
  tables: a state with a goto on ``A`` holds every ``A -> . gamma``, and walking ``gamma``
  through the shifts and gotos places the later items.

Per position, the open lexeme is ended first (the shortest bytes from the lexer state to a
state whose match is some terminal the parser takes), then a uniform-cost search runs over
parser configurations of the form "the original stack cut at height ``j``, with state ``g``
pushed on it": finishing a kernel item of ``g`` costs the cheapest yield of ``beta`` and pops
``|alpha|`` cells, exposing an original cell whose goto on ``A`` is pushed; a configuration the
parser accepts at end of input is a goal. Every completion of a stack finishes a kernel item
of its top first (the rule whose reduction pops the top cell), so the search is exact over
terminal sequences; there are at most ``(height + 1) x states`` configurations.

Two things the analysis does not see are settled by running the real lexer and parser over
the result: LALR lookaheads, and lexing (maximal munch may glue two terminals into one, two
names ``a`` then ``a`` into ``aa``; the shortest string of the ignored terminal, a space, is
put between two terminals exactly where the first lexeme would otherwise go on). Candidates
come out of the search in order of cost and the first that the matcher accepts, ending
complete, is returned. Where every candidate fails (never on the bench grammars or random
schemas of the tests; ``A B`` with ``A: /a+|cc/``, ``B: "a"`` is one such grammar), a
breadth-first search over bytes, bounded, takes over.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .nfa import NFA
from .parser import Stack

if TYPE_CHECKING:
    from .index import TokenIndex

_READABLE = tuple(b"a0A") + tuple(range(0x21, 0x7F)) + (0x20,)
"""Byte preference where a class allows several: letters and digits read best."""

_BYTE_ORDER = np.array(list(dict.fromkeys(_READABLE + tuple(range(256)))), dtype=np.int64)
"""Every byte, most readable first."""

MAX_CANDIDATES = 32
"""Most terminal sequences rendered and checked per position before the byte search."""

BYTE_SEARCH_LIMIT = 20_000
"""Most positions the fallback byte search expands."""


@lru_cache(maxsize=4096)
def shortest_match(regex: str) -> tuple[int, ...]:
    """The shortest byte string ``regex`` matches (as a tuple of bytes; cached, bounded, as
    the same terminals come back in schema after schema)."""
    nfa = NFA()
    start, final = nfa.add_regex(regex, "terminal")
    dist = {start: 0}
    back: dict[int, tuple[int, int]] = {}  # state -> (previous state, byte or -1 for epsilon)
    todo = deque([start])
    while todo:
        s = todo.popleft()
        if s == final:
            break
        d = dist[s]
        for t in nfa.eps[s]:
            if dist.get(t, d + 1) > d:
                dist[t] = d
                back[t] = (s, -1)
                todo.appendleft(t)
        for lo, hi, t in nfa.edges[s]:
            if t not in dist:
                dist[t] = d + 1
                back[t] = (s, next((b for b in _READABLE if lo <= b <= hi), lo))
                todo.append(t)
    out = []
    s = final
    while s != start:
        s, b = back[s]
        if b >= 0:
            out.append(b)
    return tuple(reversed(out))


class Completer:
    """Shortest completions over one bound grammar (``index``: a :class:`TokenIndex`; only its
    vocabulary-independent stepping is used)."""

    def __init__(self, index: TokenIndex) -> None:
        self.index = index
        g = index.grammar
        self.grammar = g
        p = g.parser
        self.parser = p
        self.term_bytes = [bytes(shortest_match(t.regex)) for t in g.terminals]
        ignored = [self.term_bytes[i] for i, t in enumerate(g.terminals) if t.ignore]
        self.separator = min(ignored, key=len) if ignored else b""
        self._yields()
        self._items()
        self.start_nt = next(a for a, s in p.goto[p.start_state].items() if s == p.end_state)
        self._ends: dict[int, list[tuple[int, bytes]]] = {}
        self._memo: dict[tuple[Stack, int], bytes | None] = {}

    # -- analyses (once per grammar) -------------------------------------------------------
    def _yields(self) -> None:
        """Cheapest yield per nonterminal: cost and rule (Bellman-Ford to the fixpoint; a
        rule is taken only when strictly cheaper, which keeps the derivations well-founded)."""
        p = self.parser
        n_nt = 1 + max([a for a, _ in p.rules] + [-x - 1 for r in p.rhs for x in r])
        inf = float("inf")
        cost = [inf] * n_nt
        best = [-1] * n_nt
        tcost = [len(b) for b in self.term_bytes]
        changed = True
        while changed:
            changed = False
            for r, (lhs, _) in enumerate(p.rules):
                c = sum(tcost[x] if x >= 0 else cost[-x - 1] for x in p.rhs[r])
                if c < cost[lhs]:
                    cost[lhs], best[lhs] = c, r
                    changed = True
        self.nt_cost, self.nt_rule, self.t_cost = cost, best, tcost

    def _sym_cost(self, x: int) -> float:
        return self.t_cost[x] if x >= 0 else self.nt_cost[-x - 1]

    def _items(self) -> None:
        """Per parser state, its kernel items ``(|alpha|, lhs, rule, cost of beta)``, by
        ``|alpha|`` (the dot's position)."""
        p = self.parser
        by_lhs: dict[int, list[int]] = {}
        for r, (lhs, _) in enumerate(p.rules):
            by_lhs.setdefault(lhs, []).append(r)
        items: list[set[tuple[int, int]]] = [set() for _ in p.action]
        for q, gotos in enumerate(p.goto):
            for a in gotos:
                for r in by_lhs.get(a, ()):
                    s = q
                    for i, x in enumerate(p.rhs[r]):
                        nxt = p.action[s].get(x, -1) if x >= 0 else p.goto[s].get(-x - 1, -1)
                        if nxt < 0:
                            break
                        s = nxt
                        items[s].add((r, i + 1))
        self.items = [sorted((i, p.rules[r][0], r, sum(self._sym_cost(x) for x in p.rhs[r][i:]))
                             for r, i in its) for its in items]

    # -- per position ----------------------------------------------------------------------
    def complete(self, stack: Stack, lexer: int) -> bytes | None:
        """A shortest (up to separators) byte string after which ``(stack, lexer)`` is a
        complete sentence; ``b""`` if it already is; None only if neither the analysis nor
        the bounded byte search found one."""
        key = (stack, lexer)
        if key in self._memo:
            return self._memo[key]
        if len(self._memo) > 4096:
            self._memo.clear()
        out = self._complete(stack, lexer)
        self._memo[key] = out
        return out

    def _complete(self, stack: Stack, lexer: int) -> bytes | None:
        if self.index.is_complete(stack, lexer):
            return b""
        for _, head, terms in itertools.islice(self._candidates(stack, lexer), MAX_CANDIDATES):
            text = self._render(stack, lexer, head, terms)
            if text is not None:
                return text
        return self._byte_search(stack, lexer)

    def _candidates(self, stack: Stack, lexer: int) -> Iterator[tuple[float, bytes, list[int]]]:
        """(cost, bytes ending the open lexeme, terminal sequence after it), cheapest first."""
        p, g = self.parser, self.grammar
        streams = []
        for term, suffix in self._lexeme_ends(lexer):
            nxt = stack if term < 0 or g.terminals[term].ignore else p.feed(stack, term)
            if nxt is not None:
                streams.append(((c + len(suffix), suffix, ts) for c, ts in self._search(nxt)))
        return heapq.merge(*streams, key=lambda c: c[0])

    def _lexeme_ends(self, lexer: int) -> list[tuple[int, bytes]]:
        """Ways to end the open lexeme: (terminal, shortest bytes to a state matching it with
        nothing read past the match); ``[(-1, b"")]`` between lexemes."""
        lx = self.grammar.lexer
        if lx.is_start[lexer]:
            return [(-1, b"")]
        hit = self._ends.get(lexer)
        if hit is not None:
            return hit
        n_terms = len(self.grammar.terminals)
        found: dict[int, bytes] = {}
        seen = {lexer: b""}
        todo = deque([lexer])
        while todo:
            s = todo.popleft()
            code = int(lx.accept[s])
            if 0 <= code < n_terms and code not in found:
                found[code] = seen[s]
            targets = lx.trans[s][_BYTE_ORDER]
            live = targets >= 0
            # each distinct target once, by its most readable byte
            nxt, first = np.unique(targets[live], return_index=True)
            for t, b in zip(nxt.tolist(), _BYTE_ORDER[live][first].tolist()):
                if t not in seen:
                    seen[t] = seen[s] + bytes((b,))
                    todo.append(t)
        out = sorted(found.items(), key=lambda kv: len(kv[1]))
        self._ends[lexer] = out
        return out

    def _search(self, stack: Stack) -> Iterator[tuple[float, list[int]]]:
        """Terminal sequences completing ``stack``, cheapest first (uniform-cost search over
        "original stack cut at height j, state g pushed"; see the module's notes)."""
        p = self.parser
        cells: list[Stack] = []
        s = stack
        while s is not None:
            cells.append(s)
            s = s[1]
        cells.reverse()
        states = [c[0] for c in cells]
        k = len(cells) - 1
        first = (k - 1, states[k])
        dist = {first: 0.0}
        back: dict[tuple[int, int], tuple[tuple[int, int], tuple[int, ...]]] = {}
        heap = [(0.0, first)]
        while heap:
            d, node = heapq.heappop(heap)
            if d > dist.get(node, float("inf")):
                continue
            j, top = node
            if top == p.end_state or p.accepts_end((top, cells[j] if j >= 0 else None)):
                yield d, self._spell(node, back)
            moves: list[tuple[int, int, float, tuple[int, ...]]] = []
            if j < 0:
                moves.append((0, p.goto[top][self.start_nt], self.nt_cost[self.start_nt],
                              (-self.start_nt - 1,)))
            for m, lhs, r, c in self.items[top]:
                e = j + 1 - m
                if e < 0:
                    break  # items are sorted by |alpha|
                nxt = p.goto[states[e]].get(lhs)
                if nxt is not None:
                    moves.append((e, nxt, c, p.rhs[r][m:]))
            for e, nxt, c, syms in moves:
                nd = d + c
                if nd < dist.get((e, nxt), float("inf")):
                    dist[(e, nxt)] = nd
                    back[(e, nxt)] = (node, syms)
                    heapq.heappush(heap, (nd, (e, nxt)))

    def _spell(self, node: tuple[int, int], back: dict) -> list[int]:
        """The terminal sequence of the search path to ``node``."""
        parts = []
        while node in back:
            node, syms = back[node]
            parts.append(syms)
        out: list[int] = []
        for syms in reversed(parts):
            for x in syms:
                self._expand(x, out)
        return out

    def _expand(self, sym: int, out: list[int]) -> None:
        """Append the terminals of ``sym``'s cheapest yield to ``out``."""
        todo = [sym]
        while todo:
            x = todo.pop()
            if x >= 0:
                out.append(x)
            else:
                todo.extend(reversed(self.parser.rhs[self.nt_rule[-x - 1]]))

    def _render(self, stack: Stack, lexer: int, head: bytes, terms: list[int]) -> bytes | None:
        """The bytes of ``head`` then ``terms`` as the matcher reads them, a separator put
        where a lexeme would otherwise run on into the next; None if the matcher rejects them
        or they do not end complete."""
        step, trans = self.index.step, self.grammar.lexer.trans
        pos = step(stack, lexer, head) if head else (stack, lexer)
        out = bytearray(head)
        for t in terms:
            if pos is None:
                return None
            data = self.term_bytes[t]
            if self.separator and int(trans[pos[1], data[0]]) >= 0 \
                    and not self.grammar.lexer.is_start[pos[1]]:
                data = self.separator + data
            pos = step(*pos, data)
            out += data
        if pos is None or not self.index.is_complete(*pos):
            return None
        return bytes(out)

    def _byte_search(self, stack: Stack, lexer: int) -> bytes | None:
        """Breadth-first search over bytes from the position (exact, bounded): the fallback
        for a grammar whose analysed candidates all fail to lex as planned."""
        index, lx = self.index, self.grammar.lexer
        seen = {(stack, lexer)}
        todo: deque[tuple[Stack, int, bytes]] = deque([(stack, lexer, b"")])
        while todo and len(seen) < BYTE_SEARCH_LIMIT:
            st, state, text = todo.popleft()
            cands = range(256) if lx.accept[state] >= 0 else \
                [b for b in range(256) if lx.trans[state, b] >= 0]
            for b in cands:
                nxt = index.step(st, state, bytes((b,)))
                if nxt is None or nxt in seen:
                    continue
                if index.is_complete(*nxt):
                    return text + bytes((b,))
                seen.add(nxt)
                todo.append((*nxt, text + bytes((b,))))
        return None
