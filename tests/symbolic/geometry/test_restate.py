"""Restated goals: the point constructed on the goal's locus, the locus left out proved."""

import numpy as np
import pytest

from reasoner.search import SearchConfig, search
from symbolic.geometry.checker import check_document
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove
from symbolic.geometry.restate import goal_locus, restatements, same_point

# HAGeo-409 (Duan et al., 2025), 2016 Iranian Geometry Olympiad, advanced level, problem 1:
# two circles through a and b; a p q collinear. DD+AR proves it only restated.
IRAN = ("a b = segment a b; o1 = on_bline o1 a b; o2 = on_bline o2 a b; "
        "c = on_circle c o2 a, on_tline c a o1 a; d = on_circle d o1 a, on_tline d a o2 a; "
        "e = on_line e c d, on_circle e o1 a; f = on_line f c d, on_circle f o2 a; "
        "p = on_circle p o2 a, on_tline p e a c; q = on_circle q o1 a, on_tline q f a d "
        "? coll a p q")


@pytest.mark.parametrize("goal, z, locus", [
    ("coll a b z", "z", "on_line z a b"),
    ("coll z b a", "z", "on_line z b a"),
    ("cyclic a z b c", "z", "on_circum z a b c"),
    ("perp a b z c", "z", "on_tline z c a b"),
    ("perp z c a b", "z", "on_tline z c a b"),
    ("para c z a b", "z", "on_pline z c a b"),
    ("cong z a z b", "z", None),  # on_bline states an angle besides
    ("cong o z o a", "z", "on_circle z o a"),
    ("cong a o o z", "z", "on_circle z o a"),
    ("cong a b c z", "z", None),
    ("coll a b c", "z", None),
    ("eqangle a b a z c o c a", "z", None),
])
def test_goal_locus_states_the_goal(goal, z, locus):
    problem = parse_problem(f"a b c = triangle a b c; o = free o; z = free z ? {goal}")
    step = goal_locus(problem.goal, z)
    assert (None if step is None else str(step)) == locus
    if step is not None:  # the construction's one fact is the goal itself
        (fact,) = step.premises
        assert fact.pred is problem.goal.pred
        assert sorted(fact.args) == sorted(problem.goal.args)


def test_restatements_keep_one_locus_and_ask_for_the_other():
    problem = parse_problem(IRAN, name="iran")
    found = restatements(problem)
    assert [(str(r.problem.clauses[r.index]), str(r.problem.goal)) for r in found] == [
        ("q = on_line q a p, on_circle q o1 a", "perp q f a d"),
        ("q = on_line q a p, on_tline q f a d", "cong o1 q o1 a"),
    ]
    for r in found:  # nothing else changes
        assert r.original is problem and r.point == "q"
        assert [str(c) for c in r.problem.clauses[:-1]] == [str(c) for c in
                                                             problem.clauses[:-1]]


def test_no_restatement_where_the_goal_point_has_one_locus_or_comes_first():
    one = parse_problem("a b c = triangle a b c; d = on_line d b c ? coll a d b")
    assert restatements(one) == []
    # one step stating one fact besides a locus (the point on the circle about a of radius
    # bc), or facts no locus construction states (the angle of on_aline)
    for clause in ("d = eqdistance d a b c", "d = on_aline d a b c a b"):
        assert restatements(parse_problem(f"a b c = triangle a b c; {clause} ? coll a d b")) == []
    # the goal's other points are constructed after z: its new clause could not name them
    late = parse_problem("a b c = triangle a b c; z = on_line z a b, on_line z b c; "
                         "m = midpoint m a c ? coll z m b")
    # (m is restated: the midpoint is where the line meets the perpendicular bisector)
    assert {r.point for r in restatements(late)} == {"m"}


def test_the_restated_point_is_the_statements_on_its_diagram():
    problem = parse_problem(IRAN, name="iran")
    drawn = build_diagram(problem, np.random.default_rng(3))
    for r in restatements(problem):
        assert same_point(r, drawn.coords, np.random.default_rng(0))
        moved = dict(drawn.coords)
        moved["q"] = moved["q"] + np.array([0.05, 0.0])
        assert not same_point(r, moved, np.random.default_rng(0))


def test_ddar_proves_the_restatement_and_not_the_statement():
    problem = parse_problem(IRAN, name="iran")
    assert not prove(problem, ProverConfig(timeout=60)).proved
    r = restatements(problem)[0]
    assert prove(r.problem, ProverConfig(timeout=60)).proved


def _proved_restated():
    found = search(parse_problem(IRAN, name="iran"), [], SearchConfig(timeout=60))
    assert found.outcome.proved and found.auxiliary == ()
    assert found.stats["restated"].startswith("q = on_line q a p, on_circle q o1 a")
    return found


