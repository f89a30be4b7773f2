"""The knowledge-graph write side of a run: proved problems recorded in the memory store
(``--memory``) and in the knowledge store (``--kg-store``) as soon as they are proved, and the
whole run exported as Turtle (``--kg``).

Only the process that drives a batch writes; workers read snapshots of the memory store.
Each proved problem is one transaction, committed and flushed before its row is printed, so
a run killed at any moment leaves stores that open and hold every problem reported before
the kill. A store is opened for writing only while a record is written; while another run
holds it, a write waits up to ``wait`` seconds, then raises ``kg.errors.StoreLocked``.
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

STORE_WAIT = 10.0  # seconds a write waits for a store another run holds (--store-wait)


def open_memory(path: str, *, theory: bool = False, wait: float = STORE_WAIT) -> None:
    """Create the store at ``path`` if missing (so that workers can read it; ``theory``: with
    the construction and rule tables) and check that it opens for writing; raises
    ``StoreLocked`` while another run holds it past ``wait``, and whatever the store raises on
    an unusable path."""
    from kg.memory import Memory

    Memory(path, theory=theory, wait=wait).close()


def _geometry_problem(item: WorkItem, result: Result) -> Problem | None:
    """The parsed geometry problem behind a geometry result, or None."""
    from symbolic.geometry.problem import Problem

    from .domains.geometry import DOMAIN

    if result.domain != DOMAIN.name or not isinstance(item.problem, Problem):
        return None
    return item.problem


def remember(item: WorkItem, result: Result, config: SolveConfig, *,
             kg_store: str | None = None, wait: float = STORE_WAIT) -> None:
    """Add a proved geometry problem, with the auxiliary clauses it needed, and the search's
    per-arm counts to the memory store (``config.memory_path``), and the problem to the
    knowledge store ``kg_store``, at once (later problems can use it; a kill loses nothing
    recorded)."""
    memory = config.memory_path
    if memory is None and kg_store is None:  # nothing to record to: rdflib stays unloaded
        return
    problem = _geometry_problem(item, result)
    if problem is None:
        return
    from kg.memory import record_solved

    trials = result.stats.get("trials") or {}
    if memory is not None and (result.proof_object is not None or trials):
        record_solved(memory, problem, result.proof_object, result.auxiliary, trials,
                      wait=wait)
    if (kg_store is not None and result.proof_object is not None
            and (memory is None or Path(memory).resolve() != Path(kg_store).resolve())):
        record_solved(kg_store, problem, result.proof_object, result.auxiliary, wait=wait)


def export_kg(items: Sequence[WorkItem], results: Sequence[Result], path: str,
              store: str | None = None, wait: float = STORE_WAIT) -> tuple[Path, int]:
    """Record every proved geometry problem and its checked proof, write Turtle to ``path``
    (and keep the store in ``store`` when given); (path written, proofs recorded)."""
    from kg.memory import export_solved

    solved = []
    for item, result in zip(items, results):
        problem = _geometry_problem(item, result)
        if problem is not None and result.proof_object is not None:
            problem = problem.with_auxiliary(problem.parse_clauses(result.auxiliary))
            solved.append((problem, result.proof_object))
    return export_solved(solved, path, store=store, wait=wait), len(solved)
