"""How proposers of auxiliary constructions plug into the geometry engine.

A proposer (hand-written heuristics, the memory of solved problems, the learned model) suggests
auxiliary constructions for a problem; the engine draws, deduces from and checks whatever it is
given, so a proposer never decides truth. Every source returns the same ``Candidate`` type and
implements ``ConstructionProposer``; the search in ``reasoner.search`` drives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .problem import Clause, Problem


@dataclass(frozen=True)
class Candidate:
    """A proposal of auxiliary constructions: typed clauses over the problem's points (new
    points named freshly, ``Problem.fresh_points``), to be added with
    ``Problem.with_auxiliary``; a score (higher is better; sources keep their own scale) and
    where it came from (``heuristic``, ``memory``, ``neural``...)."""

    clauses: tuple[Clause, ...]
    score: float
    source: str

    def text(self) -> str:
        """The clauses in the problem language, ``; ``-separated."""
        return "; ".join(map(str, self.clauses))


class ConstructionProposer(Protocol):
    """Proposes auxiliary constructions for a geometry problem, best first; ``source`` names
    it (the ``source`` of its candidates)."""

    source: str

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        """At most ``k`` candidates for ``problem``, best first."""
        ...
