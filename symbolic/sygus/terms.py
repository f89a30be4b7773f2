"""Sorts and terms: the typed syntax every other module works on.

Terms are frozen dataclasses (hashable, compared structurally). Bit-vector values are Python
ints in ``[0, 2**width)``; Int values are unbounded Python ints; strings are Python ``str``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class SortKind(str, Enum):
    INT = "Int"
    BOOL = "Bool"
    STRING = "String"
    BV = "BitVec"


@dataclass(frozen=True)
class Sort:
    """A SyGuS sort: Int, Bool, String or ``(_ BitVec width)``."""

    kind: SortKind
    width: int = 0

    def __str__(self) -> str:
        return f"(_ BitVec {self.width})" if self.kind is SortKind.BV else self.kind.value

    @property
    def mask(self) -> int:
        return (1 << self.width) - 1


INT = Sort(SortKind.INT)
BOOL = Sort(SortKind.BOOL)
STRING = Sort(SortKind.STRING)


def bv(width: int) -> Sort:
    return Sort(SortKind.BV, width)


Value = int | bool | str


@dataclass(frozen=True)
class Lit:
    """A literal of a sort."""

    value: Value
    sort: Sort


@dataclass(frozen=True)
class Var:
    """A declared variable, a function parameter or a let-bound name."""

    name: str
    sort: Sort


@dataclass(frozen=True)
class App:
    """A built-in operator applied to arguments; ``indices`` for ``(_ extract i j)`` and kin."""

    op: str
    args: tuple[Term, ...]
    sort: Sort
    indices: tuple[int, ...] = ()


@dataclass(frozen=True)
class Call:
    """A call of a ``define-fun`` macro or of a function being synthesized."""

    func: str
    args: tuple[Term, ...]
    sort: Sort


@dataclass(frozen=True)
class Hole:
    """A grammar non-terminal inside a rule (a place where a sub-program goes)."""

    name: str
    sort: Sort


Term = Lit | Var | App | Call | Hole


@dataclass(frozen=True)
class Function:
    """A function with a body: a ``define-fun`` macro or a synthesized solution."""

    name: str
    params: tuple[Var, ...]
    sort: Sort
    body: Term
    line: int = field(default=0, compare=False)


def size(term: Term) -> int:
    """Number of nodes of a term."""
    if isinstance(term, (App, Call)):
        return 1 + sum(size(a) for a in term.args)
    return 1


def rewrite(term: Term, replace: Callable[[Term], Term | None]) -> Term:
    """The term rebuilt top-down: where ``replace(t)`` gives a term it stands in for ``t``
    (and is not rewritten further); where it gives None, ``t``'s arguments are rewritten,
    left to right."""
    new = replace(term)
    if new is not None:
        return new
    if isinstance(term, App):
        return App(term.op, tuple(rewrite(a, replace) for a in term.args), term.sort,
                   term.indices)
    if isinstance(term, Call):
        return Call(term.func, tuple(rewrite(a, replace) for a in term.args), term.sort)
    return term


def substitute(term: Term, mapping: dict[str, Term]) -> Term:
    """Replace variables and holes by name (simultaneously)."""
    return rewrite(term, lambda t: mapping.get(t.name) if isinstance(t, (Var, Hole)) else None)


def calls(term: Term, names: frozenset[str] | set[str]) -> list[Call]:
    """Every call of a function in ``names`` inside ``term`` (not inside macro bodies)."""
    out: list[Call] = []
    stack = [term]
    while stack:
        t = stack.pop()
        if isinstance(t, Call) and t.func in names:
            out.append(t)
        if isinstance(t, (App, Call)):
            stack.extend(t.args)
    return out


def free_vars(term: Term) -> set[str]:
    if isinstance(term, Var):
        return {term.name}
    if isinstance(term, (App, Call)):
        return set().union(*(free_vars(a) for a in term.args)) if term.args else set()
    return set()
