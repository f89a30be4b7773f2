"""Reading problem files, definitions and rules: typed results and located errors; problems
that extend themselves (auxiliary clauses, fresh names, renaming) without splicing text."""

import ast
import re
from pathlib import Path

import pytest

from symbolic.geometry.errors import ConstructionError, ParseError
from symbolic.geometry.predicates import PREDICATES, Pred
from symbolic.geometry.problem import parse_problem, read_problems
from symbolic.geometry.tables import definitions, parse_definitions, parse_rules, rules

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "benchmarks" / "geometry"


def test_tables_are_complete():
    assert len(definitions()) == 69  # AlphaGeometry's 68 and Newclid's iso_trapezoid
    table = rules()
    assert len(table) == 60  # AlphaGeometry's 43, two mirror-image SAS rules, four of Newclid's,
    # power of a point (r49-r51), Menelaus (r52), harmonic division (r53), the line of
    # equal power (r54), Menelaus' converse (r55), the power of a point's converse (r56), the
    # tangent from equal powers (r57), Pascal (r58), the law of sines (r59)
    assert [r.id for r in table] == [f"r{i:02d}" for i in range(60)]
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
    # the full form one argument short is not read as the elided form of something else
    ("a b c = triangle a b c; d = midpoint d a ? coll a b c", ConstructionError, 29,
     "midpoint takes 3 arguments (x a b), got 2"),
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


FOOT = ["foot x a b c", "x : a b c", "a b c = ncoll a b c", "x : perp x a b c, coll x b c",
        "tline x a b c, line x b c"]


def test_definition_lines_read_names_and_atoms_apart():
    # the LALR grammar reads a run of words as point names before ':' and as an atom elsewhere
    foot = parse_definitions("\n".join(FOOT))["foot"]
    assert foot.args == ("x", "a", "b", "c") and foot.new_points == ("x",)
    assert [str(a) for a in foot.prerequisites] == ["ncoll a b c"]
    assert [[str(a) for a in g] for g in foot.premise_groups] == [["perp x a b c", "coll x b c"]]
    assert [str(s) for s in foot.sketches] == ["tline x a b c", "line x b c"]


@pytest.mark.parametrize("line, text, column, word", [
    (0, "foot X a b c", 6, "'X'"),
    (1, "x : a B c", 7, "'B'"),
    (2, "a 1 c = ncoll a b c", 3, "'1'"),
    (3, "X : perp x a b c", 1, "'X'"),
    (3, "x : perp x a b c,", None, "premises line"),
    (4, "tline x a b c line x b c :", None, "sketches line"),
])
def test_definition_table_errors_are_located(line, text, column, word):
    lines = list(FOOT)
    lines[line] = text
    with pytest.raises(ParseError) as info:
        parse_definitions("\n\n" + "\n".join(lines), "t.txt")
    assert info.value.line == line + 3 and word in str(info.value)
    if column is not None:
        assert info.value.column == column


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


# ------------------------------------------------------------------ problems extend themselves

EXTENSIBLE = [
    "a b c = triangle; h = on_tline b a c, on_tline c a b ? perp a h b c",
    "a b c = triangle a b c; d1 d2 d3 d = incenter2 a b c; e1 e2 e3 e = excenter2 a b c "
    "? perp d c c e",
    "x y z = triangle x y z; w = on_tline w y x z, on_tline w z x y ? perp x w y z",
    "a b = segment a b; c = s_angle b a c 1pi/3; d = midpoint d a c ? aconst a b a c 60o",
    "a b c = r_triangle a b c; d = on_tline d c b a; e = on_pline e b a d, on_bline e d c "
    "? cong a e d e",
]


def spliced(problem, texts):
    """The oracle: the problem's text with ``texts`` spliced in before the goal, parsed."""
    head, goal = problem.text().split(" ? ")
    return parse_problem("; ".join([head, *texts]) + " ? " + goal, problem.name,
                         problem.file, problem.line)


@pytest.mark.parametrize("text", EXTENSIBLE)
def test_with_auxiliary_is_the_spliced_text_parsed(text):
    p = parse_problem(text, "p", "f.txt", 3)
    x, y, z = p.fresh_points(3)
    a, b, c = p.points[:3]
    texts = [f"{x} = midpoint {x} {a} {b}", f"{y} = on_line {y} {c} {x}, on_circle {y} {x} {a}",
             f"{z} = on_tline {a} {b} {y}"]  # the last one elided, as in files
    extended = p.with_auxiliary(p.parse_clauses(texts))
    oracle = spliced(p, texts)
    assert extended == oracle
    assert extended.clauses == oracle.clauses and extended.goal == oracle.goal
    assert extended.points == oracle.points == p.points + (x, y, z)
    assert extended.text() == oracle.text() and (extended.file, extended.line) == ("f.txt", 3)
    one_by_one = p
    for t in texts:
        one_by_one = one_by_one.with_auxiliary([one_by_one.parse_clause(t)])
    assert one_by_one == extended
    assert p.with_auxiliary([]) == p


