"""Auxiliary-construction search: proposals are only proposals, proofs are checked."""

import json

import numpy as np
from fixed_proposer import Fixed
from needs_aux import BISECTOR_FEET, ORTHOCENTER, WITHOUT_SQUARED
from rule_ablation import rules_used, without

from reasoner.cli import main
from reasoner.search import SearchConfig, search
from symbolic.geometry.heuristics import HeuristicProposer
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proof import check_proof
from symbolic.geometry.state import AR_TABLES, SINE


def test_heuristic_candidates_are_well_formed_statements():
    problem = parse_problem(ORTHOCENTER)
    cands = HeuristicProposer().propose(problem, 200)
    assert cands and problem.fresh_point() == "x"
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    for c in cands[:60]:  # one new point, or a transversal's several (x, y, ...)
        extended = problem.with_auxiliary(c.clauses)
        assert extended.points == problem.points + problem.fresh_points(len(c.clauses))
        assert extended.clauses[len(problem.clauses):] == problem.parse_clauses(
            c.text().split("; "))  # the text reads back


def test_search_finds_an_auxiliary_point_and_the_proof_checks():
    problem = parse_problem(BISECTOR_FEET, name="bisector_feet")
    found = search(problem, [HeuristicProposer()], SearchConfig(timeout=60))
    assert found.outcome.proved and found.auxiliary and found.tried >= 1
    assert "x" in found.outcome.proof.auxiliary_points
    coords = build_diagram(found.problem, np.random.default_rng(99)).coords
    check_proof(found.outcome.proof, coords, found.outcome.diagram.coords)


def test_bad_candidates_are_skipped_and_nothing_is_invented():
    problem = parse_problem(BISECTOR_FEET)
    found = search(problem, [Fixed("x = on_line x a a", "x = midpoint x a b")],
                   SearchConfig(timeout=30, depth=1, trajectory_depth=0))
    assert not found.outcome.proved and found.auxiliary == ()
    assert found.tried == 2


def test_cli_aux_reports_the_construction(capsys):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "p.txt"
        f.write_text("bisector_feet\n" + BISECTOR_FEET + "\n")
        code = main([str(f), "--aux", "--json", "--timeout", "60"])
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and row["status"] == "proved"
    assert row["auxiliary"] and row["auxiliary"][0].startswith("x = ")


def test_sources_are_made_only_when_dd_ar_saturates_without_the_goal():
    made: list[str] = []

    def sources():
        made.append("called")
        return [HeuristicProposer()]

    easy = parse_problem("a b c = triangle a b c; d = midpoint d a b ? coll a b d")
    found = search(easy, sources, SearchConfig(timeout=30))
    assert found.outcome.proved and made == []  # DD+AR proved it: no source was loaded

    found = search(parse_problem(BISECTOR_FEET), sources, SearchConfig(timeout=60))
    assert found.outcome.proved and found.auxiliary and made == ["called"]
    assert found.stats["sources_seconds"] >= 0.0


def test_a_proof_by_dd_ar_imports_no_torch():
    import subprocess
    import sys

    code = ("import sys; from reasoner.api import solve; "
            "r = solve('a b c = triangle a b c; d = midpoint d a b ? coll a b d'); "
            "assert r.status.value == 'proved', r; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_the_command_loads_no_store_library_without_a_store(tmp_path):
    # a problem proved from the shell with no --memory or --kg-store loads neither rdflib
    # (the knowledge graph) nor torch: both are start-up time a user would pay for nothing
    import subprocess
    import sys

    problem = tmp_path / "p.txt"
    problem.write_text("mid\na b c = triangle a b c; d = midpoint d a b ? coll a b d\n")
    code = ("import sys; from reasoner.cli import main; "
            f"rc = main([{str(problem)!r}, '--json']); "
            "print(rc, 'rdflib' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 False False"


def test_the_search_feeds_the_ar_tables_it_is_given():
    from symbolic.geometry.state import DEFAULT_AR_TABLES

    assert SearchConfig().prover(5.0).ar_tables == DEFAULT_AR_TABLES
    config = SearchConfig(timeout=30, ar_tables=WITHOUT_SQUARED)
    assert config.prover(5.0).ar_tables == WITHOUT_SQUARED
    problem = parse_problem(ORTHOCENTER, name="orthocenter")
    found = search(problem, [HeuristicProposer()], config)
    assert found.outcome.proved and found.auxiliary  # the squared table left out: a foot
    found = search(problem, [HeuristicProposer()], SearchConfig(timeout=30))
    assert found.outcome.proved and found.auxiliary == ()  # DD+AR alone, with the squared table


# The feet of two internal bisectors and of the third's external one are collinear
# (JGEX E076-31): Menelaus, which ratio chasing reaches through a parallel to a side.
EXTERNAL_BISECTOR = (
    "a b c = triangle a b c; d = angle_bisector d c b a, on_line d a c; "
    "e = angle_bisector e a c b, on_line e a b; f = on_line f d e, on_line f b c; "
    "g = on_line g a b ? eqangle a g a f a f a c")


def test_a_parallel_through_a_point_gives_menelaus():
    # DD+AR now proves this with Menelaus itself (r52); without r52 the search must find
    # the parallel that turns the transversal into similar triangles.
    problem = parse_problem(EXTERNAL_BISECTOR, name="external_bisector")
    direct = search(problem, [HeuristicProposer()],
                    SearchConfig(timeout=60, depth=1, trajectory_depth=0))
    assert direct.outcome.proved and direct.auxiliary == ()
    assert "r52" in rules_used(direct.outcome)
    # (nor the law of sines, which finds the ratios through the angles at the bisector)
    found = search(problem, [HeuristicProposer()],
                   SearchConfig(timeout=60, depth=1, trajectory_depth=0, rules=without("r52"),
                                ar_tables=AR_TABLES - {SINE}))
    assert found.outcome.proved
    assert len(found.auxiliary) == 1 and "on_pline" in found.auxiliary[0]


# Blanchet's theorem (JGEX E075-27f): the altitude's foot sees the cevians' feet at equal
# angles to the altitude. Ceva by ratio chasing: the parallel to ab through one point,
# with all four points where it meets the figure and the goal's lines, as one candidate.
BLANCHET = (
    "a b c = triangle a b c; d = foot d c a b; e = on_line e c d; "
    "f = on_line f b e, on_line f a c; g = on_line g a e, on_line g b c "
    "? eqangle d f d c d c d g")


def test_a_whole_transversal_gives_ceva():
    problem = parse_problem(BLANCHET, name="blanchet")
    found = search(problem, [HeuristicProposer()],
                   SearchConfig(timeout=90, depth=1, trajectory_depth=0))
    assert found.outcome.proved
    assert len(found.auxiliary) > 2 and all("on_pline" in c for c in found.auxiliary)
