"""One tiny witness problem per rule: proved with only that rule (and the rules named after
it) enabled, and the proof applies the rule."""

from pathlib import Path

import pytest
from rule_ablation import rule as table_rule

from symbolic.geometry.problem import read_problems
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.state import AR_TABLES
from symbolic.geometry.tables import rules

WITNESSES = Path(__file__).resolve().parents[3] / "problems" / "geometry" / "rule_witnesses.txt"
PROBLEMS = {p.name.split()[0]: p for p in read_problems(WITNESSES)}
SQUARED_STATEMENTS = {"power", "eqdot"}  # equations of the squared table only


def test_every_rule_is_matched_or_covered_by_ar_but_not_both():
    from symbolic.geometry.matchers import AR_COVERED, MATCHERS

    ids = {r.id for r in rules()}
    assert set(MATCHERS) | AR_COVERED == ids
    assert not set(MATCHERS) & AR_COVERED


def test_every_rule_has_a_witness():
    assert sorted(PROBLEMS) == sorted(r.id for r in rules())


@pytest.mark.parametrize("rule_id", sorted(PROBLEMS))
def test_witness_is_proved_through_its_rule(rule_id):
    problem = PROBLEMS[rule_id]
    allowed = frozenset(problem.name.split())
    # the squared table (its own witnesses: ar_witnesses.txt) proves r22's and r23's alone;
    # it stays on for a rule that reads a statement of its own (a power of a point)
    rule = table_rule(rule_id)
    squared = {str(a).split()[0] for a in rule.premises} & SQUARED_STATEMENTS
    outcome = prove(problem, ProverConfig(rules=allowed, timeout=30,
                                          ar_tables=AR_TABLES if squared
                                          else AR_TABLES - {"squared"}))
    assert outcome.proved, outcome.stats
    used = {s.derivation.rule for s in outcome.proof.steps}
    assert rule_id in used
    assert used & {r.id for r in rules()} <= allowed
