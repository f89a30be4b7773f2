"""Compile a Lark grammar into the engine's one internal form, :class:`CompiledGrammar`.

The internal form is tokenizer-independent: an LALR(1) table (from lark) over terminals, and a
byte-level lexer DFA whose start state depends on the parser state (lark's contextual lexer).
Regexes (:mod:`grammars.regex`) are translated to Lark text first; JSON schemas
(:mod:`grammars.jsonschema`) are built as BNF, a :class:`Bnf` that :func:`compile_bnf` compiles
as :func:`compile_lark` compiles its Lark text, without reading text (lark's grammar parser and
its EBNF expansion took about two thirds of a schema's compile time). Either way only lark's
loader and LALR(1) analysis run, not its parse-tree and lexer front end: lark's own parser, the
oracle of :meth:`CompiledGrammar.matches`, is built only when asked for. Every grammar problem
is raised now, as a :class:`~grammars.constrained.errors.GrammarError`, never at decode time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
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
    lexer_start: np.ndarray  # int32 [n_parser_states]: start lexer state per parser state
    _lark: lark.Lark | None = field(repr=False)  # None: built from ``source`` when needed
    shifted: tuple[int, ...] = field(repr=False)  # per state: bitmask of shift terminals
    checked: tuple[tuple[int, ...], ...] = field(repr=False)  # per state: reduce terminals
    _memo: dict[Stack, int] = field(default_factory=dict, repr=False)  # a bounded cache

    def start_lexer_state(self, stack: Stack) -> int:
        """lark's contextual lexer: the terminals in the top state's action table."""
        return int(self.lexer_start[stack[0]])

    def acceptable(self, stack: Stack) -> int:
        """Bitmask of the terminals this configuration really accepts next (``%ignore`` ones
        included). LALR merges lookaheads, so a reduce action may be listed for a terminal the
        configuration rejects after reducing; those are tested by feeding them."""
        top = stack[0]
        checked = self.checked[top]
        if not checked:
            return self.shifted[top]
        memo = self._memo.get(stack)
        if memo is None:
            if len(self._memo) > 200_000:
                self._memo.clear()
            feed = self.parser.feed
            memo = self.shifted[top]
            for t in checked:
                if feed(stack, t) is not None:
                    memo |= 1 << t
            self._memo[stack] = memo
        return memo

    def acceptable_depth(self, stack: Stack, ext: int) -> tuple[int, int]:
        """:meth:`acceptable` and the lowest height it looked at (see ``feed_depth``)."""
        top = stack[0]
        acc, low = self.shifted[top], ext
        for t in self.checked[top]:
            nxt, _, lo = self.parser.feed_depth(stack, t, ext)
            low = min(low, lo)
            if nxt is not None:
                acc |= 1 << t
        return acc, low

    @property
    def lark_parser(self) -> lark.Lark:
        """lark's own parser of ``source`` (the grammar as Lark text)."""
        if self._lark is None:
            self._lark = _load_lark(self.source, self.start, allow_shift_reduce=True)
        return self._lark

    def matches(self, text: str) -> bool:
        """Whether lark itself parses ``text`` (the oracle used by the tests)."""
        import lark

        try:
            self.lark_parser.parse(text)
        except lark.exceptions.LarkError:
            return False
        return True


def compile_lark(text: str, start: str = "start", allow_shift_reduce: bool = False,
                 allow_deep_backups: bool = False) -> CompiledGrammar:
    """Compile Lark grammar text (LALR(1); regex terminals; ``%ignore``; ``%import common``).
    A shift/reduce conflict is refused unless ``allow_shift_reduce`` (lark resolves it as a
    shift, which can leave a prefix no string completes); so is a grammar where lark's lexer
    may back up over more than three lexemes, unless ``allow_deep_backups`` (the matcher then
    rejects the strings lark reads only that way)."""
    term_defs, rules, ignore, parse_table = _lark_parts(text, start, allow_shift_reduce)
    _check_productive(rules, start)
    return _compile(text, start, _terminals(term_defs, ignore), parse_table, None,
                    allow_deep_backups)


