"""Typed results that leave the system."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Outcome of one problem. Geometry: proved/unknown/timeout/memory/error; SyGuS:
    solved/infeasible/unknown/timeout/memory/error. ``memory``: the worker solving it passed
    the memory limit and was killed (batches only; ``Result.error`` names the limit)."""

    PROVED = "proved"
    UNKNOWN = "unknown"
    TIMEOUT = "timeout"
    ERROR = "error"
    SOLVED = "solved"
    INFEASIBLE = "infeasible"
    MEMORY = "memory"

    @property
    def definitive(self) -> bool:
        """A checked final answer (proved, solved, or shown infeasible)."""
        return self in (Status.PROVED, Status.SOLVED, Status.INFEASIBLE)


@dataclass(frozen=True)
class Result:
    """What solving one problem produced.

    ``proof_text`` is the readable numbered proof and ``proof`` its JSON form; both are set
    only for proved problems, after the proof was checked. ``error`` holds the one-line
    message of an ``error`` status, or the limit a ``memory`` status passed. ``solution`` is a
    SyGuS answer (``(define-fun ...)`` or ``infeasible``), set only after it was verified.
    """

    problem: str
    file: str
    domain: str
    status: Status
    seconds: float
    steps: int | None = None
    proof_text: str | None = None
    proof: list[dict[str, Any]] | None = None
    error: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    solution: str | None = None
    # the checked geometry Proof itself, for in-process consumers such as the knowledge-graph
    # export (crosses process boundaries by pickling; never part of the JSON contract)
    proof_object: Any = field(default=None, compare=False, repr=False)
    auxiliary: tuple[str, ...] = ()  # geometry: auxiliary clauses the proof needed (--aux)
    # geometry, with ``SolveConfig.figure``: the ``symbolic.geometry.figure.Figure`` of the
    # proved problem (statement, points, lines, circles with element ids), for ``--html``
    figure: Any = field(default=None, compare=False, repr=False)

    def to_json(self, with_proof: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"problem": self.problem, "file": self.file,
                               "domain": self.domain, "status": self.status.value,
                               "seconds": round(self.seconds, 4)}
        if self.steps is not None:
            out["steps"] = self.steps
        if self.error is not None:
            out["error"] = self.error
        if self.solution is not None:
            out["solution"] = self.solution
        if self.auxiliary:
            out["auxiliary"] = list(self.auxiliary)
        if with_proof and self.proof is not None:
            out["proof"] = self.proof
        return out
