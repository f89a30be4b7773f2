"""solve-problem's auxiliary-search flags: --no-aux, --sources, --no-neural, --memory, and
the JSON fields of proofs with auxiliary points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from needs_aux import BISECTOR_FEET, BISECTOR_FEET_RENAMED

from reasoner.api import SolveConfig, proposers
from reasoner.cli import main, parse_args, solve_config
from reasoner.config import EVERY_ATTEMPT
from reasoner.domains import geometry
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proposal import Candidate


class FakeNeural:
    """Stands in for neural.proposer.NeuralProposer: proposes the incentre."""

    source = "neural"

    def propose(self, problem, k):
        d, e = problem.points[3:5]
        clause = problem.parse_clause(f"z = on_line z b {d}, on_line z a {e}")
        return [Candidate((clause,), -0.1, "neural")][:k]


@pytest.fixture
def fake_neural(monkeypatch):
    monkeypatch.setattr(geometry, "_NEURAL", {None: FakeNeural()})  # forked workers inherit it


def problem_file(tmp_path: Path, *pairs: tuple[str, str]) -> str:
    f = tmp_path / "p.txt"
    f.write_text("".join(f"{n}\n{t}\n" for n, t in pairs))
    return str(f)


def rows(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_no_aux_is_plain_ddar(capsys, tmp_path):
    f = problem_file(tmp_path, ("bisector_feet", BISECTOR_FEET))
    assert main([f, "--no-aux", "--json"]) == 1
    (row,) = rows(capsys)
    assert row["status"] == "unknown" and "auxiliary" not in row and "search" not in row


def test_search_is_on_by_default_and_json_names_the_sources(capsys, tmp_path):
    f = problem_file(tmp_path, ("bisector_feet", BISECTOR_FEET))
    assert main([f, "--json", "--timeout", "60"]) == 0
    (row,) = rows(capsys)
    assert row["status"] == "proved" and row["steps"] > 0
    assert len(row["auxiliary"]) == len(row["auxiliary_sources"]) == row["search"]["depth"]
    assert row["auxiliary_sources"] == ["heuristic"] * len(row["auxiliary"])
    assert row["search"]["tried"] >= 1
    assert main([f, "--aux", "--json", "--ranking"]) == 0  # --aux: deprecated, accepted
    assert rows(capsys)[0]["auxiliary"]


def test_neural_source_and_no_neural(capsys, tmp_path, fake_neural):
    f = problem_file(tmp_path, ("bisector_feet", BISECTOR_FEET))
    assert main([f, "--json", "--sources", "neural"]) == 0
    (row,) = rows(capsys)
    assert row["auxiliary"] == ["z = on_line z b d, on_line z a e"]
    assert row["auxiliary_sources"] == ["neural"]
    assert main([f, "--json", "--no-neural"]) == 0
    assert "neural" not in rows(capsys)[0]["auxiliary_sources"]
    problem = parse_problem(BISECTOR_FEET)
    names = [type(p).__name__ for p in proposers(problem, SolveConfig())]
    assert names == ["HeuristicProposer", "FakeNeural"]  # memory: no store given
    assert main([f, "--sources", "neural", "--no-neural"]) == 2
    assert "no source left" in capsys.readouterr().err


def test_bad_sources_are_usage_errors(capsys, tmp_path):
    f = problem_file(tmp_path, ("bisector_feet", BISECTOR_FEET))
    assert main([f, "--sources", "heuristic,oracle"]) == 2
    assert "unknown source 'oracle'" in capsys.readouterr().err
    assert main([f, "--depth", "0"]) == 2
    args = parse_args([f, "--sources", "memory, heuristic", "--depth", "3", "--beam", "4"])
    assert args.sources == ("memory", "heuristic") and args.depth == 3 and args.beam == 4
    assert solve_config(args).trajectory_model == 0.0  # off unless asked for
    assert solve_config(parse_args([f, "--trajectory-model", "0.25"])).trajectory_model == 0.25
    # the law of sines in attempts: none unless asked, then every attempt or those with at
    # most N points
    assert solve_config(args).attempt_sines == 0
    assert solve_config(parse_args([f, "--attempt-sines"])).attempt_sines == EVERY_ATTEMPT
    assert solve_config(parse_args([f, "--attempt-sines", "1"])).attempt_sines == 1


def test_memory_carries_solutions_to_later_problems_never_their_own(capsys, tmp_path):
    memory = str(tmp_path / "mem")
    first = problem_file(tmp_path, ("bisector_feet", BISECTOR_FEET))
    assert main([first, "--json", "--sources", "heuristic", "--memory", memory]) == 0
    assert rows(capsys)[0]["status"] == "proved"
    # the same problem again with only the memory: its own answer is not offered
    assert main([first, "--json", "--sources", "memory", "--memory", memory]) == 1
    assert rows(capsys)[0]["status"] == "unknown"
    other = tmp_path / "other.txt"
    other.write_text(f"renamed\n{BISECTOR_FEET_RENAMED}\n")
    assert main([str(other), "--json", "--sources", "memory", "--memory", memory]) == 0
    (row,) = rows(capsys)
    assert row["status"] == "proved" and row["auxiliary_sources"] == ["memory"]


def test_help_explains_the_search(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--no-aux", "--sources", "--no-neural", "--memory", "--depth", "--beam",
                 "--ranking", "auxiliary_sources"):
        assert flag in out


def test_kg_export_records_the_auxiliary_clauses_the_proof_needed(capsys, tmp_path):
    rdflib = pytest.importorskip("rdflib")
    f = problem_file(tmp_path, ("bisector_feet", BISECTOR_FEET))
    out_ttl = tmp_path / "kg.ttl"
    assert main([f, "--kg", str(out_ttl), "--json"]) == 0
    (row,) = rows(capsys)
    g = rdflib.Graph().parse(out_ttl, format="turtle")
    (text,) = [str(r.t) for r in g.query(
        "PREFIX ns: <urn:neurosym:kg#> SELECT ?t WHERE { ?p a ns:Problem ; ns:text ?t ; "
        "ns:auxiliary ?c }")]
    assert row["auxiliary"][0] in text