def test_the_search_proves_it_restated_and_the_checker_accepts_the_proof():
    found = _proved_restated()
    proof = found.outcome.proof
    assert proof.restated[:2] == (parse_problem(IRAN).text(), "q")
    doc = proof.document()
    assert doc["restated"] == {"original": parse_problem(IRAN).text(), "point": "q"}
    assert check_document(doc).valid
    text = proof.text()
    assert "Restated: q = on_line q a p, on_circle q o1 a" in text
    assert "so coll a p q holds" in text
    # without restating, nothing proves it before the search (which has no source here)
    plain = search(parse_problem(IRAN, name="iran"), [],
                   SearchConfig(timeout=60, restate=False))
    assert not plain.outcome.proved


@pytest.mark.parametrize("tamper, error", [
    (lambda o: o.replace("? coll a p q", "? coll a b q"), "does not state the problem's goal"),
    (lambda o: o.replace("e = on_line e c d", "e = on_line e c b"), "differ elsewhere"),
    (lambda o: o.replace("q = on_circle q o1 a, on_tline q f a d",
                         "q = on_circle q o1 a, on_tline q e a d"), "is not what"),
])
def test_the_checker_rejects_a_restatement_of_another_problem(tamper, error):
    doc = _proved_restated().outcome.proof.document()
    bad = {**doc, "restated": {**doc["restated"], "original": tamper(doc["restated"]["original"])}}
    report = check_document(bad)
    assert not report.valid
    assert any(error in e for e in report.errors), report.errors


def test_the_checker_rejects_a_point_put_elsewhere():
    doc = _proved_restated().outcome.proof.document()
    assert not check_document({**doc, "restated": {**doc["restated"], "point": "p"}}).valid
    assert not check_document({**doc, "restated": {"original": 3}}).valid


# HAGeo-409, IMO Shortlist 2018 G2: DD+AR proves neither the statement nor its restatements
G2 = ("a b c = iso_triangle a b c; m = midpoint m b c; p = on_pline p a b c; "
      "x = on_line x p b; y = on_line y p c, eqangle3 y p m x m p ? cyclic a p x y")


def test_trajectories_start_from_the_restatements_too():
    from tests.helpers.fixed_proposer import Fixed

    problem = parse_problem(G2, name="2018G2")
    assert restatements(problem)
    source = Fixed("z = midpoint z a m", "z = midpoint z p x", "z = foot z a p x")
    config = SearchConfig(timeout=4, restate_after=0.0, trajectory_sources=None, depth=1)
    found = search(problem, [source], config)
    assert not found.outcome.proved
    stats = found.stats
    assert stats["restated_trajectories"] > 0
    # the same clauses on a restatement are other nodes: tried again there
    assert stats["tried"] > 3
    none = search(problem, [source], SearchConfig(timeout=4, restate=False,
                                                  trajectory_sources=None, depth=1))
    assert "restated_trajectories" not in none.stats and none.stats["tried"] <= 3


# ---------------------------------------------------------------- one step, two loci

# HAGeo-409 (Duan et al., 2025), IMO Shortlist 2009 G8, in the benchmark's own statement: the
# orthocentre h of the three incentres lies on the line am. DD+AR proves it only restated:
# h on am and on the altitude from i1, proved on the altitude from i2.
G8 = ("t1 t2 t3 = triangle; i = circumcenter t1 t2 t3; t4 = on_circle i t1; "
      "a = on_tline t1 i t1, on_tline t2 i t2; b = on_tline t2 i t2, on_tline t3 i t3; "
      "c = on_tline t3 i t3, on_tline t4 i t4; d = on_tline t1 i t1, on_tline t4 i t4; "
      "m = on_line b c; n = on_line a m, on_line c d; i1 = incenter a b m; "
      "i2 = incenter m n c; i3 = incenter n d a; h = orthocenter i1 i2 i3 ? coll h a m")


@pytest.mark.parametrize("step, loci", [
    ("circumcenter x a b c", [("on_bline x a b", "cong x a x b"),
                              ("on_bline x b c", "cong x b x c")]),
    ("orthocenter x a b c", [("on_tline x a b c", "perp x a b c"),
                             ("on_tline x b a c", "perp x b c a")]),
    ("incenter x a b c", [("angle_bisector x b a c", "eqangle a b a x a x a c"),
                          ("angle_bisector x a c b", "eqangle c a c x c x c b")]),
    ("foot x a b c", [("on_tline x a b c", "perp x a b c"), ("on_line x b c", "coll x b c")]),
    ("midpoint x a b", [("on_line x a b", "coll x a b"), ("on_bline x a b", "cong x a x b")]),
    ("mirror x a b", [("on_line x a b", "coll x a b"), ("on_circle x b a", "cong b a b x")]),
    ("intersection_lc x a o b", [("on_line x a b", "coll x a b"),
                                 ("on_circle x o b", "cong o b o x")]),
    ("eqdistance x a b c", None),  # one fact
    ("on_aline x a b c d e", None),  # an angle no locus construction states
    ("centroid x y z g a b c", None),  # four points
])
def test_a_named_construction_is_the_meet_of_the_loci_of_its_two_facts(step, loci):
    from symbolic.geometry.problem import Step
    from symbolic.geometry.restate import meet

    name, *args = step.split()
    found = meet(Step.of(name, *args))
    assert (None if found is None else [(str(k), str(f)) for k, f in found]) == loci


