"""Ranking groups (``neural.groups``): heuristic candidates labelled by DD+AR, and the listwise
ranking loss ``neural.train --groups`` learns them with."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from neural import groups  # noqa: E402
from neural.model import ConstructionLM, ModelConfig  # noqa: E402
from neural.proposer import NeuralProposer, load  # noqa: E402
from neural.ranker import ModelRanker  # noqa: E402
from neural.tokenizer import ConstructionTokenizer  # noqa: E402
from neural.train import main as train_main  # noqa: E402
from symbolic.geometry.problem import parse_problem  # noqa: E402
from symbolic.geometry.proposal import Candidate  # noqa: E402

TOK = ConstructionTokenizer()
# the point where the bisector of AB meets the angle bisector at C lies on the circumcircle:
# DD+AR needs an auxiliary point; a few of the heuristic candidates give one
STATEMENT = ["a b c = triangle a b c", "d = incenter d a b c",
             "e = on_bline e a b, on_line e c d"]


def _example(name: str, goal: str, statement=STATEMENT, aux=("f = midpoint f a b",)) -> dict:
    """An example row as ``neural.data`` writes it: the problem text holds the auxiliary
    clauses too."""
    return {"name": name, "statement": list(statement), "auxiliary": list(aux), "goal": goal,
            "problem": "; ".join([*statement, *aux]) + " ? " + goal, "split": "train"}


INCENTER = _example("syn_incenter", "cyclic a b c e")


@pytest.fixture(scope="module")
def incenter_group():
    return groups.label(INCENTER, 32)


def test_a_group_labels_each_candidate_by_whether_ddar_then_proves_the_goal(incenter_group):
    g = incenter_group
    assert g is not None and len(g["candidates"]) == len(g["labels"]) == 32
    assert True in g["labels"] and False in g["labels"]
    problem = parse_problem(g["problem"])
    assert [str(c) for c in problem.clauses] == STATEMENT  # the auxiliary clause left out
    for texts in g["candidates"]:
        problem.parse_clauses(texts)  # every candidate reads back
    assert groups.label(INCENTER, 32) == g  # deterministic


def test_a_goal_ddar_proves_alone_gives_no_group():
    row = _example("mid", "para d e b c", ["a b c = triangle a b c", "d = midpoint d a b",
                                           "e = midpoint e a c"])
    assert groups.label(row, 8) is None


def _tiny(seed: int = 0) -> NeuralProposer:
    torch.manual_seed(seed)
    model = ConstructionLM(ModelConfig(len(TOK), d_model=32, n_layers=2, n_heads=4, d_ff=64,
                                       max_len=256, dropout=0.0))
    return NeuralProposer(model.eval(), TOK)


def test_rank_groups_keep_labelled_candidates_and_need_both_kinds(incenter_group):
    rows = [incenter_group,
            {**incenter_group, "labels": [True] * 32},  # nothing to rank against
            {**incenter_group, "labels": [None] + [False] * 31}]  # nothing that works
    ranked = groups.rank_groups(rows, TOK, 256)
    assert len(ranked) == 1
    (g,) = ranked
    kept = [ok for ok in incenter_group["labels"] if ok is not None]
    assert list(g.labels) == kept and len(g.items) == len(kept)
    assert g.split == groups.split_of(INCENTER["statement"])


def test_held_back_share_is_about_the_permille():
    statements = [["a b c = triangle a b c", f"d = midpoint d a {i}"] for i in range(4000)]
    share = sum(groups.split_of(s) == "eval" for s in statements) / len(statements)
    assert 0.035 < share < 0.065


def test_scores_are_the_rankers_log_probabilities(incenter_group):
    proposer = _tiny()
    problem = parse_problem(incenter_group["problem"])
    texts = [t for t, ok in zip(incenter_group["candidates"], incenter_group["labels"])
             if ok is not None]
    # a candidate of two clauses: the second read after the first
    texts.append(["x = midpoint x a b", "y = foot y c a x"])
    row = {**incenter_group, "candidates": texts, "labels": [True] + [False] * (len(texts) - 1)}
    (g,) = groups.rank_groups([row], TOK, 256)
    with torch.no_grad():
        (s,) = groups.scores(proposer.model, [g], TOK.pad_id, "cpu")
    cands = [Candidate(problem.parse_clauses(t), 0.0, "heuristic") for t in texts]
    want = ModelRanker(proposer).score(problem, cands)
    assert s.tolist() == pytest.approx(want, abs=1e-4)


def test_the_ranking_loss_lifts_the_working_candidates(incenter_group):
    proposer = _tiny(1)
    model = proposer.model.train()
    (g,) = groups.rank_groups([incenter_group], TOK, 256)
    before = groups.rank_metrics(model, [g], TOK.pad_id, "cpu")
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss = groups.rank_loss(model, [g], TOK.pad_id, "cpu")
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    after = groups.rank_metrics(model, [g], TOK.pad_id, "cpu")
    assert losses[-1] < 0.5 * losses[0]
    assert after["model_first"] == 1.0 and after["model_place"] == 0.0
    assert before["heuristic_place"] == after["heuristic_place"] == g.labels.index(True)


def test_measures_leave_the_model_in_its_mode_and_score_without_dropout(incenter_group):
    """A measure taken on a loaded (eval-mode) model must not turn its dropout on for what
    is scored after it (a ranker measured after ``rank_metrics`` once was), and one taken in
    the middle of training leaves it training."""
    from neural.train import TrainSequence, evaluate

    torch.manual_seed(0)
    model = ConstructionLM(ModelConfig(len(TOK), d_model=32, n_layers=2, n_heads=4, d_ff=64,
                                       max_len=256, dropout=0.5)).eval()
    (g,) = groups.rank_groups([incenter_group], TOK, 256)
    seqs = [TrainSequence((1, 2, 3), (4, 5), "eval")]
    for mode in (False, True):
        model.train(mode)
        first = groups.rank_metrics(model, [g], TOK.pad_id, "cpu")
        assert model.training is mode
        assert evaluate(model, seqs, TOK.pad_id, "cpu") == evaluate(model, seqs, TOK.pad_id,
                                                                     "cpu")
        assert model.training is mode
        assert groups.rank_metrics(model, [g], TOK.pad_id, "cpu") == first
    model.eval()
    groups.rank_metrics(model, [g], TOK.pad_id, "cpu")
    with torch.no_grad():  # scored after the measure: the same twice, so without dropout
        one, two = (groups.scores(model, [g], TOK.pad_id, "cpu")[0] for _ in range(2))
    assert torch.equal(one, two)


def test_sample_keeps_a_working_candidate_and_the_size():
    g = groups.RankGroup(tuple(((((1,), (2,)),),) for _ in range(20)),
                         tuple(i in (3, 11) for i in range(20)), "train")
    rng = random.Random(0)
    for _ in range(20):
        s = groups.sample(g, 6, rng)
        assert len(s.labels) == 6 and True in s.labels and False in s.labels


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_train_with_groups_records_them_and_refuses_groups_without_a_contrast(
        tmp_path, incenter_group, capsys):
    data = _write(tmp_path / "d.jsonl", [INCENTER])
    good = _write(tmp_path / "g.jsonl", [incenter_group])
    out = tmp_path / "w.pt"
    base = [str(data), "--out", str(out), "--steps", "2", "--batch", "1", "--d-model", "32",
            "--layers", "1", "--heads", "2", "--device", "cpu", "--group-batch", "1",
            "--group-size", "4"]
    assert train_main(base + ["--groups", str(good)]) == 0
    meta = load(out).meta
    assert meta["ranking_groups"] == 1 and meta["ranking"]["group_size"] == 4
    assert "rank loss" in capsys.readouterr().err
    assert train_main(base + ["--groups", str(good), "--group-size", "1"]) == 2
    assert "--group-size at least 2" in capsys.readouterr().err
    flat = _write(tmp_path / "f.jsonl", [{**incenter_group, "labels": [False] * 32}])
    assert train_main(base + ["--groups", str(flat)]) == 2
    assert "no group with a working and a failing candidate" in capsys.readouterr().err


def test_cli_labels_new_examples_only_and_reports_bad_input(tmp_path, capsys):
    data = tmp_path / "shards"
    data.mkdir()
    _write(data / "shard-00000.jsonl", [INCENTER, _example("syn_2", "eqangle a e b e c e a e")])
    out = tmp_path / "g.jsonl"
    assert groups.main([str(data), "--out", str(out), "--candidates", "4", "--limit", "1",
                        "--quiet"]) == 0
    assert [r["name"] for r in map(json.loads, out.read_text().splitlines())] == ["syn_incenter"]
    assert groups.main([str(data), "--out", str(out), "--candidates", "4"]) == 0
    err = capsys.readouterr().err
    assert "1 labelled before, 1 to label" in err
    names = [r["name"] for r in map(json.loads, out.read_text().splitlines())]
    assert names[0] == "syn_incenter" and len(names) <= 2 and names.count("syn_incenter") == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    assert groups.main([str(empty), "--out", str(out)]) == 2
    assert "no shard-*.jsonl in this directory" in capsys.readouterr().err
    assert groups.main([str(data), "--out", str(out), "--candidates", "1"]) == 2
    bad = _write(tmp_path / "bad.jsonl", [INCENTER])
    bad.write_text(bad.read_text() + '{"name": "x"}\n')
    assert groups.main([str(bad), "--out", str(out)]) == 2
    assert f"{bad}:2: not an example" in capsys.readouterr().err
    bad.write_text(json.dumps({k: v for k, v in INCENTER.items() if k != "problem"}) + "\n")
    assert groups.main([str(bad), "--out", str(out)]) == 2
    assert f"{bad}:1: not an example" in capsys.readouterr().err
    bad.write_text("{not json\n")
    assert groups.main([str(bad), "--out", str(out)]) == 2
    assert f"{bad}:1: not a JSON line" in capsys.readouterr().err


def test_workers_write_the_same_rows_in_the_same_order(tmp_path):
    rows = [INCENTER, _example("syn_2", "eqangle a e b e c e a e"),
            _example("mid", "para d e b c", ["a b c = triangle a b c", "d = midpoint d a b",
                                             "e = midpoint e a c"]),
            {**INCENTER, "name": "syn_4"}]
    data = _write(tmp_path / "d.jsonl", rows)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert groups.main([str(data), "--out", str(one), "--candidates", "6", "--quiet"]) == 0
    assert groups.main([str(data), "--out", str(two), "--candidates", "6", "--quiet",
                        "--jobs", "2"]) == 0
    assert one.read_text() == two.read_text()
    assert [json.loads(r)["name"] for r in one.read_text().splitlines()][0] == "syn_incenter"
    assert groups.main([str(data), "--out", str(two), "--jobs", "0"]) == 2


def test_seconds_stop_the_workers_after_a_chunk(tmp_path):
    rows = [{**INCENTER, "name": f"syn_{i}"} for i in range(4 * groups.CHUNK)]
    data = _write(tmp_path / "d.jsonl", rows)
    out = tmp_path / "g.jsonl"
    assert groups.main([str(data), "--out", str(out), "--candidates", "4", "--quiet",
                        "--jobs", "2", "--seconds", "0"]) == 0
    names = [json.loads(r)["name"] for r in out.read_text().splitlines()]
    assert names == [f"syn_{i}" for i in range(groups.CHUNK)]  # the first chunk, in order
