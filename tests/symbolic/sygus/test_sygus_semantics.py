"""Semantics: the reference table of edge cases, z3 as an oracle for the scalar evaluator, and
every numba kernel against its plain-Python twin."""

from __future__ import annotations

import random

import numpy as np
import pytest

from symbolic.sygus import kernels as K
from symbolic.sygus.ops import OPS, apply_scalar
from symbolic.sygus.semantics import evaluate
from symbolic.sygus.spec import parse_spec
from symbolic.sygus.terms import BOOL, INT, STRING, Sort, bv
from symbolic.sygus.vector import Overflow, apply_vec, to_array

B8 = bv(8)

# (op, args, sorts, expected) from the reference table (checked against cvc5 1.4.2)
TABLE = [
    ("bvudiv", (0x5A, 0), (B8, B8), 0xFF),
    ("bvurem", (0x5A, 0), (B8, B8), 0x5A),
    ("bvsdiv", (0xFB, 0), (B8, B8), 0x01),
    ("bvsrem", (0xFB, 0), (B8, B8), 0xFB),
    ("bvshl", (0x01, 8), (B8, B8), 0),
    ("bvlshr", (0x80, 9), (B8, B8), 0),
    ("bvashr", (0x80, 8), (B8, B8), 0xFF),
    ("bvashr", (0x40, 200), (B8, B8), 0),
    ("div", (-7, 2), (INT, INT), -4),
    ("mod", (7, -2), (INT, INT), 1),
    ("mod", (-7, 2), (INT, INT), 1),
    ("div", (7, -2), (INT, INT), -3),
    ("str.substr", ("hello", 3, 10), (STRING, INT, INT), "lo"),
    ("str.substr", ("hello", -1, 2), (STRING, INT, INT), ""),
    ("str.substr", ("hello", 5, 1), (STRING, INT, INT), ""),
    ("str.at", ("abc", 5), (STRING, INT), ""),
    ("str.indexof", ("abc", "c", 5), (STRING, STRING, INT), -1),
    ("str.indexof", ("abc", "", 1), (STRING, STRING, INT), 1),
    ("str.to_int", ("12a",), (STRING,), -1),
    ("str.to_int", ("",), (STRING,), -1),
    ("str.to_int", ("007",), (STRING,), 7),
    ("str.from_int", (-3,), (INT,), ""),
    ("str.replace", ("abcabc", "b", "x"), (STRING, STRING, STRING), "axcabc"),
    ("str.replace", ("abc", "", "x"), (STRING, STRING, STRING), "xabc"),
]


@pytest.mark.parametrize("op, args, sorts, expected", TABLE)
def test_reference_table(op, args, sorts, expected):
    assert apply_scalar(op, list(args), list(sorts)) == expected


@pytest.mark.parametrize("op, args, sorts, expected", TABLE)
def test_reference_table_through_files(op, args, sorts, expected):
    """The same cases written as SyGuS terms, read and evaluated by the plain evaluator."""
    from symbolic.sygus.render import literal
    from symbolic.sygus.terms import Lit

    text = " ".join(literal(Lit(a, s)) for a, s in zip(args, sorts))
    spec = parse_spec(f"(set-logic ALL)(synth-fun f () Bool)(constraint (= ({op} {text}) "
                      f"{literal(Lit(expected, OPS[op].result(sorts, ())))}))(check-synth)")
    assert evaluate(spec.constraints[0], {}, {}) is True


def _z3_value(z3, e):
    e = z3.simplify(e)
    if z3.is_bool(e):
        return z3.is_true(e)
    if z3.is_string_value(e):
        return e.as_string()
    return e.as_long()


def _z3_const(z3, v, s: Sort):
    if s == INT:
        return z3.IntVal(v)
    if s == BOOL:
        return z3.BoolVal(v)
    if s == STRING:
        return z3.StringVal(v)
    return z3.BitVecVal(v, s.width)


BV_OPS = sorted(set(K.BV_BINARY) | set(K.BV_COMPARE) | {"bvcomp"})


