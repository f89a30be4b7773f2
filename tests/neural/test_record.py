"""The record of generated data kept in the repository (``neural.record``)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil

import pytest

from neural.data import main as data_main
from neural.record import RecordError, check, main, record, write


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """A shard directory of five examples in shards of two, as ``neural.data`` writes it: two
    whole shards and a partial one."""
    d = tmp_path_factory.mktemp("data") / "run"
    assert data_main(["--count", "5", "--seed", "2", "--allow-unneeded", "--shard-dir", str(d),
                      "--shard-size", "2"]) == 0
    return d


def _rows(d):
    return [json.loads(x) for p in sorted(d.glob("shard-*.jsonl"))
            for x in p.read_text().splitlines()]


def test_a_record_counts_the_examples_and_keeps_a_checked_sample(shards, tmp_path):
    rows = _rows(shards)[:4]  # the whole shards; the fifth example is in a partial one
    rec, chosen = record(shards, sample=2)
    assert rec["examples"] == len(rows) == 4 and rec["in_partial_shards"] == 1
    assert rec["parts"][0]["key"]["seed"] == 2 and len(rec["parts"][0]["shards"]) == 2
    pairs = {(tuple(r["statement"]), tuple(r["auxiliary"])) for r in rows}
    assert rec["distinct_pairs"] == len(pairs)
    assert sum(rec["goal_kinds"].values()) == 4
    assert chosen == [rows[0], rows[2]]  # every second example
    path = write(shards, tmp_path / "rec", sample=2)
    written = json.loads(path.read_text())
    sample = tmp_path / "rec" / written["sample"]["file"]
    assert hashlib.sha256(sample.read_bytes()).hexdigest() == written["sample"]["sha256"]
    assert [json.loads(x) for x in gzip.decompress(sample.read_bytes()).splitlines()] == chosen
    before = sample.read_bytes()
    write(shards, tmp_path / "rec", sample=2)  # the same data: the same bytes
    assert sample.read_bytes() == before
    assert check(shards, path) == []


def test_a_record_still_matches_once_its_run_is_resumed(shards, tmp_path):
    """A run stopped by its time limit ends in a partial shard, rewritten when it is resumed:
    the record leaves it out, so the resumed directory still matches it."""
    path = write(shards, tmp_path / "rec")
    run = tmp_path / "run"
    shutil.copytree(shards, run)
    partial = (run / "shard-00002.jsonl").read_text()
    assert data_main(["--count", "6", "--seed", "2", "--allow-unneeded", "--shard-dir",
                      str(run), "--shard-size", "2"]) == 0
    assert (run / "shard-00002.jsonl").read_text() != partial  # rewritten, longer
    assert check(run, path) == []
    assert record(run)[0]["examples"] == 6


def test_check_finds_a_changed_or_missing_shard_and_accepts_more(shards, tmp_path):
    path = write(shards, tmp_path / "rec")
    copy = tmp_path / "copy"
    shutil.copytree(shards, copy)
    more = json.loads((copy / "manifest.json").read_text())
    more["shards"].append({"file": "shard-00003.jsonl", "count": 0, "sha256": "", "partial": 1})
    (copy / "manifest.json").write_text(json.dumps(more))
    assert check(copy, path) == []  # a run continued since still holds the recorded shards
    first = copy / "shard-00000.jsonl"
    first.write_text(first.read_text() + "\n")
    (copy / "shard-00001.jsonl").unlink()
    found = check(copy, path)
    assert found == [f"{first}: not the recorded shard", f"{copy / 'shard-00001.jsonl'}: missing"]
    with pytest.raises(RecordError, match="changed since its manifest was written"):
        record(copy)
    assert main(["--check", str(copy), str(path)]) == 1


def test_the_workers_of_a_run_are_its_parts(shards, tmp_path):
    run = tmp_path / "jobs"
    for i in range(2):
        shutil.copytree(shards, run / f"worker-{i}")
    rec, _ = record(run)
    assert [p["path"] for p in rec["parts"]] == ["worker-0", "worker-1"]
    assert rec["examples"] == 8


def test_the_command_line_names_what_is_wrong(shards, tmp_path, capsys):
    assert main([str(shards), "--out", str(tmp_path / "rec"), "--sample", "1"]) == 0
    out = capsys.readouterr().out
    assert "4 examples" in out and "1 more in a partial shard, not recorded" in out
    assert main([str(tmp_path), "--out", str(tmp_path / "rec")]) == 2
    assert "no manifest.json (not a shard directory of neural.data)" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{")
    assert main(["--check", str(shards), str(tmp_path / "bad.json")]) == 2
    assert "not a readable record" in capsys.readouterr().err


def test_the_records_in_the_repository_hold_their_samples_checksums():
    """Each record kept in ``neural/data_record`` names its sample by its SHA-256, its counts
    add up, and every sampled example is a problem this build reads."""
    from pathlib import Path

    from symbolic.geometry.problem import parse_problem

    records = sorted((Path(__file__).parents[2] / "neural" / "data_record").glob("*.json"))
    assert records
    for path in records:
        rec = json.loads(path.read_text())
        sample = path.parent / rec["sample"]["file"]
        assert hashlib.sha256(sample.read_bytes()).hexdigest() == rec["sample"]["sha256"]
        rows = [json.loads(x) for x in gzip.decompress(sample.read_bytes()).splitlines()]
        assert len(rows) == rec["sample"]["examples"] == 100
        assert rec["examples"] == sum(p["examples"] for p in rec["parts"])
        assert rec["examples"] == sum(s["count"] for p in rec["parts"] for s in p["shards"])
        assert rec["distinct_pairs"] <= rec["examples"]
        for row in rows:
            problem = parse_problem(row["problem"], row["name"])
            assert len(problem.clauses) == len(row["statement"]) + len(row["auxiliary"])
