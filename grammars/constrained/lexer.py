"""The byte-level lexer: one DFA whose states are shared by every contextual terminal set.

Lexing is lark's, exactly. Each parser state allows a set of terminals (lark's contextual
lexer: the terminals in its action table, plus the ``%ignore`` ones), and lark takes at each
position the first of them, in its order (priority, then widest, then longest text, then
name), whose regex matches there, as long as Python's ``re`` matches it (leftmost first:
greedy and lazy repeats, alternatives in order); a string literal that a same-priority regex
of the set matches in full is folded into that regex (``_create_unless``) and names the token
when the regex matched exactly its text.

A lexer state is therefore a Pike VM thread list: the NFA states still alive, in priority
order, cut after the first that has matched (a match there ends the lexeme unless a thread
before it goes on), plus the states of the folded literals (which name a token but never
decide one), a flag marking the empty lexeme at a start, and the best match so far.
``trans[state, byte]`` is -1 when no thread before the cut goes on; the lexeme then ends as
its best match, ``accept[state]``: a *code* naming the terminal and what lexing the bytes read
since that match again gives from each lexer start (``code_term``, ``code_next``: lark backs up
to the match and lexes the rest again from the next lexeme's start, as the matcher does: ``1.``
then ``x`` is a number ``1``, then ``.x``). Codes below the number of terminals read nothing
past the match. -1: no match, the string is rejected. The bytes lexed again may hold ignored
lexemes (whitespace) but no other whole lexeme, and may back up themselves only
``MAX_BACKUP_DEPTH - 1`` times (under ``/[ab]+c/`` and ``"b"``, ``bbb...`` then an end backs
up once per ``b``, which no finite table follows). A grammar where lark may back up deeper is
refused, unless ``allow_deep_backups``: then the matcher rejects the strings lark reads only
by such backups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import UnsupportedGrammarError
from .nfa import NFA


@dataclass(frozen=True)
class Terminal:
    """One grammar terminal as the lexer sees it: ``regex`` is what is compiled, ``value``
    lark's pattern text (the literal itself for a string), ``lark_regex`` the regex lark
    matches (to decide which literals it folds), ``flags`` the pattern's flags."""

    name: str
    regex: str
    priority: int
    is_string: bool
    max_width: int
    ignore: bool
    value: str = ""
    lark_regex: str = ""
    flags: frozenset[str] = frozenset()

    def sort_key(self) -> tuple:
        """lark's BasicLexer order: the first in this order that matches is taken."""
        return (-self.priority, -self.max_width, -len(self.value or self.regex), self.name)


@dataclass(frozen=True)
class LexerTables:
    """Dense tables of the lexer DFA, indexed by lexer state id."""

    trans: np.ndarray  # int32 [n_states, 256], -1 = dead
    accept: np.ndarray  # int32 [n_states], the terminal a lexeme ending here is, or -1
    is_start: np.ndarray  # bool [n_states], the empty lexeme
    state_class: np.ndarray  # int32 [n_states]: index into ``class_terms``
    class_terms: tuple[int, ...]  # bitmask of the terminals a lexeme here may still become
    class_codes: tuple[tuple[int, ...], ...]  # ... and the codes it may still end as by
    # backing up (viable only if the bytes past the match suit the parser after it)
    code_term: np.ndarray  # int32 [n_codes]: the terminal of an ``accept`` code
    code_next: np.ndarray  # int32 [n_codes, n_starts]: the lexer state to go on from
    start_index: np.ndarray  # int32 [n_states]: a start state's column in code_next, or -1

    def relex(self, start: int, code: int) -> int:
        """The lexer state after ``code``'s lexeme ended and the next began at ``start``
        (the bytes read past its match lexed again); -1 if that is not followed."""
        return int(self.code_next[code, self.start_index[start]])


# threads, folded literals' states, start, best match so far (a code, -1: none)
Key = tuple[tuple[int, ...], frozenset[int], bool, int]
# a best match: its terminal and, per lexer start, the state the bytes read past it lead to
# from there (-1: they do not stay inside one lexeme); None: no byte read past it
Code = tuple[int, "tuple[int, ...] | None"]
MAX_BACKUP_DEPTH = 4


