"""The byte-level lexer: one DFA whose states are shared by every contextual terminal set.

A lexer state is a set of NFA states (plus a flag marking the empty lexeme at a start). Each
parser state allows a set of terminals (lark's contextual lexer: the terminals in its action
table, plus the ``%ignore`` ones); its start state is the closure of those terminals' starts.
Lexing is maximal munch: a lexeme ends only when the next byte cannot extend it, and then it is
the terminal lark would pick (priority, then lark's terminal order, string literals winning
over an equal-priority regex that matches the same text). ``trans[state, byte]`` is -1 when dead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import UnsupportedGrammarError
from .nfa import NFA


@dataclass(frozen=True)
class Terminal:
    """One grammar terminal as the lexer sees it."""

    name: str
    regex: str
    priority: int
    is_string: bool
    max_width: int
    ignore: bool

    def sort_key(self) -> tuple:
        """lark's BasicLexer order: first in this order wins an exact tie."""
        return (-self.priority, -self.max_width, -len(self.regex), self.name)


@dataclass(frozen=True)
class LexerTables:
    """Dense tables of the lexer DFA, indexed by lexer state id."""

    trans: np.ndarray  # int32 [n_states, 256], -1 = dead
    accept: np.ndarray  # int32 [n_states], the terminal a lexeme ending here is, or -1
    is_start: np.ndarray  # bool [n_states], the empty lexeme
    state_class: np.ndarray  # int32 [n_states]: index into ``class_terms``
    class_terms: tuple[int, ...]  # bitmask of the terminals a lexeme here may still become


class LexerBuilder:
    """Builds :class:`LexerTables` for a list of terminals and the candidate sets in use."""

    def __init__(self, terminals: list[Terminal]):
        self.terminals = terminals
        self.nfa = NFA()
        self.starts: list[int] = []
        self.final_to_term: dict[int, int] = {}
        for i, t in enumerate(terminals):
            s, f = self.nfa.add_regex(t.regex, f"terminal {t.name}")
            if f in self.nfa.closure([s]):
                raise UnsupportedGrammarError(
                    f"terminal {t.name} ({t.regex!r}) matches the empty string; "
                    "make it match at least one character")
            self.starts.append(s)
            self.final_to_term[f] = i
        self.ids: dict[tuple[frozenset[int], bool], int] = {}
        self.keys: list[tuple[frozenset[int], bool]] = []
        self.rows: list[np.ndarray] = []

    def state_for(self, candidates: frozenset[int]) -> int:
        """The start lexer state of a candidate terminal set."""
        return self._id(self.nfa.closure(self.starts[i] for i in candidates), True)

    def _id(self, nstates: frozenset[int], start: bool) -> int:
        key = (nstates, start)
        if key not in self.ids:
            self.ids[key] = len(self.keys)
            self.keys.append(key)
        return self.ids[key]

    def build(self) -> LexerTables:
        """Tables of every state found so far (call again after new ``state_for`` calls)."""
        rows = self.rows
        while len(rows) < len(self.keys):
            rows.append(self._row(self.keys[len(rows)][0]))
        trans = np.stack(rows).astype(np.int32) if rows else np.zeros((0, 256), np.int32)
        accept = np.array([self._accept(k[0]) for k in self.keys], dtype=np.int32)
        is_start = np.array([k[1] for k in self.keys], dtype=bool)
        classes: dict[int, int] = {}
        state_class = np.array([classes.setdefault(w, len(classes))
                                for w in _winnable(trans, accept)], dtype=np.int32)
        return LexerTables(trans, accept, is_start, state_class, tuple(classes))

    def _row(self, nstates: frozenset[int]) -> np.ndarray:
        targets: dict[int, set[int]] = {}
        for s in nstates:
            for lo, hi, t in self.nfa.edges[s]:
                for b in range(lo, hi + 1):
                    targets.setdefault(b, set()).add(t)
        row = np.full(256, -1, dtype=np.int64)
        cache: dict[frozenset[int], int] = {}
        for b, ts in targets.items():
            key = frozenset(ts)
            if key not in cache:
                cache[key] = self._id(self.nfa.closure(ts), False)
            row[b] = cache[key]
        return row

    def _accept(self, nstates: frozenset[int]) -> int:
        accepting = [self.final_to_term[s] for s in nstates if s in self.final_to_term]
        if not accepting:
            return -1
        terms = self.terminals
        best = min(accepting, key=lambda i: terms[i].sort_key())
        if not terms[best].is_string:
            strings = [i for i in accepting
                       if terms[i].is_string and terms[i].priority == terms[best].priority]
            if strings:
                best = min(strings, key=lambda i: terms[i].sort_key())
        return best


def _winnable(trans: np.ndarray, accept: np.ndarray) -> list[int]:
    """Per lexer state, the bitmask of the terminals a lexeme open there may still end as: the
    accepted terminal of a state reachable from it (itself included). A terminal whose NFA is
    still alive but that always loses the tie to another (``")"`` defined twice, or ``"ac"``
    matched by two regexes) is not among them, so the parser is never promised it."""
    win = [1 << int(t) if t >= 0 else 0 for t in accept]
    succ = [sorted({int(t) for t in row if t >= 0}) for row in trans]
    changed = True
    while changed:
        changed = False
        for s in range(len(win) - 1, -1, -1):
            w = win[s]
            for t in succ[s]:
                w |= win[t]
            if w != win[s]:
                win[s], changed = w, True
    return win
