"""Fine-tuning the proposer (``neural.train --init/--extra/--keep``) and choosing the checkpoint
a search uses (``solve-problem --model``): the self-improvement loop's two ends."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from bench_scripts import load_bench

torch = pytest.importorskip("torch")

from neural.proposer import WeightsError, check_checkpoint, load  # noqa: E402
from neural.tokenizer import ConstructionTokenizer  # noqa: E402
from neural.train import TrainSequence, batches, main  # noqa: E402

TOK = ConstructionTokenizer()


def _rows(goal: str, split: str = "train") -> list[dict]:
    return [{"statement": ["a b c = triangle a b c"], "auxiliary": ["d = midpoint d a b"],
             "goal": goal, "split": split}]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _tiny(tmp_path: Path, name: str = "w.pt", *extra: str) -> Path:
    data = _write(tmp_path / "d.jsonl", _rows("para b c d e") + _rows("para b c d e", "eval"))
    out = tmp_path / name
    assert main([str(data), "--out", str(out), "--steps", "2", "--batch", "2", "--d-model",
                 "32", "--layers", "1", "--heads", "2", "--device", "cpu", *extra]) == 0
    return out


def test_batches_draw_the_extra_share_from_the_extra_sequences():
    base = [TrainSequence((1, 2), (3,), "train") for _ in range(40)]
    extra = [TrainSequence((5, 6, 7), (8, 9), "train") for _ in range(3)]
    stream = batches(base, 8, 0, random.Random(0), "cpu", extra, 0.25)
    for _ in range(10):
        inputs, labels = next(stream)
        assert inputs.shape[0] == 8
        assert int((labels == 8).sum()) == 2  # two of eight rows from extra, every batch
    plain = batches(base, 8, 0, random.Random(0), "cpu")
    inputs, labels = next(plain)
    assert inputs.shape[0] == 8 and int((labels == 8).sum()) == 0
    # a share that rounds to nothing still takes one; all of a small extra set each pass
    inputs, labels = next(batches(base, 8, 0, random.Random(0), "cpu", extra, 0.01))
    assert int((labels == 8).sum()) == 1


def test_init_continues_from_the_checkpoint_and_records_it(tmp_path):
    first = _tiny(tmp_path)
    extra = _write(tmp_path / "x.jsonl", _rows("perp a d b c"))
    data = tmp_path / "d.jsonl"
    # no learning at all: the fine-tuned weights are the checkpoint's, whatever the sizes given
    out = tmp_path / "t.pt"
    assert main([str(data), "--init", str(first), "--extra", str(extra), "--lr", "0",
                 "--steps", "1", "--batch", "2", "--d-model", "64", "--device", "cpu",
                 "--keep", "last", "--out", str(out)]) == 0
    a, b = load(first), load(out)
    assert a.model.config == b.model.config
    for (k, v), (k2, w) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        assert k == k2 and torch.equal(v, w)
    meta = b.meta
    assert meta["init"]["path"] == "w.pt" and meta["init"]["meta"]["steps"] == 2
    assert meta["extra_examples"] == 1 and meta["extra_sequences"] == 1
    assert meta["kept"] == "last" and meta["best_step"] == 1
    # with learning, the extra example's target gets likelier
    out2 = tmp_path / "t2.pt"
    assert main([str(data), "--init", str(first), "--extra", str(extra), "--lr", "3e-3",
                 "--warmup", "1", "--steps", "30", "--batch", "2", "--extra-share", "0.5",
                 "--device", "cpu", "--keep", "last", "--out", str(out2)]) == 0

    def logp(proposer) -> float:
        tok = proposer.tokenizer
        prompt = tok.prompt(["a b c = triangle a b c"], "perp a d b c")
        target = tok.target("d = midpoint d a b")
        ids = torch.tensor([prompt + target[:-1]])
        with torch.no_grad():
            lp = torch.log_softmax(proposer.model(ids).float()[0], -1)
        return sum(float(lp[len(prompt) - 1 + j, t]) for j, t in enumerate(target))

    assert logp(load(out2)) > logp(a) + 1.0


def test_init_and_extra_errors(tmp_path, capsys):
    data = _write(tmp_path / "d.jsonl", _rows("para b c d e"))
    assert main([str(data), "--init", str(tmp_path / "none.pt"),
                 "--out", str(tmp_path / "o.pt")]) == 2
    err = capsys.readouterr().err
    assert "--init" in err and "no such checkpoint" in err
    assert main([str(data), "--extra", str(tmp_path / "none.jsonl"),
                 "--out", str(tmp_path / "o.pt")]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "none.jsonl" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\nnot json\n")
    assert main([str(data), "--extra", str(bad), "--out", str(tmp_path / "o.pt")]) == 2
    assert "bad.jsonl:2: not a JSON line" in capsys.readouterr().err
    assert not (tmp_path / "o.pt").exists()


def test_check_checkpoint_needs_the_checksum(tmp_path):
    w = _tiny(tmp_path)
    check_checkpoint(w)
    w.with_name("w.pt.sha256").write_text("0" * 64 + "  w.pt\n")
    with pytest.raises(WeightsError, match="does not match"):
        check_checkpoint(w)
    w.with_name("w.pt.sha256").unlink()
    with pytest.raises(WeightsError, match="checksum file missing"):
        check_checkpoint(w)
    with pytest.raises(WeightsError, match="no such checkpoint"):
        check_checkpoint(tmp_path / "missing.pt")


def test_solve_problem_model_flag(tmp_path, capsys, monkeypatch):
    from reasoner import cli
    from reasoner.domains import geometry

    problem = tmp_path / "p.txt"
    problem.write_text("p\na b c = triangle a b c; d = midpoint d a b ? cong a d d b\n")
    assert cli.main([str(problem), "--model", str(tmp_path / "none.pt")]) == 2
    assert "--model" in capsys.readouterr().err
    w = _tiny(tmp_path)
    assert cli.main([str(problem), "--model", str(w), "--json"]) == 0  # a good one is taken
    assert json.loads(capsys.readouterr().out)["status"] == "proved"
    seen = []

    def fake_load(path):
        seen.append(path)
        raise WeightsError("fake")

    monkeypatch.setattr(geometry, "_NEURAL", {})
    monkeypatch.setattr("neural.proposer.load", fake_load)
    from reasoner.config import SolveConfig
    from symbolic.geometry.problem import parse_problem

    config = SolveConfig(model_path=str(w), sources=("neural",))
    with pytest.raises(WeightsError):
        geometry.proposers(parse_problem("a b c = triangle a b c ? perp a b a c"), config)
    assert seen == [str(w)]


@pytest.fixture(scope="module")
def bench():
    return load_bench("self_improvement")


def test_self_improvement_bench_reads_folds_and_held_sequences(tmp_path, bench):
    problems = tmp_path / "f.txt"
    problems.write_text("".join(f"p{i}\na b c = triangle a b c ? perp a b a c\n"
                                for i in range(5)))
    rows = [{"problem": f"p{i}", "file": str(problems), "domain": "geometry"}
            for i in range(5)]
    file, folds = bench.folds_of(rows, 2)
    assert file == problems and folds == [["p0", "p2", "p4"], ["p1", "p3"]]
    ex = {"statement": ["a b c = triangle a b c"], "goal": "perp a b a c",
          "auxiliary": ["d = midpoint d a b", "e = midpoint e b c"]}
    assert bench.held_sequences([ex]) == [
        (["a b c = triangle a b c"], "perp a b a c", "d = midpoint d a b"),
        (["a b c = triangle a b c", "d = midpoint d a b"], "perp a b a c",
         "e = midpoint e b c")]
    # the ranks of a target the heuristics offer: in their order and in a model's
    w = _tiny(tmp_path)
    model = load(w)
    seqs = [(["a b c = triangle a b c"], "perp a b a c", "d = midpoint d a b")]
    where = bench.ranks({"m": model}, seqs, 50)
    assert len(where["heuristic"]) == 1 and len(where["m"]) == 1
    assert 0 <= where["m"][0] < 50
    assert sys.modules.get("self_improvement_bench") is None


def test_self_improvement_bench_reads_gzipped_rows_and_the_kept_headline_run(tmp_path, bench):
    import gzip

    rows = [{"problem": "p0", "status": "proved"}, {"problem": "p1", "status": "timeout"}]
    text = "".join(json.dumps(r) + "\n" for r in rows) + "\n"
    (tmp_path / "r.jsonl").write_text(text)
    with gzip.open(tmp_path / "r.jsonl.gz", "wt") as f:
        f.write(text)
    assert bench.read_rows(tmp_path / "r.jsonl") == rows
    assert bench.read_rows(tmp_path / "r.jsonl.gz") == rows
    # the README's headline run: 199 rows of one file, 137 proved, 70 with auxiliary points
    kept = bench.read_rows(Path(__file__).resolve().parents[2] / "bench" / "results"
                           / "hageo_dev_120s_35b7f03.jsonl.gz")
    assert len(kept) == 199 and len({r["problem"] for r in kept}) == 199
    assert {r["file"] for r in kept} == {"../shared/benchmarks/geometry/hageo_dev.txt"}
    proved = [r for r in kept if r["status"] == "proved"]
    assert len(proved) == 137 and sum(bool(r.get("auxiliary")) for r in proved) == 70


def test_self_improvement_bench_search_counts_proofs_and_stops_on_errors(tmp_path, bench):
    import argparse

    problems = tmp_path / "f.txt"
    problems.write_text("p0\na b c = triangle a b c; d = midpoint d a b ? cong a d d b\n")
    args = argparse.Namespace(search_timeout=20.0, jobs=1)
    w = _tiny(tmp_path)
    proved, seconds = bench.search(problems, ["p0"], w, args)
    assert proved == 1 and seconds > 0
    with pytest.raises(SystemExit, match="exit 2"):  # a checkpoint that is not there
        bench.search(problems, ["p0"], tmp_path / "none.pt", args)


def test_self_improvement_bench_compares_a_synthetic_fine_tune_on_every_fold(
        tmp_path, bench, monkeypatch, capsys):
    """``--synthetic FILE``: one fine-tune on FILE (not per fold), compared beside the base
    and the fold's tuned model on every fold."""
    tuned: list[tuple[str, str]] = []
    monkeypatch.setattr(bench, "read_rows", lambda path: [])
    monkeypatch.setattr(bench, "folds_of", lambda rows, n: (tmp_path / "f.txt",
                                                            [["p0"], ["p1"]]))
    monkeypatch.setattr(bench, "examples", lambda rows, keep, out: [
        {"statement": ["a b c = triangle a b c"], "goal": "perp a b a c",
         "auxiliary": [f"d = midpoint d a {'b' if 'p0' in keep else 'c'}"]}])
    monkeypatch.setattr(bench, "fine_tune",
                        lambda extra, out, args: tuned.append((extra.name, out.name)) or 1.0)
    monkeypatch.setattr("neural.proposer.load", lambda path: str(path))
    monkeypatch.setattr(bench, "model_metrics",
                        lambda m, seqs, beam: {"loss": 1.0, "exact": 0.0, "beam": 0.0})
    monkeypatch.setattr(bench, "ranks", lambda models, seqs, pool: {
        "heuristic": [3], **{name: [7] for name in models}})
    rows = tmp_path / "rows.jsonl"
    rows.write_text("")
    synthetic = tmp_path / "syn.jsonl"
    synthetic.write_text("")
    assert bench.main([str(rows), "--work", str(tmp_path / "w"), "--synthetic",
                       str(synthetic)]) == 0
    assert tuned == [("syn.jsonl", "synthetic.pt"), ("train0.jsonl", "tuned0.pt"),
                     ("train1.jsonl", "tuned1.pt")]
    table = capsys.readouterr().out
    assert table.count("| synthetic |") == 2 and table.count("| tuned |") == 2