@dataclass(frozen=True)
class Bnf:
    """A grammar in BNF, as a front end builds it: per rule its alternatives (tuples of symbol
    names; ``()`` is the empty one), per terminal its Lark literal (``"text"`` or
    ``/regex/flags``, read exactly as lark reads them), the ``%ignore``d terminals."""

    rules: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    terminals: tuple[tuple[str, str], ...]
    ignore: tuple[str, ...] = ()
    start: str = "start"

    def to_lark(self) -> str:
        """The same grammar as Lark text."""
        lines = [f"{name}: " + "\n    | ".join(" ".join(alt) for alt in alts)
                 for name, alts in self.rules]
        lines += [f"{name}: {lit}" for name, lit in self.terminals]
        lines += [f"%ignore {name}" for name in self.ignore]
        return "\n".join(lines) + "\n"


def compile_bnf(bnf: Bnf, allow_deep_backups: bool = False) -> CompiledGrammar:
    """Compile a :class:`Bnf` grammar: what :func:`compile_lark` makes of ``bnf.to_lark()``
    (the same terminals, rules and LALR(1) analysis, by lark), without reading the text. A
    grammar lark would refuse (undefined or duplicate symbols, conflicts) goes through
    :func:`compile_lark` for lark's own error."""
    parts = _bnf_parts(bnf)
    if parts is None:
        return compile_lark(bnf.to_lark(), bnf.start, allow_deep_backups=allow_deep_backups)
    term_defs, rules, parse_table = parts
    _check_productive(rules, bnf.start)
    return _compile(bnf.to_lark(), bnf.start, _terminals(term_defs, bnf.ignore), parse_table,
                    None, allow_deep_backups)


def _bnf_parts(bnf: Bnf) -> tuple[list, list, object] | None:
    """lark's terminal definitions, rules and LALR(1) parse table of ``bnf`` (None where lark
    would report a problem: the caller lets lark read the text and say what it is)."""
    from lark.common import ParserConf
    from lark.exceptions import GrammarError as LarkGrammarError
    from lark.grammar import NonTerminal, Rule
    from lark.grammar import Terminal as LarkTerminal
    from lark.lexer import TerminalDef
    from lark.parsers.lalr_analysis import LALR_Analyzer

    by_name = dict(bnf.rules)
    lits = dict(bnf.terminals)
    if len(by_name) != len(bnf.rules) or len(lits) != len(bnf.terminals) or (
            set(by_name) & set(lits)) or not set(bnf.ignore) <= set(lits):
        return None
    for alts in by_name.values():
        if len(set(alts)) != len(alts) or any(
                sym not in by_name and sym not in lits for alt in alts for sym in alt):
            return None  # an alternative defined twice, or an undefined symbol
    if bnf.start not in by_name:
        return None
    reached = set(by_name)
    while True:  # lark drops the rules no other rule uses (as it does: cycles stay)
        kept = {sym for name in reached for alt in by_name[name] for sym in alt
                if sym in by_name and sym != name} | {bnf.start}
        if kept >= reached:
            break
        reached &= kept
    used = set(bnf.ignore) | {sym for name in reached for alt in by_name[name] for sym in alt
                              if sym in lits}
    try:
        term_defs = [TerminalDef(name, _pattern(lit)) for name, lit in bnf.terminals
                     if name in used]
    except LarkGrammarError:
        return None
    rules = [Rule(NonTerminal(name), [LarkTerminal(s) if s in lits else NonTerminal(s)
                                      for s in alt], order)
             for name, alts in bnf.rules if name in reached
             for order, alt in enumerate(alts)]
    try:
        analysis = LALR_Analyzer(ParserConf(rules, {}, [bnf.start]))
        analysis.compute_lalr()
    except (LarkGrammarError, RecursionError):
        return None
    if _shift_reduce(analysis):
        return None
    return term_defs, rules, analysis.parse_table


def clear_compile_caches() -> None:
    """Empty the bounded caches compilation shares across grammars (lark's pattern of each
    Lark literal, the NFA of each regex): for a measurement of a cold start."""
    from .nfa import _fragment

    _pattern.cache_clear()
    _fragment.cache_clear()


@lru_cache(maxsize=4096)
def _pattern(literal: str):
    """lark's pattern of a Lark literal (``"text"`` or ``/regex/flags``), read as lark does."""
    from lark.lexer import Token
    from lark.load_grammar import _literal_to_pattern

    return _literal_to_pattern(Token("STRING" if literal[0] == '"' else "REGEXP", literal))


