"""Bench scripts on input they cannot use: one line naming the file, exit 2, no traceback
(``bench/_cli.py``, which every script's ``__main__`` goes through)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bench_scripts import BENCH, load_bench

cli = load_bench("_cli")


def test_main_of_passes_the_exit_code_and_turns_input_errors_into_one_line(tmp_path, capsys):
    assert cli.main_of(lambda: 3, "b") == 3
    assert cli.main_of(lambda: None, "b") == 0
    gone = tmp_path / "file.txt"

    def missing() -> int:
        gone.read_text()
        return 0

    assert cli.main_of(missing, "b") == 2
    assert capsys.readouterr().err == f"b: error: cannot read {gone}: No such file or directory\n"

    from symbolic.geometry.errors import ParseError

    def unreadable() -> int:
        raise ParseError("p.txt:4:19: problem p2: unknown construction 'on_lin'")

    assert cli.main_of(unreadable, "b") == 2
    assert capsys.readouterr().err == "b: error: p.txt:4:19: problem p2: unknown " \
        "construction 'on_lin'\n"

    def interrupted() -> int:
        raise KeyboardInterrupt

    assert cli.main_of(interrupted, "b") == 130


def test_main_of_keeps_the_traceback_of_a_bug():
    def bug() -> int:
        raise ValueError("a bug, not bad input")

    with pytest.raises(ValueError, match="a bug"):
        cli.main_of(bug, "b")


def test_an_engine_error_counts_only_once_its_module_is_loaded(monkeypatch):
    """The engines' error classes are looked up among the loaded modules, never imported
    (a script's own folder, first on the path, holds ``verify.py``)."""
    monkeypatch.delitem(sys.modules, "verify.errors", raising=False)
    names = {t.__name__ for t in cli.input_errors()}
    assert "VerifyError" not in names and "FileNotFoundError" in names
    import verify.errors  # noqa: F401

    assert "VerifyError" in {t.__name__ for t in cli.input_errors()}


@pytest.mark.parametrize("script", ["geometry", "proposer", "check_proofs", "ar_tables",
                                    "attempts_cpu", "sygus", "sygus_guidance", "verify",
                                    "html_load"])
def test_a_bench_script_given_a_missing_file_says_so_in_one_line(script, tmp_path):
    missing = tmp_path / "missing.txt"
    done = subprocess.run([sys.executable, str(BENCH / f"{script}.py"), str(missing)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"{script}.py: error: ") and str(missing) in last
    assert Path(missing).name in last
