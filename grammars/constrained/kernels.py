"""The mask hot loop: walk token-trie subtrees through the lexer DFA.

:func:`walk_py` is the plain-Python reference; :func:`walk` is the same source compiled by
numba (when numba is importable) and is tested against it. Both set the bit of every token that
stays inside the current lexeme and report, as (node, terminal) pairs, where a token crosses a
lexeme boundary (the lexeme before that node's byte ends as ``terminal``); the caller decides,
with the parser, whether and how the walk continues from there.
"""

from __future__ import annotations

import numpy as np


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


def _compile():
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a core dependency
        return walk_py
    return numba.njit(cache=True, nogil=True)(walk_py)


walk = _compile()
