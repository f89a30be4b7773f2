"""Differential soundness checks: random cases per engine, each judged by oracles that do not
share code with the engine under test (a replay on fresh diagrams, z3 and cvc5 on a query built
from the case's own text, a plain evaluator).

An engine is a module named in ``ENGINES`` (imported when first asked for) that exposes:

- ``OUTCOMES``: the verdicts it counts, in table order; ``WRONG`` among them, ``ERROR``
  where the engine can fail on a valid case;
- ``generate(rng: random.Random, k: int) -> case``: the ``k``-th case of a run, drawn from
  ``rng`` only (the driver seeds it from the run's seed and ``k``); a case is a frozen
  dataclass whose ``text()`` is the input to reproduce it (a problem line, a SyGuS file);
- ``check(case, timeout: float) -> Verdict``: run the engine on the case under ``timeout``
  seconds (cooperative; the driver adds a hard limit) and judge its answer;
- ``warm_up()``: import what the checks need in the driver's parent process (``symbolic.runner``
  preload), so that forked workers start warm.

A disagreement with an oracle is ``WRONG``, or an outcome of the engine's own that names its
kind (the grammar engine's ``unsound``, ``incomplete``, ``dead-end``, ...) with
``Verdict.wrong`` set (``disagreement``): it fails a run all the same. A kind an engine
documents as a known limitation would be returned unmarked (none is, for now).

The bench driver (``bench/differential.py``) runs many cases through ``symbolic.runner``; the
tests (``tests/symbolic/geometry/test_differential.py``,
``tests/symbolic/sygus/test_sygus_differential.py``, ``tests/verify/test_verify_differential.py``,
``tests/grammars/test_grammar_differential.py``) run a few in process. The modules sit
in ``tests/helpers`` (on the tests' path, and put on its own by the driver): they are oracles
and random generators for tests and benches, not library code; an engine is one more flat
module ``differential_NAME.py`` there (``tests/`` folders mirror the packages, so no
sub-folder) and one more entry in ``ENGINES``.
"""

from __future__ import annotations

import importlib
import random
import time
from dataclasses import dataclass
from types import ModuleType

WRONG = "wrong"  # the engine's answer disagrees with an oracle: a soundness bug
ERROR = "error"  # the engine failed on a valid case (a bug, though no wrong answer)
FAILING = (WRONG, ERROR)  # outcomes that fail a run

# engine name -> module; another engine is one more entry and one more module
ENGINES: dict[str, str] = {
    "geometry": "differential_geometry",
    "sygus": "differential_sygus",
    "verify": "differential_verify",
    "grammar": "differential_grammar",
}


@dataclass(frozen=True)
class Verdict:
    """How one case ended (one of its engine's ``OUTCOMES``), and why, in one line;
    ``wrong``: a disagreement with an oracle under an outcome that names its kind (it fails a
    run like ``WRONG``); ``counts``: the sub-checks the case ran, as (name, number), summed in
    the driver's table."""

    outcome: str
    detail: str = ""
    wrong: bool = False
    counts: tuple[tuple[str, int], ...] = ()

    @property
    def failed(self) -> bool:
        return self.wrong or self.outcome in FAILING


def disagreement(kind: str, detail: str) -> Verdict:
    """A wrong answer of the kind ``kind`` (one of the engine's ``OUTCOMES``)."""
    return Verdict(kind, detail, wrong=True)


@dataclass(frozen=True)
class CaseResult:
    """One checked case: its index, its text (to reproduce it), the verdict, the seconds."""

    engine: str
    seed: int
    k: int
    text: str
    verdict: Verdict
    seconds: float


def engine(name: str) -> ModuleType:
    """The engine module registered as ``name`` (KeyError for an unknown name)."""
    return importlib.import_module(ENGINES[name])


def assert_agrees(engine: ModuleType, seed: int, k: int, timeout: float) -> Verdict:
    """Run case ``k`` of ``seed`` through ``engine`` and fail the test on any wrong answer,
    showing the case; the verdict, for further checks."""
    case = engine.generate(case_rng(seed, k), k)
    verdict = engine.check(case, timeout=timeout)
    assert verdict.outcome in engine.OUTCOMES
    assert not verdict.failed, f"{verdict.detail}\n{case.text()}"
    return verdict


def case_rng(seed: int, k: int) -> random.Random:
    """The generator of case ``k`` of a run with ``seed``: a case is reproducible alone."""
    return random.Random(f"differential/{seed}/{k}")


def run_case(name: str, seed: int, k: int, timeout: float) -> CaseResult:
    """Generate case ``k`` of engine ``name`` and check it."""
    start = time.monotonic()
    module = engine(name)
    case = module.generate(case_rng(seed, k), k)
    verdict = module.check(case, timeout)
    return CaseResult(name, seed, k, case.text(), verdict, time.monotonic() - start)
