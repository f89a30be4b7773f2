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
