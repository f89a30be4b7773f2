"""The solve-problem contract: exit codes, the JSON rows, selection, errors, the hard timeout.

These run the real engine: in-process through ``main(argv)`` (the problems themselves are
solved in forked workers) and, for the console entry points, in a subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reasoner.cli import main, parse_args

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "geometry" / "examples.txt"
# The orthocenter problem with its auxiliary point stated, as DD+AR needs it.
ORTHOCENTER = ("a b c = triangle; d = on_tline d b a c, on_tline d c a b; "
               "e = on_line e a c, on_line e b d ? perp a d b c")
# Miquel's pentagon theorem, jgex_ag_231 complete_004_6_GDD_FULL_81-109_106 (AlphaGeometry,
# Trinh et al., Nature 625, 2024; CC-BY-4.0, Copyright 2023 DeepMind Technologies Limited).
HARD = ("q4 q1 q3 q0 q2 = pentagon q4 q1 q3 q0 q2; p0 = on_line p0 q4 q1, on_line p0 q0 q2; "
        "p4 = on_line p4 q4 q1, on_line p4 q3 q0; p3 = on_line p3 q3 q0, on_line p3 q4 q2; "
        "p2 = on_line p2 q1 q3, on_line p2 q4 q2; p1 = on_line p1 q1 q3, on_line p1 q0 q2; "
        "o0 = circle o0 q0 p0 p4; o1 = circle o1 p1 q1 p0; o4 = circle o4 p4 p3 q4; "
        "o3 = circle o3 p3 p2 q3; o2 = circle o2 p1 p2 q2; "
        "m0 = on_circle m0 o0 q0, on_circle m0 o1 q1; m4 = on_circle m4 o0 q0, on_circle m4 o4 q4; "
        "m3 = on_circle m3 o4 q4, on_circle m3 o3 q3; m2 = on_circle m2 o3 q3, on_circle m2 o2 q2; "
        "m1 = on_circle m1 o2 q2, on_circle m1 o1 q1 ? cyclic m4 m3 m2 m1")
JSON_FIELDS = {"problem": str, "file": str, "domain": str, "status": str, "seconds": float}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def json_rows(out: str) -> list[dict]:
    lines = out.splitlines()
    assert lines, "no output"
    return [json.loads(line) for line in lines]  # every stdout line is one JSON object


def write(path: Path, *pairs: tuple[str, str]) -> Path:
    path.write_text("".join(f"{name}\n{problem}\n" for name, problem in pairs))
    return path


def hard_problem(tmp_path: Path) -> Path:
    """A file holding ``HARD``, which takes DD+AR about a second: far from done in 20 ms."""
    return write(tmp_path / "hard.txt", ("hard", HARD))


# ---------------------------------------------------------------- exit codes


def test_one_proved_problem_exits_0_and_prints_status_time_and_proof(capsys):
    code, out, err = run(capsys, EXAMPLES, "--problem", "orthocenter_aux", "--proof")
    assert code == 0, err
    first, *proof = out.splitlines()
    assert re.fullmatch(r"orthocenter_aux: proved in \d+\.\d\d s \(\d+ steps\)", first)
    assert len(proof) >= 2  # the readable proof follows


def test_not_proved_exits_1(capsys, tmp_path):
    code, out, _ = run(capsys, hard_problem(tmp_path), "--timeout", "0.02")
    assert code == 1
    assert out.startswith("hard: timeout after")


def test_batch_with_one_unproved_problem_exits_1(capsys, tmp_path):
    hard = hard_problem(tmp_path)
    code, out, _ = run(capsys, EXAMPLES, hard, "--problem", "hard", "--problem",
                       "orthocenter_aux", "--timeout", "0.02")
    assert code == 1
    assert "summary" in out


def test_missing_path_and_unknown_problem_exit_2(capsys):
    code, out, err = run(capsys, "no/such/file.txt")
    assert (code, out) == (2, "")
    assert err.strip() == "solve-problem: error: no/such/file.txt: no such file or folder"
    code, _, err = run(capsys, EXAMPLES, "--problem", "nope")
    assert code == 2 and "no problem named 'nope'" in err


@pytest.mark.parametrize("argv", [[], ["--jobs", "-1", "x.txt"], ["--timeout", "soon", "x"],
                                  ["--bogus", "x.txt"]])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and "usage: solve-problem" in err


def test_help_exits_0_with_an_example(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "solve-problem problems/geometry/examples.txt --problem bisector_feet" in out


# ---------------------------------------------------------------- JSON contract


def test_json_is_one_object_per_problem_per_line(capsys):
    code, out, _ = run(capsys, EXAMPLES, "--json", "--jobs", "2", "--timeout", "10")
    rows = json_rows(out)
    assert [r["problem"] for r in rows] == ["orthocenter", "orthocenter_aux",
                                            "incenter_excenter", "euler",
                                            "bisector_feet"]  # input order
    for row in rows:
        for key, kind in JSON_FIELDS.items():
            assert isinstance(row[key], kind), (key, row)
        assert row["domain"] == "geometry" and row["file"] == str(EXAMPLES)
        assert row["status"] in {"proved", "unknown", "timeout", "error"}
        assert "proof" not in row
        assert ("steps" in row) == (row["status"] == "proved")
        if "steps" in row:
            assert isinstance(row["steps"], int) and row["steps"] > 0
    assert rows[1]["status"] == "proved"
    assert code == (0 if all(r["status"] == "proved" for r in rows) else 1)


def test_json_with_proof_adds_the_proof_steps(capsys):
    code, out, _ = run(capsys, EXAMPLES, "--problem", "orthocenter_aux", "--json", "--proof")
    (row,) = json_rows(out)
    assert code == 0
    assert isinstance(row["proof"], list) and row["proof"]
    assert all(isinstance(step, dict) for step in row["proof"])


# ---------------------------------------------------------------- inputs


def test_problem_selects_by_exact_name(capsys):
    code, out, _ = run(capsys, EXAMPLES, "--json", "--problem", "orthocenter_aux",
                       "--problem", "orthocenter")
    assert [r["problem"] for r in json_rows(out)] == ["orthocenter", "orthocenter_aux"]
    code, _, err = run(capsys, EXAMPLES, "--problem", "ortho")
    assert code == 2 and "no problem named 'ortho'" in err


def test_folder_means_its_problem_files_in_sorted_order(capsys, tmp_path):
    write(tmp_path / "b.txt", ("second", ORTHOCENTER))
    write(tmp_path / "a.txt", ("first", ORTHOCENTER))
    (tmp_path / "notes.md").write_text("not a problem file\n")
    code, out, _ = run(capsys, tmp_path, "--json")
    rows = json_rows(out)
    assert code == 0
    assert [(r["problem"], Path(r["file"]).name) for r in rows] == [("first", "a.txt"),
                                                                    ("second", "b.txt")]


def test_empty_folder_is_an_input_error(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "folder holds no problem files" in err


# ---------------------------------------------------------------- errors


BAD = "a b c = triangle; h = on_lin h a b ? perp a h b c"


def test_parse_error_of_a_single_problem_exits_2_with_file_line_column(capsys, tmp_path):
    path = write(tmp_path / "p.txt", ("good", ORTHOCENTER), ("broken", BAD))
    code, out, err = run(capsys, path, "--problem", "broken")
    assert (code, out) == (2, "")
    assert err.startswith(f"solve-problem: error: {path}:4:23: problem broken: ")
    assert "on_lin" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_parse_error_in_a_batch_is_an_error_row_and_the_batch_goes_on(capsys, tmp_path):
    path = write(tmp_path / "p.txt", ("broken", BAD), ("good", ORTHOCENTER))
    code, out, err = run(capsys, path, "--json")
    rows = json_rows(out)
    assert code == 1
    assert [(r["problem"], r["status"]) for r in rows] == [("broken", "error"),
                                                           ("good", "proved")]
    assert rows[0]["error"].startswith(f"{path}:2:23: problem broken:")
    assert f"{path}:2:23" in err and "Traceback" not in err


def test_false_goal_is_an_input_error(capsys, tmp_path):
    path = write(tmp_path / "p.txt", ("false", "a b c = triangle ? perp a b a c"))
    code, out, err = run(capsys, path)
    assert code == 2 and out == ""
    assert "problem false" in err and "Traceback" not in err


def test_diagram_with_several_problems_is_a_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, EXAMPLES, "--diagram", tmp_path / "d.svg")
    assert (code, out) == (2, "")
    assert "usage: solve-problem" in err and "--diagram needs exactly one problem" in err
    assert not (tmp_path / "d.svg").exists()


def test_diagram_of_one_problem_is_drawn(capsys, tmp_path):
    target = tmp_path / "figure.svg"
    code, out, err = run(capsys, EXAMPLES, "--problem", "orthocenter_aux", "--diagram", target)
    assert code == 0, err
    assert "<svg" in target.read_text()


def test_diagram_as_a_geogebra_file(capsys, tmp_path):
    import xml.etree.ElementTree as ET
    import zipfile

    target = tmp_path / "figure.ggb"
    code, out, err = run(capsys, EXAMPLES, "--problem", "orthocenter_aux", "--diagram", target)
    assert code == 0, err
    with zipfile.ZipFile(target) as z:
        root = ET.fromstring(z.read("geogebra.xml"))
    captions = {c.get("val") for c in root.iter("caption")}
    assert {"a", "b", "c", "d", "e"} <= captions
    assert {c.get("name") for c in root.iter("command")} >= {"PerpendicularLine", "Intersect"}


def test_unknown_diagram_suffix_is_a_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler", "--diagram", tmp_path / "d.gif")
    assert (code, out) == (2, "")
    assert "expected a .svg, .png, .pdf or .ggb path" in err and "Traceback" not in err


# ---------------------------------------------------------------- hard timeout


def test_timeout_is_reported_in_time_and_the_batch_goes_on(capsys, tmp_path):
    hard = hard_problem(tmp_path)
    timeout = 0.02
    start = time.monotonic()
    code, out, _ = run(capsys, hard, hard, EXAMPLES, "--problem", "hard", "--problem",
                       "orthocenter_aux", "--json", "--timeout", str(timeout))
    elapsed = time.monotonic() - start
    rows = json_rows(out)
    assert code == 1
    assert [r["problem"] for r in rows] == ["hard", "hard", "orthocenter_aux"]
    assert [r["status"] for r in rows[:2]] == ["timeout", "timeout"]
    assert all(r["seconds"] < timeout + 2 for r in rows)
    assert elapsed < 3 * (timeout + 2)


# ---------------------------------------------------------------- memory limit


def test_a_problem_past_the_memory_limit_is_reported_and_the_batch_goes_on(capsys, monkeypatch):
    import reasoner.domains as domains_module

    real = domains_module.solve

    def hungry(problem, *, name, file, config):  # forked workers inherit the patch
        hoard = []
        while name == "euler":
            hoard.append(b"x" * (8 << 20))
            time.sleep(0.005)
        return real(problem, name=name, file=file, config=config)

    monkeypatch.setattr(domains_module, "solve", hungry)
    code, out, _ = run(capsys, EXAMPLES, "--problem", "euler", "--problem", "orthocenter_aux",
                       "--no-aux", "--memory-limit", "400M", "--jobs", "2", "--json")
    rows = json_rows(out)
    assert code == 1
    assert {r["problem"]: r["status"] for r in rows} == {"orthocenter_aux": "proved",
                                                         "euler": "memory"}
    memory = next(r for r in rows if r["status"] == "memory")
    assert memory["error"] == "exceeded the memory limit of 400 MiB"
    code, out, _ = run(capsys, EXAMPLES, "--problem", "euler", "--no-aux",
                       "--memory-limit", "400M")
    assert code == 1
    assert re.fullmatch(r"euler: memory after \d+\.\d\d s: exceeded the memory limit of "
                        r"400 MiB\n", out)


# ---------------------------------------------------------------- entry points


def test_python_dash_m_reasoner_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "reasoner", str(EXAMPLES), "--problem",
                           "orthocenter_aux", "--json"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    (row,) = json_rows(proc.stdout)
    assert row["status"] == "proved"


def test_parse_args_defaults():
    args = parse_args(["x.txt"])
    assert args.memory_limit == 4 << 30
    assert (args.timeout, args.jobs, args.seed, args.json, args.proof) == (60.0, 1, 0,
                                                                          False, False)
    assert args.problem is None and args.diagram is None


# ---------------------------------------------------------------- knowledge graph


def test_ar_tables_choose_what_dd_ar_feeds(capsys):
    """With the squared-length table (a default), DD+AR alone proves the orthocentre (the
    altitudes' squared-length equations), which the other tables need an auxiliary point for;
    the proof is a checked 'squared-length chase'."""
    argv = (EXAMPLES, "--problem", "orthocenter", "--no-aux", "--json", "--proof")
    code, out, _ = run(capsys, *argv, "--ar-tables", "angle,ratio,dist")
    assert code == 1 and json.loads(out)["status"] == "unknown"
    code, out, _ = run(capsys, *argv)
    row = json.loads(out)
    assert code == 0 and row["status"] == "proved"
    assert any("squared-length chase" in json.dumps(step) for step in row["proof"])


def test_kg_export_holds_every_proved_problem(capsys, tmp_path):
    rdflib = pytest.importorskip("rdflib")
    out_ttl = tmp_path / "kg.ttl"
    code, _, err = run(capsys, EXAMPLES, "--problem", "orthocenter_aux", "--problem",
                       "bisector_feet", "--kg", out_ttl, "--timeout", "30", "--no-aux")
    assert code == 1  # bisector_feet is not proved by DD+AR alone
    assert "knowledge graph with 1 proof(s)" in err
    g = rdflib.Graph().parse(out_ttl, format="turtle")
    rows = g.query("PREFIX ns: <urn:neurosym:kg#> "
                   "SELECT ?name WHERE { ?p a ns:Problem ; ns:name ?name }")
    assert {str(r.name) for r in rows} == {"orthocenter_aux"}


def test_kg_store_needs_kg(capsys, tmp_path):
    code, _, err = run(capsys, EXAMPLES, "--kg-store", tmp_path / "store")
    assert code == 2 and "--kg-store needs --kg" in err


# ---------------------------------------------------------------- bad arguments and outputs


@pytest.mark.parametrize("argv, words", [
    (["--timeout", "abc"], "argument --timeout: expected a number of seconds >= 0, got 'abc'"),
    (["--timeout", "-1"], "argument --timeout: expected a number of seconds >= 0, got '-1'"),
    (["--seed", "-5"], "argument --seed: expected a whole number >= 0, got '-5'"),
    (["--jobs", "two"], "argument --jobs: expected a whole number >= 0, got 'two'"),
    (["--depth", "0"], "argument --depth: expected a whole number >= 1, got '0'"),
    (["--attempt-sines", "-1"], "argument --attempt-sines: expected a whole number >= 0, "
                                "got '-1'"),
    (["--trajectory-model", "2"], "argument --trajectory-model: expected a share from 0 to 1, "
                                  "got '2'"),
    (["--memory-limit", "2"], "argument --memory-limit: expected a size such as 2G or 500M"),
    (["--memory-limit", "lots"], "argument --memory-limit: expected a size such as 2G or 500M"),
    (["--ar-tables", "angle,cos"], "argument --ar-tables: unknown AR table 'cos'; known tables: "
                                   "angle, dist, ratio, sine, squared"),
    (["--ar-tables", ","], "argument --ar-tables: no AR table given"),
])
def test_bad_numbers_are_usage_errors_naming_the_option(capsys, argv, words):
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler", *argv)
    assert code == 2 and out == ""
    assert words in err and "Traceback" not in err and "_timeout" not in err


@pytest.mark.parametrize("argv, words", [
    (["--kg", "{missing}/out.ttl"], "--kg {missing}/out.ttl: folder {missing} does not exist"),
    (["--kg", "{folder}"], "--kg {folder}: is a folder, not a file"),
    (["--diagram", "{folder}.svg"], "--diagram {folder}.svg: is a folder, not a file"),
    (["--diagram", "{missing}/d.svg"], "folder {missing} does not exist"),
    (["--diagram", "{missing}/d.ggb"], "--diagram {missing}/d.ggb: folder {missing} does not "
                                        "exist"),
    (["--kg", "{tmp}/k.ttl", "--kg-store", "{file}"], "--kg-store {file}: is a file, not a "
                                                        "folder"),
    (["--kg", "{tmp}/k.ttl", "--kg-store", "{tmp}/k.ttl"], "must be different paths"),
])
def test_outputs_are_checked_before_any_problem_is_solved(capsys, tmp_path, argv, words):
    names = {"missing": tmp_path / "no" / "such", "folder": tmp_path / "dir", "tmp": tmp_path,
             "file": tmp_path / "plain.txt"}
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir.svg").mkdir()
    (tmp_path / "plain.txt").write_text("")
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler",
                         *[a.format(**names) for a in argv])
    assert code == 2 and out == "", err  # nothing was solved
    assert words.format(**names) in err.strip().splitlines()[-1] and "Traceback" not in err
    assert sum(line.startswith("solve-problem: error:") for line in err.splitlines()) == 1


@pytest.mark.parametrize("module, function, suffix", [
    ("symbolic.geometry.draw", "draw", "svg"),
    ("symbolic.geometry.geogebra", "write_ggb", "ggb"),
])
def test_a_diagram_that_fails_to_write_leaves_the_proof_standing(capfd, tmp_path, monkeypatch,
                                                                 module, function, suffix):
    import importlib

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    # forked workers inherit it
    monkeypatch.setattr(importlib.import_module(module), function, full_disk)
    code, out, err = run(capfd, EXAMPLES, "--problem", "orthocenter_aux", "--diagram",
                         tmp_path / f"d.{suffix}", "--json", "--no-aux")  # worker stderr: capfd
    (row,) = json_rows(out)
    assert code == 0 and row["status"] == "proved"
    assert "No space left on device" in err
