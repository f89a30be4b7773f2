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
from symbolic.sygus.cegis import TaskSearch
from symbolic.sygus.defaults import grammar_of
from symbolic.sygus.pcfg import PartialSolution, UniformProposer
from symbolic.sygus.solver import Outcome, SynthConfig, recheck, synthesize
from symbolic.sygus.spec import read_spec
from symbolic.sygus.tasks import split_tasks

ROOT = Path(__file__).resolve().parents[3]
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


def test_uniform_guidance_unchanged_and_prepare_called_once_per_function():
    spec = read_spec(ROOT / "problems" / "sygus" / "max2.sl")
    task = split_tasks(spec)[0]
    plain = TaskSearch(task, spec, math.inf)
    assert isinstance(plain.proposer, UniformProposer)
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


def test_our_engine_harvests_train_files_only_and_trains_with_cvc5_records(tmp_path):
    import json

    from neural.sygus.harvest import harvest
    from neural.sygus.train import examples

    src = (ROOT / "problems" / "sygus" / "max2.sl").read_text()
    for split in ("train", "dev"):
        rel = tmp_path / _named(split)
        rel.parent.mkdir(exist_ok=True)
        rel.write_text(src)
    ours = tmp_path / "ours.jsonl"
    assert harvest(tmp_path, ours, per_track=5, timeout=20, jobs=1, engine="neurosym") == {"T": 1}
    rec = json.loads(ours.read_text())
    assert rec["file"] == _named("train") and rec["engine"] == "neurosym"
    assert "(define-fun max2" in rec["solution"]
    other = tmp_path / "cvc5.jsonl"
    other.write_text(json.dumps({"file": rec["file"], "engine": "cvc5", "solution":
                                 "((define-fun max2 ((x Int) (y Int)) Int (ite (<= x y) y x)))"})
                     + "\n")
    exs = examples([ours, other], tmp_path)
    assert len(exs) == 2 and all(ex["file"] == rec["file"] for ex in exs)
    with pytest.raises(ValueError):
        harvest(tmp_path, ours, per_track=5, timeout=1, jobs=1, engine="z3")


def test_guidance_bench_configurations_name_weights_files(monkeypatch, tmp_path):
    import importlib.util
    import sys

    monkeypatch.setattr(sys, "path", list(sys.path))  # the bench adds bench/ to the path
    spec = importlib.util.spec_from_file_location("sygus_guidance_bench",
                                                  ROOT / "bench" / "sygus_guidance.py")
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "sygus_guidance_bench", bench)
    had_sygus = "sygus" in sys.modules
    try:
        spec.loader.exec_module(bench)
    finally:
        if not had_sygus:
            sys.modules.pop("sygus", None)  # bench/sygus.py, imported by the bench
    assert bench._label("learned:/x/y/new.json") == "learned:new"
    assert bench._label("uniform") == "uniform"
    assert bench.main(["--configs", "uniform,fancy"]) == 2
    assert bench.main(["--configs", "uniform:a.json"]) == 2
    assert isinstance(bench.make_proposer("learned:whatever.json", load()), LearnedProposer)
    # an answer `infeasible` is put to cvc5's synthesizer: it agrees, or refutes it
    conflict = tmp_path / "conflict.sl"
    conflict.write_text("(set-logic LIA)\n(synth-fun f ((x Int)) Int)\n"
                        "(constraint (= (f 1) 2))\n(constraint (= (f 1) 3))\n(check-synth)\n")
    assert bench.infeasible_check(str(conflict)) == "infeasible"
    assert bench.infeasible_check(str(ROOT / "problems" / "sygus" / "max2.sl")) == "sat"
    assert bench.infeasible_check(str(tmp_path / "missing.sl")) == "unknown"


def test_shipped_weights_record_the_shipped_training_data():
    import hashlib
    import json

    from neural.sygus.train import _read_all

    data = WEIGHTS.with_name("sygus_guidance.harvest.jsonl.gz")
    text = _read_all(data)
    assert hashlib.sha256(text.encode()).hexdigest() == load().meta["data_sha256"]
    assert all(split_of(json.loads(line)["file"]) == "train"
               for line in text.splitlines())
