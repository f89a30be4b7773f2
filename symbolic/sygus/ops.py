"""The SMT-LIB operators of LIA, BV and SLIA: one entry per operator owning its sort rule,
its exact scalar semantics (the plain-Python reference) and its z3 form.

Scalar semantics follow SMT-LIB 2.6 as implemented by cvc5 (see ``shared/reference/sygus.md``
section 6): total BV division, Euclidean Int ``div``/``mod`` (``div x 0 = 0``, ``mod x 0 = x``
as cvc5's total operators), unbounded Int, SMT-LIB string edge cases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from .terms import BOOL, INT, STRING, Sort, SortKind, bv

ALIASES = {"str.to.int": "str.to_int", "int.to.str": "str.from_int", "str.in.re": "str.in_re",
           "str.to-int": "str.to_int", "int.to-str": "str.from_int"}
"""SyGuS 2.0 / SMT-LIB 2.5 names accepted for their 2.1 operators."""

UNSUPPORTED = frozenset({"str.in_re", "str.to_re", "re.++", "re.*", "re.+", "re.union",
                         "re.range", "str.to_lower", "str.to_upper", "str.rev", "select",
                         "store", "re.opt", "re.inter", "re.comp", "re.allchar", "re.all"})
"""Operators that exist in SMT-LIB but are not implemented here (reported, never guessed)."""


class SortMismatch(Exception):
    """Arguments of the wrong sorts for an operator; the message says what was expected."""


@dataclass(frozen=True)
class Op:
    """An operator: ``result(arg_sorts, indices)`` checks sorts and gives the result sort,
    ``scalar(args, arg_sorts, indices)`` evaluates, ``smt(z3, args, indices)`` builds z3."""

    name: str
    result: Callable[[Sequence[Sort], tuple[int, ...]], Sort]
    scalar: Callable[[Sequence[Any], Sequence[Sort], tuple[int, ...]], Any]
    smt: Callable[[Any, Sequence[Any], tuple[int, ...]], Any]
    commutative: bool = False


# ---------------------------------------------------------------- sort rules


def _all(kind: SortKind, res: Sort | None, lo: int = 1, hi: int | None = None):
    def rule(sorts: Sequence[Sort], idx: tuple[int, ...]) -> Sort:
        if len(sorts) < lo or (hi is not None and len(sorts) > hi):
            want = f"{lo}" if hi == lo else f"{lo} or more" if hi is None else f"{lo}-{hi}"
            raise SortMismatch(f"expects {want} arguments, got {len(sorts)}")
        if any(s.kind is not kind for s in sorts):
            raise SortMismatch(f"expects {kind.value} arguments, got "
                               + " ".join(map(str, sorts)))
        if kind is SortKind.BV and len({s.width for s in sorts}) > 1:
            raise SortMismatch("expects bit-vectors of one width, got "
                               + " ".join(map(str, sorts)))
        return res if res is not None else sorts[0]
    return rule


def _same(res: Sort | None, lo: int = 2):
    def rule(sorts: Sequence[Sort], idx: tuple[int, ...]) -> Sort:
        if len(sorts) < lo or len(set(sorts)) != 1:
            raise SortMismatch(f"expects {lo} or more arguments of one sort, got "
                               + " ".join(map(str, sorts)))
        return res if res is not None else sorts[0]
    return rule


def _ite(sorts: Sequence[Sort], idx: tuple[int, ...]) -> Sort:
    if len(sorts) != 3 or sorts[0] != BOOL or sorts[1] != sorts[2]:
        raise SortMismatch("expects (ite Bool S S), got " + " ".join(map(str, sorts)))
    return sorts[1]


def _sig(*want: Sort, res: Sort):
    def rule(sorts: Sequence[Sort], idx: tuple[int, ...]) -> Sort:
        if tuple(sorts) != want:
            raise SortMismatch(f"expects ({' '.join(map(str, want))}), got "
                               f"({' '.join(map(str, sorts))})")
        return res
    return rule


def _bv_index(n_idx: int, width: Callable[[int, tuple[int, ...]], int]):
    def rule(sorts: Sequence[Sort], idx: tuple[int, ...]) -> Sort:
        if len(idx) != n_idx or len(sorts) != 1 or sorts[0].kind is not SortKind.BV:
            raise SortMismatch(f"expects {n_idx} indices and one bit-vector argument")
        w = width(sorts[0].width, idx)
        if w <= 0 or (n_idx == 2 and idx[0] >= sorts[0].width):
            raise SortMismatch(f"indices {idx} out of range for width {sorts[0].width}")
        return bv(w)
    return rule


def _concat(sorts: Sequence[Sort], idx: tuple[int, ...]) -> Sort:
    if any(s.kind is not SortKind.BV for s in sorts) or len(sorts) < 2:
        raise SortMismatch("expects two or more bit-vectors")
    return bv(sum(s.width for s in sorts))


# ---------------------------------------------------------------- scalar helpers


def signed(x: int, w: int) -> int:
    return x - (1 << w) if x >> (w - 1) & 1 else x


def int_div(a: int, b: int) -> int:
    """Euclidean division (remainder always >= 0); ``div a 0`` is 0."""
    if b == 0:
        return 0
    r = a % abs(b)
    return (a - r) // b


def int_mod(a: int, b: int) -> int:
    return a if b == 0 else a % abs(b)


def bv_udiv(a: int, b: int, w: int) -> int:
    return (1 << w) - 1 if b == 0 else a // b


def bv_urem(a: int, b: int, w: int) -> int:
    return a if b == 0 else a % b


def bv_sdiv(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    na, nb = a >> (w - 1) & 1, b >> (w - 1) & 1
    ua, ub = (-a) & m if na else a, (-b) & m if nb else b
    q = bv_udiv(ua, ub, w)
    return (-q) & m if na != nb else q


def bv_srem(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    na, nb = a >> (w - 1) & 1, b >> (w - 1) & 1
    ua, ub = (-a) & m if na else a, (-b) & m if nb else b
    r = bv_urem(ua, ub, w)
    return (-r) & m if na else r


def bv_smod(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    na, nb = a >> (w - 1) & 1, b >> (w - 1) & 1
    ua, ub = (-a) & m if na else a, (-b) & m if nb else b
    u = bv_urem(ua, ub, w)
    if u == 0 or (not na and not nb):
        return u
    if na and not nb:
        return (-u + b) & m
    if not na and nb:
        return (u + b) & m
    return (-u) & m


def bv_ashr(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    if b >= w:
        return m if a >> (w - 1) & 1 else 0
    return (signed(a, w) >> b) & m


def str_substr(s: str, i: int, n: int) -> str:
    if i < 0 or n <= 0 or i >= len(s):
        return ""
    return s[i:i + n]


def str_indexof(s: str, t: str, i: int) -> int:
    if i < 0 or i > len(s):
        return -1
    return s.find(t, i)


def str_replace(s: str, t: str, u: str) -> str:
    return u + s if t == "" else s.replace(t, u, 1)


def str_to_int(s: str) -> int:
    return int(s) if s and all("0" <= c <= "9" for c in s) else -1


def _chain(f: Callable[[Any, Any], bool]):
    return lambda xs, s, i: all(f(a, b) for a, b in zip(xs, xs[1:]))


def _w(s: Sequence[Sort]) -> int:
    return s[0].width


def _bvfold(f: Callable[[int, int, int], int]):
    return lambda xs, s, i: reduce(lambda a, b: f(a, b, _w(s)) & s[0].mask, xs)


# ---------------------------------------------------------------- the table

_OPS: list[Op] = []


def _op(name: str, result, scalar, smt, commutative: bool = False) -> None:
    _OPS.append(Op(name, result, scalar, smt, commutative))


def _z3fold(f):
    return lambda z, xs, i: reduce(f, xs)


def _z3chain(f):
    return lambda z, xs, i: z.And(*[f(a, b) for a, b in zip(xs, xs[1:])]) if len(xs) > 2 \
        else f(xs[0], xs[1])


# Core / Bool
_op("not", _sig(BOOL, res=BOOL), lambda x, s, i: not x[0], lambda z, x, i: z.Not(x[0]))
_op("and", _all(SortKind.BOOL, BOOL), lambda x, s, i: all(x),
    lambda z, x, i: z.And(*x) if len(x) > 1 else x[0], True)
_op("or", _all(SortKind.BOOL, BOOL), lambda x, s, i: any(x),
    lambda z, x, i: z.Or(*x) if len(x) > 1 else x[0], True)
_op("xor", _all(SortKind.BOOL, BOOL, 2), lambda x, s, i: reduce(lambda a, b: a != b, x),
    _z3fold(lambda a, b: a != b), True)
_op("=>", _all(SortKind.BOOL, BOOL, 2),
    lambda x, s, i: reduce(lambda a, b: (not b) or a, reversed(x)),
    lambda z, x, i: reduce(lambda a, b: z.Implies(b, a), reversed(x)))
_op("=", _same(BOOL), _chain(lambda a, b: a == b), _z3chain(lambda a, b: a == b), True)
_op("distinct", _same(BOOL), lambda x, s, i: len(set(x)) == len(x),
    lambda z, x, i: z.Distinct(*x), True)
_op("ite", _ite, lambda x, s, i: x[1] if x[0] else x[2], lambda z, x, i: z.If(*x))

# Int
_op("+", _all(SortKind.INT, INT), lambda x, s, i: sum(x), lambda z, x, i: z.Sum(*x), True)
_op("-", _all(SortKind.INT, INT), lambda x, s, i: -x[0] if len(x) == 1 else
    reduce(lambda a, b: a - b, x),
    lambda z, x, i: -x[0] if len(x) == 1 else reduce(lambda a, b: a - b, x))
_op("*", _all(SortKind.INT, INT), lambda x, s, i: reduce(lambda a, b: a * b, x),
    _z3fold(lambda a, b: a * b), True)
_op("div", _all(SortKind.INT, INT, 2), lambda x, s, i: reduce(int_div, x),
    lambda z, x, i: reduce(lambda a, b: _z3_div(z, a, b), x))
_op("mod", _all(SortKind.INT, INT, 2, 2), lambda x, s, i: int_mod(*x),
    lambda z, x, i: _z3_mod(z, x[0], x[1]))
_op("abs", _sig(INT, res=INT), lambda x, s, i: abs(x[0]),
    lambda z, x, i: z.If(x[0] >= 0, x[0], -x[0]))
for _name, _f in (("<=", lambda a, b: a <= b), ("<", lambda a, b: a < b),
                  (">=", lambda a, b: a >= b), (">", lambda a, b: a > b)):
    _op(_name, _all(SortKind.INT, BOOL, 2), _chain(_f), _z3chain(_f))


def _z3_div(z, a, b):
    return z.If(b == 0, z.IntVal(0), a / b)


def _z3_mod(z, a, b):
    return z.If(b == 0, a, a % b)


# BV arithmetic and logic
def _bvop(name: str, f: Callable[[int, int, int], int], smt, comm: bool = False,
          nary: bool = False) -> None:
    _op(name, _all(SortKind.BV, None, 2, None if nary else 2), _bvfold(f),
        _z3fold(smt) if nary else (lambda z, x, i: smt(x[0], x[1])), comm)


_bvop("bvadd", lambda a, b, w: a + b, lambda a, b: a + b, True, True)
_bvop("bvsub", lambda a, b, w: a - b, lambda a, b: a - b)
_bvop("bvmul", lambda a, b, w: a * b, lambda a, b: a * b, True, True)
_bvop("bvand", lambda a, b, w: a & b, lambda a, b: a & b, True, True)
_bvop("bvor", lambda a, b, w: a | b, lambda a, b: a | b, True, True)
_bvop("bvxor", lambda a, b, w: a ^ b, lambda a, b: a ^ b, True, True)
_bvop("bvnand", lambda a, b, w: ~(a & b), lambda a, b: ~(a & b), True)
_bvop("bvnor", lambda a, b, w: ~(a | b), lambda a, b: ~(a | b), True)
_bvop("bvxnor", lambda a, b, w: ~(a ^ b), lambda a, b: ~(a ^ b), True)
_bvop("bvudiv", bv_udiv, lambda a, b: _z3().UDiv(a, b))
_bvop("bvurem", bv_urem, lambda a, b: _z3().URem(a, b))
_bvop("bvsdiv", bv_sdiv, lambda a, b: a / b)
_bvop("bvsrem", bv_srem, lambda a, b: _z3().SRem(a, b))
_bvop("bvsmod", bv_smod, lambda a, b: a % b)
_bvop("bvshl", lambda a, b, w: 0 if b >= w else a << b, lambda a, b: a << b)
_bvop("bvlshr", lambda a, b, w: 0 if b >= w else a >> b, lambda a, b: _z3().LShR(a, b))
_bvop("bvashr", bv_ashr, lambda a, b: a >> b)
_op("bvneg", _all(SortKind.BV, None, 1, 1), lambda x, s, i: (-x[0]) & s[0].mask,
    lambda z, x, i: -x[0])
_op("bvnot", _all(SortKind.BV, None, 1, 1), lambda x, s, i: (~x[0]) & s[0].mask,
    lambda z, x, i: ~x[0])
_op("bvcomp", _all(SortKind.BV, bv(1), 2, 2), lambda x, s, i: int(x[0] == x[1]),
    lambda z, x, i: z.If(x[0] == x[1], z.BitVecVal(1, 1), z.BitVecVal(0, 1)))
for _name, _cmp, _g in (
        ("bvult", lambda a, b, w: a < b, lambda z, a, b: z.ULT(a, b)),
        ("bvule", lambda a, b, w: a <= b, lambda z, a, b: z.ULE(a, b)),
        ("bvugt", lambda a, b, w: a > b, lambda z, a, b: z.UGT(a, b)),
        ("bvuge", lambda a, b, w: a >= b, lambda z, a, b: z.UGE(a, b)),
        ("bvslt", lambda a, b, w: signed(a, w) < signed(b, w), lambda z, a, b: a < b),
        ("bvsle", lambda a, b, w: signed(a, w) <= signed(b, w), lambda z, a, b: a <= b),
        ("bvsgt", lambda a, b, w: signed(a, w) > signed(b, w), lambda z, a, b: a > b),
        ("bvsge", lambda a, b, w: signed(a, w) >= signed(b, w), lambda z, a, b: a >= b)):
    _op(_name, _all(SortKind.BV, BOOL, 2, 2),
        (lambda f: lambda x, s, i: f(x[0], x[1], s[0].width))(_cmp),
        (lambda g: lambda z, x, i: g(z, x[0], x[1]))(_g))


def _concat_val(x: Sequence[int], s: Sequence[Sort], i: tuple[int, ...]) -> int:
    out = 0
    for v, so in zip(x, s):
        out = (out << so.width) | v
    return out


_op("concat", _concat, _concat_val, lambda z, x, i: z.Concat(*x))
_op("extract", _bv_index(2, lambda w, i: i[0] - i[1] + 1),
    lambda x, s, i: (x[0] >> i[1]) & ((1 << (i[0] - i[1] + 1)) - 1),
    lambda z, x, i: z.Extract(i[0], i[1], x[0]))
_op("zero_extend", _bv_index(1, lambda w, i: w + i[0]), lambda x, s, i: x[0],
    lambda z, x, i: z.ZeroExt(i[0], x[0]))
_op("sign_extend", _bv_index(1, lambda w, i: w + i[0]),
    lambda x, s, i: signed(x[0], s[0].width) & ((1 << (s[0].width + i[0])) - 1),
    lambda z, x, i: z.SignExt(i[0], x[0]))
_op("rotate_left", _bv_index(1, lambda w, i: w),
    lambda x, s, i: _rotl(x[0], i[0] % s[0].width, s[0].width),
    lambda z, x, i: z.RotateLeft(x[0], i[0]))
_op("rotate_right", _bv_index(1, lambda w, i: w),
    lambda x, s, i: _rotl(x[0], (-i[0]) % s[0].width, s[0].width),
    lambda z, x, i: z.RotateRight(x[0], i[0]))
_op("repeat", _bv_index(1, lambda w, i: w * i[0]),
    lambda x, s, i: int(format(x[0], f"0{s[0].width}b") * i[0], 2),
    lambda z, x, i: z.RepeatBitVec(i[0], x[0]))


def _rotl(x: int, k: int, w: int) -> int:
    return ((x << k) | (x >> (w - k))) & ((1 << w) - 1) if k else x


# Strings
_op("str.++", _all(SortKind.STRING, STRING), lambda x, s, i: "".join(x),
    lambda z, x, i: z.Concat(*x) if len(x) > 1 else x[0])
_op("str.len", _sig(STRING, res=INT), lambda x, s, i: len(x[0]),
    lambda z, x, i: z.Length(x[0]))
_op("str.at", _sig(STRING, INT, res=STRING), lambda x, s, i: str_substr(x[0], x[1], 1),
    lambda z, x, i: z.SubString(x[0], x[1], 1))
_op("str.substr", _sig(STRING, INT, INT, res=STRING), lambda x, s, i: str_substr(*x),
    lambda z, x, i: z.SubString(*x))
_op("str.prefixof", _sig(STRING, STRING, res=BOOL), lambda x, s, i: x[1].startswith(x[0]),
    lambda z, x, i: z.PrefixOf(x[0], x[1]))
_op("str.suffixof", _sig(STRING, STRING, res=BOOL), lambda x, s, i: x[1].endswith(x[0]),
    lambda z, x, i: z.SuffixOf(x[0], x[1]))
_op("str.contains", _sig(STRING, STRING, res=BOOL), lambda x, s, i: x[1] in x[0],
    lambda z, x, i: z.Contains(x[0], x[1]))
_op("str.indexof", _sig(STRING, STRING, INT, res=INT), lambda x, s, i: str_indexof(*x),
    lambda z, x, i: z.IndexOf(*x))
_op("str.replace", _sig(STRING, STRING, STRING, res=STRING),
    lambda x, s, i: str_replace(*x), lambda z, x, i: z.Replace(*x))
_op("str.replace_all", _sig(STRING, STRING, STRING, res=STRING),
    lambda x, s, i: x[0] if x[1] == "" else x[0].replace(x[1], x[2]),
    lambda z, x, i: z.ReplaceAll(*x))
_op("str.to_int", _sig(STRING, res=INT), lambda x, s, i: str_to_int(x[0]),
    lambda z, x, i: z.StrToInt(x[0]))
_op("str.from_int", _sig(INT, res=STRING), lambda x, s, i: str(x[0]) if x[0] >= 0 else "",
    lambda z, x, i: z.IntToStr(x[0]))
_op("str.<", _sig(STRING, STRING, res=BOOL), lambda x, s, i: x[0] < x[1],
    lambda z, x, i: x[0] < x[1])
_op("str.<=", _sig(STRING, STRING, res=BOOL), lambda x, s, i: x[0] <= x[1],
    lambda z, x, i: x[0] <= x[1])
_op("str.is_digit", _sig(STRING, res=BOOL),
    lambda x, s, i: len(x[0]) == 1 and "0" <= x[0] <= "9",
    lambda z, x, i: z.And(z.Length(x[0]) == 1, z.StrToCode(x[0]) >= 48,
                          z.StrToCode(x[0]) <= 57))
_op("str.to_code", _sig(STRING, res=INT), lambda x, s, i: ord(x[0]) if len(x[0]) == 1 else -1,
    lambda z, x, i: z.StrToCode(x[0]))
_op("str.from_code", _sig(INT, res=STRING),
    lambda x, s, i: chr(x[0]) if 0 <= x[0] <= 196607 else "",
    lambda z, x, i: z.StrFromCode(x[0]))


def _z3():
    import z3  # type: ignore[import-untyped]

    return z3


OPS: dict[str, Op] = {op.name: op for op in _OPS}
"""The operator registry, by SMT-LIB 2.6 name."""


def apply_scalar(op: str, args: Sequence[Any], sorts: Sequence[Sort],
                 indices: tuple[int, ...] = ()) -> Any:
    """Evaluate one operator on plain values (the reference semantics)."""
    return OPS[op].scalar(args, sorts, indices)
