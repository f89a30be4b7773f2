"""Fuzzing in the test suite: every input language gets 500 derandomized hypothesis inputs
(mutated seeds, generated structure, random bytes), each of which must end in a result or a
documented one-line error within the limit (``fuzz_targets.check``); every input kept under
``regressions/`` (found by ``bench/fuzz.py``) is replayed; a short atheris run per language
checks the coverage-guided harness where atheris is installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import fuzz_strategies as fs
import fuzz_targets as ft
import pytest
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = 500
LIMIT = 5.0
REPLAY_LIMIT = 20.0
"""A kept input replays under a looser limit: it must end cleanly; a slow-but-finite input
(a batch starting worker processes) may pass 5 s on a loaded machine, a real hang does not end."""


def _assert_clean(language: str, data: bytes, limit: float = LIMIT) -> ft.Outcome:
    outcome = ft.check(ft.target(language), data, limit)
    assert outcome.verdict in (ft.Verdict.OK, ft.Verdict.EXPECTED), (
        f"{language} input {data[:200]!r} ended in {outcome.verdict.value} after "
        f"{outcome.seconds:.1f} s:\n{outcome.detail}")
    return outcome


@pytest.mark.parametrize("language", ft.LANGUAGES)
def test_every_input_ends_in_a_result_or_a_one_line_error(language):
    ft.warm(ft.target(language))
    seen: list[ft.Verdict] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(fs.inputs(language))
    def fuzz(data: bytes) -> None:
        seen.append(_assert_clean(language, data).verdict)

    fuzz()
    assert len(seen) >= EXAMPLES
    # the inputs reach past the first parse error: some end in a result, some in an error
    assert ft.Verdict.EXPECTED in seen and ft.Verdict.OK in seen


REGRESSIONS = sorted(p for p in ft.REGRESSIONS.glob("*/*") if p.is_file())


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_kept_regression_input_ends_cleanly(path: Path):
    language = path.parent.name
    assert language in ft.LANGUAGES, f"{path}: folder is not an input language"
    ft.warm(ft.target(language))
    _assert_clean(language, path.read_bytes(), REPLAY_LIMIT)


def test_the_classifier_tells_crashes_and_hangs_from_documented_errors():
    def raises(error: BaseException):
        def run(data: bytes) -> None:
            raise error
        return run

    def target(run) -> ft.Target:
        return ft.Target("t", run, (ValueError,), lambda: [])

    assert ft.check(target(lambda d: None), b"").verdict is ft.Verdict.OK
    assert ft.check(target(raises(ValueError("bad input at 1:2"))), b"").verdict \
        is ft.Verdict.EXPECTED
    assert ft.check(target(raises(ValueError("two\nlines"))), b"").verdict is ft.Verdict.CRASH
    assert ft.check(target(raises(ValueError(""))), b"").verdict is ft.Verdict.CRASH
    assert ft.check(target(raises(KeyError("x"))), b"").verdict is ft.Verdict.CRASH
    assert ft.check(target(raises(SystemExit(2))), b"").verdict is ft.Verdict.CRASH

    def spin(data: bytes) -> None:
        while True:
            pass

    hung = ft.check(target(spin), b"", limit=0.2)
    assert hung.verdict is ft.Verdict.HANG and 1.1 <= hung.seconds < 3


def test_a_command_line_with_a_traceback_on_stderr_is_a_crash(monkeypatch):
    import reasoner.cli

    def noisy(argv):
        print("Traceback (most recent call last):", file=sys.stderr)
        return 2

    monkeypatch.setattr(reasoner.cli, "main", noisy)
    assert ft.check(ft.target("cli"), b"\x00x").verdict is ft.Verdict.CRASH


def test_warming_a_target_compiles_its_kernels_before_any_input_runs_under_the_alarm():
    # a kernel first compiled under check()'s alarm takes seconds on a cold numba cache: the
    # sygus atheris pass once counted such an input as a hang
    from numba.core.registry import CPUDispatcher

    import symbolic.sygus.kernels as kernels

    ft.warm(ft.target("sygus"))
    public = {name: f for name, f in vars(kernels).items()
              if isinstance(f, CPUDispatcher) and not name.startswith("_")}
    assert {"bv_binary", "bv_compare", "int_unary"} <= set(public)
    assert [name for name, f in public.items() if not f.signatures] == []


@pytest.mark.parametrize("name, module", [("geometry", "symbolic.geometry.kernels"),
                                          ("lark", "grammars.constrained.kernels")])
def test_warming_a_target_loads_the_numba_kernels_its_engine_switches_to_later(name, module):
    # the geometry index and the mask walk start on their numpy/Python twins and load numba
    # after a second of use: a fuzz run must not pay that under some later input's alarm
    import importlib

    ft.warm(ft.target(name))
    assert importlib.import_module(module).jit_loaded()


ROOT = Path(__file__).resolve().parents[2]


ATHERIS_RUNS = 500


@pytest.mark.slow
def test_a_short_atheris_run_per_language(tmp_path):
    """500 coverage-guided inputs per language (about 2 minutes on two cores)."""
    pytest.importorskip("atheris")
    out, found = tmp_path / "rows.json", tmp_path / "found"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fuzz.py"), "--engine", "atheris", "--runs",
         str(ATHERIS_RUNS), "--save-to", str(found), "--json", str(out), "--max-seconds", "240"],
        capture_output=True, text=True, timeout=1200, cwd=ROOT)
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [r["language"] for r in rows] == list(ft.LANGUAGES), proc.stderr[-2000:]
    for row in rows:
        assert row["inputs"] >= ATHERIS_RUNS, (row, proc.stderr[-2000:])
        if row["crash"] or row["hang"]:  # pytest.fail: an assert's message would be cut short
            pytest.fail(_found(row, proc.stderr, found), pytrace=False)
    assert proc.returncode == 0, proc.stderr[-2000:]


def _found(row: dict, stderr: str, found: Path) -> str:
    """What a failing atheris pass found, first: the crash and hang lines, libFuzzer's own
    report, and the inputs themselves (kept so a rare input can be added to ``regressions/``)."""
    report = [line for line in stderr.splitlines()
              if ": crash" in line or ": hang" in line or "libFuzzer" in line]
    inputs = [f"{p.relative_to(found)}: {p.read_bytes()[:600]!r}"
              for p in sorted(found.rglob("*")) if p.is_file()]
    return "\n".join([str(row), *report, *inputs])
