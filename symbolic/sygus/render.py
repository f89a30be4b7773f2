"""Printing terms and answers in SyGuS-IF 2.1 syntax."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .terms import App, Call, Function, Hole, Lit, SortKind, Term, Var

_SIMPLE = re.compile(r"^[a-zA-Z~!@$%^&*_+=<>.?/\-][a-zA-Z0-9~!@$%^&*_+=<>.?/\-]*$")


def symbol(name: str) -> str:
    return name if _SIMPLE.match(name) else f"|{name}|"


def literal(lit: Lit) -> str:
    k = lit.sort.kind
    if k is SortKind.BOOL:
        return "true" if lit.value else "false"
    if k is SortKind.INT:
        assert isinstance(lit.value, int)
        return str(lit.value) if lit.value >= 0 else f"(- {-lit.value})"
    if k is SortKind.STRING:
        return '"' + str(lit.value).replace('"', '""') + '"'
    w = lit.sort.width
    if w % 4 == 0:
        return "#x" + format(lit.value, f"0{w // 4}x")
    return "#b" + format(lit.value, f"0{w}b")


def show(term: Term) -> str:
    """A term in SMT-LIB concrete syntax."""
    if isinstance(term, Lit):
        return literal(term)
    if isinstance(term, (Var, Hole)):
        return symbol(term.name)
    if isinstance(term, App):
        head = term.op if not term.indices else \
            f"(_ {term.op} {' '.join(map(str, term.indices))})"
        return f"({head} {' '.join(show(a) for a in term.args)})"
    assert isinstance(term, Call)
    if not term.args:
        return symbol(term.func)
    return f"({symbol(term.func)} {' '.join(show(a) for a in term.args)})"


def define_fun(f: Function) -> str:
    params = " ".join(f"({symbol(p.name)} {p.sort})" for p in f.params)
    return f"(define-fun {symbol(f.name)} ({params}) {f.sort} {show(f.body)})"


def answer(functions: Sequence[Function]) -> str:
    """The SyGuS-IF 2.1 answer: ``(`` one define-fun per line ``)``."""
    return "(\n" + "\n".join(define_fun(f) for f in functions) + "\n)"


__all__ = ["answer", "define_fun", "show", "SortKind"]
