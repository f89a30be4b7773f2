"""The synthetic data generator: checked, deterministic, deduplicated, split by hash."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neural.data import DataConfig, check_example, generate, main, split_of
from symbolic.geometry.numeric import build_diagram
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.proof import auxiliary_points, check_proof
from symbolic.geometry.prover import ProverConfig, prove

FAST = DataConfig(require_needed=False)


@pytest.fixture(scope="module")
def examples():
    return list(generate(3, np.random.default_rng(2), FAST))


def test_deterministic_for_a_seed(examples):
    assert list(generate(3, np.random.default_rng(2), FAST)) == examples
    assert len(examples) == 3


def test_every_example_parses_and_its_proof_checks(examples):
    assert len({e.problem for e in examples}) == len(examples)  # deduplicated
    for e in examples:
        problem = parse_problem(e.problem, e.name)
        assert problem.text() == e.problem
        statement = parse_problem("; ".join(e.statement) + " ? " + e.goal, e.name)  # a problem
        assert statement.with_auxiliary(statement.parse_clauses(e.auxiliary)) == problem
        assert e.auxiliary and e.split in ("train", "eval")
        aux = auxiliary_points(problem)
        assert aux and all(p in " ".join(e.auxiliary).split() for p in aux)
        out = prove(problem, ProverConfig(seed=5))
        assert out.proved and out.proof is not None
        check = build_diagram(problem, np.random.default_rng(6))
        check_proof(out.proof, check.coords, out.diagram.coords)
        assert e.proof_length >= FAST.min_steps
        assert all(isinstance(r, str) for r in e.rules)


def test_needed_auxiliaries_are_kept_and_unneeded_dropped():
    ortho = parse_problem("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b "
                          "? perp a d b c")
    ex = check_example(ortho, ortho.parse_clauses(["e = on_line e a c, on_line e b d"]),
                       seed=0, config=DataConfig())
    assert ex is not None and ex.auxiliary == ("e = on_line e a c, on_line e b d",)
    assert ex.statement == ("a b c = triangle a b c", "d = on_tline d b a c, on_tline d c a b")
    assert ex.problem == ("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
                          "e = on_line e a c, on_line e b d ? perp a d b c")
    assert ex.goal == "perp a d b c" and "r34" in ex.rules
    assert ex.to_json()["problem"] == ex.problem and list(ex.to_json())[-1] == "problem"
    midline = parse_problem("a b c = triangle a b c; d = midpoint d a b; e = midpoint e a c "
                            "? para d e b c")
    aux = midline.parse_clauses(["f = midpoint f b c"])
    assert check_example(midline, aux, seed=0, config=DataConfig()) is None


def test_split_is_a_hash_of_the_text():
    texts = [f"problem {i}" for i in range(4000)]
    splits = [split_of(t, 50) for t in texts]
    assert splits == [split_of(t, 50) for t in texts]
    assert 0.03 < splits.count("eval") / len(texts) < 0.07


def test_cli_writes_json_lines(tmp_path, capsys):
    out = tmp_path / "d.jsonl"
    assert main(["--count", "2", "--seed", "2", "--out", str(out), "--allow-unneeded"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2
    for r in rows:
        assert set(r) >= {"problem", "statement", "auxiliary", "goal", "proof_length", "rules",
                          "split"}
        parse_problem(r["problem"])
    assert "2/2 examples" in capsys.readouterr().err


def test_shipped_sample_parses_with_aux_points():
    from pathlib import Path

    from symbolic.geometry.problem import Problem, read_problems

    path = Path(__file__).resolve().parents[2] / "problems" / "geometry" / "synthetic_sample.txt"
    problems = read_problems(path)
    assert problems and all(isinstance(p, Problem) for p in problems)
    assert all(auxiliary_points(p) for p in problems)  # type: ignore[arg-type]


def test_parallel_workers_merge_deduplicated_and_deterministic(tmp_path):
    outs = []
    for run in range(2):
        out = tmp_path / f"d{run}.jsonl"
        assert main(["--count", "2", "--jobs", "2", "--seed", "4", "--allow-unneeded",
                     "--out", str(out)]) == 0
        outs.append(out.read_text())
        assert not list(tmp_path.glob("*.part*"))  # worker files merged and removed
    rows = [json.loads(line) for line in outs[0].splitlines()]
    assert len(rows) == 2 and len({r["problem"] for r in rows}) == 2
    assert outs[0] == outs[1]


def test_time_limit_stops_early(tmp_path):
    out = tmp_path / "d.jsonl"
    assert main(["--count", "1000", "--seconds", "0.01", "--out", str(out)]) == 1
    assert out.exists()


def test_goals_are_dropped_before_their_proof_is_traced(monkeypatch):
    """``_pairs(..., keep)`` gives what filtering its full output by ``keep`` gives, and
    traces no proof of a goal ``keep`` drops."""
    import neural.data as data
    from symbolic.geometry.dd import DDARConfig, saturate
    from symbolic.geometry.predicates import COLL
    from symbolic.geometry.problem import make_problem
    from symbolic.geometry.tables import Atom

    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(12):
        clauses = data.sample_clauses(rng, DataConfig())
        try:
            problem = make_problem("t", clauses, Atom(COLL, ("a", "b", "c")))
            coords = build_diagram(problem, rng, max_tries=10, check_goal=False).coords
        except Exception:
            continue
        state = saturate(problem, coords, DDARConfig(16, None)).state
        goals = data._goal_candidates(state, rng, 64)
        everything = list(data._pairs(problem, state, goals))
        seen: list[tuple] = []

        def keep(stated, goal, seen=seen):
            seen.append((stated, goal))
            return len(seen) % 2 == 0  # any rule will do: every other goal
        traced: list = []
        real = data.extract_proof
        monkeypatch.setattr(data, "extract_proof",
                            lambda *a, traced=traced, real=real: traced.append(a) or real(*a))
        kept = list(data._pairs(problem, state, goals, keep))
        monkeypatch.setattr(data, "extract_proof", real)
        dropped = {s for s, ok in zip(seen, [(i + 1) % 2 == 0 for i in range(len(seen))])
                   if not ok}
        assert kept == [p for p in everything if (p[0], p[2]) not in dropped]
        assert len(traced) == len(seen) - len(dropped)  # no proof traced for a dropped goal
        checked += len(seen)
    assert checked > 20


def test_a_mix_of_problems_draws_their_constructions(tmp_path):
    from neural.data import mix_of, sample_clauses
    from symbolic.geometry.problem import read_problems

    problems = [parse_problem(t) for t in (
        "a b c = triangle a b c; d = circumcenter d a b c; e = on_line e a b, on_circle e d a "
        "? cong d a d e",
        "a b c = iso_triangle a b c; d = foot d a b c; e = midpoint e a d ? perp a d b c",
        "a b = segment a b; c = s_angle a b c 30 ? coll a b c")]  # no usable base, numbers
    mix = mix_of(problems)
    assert dict(mix.bases) == {"triangle": 1, "iso_triangle": 1}
    assert dict(mix.pool) == {"circumcenter": 1, "foot": 1, "midpoint": 1}
    assert dict(mix.loci) == {"on_line": 1, "on_circle": 1}
    assert mix.pair_probability == pytest.approx(1 / 4)
    config = DataConfig(mix=mix, min_clauses=6, max_clauses=6)
    rng = np.random.default_rng(0)
    used = {s.construction.name for _ in range(20) for c in sample_clauses(rng, config)
            for s in c.steps}
    assert used == {"triangle", "iso_triangle", "circumcenter", "foot", "midpoint", "on_line",
                    "on_circle"}
    with pytest.raises(ValueError, match="too few usable constructions"):
        mix_of(problems[2:])
    # the CLI reads a problem file as the mix, and says what it drew from
    file = tmp_path / "mix.txt"
    file.write_text("".join(f"p{i}\n{p.text()}\n" for i, p in enumerate(problems)))
    assert len([p for p in read_problems(file) if not isinstance(p, Exception)]) == 3
    out = tmp_path / "d.jsonl"
    assert main(["--count", "1", "--seed", "1", "--out", str(out), "--mix", str(file),
                 "--allow-unneeded", "--min-clauses", "3", "--max-clauses", "5"]) == 0
    assert len(out.read_text().splitlines()) == 1
    assert main(["--count", "1", "--out", str(out), "--mix", str(tmp_path / "none.txt")]) == 2
