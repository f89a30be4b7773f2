"""How proposers of auxiliary constructions plug into the geometry engine.

A proposer (hand-written heuristics, the memory of solved problems, the learned model) suggests
auxiliary constructions for a problem; the engine draws, deduces from and checks whatever it is
given, so a proposer never decides truth. Every source returns the same ``Candidate`` type and
implements ``ConstructionProposer``; the search in ``reasoner.search`` drives them.
"""

from __future__ import annotations

from collections.abc import Callable
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


class LazyCandidate(Candidate):
    """A candidate whose clauses are made when first read: a source lists a hundred at a
    trajectory's node, and the search draws one or two of them."""

    def __init__(self, clauses: tuple[Clause, ...] | None, score: float, source: str,
                 make: Callable[[], tuple[Clause, ...]] | None = None) -> None:
        """``make``: what makes the clauses when ``clauses`` is None (``dataclasses.replace``
        gives the clauses, made)."""
        object.__setattr__(self, "_clauses", clauses)
        object.__setattr__(self, "_make", make)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "source", source)

    @property  # type: ignore[misc]
    def clauses(self) -> tuple[Clause, ...]:  # type: ignore[override]
        made = self.__dict__["_clauses"]
        if made is None:
            made = self.__dict__["_make"]()
            object.__setattr__(self, "_clauses", made)
            object.__setattr__(self, "_make", None)
        return made

    def __eq__(self, other: object) -> bool:  # a candidate like any other
        if not isinstance(other, Candidate):
            return NotImplemented
        return (self.clauses, self.score, self.source) == (other.clauses, other.score,
                                                           other.source)

    def __hash__(self) -> int:
        return hash((self.clauses, self.score, self.source))

    def __reduce__(self) -> tuple[type[Candidate], tuple[tuple[Clause, ...], float, str]]:
        return Candidate, (self.clauses, self.score, self.source)


class ConstructionProposer(Protocol):
    """Proposes auxiliary constructions for a geometry problem, best first; ``source`` names
    it (the ``source`` of its candidates)."""

    source: str

    def propose(self, problem: Problem, k: int) -> list[Candidate]:
        """At most ``k`` candidates for ``problem``, best first."""
        ...
