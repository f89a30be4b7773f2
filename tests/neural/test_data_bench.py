"""``bench/data.py``: examples per core-minute of the generator's CLI, per mode."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.bench_scripts import load_bench


def test_heuristic_mode_runs_the_cli_and_counts_distinct_pairs():
    bench = load_bench("data")
    assert bench.MODES["heuristic"] == ("--aux", "heuristic")
    row = bench.run_one(Path(bench.REPO_ROOT), "heuristic", 8, 1, 1)
    assert row["error"] is None and row["mode"] == "heuristic"
    assert 0 <= row["distinct_pairs"] <= row["examples"] == row["with_aux"]
    table = bench.format_table([row])
    assert "distinct (statement, aux)" in table and "| heuristic |" in table


def test_unknown_mode_is_refused(capsys):
    assert load_bench("data").main(["--modes", "traced"]) == 2
    assert "unknown mode 'traced'" in capsys.readouterr().err
