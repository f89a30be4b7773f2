"""Witness tests of rules: which rules a proof used, and whether DD+AR proves a problem with
some rules left out (the rule table minus those ids)."""

from __future__ import annotations

from symbolic.geometry.prover import ProofOutcome, ProverConfig, prove
from symbolic.geometry.tables import rules


def rules_used(outcome: ProofOutcome) -> set[str]:
    """The rule (or AR chase) of every step of the outcome's proof."""
    return {s.derivation.rule for s in outcome.proof.steps}


def without(*gone: str) -> frozenset[str]:
    """Every rule id of the table except `gone`."""
    return frozenset(r.id for r in rules()) - set(gone)


def proved_without(problem, *gone: str, timeout: float = 30, ar_tables=None) -> bool:
    """Whether DD+AR proves `problem` with the rules `gone` left out (and only the AR tables
    `ar_tables`, when given)."""
    tables = {} if ar_tables is None else {"ar_tables": ar_tables}
    return prove(problem, ProverConfig(timeout=timeout, rules=without(*gone), **tables)).proved


def proved_through(problem, uses: set[str], *gone: str, timeout: float = 60) -> ProofOutcome:
    """Assert that DD+AR proves `problem` (the proof replayed and checked independently) with
    every rule or chase of `uses` in the proof, and does not prove it with `gone` left out."""
    outcome = prove(problem, ProverConfig(timeout=timeout))
    assert outcome.proved, outcome.stats
    used = rules_used(outcome)
    assert uses <= used, used
    assert not proved_without(problem, *gone, timeout=timeout), gone
    return outcome


def rule(rule_id: str):
    """The table's rule with this id."""
    (found,) = [r for r in rules() if r.id == rule_id]
    return found
