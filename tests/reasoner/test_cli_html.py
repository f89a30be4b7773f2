"""solve-problem --html: which page, output paths checked up front, a failed write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reasoner.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "geometry" / "examples.txt"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_problem_gives_the_viewer(capsys, tmp_path) -> None:
    target = tmp_path / "proof.html"
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler", "--no-aux", "--html", target)
    assert code == 0 and out.startswith("euler: proved")
    page = target.read_text(encoding="utf-8")
    assert 'class="viewer-data"' in page and "<table" not in page
    assert f"solve-problem: viewer written to {target}" in err


def test_several_give_the_report(capsys, tmp_path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler", "--problem", "orthocenter_aux",
                         "--no-aux", "--html", target, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["status"] for r in rows] == ["proved", "proved"]
    page = target.read_text(encoding="utf-8")
    assert page.count('<tr data-status="proved">') == 2 and page.count('<template id=') == 2


@pytest.mark.parametrize("argv, words", [
    (["--html", "{tmp}/page.svg"], "--html: expected a .html path"),
    (["--html", "{missing}/page.html"], "--html {missing}/page.html: folder {missing} does "
                                        "not exist"),
    (["--html", "{folder}.html"], "--html {folder}.html: is a folder, not a file"),
])
def test_the_page_path_is_checked_before_any_problem_is_solved(capsys, tmp_path, argv, words):
    names = {"missing": tmp_path / "no" / "such", "folder": tmp_path / "dir", "tmp": tmp_path}
    (tmp_path / "dir.html").mkdir()
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler",
                         *[a.format(**names) for a in argv])
    assert code == 2 and out == "", err  # nothing was solved
    assert words.format(**names) in err.strip().splitlines()[-1] and "Traceback" not in err


def test_a_page_that_fails_to_write_leaves_the_rows_standing(capsys, tmp_path, monkeypatch):
    import reasoner.report as report

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "write_html", full_disk)
    code, out, err = run(capsys, EXAMPLES, "--problem", "euler", "--problem",
                         "orthocenter_aux", "--no-aux", "--json", "--html",
                         tmp_path / "r.html")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in rows] == ["proved", "proved"]
    assert code == 2
    assert err.strip().splitlines()[-1] == (f"solve-problem: error: --html {tmp_path}/r.html: "
                                            "cannot write (No space left on device)")


def test_help_tells_what_the_page_holds(capsys) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "--html OUT.html" in out and "batch report" in out
