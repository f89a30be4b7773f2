"""The differential bench driver (``bench/differential.py``): its exit codes and the report
of a failing case, with a stand-in engine registered beside the real ones."""

from __future__ import annotations

import random
import sys
import types
from dataclasses import dataclass

import pytest
from bench_scripts import load_bench
from differential import ENGINES, WRONG, Verdict


def _driver():
    return load_bench("differential")


@dataclass(frozen=True)
class Coin:
    value: int

    def text(self) -> str:
        return f"coin {self.value}"


def _stand_in() -> types.ModuleType:
    """An engine whose odd cases are wrong."""
    m = types.ModuleType("differential_stand_in")
    m.OUTCOMES = ("fine", WRONG)
    m.generate = lambda rng, k: Coin(k)
    m.check = lambda case, timeout: Verdict(WRONG if case.value % 2 else "fine", "odd")
    return m


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setitem(sys.modules, "differential_stand_in", _stand_in())
    monkeypatch.setitem(ENGINES, "stand-in", "differential_stand_in")


def test_a_run_without_disagreement_exits_0(stand_in, capsys):
    assert _driver().main(["--engine", "stand-in", "--case", "4", "--quiet"]) == 0
    assert "fine 1" in capsys.readouterr().out


def test_a_disagreement_exits_1_and_prints_the_case(stand_in, capsys):
    assert _driver().main(["--engine", "stand-in", "--cases", "4", "--jobs", "2",
                           "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "coin 1" in out and "coin 3" in out and "coin 2" not in out
    assert "--seed 0 --case 3" in out and "wrong 2" in out


def test_a_disagreement_named_by_its_kind_fails_too(stand_in, capsys):
    from differential import disagreement

    module = sys.modules["differential_stand_in"]
    module.OUTCOMES = ("fine", "odd-kind")
    module.check = lambda case, timeout: (disagreement("odd-kind", "odd") if case.value % 2
                                          else Verdict("fine", counts=(("flips", 2),)))
    assert _driver().main(["--engine", "stand-in", "--cases", "4", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "stand-in case 1 (seed 0): odd-kind: odd" in out and "odd-kind 2" in out
    assert "(flips 4)" in out


@pytest.mark.parametrize("argv", [["--cases", "0"], ["--jobs", "0"], ["--timeout", "0"]])
def test_bad_arguments_exit_2(argv):
    assert _driver().main([*argv, "--quiet"]) == 2


def test_a_case_is_the_same_whoever_draws_it():
    from differential import case_rng

    assert case_rng(3, 7).random() == case_rng(3, 7).random() != case_rng(3, 8).random()
    assert isinstance(case_rng(0, 0), random.Random)
