"""Learned SyGuS guidance: the split, the proposer protocol, the shipped weights and an end to
end solve with the learned and Bayesian proposers."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from neural.sygus.features import describe, labels, parse_solution, usage
from neural.sygus.model import WEIGHTS, ChecksumError, load
from neural.sygus.proposer import BayesProposer, LearnedProposer
from neural.sygus.splits import TRAIN_PERCENT, split_files, split_of, track_files
from reasoner.interfaces import PartialSolution
from symbolic.sygus.cegis import TaskSearch
from symbolic.sygus.defaults import grammar_of
from symbolic.sygus.pcfg import UniformProposer
from symbolic.sygus.solver import Outcome, SynthConfig, recheck, synthesize
from symbolic.sygus.spec import read_spec
from symbolic.sygus.tasks import split_tasks

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "problems" / "sygus").glob("*.sl"))


@pytest.fixture(scope="module")
def model():
    return load()


def test_split_is_a_pure_function_of_the_relative_path(tmp_path):
    names = [f"T{t}/f{i}.sl" for t in range(2) for i in range(200)]
    first = [split_of(n) for n in names]
    assert first == [split_of(n) for n in reversed(names)][::-1]
    assert split_of("General_Track/a.sl") == split_of("General_Track\\a.sl")
    share = first.count("train") / len(first)
    assert abs(share - TRAIN_PERCENT / 100) < 0.08
    for n in names[:60]:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_text("")
    train, dev = split_files(tmp_path, "train"), split_files(tmp_path, "dev")
    files = track_files(tmp_path)
    for t in files:
        assert sorted(train[t] + dev[t]) == files[t] and not set(train[t]) & set(dev[t])
    assert split_files(tmp_path, "dev", 5) == split_files(tmp_path, "dev", 5)
    assert all(len(v) <= 5 and set(v) <= set(dev[t])
               for t, v in split_files(tmp_path, "dev", 5).items())


class Recorder(UniformProposer):
    def __init__(self):
        self.seen = []

    def prepare(self, spec, fun, grammar):
        self.seen.append((fun.name, grammar))


def test_uniform_guidance_unchanged_and_hook_optional():
    spec = read_spec(ROOT / "problems" / "sygus" / "max2.sl")
    task = split_tasks(spec)[0]
    plain = TaskSearch(task, spec, math.inf)
    assert not hasattr(plain.proposer, "prepare")
    assert {p.cost for p in plain._productions()} == {1}
    rec = Recorder()
    hooked = TaskSearch(task, spec, math.inf, rec)
    assert rec.seen == [("max2", hooked.grammar)]
    assert [p.cost for p in hooked._productions()] == [p.cost for p in plain._productions()]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_learned_distribution_is_valid_for_every_nonterminal(path, model):
    spec = read_spec(path)
    for fun in spec.funs:
        grammar = grammar_of(fun, spec)
        prop = LearnedProposer(model)
        prop.prepare(spec, fun, grammar)
        dist = prop.distribution()
        rules = {nt.name: len(nt.rules) for nt in grammar.nonterminals}
        assert set(dist) == {(nt, i) for nt, n in rules.items() for i in range(n)}
        for nt in rules:
            ps = [p for (n, _), p in dist.items() if n == nt]
            assert all(0 < p <= 1 for p in ps) and math.isclose(sum(ps), 1.0)
        probs = prop.probabilities(rules)
        costs = [max(1, round(-math.log2(p))) for p in probs.values()]
        assert min(costs) == 1 and max(costs) <= prop.max_cost


def test_unprepared_learned_proposer_is_uniform(model):
    probs = LearnedProposer(model).probabilities({"S": 3, "B": 2})
    assert set(probs.values()) == {0.5}


def test_shipped_weights_load_and_checksum_is_enforced(tmp_path, model):
    assert model.keys[-1] == "<unk>" and len(model.b) == len(model.keys)
    assert model.E.shape[0] == len(model.keys) and model.M.shape[1] == len(model.features)
    bad = tmp_path / WEIGHTS.name
    shutil.copy(WEIGHTS, bad)
    shutil.copy(WEIGHTS.with_name(WEIGHTS.name + ".sha256"), tmp_path)
    assert load(bad).keys == model.keys
    bad.write_text(bad.read_text().replace('"b":[', '"b":[1.0,', 1))
    with pytest.raises(ChecksumError):
        load(bad)


def test_solution_usage_labels_productions():
    spec = read_spec(ROOT / "problems" / "sygus" / "max2.sl")
    body = parse_solution(spec, "(\n(define-fun max2 ((x Int) (y Int)) Int "
                                "(ite (<= x y) y x))\n)")["max2"]
    prods = describe(grammar_of(spec.funs[0], spec))
    ys = labels(prods, usage([body]))
    by_name = {prods[r].name or prods[r].kind: y for r, y in ys.items()}
    assert by_name["ite"] == by_name["<="] == by_name["x"] == by_name["y"] == 1.0
    assert by_name["+"] == by_name["anyconst"] == by_name["and"] == 0.0


def test_bayes_posterior_moves_towards_partial_solutions(model):
    spec = read_spec(ROOT / "problems" / "sygus" / "bv_pbe.sl")
    fun = spec.funs[0]
    prop = BayesProposer(model, kappa=2.0)
    prop.prepare(spec, fun, grammar_of(fun, spec))
    before = prop.posterior_mean()
    used = (("Start", 9), ("Start", 2))
    prop.update([PartialSolution(used, 0.75)] * 4)
    after = prop.posterior_mean()
    assert all(after[r] > before[r] for r in used)
    assert all(after[r] < before[r] for r in before if r not in used)
    assert prop.update([]) is False


@pytest.mark.parametrize("make", [LearnedProposer, BayesProposer], ids=["learned", "bayes"])
def test_end_to_end_solve_with_learned_guidance(make, model):
    spec = read_spec(ROOT / "problems" / "sygus" / "bv_pbe.sl")
    result = synthesize(spec, SynthConfig(timeout=20, proposer=make(model)))
    assert result.outcome is Outcome.SOLVED
    assert recheck(spec, result.functions, SynthConfig()) is None


def _named(split: str) -> str:
    return next(n for n in (f"T/p{i}.sl" for i in range(100)) if split_of(n) == split)


def test_training_reads_only_train_files_and_fits(tmp_path):
    import json

    from neural.sygus.train import examples, fit, score

    answer = "(\n(define-fun max2 ((x Int) (y Int)) Int (ite (<= x y) y x))\n)"
    src = (ROOT / "problems" / "sygus" / "max2.sl").read_text()
    data = tmp_path / "h.jsonl"
    for split in ("train", "dev"):
        rel = _named(split)
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(src)
        data.write_text(json.dumps({"file": rel, "solution": answer}) + "\n")
        if split == "dev":
            with pytest.raises(ValueError):
                examples(data, tmp_path)
        else:
            exs = examples(data, tmp_path) * 2
            assert len(exs) == 2 and {y for _, _, y in exs[0]["rows"]} == {0.0, 1.0}
            model = fit(exs, epochs=60, seed=0)
            assert score(model, exs) < math.log(2)  # better than a coin
