"""The persistent store under crashes and concurrent runs: a SIGKILL while records are being
written leaves a store that opens with every record committed before the kill, each one
whole; a second writer waits for the lock and then gets ``StoreLocked``, never a
corrupted store."""

from __future__ import annotations

import dataclasses
import time

import pytest

pytest.importorskip("oxrdflib")

from processes import HOLDER, Child  # noqa: E402
from rdflib import RDF, URIRef  # noqa: E402

from kg import vocab as V  # noqa: E402
from kg.errors import StoreLocked  # noqa: E402
from kg.memory import Memory  # noqa: E402
from kg.proofs import read_proof  # noqa: E402

MIDLINE = "a b c = triangle a b c; d = midpoint d a b; e = midpoint e a c ? para d e b c"

# Records the midline problem over and over (renamed, so each is new, with its own proof
# node), one transaction each and no flush, printing each index once it is committed.
WRITER = """
import dataclasses, sys
from kg.memory import Memory
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove
p = parse_problem(sys.argv[2], "p")
proof = prove(p, ProverConfig(seed=0)).proof
with Memory(sys.argv[1]) as m:
    for i in range(100000):
        m.add(p.rename({"a": f"a{i}"}), dataclasses.replace(proof, problem=f"p{i}"))
        print(i, flush=True)
"""


def record(i: int, midline):
    return (midline.problem.rename({"a": f"a{i}"}),
            dataclasses.replace(midline.proof, problem=f"p{i}"))


def test_a_killed_writer_leaves_every_committed_record_whole(tmp_path, solved):
    midline = solved["midline"]
    sizes = []
    m = Memory()
    for i in range(3):
        m.add(*record(i, midline))
        sizes.append(len(m.graph))
    per_record = sizes[1] - sizes[0]
    assert sizes[2] - sizes[1] == per_record > 50
    path = tmp_path / "store"
    writer = Child("-c", WRITER, path, MIDLINE)
    writer.wait_for(lambda lines: len(lines) >= 8)
    reported = len(writer.kill())
    with Memory(path) as m:  # opens for writing: no stale lock, nothing to repair by hand
        n = len(list(m.graph.subjects(RDF.type, V.Problem)))
        assert reported <= n <= reported + 1  # at most the one being written at the kill
        assert len(m.graph) == sizes[0] + (n - 1) * per_record  # each record whole
        for (node,) in m.query("SELECT ?p WHERE { ?p a ns:Proof }"):
            assert read_proof(m.graph, URIRef(node)).steps == midline.proof.steps
        m.add(*record(n + 10, midline))  # and it takes new records
        assert len(m.graph) == sizes[0] + n * per_record


def test_a_second_writer_waits_for_the_lock_then_gets_a_clear_error(tmp_path, solved):
    path = tmp_path / "store"
    Memory(path).close()
    holder = Child("-c", HOLDER, path, stdin=True)
    try:
        holder.wait_for(lambda lines: lines == ["holding"])
        start = time.monotonic()
        with pytest.raises(StoreLocked) as e:
            Memory(path, wait=0.3)
        assert time.monotonic() - start >= 0.3
        assert str(e.value).startswith(f"knowledge store {path} is held by another run")
        with Memory(path, read_only=True) as reader:  # readers still get in
            assert reader.snapshot() == []
    finally:
        assert holder.finish() == 0
    with Memory(path, wait=30) as m:  # the holder has gone: the lock is free again
        m.add(solved["midline"].problem, solved["midline"].proof)


def test_a_transaction_commits_everything_or_nothing(tmp_path, solved):
    with Memory(tmp_path / "store") as m:
        with pytest.raises(RuntimeError), m.transaction():
            m.add(solved["midline"].problem, solved["midline"].proof)
            m.add_trials({"heuristic:foot": (2, 1)})
            raise RuntimeError("interrupted")
        assert len(m.graph) == 0
        with m.transaction():
            m.add_trials({"heuristic:foot": (2, 1)})
            m.add_trials({"heuristic:foot": (3, 0)})
            m.add(solved["thales"].problem, solved["thales"].proof)
        assert m.ranking_counts() == {"heuristic:foot": (5, 1)}
        assert [s.name for s in m._stored()] == ["thales"]


def test_closing_the_first_store_of_a_process_releases_its_lock_without_the_gc(tmp_path):
    """The first open of a process imports lazily (and catches an ImportError) while it binds
    the prefix; nothing of that call may keep the store, and its lock, after ``close``."""
    import subprocess
    import sys

    code = ("import gc, sys; gc.disable(); from kg.memory import Memory; import pyoxigraph; "
            "Memory(sys.argv[1], wait=1.0).close(); pyoxigraph.Store(sys.argv[1]); print('ok')")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m")], capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-500:]
