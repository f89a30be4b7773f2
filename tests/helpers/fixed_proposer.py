"""A proposal source for tests of the search loop: the given clauses, in order."""

from __future__ import annotations

from symbolic.geometry.proposal import Candidate


class Fixed:
    """A proposer that returns the given candidates in this order."""

    source = "fixed"

    def __init__(self, *clauses: str) -> None:
        self.clauses = clauses

    def propose(self, problem, k):
        return [Candidate((problem.parse_clause(c),), -i, "fixed")
                for i, c in enumerate(self.clauses)][:k]
