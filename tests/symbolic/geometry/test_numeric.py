"""Numeric diagrams: every construction draws with its premises true; seeds fix diagrams;
impossible problems and false goals fail with typed errors; the JGEX set builds."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from symbolic.geometry.errors import DiagramError, FalseGoalError
from symbolic.geometry.loci import contains, intersect, vec
from symbolic.geometry.numeric import Circle, Line, PointSet, Ray, build_diagram, sample
from symbolic.geometry.predicates import SANGLE, holds
from symbolic.geometry.problem import Problem, parse_problem, read_problems
from symbolic.geometry.sketches import SKETCHES
from symbolic.geometry.tables import definitions

JGEX = (Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks" / "geometry"
        / "jgex_ag_231.txt")

T = "a b c = triangle a b c; "
P5 = "a b c d e = pentagon a b c d e; "
# One small witness problem per construction; the goal restates one of its premises.
WITNESS: dict[str, str] = {
    "angle_bisector": T + "x = angle_bisector x a b c ? eqangle b a b x b x b c",
    "angle_mirror": T + "x = angle_mirror x a b c ? eqangle b a b c b c b x",
    "circle": T + "x = circle x a b c ? cong x a x c",
    "circumcenter": T + "x = circumcenter x a b c ? cong x a x b",
    "eq_quadrangle": "a b c d = eq_quadrangle a b c d ? cong d a b c",
    "eq_trapezoid": "a b c d = eq_trapezoid a b c d ? para d c a b",
    "iso_trapezoid": "a b c d = iso_trapezoid ? cong a d b c",
    "eq_triangle": "b c = segment b c; x = eq_triangle x b c ? cong x b b c",
    "eqangle2": T + "x = eqangle2 x a b c ? eqangle a b a x c x c b",
    "eqdia_quadrangle": "a b c d = eqdia_quadrangle a b c d ? cong d b a c",
    "eqdistance": T + "x = eqdistance x a b c ? cong x a b c",
    "foot": T + "x = foot x a b c ? perp x a b c",
    "free": "a = free a; b = free b ? cong a b b a",
    "incenter": T + "x = incenter x a b c ? eqangle b c b x b x b a",
    "incenter2": T + "x y z i = incenter2 x y z i a b c ? cong i x i z",
    "excenter": T + "x = excenter x a b c ? eqangle b c b x b x b a",
    "excenter2": T + "x y z i = excenter2 x y z i a b c ? cong i y i z",
    "centroid": T + "x y z i = centroid x y z i a b c ? coll c z i",
    "ninepoints": T + "x y z i = ninepoints x y z i a b c ? cong i x i z",
    "intersection_cc": T + "x = intersection_cc x a b c ? cong b c b x",
    "intersection_lc": T + "x = intersection_lc x a b c ? cong b c b x",
    "intersection_ll": "a b c d = quadrangle a b c d; x = intersection_ll x a b c d ? coll x c d",
    "intersection_lp": P5 + "x = intersection_lp x a b c d e ? para c x d e",
    "intersection_lt": P5 + "x = intersection_lt x a b c d e ? perp x c d e",
    "intersection_pp": T + "d e f = triangle d e f; x = intersection_pp x a b c d e f "
                           "? para x d e f",
    "intersection_tt": T + "d e f = triangle d e f; x = intersection_tt x a b c d e f "
                           "? perp x d e f",
    "iso_triangle": "a b c = iso_triangle a b c ? cong a b a c",
    "lc_tangent": "a o = segment a o; x = lc_tangent x a o ? perp a x a o",
    "midpoint": "a b = segment a b; x = midpoint x a b ? midp x a b",
    "mirror": "a b = segment a b; x = mirror x a b ? midp b a x",
    "nsquare": "a b = segment a b; x = nsquare x a b ? cong x a a b",
    "on_aline": P5 + "x = on_aline x a b c d e ? eqangle a x a b d c d e",
    "on_aline2": P5 + "x = on_aline2 x a b c d e ? eqangle x a x b d c d e",
    "on_bline": "a b = segment a b; x = on_bline x a b ? cong x a x b",
    "on_circle": "o a = segment o a; x = on_circle x o a ? cong o x o a",
    "on_line": "a b = segment a b; x = on_line x a b ? coll x a b",
    "on_pline": T + "x = on_pline x a b c ? para x a b c",
    "on_tline": T + "x = on_tline x a b c ? perp x a b c",
    "orthocenter": T + "x = orthocenter x a b c ? perp x c a b",
    "parallelogram": T + "x = parallelogram a b c x ? cong a x b c",
    "pentagon": P5 + "f = midpoint f a e ? coll a e f",
    "psquare": "a b = segment a b; x = psquare x a b ? perp x a a b",
    "quadrangle": "a b c d = quadrangle a b c d ? cong a b b a",
    "r_trapezoid": "a b c d = r_trapezoid a b c d ? perp a b a d",
    "r_triangle": "a b c = r_triangle a b c ? perp a b a c",
    "rectangle": "a b c d = rectangle a b c d ? cong a c b d",
    "reflect": T + "x = reflect x a b c ? perp b c a x",
    "risos": "a b c = risos a b c ? cong a b a c",
    "s_angle": "a b = segment a b; x = s_angle a b x 40 ? aconst b a b x 40",
    "segment": "a b = segment a b ? cong a b b a",
    "shift": T + "x = shift x a b c ? cong x b a c",
    "square": "a b = segment a b; x y = square a b x y ? cong a x b y",
    "isquare": "a b c d = isquare a b c d ? perp a c b d",
    "trapezoid": "a b c d = trapezoid a b c d ? para a b c d",
    "triangle": "a b c = triangle a b c ? cong a b b a",
    "triangle12": "a b c = triangle12 a b c ? rconst a b a c 1 2",
    "2l1c": T + "o = circle o a b c; d = on_line d b c; x y z i = 2l1c x y z i a b d o "
                "? cong i x i z",
    "e5128": "b c = segment b c; a = on_tline a b b c; d = on_circle d c b; "
             "x y = e5128 x y a b c d ? eqangle a b a d x a x y",
    "3peq": T + "x y z = 3peq x y z a b c ? cong z x z y",
    "trisect": T + "x y = trisect x y a b c ? eqangle b x b y b y b c",
    "trisegment": "a b = segment a b; x y = trisegment x y a b ? cong x a y b",
    "on_dia": "a b = segment a b; x = on_dia x a b ? perp x a x b",
    "ieq_triangle": "a b c = ieq_triangle a b c ? cong a b a c",
    "on_opline": "a b = segment a b; x = on_opline x a b ? coll x a b",
    "cc_tangent0": "o w = segment o w; a = free a; b = free b; "
                   "x y = cc_tangent0 x y o a w b ? perp x o x y",
    "cc_tangent": "o w = segment o w; a = free a; b = free b; "
                  "x y z i = cc_tangent x y z i o a w b ? perp i w i z",
    "eqangle3": P5 + "x = eqangle3 x a b c d e ? eqangle x a x b c d c e",
    "tangent": "o b = segment o b; a = free a; x y = tangent x y a o b ? perp a y o y",
    "on_circum": T + "x = on_circum x a b c ? cyclic a b c x",
}


def _premises_hold(problem: Problem, coords: dict[str, np.ndarray]) -> list[str]:
    bad = []
    for clause in problem.clauses:
        for step in clause.steps:
            for atom in step.atoms(step.construction.premises):
                if not holds(atom.pred, atom.args, coords):
                    bad.append(f"{step}: {atom}")
    return bad


def test_every_construction_has_a_witness() -> None:
    assert set(WITNESS) == set(definitions())


def test_every_sketch_name_is_registered() -> None:
    used = {s.name for c in definitions().values() for s in c.sketches}
    assert used == set(SKETCHES)


@pytest.mark.parametrize("name", sorted(definitions()))
def test_construction_builds_with_premises_true(name: str) -> None:
    problem = parse_problem(WITNESS[name], name)
    assert any(s.construction.name == name for c in problem.clauses for s in c.steps)
    for seed in range(5):
        d = build_diagram(problem, np.random.default_rng(seed))
        assert set(d.coords) == set(problem.points)
        assert _premises_hold(problem, d.coords) == []
        assert holds(problem.goal.pred, problem.goal.args, d.coords)


def test_same_seed_same_diagram() -> None:
    problem = parse_problem(T + "o = circle o a b c; d = on_circle d o a; "
                            "e = on_line e a d, on_line e b c ? cong o a o d")
    d1 = build_diagram(problem, np.random.default_rng(7))
    d2 = build_diagram(problem, np.random.default_rng(7))
    d3 = build_diagram(problem, np.random.default_rng(8))
    assert all(np.array_equal(d1[p], d2[p]) for p in problem.points)
    assert not all(np.allclose(d1[p], d3[p]) for p in problem.points)


def test_pins_are_honoured() -> None:
    problem = parse_problem("a@0.0_0.0 = ; b@1.0_0.0 = ; c@0.0_2.0 = ? perp a b a c")
    d = build_diagram(problem, np.random.default_rng(0))
    assert np.allclose(d["c"], [0.0, 2.0])
    assert d.tries == 1


def test_s_angle_direction_matches_predicate() -> None:
    problem = parse_problem("a b = segment a b; x = s_angle a b x 30 ? cong a b a b")
    d = build_diagram(problem, np.random.default_rng(3))
    a, b, x = d["a"], d["b"], d["x"]
    turn = math.degrees(math.atan2(*(x - b)[::-1]) - math.atan2(*(a - b)[::-1])) % 180
    assert turn == pytest.approx(30)
    assert holds(SANGLE, ("a", "b", "x", "30"), d.coords)


@pytest.mark.parametrize("text", [
    # the two lines meet at a, which already exists
    T + "d = on_line d a b, on_line d a c ? coll a b d",
    # a circle of radius |ab| about a and a line at distance 2|ab| from a
    "a b = segment a b; c = mirror c a b; d = on_tline d c a b, on_circle d a b ? cong a b a d",
    # prerequisite ncoll fails: c is on line ab
    "a b = segment a b; c = on_line c a b; d = circle d a b c ? cong d a d b",
])
def test_impossible_problem_raises_diagram_error(text: str) -> None:
    problem = parse_problem(text, "impossible")
    start = time.monotonic()
    with pytest.raises(DiagramError) as info:
        build_diagram(problem, np.random.default_rng(0))
    assert time.monotonic() - start < 5
    assert "clause" in str(info.value)


def test_diagram_error_names_the_failing_construction() -> None:
    problem = parse_problem(T + "d = on_line d a b, on_line d a c ? coll a b d", "p")
    with pytest.raises(DiagramError, match="on_line d a b, on_line d a c"):
        build_diagram(problem, np.random.default_rng(0), max_tries=5)


@pytest.mark.parametrize("text", [
    T + "d = midpoint d a b ? cong c a c b",
    "a b c = triangle a b c ? perp a b a c",
])
def test_false_goal_raises(text: str) -> None:
    with pytest.raises(FalseGoalError):
        build_diagram(parse_problem(text), np.random.default_rng(0), max_tries=20)


def test_false_goal_ignored_without_goal_check() -> None:
    problem = parse_problem("a b c = triangle a b c ? perp a b a c")
    assert build_diagram(problem, np.random.default_rng(0), check_goal=False).tries == 1


def test_deadline_stops_retries() -> None:
    problem = parse_problem(T + "d = on_line d a b, on_line d a c ? coll a b d")
    with pytest.raises(DiagramError, match="1 tries"):
        build_diagram(problem, np.random.default_rng(0), deadline=time.monotonic() - 1)


def test_loci_intersections() -> None:
    o = vec(0, 0)
    circle = Circle(o, 1.0)
    pts = intersect(Line(vec(0, 0.5), vec(1, 0)), circle)
    assert len(pts) == 2 and all(contains(circle, p) for p in pts)
    assert intersect(Line(vec(0, 2), vec(1, 0)), circle) == []
    ray = Ray(vec(0, 0.5), vec(1, 0))
    (p,) = intersect(ray, circle)
    assert p[0] > 0
    assert len(intersect(circle, Circle(vec(1, 0), 1.0))) == 2
    assert intersect(circle, Circle(vec(5, 0), 1.0)) == []
    assert intersect(Line(o, vec(1, 0)), Line(vec(0, 1), vec(1, 0))) == []
    assert intersect(PointSet((vec(1, 0), vec(3, 0))), circle)[0][0] == 1.0
    rng = np.random.default_rng(0)
    assert contains(circle, sample(circle, [vec(0, 0), vec(1, 1)], rng))


def test_typical_problem_builds_fast() -> None:
    problem = parse_problem(
        T + "o = circle o a b c; h = orthocenter h a b c; d = foot d a b c; "
        "e = foot e b c a; m = midpoint m a b; n = on_circle n o a, on_line n c m; "
        "k = on_line k a h, on_line k o m ? cong o a o n")
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(20):
        build_diagram(problem, rng)
    assert (time.perf_counter() - start) / 20 < 0.05


@pytest.mark.skipif(not JGEX.exists(),
                    reason="shared benchmark data absent (../shared/benchmarks)")
def test_jgex_231_build_with_true_goals() -> None:
    problems = read_problems(JGEX)
    assert len(problems) == 231
    start = time.perf_counter()
    for i, problem in enumerate(problems):
        assert isinstance(problem, Problem), problem
        d = build_diagram(problem, np.random.default_rng(i))
        assert holds(problem.goal.pred, problem.goal.args, d.coords)
        assert _premises_hold(problem, d.coords) == []
    assert time.perf_counter() - start < 10
