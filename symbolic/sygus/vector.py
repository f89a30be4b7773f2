"""Vectorised evaluation of terms over example vectors (numpy arrays, one entry per example).

Int → int64 (overflow raises ``Overflow``: never wrapped), BV → uint64 masked to the width,
Bool → bool, String → object arrays of ``str``. Int/BV/Bool operators run in the numba kernels
of ``kernels.py``; everything else falls back to the scalar semantics of ``ops.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import kernels as K
from .ops import OPS
from .terms import App, Call, Function, Hole, Lit, Sort, SortKind, Term, Value, Var

INT64_MAX = 2**63 - 1


class Overflow(Exception):
    """An Int value left the int64 range: the vector cannot be represented exactly."""


def dtype(sort: Sort):
    return {SortKind.INT: np.int64, SortKind.BV: np.uint64, SortKind.BOOL: np.bool_,
            SortKind.STRING: object}[sort.kind]


def to_array(values: Sequence[Value], sort: Sort) -> np.ndarray:
    """Python values of one sort → the vector representation (``Overflow`` if too big)."""
    if sort.kind is SortKind.STRING:
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out
    if sort.kind is SortKind.INT and any(not -INT64_MAX - 1 <= int(v) <= INT64_MAX
                                         for v in values):
        raise Overflow("Int value outside int64")
    return np.array(values, dtype=dtype(sort))


def to_python(value, sort: Sort) -> Value:
    if sort.kind is SortKind.BOOL:
        return bool(value)
    if sort.kind is SortKind.STRING:
        return str(value)
    return int(value)


def eval_vec(term: Term, env: Mapping[str, np.ndarray], funcs: Mapping[str, Function],
             n: int) -> np.ndarray:
    """The values of ``term`` at ``n`` examples; ``env`` maps variables and holes to arrays."""
    if isinstance(term, Lit):
        if term.sort.kind is SortKind.STRING:
            return to_array([term.value] * n, term.sort)
        if term.sort.kind is SortKind.INT and not -INT64_MAX - 1 <= int(term.value) \
                <= INT64_MAX:
            raise Overflow("Int literal outside int64")
        return np.full(n, term.value, dtype=dtype(term.sort))
    if isinstance(term, (Var, Hole)):
        return env[term.name]
    if isinstance(term, Call):
        f = funcs[term.func]
        inner = dict(env)
        inner.update({p.name: eval_vec(a, env, funcs, n) for p, a in zip(f.params, term.args)})
        return eval_vec(f.body, inner, funcs, n)
    assert isinstance(term, App)
    args = [eval_vec(a, env, funcs, n) for a in term.args]
    return apply_vec(term.op, args, [a.sort for a in term.args], term.sort, term.indices)


def apply_vec(op: str, args: list[np.ndarray], sorts: Sequence[Sort], sort: Sort,
              indices: tuple[int, ...] = ()) -> np.ndarray:
    """One operator over argument vectors."""
    kind = sorts[0].kind if sorts else sort.kind
    fast = _BOOL.get(op)
    if fast is not None:
        return fast(args)
    if kind in (SortKind.BV, SortKind.INT):  # one compiled kernel signature: C-contiguous
        args = [np.ascontiguousarray(a) for a in args]
    if kind is SortKind.BV and op in K.BV_BINARY:
        return _fold(args, lambda a, b: K.bv_binary(K.BV_BINARY[op], sorts[0].width, a, b))
    if kind is SortKind.BV and op in K.BV_UNARY:
        return K.bv_unary(K.BV_UNARY[op], sorts[0].width, args[0])
    if kind is SortKind.BV and op in K.BV_COMPARE:
        return K.bv_compare(K.BV_COMPARE[op], sorts[0].width, args[0], args[1])
    if kind is SortKind.INT:
        out = _int(op, args)
        if out is not None:
            return out
    if kind is not SortKind.STRING and op in ("=", "distinct") and len(args) == 2:
        return args[0] == args[1] if op == "=" else args[0] != args[1]
    return _scalar(op, args, sorts, sort, indices)


def _fold(args, f):
    out = args[0]
    for b in args[1:]:
        out = f(out, b)
    return out


def _int(op: str, args: list[np.ndarray]) -> np.ndarray | None:
    if op in K.INT_COMPARE and len(args) == 2:
        return K.int_compare(K.INT_COMPARE[op], args[0], args[1])
    if op in K.INT_UNARY and len(args) == 1:
        out, over = K.int_unary(K.INT_UNARY[op], args[0])
    elif op in K.INT_BINARY and len(args) >= 2:
        out, over = args[0], False
        for b in args[1:]:
            out, o = K.int_binary(K.INT_BINARY[op], out, b)
            over |= o
    else:
        return None
    if over:
        raise Overflow(f"int64 overflow in {op}")
    return out


def _ite(args):
    return np.where(args[0], args[1], args[2])


def _implies(args):
    out = args[-1]
    for h in reversed(args[:-1]):
        out = ~h | out
    return out


def _chain_eq(args):
    out = args[0] == args[1]
    for a, b in zip(args[1:], args[2:]):
        out = out & (a == b)
    return out


_BOOL = {
    "not": lambda a: ~a[0],
    "and": lambda a: np.logical_and.reduce(a) if len(a) > 1 else a[0],
    "or": lambda a: np.logical_or.reduce(a) if len(a) > 1 else a[0],
    "xor": lambda a: np.logical_xor.reduce(a),
    "=>": _implies,
    "ite": _ite,
}


def _scalar(op: str, args: list[np.ndarray], sorts: Sequence[Sort], sort: Sort,
            indices: tuple[int, ...]) -> np.ndarray:
    if op == "=" and sorts[0].kind is SortKind.STRING:
        return _chain_eq(args)
    f = OPS[op].scalar
    cols = [a.tolist() for a in args]
    values = [f(row, sorts, indices) for row in zip(*cols)] if cols else []
    try:
        return to_array(values, sort)
    except OverflowError:
        raise Overflow(f"int64 overflow in {op}") from None
