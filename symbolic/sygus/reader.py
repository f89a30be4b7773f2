"""Read SyGuS-IF text with ``grammars/sygus.lark`` into located commands of raw s-expressions.

The lark ``Transformer`` turns the parse tree into ``Command`` records whose payloads are
``Atom`` / ``SList`` s-expressions that keep their line and column; ``spec.py`` elaborates
them into a typed ``Spec``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ParseError, UnsupportedError


@dataclass(frozen=True)
class Atom:
    """A token: kind is the terminal name (NUMERAL, HEXBV, BINBV, STRING, SYMBOL, ...)."""

    kind: str
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class SList:
    """A parenthesised list of s-expressions."""

    items: tuple[SExpr, ...]
    line: int
    column: int


SExpr = Atom | SList


@dataclass(frozen=True)
class Command:
    """One top-level command: its name (``synth-fun``...), payload and location."""

    name: str
    args: tuple[Any, ...]
    line: int
    column: int


def _tok(t: Any) -> Atom:
    return Atom(t.type, _unbar(str(t)) if t.type == "SYMBOL" else str(t), t.line, t.column)


def _unbar(s: str) -> str:
    return s[1:-1] if len(s) > 1 and s[0] == "|" and s[-1] == "|" else s


def _make_transformer():
    from lark import Token, Transformer, v_args

    @v_args(meta=True)
    class ToCommands(Transformer):
        """Method names are the grammar's rule aliases."""

        def start(self, meta, items):
            return list(items)

        def atom(self, meta, items):
            return _tok(items[0])

        def slist(self, meta, items):
            line = getattr(meta, "line", 0)
            return SList(tuple(items), line, getattr(meta, "column", 0))

        def sorted_var(self, meta, items):
            return (_tok(items[0]), items[1])

        def simple_sort(self, meta, items):
            return ("sort", _tok(items[0]), ())

        def indexed_sort(self, meta, items):
            return ("sort", _tok(items[0]), tuple(_tok(t) for t in items[1:]))

        def param_sort(self, meta, items):
            return ("sort", _tok(items[0]), tuple(items[1:]))

        def nt_decl(self, meta, items):
            return (_tok(items[0]), items[1])

        def grouped_rule(self, meta, items):
            return (_tok(items[0]), items[1], tuple(items[2:]))

        def grammar_v2(self, meta, items):
            decls = [i for i in items if len(i) == 2]
            rules = [i for i in items if len(i) == 3]
            return ("grammar", tuple(decls), tuple(rules))

        def grammar_v1(self, meta, items):
            return ("grammar", tuple((r[0], r[1]) for r in items), tuple(items))

        def __default__(self, data, children, meta):
            args = tuple(_tok(c) if isinstance(c, Token) else c for c in children)
            return Command(str(data).replace("_", "-"), args, getattr(meta, "line", 0),
                           getattr(meta, "column", 0))

    return ToCommands()


MAX_DEPTH = 400
"""Deepest nesting of parentheses read (the reader and the term walks recurse; benchmark files
stay far below it)."""


def check_depth(text: str, file: str = "<string>", limit: int = MAX_DEPTH) -> None:
    """Raise ``UnsupportedError`` at the first parenthesis nested deeper than ``limit``
    (string literals, ``|quoted|`` symbols and ``;`` comments skipped)."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"|;":  # skip past the end of the literal, symbol or comment
            j = text.find("\n" if ch == ";" else ch, i + 1)
            i = n if j < 0 else j + 1
            continue
        if ch == "(":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, i) + 1
                raise UnsupportedError(f"terms nested deeper than {limit} levels", file=file,
                                       line=line, column=i - text.rfind("\n", 0, i))
        elif ch == ")":
            depth -= 1
        i += 1


def read_commands(text: str, file: str = "<string>") -> list[Command]:
    """Parse SyGuS-IF text into commands; syntax errors become a located ``ParseError``,
    nesting past ``MAX_DEPTH`` a located ``UnsupportedError``."""
    import lark

    from grammars.load import parser

    check_depth(text, file)
    try:
        tree = parser("sygus").parse(text)
    except lark.exceptions.UnexpectedInput as e:
        raise ParseError(_describe(e), file=file, line=getattr(e, "line", None),
                         column=getattr(e, "column", None)) from None
    return _make_transformer().transform(tree)


def _describe(e: Any) -> str:
    import lark

    expected = sorted(getattr(e, "expected", None) or getattr(e, "allowed", None) or ())
    names = ", ".join(expected[:6]) + (", ..." if len(expected) > 6 else "")
    token = getattr(e, "token", None)
    if isinstance(e, lark.exceptions.UnexpectedEOF) or getattr(token, "type", "") == "$END":
        return "unexpected end of file (unbalanced parentheses?)"
    if isinstance(e, lark.exceptions.UnexpectedCharacters):
        return f"unexpected character {e.char!r}"
    got = f"unexpected {shown(str(token))}" if token is not None and str(token) else \
        "unexpected input"
    return f"{got}; expected {names}" if names else got


def shown(text: str, width: int = 40) -> str:
    """Source text quoted in a one-line message: as written when it is short and printable,
    else escaped and cut."""
    if text.isprintable() and len(text) <= width:
        return text
    return repr(text[:width]) + ("..." if len(text) > width else "")
