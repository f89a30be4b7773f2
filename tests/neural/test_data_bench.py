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


def test_mix_is_passed_to_every_run(monkeypatch, capsys):
    bench = load_bench("data")
    seen = []

    def fake(repo, mode, seconds, jobs, seed, mix=None):
        seen.append((mode, mix))
        return {"repo": str(repo), "mode": mode, "jobs": jobs, "wall_s": 1.0, "examples": 0,
                "distinct_pairs": 0, "per_core_minute": 0.0, "error": None}

    monkeypatch.setattr(bench, "run_one", fake)
    mix = Path("problems/geometry/examples.txt")
    assert bench.main(["--modes", "heuristic,needed", "--mix", str(mix)]) == 0
    assert seen == [("heuristic", mix), ("needed", mix)]
    assert f"--mix {mix}" in capsys.readouterr().out