class LexerBuilder:
    """Builds :class:`LexerTables` for a list of terminals and the candidate sets in use."""

    def __init__(self, terminals: list[Terminal], allow_deep_backups: bool = False):
        self.terminals = terminals
        self.allow_deep_backups = allow_deep_backups
        self.nfa = NFA()
        self.starts: list[int] = []
        self.final_to_term: dict[int, int] = {}
        self.finals: list[int] = []
        for i, t in enumerate(terminals):
            s, f = self.nfa.add_regex(t.regex, f"terminal {t.name}")
            if f in self.nfa.closure([s]):
                raise UnsupportedGrammarError(
                    f"terminal {t.name} ({t.regex!r}) matches the empty string; "
                    "make it match at least one character")
            self.starts.append(s)
            self.final_to_term[f] = i
            self.finals.append(f)
        self.unless = self._unless()
        self.codes: list[Code] = [(i, None) for i in range(len(terminals))]
        self.code_ids: dict[Code, int] = {c: i for i, c in enumerate(self.codes)}
        self.code_depth: list[int] = [0] * len(self.codes)  # nested backups a code holds
        self.ids: dict[Key, int] = {}
        self.keys: list[Key] = []
        self.rows: dict[int, np.ndarray] = {}
        self.succ: dict[int, set[int]] = {}  # per state, the states its bytes lead to
        self._step_memo: dict[tuple[int, ...], tuple[int, ...]] = {}  # NFA moves -> threads
        self._start_memo: dict[frozenset[int], int] = {}  # candidate set -> start state
        self.starts_in_use: list[int] = []  # start states, in the order of code columns
        self._building: set[int] = set()
        self.too_deep: set[int] = set()  # terminals whose backups nest past the limit

    def _unless(self) -> dict[int, list[int]]:
        """Per regex terminal, the literals of its priority it matches in full (lark's
        ``_create_unless``), in lark's order."""
        terms = self.terminals
        order = sorted(range(len(terms)), key=lambda i: terms[i].sort_key())
        out: dict[int, list[int]] = {}
        for r in order:
            if terms[r].is_string or not terms[r].lark_regex:
                continue
            try:
                pattern = re.compile(terms[r].lark_regex)
            except re.error:
                continue
            for lit in order:
                t = terms[lit]
                if t.is_string and t.priority == terms[r].priority:
                    m = pattern.match(t.value)
                    if m is not None and m.group(0) == t.value:
                        out.setdefault(r, []).append(lit)
        return out

    def state_for(self, candidates: frozenset[int]) -> int:
        """The start lexer state of a candidate terminal set (all before :meth:`build`)."""
        if self.rows:
            raise RuntimeError("state_for after build: the lexer starts are fixed by then")
        sid = self._start_memo.get(candidates)
        if sid is None:
            sid = self._start_memo[candidates] = self._start(candidates)
        return sid

    def _start(self, candidates: frozenset[int]) -> int:
        terms = self.terminals
        regexes = [r for r in candidates if r in self.unless]
        folded = {lit for r in regexes for lit in self.unless[r] if lit in candidates}
        embedded = {lit for r in regexes for lit in self.unless[r]
                    if lit in candidates and terms[lit].flags <= terms[r].flags}
        order = sorted(candidates - embedded, key=lambda i: terms[i].sort_key())
        threads = self._threads(self.starts[i] for i in order)
        shadow = self.nfa.closure(self.starts[i] for i in folded)
        sid = self._id((threads, shadow, True, -1))
        if sid not in self.starts_in_use:
            self.starts_in_use.append(sid)
        return sid

    def _threads(self, states) -> tuple[int, ...]:
        """The thread list of these NFA states (in priority order), cut after the first
        that has matched."""
        edges, finals = self.nfa.edges, self.final_to_term
        out = self.nfa.ordered(states, lambda s: bool(edges[s]) or s in finals)
        for k, s in enumerate(out):
            if s in finals:
                return out[:k + 1]
        return out

    def _id(self, key: Key) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.keys)
            self.keys.append(key)
        return self.ids[key]

    def build(self) -> LexerTables:
        """Tables of every state reachable from the starts."""
        sid = 0
        while sid < len(self.keys):
            self._row_of(sid)
            sid += 1
        if self.too_deep and not self.allow_deep_backups:
            names = ", ".join(f"{self.terminals[t].name} ({self.terminals[t].value!r})"
                              for t in sorted(self.too_deep))
            raise UnsupportedGrammarError(
                f"lark may back up over more than {MAX_BACKUP_DEPTH - 1} lexemes of {names} "
                "(a longer terminal stays open across them, then fails), which the matcher "
                "does not follow: it would reject such strings; pass allow_deep_backups=True "
                "to accept that, or keep the longer terminal from spanning them")
        n = len(self.keys)
        trans = (np.stack([self.rows[i] for i in range(n)]).astype(np.int32) if n
                 else np.zeros((0, 256), np.int32))
        accept = np.array([k[3] for k in self.keys], dtype=np.int32)
        is_start = np.array([k[2] for k in self.keys], dtype=bool)
        code_term = np.array([t for t, _ in self.codes], dtype=np.int32)
        starts = self.starts_in_use
        code_next = np.array([nxt if nxt is not None else starts for _, nxt in self.codes],
                             dtype=np.int32).reshape(len(self.codes), len(starts))
        start_index = np.full(n, -1, dtype=np.int32)
        start_index[starts] = np.arange(len(starts), dtype=np.int32)
        classes: dict[tuple[int, frozenset[int]], int] = {}
        state_class = np.array([classes.setdefault(w, len(classes)) for w in
                                _winnable([self.succ[i] for i in range(n)], accept,
                                          code_term, len(self.terminals))],
                               dtype=np.int32)
        return LexerTables(trans, accept, is_start, state_class,
                           tuple(m for m, _ in classes), tuple(tuple(sorted(c))
                                                               for _, c in classes),
                           code_term, code_next, start_index)

    def _row_of(self, sid: int) -> np.ndarray | None:
        """The transitions of state ``sid`` (None while they are being built: a best match
        whose bytes past it lead back to this very state is not followed)."""
        row = self.rows.get(sid)
        if row is None and sid not in self._building:
            self._building.add(sid)
            row, self.succ[sid] = self._row(self.keys[sid])
            self.rows[sid] = row
            self._building.discard(sid)
        return row

    def _row(self, key: Key) -> tuple[np.ndarray, set[int]]:
        """The transitions of one state, computed per run of bytes every edge treats alike."""
        threads, shadow, _, best = key
        edges = self.nfa.edges
        cuts = {0, 256}
        for s in threads:
            for lo, hi, _t in edges[s]:
                cuts.add(lo)
                cuts.add(hi + 1)
        for s in shadow:
            for lo, hi, _t in edges[s]:
                cuts.add(lo)
                cuts.add(hi + 1)
        bounds = sorted(cuts)
        row = np.full(256, -1, dtype=np.int64)
        targets = set()
        for a, z in zip(bounds, bounds[1:]):
            moves = tuple(t for s in threads for lo, hi, t in edges[s] if lo <= a <= hi)
            if not moves:
                continue
            nthreads = self._step_memo.get(moves)
            if nthreads is None:
                nthreads = self._step_memo[moves] = self._threads(moves)
            nshadow = self.nfa.closure(t for s in shadow for lo, hi, t in edges[s]
                                       if lo <= a <= hi)
            if best < 0 or (nthreads and nthreads[-1] in self.final_to_term):
                sid = self._id((nthreads, nshadow, False, self._best(nthreads, nshadow, best, a)))
                row[a:z] = sid
                targets.add(sid)
                continue
            for b in range(a, z):  # a match before: what the bytes past it become depends on b
                sid = self._id((nthreads, nshadow, False, self._best(nthreads, nshadow, best, b)))
                row[b] = sid
                targets.add(sid)
        return row, targets

    def _ignored_here(self, state: int) -> bool:
        """Whether a lexeme ending in ``state`` is an ``%ignore`` one matched right there
        (the parser never sees it, so the next lexeme starts from the same start)."""
        best = self.keys[state][3]
        if best < 0:
            return False
        term, nxt = self.codes[best]
        return nxt is None and self.terminals[term].ignore

    def _best(self, threads: tuple[int, ...], shadow: frozenset[int], before: int,
              byte: int) -> int:
        """The best match after stepping on ``byte``: one here, or the one ``before`` with
        this byte read past it too."""
        if threads and threads[-1] in self.final_to_term:
            term = self.final_to_term[threads[-1]]
            for lit in self.unless.get(term, ()):
                if self.finals[lit] in shadow:  # the regex matched exactly this literal
                    return lit
            return term
        if before < 0:
            return -1
        term, nxt = self.codes[before]
        after, depth = [], 0
        for start, state in zip(self.starts_in_use, nxt or self.starts_in_use):
            row = self._row_of(state) if state >= 0 else None
            target = -1 if row is None else int(row[byte])
            if target < 0 and row is not None and self._ignored_here(state):
                row = self._row_of(start)  # an ignored lexeme ended: the next starts alike
                target = -1 if row is None else int(row[byte])
            inner = self.keys[target][3] if target >= 0 else -1
            if inner >= 0:
                if self.code_depth[inner] >= MAX_BACKUP_DEPTH - 1:
                    self.too_deep.add(term)
                    target = -1
                else:
                    depth = max(depth, self.code_depth[inner])
            after.append(target)
        if max(after) < 0:
            return -1
        code: Code = (term, tuple(after))
        if code not in self.code_ids:
            self.code_ids[code] = len(self.codes)
            self.codes.append(code)
            self.code_depth.append(depth + 1)
        return self.code_ids[code]


def _winnable(succ: list[set[int]], accept: np.ndarray, code_term: np.ndarray,
              n_terms: int) -> list[tuple[int, frozenset[int]]]:
    """Per lexer state, the bitmask of the terminals a lexeme open there may still end as: the
    accepted terminal of a state reachable from it (itself included). A terminal whose NFA is
    still alive but that always loses the tie to another (``")"`` defined twice, or ``"ac"``
    matched by two regexes) is not among them, so the parser is never promised it. Endings
    that back up are kept apart, as their codes: whether one is viable depends on the parser
    after it."""
    accept_l = accept.tolist()
    terms = code_term.tolist()
    win = [1 << terms[c] if 0 <= c < n_terms else 0 for c in accept_l]
    back = [frozenset([c]) if c >= n_terms else frozenset() for c in accept_l]
    changed = True
    while changed:
        changed = False
        for s in range(len(win) - 1, -1, -1):
            w, b = win[s], back[s]
            for t in succ[s]:
                w |= win[t]
                b |= back[t]
            if w != win[s] or b != back[s]:
                win[s], back[s], changed = w, b, True
    return list(zip(win, back))