def test_data_may_be_a_shard_directory(tmp_path):
    import hashlib

    from neural.train import read_rows

    shards = tmp_path / "shards"
    (shards / "worker-1").mkdir(parents=True)
    a = _write(shards / "shard-00000.jsonl", _rows("para b c d e"))
    b = _write(shards / "worker-1" / "shard-00000.jsonl", _rows("perp a d b c"))
    (shards / "manifest.json").write_text("{}")  # not data
    whole, files = hashlib.sha256(), hashlib.sha256()
    rows = read_rows([str(shards)], whole)
    assert rows == read_rows([str(a), str(b)], files) and len(rows) == 2
    assert whole.hexdigest() == files.hexdigest()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no shard-"):
        read_rows([str(tmp_path / "empty")], hashlib.sha256())


def test_olympiad_ranking_bench_measures_checkpoints_without_tuning(tmp_path, monkeypatch,
                                                                    capsys):
    """``bench/olympiad_ranking.py``: each checkpoint beside the heuristic order, as a
    generator (loss, own beam) and as a ranker (of the heuristic's pool and of labelled
    lists), on the examples and lists it keeps in ``--work``."""
    bench = load_bench("olympiad_ranking")
    statement = ["a b c = triangle a b c"]
    ex = {"name": "p0", "statement": statement, "goal": "perp a b a c",
          "auxiliary": ["d = midpoint d a b"], "split": "train",
          "problem": "a b c = triangle a b c; d = midpoint d a b ? perp a b a c"}
    listed = {**ex, "candidates": [["x = midpoint x b c"], ["x = midpoint x a b"],
                                   ["x = midpoint x a c"]], "labels": [False, True, None]}
    work = tmp_path / "w"
    work.mkdir()
    _write(work / "examples.jsonl", [ex])  # kept by an earlier run: read, not made again
    _write(work / "lists.jsonl", [listed])
    monkeypatch.setattr("neural.proved.examples_from_rows", None)  # never called
    monkeypatch.setattr("neural.groups.label_all", None)
    rows = _write(tmp_path / "rows.jsonl", [{"problem": "p0", "status": "proved"}])
    w = _tiny(tmp_path)
    assert bench.main([str(rows), "--checkpoint", f"tiny={w}", "--work", str(work),
                       "--pool", "50"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[2].startswith("| heuristic | - | - | - |") and table[2].endswith("| 1.00 / 0% |")
    assert table[3].startswith("| tiny | ") and table[3].endswith("(1 lists) |")
    assert len(table) == 4
    with pytest.raises(SystemExit):  # a checkpoint must be NAME=PATH
        bench.parse_args([str(rows), "--checkpoint", str(w), "--work", str(work)])


def test_model_size_bench_trains_a_ladder_once_and_marks_the_lowest_held_back_loss(
        tmp_path, monkeypatch, capsys):
    """``bench/model_size.py``: each size trained from scratch by ``neural.train`` on the
    same data and steps, measured on the held-back split and on olympiad clauses; a second
    run measures the kept checkpoints without training them again."""
    bench = load_bench("model_size")
    data = _write(tmp_path / "d.jsonl", _rows("para b c d e") + _rows("perp a d b c", "eval")
                  + _rows("perp a d b c"))
    work = tmp_path / "w"
    work.mkdir()
    ex = {"name": "p0", "statement": ["a b c = triangle a b c"], "goal": "perp a b a c",
          "auxiliary": ["d = midpoint d a b"], "split": "train",
          "problem": "a b c = triangle a b c; d = midpoint d a b ? perp a b a c"}
    _write(work / "olympiad.jsonl", [ex])  # kept by an earlier run: read, not made again
    monkeypatch.setattr("neural.proved.examples_from_rows", None)
    rows = _write(tmp_path / "rows.jsonl", [{"problem": "p0", "status": "proved"}])
    argv = [str(data), "--size", "a=16x1x2", "--size", "b=32x2x4", "--steps", "3",
            "--batch", "2", "--device", "cpu", "--work", str(work), "--olympiad", str(rows),
            "--beam", "2"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    table = out.splitlines()
    assert table[0].startswith("| size | parameters |") and "olympiad clauses (1)" in table[0]
    assert table[2].startswith("| a (16x1x2) | ") and table[3].startswith("| b (32x2x4) | ")
    small, large = (load(work / f"{n}.pt") for n in "ab")
    assert small.model.config.d_model == 16 and large.model.config.n_layers == 2
    assert small.model.n_parameters() < large.model.n_parameters()
    assert small.meta["steps"] == large.meta["steps"] == 3
    best = min("ab", key=lambda n: load(work / f"{n}.pt").meta["eval_loss"])
    assert f"lowest held-back loss: {best} (1 held-back sequences)" in out
    assert table[2 if best == "a" else 3].count("**") == 2
    assert "training loss" not in out
    # the second run measures the kept checkpoints: no training
    monkeypatch.setattr("subprocess.run", None)
    assert bench.main(argv) == 0
    assert capsys.readouterr().out == out


def test_model_size_bench_refuses_bad_sizes_and_reports_a_failed_training(tmp_path, capsys):
    bench = load_bench("model_size")
    for bad in ("small", "s=256x6", "s=250x6x8", "=64x1x2", "s=0x1x1"):
        with pytest.raises(SystemExit):
            bench.parse_args(["d.jsonl", "--size", bad, "--work", str(tmp_path)])
    assert bench.main(["d.jsonl", "--size", "a=16x1x2", "--size", "a=32x1x2", "--work",
                       str(tmp_path)]) == 2
    assert "names must differ" in capsys.readouterr().err
    missing = str(tmp_path / "missing.jsonl")
    assert bench.main([missing, "--size", "a=16x1x2", "--steps", "1", "--device", "cpu",
                       "--work", str(tmp_path / "w")]) == 1
    err = capsys.readouterr().err
    assert "training a failed (exit 2)" in err and "missing.jsonl" in err
    assert not (tmp_path / "w" / "a.pt").exists()
    # data with no held-back split: the loss shown is the training loss, and the table says so
    data = _write(tmp_path / "d.jsonl", _rows("para b c d e"))
    assert bench.main([str(data), "--size", "a=16x1x2", "--steps", "1", "--batch", "1",
                       "--device", "cpu", "--work", str(tmp_path / "v")]) == 0
    assert "no held-back sequences in the data: the losses are training losses" in \
        capsys.readouterr().out


@pytest.mark.parametrize("name", ["self_improvement", "olympiad_ranking", "model_size"])
def test_measuring_benches_say_in_one_line_what_input_they_cannot_read(name, tmp_path, capsys):
    """Missing or broken rows, or a missing checkpoint: one line naming it, exit 2, no
    traceback and nothing trained."""
    bench = load_bench(name)
    work = tmp_path / "w"
    extra = {"self_improvement": [],
             "olympiad_ranking": ["--checkpoint", f"m={tmp_path / 'm.pt'}"],
             "model_size": ["--size", "a=16x1x2", "--steps", "1", "--device", "cpu"]}[name]

    def run(rows: Path) -> str:
        argv = ([str(rows)] if name != "model_size" else
                [str(tmp_path / "d.jsonl"), "--olympiad", str(rows)]) + extra
        with pytest.raises(SystemExit) as stop:
            bench.main([*argv, "--work", str(work)])
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"{name}: error: ")
        return err[0]

    assert "missing.jsonl" in run(tmp_path / "missing.jsonl")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"problem": "p0"}\nnot json\n')
    assert "broken.jsonl" in run(broken) and ":2" in run(broken)
    assert not (work / "a.pt").exists()
    if name == "olympiad_ranking":  # a checkpoint that is not there
        rows = _write(tmp_path / "rows.jsonl", [{"problem": "p0", "status": "proved"}])
        assert bench.main([str(rows), *extra, "--work", str(work)]) == 2
        assert "m.pt" in capsys.readouterr().err
