"""The verifier against an exact MILP on random small ReLU networks (derandomized; the same
engine runs at scale in ``python bench/differential.py --engine verify``)."""

from __future__ import annotations

from collections import Counter

import differential_verify as engine
import numpy as np
import pytest
from differential import ERROR, case_rng

from verify.result import Result, Status, Witness

# seed 0 draws, as case 24, a conjunction no output meets (Y_0 >= a, Y_0 <= b, a - b = 7e-4)
# that the verifier leaves undecided: incomplete, not unsound (undecided is never wrong)
SEED = 1
CASES = 30
TIMEOUT = 10.0
AGREE = (engine.HOLDS, engine.VIOLATED)


@pytest.fixture(scope="module")
def cases():
    return [engine.generate(case_rng(SEED, i), i) for i in range(CASES)]


def test_verdicts_agree_with_the_exact_optimum(cases):
    verdicts = [engine.check(c, TIMEOUT) for c in cases]
    wrong = [(c.index, v.outcome, v.detail) for c, v in zip(cases, verdicts)
             if v.outcome not in AGREE]
    assert wrong == []  # undecided, oracle in doubt and boundary count too: none here
    rows = Counter(v.outcome for v in verdicts)
    assert rows[engine.HOLDS] >= 5 and rows[engine.VIOLATED] >= 5, rows


def test_the_milp_agrees_with_activation_patterns_and_samples(cases):
    small = [c for c in cases if sum(w.shape[0] for w in c.weights[:-1]) <= 6][:4]
    assert small
    for c in small:
        exact, x = engine.exact_margin(c.weights, c.biases, c.boxes, c.disjuncts)
        assert engine.enumerated_margin(c.weights, c.biases, c.boxes, c.disjuncts) \
            == pytest.approx(exact, abs=1e-7)
        assert exact == pytest.approx(c.target, abs=1e-6)
        rng = np.random.default_rng(1)
        pts = engine._samples(rng, c, 500)
        y = engine.forward(c.weights, c.biases, np.concatenate([pts, x[None]]))
        m = engine.margins(c, np.concatenate([pts, x[None]]), y)
        assert m.min() >= exact - 1e-6 and m[-1] <= exact + 1e-6


def _first(cases, violated: bool):
    return next(c for c in cases if (c.target <= 0) == violated)


def test_the_check_catches_a_wrong_holds(cases, monkeypatch):
    case = _first(cases, violated=True)
    monkeypatch.setattr(engine, "run_verifier", lambda c, t: Result(Status.UNSAT))
    v = engine.check(case, TIMEOUT)
    assert (v.outcome, v.failed) == (engine.WRONG_UNSAT, True)


def test_the_check_catches_a_false_witness(cases, monkeypatch):
    case = _first(cases, violated=False)
    lo, hi = case.boxes[0]
    x = ((lo + hi) / 2).astype(np.float32).astype(np.float64)
    fake = Witness(x, engine.forward(case.weights, case.biases, x[None])[0])
    monkeypatch.setattr(engine, "run_verifier", lambda c, t: Result(Status.SAT, witness=fake))
    v = engine.check(case, TIMEOUT)
    assert (v.outcome, v.failed) == (engine.WRONG_SAT, True)
    assert "onnxruntime" in v.detail


def test_undecided_is_unknown_not_wrong(cases, monkeypatch):
    monkeypatch.setattr(engine, "run_verifier", lambda c, t: Result(Status.TIMEOUT, 10.0))
    v = engine.check(cases[0], TIMEOUT)
    assert (v.outcome, v.failed) == (engine.UNDECIDED, False)


def test_a_crash_of_the_verifier_is_an_error(cases, monkeypatch):
    def crash(case, timeout):
        raise ValueError("boom")

    monkeypatch.setattr(engine, "run_verifier", crash)
    v = engine.check(cases[0], TIMEOUT)
    assert (v.outcome, v.failed) == (ERROR, True) and "boom" in v.detail


def test_the_files_are_what_the_oracle_solves(cases):
    """The VNNLIB text parses to the boxes and disjuncts the MILP uses (less the disjuncts that
    bound one output from both sides apart, which no output meets and the reader drops)."""
    from verify.vnnlib import _contradictory, parse_vnnlib

    for c in cases[:10]:
        prop = parse_vnnlib(c.vnnlib)
        meetable = [r for r in c.disjuncts if not _contradictory(r.matrix, list(r.rhs))]
        assert len(prop.cases) == (len(c.boxes) if meetable else 0)
        for parsed, (lo, hi) in zip(prop.cases, c.boxes):
            assert np.array_equal(parsed.lower, lo) and np.array_equal(parsed.upper, hi)
            assert len(parsed.disjuncts) == len(meetable)
            for d, rows in zip(parsed.disjuncts, meetable):
                assert np.array_equal(d.matrix, rows.matrix)
                assert np.array_equal(d.rhs, rows.rhs)
