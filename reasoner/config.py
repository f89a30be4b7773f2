"""The options of one solve, shared by every domain."""

from __future__ import annotations

import sys
from dataclasses import dataclass

SOURCES = ("heuristic", "memory", "neural")
"""Proposal sources of the auxiliary search: hand-written constructions
(``symbolic.geometry.heuristics``), retrieval from the memory of solved problems
(``kg.memory``), the learned proposer (``neural.proposer``, when installed and trained)."""

# ``attempt_sines``: the law of sines in every attempt, however many points it adds
EVERY_ATTEMPT = sys.maxsize


@dataclass(frozen=True)
class SolveConfig:
    """Options of one solve. ``timeout``: seconds (None: no limit); ``memory_limit``: bytes
    of resident memory of the worker process a batch solves it in (None: no limit)."""

    timeout: float | None = None
    memory_limit: int | None = None
    seed: int = 0
    with_proof: bool = True
    diagram_path: str | None = None
    figure: bool = False      # geometry: keep the figure of a proved problem (``--html``)
    # geometry: search auxiliary constructions when DD+AR saturates (``reasoner.search``)
    aux: bool = True
    depth: int = 2            # most auxiliary candidates stacked on the statement
    beam: int = 8             # nodes expanded per depth
    trajectory_depth: int = 6  # trajectories: random stacks of up to this many (0: none)
    # trajectories: the neural source's first proposals join their draws on the statement
    # and, within this share of the search's time, at the nodes below it (0: never)
    trajectory_model: float = 0.0
    sources: tuple[str, ...] = SOURCES  # proposal sources, a subset of SOURCES
    ranking: bool = False     # order candidates by the Bayesian ranking (reasoner.ranking)
    # order the heuristic and memory candidates by the neural model (neural.ranker)
    neural_ranking: bool = False
    memory_path: str | None = None  # persistent memory store: a source, and ranking counts
    # geometry: the neural proposer's checkpoint (``neural.train``'s output; None: the shipped
    # ``neural/weights/proposer.pt``), for the neural source and the neural ranking
    model_path: str | None = None
    progress: bool = False    # print search progress to stderr every few seconds
    # geometry: this solve is worker ``worker`` of ``workers`` searching the problem at once
    # (``reasoner.batch`` runs them, first proof wins; ``reasoner.search``)
    worker: int = 0
    workers: int = 1
    # geometry: the AR tables DD+AR feeds (None: ``symbolic.geometry.state.DEFAULT_AR_TABLES``;
    # of "angle", "ratio", "dist", "squared", "sine")
    ar_tables: frozenset[str] | None = None
    # geometry: the law of sines in attempts with at most this many auxiliary points too
    # (``SearchConfig.attempt_sines``; ``EVERY_ATTEMPT``: all of them)
    attempt_sines: int = 0
