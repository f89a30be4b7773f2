"""VNNLIB 1.0 properties: parse (``grammars/vnnlib.lark``) into a ``Property`` of box cases.

A ``Property`` describes the *violation*: the network violates it at ``x`` when ``x`` lies in
some case's input box and ``y = f(x)`` satisfies some disjunct ``C y <= d`` of that case. The
assertions are put in disjunctive normal form; each conjunct must bound every input with
constants (a box) and constrain outputs by linear atoms (``Y_i`` vs number or ``Y_j``).
Conjuncts with the same box share a case.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import VnnlibError

MAX_CONJUNCTS = 100_000
_VAR = re.compile(r"([XY])_(\d+)$")


@dataclass(frozen=True)
class Var:
    """``X_i`` (input, kind "X") or ``Y_j`` (output, kind "Y") at a source position."""

    kind: str
    index: int
    line: int
    column: int


@dataclass(frozen=True)
class Atom:
    """``lhs <= rhs`` (a ``>=`` atom is stored swapped); terms are ``Var`` or float."""

    lhs: Var | float
    rhs: Var | float
    line: int
    column: int


@dataclass(frozen=True)
class Disjunct:
    """Unsafe output set ``{y : matrix @ y <= rhs}`` (every row must hold)."""

    matrix: np.ndarray
    rhs: np.ndarray

    def margin(self, y: np.ndarray) -> np.ndarray:
        """``max_i (C_i y - d_i)`` per row of ``y`` ([B, n_out]); <= 0 means violated."""
        if len(self.rhs) == 0:
            return np.full(len(y), -np.inf)
        return (y @ self.matrix.T - self.rhs).max(axis=1)


@dataclass(frozen=True)
class Case:
    """An input box and the disjuncts of the unsafe output region over it."""

    lower: np.ndarray
    upper: np.ndarray
    disjuncts: tuple[Disjunct, ...]

    @property
    def empty(self) -> bool:
        return bool(np.any(self.lower > self.upper)) or not self.disjuncts


@dataclass(frozen=True)
class Property:
    """A parsed VNNLIB file: its declared sizes and its cases (the violation is their union)."""

    input_size: int
    output_size: int
    cases: tuple[Case, ...]
    name: str = ""


# ---------------------------------------------------------------- parsing


def _transformer(file: str):
    from lark import Transformer, v_args

    @v_args(inline=True)
    class ToAst(Transformer):
        def start(self, *commands):
            return list(commands)

        def declare(self, name, sort):
            m = _VAR.match(str(name))
            if not m:
                raise VnnlibError(f"cannot declare {name}: expected X_i or Y_j", file,
                                  name.line, name.column)
            if str(sort) != "Real":
                raise VnnlibError(f"{name} has sort {sort}; expected Real", file, sort.line,
                                  sort.column)
            return ("declare", Var(m[1], int(m[2]), name.line, name.column))

        def assertion(self, formula):
            return ("assert", formula)

        def conj(self, *parts):
            return ("and", list(parts))

        def disj(self, *parts):
            return ("or", list(parts))

        def atom(self, op, a, b):
            lhs, rhs = (a, b) if str(op) == "<=" else (b, a)
            return Atom(lhs, rhs, op.line, op.column)

        def var(self, name):
            m = _VAR.match(str(name))
            if not m:
                raise VnnlibError(f"unknown variable {name}: expected X_i or Y_j", file,
                                  name.line, name.column)
            return Var(m[1], int(m[2]), name.line, name.column)

        def num(self, token):
            return float(token)

    return ToAst()


def parse_vnnlib(text: str, file: str = "<vnnlib>") -> Property:
    """Parse VNNLIB 1.0 text into a ``Property``; errors carry file, line and column."""
    import lark

    from grammars.load import parser

    try:
        tree = parser("vnnlib").parse(text)
        commands = _transformer(file).transform(tree)
    except lark.exceptions.VisitError as e:
        if isinstance(e.orig_exc, VnnlibError):
            raise e.orig_exc from None
        raise
    except lark.UnexpectedInput as e:
        raise VnnlibError(_describe(e), file, e.line, e.column) from None
    return _build(commands, file)


def read_vnnlib(path: str | Path) -> Property:
    """Read and parse a VNNLIB file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise VnnlibError(f"cannot read ({e.__class__.__name__})", str(path)) from None
    return parse_vnnlib(text, str(path))


def _describe(e) -> str:
    import lark

    if isinstance(e, lark.UnexpectedCharacters):
        return f"unexpected character {e.char!r}"
    if isinstance(e, lark.UnexpectedToken):
        if e.token.type == "$END":
            return "unexpected end of file (unbalanced parentheses?)"
        expected = ", ".join(sorted(e.expected)[:6])
        return f"unexpected {e.token!s:.20} (expected {expected})"
    return "syntax error"


# ---------------------------------------------------------------- DNF and cases


