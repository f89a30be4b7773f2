"""Rule costs from a probabilistic grammar: the ``RuleProposer`` protocol and its defaults.

A proposer gives every production a probability; the enumerator only sees integer costs
``max(1, round(-log2 p))`` (Probe). ``UniformProposer`` is the default; ``ProbeProposer``
updates probabilities from partial solutions (programs that satisfy a subset of the examples),
``p <- p ** (1 - fit)`` renormalised per non-terminal with a floor. A learned model
(``neural.sygus``) plugs in by implementing ``RuleProposer`` without touching the enumerator;
the search re-checks every program it finds, so a proposer never decides truth.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .spec import Grammar, Spec, SynthFun

__all__ = ["FLOOR", "PartialSolution", "ProbeProposer", "RuleId", "RuleProposer",
           "UniformProposer", "costs"]

RuleId = tuple[str, int]
"""A production: (non-terminal name, index of the rule in its list)."""


@dataclass(frozen=True)
class PartialSolution:
    """A program that satisfied a fraction ``fit`` of the examples, with the rules it used."""

    rules: tuple[RuleId, ...]
    fit: float


class RuleProposer(Protocol):
    """Rule probabilities of a grammar (a pCFG) for enumerative synthesis.

    The search calls ``prepare`` once per function to synthesize, then ``probabilities``;
    ``update`` after each round with the partial solutions found. Rule ``(nt, i)`` is
    production ``i`` of non-terminal ``nt`` of the grammar given to ``prepare``.
    """

    def prepare(self, spec: Spec, fun: SynthFun, grammar: Grammar) -> None:
        """The problem and grammar that the next ``probabilities`` call is about, so that a
        proposer can condition on them (what each production is: operator, constant,
        variable, and its sort). Proposers that do not condition do nothing."""
        ...

    def probabilities(self, rules: Mapping[str, int]) -> dict[RuleId, float]:
        """``rules`` maps each non-terminal to its number of productions."""
        ...

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        """Learn from partial solutions; True when the probabilities changed."""
        ...


FLOOR = 0.001


class UniformProposer:
    """Every production of a non-terminal equally likely: costs all 1 (size order)."""

    def prepare(self, spec: Spec, fun: SynthFun, grammar: Grammar) -> None:
        pass

    def probabilities(self, rules: Mapping[str, int]) -> dict[RuleId, float]:
        return {(nt, i): 0.5 for nt, n in rules.items() for i in range(n)}

    def update(self, partial: Iterable[PartialSolution]) -> bool:
        return False


class ProbeProposer:
    """Probe's just-in-time pCFG: rules of partial solutions become cheaper."""

    def __init__(self) -> None:
        self.p: dict[RuleId, float] = {}

    def prepare(self, spec: Spec, fun: SynthFun, grammar: Grammar) -> None:
        pass

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
