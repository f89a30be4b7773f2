"""The token trie as flat arrays in depth-first preorder (what the mask kernels walk).

Node 0 is the root (the empty prefix). For node ``i``: ``byte[i]`` is the byte on the edge into
it, ``depth[i]`` its depth, ``skip[i]`` the index just past its subtree (so a walk skips a dead
subtree in one step) and ``tok_list[tok_ptr[i]:tok_ptr[i + 1]]`` the token ids spelled exactly
by the path to it (several ids may share bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TokenTrie:
    byte: np.ndarray  # uint8 [n]
    depth: np.ndarray  # int32 [n]
    skip: np.ndarray  # int32 [n]
    tok_ptr: np.ndarray  # int32 [n + 1]
    tok_list: np.ndarray  # int32 [n_tokens in trie]
    root_children: np.ndarray  # int32, the depth-1 nodes
    max_depth: int

    @property
    def n_nodes(self) -> int:
        return len(self.byte)

    @classmethod
    def build(cls, tokens: list[bytes | None]) -> TokenTrie:
        """A trie of every non-empty token (``None`` and ``b""`` tokens are left out)."""
        by_bytes: dict[bytes, list[int]] = {}
        for i, t in enumerate(tokens):
            if t:
                by_bytes.setdefault(t, []).append(i)
        byte, depth, skip = [0], [0], [0]
        toks: list[list[int]] = [[]]
        path: list[int] = [0]  # node index per depth along the current path
        prev = b""
        for word in sorted(by_bytes):
            common = _common_prefix(prev, word)
            while len(path) > common + 1:
                skip[path.pop()] = len(byte)
            for b in word[common:]:
                path.append(len(byte))
                byte.append(b)
                depth.append(len(path) - 1)
                skip.append(0)
                toks.append([])
            toks[path[-1]].extend(by_bytes[word])
            prev = word
        while path:
            skip[path.pop()] = len(byte)
        ptr = np.zeros(len(byte) + 1, dtype=np.int32)
        ptr[1:] = np.cumsum([len(t) for t in toks])
        flat = np.array([i for t in toks for i in t], dtype=np.int32)
        depth_a = np.array(depth, dtype=np.int32)
        return cls(np.array(byte, dtype=np.uint8), depth_a, np.array(skip, dtype=np.int32),
                   ptr, flat, np.flatnonzero(depth_a == 1).astype(np.int32),
                   int(depth_a.max()) if len(depth_a) else 0)


def _common_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
