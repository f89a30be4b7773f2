"""Reading problem files, definitions and rules: typed results and located errors."""

from pathlib import Path

import pytest

from symbolic.geometry.errors import ConstructionError, ParseError
from symbolic.geometry.predicates import PREDICATES, Pred
from symbolic.geometry.problem import parse_problem, read_problems
from symbolic.geometry.tables import definitions, parse_rules, rules

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "benchmarks" / "geometry"


def test_tables_are_complete():
    assert len(definitions()) == 69  # AlphaGeometry's 68 and Newclid's iso_trapezoid
    table = rules()
    assert len(table) == 45  # AlphaGeometry's 43 and two mirror-image SAS rules
    assert [r.id for r in table] == [f"r{i:02d}" for i in range(45)]
    assert str(table[4]) == "eqangle6 P A P B Q A Q B, ncoll P Q A B => cyclic A B P Q"


def test_every_predicate_has_exactly_one_class():
    assert {p.value for p in Pred} == set(PREDICATES)
    assert len(set(PREDICATES.values())) == len(PREDICATES)


def test_argument_elision_prepends_the_new_points():
    p = parse_problem("a b c = triangle; h = on_tline b a c, on_tline c a b ? perp a h b c")
    steps = p.clauses[1].steps
    assert [s.args for s in steps] == [("h", "b", "a", "c"), ("h", "c", "a", "b")]
    assert p.goal.name == "perp" and p.points == ("a", "b", "c", "h")


def test_pinned_points_and_numbers():
    p = parse_problem("a@0.0_0.0 b@1.0_0.0 = segment a b; c = s_angle b a c 60 ? cong a b a c")
    assert p.clauses[0].pins == {"a": (0.0, 0.0), "b": (1.0, 0.0)}
    assert p.clauses[1].steps[0].args == ("b", "a", "c", "60")


@pytest.mark.parametrize("text, cls, column, words", [
    ("a b c = triangle a b c ? perp a h b c", ParseError, 26, "undefined point h"),
    ("a b c = triangle a b c; h = foo b a c ? perp a h b c", ConstructionError, 29,
     "unknown construction 'foo'"),
    ("a b c = triangle a b c; h = on_tline h b a z ? perp a h b c", ConstructionError, 29,
     "point z is not defined"),
    ("a b c = triangle a b c; a = midpoint b c ? perp a b b c", ConstructionError, 25,
     "defined twice"),
    ("a b c = triangle a b c; h = on_tline h b ? perp a h b c", ConstructionError, 29,
     "takes 4 arguments"),
    ("a b c = triangle a b c ? para a b", ParseError, 26, "takes 4 arguments"),
    ("a b c = triangle a b c ? foo a b", ParseError, 26, "unknown goal predicate"),
    ("a b c = triangle a b c; ? perp a b b c", ParseError, 25, "expected a point name"),
    ("a b c = triangle a b c", ParseError, None, "expected"),
])
def test_errors_name_line_column_and_what_was_expected(text, cls, column, words):
    with pytest.raises(cls) as info:
        parse_problem(text, name="p", file="f.txt", line=7)
    e = info.value
    assert e.file == "f.txt" and e.line == 7 and e.problem == "p"
    if column is not None:
        assert e.column == column
    assert words in str(e)
    assert str(e).startswith("f.txt:7")


def test_a_bad_problem_in_a_file_does_not_stop_the_others(tmp_path):
    f = tmp_path / "set.txt"
    f.write_text("good\na b c = triangle a b c; d = midpoint d a b ? coll a b d\n"
                 "bad\na b c = triangle a b c; d = nothing d a b ? coll a b d\n"
                 "good2\na b = segment a b; c = midpoint c a b ? cong a c c b\n")
    items = read_problems(f)
    assert [type(i).__name__ for i in items] == ["Problem", "ConstructionError", "Problem"]
    assert items[1].line == 4 and "nothing" in str(items[1])


def test_rule_table_errors_are_located():
    with pytest.raises(ParseError) as info:
        parse_rules("r00: perp A B C D => para A B\nr01: nonsense A => coll A B C\n", "x.txt")
    assert info.value.line == 2 and "nonsense" in str(info.value)
    with pytest.raises(ParseError, match="duplicate rule id r00"):
        parse_rules("r00: perp A B C D => para A B C D\nr00: para A B C D => para C D A B\n")


@pytest.mark.skipif(not (BENCH / "jgex_ag_231.txt").exists(),
                    reason="shared benchmark data absent (../shared/benchmarks)")
def test_every_benchmark_problem_parses():
    items = read_problems(BENCH / "jgex_ag_231.txt")
    assert len(items) == 231
    assert all(not isinstance(i, Exception) for i in items)


@pytest.mark.parametrize("text, degrees", [("60", "60"), ("-15", "-15"), ("60o", "60"),
                                           ("1pi/3", "60"), ("pi/4", "45"), ("3pi/8", "67.5"),
                                           ("x", None), ("1pi/0", None)])
def test_angles_are_read_in_every_spelling(text, degrees):
    from symbolic.geometry.problem import angle_degrees

    assert angle_degrees(text) == degrees


def test_angle_constants_in_constructions_and_goals():
    p = parse_problem("a b = segment a b; c = s_angle b a c 1pi/3 ? aconst a b a c 60o")
    assert p.clauses[1].steps[0].args == ("b", "a", "c", "60")
    assert p.goal.args == ("a", "b", "a", "c", "60")
    with pytest.raises(ConstructionError, match="angle in degrees"):
        parse_problem("a b = segment a b; c = s_angle b a c sixty ? cong a b a c")
    with pytest.raises(ParseError, match="two positive integers"):
        parse_problem("a b = segment a b; c = midpoint c a b ? rconst a c a b 1 x")


@pytest.mark.skipif(not (BENCH / "hageo_dev.txt").exists(), reason="benchmark data absent")
def test_every_hageo_dev_problem_parses():
    problems = read_problems(BENCH / "hageo_dev.txt")
    assert len(problems) == 199
    assert [p for p in problems if isinstance(p, Exception)] == []
    # two of them start from Newclid's iso_trapezoid (elided: the clause's points are its args)
    iso = [p for p in problems if p.clauses[0].steps[0].construction.name == "iso_trapezoid"]
    assert [p.clauses[0].steps[0].args for p in iso] == [("d", "a", "b", "c"),
                                                        ("a", "b", "c", "d")]
