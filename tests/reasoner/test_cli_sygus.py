"""solve-problem on SyGuS files: exit codes, JSON rows with the solution, errors, folders."""

from __future__ import annotations

import json
from pathlib import Path

from reasoner.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "sygus"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_solved_file_exits_0_and_prints_the_define_fun(capsys):
    code, out, err = run(capsys, EXAMPLES / "max2.sl", "--timeout", "30")
    assert code == 0, err
    first, *answer = out.splitlines()
    assert first.startswith("max2: solved in ")
    assert answer[0] == "(" and answer[1].startswith("(define-fun max2 ((x Int) (y Int)) Int")
    assert answer[-1] == ")"


def test_json_row_has_domain_status_and_solution(capsys):
    code, out, _ = run(capsys, EXAMPLES / "bv_general.sl", "--json", "--timeout", "30")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert row["domain"] == "sygus" and row["status"] == "solved"
    assert row["solution"].startswith("(\n(define-fun lowbit")


def test_infeasible_is_a_definitive_answer(capsys):
    code, out, _ = run(capsys, EXAMPLES / "conflict.sl", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["status"] == "infeasible" and row["solution"] == "infeasible" and code == 0


def test_unsupported_file_is_an_input_error_with_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.sl"
    bad.write_text("(set-logic LIA)\n(declare-datatype T ((a)))\n(check-synth)\n")
    code, out, err = run(capsys, bad)
    assert code == 2
    assert f"{bad}:2:" in err and "declare-datatype" in err and "Traceback" not in err


def test_timeout_exits_1(capsys, tmp_path):
    hard = tmp_path / "hard.sl"
    hard.write_text("""(set-logic BV)
(synth-fun f ((x (_ BitVec 32)) (y (_ BitVec 32))) (_ BitVec 32)
  ((S (_ BitVec 32))) ((S (_ BitVec 32) (x y #x00000001 (bvmul S S) (bvadd S S) (bvxor S S)))))
(declare-var x (_ BitVec 32)) (declare-var y (_ BitVec 32))
(constraint (= (f x y) (bvmul (bvadd x #x00000003) (bvxor (bvmul y y) (bvadd x (bvmul x x))))))
(check-synth)""")
    code, out, _ = run(capsys, hard, "--timeout", "1", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["status"] in ("timeout", "unknown") and code == 1 and "solution" not in row


def test_folder_of_sl_files_is_a_batch(capsys):
    code, out, _ = run(capsys, EXAMPLES, "--json", "--jobs", "2", "--timeout", "30")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["problem"] for r in rows] == sorted(p.stem for p in EXAMPLES.glob("*.sl"))
    assert all(r["status"] in ("solved", "infeasible") for r in rows) and code == 0
