"""Rule costs from a probabilistic grammar, through a ``Proposer`` interface.

A proposer gives every production a probability; the enumerator only sees integer costs
``max(1, round(-log2 p))`` (Probe). ``UniformProposer`` is the default; ``ProbeProposer``
updates probabilities from partial solutions (programs that satisfy a subset of the examples),
``p <- p ** (1 - fit)`` renormalised per non-terminal with a floor. A learned model plugs in
by implementing ``Proposer`` without touching the enumerator.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from reasoner.interfaces import PartialSolution, RuleId, RuleProposer

__all__ = ["FLOOR", "PartialSolution", "ProbeProposer", "Proposer", "RuleId", "UniformProposer",
           "costs"]

Proposer = RuleProposer  # the protocol lives in reasoner.interfaces

FLOOR = 0.001


class UniformProposer:
    """Every production of a non-terminal equally likely: costs all 1 (size order)."""

    def probabilities(self, rules: Mapping[str, int]) -> dict[RuleId, float]:
        return {(nt, i): 0.5 for nt, n in rules.items() for i in range(n)}

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        return False


class ProbeProposer:
    """Probe's just-in-time pCFG: rules of partial solutions become cheaper."""

    def __init__(self) -> None:
        self.p: dict[RuleId, float] = {}

    def probabilities(self, rules: Mapping[str, int]) -> dict[RuleId, float]:
        for nt, n in rules.items():
            for i in range(n):
                self.p.setdefault((nt, i), 1.0 / n)
        return dict(self.p)

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        best: dict[RuleId, float] = {}
        for ps in partial:
            for r in ps.rules:
                best[r] = max(best.get(r, 0.0), ps.fit)
        if not best:
            return False
        for r, fit in best.items():
            if r in self.p:
                self.p[r] = self.p[r] ** (1 - fit)
        by_nt: dict[str, float] = {}
        for (nt, _), p in self.p.items():
            by_nt[nt] = by_nt.get(nt, 0.0) + p
        self.p = {r: max(FLOOR, p / by_nt[r[0]]) for r, p in self.p.items()}
        return True


def costs(probabilities: Mapping[RuleId, float], uniform: bool = False) -> dict[RuleId, int]:
    """Integer rule costs, at least 1."""
    if uniform:
        return {r: 1 for r in probabilities}
    return {r: max(1, round(-math.log2(max(p, FLOOR)))) for r, p in probabilities.items()}
