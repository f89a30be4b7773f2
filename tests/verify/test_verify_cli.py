"""The verify-net contract: exit codes, result file, JSON rows, JUnit output, input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest
from verify_testlib import ACAS, EXAMPLES, ROOT, needs_bench

from verify.cli import main

XOR = str(EXAMPLES / "xor2.onnx")
HOLDS = str(EXAMPLES / "xor2_y1_negative.vnnlib")
VIOLATED = str(EXAMPLES / "xor2_y0_below.vnnlib")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_holds_exit_0_and_result_file(capsys, tmp_path):
    out_file = tmp_path / "out.txt"
    code, out, _ = run(capsys, XOR, HOLDS, "--timeout", "30", "--results", out_file)
    assert code == 0 and out.startswith("unsat")
    assert out_file.read_text() == "unsat\n"


def test_violated_exit_1_with_witness(capsys, tmp_path):
    out_file = tmp_path / "out.txt"
    code, out, _ = run(capsys, XOR, VIOLATED, "--results", out_file)
    assert code == 1
    lines = out_file.read_text().splitlines()
    assert lines[0] == "sat" and lines[1].startswith("((X_0 ") and "(Y_1 " in lines[-1]


@needs_bench
def test_timeout_exit_3(capsys):
    code, out, _ = run(capsys, ACAS / "onnx" / "ACASXU_run2a_3_3_batch_2000.onnx",
                       ACAS / "vnnlib" / "prop_2.vnnlib", "--timeout", "0.5", "--json")
    assert code == 3 and json.loads(out)["status"] == "timeout"


@pytest.mark.parametrize("argv, message", [
    (["missing.onnx", HOLDS], "no such file"),
    ([XOR, "missing.vnnlib"], "cannot read"),
    ([XOR, str(EXAMPLES / "acasxu_prop_3.vnnlib")], "declares 5 inputs"),
])
def test_input_errors_exit_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [[], [XOR], ["--instances", "x.csv", XOR, HOLDS],
                                  [XOR, HOLDS, "--timeout", "-1"]])
def test_usage_errors_exit_2(capsys, argv):
    assert run(capsys, *argv)[0] == 2


def test_instances_json_junit_and_results(capsys, tmp_path):
    csv = tmp_path / "instances.csv"
    csv.write_text("xor2.onnx,xor2_y1_negative.vnnlib,30\nxor2.onnx,xor2_y0_below.vnnlib,30\n"
                   "xor2.onnx,nothere.vnnlib,30\n")
    junit, results = tmp_path / "junit.xml", tmp_path / "results.csv"
    code, out, err = run(capsys, "--instances", csv, "--root", EXAMPLES, "--json", "--jobs", "2",
                         "--junit", junit, "--results", results)
    assert code == 2  # an unreadable instance outranks the violation
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in rows] == ["unsat", "sat", "error"]
    assert "witness" in rows[1] and "nothere.vnnlib" in err
    suite = ET.parse(junit).getroot()
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    assert suite.get("errors") == "1"
    cases = suite.findall("testcase")
    assert cases[0].find("failure") is None and cases[1].find("failure").get("type") == "sat"
    assert cases[2].find("error") is not None
    assert results.read_text().splitlines()[1].startswith("xor2.onnx,xor2_y0_below.vnnlib,sat,")


def test_bad_instances_file(capsys, tmp_path):
    csv = tmp_path / "instances.csv"
    csv.write_text("a.onnx,b.vnnlib\n")
    code, _, err = run(capsys, "--instances", csv)
    assert code == 2 and "expected onnx,vnnlib,timeout" in err


@pytest.mark.parametrize("content, words", [
    (b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00", "not a text file"),
    (b"a.onnx,b.vnnlib,-5\n", ":1: timeout '-5' must be a number of seconds > 0"),
    (b"a.onnx,b.vnnlib,0\n", ":1: timeout '0' must be a number of seconds > 0"),
    (b"a.onnx,b.vnnlib,nan\n", ":1: timeout 'nan' must be a number of seconds > 0"),
])
def test_unusable_instances_files_are_one_line_errors(capsys, tmp_path, content, words):
    csv = tmp_path / "instances.csv"
    csv.write_bytes(content)
    code, out, err = run(capsys, "--instances", csv)
    assert code == 2 and out == "" and words in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_python_dash_m(tmp_path):
    csv = tmp_path / "instances.csv"
    csv.write_text("xor2.onnx,xor2_y1_negative.vnnlib,30\nconv1.onnx,conv1_robust.vnnlib,30\n")
    proc = subprocess.run([sys.executable, "-m", "verify", "--instances", str(csv), "--root",
                           str(EXAMPLES)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "2 unsat" in proc.stdout


# ---------------------------------------------------------------- limits and outputs


def test_an_instance_past_the_memory_limit_is_reported_and_the_others_go_on(capsys, tmp_path,
                                                                             monkeypatch):
    import time

    import verify.cli as cli

    real = cli.solve_instance

    def hungry(instance, seed=0):  # forked workers inherit the patch
        hoard = []
        while instance.vnnlib_text.endswith("y0_below.vnnlib"):
            hoard.append(b"x" * (16 << 20))
            time.sleep(0.005)
        return real(instance, seed)

    monkeypatch.setattr(cli, "solve_instance", hungry)
    csv = tmp_path / "instances.csv"
    csv.write_text("xor2.onnx,xor2_y1_negative.vnnlib,30\nxor2.onnx,xor2_y0_below.vnnlib,30\n")
    junit, results = tmp_path / "junit.xml", tmp_path / "results.csv"
    code, out, _ = run(capsys, "--instances", csv, "--root", EXAMPLES, "--jobs", "2",
                       "--memory-limit", "1G", "--junit", junit, "--results", results)
    assert code == 3  # past the memory limit: not decided
    rows = out.splitlines()
    assert rows[0].startswith("unsat") and rows[1].startswith("memory")
    assert rows[1].endswith("(exceeded the memory limit of 1 GiB)")
    assert "1 unsat, 0 sat, 0 unknown, 0 timeout, 1 memory, 0 error" in rows[2]
    assert results.read_text().splitlines()[1].startswith("xor2.onnx,xor2_y0_below.vnnlib,"
                                                          "unknown,")
    failure = ET.parse(junit).getroot().findall("testcase")[1].find("failure")
    assert failure.get("type") == "memory"
    assert failure.get("message") == "exceeded the memory limit of 1 GiB"


def test_a_tiny_memory_limit_stops_a_single_instance_with_exit_3(capsys):
    code, out, _ = run(capsys, XOR, HOLDS, "--memory-limit", "1M", "--json")
    row = json.loads(out)
    assert code == 3 and row["status"] == "memory"
    assert row["error"] == "exceeded the memory limit of 1 MiB"


@pytest.mark.parametrize("value", ["2", "1.5X", "1G2"])
def test_bad_memory_limits_are_usage_errors(capsys, value):
    code, out, err = run(capsys, XOR, HOLDS, "--memory-limit", value)
    assert code == 2 and out == "" and "argument --memory-limit: expected a size" in err


@pytest.mark.parametrize("argv, words", [
    (["--results", "{missing}/r.txt"], "--results {missing}/r.txt: folder {missing} does not "
                                       "exist"),
    (["--results", "{tmp}"], "--results {tmp}: is a folder, not a file"),
    (["--junit", "{missing}/j.xml"], "--junit {missing}/j.xml: folder {missing} does not exist"),
    (["--junit", "{tmp}"], "--junit {tmp}: is a folder, not a file"),
])
def test_outputs_are_checked_before_any_instance_runs(capsys, tmp_path, monkeypatch, argv,
                                                      words):
    import verify.cli as cli

    monkeypatch.setattr(cli, "run_instances", None)  # running anything would fail
    names = {"missing": tmp_path / "no" / "such", "tmp": tmp_path}
    code, out, err = run(capsys, XOR, HOLDS, *[a.format(**names) for a in argv])
    assert code == 2 and out == ""
    assert err == f"verify-net: error: {words.format(**names)}\n"


def test_a_report_that_fails_to_write_later_leaves_the_verdicts_standing(capsys, tmp_path,
                                                                         monkeypatch):
    from pathlib import Path

    junit, results = tmp_path / "junit.xml", tmp_path / "results.txt"
    write_bytes = Path.write_bytes

    def full_disk(self, data):
        if self == junit:
            raise OSError(28, "No space left on device")
        return write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    code, out, err = run(capsys, XOR, HOLDS, "--json", "--junit", junit, "--results", results)
    assert json.loads(out)["status"] == "unsat" and results.read_text() == "unsat\n"
    assert code == 2 and err == (f"verify-net: error: --junit {junit}: cannot write (No space "
                                 "left on device)\n")