def _build(commands: list, file: str) -> Property:
    declared: dict[str, set[int]] = {"X": set(), "Y": set()}
    conjuncts: list[list[Atom]] = [[]]
    for kind, item in commands:
        if kind == "declare":
            declared[item.kind].add(item.index)
            continue
        _check_vars(item, declared, file)
        options = _dnf(item)
        if len(conjuncts) * len(options) > MAX_CONJUNCTS:
            raise VnnlibError(f"more than {MAX_CONJUNCTS} cases in disjunctive normal form",
                              file)
        conjuncts = [c + o for c, o in itertools.product(conjuncts, options)]
    n_in, n_out = (_size(declared[k], k, file) for k in ("X", "Y"))
    cases: dict[tuple, list[Disjunct]] = {}
    for atoms in conjuncts:
        box, disjunct = _conjunct(atoms, n_in, n_out, file)
        if disjunct is not None:
            cases.setdefault(box, []).append(disjunct)
    return Property(n_in, n_out, tuple(
        Case(np.array(lo), np.array(hi), tuple(ds)) for (lo, hi), ds in cases.items()),
        name=file)


def _size(indices: set[int], kind: str, file: str) -> int:
    if not indices:
        raise VnnlibError(f"no {kind}_i variables declared", file)
    if indices != set(range(len(indices))):
        gap = min(set(range(max(indices) + 1)) - indices)
        raise VnnlibError(f"{kind}_{gap} is not declared (declarations must be {kind}_0 .. "
                          f"{kind}_{max(indices)})", file)
    return len(indices)


def _check_vars(formula, declared: dict[str, set[int]], file: str) -> None:
    if isinstance(formula, Atom):
        for t in (formula.lhs, formula.rhs):
            if isinstance(t, Var) and t.index not in declared[t.kind]:
                raise VnnlibError(f"{t.kind}_{t.index} is used but not declared", file,
                                  t.line, t.column)
        return
    for part in formula[1]:
        _check_vars(part, declared, file)


def _dnf(formula) -> list[list[Atom]]:
    if isinstance(formula, Atom):
        return [[formula]]
    op, parts = formula
    if op == "or":
        return [c for p in parts for c in _dnf(p)]
    out: list[list[Atom]] = [[]]
    for p in parts:
        options = _dnf(p)
        if len(out) * len(options) > MAX_CONJUNCTS:
            raise VnnlibError(f"more than {MAX_CONJUNCTS} cases in disjunctive normal form")
        out = [a + b for a, b in itertools.product(out, options)]
    return out


def _conjunct(atoms: list[Atom], n_in: int, n_out: int, file: str):
    """One DNF conjunct -> ((lower, upper) box key, Disjunct or None when trivially false)."""
    lower, upper = [-np.inf] * n_in, [np.inf] * n_in
    rows, rhs = [], []
    for a in atoms:
        coef: dict[tuple[str, int], float] = {}
        const = 0.0  # sum coef*var <= const
        for term, sign in ((a.lhs, 1.0), (a.rhs, -1.0)):
            if isinstance(term, Var):
                key = (term.kind, term.index)
                coef[key] = coef.get(key, 0.0) + sign
            else:
                const -= sign * term
        coef = {k: v for k, v in coef.items() if v != 0.0}
        kinds = {k for k, _ in coef}
        if not coef:
            if const < 0:
                return _key(lower, upper), None
            continue
        if kinds == {"Y"}:
            row = np.zeros(n_out)
            for (_, j), v in coef.items():
                row[j] = v
            rows.append(row)
            rhs.append(const)
        elif kinds == {"X"} and len(coef) == 1:
            ((_, i), v), = coef.items()
            if v > 0:
                upper[i] = min(upper[i], const / v)
            else:
                lower[i] = max(lower[i], const / v)
        else:
            what = "mixes inputs and outputs" if len(kinds) == 2 else "relates two inputs"
            raise VnnlibError(f"constraint {what}; only input bounds and output constraints "
                              "are supported", file, a.line, a.column)
    for i in range(n_in):
        if not (np.isfinite(lower[i]) and np.isfinite(upper[i])):
            side = "lower" if not np.isfinite(lower[i]) else "upper"
            raise VnnlibError(f"X_{i} has no {side} bound (inputs must lie in a box)", file)
    matrix = np.array(rows).reshape(len(rows), n_out)
    if _contradictory(matrix, rhs):
        return _key(lower, upper), None
    return _key(lower, upper), Disjunct(matrix, np.array(rhs, dtype=np.float64))


def _contradictory(matrix: np.ndarray, rhs: list[float]) -> bool:
    """Whether rows on a single output bound it from both sides with lower > upper (``Y_0 <=
    1`` and ``Y_0 >= 2``): no output meets the conjunct, whatever the network."""
    lo: dict[int, float] = {}
    hi: dict[int, float] = {}
    for row, d in zip(matrix, rhs):
        (nz,) = np.nonzero(row)
        if len(nz) != 1:
            continue
        j, v = int(nz[0]), float(row[nz[0]])
        if v > 0:
            hi[j] = min(hi.get(j, np.inf), d / v)
        else:
            lo[j] = max(lo.get(j, -np.inf), d / v)
    return any(lo[j] > hi[j] for j in lo.keys() & hi.keys())


def _key(lower: list[float], upper: list[float]) -> tuple:
    return tuple(lower), tuple(upper)
