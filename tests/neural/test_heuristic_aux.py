"""The generator's heuristic mode: auxiliary constructions from the heuristic source's candidates
(``neural.heuristic_aux``, ``neural.data --aux heuristic``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neural.data import DataConfig, Search, check_example, generate, main
from neural.heuristic_aux import heuristic_attempt
from symbolic.geometry.problem import make_problem, parse_problem
from symbolic.geometry.prover import ProverConfig, prove

HEURISTIC = DataConfig(aux="heuristic")
# the constructions of the heuristic source's candidates (``HeuristicProposer``)
HEURISTIC_STEPS = {"midpoint", "on_line", "foot", "circle", "reflect", "angle_bisector",
                   "mirror", "on_pline", "on_circle", "on_circum"}


@pytest.fixture(scope="module")
def examples():
    # seed 1 finds its first examples after about 30 statements (a few CPU seconds)
    return list(generate(3, np.random.default_rng(1), HEURISTIC, max_attempts=200))


def test_examples_need_their_auxiliary_construction(examples):
    assert len(examples) == 3
    for ex in examples:
        statement = parse_problem(f"{'; '.join(ex.statement)} ? {ex.goal}")
        aux = statement.parse_clauses(list(ex.auxiliary))
        # the checked proof replays with the auxiliary clauses, and DD+AR fails without
        assert check_example(statement, aux, 0, DataConfig()) is not None
        bare = prove(statement, ProverConfig(seed=3, timeout=6.0))
        assert not bare.proved
        full = parse_problem(ex.problem)
        assert [str(c) for c in full.clauses] == list(ex.statement) + list(ex.auxiliary)


def test_the_auxiliary_clauses_include_a_heuristic_construction(examples):
    for ex in examples:
        steps = [{part.split()[0] for part in clause.split("=", 1)[1].split(",")}
                 for clause in ex.auxiliary]
        assert any(s <= HEURISTIC_STEPS for s in steps), ex.auxiliary


def test_deterministic_for_a_seed(examples):
    again = list(generate(3, np.random.default_rng(1), HEURISTIC, max_attempts=200))
    assert [e.problem for e in again] == [e.problem for e in examples]


def test_a_statement_its_closure_settles_gives_nothing():
    # a bare triangle shows nothing numerically that its closure leaves open
    problem = make_problem("t", parse_problem("a b c = triangle a b c ? coll a b c").clauses[:1],
                           parse_problem("a b c = triangle a b c ? coll a b c").goal)
    out = heuristic_attempt(np.random.default_rng(0), HEURISTIC, None, problem.clauses, set())
    assert out.found == []


def test_checked_texts_are_not_checked_again(monkeypatch):
    import neural.examples as e

    first = Search(np.random.default_rng(1), HEURISTIC)
    found = []
    while not found and first.attempts < 200:
        found += first.step()
    assert found
    # the same statements again with every text checked then known: none is checked twice
    checked = []
    real = e.check_example
    monkeypatch.setattr(e, "check_example",
                        lambda st, aux, *a: checked.append(e.spelled(st.clauses, aux, st.goal))
                        or real(st, aux, *a))
    again = Search(np.random.default_rng(1), HEURISTIC, known=set(first.known))
    for _ in range(first.attempts):
        again.step()
    assert checked and not set(checked) & first.known


def test_shards_resume_to_the_same_data(tmp_path):
    """Seed 1's first productive statement gives 7 examples: a run stopped at 1 keeps 6 in
    its state, and resumed to 3 cuts them into shards of 2 like a run never stopped."""
    from neural.shards import config_key, write_shards

    key = config_key(HEURISTIC, 1, 0, 1)

    def make():
        return Search(np.random.default_rng(1), HEURISTIC)

    def shards(d):
        return [p.read_text() for p in sorted(d.glob("shard-*.jsonl"))]

    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert write_shards(whole, 3, 2, key, make) == 3
    assert write_shards(resumed, 1, 2, key, make) == 1  # stopped at a count
    assert write_shards(resumed, 3, 2, key, make) == 3
    assert shards(resumed) == shards(whole)


def test_no_parents_are_kept():
    search = Search(np.random.default_rng(1), HEURISTIC)
    while search.attempts < 60:
        search.step()
    assert search.seen and not search.parents


def test_unknown_aux_source_is_refused():
    with pytest.raises(ValueError, match="aux must be"):
        DataConfig(aux="neural")


def test_cli_heuristic_mode(tmp_path):
    out = tmp_path / "h.jsonl"
    assert main(["--count", "2", "--seed", "1", "--aux", "heuristic", "--out", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 2 and all(r["auxiliary"] for r in rows)
    assert main(["--count", "2", "--aux", "heuristic", "--parents", str(out),
                 "--out", str(out)]) == 2
    assert main(["--count", "2", "--aux", "heuristic", "--aux-candidates", "0",
                 "--out", str(out)]) == 2
    assert main(["--count", "2", "--aux", "heuristic", "--similar-only", "1.5",
                 "--out", str(out)]) == 2


def _facts(*texts):
    from symbolic.geometry.facts import Fact
    from symbolic.geometry.predicates import PREDICATES

    return [Fact.make(PREDICATES[t.split()[0]], tuple(t.split()[1:])) for t in texts]


def test_the_goal_kind_is_drawn_before_the_fact():
    from neural.heuristic_aux import _target

    similar = [f"simtri a b c d e {x}" for x in "fghijklmnopqrstuvw"]
    open_facts = _facts(*similar, "simtri2 a b c d f e", "eqangle a b a c d e d f")
    rng = np.random.default_rng(0)
    drawn = [_target(open_facts, rng).pred.name for _ in range(2000)]
    # two kinds open: the one equal angle is drawn about half the time, not 1 in 20
    assert 900 < drawn.count("eqangle") < 1100


class _Closure:
    """Proves the facts it is given (``ProofState.derive_fact``), and counts the asks."""

    def __init__(self, proved=()):
        self.proved, self.asked = set(proved), []

    def derive_fact(self, fact):
        self.asked.append(fact)
        return fact if fact in self.proved else None


def test_statements_with_only_similar_triangles_open_are_mostly_skipped():
    from neural.heuristic_aux import _open_facts

    similar = _facts("simtri a b c d e f", "simtri2 a b c d f e")
    shown = similar + _facts("para a b c d")
    rng = np.random.default_rng(0)
    closure = _Closure(proved=shown[2:])  # the parallel is proved: only similar ones open
    assert all(_open_facts(shown, closure, rng, 0.0) == [] for _ in range(100))
    assert set(closure.asked) == set(shown[2:])  # the similar pairs were never asked
    assert all(_open_facts(shown, closure, rng, 1.0) == similar for _ in range(100))
    kept = sum(bool(_open_facts(shown, closure, rng, 0.1)) for _ in range(2000))
    assert 140 < kept < 260
    # with anything else open, the similar pairs are open goals too
    assert _open_facts(shown, _Closure(), rng, 0.0) == shown[2:] + similar


def test_a_candidates_goals_are_checked_kinds_in_turn():
    from neural.heuristic_aux import _by_kind

    angles = [f"eqangle a b a c d e d {x}" for x in "fghijklm"]
    goals = _facts(*angles, "cyclic a b c d", "perp a b c d", "simtri2 a b c d f e")
    rng = np.random.default_rng(0)
    for _ in range(20):
        order = _by_kind(goals, rng)
        assert sorted(map(str, order)) == sorted(map(str, goals))
        # four kinds take turns: the first four are one of each, one equal angle among them
        # (drawn at random, the eight equal angles would fill most of them)
        assert sum(f.pred.name == "eqangle" for f in order[:4]) == 1
