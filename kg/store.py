"""Open the graph behind the knowledge graph: in memory (default) or a persistent embedded
Oxigraph store (through ``oxrdflib``) at a path."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from . import vocab

GRAPH_ID = URIRef("urn:neurosym:kg")  # fixed, so a reopened store finds the same named graph


def open_graph(path: str | Path | None = None, read_only: bool = False) -> Graph:
    """A fresh in-memory graph, or the Oxigraph store at ``path`` (created if missing).

    Close a persistent graph with ``graph.close()``: Oxigraph locks the directory while it is
    open for writing. ``read_only`` opens an existing store without the lock (any number of
    readers beside one writer; a reader sees what the writer had flushed when it opened).
    """
    if path is None:
        g = Graph(identifier=GRAPH_ID)
    else:
        try:
            import oxrdflib  # noqa: F401
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("a persistent knowledge graph needs oxrdflib "
                              "(pip install oxrdflib)") from e
        if read_only:
            import pyoxigraph
            from oxrdflib import OxigraphStore

            store = OxigraphStore(store=_open_read_only(pyoxigraph, str(path)))
            g = Graph(store=store, identifier=GRAPH_ID)
        else:
            g = Graph(store="Oxigraph", identifier=GRAPH_ID)
            g.open(str(path), create=not Path(path).exists())
    vocab.bind(g)
    return g


def _open_read_only(pyoxigraph, path: str, attempts: int = 8):
    """Open a store read-only, retrying while a writer that is opening or compacting it has
    just replaced the files the reader began to read (RocksDB reports that as corruption)."""
    import time

    for k in range(attempts):
        try:
            return pyoxigraph.Store.read_only(path)
        except (OSError, RuntimeError):
            if k == attempts - 1:
                raise
            time.sleep(0.02 * 2 ** k)
    raise AssertionError("unreachable")


def required(graph: Graph, subject: Node, prop: URIRef) -> Node:
    """The object of ``subject prop ?o``; a ``KeyError`` naming both when the graph lacks it
    (a store written by another version, or damaged)."""
    value = graph.value(subject, prop)
    if value is None:
        raise KeyError(f"knowledge graph: {subject} has no {prop}")
    return value
