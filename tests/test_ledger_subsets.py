"""The JGEX ledger's subsets as the bench scripts select them: ``unsolved`` (what DD+AR leaves
now) and ``attempts`` (the fixed 23 of the attempts-per-second comparisons)."""

from __future__ import annotations

import json

from bench_scripts import load_bench


def test_the_subsets_come_from_the_ledger():
    proposer = load_bench("proposer")
    ledger = json.loads(proposer.LEDGER.read_text())
    proved, left, fixed = (set(ledger[k]) for k in ("proved", "not_proved", "attempts_subset"))
    assert len(fixed) == 23 and left <= fixed and not proved & left
    pairs = [(n, "problem text") for n in sorted(proved | left)]
    for subset, names in (("unsolved", left), ("attempts", fixed)):
        chosen = proposer.select(pairs, subset, proposer.LEDGER, None)
        assert {n for n, _ in chosen} == names
    assert len(proposer.select(pairs, "all", proposer.LEDGER, 5)) == 5
    assert load_bench("attempts_cpu").LEDGER_KEYS == proposer.LEDGER_KEYS
