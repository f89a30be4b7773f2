"""The propose-check search over auxiliary constructions (geometry).

DD+AR first; if it saturates without the goal, candidates from the proposers are tried
best first: each candidate's clauses are added to the statement, the new problem is drawn and
deduced from like any other, and the first one whose goal is proved, with its proof checked,
wins. Proposers only propose; truth is decided by the prover. Depth 1 for now (one candidate
at a time, each made of one or more clauses).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .interfaces import Candidate, ConstructionProposer


@dataclass(frozen=True)
class SearchConfig:
    """``timeout`` bounds the whole search; ``per_candidate`` each candidate's DD+AR run;
    ``max_candidates`` how many proposals are tried at most."""

    timeout: float | None = 60.0
    per_candidate: float = 10.0
    max_candidates: int = 400
    seed: int = 0


@dataclass
class SearchOutcome:
    outcome: Any                      # the ProofOutcome of the problem that was proved last
    problem: Any                      # that problem (the statement plus auxiliary clauses)
    auxiliary: tuple[str, ...] = ()   # the clauses added, empty if DD+AR alone sufficed
    tried: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


def with_clauses(problem, clauses: Sequence[str]):
    """The problem with ``clauses`` inserted before the goal (re-parsed, so checked)."""
    from symbolic.geometry.problem import parse_problem

    head, goal = problem.text().split(" ? ")
    return parse_problem("; ".join([head, *clauses]) + " ? " + goal, name=problem.name,
                         file=problem.file, line=problem.line)


def search(problem, proposers: Sequence[ConstructionProposer],
           config: SearchConfig | None = None) -> SearchOutcome:
    """Prove ``problem``, adding auxiliary constructions from ``proposers`` if needed."""
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.prover import ProverConfig, prove

    config = config or SearchConfig()
    start = time.monotonic()
    deadline = None if config.timeout is None else start + config.timeout
    left = lambda: None if deadline is None else deadline - time.monotonic()  # noqa: E731
    base = prove(problem, ProverConfig(seed=config.seed, timeout=config.timeout))
    if base.proved or base.timed_out:
        return SearchOutcome(base, problem)
    candidates = _merge([p.propose(problem, config.max_candidates) for p in proposers],
                        config.max_candidates)
    tried = 0
    for cand in candidates:
        remaining = left()
        if remaining is not None and remaining <= 0:
            return SearchOutcome(base, problem, (), tried, {"timed_out": True})
        budget = config.per_candidate if remaining is None else min(config.per_candidate,
                                                                    remaining)
        tried += 1
        try:
            extended = with_clauses(problem, cand.clauses)
            out = prove(extended, ProverConfig(seed=config.seed, timeout=budget))
        except GeometryError:  # the candidate cannot be drawn or parsed: skip it
            continue
        if out.proved:
            return SearchOutcome(out, extended, cand.clauses, tried, {"source": cand.source})
    return SearchOutcome(base, problem, (), tried, {})


def _merge(lists: Sequence[list[Candidate]], k: int) -> list[Candidate]:
    """Interleave the sources round-robin (each list is already best first), no repeats."""
    out: list[Candidate] = []
    seen: set[tuple[str, ...]] = set()
    for i in range(max((len(x) for x in lists), default=0)):
        for lst in lists:
            if i < len(lst) and lst[i].clauses not in seen:
                seen.add(lst[i].clauses)
                out.append(lst[i])
    return out[:k]
