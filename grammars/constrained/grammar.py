"""Compile a Lark grammar into the engine's one internal form, :class:`CompiledGrammar`.

The internal form is tokenizer-independent: an LALR(1) table (from lark) over terminals, and a
byte-level lexer DFA whose start state depends on the parser state (lark's contextual lexer).
JSON schemas (:mod:`grammars.jsonschema`) and regexes (:mod:`grammars.regex`) are translated to
Lark text first, so all three inputs end up here. Every grammar problem is raised now, as a
:class:`~grammars.constrained.errors.GrammarError`, never at decode time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .errors import (
    EmptyLanguageError,
    GrammarError,
    GrammarSyntaxError,
    UndefinedSymbolError,
    UnsupportedGrammarError,
)
from .lexer import LexerBuilder, LexerTables, Terminal
from .parser import ParseTables, Stack, tables_from_lark

if TYPE_CHECKING:
    import lark

# lark's common.lark terminals that use lookbehind, with an equivalent regex we can compile.
_EQUIVALENT_REGEX = {
    r'".*?(?<!\\)(\\\\)*?"': r'"(?:[^"\\\n]|\\[^\n])*"',
}


@dataclass
class CompiledGrammar:
    """A grammar ready to be bound to a vocabulary (see :class:`TokenIndex`)."""

    source: str
    start: str
    terminals: tuple[Terminal, ...]
    lexer: LexerTables
    parser: ParseTables
    lexer_start: np.ndarray  # int32 [n_parser_states]: start if every action is exact, or -1
    lark_parser: lark.Lark = field(repr=False)
    builder: LexerBuilder = field(repr=False)
    checked: tuple[tuple[int, ...], ...] = field(repr=False)  # per state: reduce terminals
    shifted: tuple[frozenset[int], ...] = field(repr=False)  # per state: shift terminals
    _by_set: dict[frozenset[int], int] = field(default_factory=dict, repr=False)
    _memo: dict[Stack, int] = field(default_factory=dict, repr=False)  # a bounded cache

    def start_lexer_state(self, stack: Stack) -> int:
        """The lexer start for a parser configuration: the terminals it really accepts.

        LALR merges lookaheads, so a reduce action may be listed for a terminal that the
        configuration rejects after reducing; those are tested by feeding them (a lexeme the
        parser would reject is never started, so the matcher has no dead ends)."""
        top = stack[0]
        fixed = self.lexer_start[top]
        if fixed >= 0:
            return int(fixed)
        memo = self._memo.get(stack)
        if memo is not None:
            return memo
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[stack] = start = self._exact_start(stack)
        return start

    def _exact_start(self, stack: Stack) -> int:
        top = stack[0]
        feed = self.parser.feed
        ok = self.shifted[top] | frozenset(t for t in self.checked[top]
                                           if feed(stack, t) is not None)
        start = self._by_set.get(ok)
        if start is None:
            start = self._by_set[ok] = self.builder.state_for(ok)
            self.lexer = self.builder.build()
        return start

    def possible_starts(self, state: int) -> set[int]:
        """Lexer starts a configuration with top ``state`` may have (for precomputation):
        its shift terminals plus any subset of its reduce terminals (singletons if many)."""
        if self.lexer_start[state] >= 0:
            return {int(self.lexer_start[state])}
        checked = self.checked[state]
        if len(checked) <= 4:
            subsets = [frozenset(t for i, t in enumerate(checked) if m >> i & 1)
                       for m in range(1 << len(checked))]
        else:
            subsets = [frozenset(), frozenset(checked)] + [frozenset([t]) for t in checked]
        out = set()
        for sub in subsets:
            ok = self.shifted[state] | sub
            if ok not in self._by_set:
                self._by_set[ok] = self.builder.state_for(ok)
            out.add(self._by_set[ok])
        self.lexer = self.builder.build()
        return out

    def matches(self, text: str) -> bool:
        """Whether lark itself parses ``text`` (the oracle used by the tests)."""
        import lark

        try:
            self.lark_parser.parse(text)
        except lark.exceptions.LarkError:
            return False
        return True


def compile_lark(text: str, start: str = "start") -> CompiledGrammar:
    """Compile Lark grammar text (LALR(1); regex terminals; ``%ignore``; ``%import common``)."""
    lk = _load_lark(text, start)
    _check_productive(lk, start)
    terminals = _terminals(lk)
    term_index = {t.name: i for i, t in enumerate(terminals)}
    parse_table = lk.parser.parser.parser.parse_table
    tables = tables_from_lark(parse_table, start, term_index)
    builder = LexerBuilder(list(terminals))
    ignore = frozenset(i for i, t in enumerate(terminals) if t.ignore)
    n_states = len(tables.action)
    lexer_start = np.full(n_states, -1, dtype=np.int32)
    end = tables.end_terminal
    checked, shifted = [], []
    for s in range(n_states):
        acts = tables.action[s]
        shifted.append(frozenset(t for t, a in acts.items() if a >= 0 and t != end) | ignore)
        checked.append(tuple(t for t, a in acts.items() if a < 0 and t != end))
        if not checked[-1]:
            lexer_start[s] = builder.state_for(shifted[-1])
    return CompiledGrammar(text, start, terminals, builder.build(), tables, lexer_start, lk,
                           builder, tuple(checked), tuple(shifted))


def _load_lark(text: str, start: str) -> lark.Lark:
    import lark

    try:
        return lark.Lark(text, parser="lalr", lexer="contextual", start=start)
    except lark.exceptions.UnexpectedInput as e:
        raise GrammarSyntaxError(str(e).splitlines()[0], e.line, e.column) from e
    except lark.exceptions.GrammarError as e:
        msg = str(e)
        if "collision" in msg:
            raise UnsupportedGrammarError(
                "grammar is not LALR(1) (rewrite the ambiguous rules): " + msg.strip()) from e
        if "not defined" in msg or "undefined" in msg.lower():
            raise UndefinedSymbolError(msg) from e
        raise GrammarError(msg) from e
    except lark.exceptions.LarkError as e:
        raise GrammarError(str(e)) from e


def _check_productive(lk: lark.Lark, start: str) -> None:
    """Raise if ``start`` derives no finite string (an empty language)."""
    productive: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in lk.rules:
            name = r.origin.name
            if name not in productive and all(
                    s.is_term or s.name in productive for s in r.expansion):
                productive.add(name)
                changed = True
    if start not in productive:
        dead = sorted({r.origin.name for r in lk.rules} - productive)
        raise EmptyLanguageError(
            f"the grammar accepts no string: rule(s) {', '.join(dead)} can never finish "
            "(every alternative recurses)")


def _terminals(lk: lark.Lark) -> tuple[Terminal, ...]:
    from lark.lexer import PatternStr

    ignore = set(lk.ignore_tokens)
    out = []
    for t in lk.terminals:
        regex = t.pattern.to_regexp()
        regex = _EQUIVALENT_REGEX.get(regex, regex)
        out.append(Terminal(t.name, regex, t.priority, isinstance(t.pattern, PatternStr),
                            min(t.pattern.max_width, 2**31), t.name in ignore))
    return tuple(out)
