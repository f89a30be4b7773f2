"""The numba mask kernel against its plain-Python twin, on random tries and DFAs, and which
of the two a process walks with."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from grammars.constrained.kernels import walk_jit, walk_py
from grammars.constrained.trie import TokenTrie


def _run(fn, trie, trans, accept, classes, entries, state, n_words):
    mask = np.zeros((3, n_words), dtype=np.uint32)
    used = np.zeros(3, dtype=np.uint8)
    nodes = np.zeros(trie.n_nodes, dtype=np.int32)
    terms = np.zeros(trie.n_nodes, dtype=np.int32)
    n = fn(trie.byte, trie.depth, trie.skip, trie.tok_ptr, trie.tok_list, trans, accept,
           classes, entries, state, mask, used, nodes, terms)
    assert (used == mask.any(axis=1)).all()
    return mask, sorted(zip(nodes[:n].tolist(), terms[:n].tolist()))


@pytest.mark.parametrize("seed", range(8))
def test_numba_walk_equals_python_twin(seed):
    rng = np.random.default_rng(seed)
    tokens = [bytes(rng.integers(97, 101, rng.integers(1, 6)).tolist()) for _ in range(300)]
    trie = TokenTrie.build(tokens + [None, b""])
    n_states = 12
    trans = rng.integers(-1, n_states, (n_states, 256)).astype(np.int32)
    accept = rng.integers(-1, 3, n_states).astype(np.int32)
    classes = rng.integers(0, 3, n_states).astype(np.int32)
    n_words = (len(tokens) + 2 + 31) // 32
    for state in range(n_states):
        fast = _run(walk_jit(), trie, trans, accept, classes, trie.root_children, state, n_words)
        slow = _run(walk_py, trie, trans, accept, classes, trie.root_children, state, n_words)
        assert (fast[0] == slow[0]).all() and fast[1] == slow[1]


def test_trie_spells_every_token():
    tokens = [b"ab", b"a", b"abc", b"b", b"ab", None, b"\xc3", b"\xc3\xbc"]
    trie = TokenTrie.build(tokens)
    spelled = {}
    path: list[int] = []
    for i in range(1, trie.n_nodes):
        del path[trie.depth[i] - 1:]
        path.append(int(trie.byte[i]))
        for j in trie.tok_list[trie.tok_ptr[i]:trie.tok_ptr[i + 1]]:
            spelled[int(j)] = bytes(path)
    assert spelled == {i: t for i, t in enumerate(tokens) if t}
    assert all(trie.skip[i] > i for i in range(trie.n_nodes))


SWITCH = """
import sys
import numpy as np
from grammars.constrained import kernels
from grammars.constrained.trie import TokenTrie
kernels.JIT_AFTER = float(sys.argv[1])
kernels.SMALL_TRIE = int(sys.argv[2])
trie = TokenTrie.build([b"ab", b"a", b"abc", b"b"])
trans = np.full((2, 256), -1, dtype=np.int32)
trans[0, 97:100] = 1
trans[1, 97:100] = 1
mask = np.zeros((1, 1), dtype=np.uint32)
out = np.zeros(trie.n_nodes, dtype=np.int32)
args = (trie.byte, trie.depth, trie.skip, trie.tok_ptr, trie.tok_list, trans,
        np.array([-1, 0], dtype=np.int32), np.zeros(2, dtype=np.int32), trie.root_children, 0,
        mask, np.zeros(1, dtype=np.uint8), out, out.copy())
before = ("numba" in sys.modules, kernels.jit_loaded())
for _ in range(5):
    kernels.walk(*args)
print(before, ("numba" in sys.modules, kernels.jit_loaded()), int(mask[0, 0]))
"""


@pytest.mark.parametrize("after, small, loaded", [(1e9, 10**6, False), (0.0, 10**6, True),
                                                  (1e9, 2, True)])
def test_small_tries_are_walked_by_the_twin_until_numba_pays_off(after, small, loaded):
    # a fresh interpreter: this one has loaded numba for the tests above
    out = subprocess.run([sys.executable, "-c", SWITCH, str(after), str(small)],
                         capture_output=True, text=True, check=True).stdout.split(") (")
    assert out[0] == "(False, False"
    flags, mask = out[1].rsplit(") ", 1)
    assert flags.strip() == f"{loaded}, {loaded}"
    assert int(mask) == 0b1111  # the four tokens stay inside the lexeme, whoever walked
