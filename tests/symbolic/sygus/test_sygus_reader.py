"""The SyGuS-IF reader: every command, grammars, sugar, and located errors."""

from __future__ import annotations

import multiprocessing
import random
from pathlib import Path

import pytest

from symbolic.sygus.errors import ParseError, SygusError, UnsupportedError
from symbolic.sygus.reader import MAX_DEPTH, check_depth
from symbolic.sygus.spec import AnyConst, AnyVar, parse_spec, read_spec
from symbolic.sygus.terms import BOOL, INT, STRING, App, Call, Hole, Lit, Var, bv

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT.parent / "shared" / "benchmarks" / "sygus"

FULL = """\
(set-logic LIA)
(set-option :produce-models true)
(set-info :source |a test|)
(set-feature :grammars true)
(define-fun twice ((a Int)) Int (+ a a))
(synth-fun f ((x Int) (y Int)) Int
    ((Start Int) (B Bool))
    ((Start Int (x y 0 (Constant Int) (Variable Int) (twice Start) (ite B Start Start)))
     (B Bool ((<= Start Start) (and B B)))))
(declare-var x Int)
(declare-var y Int)
(assume (>= x 0))
(constraint (>= (f x y) (- 1)))
(constraint (let ((z (f x y))) (=> (> z 10) (< y z))))
(check-synth)
"""


def test_every_command_is_read_into_a_typed_spec():
    spec = parse_spec(FULL, "full.sl")
    assert spec.logic == "LIA"
    (f,) = spec.funs
    assert f.name == "f" and [p.name for p in f.params] == ["x", "y"] and f.sort == INT
    assert [v.name for v in spec.variables] == ["x", "y"]
    assert spec.macros["twice"].body == App("+", (Var("a", INT), Var("a", INT)), INT)
    g = f.grammar
    assert g.start.name == "Start" and [n.name for n in g.nonterminals] == ["Start", "B"]
    rules = g["Start"].rules
    assert rules[:3] == (Var("x", INT), Var("y", INT), Lit(0, INT))
    assert rules[3] == AnyConst(INT) and rules[4] == AnyVar(INT)
    assert rules[5] == Call("twice", (Hole("Start", INT),), INT)
    assert spec.assumes == (App(">=", (Var("x", INT), Lit(0, INT)), BOOL),)
    assert len(spec.constraints) == 2
    assert spec.constraints[0].args[1] == Lit(-1, INT)  # (- 1) is the literal -1
    # let is expanded: the body mentions the call of f, not the bound name
    assert "z" not in repr(spec.constraints[1]) and "Call(func='f'" in repr(spec.constraints[1])


def test_synth_inv_and_inv_constraint_desugar_into_three_constraints():
    spec = read_spec(ROOT / "problems" / "sygus" / "counter_inv.sl")
    (f,) = spec.funs
    assert f.is_inv and f.sort == BOOL
    assert {v.name for v in spec.variables} == {"x", "y", "x!", "y!"}
    assert len(spec.constraints) == 3
    (inv,) = spec.inv
    assert [v.name for v in inv.state] == ["x", "y"] and [v.name for v in inv.primed] == [
        "x!", "y!"]


def test_bit_vectors_strings_and_v20_string_names():
    spec = parse_spec("""(set-logic SLIA)
        (synth-fun g ((s String) (b (_ BitVec 8))) Int)
        (declare-var s String) (declare-var b (_ BitVec 8))
        (constraint (= (g s b) (str.to.int (str.++ s "a""b" (int.to.str 3)))))
        (constraint (= ((_ extract 3 0) b) #b1010))
        (constraint (= b #xfF))
        (check-synth)""")
    c = spec.constraints[0].args[1]
    assert c.op == "str.to_int" and c.args[0].args[1] == Lit('a"b', STRING)
    assert c.args[0].args[2].op == "str.from_int"
    ext = spec.constraints[1].args[0]
    assert ext.op == "extract" and ext.indices == (3, 0) and ext.sort == bv(4)
    assert spec.constraints[2].args[1] == Lit(255, bv(8))