def _compile(text: str, start: str, terminals: tuple[Terminal, ...], parse_table,
             lk: lark.Lark | None, allow_deep_backups: bool) -> CompiledGrammar:
    term_index = {t.name: i for i, t in enumerate(terminals)}
    tables = tables_from_lark(parse_table, start, term_index)
    builder = LexerBuilder(list(terminals), allow_deep_backups)
    ignore = frozenset(i for i, t in enumerate(terminals) if t.ignore)
    n_states = len(tables.action)
    lexer_start = np.empty(n_states, dtype=np.int32)
    end = tables.end_terminal
    checked, shifted = [], []
    for s in range(n_states):
        acts = tables.action[s]
        lexer_start[s] = builder.state_for(frozenset(t for t in acts if t != end) | ignore)
        shift = [t for t, a in acts.items() if a >= 0 and t != end] + list(ignore)
        shifted.append(sum(1 << t for t in set(shift)))
        checked.append(tuple(t for t, a in acts.items() if a < 0 and t != end))
    return CompiledGrammar(text, start, terminals, builder.build(), tables, lexer_start, lk,
                           tuple(shifted), tuple(checked))


def _load_lark(text: str, start: str, allow_shift_reduce: bool = False) -> lark.Lark:
    """lark's own parser of ``text`` (the oracle of :meth:`CompiledGrammar.matches`)."""
    import lark

    with _lark_errors(), _ShiftReduce() as conflicts:
        lk = lark.Lark(text, parser="lalr", lexer="contextual", start=start)
    if conflicts.found and not allow_shift_reduce:
        raise _not_lalr(conflicts.found)
    return lk


def _lark_parts(text: str, start: str, allow_shift_reduce: bool = False) -> tuple:
    """What ``lark.Lark(text, parser="lalr")`` builds that the engine uses: the terminal
    definitions, the rules, the ``%ignore`` names and the LALR(1) parse table (its tree
    builder and lexer, which took about half its time, are left out; its lexer's checks of
    the terminals are made)."""
    import re

    from lark.common import LexerConf, ParserConf
    from lark.lexer import BasicLexer
    from lark.load_grammar import load_grammar
    from lark.parsers.lalr_analysis import LALR_Analyzer

    with _lark_errors():
        grammar, _ = load_grammar(text, "<string>", None, False)
        terminals, rules, ignore = grammar.compile([start], set())
        BasicLexer(LexerConf(terminals, re, ignore))  # checks each terminal, compiles nothing
        analysis = LALR_Analyzer(ParserConf(rules, {}, [start]))
        analysis.compute_lalr()
    conflicts = _shift_reduce(analysis)
    if conflicts and not allow_shift_reduce:
        raise _not_lalr(conflicts)
    return terminals, rules, ignore, analysis.parse_table


def _shift_reduce(analysis) -> list[str]:
    """The shift/reduce conflicts lark's LALR(1) analysis resolved silently as shifts, as
    :class:`_ShiftReduce` reads them from its log (found here, not logged: turning lark's log
    level up and down took about a millisecond a grammar, clearing every logger's cache)."""
    found = []
    for itemset in analysis.lr0_itemsets:  # the order lark visits them in
        for la, rules in itemset.lookaheads.items():
            if la not in itemset.transitions:
                continue
            if len(rules) > 1:  # lark keeps the one of highest priority, if there is one
                ranked = sorted(rules, key=lambda r: r.options.priority or 0, reverse=True)
                if (ranked[0].options.priority or 0) <= (ranked[1].options.priority or 0):
                    continue  # a reduce/reduce conflict: lark has raised it
                rules = {ranked[0]}
            rule, = rules
            found.append(f"shift/reduce conflict for terminal {la.name} with the rule "
                         f"{_one_line(str(rule))}")
    return found


def _not_lalr(conflicts: list[str]) -> UnsupportedGrammarError:
    return UnsupportedGrammarError(
        "grammar is not LALR(1) (rewrite the ambiguous rules): " + "; ".join(conflicts[:3])
        + " (lark resolves it as a shift, which can leave a prefix no string completes)")


