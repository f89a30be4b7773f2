"""numba kernels over example vectors: one elementwise kernel per sort family, dispatching on
an opcode. Int kernels report int64 overflow instead of wrapping; BV values are uint64 masked
to their width. The plain-Python twins are ``ops.OPS[name].scalar`` (compared in tests).
"""

from __future__ import annotations

import numpy as np
from numba import njit

BV_BINARY = {name: i for i, name in enumerate(
    ("bvadd", "bvsub", "bvmul", "bvand", "bvor", "bvxor", "bvnand", "bvnor", "bvxnor",
     "bvudiv", "bvurem", "bvsdiv", "bvsrem", "bvsmod", "bvshl", "bvlshr", "bvashr"))}
BV_UNARY = {"bvneg": 0, "bvnot": 1}
BV_COMPARE = {name: i for i, name in enumerate(
    ("bvult", "bvule", "bvugt", "bvuge", "bvslt", "bvsle", "bvsgt", "bvsge"))}
INT_BINARY = {"+": 0, "-": 1, "*": 2, "div": 3, "mod": 4}
INT_UNARY = {"-": 0, "abs": 1}
INT_COMPARE = {"<=": 0, "<": 1, ">=": 2, ">": 3, "=": 4}
INT64_MIN = np.iinfo(np.int64).min


@njit(cache=True)
def _signed(x, w):
    s = np.uint64(64 - w)
    return np.int64(x << s) >> np.int64(s)


@njit(cache=True)
def _udiv(a, b, m):
    return m if b == 0 else a // b


@njit(cache=True)
def _urem(a, b):
    return a if b == 0 else a % b


@njit(cache=True)
def _bv_one(op, w, m, a, b):
    if op == 0:
        return (a + b) & m
    if op == 1:
        return (a - b) & m
    if op == 2:
        return (a * b) & m
    if op == 3:
        return a & b
    if op == 4:
        return a | b
    if op == 5:
        return a ^ b
    if op == 6:
        return ~(a & b) & m
    if op == 7:
        return ~(a | b) & m
    if op == 8:
        return ~(a ^ b) & m
    if op == 9:
        return _udiv(a, b, m)
    if op == 10:
        return _urem(a, b)
    if op == 14:
        return np.uint64(0) if b >= w else (a << b) & m
    if op == 15:
        return np.uint64(0) if b >= w else a >> b
    if op == 16:
        if b >= w:
            return m if (a >> np.uint64(w - 1)) & np.uint64(1) else np.uint64(0)
        return np.uint64(_signed(a, w) >> np.int64(b)) & m
    na = (a >> np.uint64(w - 1)) & np.uint64(1)
    nb = (b >> np.uint64(w - 1)) & np.uint64(1)
    ua = (np.uint64(0) - a) & m if na else a
    ub = (np.uint64(0) - b) & m if nb else b
    if op == 11:
        q = _udiv(ua, ub, m)
        return (np.uint64(0) - q) & m if na != nb else q
    r = _urem(ua, ub)
    if op == 12:
        return (np.uint64(0) - r) & m if na else r
    if r == 0 or (na == 0 and nb == 0):  # bvsmod
        return r
    if na and not nb:
        return (b - r) & m
    if nb and not na:
        return (r + b) & m
    return (np.uint64(0) - r) & m


@njit(cache=True)
def bv_binary(op, w, a, b):
    """Elementwise BV binary operator ``op`` (code in ``BV_BINARY``) at width ``w``."""
    m = np.uint64((1 << w) - 1) if w < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    out = np.empty(a.shape[0], dtype=np.uint64)
    uw = np.uint64(w)
    for i in range(a.shape[0]):
        out[i] = _bv_one(op, uw, m, a[i], b[i])
    return out


@njit(cache=True)
def bv_unary(op, w, a):
    m = np.uint64((1 << w) - 1) if w < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    out = np.empty(a.shape[0], dtype=np.uint64)
    for i in range(a.shape[0]):
        out[i] = ((np.uint64(0) - a[i]) & m) if op == 0 else (~a[i] & m)
    return out


@njit(cache=True)
def bv_compare(op, w, a, b):
    out = np.empty(a.shape[0], dtype=np.bool_)
    for i in range(a.shape[0]):
        x, y = a[i], b[i]
        if op == 0:
            out[i] = x < y
        elif op == 1:
            out[i] = x <= y
        elif op == 2:
            out[i] = x > y
        elif op == 3:
            out[i] = x >= y
        else:
            sx, sy = _signed(x, w), _signed(y, w)
            out[i] = (sx < sy, sx <= sy, sx > sy, sx >= sy)[op - 4]
    return out


@njit(cache=True)
def _magnitude(x):
    return np.uint64(x) if x >= 0 else np.uint64(0) - np.uint64(x)


@njit(cache=True)
def _mul_overflows(x, y):
    """Does x * y leave int64? Decided on unsigned magnitudes (no signed overflow)."""
    if x == 0 or y == 0:
        return False
    ux, uy = _magnitude(x), _magnitude(y)
    limit = np.uint64(2**63) if (x < 0) != (y < 0) else np.uint64(2**63 - 1)
    return uy > limit // ux


@njit(cache=True)
def int_binary(op, a, b):
    """Elementwise Int operator; returns (values, overflowed). Euclidean div/mod,
    ``div x 0 = 0`` and ``mod x 0 = x``."""
    n = a.shape[0]
    out = np.empty(n, dtype=np.int64)
    over = False
    for i in range(n):
        x, y = a[i], b[i]
        if op == 0:  # wrapping arithmetic in uint64: signed overflow is undefined in LLVM
            r = np.int64(np.uint64(x) + np.uint64(y))
            over |= ((x ^ r) & (y ^ r)) < 0
        elif op == 1:
            r = np.int64(np.uint64(x) - np.uint64(y))
            over |= ((x ^ y) & (x ^ r)) < 0
        elif op == 2:
            over |= _mul_overflows(x, y)
            r = np.int64(np.uint64(x) * np.uint64(y))
        elif y == 0:
            r = 0 if op == 3 else x
        elif y == -1 and x == INT64_MIN:
            over = True
            r = 0
        else:
            ay = y if y > 0 else -y
            m = x % ay
            r = (x - m) // y if op == 3 else m
        out[i] = r
    return out, over


@njit(cache=True)
def int_unary(op, a):
    out = np.empty(a.shape[0], dtype=np.int64)
    over = False
    for i in range(a.shape[0]):
        x = a[i]
        over |= x == INT64_MIN
        out[i] = np.int64(np.uint64(0) - np.uint64(x)) if (op == 0 or x < 0) else x
    return out, over


@njit(cache=True)
def int_compare(op, a, b):
    out = np.empty(a.shape[0], dtype=np.bool_)
    for i in range(a.shape[0]):
        x, y = a[i], b[i]
        out[i] = (x <= y, x < y, x >= y, x > y, x == y)[op]
    return out


def warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel once."""
    u = np.zeros(1, dtype=np.uint64)
    s = np.zeros(1, dtype=np.int64)
    bv_binary(0, 8, u, u)
    bv_unary(0, 8, u)
    bv_compare(0, 8, u, u)
    int_binary(0, s, s)
    int_unary(0, s)
    int_compare(0, s, s)
