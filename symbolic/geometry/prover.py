"""The geometry prover: draw the diagram, run DD+AR, extract and check the proof (by the
replay check, then by the independent step checker on the printed proof)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from ..deadline import lifted
from .dd import DDARConfig, DDARRun, Saturation, saturate
from .errors import DiagramError, FalseGoalError
from .numeric import Diagram, build_diagram, extend_diagram
from .problem import Problem
from .proof import Proof, ProofCheckError, check_proof, extract_proof
from .state import DEFAULT_AR_TABLES


@dataclass(frozen=True)
class ProverConfig:
    """``seed`` draws the diagram (the check diagram uses an independent stream);
    ``timeout`` bounds the whole run in seconds (None: no limit)."""

    seed: int = 0
    timeout: float | None = None
    max_levels: int = 64
    rules: frozenset[str] | None = None  # restrict DD to these rule ids (ablations, tests)
    redraw_tries: int = 10  # new drawings when a child cannot be drawn on its parent's
    ar_tables: frozenset[str] = DEFAULT_AR_TABLES  # AR tables DD+AR feeds (``DDARConfig``)


class Verdict(Enum):
    """How a proof attempt ended."""

    PROVED = "proved"     # the goal was derived and the proof passed both checks
    UNKNOWN = "unknown"   # saturation ended without the goal (or the proof failed its check)
    TIMEOUT = "timeout"   # the time limit stopped the attempt


@dataclass
class ProofOutcome:
    """A proof attempt: its verdict, the checked proof when proved, the diagram it drew."""

    verdict: Verdict
    proof: Proof | None
    diagram: Any
    stats: dict[str, Any] = field(default_factory=dict)
    # DD+AR's closure when it saturated without the goal: a problem that extends this one
    # can continue from it (``prove(..., parent=)``) instead of deducing everything again
    closure: Saturation | None = field(default=None, repr=False)

    @property
    def proved(self) -> bool:
        return self.verdict is Verdict.PROVED

    @property
    def timed_out(self) -> bool:
        return self.verdict is Verdict.TIMEOUT

    @property
    def incremental(self) -> bool:
        """Whether DD+AR continued from a parent's closure."""
        return bool(self.stats.get("incremental"))


def prove(problem: Problem, config: ProverConfig | None = None, *,
          parent: ProofOutcome | None = None) -> ProofOutcome:
    """Try to prove ``problem``'s goal with DD+AR. Raises GeometryError on bad problems.

    ``parent``: the outcome of a problem that ``problem`` extends by clauses at its end (an
    auxiliary construction). When it holds a closure, the new clauses are drawn on its
    diagram and DD+AR continues from its closure, so only what they bring is deduced. New
    clauses that cannot be drawn on that diagram (a new point too far away, loci that do not
    meet there) get ``redraw_tries`` whole new drawings, deduced from nothing, before
    ``DiagramError``.
    """
    config = config or ProverConfig()
    start = time.monotonic()
    deadline = start + config.timeout if config.timeout is not None else None
    seeds = np.random.SeedSequence(config.seed).spawn(2)
    closure, diagram, tries = None, None, 100
    if parent is not None and parent.closure is not None:
        try:
            closure, diagram = parent.closure, _extended(problem, parent, seeds[0])
        except DiagramError:  # e.g. the new point falls too far away on this diagram
            closure, tries = None, config.redraw_tries
    if diagram is None:
        try:
            diagram = build_diagram(problem, np.random.default_rng(seeds[0]), deadline=deadline,
                                    max_tries=tries)
        except (DiagramError, FalseGoalError):  # out of time before a good draw: not the
            if deadline is not None and time.monotonic() >= deadline:  # input's fault
                return ProofOutcome(Verdict.TIMEOUT, None, None,
                                    {"build_seconds": config.timeout})
            raise
    t_build = time.monotonic() - start
    run = saturate(problem, diagram.coords, DDARConfig(config.max_levels, deadline, config.rules,
                                                         config.ar_tables),
                   parent=closure)
    stats: dict[str, Any] = dict(run.stats, build_seconds=round(t_build, 4),
                                 incremental=closure is not None)
    if run.goal is None:
        if run.timed_out:
            return ProofOutcome(Verdict.TIMEOUT, None, diagram, stats)
        return ProofOutcome(Verdict.UNKNOWN, None, diagram, stats, closure=run.saturation)
    with lifted():  # a proof found is checked to the end, deadline or not
        return _checked(problem, run, diagram, stats, seeds[1])


def _checked(problem: Problem, run: DDARRun, diagram: Diagram, stats: dict[str, Any],
             seed: np.random.SeedSequence) -> ProofOutcome:
    """The outcome of a saturation that reached the goal: its proof, once it replays on an
    independent diagram and passes the independent checker."""
    assert run.goal is not None
    proof = extract_proof(problem, run.state, run.goal)
    try:
        check_diagram = build_diagram(problem, np.random.default_rng(seed))
        check_proof(proof, check_diagram.coords, diagram.coords)
    except (ProofCheckError, DiagramError) as e:
        stats["proof_check_failed"] = str(e)
        return ProofOutcome(Verdict.UNKNOWN, None, diagram, stats)
    failed = _independent_check(proof)
    if failed:
        stats["proof_check_failed"] = failed
        return ProofOutcome(Verdict.UNKNOWN, None, diagram, stats)
    stats["steps"] = len(proof.steps)
    return ProofOutcome(Verdict.PROVED, proof, diagram, stats)


def _independent_check(proof: Proof) -> str | None:
    """What the independent step checker (``checker``) finds wrong with the printed proof,
    None if nothing: a proof it rejects never leaves the prover."""
    from .checker import BadProof, check_document

    try:
        report = check_document(proof.document())
    except BadProof as e:
        return f"independent checker: {e}"
    return f"independent checker: {report.errors[0]}" if report.errors else None


def _extended(problem: Problem, parent: ProofOutcome, seed: np.random.SeedSequence
              ) -> Diagram:
    """The parent's diagram with ``problem``'s new clauses drawn on it."""
    closure = parent.closure
    assert closure is not None
    base = closure.problem.clauses
    if problem.clauses[:len(base)] != base or problem.goal != closure.problem.goal:
        raise ValueError(f"{problem.name}: the parent is not a start of this problem")
    return extend_diagram(parent.diagram, problem, len(base), np.random.default_rng(seed))
