"""Open the graph behind the knowledge graph: in memory (default) or a persistent embedded
Oxigraph store (through ``oxrdflib``) at a path, and commit changes to it atomically.

Crash safety. Oxigraph (RocksDB) writes each transaction to its write-ahead log before it
returns, so a process killed at any moment (SIGKILL included) leaves a store that opens with
every transaction committed before the kill, and none half-applied. ``commit`` applies a
whole change (a solved problem with its clauses and proof, say) as one SPARQL update, that is
one transaction: a record is all its triples or none. ``flush`` also writes the memtables to
disk files, so a commit survives the machine going down, not only the process.

Locking. One process at a time may open a store for writing (RocksDB's ``LOCK`` file, which
the kernel releases when the process dies, so a killed run leaves no stale lock); any number
of read-only readers can open it beside the writer. ``open_graph(path, wait=s)`` retries for
up to ``s`` seconds while another process holds the store, then raises ``StoreLocked``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from . import vocab
from .errors import StoreLocked

GRAPH_ID = URIRef("urn:neurosym:kg")  # fixed, so a reopened store finds the same named graph

Triple = tuple[Node, Node, Node]


def open_graph(path: str | Path | None = None, read_only: bool = False,
               wait: float = 0.0) -> Graph:
    """A fresh in-memory graph, or the Oxigraph store at ``path`` (created if missing).

    Close a persistent graph with ``graph.close()``: Oxigraph locks the directory while it is
    open for writing; ``wait`` is how long to retry while another process holds that lock
    before raising ``StoreLocked``. ``read_only`` opens an existing store without the lock
    (any number of readers beside one writer; a reader sees what the writer had committed
    when it opened).
    """
    if path is None:
        g = Graph(identifier=GRAPH_ID)
    else:
        try:
            import pyoxigraph
            from oxrdflib import OxigraphStore
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("a persistent knowledge graph needs oxrdflib "
                              "(pip install oxrdflib)") from e
        # no local name for the Oxigraph store: a frame of this call that outlives it (held by
        # the traceback of an ImportError caught during the first bind of a process, until the
        # garbage collector runs) would keep the store, and its lock, after ``graph.close()``
        g = Graph(store=OxigraphStore(store=_open_read_only(pyoxigraph, str(path)) if read_only
                                      else _open_writer(pyoxigraph, str(path), wait)),
                  identifier=GRAPH_ID)
    vocab.bind(g)
    return g


def _held(error: OSError) -> bool:
    """Whether RocksDB refused to open because the store's lock is held (by another process:
    "While lock file: DIR/LOCK: Resource temporarily unavailable", or by this one)."""
    return "LOCK:" in str(error)


def _open_writer(pyoxigraph, path: str, wait: float):
    """Open a store for writing, retrying while another process holds its lock, for up to
    ``wait`` seconds (backing off from 10 ms to 200 ms between tries)."""
    deadline = time.monotonic() + wait
    pause = 0.01
    while True:
        try:
            return pyoxigraph.Store(path)
        except OSError as e:
            if not _held(e):
                raise
            if time.monotonic() >= deadline:
                raise StoreLocked(path, wait) from None
        time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
        pause = min(2 * pause, 0.2)


def _open_read_only(pyoxigraph, path: str, attempts: int = 8):
    """Open a store read-only, retrying while a writer that is opening or compacting it has
    just replaced the files the reader began to read (RocksDB reports that as corruption)."""
    for k in range(attempts):
        try:
            return pyoxigraph.Store.read_only(path)
        except (OSError, RuntimeError):
            if k == attempts - 1:
                raise
            time.sleep(0.02 * 2 ** k)
    raise AssertionError("unreachable")


def _oxigraph(graph: Graph):
    """The pyoxigraph store behind ``graph``, or None for an in-memory graph."""
    try:
        from oxrdflib import OxigraphStore
    except ImportError:  # pragma: no cover - then no graph is an Oxigraph one
        return None
    return graph.store._inner if isinstance(graph.store, OxigraphStore) else None


class Pending(Graph):
    """Triples about to be committed to ``base``. Membership tests (``triple in pending``)
    also look in ``base``, so that writers that skip what is already there (``add_proof``,
    ``add_theory``) write only what is new."""

    def __init__(self, base: Graph) -> None:
        super().__init__()
        self.beneath = base

    def __contains__(self, triple) -> bool:  # type: ignore[override]
        return super().__contains__(triple) or triple in self.beneath


def commit(graph: Graph, add: Graph, remove: Iterable[Triple] = ()) -> None:
    """Remove the triples ``remove`` from ``graph`` and add those of ``add``, atomically: in a
    persistent store as one transaction (one SPARQL update), which a crash never leaves half
    applied. ``remove`` holds no blank nodes."""
    removed = Graph()
    for t in remove:
        removed.add(t)
    ox = _oxigraph(graph)
    if ox is None:
        for t in removed:
            graph.remove(t)
        graph += add
        return
    name = graph.identifier.n3()
    ops = [f"{kind} DATA {{ GRAPH {name} {{\n{part.serialize(format='nt')}}} }}"
           for kind, part in (("DELETE", removed), ("INSERT", add)) if len(part)]
    if ops:
        ox.update(" ;\n".join(ops))


def flush(graph: Graph) -> None:
    """Write what was committed to a persistent store's disk files (a no-op in memory)."""
    ox = _oxigraph(graph)
    if ox is not None:
        ox.flush()


def required(graph: Graph, subject: Node, prop: URIRef) -> Node:
    """The object of ``subject prop ?o``; a ``KeyError`` naming both when the graph lacks it
    (a store written by another version, or damaged)."""
    value = graph.value(subject, prop)
    if value is None:
        raise KeyError(f"knowledge graph: {subject} has no {prop}")
    return value
