"""The geometry prover: draw the diagram, run DD+AR, extract and check the proof."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from .dd import DDARConfig, saturate
from .errors import DiagramError, FalseGoalError
from .problem import Problem
from .proof import Proof, ProofCheckError, check_proof, extract_proof


@dataclass(frozen=True)
class ProverConfig:
    """``seed`` draws the diagram (the check diagram uses an independent stream);
    ``timeout`` bounds the whole run in seconds (None: no limit)."""

    seed: int = 0
    timeout: float | None = None
    max_levels: int = 64
    rules: frozenset[str] | None = None  # restrict DD to these rule ids (ablations, tests)


class Verdict(Enum):
    """How a proof attempt ended."""

    PROVED = "proved"     # the goal was derived and the proof passed its replay check
    UNKNOWN = "unknown"   # saturation ended without the goal (or the proof failed its check)
    TIMEOUT = "timeout"   # the time limit stopped the attempt


@dataclass
class ProofOutcome:
    """A proof attempt: its verdict, the checked proof when proved, the diagram it drew."""

    verdict: Verdict
    proof: Proof | None
    diagram: Any
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def proved(self) -> bool:
        return self.verdict is Verdict.PROVED

    @property
    def timed_out(self) -> bool:
        return self.verdict is Verdict.TIMEOUT


def prove(problem: Problem, config: ProverConfig | None = None) -> ProofOutcome:
    """Try to prove ``problem``'s goal with DD+AR. Raises GeometryError on bad problems."""
    from .numeric import build_diagram

    config = config or ProverConfig()
    start = time.monotonic()
    deadline = start + config.timeout if config.timeout is not None else None
    seeds = np.random.SeedSequence(config.seed).spawn(2)
    try:
        diagram = build_diagram(problem, np.random.default_rng(seeds[0]), deadline=deadline)
    except (DiagramError, FalseGoalError):  # out of time before a good draw: not the input's fault
        if deadline is not None and time.monotonic() >= deadline:
            return ProofOutcome(Verdict.TIMEOUT, None, None, {"build_seconds": config.timeout})
        raise
    t_build = time.monotonic() - start
    run = saturate(problem, diagram.coords, DDARConfig(config.max_levels, deadline, config.rules))
    stats: dict[str, Any] = dict(run.stats, build_seconds=round(t_build, 4))
    if run.goal is None:
        verdict = Verdict.TIMEOUT if run.timed_out else Verdict.UNKNOWN
        return ProofOutcome(verdict, None, diagram, stats)
    proof = extract_proof(problem, run.state, run.goal)
    try:
        check_diagram = build_diagram(problem, np.random.default_rng(seeds[1]))
        check_proof(proof, check_diagram.coords, diagram.coords)
    except (ProofCheckError, DiagramError) as e:
        stats["proof_check_failed"] = str(e)
        return ProofOutcome(Verdict.UNKNOWN, None, diagram, stats)
    stats["steps"] = len(proof.steps)
    return ProofOutcome(Verdict.PROVED, proof, diagram, stats)