def test_built_clauses_extend_like_parsed_ones_and_keep_pins():
    from symbolic.geometry.problem import Clause, Step

    p = parse_problem("a@0_0 b@1_0 = segment a b; c = midpoint c a b ? cong a c c b")
    built = Clause(("x",), (Step.of("on_circle", "x", "c", "a"), Step.of("on_bline", "x", "a",
                                                                         "b")))
    extended = p.with_auxiliary([built])
    assert extended.clauses[-1] == p.parse_clause("x = on_circle x c a, on_bline x a b")
    assert extended.clauses[0].pins == {"a": (0.0, 0.0), "b": (1.0, 0.0)}
    assert str(extended.clauses[-1]) == "x = on_circle x c a, on_bline x a b"


@pytest.mark.parametrize("aux, cls, words", [
    ("x = midpoint x a q", ConstructionError, "midpoint: point q is not defined"),
    ("h = midpoint h a b", ConstructionError, "point h is defined twice"),
    ("x = on_line a", ConstructionError, "on_line takes 3 arguments (x a b), got 1"),
    ("x = midpoint x a b c", ConstructionError, "takes 3 arguments (x a b), got 4"),
    ("x = foo x a b", ConstructionError, "unknown construction 'foo'"),
    ("x = midpoint y a b", ConstructionError, "creates y, which is not among the clause's new"),
])
def test_bad_auxiliary_clauses_fail_as_in_a_problem_line(aux, cls, words):
    p = parse_problem(EXTENSIBLE[0], "ortho", "f.txt", 3)
    with pytest.raises(cls) as oracle:
        spliced(p, [aux])
    with pytest.raises(cls) as info:
        p.parse_clause(aux)
    e = info.value
    assert words in str(e) and e.message == f"auxiliary clause '{aux}': " + oracle.value.message
    assert (e.file, e.line, e.problem) == ("f.txt", 3, "ortho")


@pytest.mark.parametrize("text, words", [
    ("x = midpoint x a b; y = midpoint y a c", "unexpected character ';'"),
    ("x = midpoint x a b ? perp a b a x", "unexpected character '?'"),
    ("x midpoint x a b", "unexpected end of line; expected '=', '@x_y', a point name"),
    ("= midpoint x a b", "unexpected '='"), ("x = midpoint x a b,", "unexpected end of line"),
    ("", "unexpected end of line")])
def test_parse_clause_reads_exactly_one_clause(text, words):
    p = parse_problem(EXTENSIBLE[0], "ortho", "f.txt", 3)
    with pytest.raises(ParseError) as info:
        p.parse_clause(text)
    assert str(info.value).startswith(f"f.txt:3: problem ortho: auxiliary clause '{text}': ")
    assert words in str(info.value)


def test_with_auxiliary_checks_typed_clauses_too():
    from symbolic.geometry.problem import Clause, Step

    p = parse_problem(EXTENSIBLE[0], "ortho")
    undefined = Clause(("x",), (Step.of("midpoint", "x", "a", "q"),))
    with pytest.raises(ConstructionError, match="auxiliary clause 'x = midpoint x a q': "
                                                "midpoint: point q is not defined"):
        p.with_auxiliary([undefined])
    twice = p.parse_clause("x = midpoint x a b")
    with pytest.raises(ConstructionError, match="point x is defined twice"):
        p.with_auxiliary([twice, twice])
    with pytest.raises(ConstructionError, match="takes 3 arguments"):
        p.with_auxiliary([Clause(("x",), (Step.of("midpoint", "x", "a"),))])


def test_fresh_points_avoid_every_name_in_use():
    from symbolic.geometry.problem import Naming, canonical_names

    p = parse_problem(EXTENSIBLE[2])  # x y z w
    assert p.fresh_point() == "u" and p.fresh_points(3) == ("u", "v", "x1")
    assert p.fresh_points(2, Naming.ALPHABETICAL) == ("a", "b")
    q = parse_problem(EXTENSIBLE[1])
    assert q.fresh_point() == "x" and q.fresh_point(Naming.ALPHABETICAL) == "f"
    many = parse_problem("x y z = triangle x y z; w = midpoint w x y; u = midpoint u y z; "
                         "v = midpoint v x z; x1 = midpoint x1 w u ? coll w u v")
    assert many.fresh_points(2) == ("x2", "x3")
    assert canonical_names(28)[-3:] == ("z", "a1", "b1")
    for problem in map(parse_problem, EXTENSIBLE):
        names = problem.fresh_points(40) + problem.fresh_points(40, Naming.ALPHABETICAL)
        assert not set(names) & set(problem.points)
        assert len(set(problem.fresh_points(40))) == 40


