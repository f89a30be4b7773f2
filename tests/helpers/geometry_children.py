"""Shared test material: a search's child nodes drawn on their parent's diagram."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from symbolic.geometry.errors import GeometryError
from symbolic.geometry.heuristics import HeuristicProposer
from symbolic.geometry.numeric import Diagram, extend_diagram
from symbolic.geometry.problem import Problem


def drawn_children(problem: Problem, diagram: Diagram, tries: int
                   ) -> Iterator[tuple[Problem, Diagram]]:
    """(child problem, its diagram) for each of the first ``tries`` heuristic candidates that
    can be drawn on ``diagram`` (each child keeps its parent's points where they are)."""
    for cand in HeuristicProposer().propose(problem, tries):
        child = problem.with_auxiliary(cand.clauses)
        try:
            drawn = extend_diagram(diagram, child, len(problem.clauses),
                                   np.random.default_rng(1))
        except GeometryError:
            continue
        yield child, drawn