@pytest.mark.parametrize("text, cls, needle, line", [
    ("(set-logic LIA)\n(synth-fun f ((x Int)) Int)\n(constraint (= (f x) 1))\n(check-synth)",
     ParseError, "unknown symbol x", 3),
    ("(set-logic LIA)\n(synth-fun f ((x Real)) Int)\n(check-synth)",
     UnsupportedError, "unsupported sort Real", 2),
    ("(set-logic LIA)\n(declare-datatype T ((a)))\n(check-synth)",
     UnsupportedError, "unsupported command (declare-datatype", 2),
    ("(set-logic LRA)\n(check-synth)", UnsupportedError, "unsupported logic LRA", 1),
    ("(set-logic LIA)\n(synth-fun f () Int)\n(constraint (= (f) (+ 1 true)))\n(check-synth)",
     ParseError, "+ expects Int arguments", 3),
    ("(set-logic SLIA)\n(synth-fun f ((s String)) Bool)\n(declare-var s String)\n"
     "(constraint (f s))\n(constraint (str.in_re s re.all))\n(check-synth)",
     UnsupportedError, "unsupported operator str.in_re", 5),
    ("(set-logic LIA)\n(synth-fun f ((x Int)) Int)\n(constraint (= (f 1) 2)",
     ParseError, "unexpected end of file", None),
    ("(set-logic LIA)\n(synth-fun f ((x Int)) Int)\n(check-synth) #", ParseError,
     "unexpected character", 3),
    ("(set-logic LIA)\n(synth-fun f ((x Int)) Int)", ParseError, "no (check-synth)", None),
    ("(set-logic LIA)\n(synth-fun f ((x Int)) Int)\n(synth-fun f ((x Int)) Int)\n"
     "(check-synth)", ParseError, "f is already declared", 3),
])
def test_errors_name_the_construct_file_and_line(text, cls, needle, line):
    with pytest.raises(cls) as info:
        parse_spec(text, "bad.sl")
    e = info.value
    assert needle in e.message
    assert e.file == "bad.sl" and str(e).startswith("bad.sl")
    if line is not None:
        assert e.line == line and f"bad.sl:{line}" in str(e)


def _check_file(path: Path) -> str:
    try:
        read_spec(path)
        return "ok"
    except UnsupportedError as e:
        assert e.file and e.message
        return "unsupported"
    # any other exception (a traceback) fails the test


def _bench_files() -> list[Path]:
    if not BENCH.is_dir():
        pytest.skip(f"shared benchmark data absent: {BENCH}")
    return sorted(BENCH.rglob("*.sl"))


def test_a_sample_of_every_track_parses_or_is_cleanly_unsupported():
    files = _bench_files()
    rng = random.Random(0)
    for path in rng.sample(files, min(60, len(files))):
        assert _check_file(path) in ("ok", "unsupported"), path


@pytest.mark.slow
def test_every_benchmark_file_parses_or_is_cleanly_unsupported():
    # about 3,000 files (26 MB): read on two forked processes, half the wall time
    files = _bench_files()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        outcomes = pool.map(_check_file, files, chunksize=64)
    bad = [(p, o) for p, o in zip(files, outcomes) if o not in ("ok", "unsupported")]
    assert bad == []


def test_sygus_error_is_the_base_of_reader_errors():
    assert issubclass(ParseError, SygusError) and issubclass(UnsupportedError, SygusError)


def test_nesting_past_the_limit_is_a_located_error_not_a_recursion_crash():
    deep = "(+ 1 " * 10_000 + "x" + ")" * 10_000
    text = ("(set-logic LIA)\n(synth-fun f ((x Int)) Int)\n(declare-var x Int)\n"
            f"(constraint (= (f x) {deep}))\n(check-synth)\n")
    with pytest.raises(UnsupportedError) as info:
        parse_spec(text, "deep.sl")
    e = info.value
    assert "nested deeper than" in str(e) and (e.file, e.line) == ("deep.sl", 4)
    before = text.splitlines()[3][: e.column - 1]  # the open parentheses before it
    assert before.count("(") - before.count(")") == MAX_DEPTH


def test_parentheses_in_strings_symbols_and_comments_do_not_count():
    inside = "(" * (MAX_DEPTH + 5)
    text = (f'; {inside}\n(set-logic SLIA)\n(synth-fun |f{inside}| ((s String)) String)\n'
            f'(declare-var s String)\n(constraint (= (|f{inside}| "{inside}") s))\n')
    check_depth(text)  # no error
    with pytest.raises(UnsupportedError):
        check_depth(text.replace('"', ""))


def test_an_error_quoting_a_symbol_that_spans_lines_stays_on_one_line():
    # found by atheris: a quoted symbol may hold line breaks, and the message quotes it
    with pytest.raises(UnsupportedError) as err:
        parse_spec("(set-logic\n|y LAI)\n(|)\n(check-synth)\n", "f.sl")
    text = str(err.value)
    assert "\n" not in text and "\r" not in text
    assert text.startswith("f.sl:1:1: unsupported logic y LAI)\\n(")