@pytest.mark.parametrize("text", EXTENSIBLE)
def test_renaming_round_trips(text):
    p = parse_problem(text)
    names = canonical_names_for(p)
    forward = dict(zip(p.points, names))
    renamed = p.rename(forward)
    assert renamed.points == names
    assert renamed.rename({v: k for k, v in forward.items()}) == p
    assert parse_problem(renamed.text()).text() == renamed.text()  # still a problem
    assert renamed.goal.args[:1] == (forward[p.goal.args[0]],)
    clause = p.clauses[-1]
    assert clause.rename(forward).rename({v: k for k, v in forward.items()}) == clause


def canonical_names_for(p):
    from symbolic.geometry.problem import Naming

    return tuple(n.upper() for n in p.fresh_points(len(p.points), Naming.ALPHABETICAL))


def test_renaming_keeps_numbers_and_pins():
    p = parse_problem("a@0_0 b@1_0 = segment a b; c = s_angle b a c 60 ? aconst a b a c 60")
    r = p.rename({"a": "p", "b": "q", "c": "r"})
    assert r.text() == "p q = segment p q; r = s_angle q p r 60 ? aconst p q p r 60"
    assert r.clauses[0].pins == {"p": (0.0, 0.0), "q": (1.0, 0.0)}


def test_make_problem_checks_built_clauses_and_goal_like_the_parser():
    from symbolic.geometry.predicates import PERP
    from symbolic.geometry.problem import Clause, Step, make_problem
    from symbolic.geometry.tables import Atom

    for text in EXTENSIBLE:
        p = parse_problem(text, "p")
        assert make_problem("p", p.clauses, p.goal) == p
    base = Clause(("a", "b", "c"), (Step.of("triangle", "a", "b", "c"),))
    with pytest.raises(ParseError, match="goal mentions undefined point d"):
        make_problem("p", [base], Atom(PERP, ("a", "b", "c", "d")))
    with pytest.raises(ConstructionError, match="point a is defined twice"):
        make_problem("p", [base, base], Atom(PERP, ("a", "b", "a", "c")))


# ------------------------------------------------------------------ no problem text is spliced

ROOT = Path(__file__).resolve().parents[3]
SPLICES = re.compile(r"""\+\s*(["'])\s\?\s\1\s*\+        # ... + " ? " + ...
                         | (["'])\s\?\s\2\.join           # " ? ".join(...)
                         | \.r?(split|partition)\(\s*(["'])\s\?\s\4\s*\)  # .split(" ? ")
                         | \}\s\?\s\{                     # f"{head} ? {goal}"
                         | (["'])\s\?\s[a-z]              # " ? coll a b c"
                      """, re.VERBOSE)


def splices(source: str) -> list[str]:
    """Where ``source`` builds or splits problem text around the ``?`` or hands
    ``parse_problem`` a string it computed (a sum, an f-string, a join)."""
    found = [f"{n}: {line.strip()}" for n, line in enumerate(source.splitlines(), 1)
             if SPLICES.search(line)]
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "parse_problem"
                and node.args and (isinstance(node.args[0], (ast.BinOp, ast.JoinedStr))
                                   or (isinstance(node.args[0], ast.Call)
                                       and getattr(node.args[0].func, "attr", "") == "join"))):
            found.append(f"{node.lineno}: parse_problem of a computed string")
    return found


def test_no_module_splices_problem_text():
    files = [f for pkg in ("reasoner", "kg", "neural", "symbolic")
             for f in (ROOT / pkg).rglob("*.py")
             if f != ROOT / "symbolic" / "geometry" / "problem.py"]
    assert len(files) > 40
    found = [f"{f.relative_to(ROOT)}:{where}" for f in files
             for where in splices(f.read_text(encoding="utf-8"))]
    assert not found, "problem text spliced instead of Problem.with_auxiliary:\n" + "\n".join(found)


@pytest.mark.parametrize("line", [
    'parse_problem("; ".join(clauses + aux) + " ? " + goal)',
    'head, goal = problem.text().split(" ? ")',
    'return f"{head} ? {problem.goal}"',
    'parse_problem("; ".join(clauses) + " ? coll a b c", "synthetic")',
    "parse_problem(f'{text}; {clause} ? {goal}')",
    'parse_problem("; ".join(texts))',
])
def test_the_splice_check_catches_one(line):
    assert splices(line)
