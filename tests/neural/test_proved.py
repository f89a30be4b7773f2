"""Examples from proved problems (the self-improvement loop's data): checked, renamed, excluded."""

from __future__ import annotations

import json

from neural.data import DataConfig
from neural.proved import examples_from_rows, main, names_in

FILE = "problems/geometry/examples.txt"
ROW = {"problem": "bisector_feet", "file": FILE, "domain": "geometry", "status": "proved",
       "auxiliary": ["x = on_line x b d, on_line x a e"]}


def test_a_proved_row_becomes_a_checked_example_in_canonical_names():
    reasons: list[str] = []
    (ex,) = examples_from_rows([ROW, dict(ROW)], report=lambda r, why: reasons.append(why))
    assert ex.statement == ("a b c = triangle a b c", "d = angle_bisector d a b c, on_dia d b c",
                            "e = angle_bisector e b a c, on_dia e a c")
    assert ex.auxiliary == ("f = on_line f b d, on_line f a e",)  # the fresh point renamed
    assert ex.goal == "para d e a b" and ex.proof_length >= DataConfig().min_steps
    assert ex.problem.endswith("f = on_line f b d, on_line f a e ? para d e a b")
    assert reasons == []  # the duplicate row is dropped silently


def test_rows_that_give_nothing_say_why(tmp_path):
    reasons: list[str] = []
    rows = [dict(ROW, status="unknown"),                      # not proved: skipped
            dict(ROW, auxiliary=[]),                          # proved by DD+AR: skipped
            dict(ROW, problem="no_such_problem"),
            dict(ROW, auxiliary=["x = on_line x b q, on_line x a e"]),   # unknown point
            dict(ROW, auxiliary=["x = midpoint x b c"]),      # does not help the proof
            dict(ROW, problem="orthocenter_aux", auxiliary=["f = midpoint f a b"])]
    assert list(examples_from_rows(rows, report=lambda r, why: reasons.append(why))) == []
    assert reasons[0] == f"problem not found in {FILE}"
    assert reasons[1].startswith("auxiliary clauses do not fit")
    assert reasons[2:] == ["not proved again, or provable without the auxiliary clauses"] * 2


def test_excluded_problems_never_become_examples(tmp_path):
    names = tmp_path / "heldout.txt"
    names.write_text("bisector_feet\n")
    assert names_in(names) == {"bisector_feet"}
    assert names_in(__import__("pathlib").Path(FILE)) >= {"bisector_feet", "orthocenter_aux"}
    assert list(examples_from_rows([ROW], exclude=names_in(names))) == []


def test_cli(tmp_path, capsys):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps(ROW) + "\n\n" + json.dumps(dict(ROW, status="timeout")) + "\n")
    out = tmp_path / "proved.jsonl"
    assert main([str(rows), "--out", str(out)]) == 0
    (line,) = out.read_text().splitlines()
    assert json.loads(line)["auxiliary"] == ["f = on_line f b d, on_line f a e"]
    assert "1 examples from 2 rows" in capsys.readouterr().err
    names = tmp_path / "heldout.txt"
    names.write_text("bisector_feet\n")
    assert main([str(rows), "--out", str(out), "--exclude", str(names)]) == 0
    assert out.read_text() == "" and "excluded: 1" in capsys.readouterr().err
    rows.write_text("{not json\n")
    assert main([str(rows), "--out", str(out)]) == 2
    assert f"{rows}:1: not a JSON row" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 2


def test_cli_reads_gzipped_rows(tmp_path, capsys):
    import gzip

    rows = tmp_path / "rows.jsonl.gz"
    with gzip.open(rows, "wt", encoding="utf-8") as f:
        f.write(json.dumps(ROW) + "\n")
    out = tmp_path / "proved.jsonl"
    assert main([str(rows), "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 1
    assert "1 examples from 1 rows" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"not gzip")
    assert main([str(bad), "--out", str(out)]) == 2
    assert f"error: {bad}: Not a gzipped file" in capsys.readouterr().err
