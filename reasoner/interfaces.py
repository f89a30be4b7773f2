"""The small interfaces through which proposers plug into the symbolic engines.

Symbolic engines depend on these protocols, never on ``neural/``: a learned model replaces a
default proposer by implementing the same protocol, and the engine re-checks whatever it is
given (the proposer never decides truth).

* ``RuleProposer``: rule probabilities of a grammar (a pCFG) for enumerative synthesis; the
  SyGuS enumerator turns them into integer costs. ``symbolic.sygus.pcfg`` has the uniform and
  Probe-style defaults; ``ProblemAwareProposer`` adds the optional ``prepare`` hook (problem
  and grammar given before the probabilities are asked).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

RuleId = tuple[str, int]
"""A production: (non-terminal name, index of the rule in its list)."""


@dataclass(frozen=True)
class PartialSolution:
    """A program that satisfied a fraction ``fit`` of the examples, with the rules it used."""

    rules: tuple[RuleId, ...]
    fit: float


class RuleProposer(Protocol):
    """Gives rule probabilities for a grammar; may learn from partial solutions."""

    def probabilities(self, rules: Mapping[str, int]) -> dict[RuleId, float]:
        """``rules`` maps each non-terminal to its number of productions."""
        ...

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        """Learn from partial solutions; True when the probabilities changed."""
        ...


class ProblemAwareProposer(RuleProposer, Protocol):
    """A ``RuleProposer`` with the optional ``prepare`` hook: the SyGuS search calls it once
    per function to synthesize, before ``probabilities``, when the proposer has it. Rule
    ``(nt, i)`` is production ``i`` of non-terminal ``nt`` of ``grammar`` (what it is:
    operator, constant, variable... and its sort), so a proposer can condition on the problem
    and tell productions apart. Proposers without ``prepare`` behave as before."""

    def prepare(self, spec: Any, fun: Any, grammar: Any) -> None:
        ...


@dataclass(frozen=True)
class Candidate:
    """A proposal of auxiliary constructions: clauses in the problem language over the
    problem's points (new points named freshly), a score (higher is better; sources keep
    their own scale) and where it came from (``heuristic``, ``memory``, ``neural``...)."""

    clauses: tuple[str, ...]
    score: float
    source: str

    def text(self) -> str:
        return "; ".join(self.clauses)


class ConstructionProposer(Protocol):
    """Proposes auxiliary constructions for a geometry problem, best first."""

    def propose(self, problem: Any, k: int) -> list[Candidate]:
        ...