@contextmanager
def _lark_errors() -> Iterator[None]:
    """lark's errors (reading, analysing a grammar) as ours."""
    import lark

    try:
        yield
    except lark.exceptions.UnexpectedInput as e:
        raise GrammarSyntaxError(str(e).splitlines()[0], e.line, e.column) from e
    except lark.exceptions.GrammarError as e:
        msg = _one_line(str(e))
        if "collision" in msg:
            raise UnsupportedGrammarError(
                "grammar is not LALR(1) (rewrite the ambiguous rules): " + msg) from e
        if "not defined" in msg or "undefined" in msg.lower():
            raise UndefinedSymbolError(msg) from e
        raise GrammarError(msg) from e
    except lark.exceptions.LarkError as e:
        raise GrammarError(_one_line(str(e))) from e
    except RecursionError:
        raise GrammarSyntaxError("rules nested too deeply to read") from None
    except OSError as e:  # %import of a grammar file that does not exist
        raise GrammarError(f"cannot %import {e.filename!r}: {e.strerror or e}") from None
    except _regex_errors() as e:
        raise GrammarSyntaxError(f"bad regular expression: {_one_line(str(e))}") from None
    except (AttributeError, TypeError) as e:  # lark's own loader failing on malformed text
        raise GrammarSyntaxError(f"malformed grammar ({type(e).__name__}: "
                                 f"{_one_line(str(e))})") from None


class _ShiftReduce(logging.Handler):
    """Collects the shift/reduce conflicts lark resolves silently (it only logs them)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []
        self._rule = False

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith("Shift/Reduce conflict"):
            self.found.append(_one_line(msg.split(":")[0]).replace("Shift/Reduce", "shift/reduce"))
            self._rule = True
        elif self._rule and msg.startswith(" * "):
            self.found[-1] += f" with the rule {_one_line(msg[3:])}"
            self._rule = False

    def __enter__(self) -> _ShiftReduce:
        from lark.utils import logger

        self._saved = logger.level, logger.handlers[:], logger.propagate
        logger.handlers[:] = [self]  # lark's own stderr handler stays quiet meanwhile
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        from lark.utils import logger

        level, logger.handlers[:], logger.propagate = self._saved
        logger.setLevel(level)


def _regex_errors() -> tuple[type[Exception], ...]:
    """The errors of the regex engines lark compiles terminals with (``regex`` if installed)."""
    import re

    try:
        import regex
    except ImportError:
        return (re.error,)
    return (re.error, regex.error)


def _one_line(message: str) -> str:
    """A lark message on one line: the excerpt of the grammar and its caret line (the first
    line already names line and column) are dropped, listed rules are joined."""
    head, _, excerpt = message.partition("\n\n")
    if not excerpt.rstrip().endswith("^"):
        head = message
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()]
    return " ".join(lines).removesuffix(" in <string>:").rstrip(":") or "invalid grammar"


def _check_productive(rules: list, start: str) -> None:
    """Raise if ``start`` (of lark's ``rules``) derives no finite string (an empty language)."""
    productive: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in rules:
            name = r.origin.name
            if name not in productive and all(
                    s.is_term or s.name in productive for s in r.expansion):
                productive.add(name)
                changed = True
    if start not in productive:
        dead = sorted({r.origin.name for r in rules} - productive)
        raise EmptyLanguageError(
            f"the grammar accepts no string: rule(s) {', '.join(dead)} can never finish "
            "(every alternative recurses)")
    reachable, todo = {start}, [start]
    while todo:
        name = todo.pop()
        for r in rules:
            if r.origin.name == name:
                for sym in r.expansion:
                    if not sym.is_term and sym.name not in reachable:
                        reachable.add(sym.name)
                        todo.append(sym.name)
    dead = sorted(n for n in reachable - productive if not n.startswith("_"))
    dead = dead or sorted(reachable - productive)
    if dead:  # the parser would take a prefix into them that no string completes
        raise UnsupportedGrammarError(
            f"rule(s) {', '.join(dead)} can never finish (every alternative recurses), so "
            "text that enters them can never be completed; give each an alternative that "
            "ends, or remove it")


def _terminals(term_defs, ignore_names) -> tuple[Terminal, ...]:
    """Our terminals from lark's ``TerminalDef`` list and ``%ignore`` names."""
    from lark.lexer import PatternStr

    ignore = set(ignore_names)
    out = []
    for t in term_defs:
        regex = t.pattern.to_regexp()
        regex = _EQUIVALENT_REGEX.get(regex, regex)
        if t.name in ignore:  # a run of ignored text is one lexeme (same parse, far fewer
            regex = f"(?:{regex})+"  # lexeme boundaries inside whitespace-run tokens)
        out.append(Terminal(t.name, regex, t.priority, isinstance(t.pattern, PatternStr),
                            min(t.pattern.max_width, 2**31), t.name in ignore,
                            t.pattern.value, t.pattern.to_regexp(), frozenset(t.pattern.flags)))
    return tuple(out)
