"""Typed verdicts: ``Status`` (the VNN-COMP result words), ``Witness`` and ``Result``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class Status(enum.Enum):
    """Result of one instance, with VNN-COMP's words: ``unsat`` = the property holds."""

    UNSAT = "unsat"
    SAT = "sat"
    UNKNOWN = "unknown"
    TIMEOUT = "timeout"
    MEMORY = "memory"  # the worker passed the memory limit and was killed (``error`` names it)
    ERROR = "error"

    @property
    def decided(self) -> bool:
        return self in (Status.UNSAT, Status.SAT)


@dataclass(frozen=True)
class Witness:
    """A counterexample confirmed by onnxruntime: input ``x`` (exact float32 values, flattened)
    and the onnxruntime output ``y`` at it."""

    x: np.ndarray
    y: np.ndarray

    def to_vnncomp(self) -> str:
        """The VNN-COMP witness block ``((X_0 v) ... (Y_0 v) ...)``."""
        rows = [f"(X_{i} {float(v)!r})" for i, v in enumerate(self.x)]
        rows += [f"(Y_{j} {float(v)!r})" for j, v in enumerate(self.y)]
        return "(" + "\n ".join(rows) + ")"


@dataclass(frozen=True)
class Result:
    """The verdict on one (network, property) instance."""

    status: Status
    seconds: float = 0.0
    witness: Witness | None = None
    error: str | None = None
    stats: dict = field(default_factory=dict)

    def to_vnncomp(self) -> str:
        """Result-file text: the status word, then the witness after ``sat``; VNN-COMP has no
        word for ``memory``, which is written ``unknown`` (JSON and JUnit say ``memory``)."""
        text = self.vnncomp_word + "\n"
        if self.status is Status.SAT and self.witness is not None:
            text += self.witness.to_vnncomp() + "\n"
        return text

    @property
    def vnncomp_word(self) -> str:
        return "unknown" if self.status is Status.MEMORY else self.status.value

    def to_json(self) -> dict:
        out: dict = {"status": self.status.value, "seconds": round(self.seconds, 4)}
        if self.witness is not None:
            out["witness"] = {"x": self.witness.x.tolist(), "y": self.witness.y.tolist()}
        if self.error:
            out["error"] = self.error
        if self.stats:
            out["stats"] = self.stats
        return out
