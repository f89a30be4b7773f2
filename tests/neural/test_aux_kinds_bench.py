"""``bench/aux_kinds.py``: construction kinds of auxiliary clauses against a reference."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.helpers.bench_scripts import load_bench


@pytest.fixture(scope="module")
def bench():
    return load_bench("aux_kinds")


def _write(path, auxes):
    rows = [{"statement": ["a b c = triangle a b c"], "goal": "perp a b a c", "auxiliary": a}
            for a in auxes]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)


def test_kinds_and_distance(bench):
    assert bench.kind("x = on_pline x c a b, on_line x d e") == "on_line+on_pline"
    a = bench.kinds([{"auxiliary": ["d = midpoint d a b", "e = foot e a b c"]}])
    b = bench.kinds([{"auxiliary": ["d = midpoint d a c"]}])
    assert bench.distance(a, a) == 0.0
    assert bench.distance(a, b) == pytest.approx(0.5)
    assert bench.distance(a, bench.kinds([{"auxiliary": ["d = circle d a b c"]}])) == 1.0


def test_cli_table_and_json(bench, tmp_path, capsys):
    ref, other = tmp_path / "ref.jsonl", tmp_path / "other.jsonl.gz"
    _write(ref, [["d = midpoint d a b"], ["d = foot d a b c"]])
    _write(other, [["d = midpoint d a b"], ["d = midpoint d a b"]])
    assert bench.main([str(ref), str(other)]) == 0
    out = capsys.readouterr().out
    assert f"| {other} | 2 | 1 | 2 | 0.50 | midpoint 100% |" in out
    assert bench.main([str(ref), f"{ref},{other}", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows[1]["examples"] == 4 and rows[1]["distance"] == 0.25


def test_bad_input_is_one_line(bench, tmp_path, capsys):
    assert bench.main([str(tmp_path / "none.jsonl"), str(tmp_path / "none.jsonl")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"x": 1}\n')
    assert bench.main([str(bad), str(bad)]) == 2
    assert "bad.jsonl: not examples" in capsys.readouterr().err
