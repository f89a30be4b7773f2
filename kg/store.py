"""Open the graph behind the knowledge graph: in memory (default) or a persistent embedded
Oxigraph store (through ``oxrdflib``) at a path."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from . import vocab

GRAPH_ID = URIRef("urn:neurosym:kg")  # fixed, so a reopened store finds the same named graph


def open_graph(path: str | Path | None = None) -> Graph:
    """A fresh in-memory graph, or the Oxigraph store at ``path`` (created if missing).

    Close a persistent graph with ``graph.close()``: Oxigraph locks the directory while it is
    open.
    """
    if path is None:
        g = Graph(identifier=GRAPH_ID)
    else:
        try:
            import oxrdflib  # noqa: F401
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("a persistent knowledge graph needs oxrdflib "
                              "(pip install oxrdflib)") from e
        g = Graph(store="Oxigraph", identifier=GRAPH_ID)
        g.open(str(path), create=not Path(path).exists())
    vocab.bind(g)
    return g