def test_every_meet_states_its_constructions_two_facts():
    """Over the whole definition table: each locus ``meet`` reads states its fact first (up
    to spelling), and the two facts are the construction's first premise group."""
    from symbolic.geometry.facts import Fact
    from symbolic.geometry.problem import Step
    from symbolic.geometry.restate import LOCI, meet
    from symbolic.geometry.tables import definitions

    found = 0
    for cons in definitions().values():
        got = meet(Step(cons, cons.args))
        if got is None:
            continue
        found += 1
        first = [Fact.make(a.pred, a.args) for a in cons.premise_groups[0]]
        assert [Fact.make(f.pred, f.args) for _, f in got] == first
        for locus, fact in got:
            assert locus.construction.name in LOCI
            stated = locus.premises[0]
            assert Fact.make(stated.pred, stated.args) == Fact.make(fact.pred, fact.args)
    assert found >= 10


def test_ddar_proves_the_orthocentre_restated_and_the_checker_accepts_it():
    problem = parse_problem(G8, name="2009G8")
    assert not prove(problem, ProverConfig(timeout=60)).proved
    found = restatements(problem)
    assert [(str(r.problem.clauses[r.index]), str(r.problem.goal)) for r in found] == [
        ("h = on_line h a m, on_tline h i1 i2 i3", "perp h i2 i3 i1"),
        ("h = on_line h a m, on_tline h i2 i1 i3", "perp h i1 i2 i3"),
    ]
    drawn = build_diagram(problem, np.random.default_rng(3))
    assert all(same_point(r, drawn.coords, np.random.default_rng(0)) for r in found)
    out = search(problem, [], SearchConfig(timeout=60))
    assert out.outcome.proved and out.auxiliary == ()
    assert out.stats["restated"].startswith(
        "h = on_line h a m, on_tline h i1 i2 i3 (the statement: h = orthocenter h i1 i2 i3); "
        "proved to satisfy perp h i2 i3 i1")
    doc = out.outcome.proof.document()
    assert check_document(doc).valid
    # the checker: the kept step must be a locus of one of the construction's two facts and
    # the goal proved the other
    original = doc["restated"]["original"]
    for tamper, error in [
        (lambda s: s.replace("on_tline h i1 i2 i3 ?", "on_tline h i3 i1 i2 ?"),
         "does not keep the locus of one fact"),
        (lambda s: s.replace("? perp h i2 i3 i1", "? perp h i3 i1 i2"),
         "does not keep the locus of one fact"),
    ]:
        bad = {**doc, "statement": tamper(doc["statement"])}
        report = check_document(bad)
        assert not report.valid and any(error in e for e in report.errors), report.errors
    assert original == parse_problem(G8).text()


def test_a_restatement_needs_both_loci_to_meet_at_the_point():
    """b, c and the incentre and excentre opposite a are concyclic. The excentre's facts are
    the incentre's (equal angles at a and at c), and the locus of the one at c, read as the
    internal bisector, meets the bisector at a at the incentre, not at the excentre: around
    the excentre, the restated point (where the circle meets the bisector at a) is the
    statement's, but the two loci do not meet there, and the restatement is not used."""
    for first, second, same in (("excenter", "incenter", True),
                                ("incenter", "excenter", False)):
        problem = parse_problem(f"a b c = triangle a b c; j = {first} j a b c; "
                                f"x = {second} x a b c ? cyclic b c j x", name=second)
        found = [r for r in restatements(problem)
                 if str(r.kept) == "angle_bisector x b a c"]
        assert len(found) == 1 and str(found[0].other) == "angle_bisector x a c b"
        drawn = build_diagram(problem, np.random.default_rng(1))
        assert same_point(found[0], drawn.coords, np.random.default_rng(0)) is same


def test_the_checker_asks_both_loci_to_meet_at_the_point_too():
    from symbolic.geometry.checker.check import _restatement

    for first, second, errors in (("excenter", "incenter", 0), ("incenter", "excenter", 1)):
        original = parse_problem(f"a b c = triangle a b c; j = {first} j a b c; "
                                 f"x = {second} x a b c ? cyclic b c j x")
        restated = parse_problem(f"a b c = triangle a b c; j = {first} j a b c; "
                                 f"x = on_circum x b c j, angle_bisector x b a c "
                                 f"? eqangle c a c x c x c b")
        found = _restatement({"original": original.text(), "point": "x"}, restated, "t", 0)
        assert len(found) == errors
        if errors:
            assert "angle_bisector x b a c, angle_bisector x a c b does not put x" in found[0]
