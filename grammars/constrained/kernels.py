"""The mask hot loop: walk token-trie subtrees through the lexer DFA.

:func:`walk_py` is the plain-Python reference; :func:`walk_jit` is the same source compiled
by numba (when numba is importable) and is tested against it. Both set the bit of every token
that stays inside the current lexeme and report, as (node, terminal) pairs, where a token
crosses a lexeme boundary (the lexeme before that node's byte ends as ``terminal``); the caller
decides, with the parser, whether and how the walk continues from there.

:func:`walk` chooses between them like a JIT: the twin walks small tries (a word-level
vocabulary such as the geometry proposer's, 738 trie nodes: 180 walks took 0.03 s in all on one
proof search) until a process has spent ``JIT_AFTER`` seconds in it, and numba's code walks
large ones (a subword vocabulary: tens of thousands of nodes) from the start. Loading numba
costs about 1.3 s (its import and its CPU target's set-up), which a short search should not
pay for walks that take milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

JIT_AFTER = 1.0
"""Seconds of plain-Python walks after which a process loads numba's (about its loading time)."""
SMALL_TRIE = 20_000
"""Tries of at most this many nodes are walked by the twin (a whole walk ~40 ms at most) until
``JIT_AFTER``; larger ones by numba's code at once."""

_jit: Callable[..., int] | None = None
_python_seconds = 0.0


def walk_py(byte, depth, skip, tok_ptr, tok_list, trans, accept, state_class, entries, state,
            mask, used, out_nodes, out_terms) -> int:
    """Walk the subtrees rooted at ``entries`` (siblings) from lexer ``state``.

    A token ending in lexer state ``s`` sets its bit in row ``state_class[s]`` of ``mask``
    (uint32 [n_classes, n_words]) and sets ``used[class]``. Returns how many boundary pairs
    were written to ``out_nodes``/``out_terms``.
    """
    n_out = 0
    stack = np.empty(64, dtype=np.int32)
    for k in range(entries.shape[0]):
        e = entries[k]
        base = depth[e] - 1
        stack[0] = state
        i = e
        end = skip[e]
        while i < end:
            d = depth[i] - base
            if d >= stack.shape[0]:
                stack = np.concatenate((stack, np.empty(stack.shape[0], dtype=np.int32)))
            ps = stack[d - 1]
            ns = trans[ps, byte[i]]
            if ns < 0:
                t = accept[ps]
                if t >= 0:
                    out_nodes[n_out] = i
                    out_terms[n_out] = t
                    n_out += 1
                i = skip[i]
            else:
                stack[d] = ns
                c = state_class[ns]
                if tok_ptr[i] < tok_ptr[i + 1]:
                    used[c] = 1
                for j in range(tok_ptr[i], tok_ptr[i + 1]):
                    tok = tok_list[j]
                    mask[c, tok >> 5] |= np.uint32(1) << np.uint32(tok & 31)
                i += 1
    return n_out


def walk_jit() -> Callable[..., int]:
    """``walk_py`` compiled by numba (loaded from its cache after the first time), once per
    process; the twin itself where numba is missing."""
    global _jit
    if _jit is None:
        try:
            import numba
        except ImportError:  # pragma: no cover - numba is a core dependency
            _jit = walk_py
        else:
            _jit = numba.njit(cache=True, nogil=True)(walk_py)
    return _jit


def warm_up() -> None:
    """Walk with numba's code from now on, whatever the trie's size: numba is imported now and
    the walk's machine code loads on the next walk (with that walk's argument types), so that
    a caller can do both before anything is timed (the fuzz targets do, with their seeds)."""
    walk_jit()


def jit_loaded() -> bool:
    """Whether this process walks with numba's code."""
    return _jit is not None


def walk(byte: np.ndarray, *args: Any) -> int:
    """``walk_py``'s walk, by the twin or by numba's code (see the module's docstring)."""
    global _python_seconds
    if _jit is not None or byte.shape[0] > SMALL_TRIE:
        return walk_jit()(byte, *args)
    started = time.perf_counter()
    n = walk_py(byte, *args)
    _python_seconds += time.perf_counter() - started
    if _python_seconds >= JIT_AFTER:
        walk_jit()
    return n