@pytest.mark.parametrize("op", BV_OPS + sorted(K.BV_UNARY))
@pytest.mark.parametrize("width", [1, 4, 8, 64])
def test_scalar_bv_semantics_agree_with_z3(op, width):
    z3 = pytest.importorskip("z3")
    s = bv(width)
    arity = 1 if op in K.BV_UNARY else 2
    rng = random.Random(f"{op}{width}")
    edge = [0, 1, s.mask, 1 << (width - 1), (1 << (width - 1)) - 1]
    for _ in range(40):
        args = [rng.choice(edge) if rng.random() < 0.4 else rng.getrandbits(width)
                for _ in range(arity)]
        mine = apply_scalar(op, args, [s] * arity)
        theirs = _z3_value(z3, OPS[op].smt(z3, [_z3_const(z3, a, s) for a in args], ()))
        assert int(mine) == int(theirs), (op, width, args)


@pytest.mark.parametrize("op", ["+", "-", "*", "div", "mod", "abs", "<=", "<", ">=", ">"])
def test_scalar_int_semantics_agree_with_z3_for_nonzero_divisors(op):
    z3 = pytest.importorskip("z3")
    rng = random.Random(op)
    arity = 1 if op == "abs" else 2
    for _ in range(60):
        args = [rng.randint(-50, 50) for _ in range(arity)]
        if op in ("div", "mod") and args[1] == 0:
            args[1] = 3
        mine = apply_scalar(op, args, [INT] * arity)
        theirs = _z3_value(z3, OPS[op].smt(z3, [z3.IntVal(a) for a in args], ()))
        assert int(mine) == int(theirs), (op, args)


def _vectors(sort: Sort, n: int, rng: np.random.Generator) -> np.ndarray:
    if sort == INT:
        small = rng.integers(-20, 20, n)
        big = rng.integers(-(2**62), 2**62, n)
        return np.where(rng.random(n) < 0.7, small, big).astype(np.int64)
    edge = np.array([0, 1, sort.mask, 1 << (sort.width - 1)], dtype=np.uint64)
    vals = rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2) + rng.integers(
        0, 2, n, dtype=np.uint64)
    vals &= np.uint64(sort.mask)
    return np.where(rng.random(n) < 0.3, rng.choice(edge, n), vals).astype(np.uint64)


@pytest.mark.parametrize("op", sorted(set(K.BV_BINARY) | set(K.BV_COMPARE) | set(K.BV_UNARY)))
@pytest.mark.parametrize("width", [1, 3, 8, 32, 64])
def test_bv_kernels_match_their_python_twins(op, width):
    s = bv(width)
    rng = np.random.default_rng(width)
    arity = 1 if op in K.BV_UNARY else 2
    args = [_vectors(s, 300, rng) for _ in range(arity)]
    out = apply_vec(op, args, [s] * arity, OPS[op].result([s] * arity, ()))
    for i in range(300):
        want = apply_scalar(op, [int(a[i]) for a in args], [s] * arity)
        assert int(out[i]) == int(want), (op, width, [int(a[i]) for a in args])


@pytest.mark.parametrize("op", sorted(set(K.INT_BINARY) | set(K.INT_COMPARE) | {"abs"}))
def test_int_kernels_match_their_python_twins_or_report_overflow(op):
    rng = np.random.default_rng(7)
    arity = 1 if op == "abs" else 2
    for _ in range(20):
        args = [_vectors(INT, 50, rng) for _ in range(arity)]
        want = [apply_scalar(op, [int(a[i]) for a in args], [INT] * arity) for i in range(50)]
        fits = all(isinstance(w, bool) or -(2**63) <= w < 2**63 for w in want)
        try:
            out = apply_vec(op, args, [INT] * arity, OPS[op].result([INT] * arity, ()))
        except Overflow:
            assert not fits, op  # overflow is reported only when a value does not fit
            continue
        assert fits, op  # never a silently wrapped value
        assert [int(v) for v in out] == [int(w) for w in want], op


def test_int_overflow_is_detected_not_wrapped():
    big = to_array([2**62, -(2**63)], INT)
    with pytest.raises(Overflow):
        apply_vec("+", [big, big], [INT, INT], INT)
    with pytest.raises(Overflow):
        apply_vec("-", [big[1:]], [INT], INT)
    with pytest.raises(Overflow):
        to_array([2**64], INT)


def test_string_operators_vectorised_match_scalar():
    s = to_array(["abc", "", "hello", "a.b"], STRING)
    i = to_array([1, 0, 3, 5], INT)
    out = apply_vec("str.at", [s, i], [STRING, INT], STRING)
    assert list(out) == ["b", "", "l", ""]
