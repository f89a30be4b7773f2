"""The goal's restatements (``symbolic.geometry.restate``) as roots of the search: DD+AR on
each before any auxiliary point, and a proof of a restated statement turned into a checked
proof of the problem."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symbolic.geometry.problem import Problem
    from symbolic.geometry.prover import ProofOutcome
    from symbolic.geometry.restate import Restatement

    from .search import SearchConfig


def prove_restated(problem: Problem, base: ProofOutcome, config: SearchConfig, start: float,
                   unproved: list[tuple[Restatement, ProofOutcome]]
                   ) -> tuple[Restatement, ProofOutcome, int] | None:
    """DD+AR on each restatement of the goal (``symbolic.geometry.restate``) whose point is
    the statement's on its diagram, ``per_candidate`` seconds each at most: the first proved
    whose restatement the independent checker accepts too (its proof saying what was
    restated), with how many were tried; or None. The restatements that saturate without
    their goal are appended to ``unproved``, with their outcome, for the trajectories to
    start from."""
    import numpy as np

    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.prover import prove
    from symbolic.geometry.restate import restatements, same_point

    if base.diagram is None:
        return None
    rng = np.random.default_rng(config.seed)
    tried = 0
    for r in restatements(problem):
        budget = config.per_candidate
        if config.timeout is not None:
            budget = min(budget, start + config.timeout - time.monotonic())
        if budget <= 0:
            return None
        if not same_point(r, base.diagram.coords, rng):
            continue
        tried += 1
        try:
            out = prove(r.problem, config.prover(budget))
        except GeometryError:
            continue
        if out.proved:
            checked = with_restatement(out, r)
            if checked is not None:
                return r, checked, tried
        elif not out.timed_out and out.diagram is not None:
            unproved.append((r, out))
    return None


def with_restatement(out: ProofOutcome, r: Restatement) -> ProofOutcome | None:
    """A proof of the restated statement ``r.problem`` (auxiliary clauses added or not) as a
    proof of the problem: saying what was restated, and checked again by the independent
    checker, restatement included (None if it fails, which ``same_point`` should prevent)."""
    import dataclasses

    from symbolic.geometry.checker import check_document

    assert out.proof is not None, "a proved outcome has its proof"
    proof = dataclasses.replace(out.proof, restated=(r.original.text(), r.point, r.text()))
    if not check_document(proof.document()).valid:
        return None
    return dataclasses.replace(out, proof=proof)
