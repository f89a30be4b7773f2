"""The domain registry: one place decides the domain of a file or a problem, maps each
engine's verdicts to statuses, and adds the domain's JSON fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from reasoner import api, domains
from reasoner.domains import geometry, sygus
from reasoner.result import Result, Status
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProofOutcome, Verdict
from symbolic.sygus.solver import Outcome
from symbolic.sygus.spec import read_spec

ROOT = Path(__file__).resolve().parents[2]
MAX2 = ROOT / "problems" / "sygus" / "max2.sl"
MIDLINE = "a b c = triangle a b c; m = midpoint m a b; n = midpoint n a c ? para m n b c"


def test_names_and_suffixes_are_unique():
    names = [d.name for d in domains.DOMAINS]
    assert sorted(names) == ["geometry", "sygus"] and len(set(names)) == len(names)
    assert len(set(domains.suffixes())) == len(domains.suffixes())
    assert domains.DEFAULT is domains.by_name("geometry")


def test_lookup_by_suffix_and_by_name():
    assert domains.by_suffix(".sl") is sygus.DOMAIN
    assert domains.by_suffix(".txt") is geometry.DOMAIN
    assert domains.by_suffix(".csv") is None
    with pytest.raises(KeyError, match="unknown domain 'chess'"):
        domains.by_name("chess")


def test_the_problem_object_decides_the_domain():
    assert domains.of_problem(MIDLINE) is geometry.DOMAIN
    assert domains.of_problem(parse_problem(MIDLINE)) is geometry.DOMAIN
    assert domains.of_problem(sygus.SygusSource(str(MAX2))) is sygus.DOMAIN
    assert domains.of_problem(read_spec(MAX2)) is sygus.DOMAIN


def test_every_engine_verdict_maps_to_one_of_its_domains_statuses():
    for verdict in Verdict:
        status = geometry.status_of(ProofOutcome(verdict, None, None))
        assert status in geometry.DOMAIN.statuses and status.value == verdict.value
    for outcome in Outcome:
        status = sygus.status_of(outcome)
        assert status in sygus.DOMAIN.statuses and status.value == outcome.value
    assert Status.ERROR in geometry.DOMAIN.statuses and Status.ERROR in sygus.DOMAIN.statuses
    assert set(Status) == {s for d in domains.DOMAINS for s in d.statuses}


def test_solve_dispatches_through_the_registry():
    proved = api.solve(MIDLINE, name="midline")
    assert (proved.domain, proved.status) == ("geometry", Status.PROVED)
    solved = api.solve(read_spec(MAX2), name="max2",
                       config=api.SolveConfig(timeout=30, sources=()))
    assert (solved.domain, solved.status) == ("sygus", Status.SOLVED)
    assert solved.solution and "(define-fun max2 " in solved.solution


def test_solve_file_reads_by_suffix(tmp_path):
    f = tmp_path / "two.txt"
    f.write_text(f"midline\n{MIDLINE}\nbroken\na b = nosuch a b ? coll a b a\n")
    results = api.solve_file(f, api.SolveConfig(aux=False))
    assert [(r.problem, r.status) for r in results] == [("midline", Status.PROVED),
                                                       ("broken", Status.ERROR)]
    (solved,) = api.solve_file(MAX2, api.SolveConfig(timeout=30, sources=()))
    assert (solved.problem, solved.domain, solved.status) == ("max2", "sygus", Status.SOLVED)


def test_an_unreadable_file_is_an_input_error(tmp_path):
    with pytest.raises(domains.InputError, match="cannot read"):
        geometry.read(tmp_path / "missing.txt")


def test_the_domain_adds_its_json_fields():
    result = Result("p", "f", "geometry", Status.PROVED, 1.0, steps=3, auxiliary=("x = m",),
                    stats={"auxiliary_sources": ["heuristic"],
                           "search": {"tried": 4, "frontier": 2, "depth": 1}})
    row = domains.by_name("geometry").to_json(result)
    assert row["auxiliary_sources"] == ["heuristic"]
    assert row["search"] == {"tried": 4, "depth": 1}  # only the documented search fields
    plain = Result("max2", "f.sl", "sygus", Status.SOLVED, 1.0, solution="(define-fun ...)")
    assert domains.by_name("sygus").to_json(plain) == plain.to_json()
