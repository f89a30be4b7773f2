"""VNNLIB 1.0 parsing: the ACAS Xu properties, disjunctions over inputs and outputs, errors."""

from __future__ import annotations

import numpy as np
import pytest
from verify_testlib import ACAS, EXAMPLES, needs_bench

from verify.errors import VnnlibError
from verify.vnnlib import parse_vnnlib, read_vnnlib

HEAD = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n" \
       "(declare-const Y_1 Real)\n"
BOX = "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= X_1 .5e0))\n"


@needs_bench
@pytest.mark.parametrize("prop", range(1, 11))
def test_acasxu_properties_parse(prop):
    p = read_vnnlib(ACAS / "vnnlib" / f"prop_{prop}.vnnlib")
    assert (p.input_size, p.output_size) == (5, 5)
    assert len(p.cases) == (2 if prop == 6 else 1)
    for case in p.cases:
        assert np.all(case.lower <= case.upper)


def test_var_vs_var_and_output_disjunction():
    text = HEAD + BOX + "(assert (or (and (<= Y_0 Y_1) (>= Y_0 2.5)) (and (>= Y_1 1e-3))))"
    (case,) = parse_vnnlib(text).cases
    assert case.lower.tolist() == [-1, 0] and case.upper.tolist() == [1, 0.5]
    first, second = case.disjuncts
    assert first.matrix.tolist() == [[1, -1], [-1, 0]] and first.rhs.tolist() == [0, -2.5]
    assert second.matrix.tolist() == [[0, -1]] and second.rhs.tolist() == [-1e-3]
    assert first.margin(np.array([[3.0, 4.0]]))[0] <= 0  # 3 <= 4 and 3 >= 2.5: unsafe
    assert first.margin(np.array([[3.0, 2.0]]))[0] > 0


def test_disjunction_over_input_boxes():
    text = HEAD + "(assert (or (and (>= X_0 0) (<= X_0 1) (>= X_1 0) (<= X_1 1))" \
                  " (and (>= X_0 2) (<= X_0 3) (>= X_1 0) (<= X_1 1))))\n(assert (>= Y_0 0))"
    p = parse_vnnlib(text)
    assert [c.lower.tolist() for c in p.cases] == [[0, 0], [2, 0]]
    assert all(len(c.disjuncts) == 1 for c in p.cases)


@pytest.mark.parametrize("text, message, line", [
    (HEAD + BOX + "(assert (>= Y_0 1)", "unexpected end of file", None),
    (HEAD + BOX + "(assert (== Y_0 1))", "unexpected character", 9),
    (HEAD + BOX + "(assert (>= Y_7 1))", "Y_7 is used but not declared", 9),
    (HEAD + BOX + "(assert (>= Z_0 1))", "unknown variable Z_0", 9),
    (HEAD + "(assert (>= X_0 0))\n(assert (>= Y_0 1))", "X_0 has no upper bound", None),
    (HEAD + BOX + "(assert (>= Y_0 X_1))", "mixes inputs and outputs", 9),
    (HEAD + BOX + "(assert (<= X_0 X_1))", "relates two inputs", 9),
    ("(declare-const X_0 Int)", "expected Real", 1),
])
def test_malformed_files_have_located_errors(text, message, line):
    with pytest.raises(VnnlibError, match=message) as info:
        parse_vnnlib(text, "p.vnnlib")
    assert str(info.value).startswith("p.vnnlib")
    if line is not None:
        assert info.value.line == line and info.value.column >= 1


def test_unreadable_file(tmp_path):
    with pytest.raises(VnnlibError, match="cannot read"):
        read_vnnlib(tmp_path / "missing.vnnlib")


def test_a_conjunct_whose_rows_bound_one_output_from_both_sides_apart_is_dropped(tmp_path):
    """Found by the differential checks: ``Y_0 <= 1`` and ``Y_0 >= 2`` in one conjunct meet no
    output at all, yet the search ran to its time limit on it; now it is false from the start
    (as a constant atom such as ``(<= 2 1)`` already was)."""
    from verify.api import verify
    from verify.result import Status

    text = HEAD + BOX + ("(assert (or (and (<= Y_0 1) (>= Y_0 2) (<= Y_1 5))"
                         " (and (<= Y_1 -1) (>= Y_1 -1) (<= Y_0 Y_1))))")
    (case,) = parse_vnnlib(text).cases
    (kept,) = case.disjuncts  # the second touches its bounds but is not contradictory
    assert kept.matrix.tolist() == [[0, 1], [0, -1], [1, -1]]
    only = HEAD + BOX + "(assert (and (<= Y_1 0.5) (>= Y_1 0.75)))"
    assert parse_vnnlib(only).cases == ()
    # end to end on a real network: the property holds at once, whatever the net computes
    prop = tmp_path / "never.vnnlib"
    prop.write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n"
                    "(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n"
                    "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n"
                    "(assert (<= X_1 1))\n(assert (<= Y_0 -3))\n(assert (>= Y_0 3))\n")
    result = verify(EXAMPLES / "xor2.onnx", prop, 10)
    assert result.status is Status.UNSAT
