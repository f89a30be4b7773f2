"""The prover end to end: proofs are found, checked, printable; the checker rejects bad ones."""

import dataclasses
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from needs_aux import BISECTOR_FEET, INCENTRE, WITHOUT_SQUARED

from symbolic.geometry.errors import FalseGoalError
from symbolic.geometry.facts import Fact, Rules
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.predicates import PERP
from symbolic.geometry.problem import parse_problem, read_problems
from symbolic.geometry.proof import ProofCheckError, check_proof
from symbolic.geometry.prover import ProverConfig, prove

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / ".." / "shared" / "benchmarks" / "geometry" / "jgex_ag_231.txt"
ORTHO_AUX = ("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
             "e = on_line e a c, on_line e b d ? perp a d b c")
# Without the squared table, ORTHO_AUX's proof chases angles through its auxiliary point e
# (with it, one squared-length chase proves the goal without e).
CHASE = ProverConfig(ar_tables=WITHOUT_SQUARED)


def _diagram(problem, seed):
    return build_diagram(problem, np.random.default_rng(seed)).coords


def test_orthocenter_with_auxiliary_point_is_proved_and_readable():
    problem = parse_problem(ORTHO_AUX, name="orthocenter_aux")
    out = prove(problem, CHASE)
    assert out.proved and out.proof is not None
    text = out.proof.text()
    assert text.startswith("Goal: ad ⊥ bc")
    assert "Auxiliary points (not needed to state the goal): e" in text
    assert "=> ad ⊥ bc" in text.splitlines()[-1]
    steps = out.proof.to_json()
    ids = [s["id"] for s in steps]
    for s in steps:  # premises always refer to earlier lines
        assert all(ids.index(p) < ids.index(s["id"]) for p in s["premises"])
    assert steps[-1]["fact"] == "perp a d b c"


def test_orthocenter_without_the_auxiliary_point_needs_the_squared_table():
    problem = parse_problem("a b c = triangle a b c; h = on_tline h b a c, on_tline h c a b "
                            "? perp a h b c")
    out = prove(problem, CHASE)
    assert not out.proved and not out.timed_out and out.proof is None
    assert prove(problem).proved


def test_a_false_goal_is_an_error_not_a_search():
    problem = parse_problem("a b c = triangle a b c; d = midpoint d a b ? perp a b c d")
    with pytest.raises(FalseGoalError):
        prove(problem)


def test_checker_rejects_a_step_that_is_false_on_the_second_diagram():
    problem = parse_problem(ORTHO_AUX)
    out = prove(problem)
    proof = out.proof
    bad = dataclasses.replace(proof.steps[0], conclusion=Fact.make(PERP, ("a", "b", "a", "c")))
    tampered = dataclasses.replace(proof, steps=(bad,) + proof.steps[1:])
    with pytest.raises(ProofCheckError):
        check_proof(tampered, _diagram(problem, 5), out.diagram.coords)


def test_checker_rejects_a_wrong_linear_combination():
    problem = parse_problem(ORTHO_AUX)
    out = prove(problem, CHASE)
    i, step = next((i, s) for i, s in enumerate(out.proof.steps)
                   if s.derivation.rule == Rules.AR_ANGLE)
    cert = step.derivation.certificate
    src, eq, k = cert.terms[0]
    cert2 = dataclasses.replace(cert, terms=((src, eq, k + Fraction(1)),) + cert.terms[1:])
    d2 = dataclasses.replace(step.derivation, certificate=cert2)
    steps = list(out.proof.steps)
    steps[i] = dataclasses.replace(step, derivation=d2)
    with pytest.raises(ProofCheckError, match="linear combination"):
        check_proof(dataclasses.replace(out.proof, steps=tuple(steps)), _diagram(problem, 5),
                    out.diagram.coords)


def test_checker_rejects_a_rule_instance_that_does_not_match():
    problem = parse_problem(ORTHO_AUX)
    out = prove(problem, CHASE)
    i, step = next((i, s) for i, s in enumerate(out.proof.steps)
                   if s.derivation.is_table_rule)
    mapping = dict(step.derivation.mapping)
    first, second = sorted(mapping)[:2]
    mapping[first], mapping[second] = mapping[second], mapping[first]
    d2 = dataclasses.replace(step.derivation, mapping=tuple(sorted(mapping.items())))
    steps = list(out.proof.steps)
    steps[i] = dataclasses.replace(step, derivation=d2)
    with pytest.raises(ProofCheckError):
        check_proof(dataclasses.replace(out.proof, steps=tuple(steps)), _diagram(problem, 5),
                    out.diagram.coords)


def test_cooperative_timeout_stops_the_search():
    problem = parse_problem(ORTHO_AUX)  # its angle chase takes more than one round
    out = prove(problem, dataclasses.replace(CHASE, timeout=0.0))
    assert not out.proved


@pytest.mark.skipif(not BENCH.exists(),
                    reason="shared benchmark data absent (../shared/benchmarks)")
