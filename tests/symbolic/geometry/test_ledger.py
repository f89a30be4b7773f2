"""The ledger of expected outcomes: no JGEX problem we prove may regress, and every proof
found passes its check (the prover only reports checked proofs)."""

import json
from pathlib import Path

import pytest

from symbolic.geometry.problem import read_problems
from symbolic.geometry.prover import ProverConfig, prove

ROOT = Path(__file__).resolve().parents[3]
LEDGER = ROOT / "problems" / "geometry" / "jgex_ag_231.expected.json"
BENCH = ROOT / ".." / "shared" / "benchmarks" / "geometry" / "jgex_ag_231.txt"


@pytest.mark.skipif(not BENCH.exists(),
                    reason="shared benchmark data absent (../shared/benchmarks)")
def test_no_regression_on_jgex_ag_231():
    expected = json.loads(LEDGER.read_text())
    problems = read_problems(BENCH)
    assert len(problems) == len(expected["proved"]) + len(expected["not_proved"])
    proved = set()
    for p in problems:
        out = prove(p, ProverConfig(timeout=60))
        if out.proved:
            proved.add(p.name)
    lost = sorted(set(expected["proved"]) - proved)
    assert not lost, f"no longer proved: {lost}"
    gained = sorted(proved - set(expected["proved"]))
    print(f"proved {len(proved)} of {len(problems)}; newly proved: {gained}")
