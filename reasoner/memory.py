"""The knowledge-graph write side of a run: proved problems recorded in the memory store as
soon as they are proved (``--memory``), and the whole run exported as Turtle (``--kg``).

Only the process that drives a batch writes; workers read snapshots of the memory store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .batch import WorkItem
from .config import SolveConfig
from .result import Result

if TYPE_CHECKING:
    from symbolic.geometry.problem import Problem


def open_memory(path: str) -> None:
    """Create the memory store at ``path`` if missing (so that workers can read it) and check
    that it opens; raises whatever the store raises on an unusable path."""
    from kg.memory import Memory

    Memory(path).close()


def _geometry_problem(item: WorkItem, result: Result) -> Problem | None:
    """The parsed geometry problem behind a geometry result, or None."""
    from symbolic.geometry.problem import Problem

    from .domains.geometry import DOMAIN

    if result.domain != DOMAIN.name or not isinstance(item.problem, Problem):
        return None
    return item.problem


def remember(item: WorkItem, result: Result, config: SolveConfig) -> None:
    """With a memory store: add a proved geometry problem, with the auxiliary clauses it
    needed, and the search's per-arm counts to the memory, at once (later problems can use
    it)."""
    if config.memory_path is None:
        return
    problem = _geometry_problem(item, result)
    trials = result.stats.get("trials") or {}
    if problem is None or (result.proof_object is None and not trials):
        return
    from kg.memory import record_solved

    record_solved(config.memory_path, problem, result.proof_object, result.auxiliary, trials)


def export_kg(items: Sequence[WorkItem], results: Sequence[Result], path: str,
              store: str | None = None) -> tuple[Path, int]:
    """Record every proved geometry problem and its checked proof, write Turtle to ``path``
    (and keep the store in ``store`` when given); (path written, proofs recorded)."""
    from kg.memory import export_solved

    solved = []
    for item, result in zip(items, results):
        problem = _geometry_problem(item, result)
        if problem is not None and result.proof_object is not None:
            problem = problem.with_auxiliary(problem.parse_clauses(result.auxiliary))
            solved.append((problem, result.proof_object))
    return export_solved(solved, path, store=store), len(solved)
