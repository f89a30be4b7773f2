"""The figure as data: which elements a fact speaks of, hidden lines of proof facts, the ids
in the drawn SVG."""

from __future__ import annotations

import re

import numpy as np
import pytest

from symbolic.geometry.draw import svg_text
from symbolic.geometry.facts import Fact
from symbolic.geometry.figure import build_figure
from symbolic.geometry.loci import cross
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.predicates import COLL, CONG, CYCLIC, EQANGLE, PERP
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove

ORTHOCENTER_AUX = ("a b c = triangle; d = on_tline d b a c, on_tline d c a b; "
                   "e = on_line e a c, on_line e b d ? perp a d b c")


@pytest.fixture(scope="module")
def proved():
    problem = parse_problem(ORTHOCENTER_AUX, "orthocenter_aux")
    outcome = prove(problem, ProverConfig(seed=0))
    assert outcome.proved
    return problem, outcome, build_figure(problem, outcome.diagram, outcome.proof)


def _line(figure, *points):
    return next(ln for ln in figure.lines if set(points) <= set(ln.points))


def test_a_fact_speaks_of_its_points_lines_and_circles(proved) -> None:
    _, _, figure = proved
    ids = figure.objects(PERP, ("a", "d", "b", "c"))
    assert ids[:-1] == (*(figure.point_id(p) for p in "adbc"), _line(figure, "a", "d").id,
                        _line(figure, "b", "c").id)
    (right,) = [a for a in figure.angles if a.id == ids[-1]]  # and the right angle
    assert abs(right.sweep - 90) < 1e-6
    coll = figure.objects(COLL, ("a", "c", "e"))
    assert _line(figure, "a", "c", "e").id in coll and len(coll) == 4
    assert figure.objects(CONG, ("a", "b", "a", "c"))[-2:] == (_line(figure, "a", "b").id,
                                                                _line(figure, "a", "c").id)


def test_the_goal_and_auxiliary_points(proved) -> None:
    problem, outcome, figure = proved
    assert set(figure.goal) == set(figure.objects(PERP, ("a", "d", "b", "c")))
    assert figure.auxiliary == outcome.proof.auxiliary_points == ("e",)
    assert figure.clauses[-1] == ("e = on_line e a c, on_line e b d", True)
    assert [aux for _, aux in figure.clauses[:-1]] == [False, False]
    assert figure.goal_text == "ad ⊥ bc"


def test_lines_only_the_proof_speaks_of_are_hidden(proved) -> None:
    problem, outcome, figure = proved
    bare = build_figure(problem, outcome.diagram)
    shown = {frozenset(ln.points) for ln in bare.lines if ln.shown}
    assert {frozenset(ln.points) for ln in figure.lines if ln.shown} == shown
    # every segment of every proof fact lies on some line of the figure
    for f in [f for f, _ in outcome.proof.given] + [s.conclusion for s in outcome.proof.steps]:
        segs, _ = f.pred.drawn(f.points)
        assert all(any(set(s) <= set(ln.points) for ln in figure.lines) for s in segs), f


def _on(vertex, segment, xy) -> bool:
    a, b = (np.array(xy[p]) for p in segment)
    return abs(cross(b - a, np.array(vertex) - a)) < 1e-6 * (1 + float(np.dot(b - a, b - a)))


def test_an_angle_is_drawn_where_its_lines_cross(proved) -> None:
    problem, outcome, figure = proved
    xy = dict(figure.points)
    for f in [s.conclusion for s in outcome.proof.steps if s.conclusion.pred is EQANGLE]:
        ids = figure.objects(f.pred, f.args)
        arcs = [a for a in figure.angles if a.id in ids]
        assert 1 <= len(arcs) <= 2, f
        pairs = f.pred.drawn_angles(f.points)
        for arc in arcs:  # its vertex lies on both lines of one of the fact's angles
            assert any(_on(arc.vertex, first, xy) and _on(arc.vertex, second, xy)
                       for first, second in pairs), f
        # the two angles of an equality sweep the same (directed, mod 180) amount
        if len(arcs) == 2:
            assert abs(arcs[0].sweep - arcs[1].sweep) < 1e-6, f


def test_circles_are_found_by_their_points() -> None:
    problem = parse_problem("a b c = triangle; o = circle o a b c; d = on_circle d o a "
                            "? cyclic a b c d", "circle")
    diagram = build_diagram(problem, np.random.default_rng(0))
    figure = build_figure(problem, diagram)
    (circle,) = figure.circles
    assert circle.shown and figure.objects(CYCLIC, ("a", "b", "c", "d"))[-1] == circle.id
    assert circle.id in figure.goal
    # a circle through three other points is not this one
    assert not any(i.startswith("c") for i in figure.objects(CYCLIC, ("a", "b", "o", "d")))


def test_the_svg_carries_every_id(proved) -> None:
    _, outcome, figure = proved
    svg = svg_text(figure)
    assert svg.startswith("<svg") and "<metadata" not in svg and "<?xml" not in svg
    ids = set(re.findall(r'<g id="([^"]+)"', svg))
    wanted = {ln.id for ln in figure.lines} | {c.id for c in figure.circles}
    wanted |= {a.id for a in figure.angles}
    wanted |= {f"p{i}" for i in range(len(figure.points))}
    wanted |= {f"p{i}-label" for i in range(len(figure.points))}
    assert wanted <= ids
    assert re.search(r'<text [^>]*>e</text>', svg)  # labels stay text
    fact = Fact.make(PERP, ("a", "d", "b", "c"))
    assert set(figure.objects(fact.pred, fact.args)) <= ids