def test_benchmark_proofs_hold_on_a_third_diagram():
    """Every proof of the first 40 JGEX problems: each step holds on another diagram."""
    problems = [p for p in read_problems(BENCH)][:40]
    proved = 0
    for problem in problems:
        out = prove(problem, ProverConfig(timeout=30))
        if not out.proved:
            continue
        proved += 1
        check_proof(out.proof, _diagram(problem, 1234), out.diagram.coords)
    assert proved >= 34


def test_angle_constant_goal_is_proved_by_angle_chasing():
    problem = parse_problem("a b = segment a b; c = s_angle b a c 1pi/3, s_angle a b c -60o "
                            "? aconst c a c b 60")
    out = prove(problem)
    assert out.proved
    assert out.proof.steps[-1].derivation.rule == Rules.AR_ANGLE


def test_iso_trapezoid_parses_draws_and_proves(tmp_path):
    from symbolic.geometry.draw import draw

    for goal in ("para a b c d", "cong a d b c"):
        problem = parse_problem(f"a b c d = iso_trapezoid ? {goal}", "iso_trapezoid")
        out = prove(problem)
        assert out.proved and out.proof is not None
        # the goal is what the construction states (ab ∥ cd, legs ad = bc)
        assert [(str(f), c) for f, c in out.proof.given] == [(goal, "iso_trapezoid a b c d")]
        draw(problem, out.diagram, out.proof, str(tmp_path / "iso.svg"))
        assert "<path" in (tmp_path / "iso.svg").read_text()


@pytest.mark.parametrize("goal, proved_as", [("simtri a b c d b c", "simtri2"),
                                             ("contri a b c d b c", "contri2"),
                                             ("simtri2 a b c d b c", "simtri2")])
def test_a_similarity_goal_is_met_in_the_orientation_the_diagram_shows(goal, proved_as):
    # AG1 goal files state simtri/contri for either orientation (HAGeo's 2011CTSTp10 is
    # reflected); the proof states the orientation it proves
    problem = parse_problem(f"a b c = triangle a b c; d = reflect d a b c ? {goal}")
    out = prove(problem, ProverConfig(timeout=30))
    assert out.proved and out.proof.goal.pred.name == proved_as


def test_a_reflected_only_goal_is_still_false_on_a_same_orientation_pair():
    problem = parse_problem("a b c = triangle a b c; d = reflect d a b c ? simtri2 a b c a b c")
    with pytest.raises(FalseGoalError):
        prove(problem, ProverConfig(timeout=30))



def test_an_auxiliary_point_continues_from_the_parents_closure():
    from symbolic.geometry.errors import DiagramError

    problem = parse_problem(BISECTOR_FEET)
    parent = prove(problem, ProverConfig(timeout=30))
    assert not parent.proved and parent.closure is not None
    known = dict(parent.closure.state.facts)
    child = problem.with_auxiliary([problem.parse_clause(INCENTRE)])
    out = prove(child, ProverConfig(timeout=30), parent=parent)
    assert out.proved and out.incremental
    for p in problem.points:  # the parent's points stay where they were drawn
        assert np.array_equal(out.diagram.coords[p], parent.diagram.coords[p])
    assert parent.closure.state.facts == known  # children do not change their parent
    again = prove(child, ProverConfig(timeout=30), parent=parent)
    assert again.proved and again.proof.text() == out.proof.text()
    # one that cannot be drawn on the parent's diagram gets a few whole new drawings
    bad = problem.with_auxiliary([problem.parse_clause("x = on_line x a b, on_pline x c a b")])
    with pytest.raises(DiagramError, match="no diagram in 3 tries"):
        prove(bad, ProverConfig(timeout=30, redraw_tries=3), parent=parent)


def test_incremental_and_fresh_deduction_agree():
    # a candidate proves the goal whether DD+AR continues from the parent or starts over
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.heuristics import HeuristicProposer

    compared = 0
    for problem in read_problems(ROOT / "problems" / "geometry" / "examples.txt"):
        parent = prove(problem, ProverConfig(timeout=30))
        if parent.proved:
            continue
        for cand in HeuristicProposer().propose(problem, 15):
            child = problem.with_auxiliary(cand.clauses)
            try:
                inc = prove(child, ProverConfig(timeout=30), parent=parent)
                fresh = prove(child, ProverConfig(timeout=30))
            except GeometryError:
                continue
            assert inc.proved == fresh.proved, (problem.name, str(cand.clauses[0]))
            compared += 1
    assert compared >= 10


@pytest.mark.parametrize("text", [
    # an equilateral triangle is congruent to its own turn (JGEX E061-65 states one so)
    "a b c = ieq_triangle a b c ? contri a b c b c a",
    "a b c = ieq_triangle a b c ? contri a b c a c b",  # and to its own mirror image
])
def test_a_triangle_congruent_to_itself_under_another_correspondence(text):
    out = prove(parse_problem(text))
    assert out.proved and out.proof is not None
