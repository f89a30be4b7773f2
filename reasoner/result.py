"""Typed results that leave the system."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Outcome of one problem. Geometry: proved/unknown/timeout/error."""

    PROVED = "proved"
    UNKNOWN = "unknown"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class Result:
    """What solving one problem produced.

    ``proof_text`` is the readable numbered proof and ``proof`` its JSON form; both are set
    only for proved problems, after the proof was checked. ``error`` holds the one-line
    message of an ``error`` status.
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

    def to_json(self, with_proof: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"problem": self.problem, "file": self.file,
                               "domain": self.domain, "status": self.status.value,
                               "seconds": round(self.seconds, 4)}
        if self.steps is not None:
            out["steps"] = self.steps
        if self.error is not None:
            out["error"] = self.error
        if with_proof and self.proof is not None:
            out["proof"] = self.proof
        return out
