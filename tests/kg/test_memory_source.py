"""The memory as a live proposal source: retrieval during the search, persistence, never a
problem's own answer."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rdflib")

from needs_aux import BISECTOR_FEET, BISECTOR_FEET_RENAMED  # noqa: E402

from kg.memory import Memory, MemoryProposer, record_solved  # noqa: E402
from reasoner.search import SearchConfig, search  # noqa: E402
from symbolic.geometry.heuristics import HeuristicProposer  # noqa: E402
from symbolic.geometry.numeric import build_diagram  # noqa: E402
from symbolic.geometry.problem import parse_problem  # noqa: E402
from symbolic.geometry.proof import check_proof  # noqa: E402

# bisector_feet_aux (conftest) without its auxiliary point, and the same figure renamed
STATEMENT, RENAMED = BISECTOR_FEET, BISECTOR_FEET_RENAMED


def test_memory_proposes_what_worked_on_a_similar_problem(solved):
    m = Memory()
    m.add(solved["bisector_feet_aux"].problem, solved["bisector_feet_aux"].proof)
    problem = parse_problem(RENAMED, name="renamed")
    source = MemoryProposer(m.snapshot())
    (cand,) = source.propose(problem, 5)
    assert cand.source == "memory" and cand.text() == "a = on_line a q s, on_line a p t"
    found = search(problem, [source], SearchConfig(timeout=60))
    assert found.outcome.proved and found.sources == ("memory",)
    coords = build_diagram(found.problem, np.random.default_rng(5)).coords
    check_proof(found.outcome.proof, coords, found.outcome.diagram.coords)


def test_never_a_problems_own_answer(solved):
    m = Memory()
    m.add(solved["bisector_feet_aux"].problem, solved["bisector_feet_aux"].proof)
    own = parse_problem(STATEMENT, name="other name, same statement")
    assert MemoryProposer(m.snapshot(), exclude=own).propose(own, 5) == []
    same_name = parse_problem(RENAMED, name="bisector_feet_aux")
    assert MemoryProposer(m.snapshot(), exclude=same_name).propose(same_name, 5) == []
    assert MemoryProposer(m.snapshot()).propose(own, 5)  # without the exclusion it would


def test_recorded_solutions_and_counts_are_read_beside_a_writer(tmp_path):
    path = tmp_path / "memory"
    problem = parse_problem(STATEMENT, name="feet")
    found = search(problem, [HeuristicProposer()], SearchConfig(timeout=60))
    assert found.outcome.proved and found.auxiliary
    record_solved(path, problem, found.outcome.proof, found.auxiliary, found.trials)
    record_solved(path, problem, None, (), {"heuristic:foot": (3, 0)})
    with Memory(path) as writer:  # holds the lock; readers still get in
        reader = MemoryProposer.open(path)
        with Memory(path, read_only=True) as m:
            counts = m.ranking_counts()
        assert len(writer.snapshot()) == 1
    (stored,) = reader.stored
    assert stored.problem.text().startswith(problem.text().split(" ? ")[0] + "; ")
    assert [stored.problem.clauses[i] for i in stored.auxiliary] == \
        [stored.problem.clauses[-1]]
    want = dict(found.trials)
    n, s = want.get("heuristic:foot", (0, 0))
    want["heuristic:foot"] = (n + 3, s)
    assert counts == want
    assert MemoryProposer.open(tmp_path / "missing").stored == []
