"""The synthetic data generator: checked, deterministic, deduplicated, split by hash."""

from __future__ import annotations

import json

import numpy as np
import pytest
from needs_aux import BISECTOR_FEET

from neural.data import DataConfig, check_example, generate, main, split_of
from neural.examples import AR_TABLES as DATA_TABLES
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
        # the base clause is always stated, so its points may be unused by the goal
        base = set(problem.clauses[0].points)
        assert set(aux) - base and all(p in " ".join(e.auxiliary).split()
                                       for p in set(aux) - base)
        out = prove(problem, ProverConfig(seed=5))
        assert out.proved and out.proof is not None
        check = build_diagram(problem, np.random.default_rng(6))
        check_proof(out.proof, check.coords, out.diagram.coords)
        assert e.proof_length >= FAST.min_steps
        assert all(isinstance(r, str) for r in e.rules)


def test_needed_auxiliaries_are_kept_and_unneeded_dropped():
    feet = parse_problem(BISECTOR_FEET)
    ex = check_example(feet, feet.parse_clauses(["f = on_line f b d, on_line f a e"]),
                       seed=0, config=DataConfig())
    assert ex is not None and ex.auxiliary == ("f = on_line f b d, on_line f a e",)
    assert ex.statement == ("a b c = triangle a b c", "d = angle_bisector d a b c, on_dia d b c",
                            "e = angle_bisector e b a c, on_dia e a c")
    assert ex.problem == BISECTOR_FEET.replace(" ? ", "; f = on_line f b d, on_line f a e ? ")
    assert ex.goal == "para d e a b" and "r48" in ex.rules  # the incentre rule
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
    err = capsys.readouterr().err
    # stderr is no terminal here: no rewritten line, one last line at the end
    assert "\r" not in err and err.strip().splitlines()[-1].startswith("2/2 examples, ")
    assert err.strip().endswith("done)")


def test_progress_on_a_terminal_and_in_a_log(monkeypatch, capsys):
    from neural import data

    p = data._Progress(10, quiet=False)
    p.tty = True
    p(1, 5)
    p(2, 9)
    p.end()
    assert capsys.readouterr().err.startswith("\r1/10 examples, 5 sequences, ")
    monkeypatch.setattr(data, "LOG_EVERY", 3600.0)
    log = data._Progress(10, quiet=False)
    for n in range(5):
        log(n, 10 * n)
    log.end()
    (line,) = capsys.readouterr().err.splitlines()  # nothing until the end in a log
    assert line.startswith("4/10 examples, 40 sequences, ") and line.endswith("done)")
    monkeypatch.setattr(data, "LOG_EVERY", 0.0)
    log = data._Progress(10, quiet=False)
    log(1, 1)
    log(2, 2)
    assert len(capsys.readouterr().err.splitlines()) == 2
    # a resumed shard directory: the first call says where it starts, the rate is of new ones
    resumed = data._Progress(5000, quiet=False, resumes=True)
    resumed(2000, 52000)
    resumed.start -= 60.0  # a minute later, 100 more
    resumed(2100, 53000)
    resumed.end()
    err = capsys.readouterr().err
    assert err.startswith("resuming at 2000 examples, 52000 sequences\n")
    assert "2100/5000 examples, 53000 sequences, 100.0/min" in err
    quiet = data._Progress(10, quiet=True)
    quiet(1, 1)
    quiet.end()
    assert capsys.readouterr().err == ""


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


def test_mutate_redraws_one_clause_or_appends_one():
    from neural.data import mutate, sample_clauses
    from symbolic.geometry.predicates import COLL
    from symbolic.geometry.problem import make_problem
    from symbolic.geometry.tables import Atom

    rng = np.random.default_rng(3)
    config = DataConfig()
    changed = appended = 0
    for _ in range(40):
        clauses = sample_clauses(rng, config)
        variant = mutate(clauses, (1,), rng, config)
        assert variant[0] == clauses[0]
        same = sum(a == b for a, b in zip(clauses, variant))
        if len(variant) == len(clauses) + 1:
            appended += 1
            assert variant[:-1] == clauses
        else:
            assert len(variant) == len(clauses) and same >= len(clauses) - 1
            changed += same == len(clauses) - 1
            i = next((i for i, (a, b) in enumerate(zip(clauses, variant)) if a != b), None)
            assert i is None or variant[i].points == clauses[i].points
        make_problem("v", variant, Atom(COLL, ("a", "b", "c")))  # still well formed
    assert changed > 10 and appended > 2


def test_needed_examples_are_deterministic_and_checked():
    """With ``require_needed`` (the default), an attempt on a sequence where the feet of the
    perpendiculars from a vertex to two bisectors span a parallel to a side only with the
    incentre (``needs_aux``) finds it; every example's statement alone is not proved by DD+AR
    and the statement with its auxiliary clauses is, with a checked proof; the same generator
    gives the same examples."""
    from neural.data import attempt

    sequence = parse_problem("a b c = triangle a b c; d = angle_bisector d a b c, on_dia d b c; "
                             "e = angle_bisector e b a c, on_dia e a c; "
                             "f = on_line f b d, on_line f a e; g = midpoint g a b ? coll a b c")
    config = DataConfig(goals_per_split=20)  # every goal of the one (statement, aux) pair
    found = attempt(np.random.default_rng(1), config, clauses=sequence.clauses)
    assert found == attempt(np.random.default_rng(1), config, clauses=sequence.clauses)
    # in canonical spelling (``neural.canonical``): the base relabelled so that it reads least
    assert ("para b c d e", ("f = on_line f b d, on_line f c e",)) in {
        (e.goal, e.auxiliary) for e in found}
    assert all(e.statement[1] == "d = angle_bisector d a b c, on_dia d a b" for e in found)
    assert len(attempt(np.random.default_rng(1), DataConfig(), clauses=sequence.clauses)) == 2
    for e in found:
        assert not any("midpoint" in a for a in e.auxiliary)  # the midpoint is never needed
        statement = parse_problem("; ".join(e.statement) + " ? " + e.goal, e.name)
        assert not prove(statement, ProverConfig(seed=3, ar_tables=DATA_TABLES)).proved  # its DD+AR
        problem = parse_problem(e.problem, e.name)
        out = prove(problem, ProverConfig(seed=4))
        assert out.proved and out.proof is not None and out.proof.auxiliary_points
        check = build_diagram(problem, np.random.default_rng(6))
        check_proof(out.proof, check.coords, out.diagram.coords)


def test_variants_per_family_are_bounded(monkeypatch):
    """Every variant descends from a productive sequence, and no fresh sequence has more
    than ``family_variants`` variants below it."""
    import neural.data as data
    import neural.generator as generator

    fresh: list[tuple] = []
    variants: list[tuple] = []
    real_sample, real_mutate = data.sample_clauses, data.mutate

    def sample(rng, config):
        out = real_sample(rng, config)
        fresh.append(tuple(out))
        return out

    def mutate(clauses, used, rng, config):
        variants.append(tuple(clauses))
        return real_mutate(clauses, used, rng, config)

    made = iter(range(10**6))

    def productive(rng, config, deadline, clauses, known=None, start=None, fresh=False):
        """Every sequence gives one new example (which clauses it used is all the family
        bookkeeping reads): productive sequences are rare in real runs, so a few real
        attempts would seldom exercise the bound."""
        n = next(made)
        return data.Outcome([(data.Example(f"x{n}", (), (), "", 2, (), "train",
                                           f"problem {n}"), (0, 1))])

    monkeypatch.setattr(generator, "sample_clauses", sample)
    monkeypatch.setattr(generator, "mutate", mutate)
    monkeypatch.setattr(generator, "_attempt", productive)
    config = DataConfig(require_needed=False, family_variants=3, mutations=2,
                        mutate_probability=0.9)
    list(generate(50, np.random.default_rng(4), config, max_attempts=14))
    assert variants and len(fresh) + len(variants) == 14
    assert len(variants) <= 3 * len(fresh)


def test_an_attempt_reports_the_goals_it_traced_even_when_it_keeps_none():
    """``Outcome.traced``: the clauses of the needed goals traced back, also when their
    examples were checked before (``known``), so a fresh sequence with needed goals and no
    new example can still be a parent (``near_parents``)."""
    from neural.examples import _attempt

    sequence = parse_problem("a b c = triangle a b c; d = angle_bisector d a b c, on_dia d b c; "
                             "e = angle_bisector e b a c, on_dia e a c; "
                             "f = on_line f b d, on_line f a e; g = midpoint g a b ? coll a b c")
    known: set[str] = set()
    first = _attempt(np.random.default_rng(1), DataConfig(), None, sequence.clauses, known)
    assert first.found and known
    used = {i for _, ids in first.found for i in ids}
    assert used <= set(first.traced)
    again = _attempt(np.random.default_rng(1), DataConfig(), None, sequence.clauses, known)
    assert again.found == [] and again.traced == first.traced


@pytest.mark.parametrize("near", [True, False])
def test_fresh_sequences_with_traced_goals_become_parents(monkeypatch, near):
    """With ``near_parents``, a fresh sequence that traced needed goals but kept no example
    becomes a parent, its traced clauses the ones variants redraw; a variant never does
    unless it gives new examples."""
    import neural.generator as generator
    from neural.examples import Outcome

    attempts: list[bool] = []

    def traced_only(rng, config, deadline, clauses, known=None, start=None, fresh=False):
        attempts.append(fresh)
        return Outcome([], None, (0, 2))

    monkeypatch.setattr(generator, "_attempt", traced_only)
    search = generator.Search(np.random.default_rng(5),
                              DataConfig(near_parents=near, mutate_probability=1.0))
    assert search.step() == []
    assert [p.used for p in search.parents] == ([(0, 2)] if near else [])
    search.step()
    assert attempts == ([True, False] if near else [True, True])
    assert len(search.parents) == (1 if near else 0)  # the variant did not become one
    assert not near or search.parents[0].tries_left == DataConfig.mutations - 1


def test_cli_draws_variants_only_for_needed_data(monkeypatch, tmp_path):
    import neural.data as data

    seen: list[DataConfig] = []
    monkeypatch.setattr(data, "_worker", lambda args, config, *rest: seen.append(config) or 0)
    out = str(tmp_path / "d.jsonl")
    data.main(["--count", "1", "--out", out])
    data.main(["--count", "1", "--out", out, "--allow-unneeded"])
    data.main(["--count", "1", "--out", out, "--allow-unneeded", "--mutate-probability", "0.5"])
    assert [c.mutate_probability for c in seen] == [DataConfig.mutate_probability, 0.0, 0.5]
    # the per-diagram caps keep needed-mode runs varied; without the need test every traced
    # goal is cheap to check, so they are lifted
    assert seen[0].checks_per_diagram == DataConfig.checks_per_diagram
    assert seen[1].checks_per_diagram == seen[1].goals_per_split == DataConfig.goals_per_diagram


def test_unneeded_mode_saturates_the_whole_sequence_once(monkeypatch):
    import neural.examples as data

    calls: list[str] = []
    real_saturate, real_prefixes = data.saturate, data.prefix_closures
    monkeypatch.setattr(data, "saturate",
                        lambda *a, **k: calls.append("whole") or real_saturate(*a, **k))
    monkeypatch.setattr(data, "prefix_closures",
                        lambda *a, **k: calls.append("prefixes") or real_prefixes(*a, **k))
    config = DataConfig(require_needed=False, mutate_probability=0.0)
    list(generate(5, np.random.default_rng(3), config, max_attempts=3))
    assert calls and set(calls) == {"whole"}
    calls.clear()
    list(generate(5, np.random.default_rng(3), DataConfig(mutate_probability=0.0),
                  max_attempts=3))
    assert calls and set(calls) == {"prefixes"}


def test_examples_are_deduplicated_up_to_renaming(monkeypatch):
    """Two spellings of one example (points renamed, the base relabelled) are checked once
    and kept once."""
    import neural.examples as data
    from neural.canonical import canonical_text

    checked: list[str] = []
    real = data.check_example
    monkeypatch.setattr(data, "check_example", lambda statement, aux, *rest: checked.append(
        statement.with_auxiliary(aux).text()) or real(statement, aux, *rest))
    one = parse_problem("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
                        "e = on_line e a c, on_line e b d ? coll a b c")
    other = parse_problem("a b c = triangle a b c; d = on_tline d a b c, on_tline d c b a; "
                          "e = on_line e b c, on_line e a d ? coll a b c")
    known: set[str] = set()
    first = data._attempt(np.random.default_rng(1), DataConfig(), None, one.clauses, known)
    second = data._attempt(np.random.default_rng(1), DataConfig(), None, other.clauses, known)
    assert first.found and len(checked) == len(set(checked))  # none checked twice
    assert not {e.problem for e, _ in first.found} & {e.problem for e, _ in second.found}
    for ex, _ in first.found:
        p = parse_problem(ex.problem)
        n = len(ex.statement)
        assert canonical_text(p.clauses[:n], p.clauses[n:], p.goal) == ex.problem


def test_variants_start_from_their_parents_closures():
    """A variant that keeps the first clauses of its parent draws only the others, on the
    parent's diagram, and continues the parent's closures of the clauses kept."""
    from neural.data import Search
    from neural.examples import _attempt

    seq = parse_problem("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
                        "e = on_line e a c, on_line e b d; f = midpoint f a b ? coll a b c")
    parent = _attempt(np.random.default_rng(1), DataConfig(reuse_drawings=True), None,
                      seq.clauses)
    assert parent.drawn is not None and len(parent.drawn.runs) == 4
    head = parse_problem("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
                         "e = on_line e a c, on_line e b d ? coll a b c")
    variant = head.clauses + head.parse_clauses(["f = midpoint f b c"])
    assert variant[:3] == seq.clauses[:3] and variant != seq.clauses
    start = parent.drawn.prefix(seq.clauses, 3)
    out = _attempt(np.random.default_rng(2), DataConfig(reuse_drawings=True), None, variant,
                   start=start)
    assert out.drawn is not None and out.drawn.runs[:3] == parent.drawn.runs[:3]
    assert all(out.drawn.coords[p] is parent.drawn.coords[p] for p in "abcde")
    assert Search(np.random.default_rng(0), DataConfig()).attempts == 0


def test_shards_resume_to_the_same_data(tmp_path):
    """Shards of a run stopped (by a count reached, a time limit or a kill after a shard)
    and run again equal those of a run never stopped; a directory of other settings is
    refused."""
    from neural.data import Search
    from neural.shards import MANIFEST, ShardError, config_key, write_shards

    key = config_key(FAST, 7, 0, 1)

    def make():
        return Search(np.random.default_rng(7), FAST)

    def shards(d):
        return [p.read_text() for p in sorted(d.glob("shard-*.jsonl"))]

    whole = tmp_path / "whole"
    assert write_shards(whole, 5, 2, key, make) == 5
    assert len(shards(whole)) == 3 and shards(whole)[-1].count("\n") == 1
    resumed = tmp_path / "resumed"
    assert write_shards(resumed, 3, 2, key, make) == 3  # stopped at a count
    manifest = json.loads((resumed / MANIFEST).read_text())
    assert manifest["examples"] == 3 and manifest["shards"][-1]["partial"]
    attempts = manifest["attempts"]
    # a time limit before any attempt: what the state held beyond the count is written
    write_shards(resumed, 5, 2, key, make, deadline=0.0)
    assert json.loads((resumed / MANIFEST).read_text())["attempts"] == attempts
    assert write_shards(resumed, 5, 2, key, make) == 5
    assert shards(resumed) == shards(whole)
    lines = "".join(shards(whole)).splitlines()
    assert len({json.loads(x)["problem"] for x in lines}) == 5
    with pytest.raises(ShardError):
        write_shards(resumed, 6, 2, config_key(FAST, 8, 0, 1), make)


def test_cli_writes_shards(tmp_path):
    d = tmp_path / "shards"
    args = ["--count", "3", "--seed", "2", "--allow-unneeded", "--shard-dir", str(d),
            "--shard-size", "2"]
    assert main(args) == 0
    assert main(args) == 0  # already there: nothing to do
    rows = [json.loads(x) for p in sorted(d.glob("shard-*.jsonl"))
            for x in p.read_text().splitlines()]
    assert len(rows) == 3
    assert main(["--count", "3", "--seed", "3", "--allow-unneeded", "--shard-dir",
                 str(d)]) == 2  # another seed's directory
    assert main(["--count", "3"]) == 2  # neither --out nor --shard-dir


def test_canonical_text_is_the_same_for_every_spelling():
    from neural.canonical import canonical_text, symmetries

    def text(problem: str, aux: int) -> str:
        p = parse_problem(problem)
        n = len(p.clauses) - aux
        return canonical_text(p.clauses[:n], p.clauses[n:], p.goal)

    same = [text("a b c = triangle a b c; d = midpoint d a b; e = midpoint e a c; "
                 "f = foot f a b c ? para d e b c", 1),
            text("a b c = triangle a b c; e = midpoint e c a; d = midpoint d b a; "
                 "f = foot f a c b ? para e d c b", 1),
            text("x y z = triangle x y z; q = midpoint q y x; p = midpoint p z x; "
                 "f = foot f x y z ? para p q z y", 1)]
    assert len(set(same)) == 1 and same[0].startswith("a b c = triangle a b c; d = midpoint")
    iso = [text("a b c = iso_triangle a b c; d = on_line d a b, on_circle d c a; "
                "e = foot e a b c ? perp b c a e", 1),
           text("a b c = iso_triangle a b c; d = on_circle d b a, on_line d c a; "
                "e = foot e a c b ? perp b c a e", 1)]
    assert iso[0] == iso[1]
    # the apex of an isosceles triangle is not one of its base points
    assert text("a b c = iso_triangle a b c; d = midpoint d b c ? coll a b c", 0) != \
        text("a b c = iso_triangle a b c; d = midpoint d a b ? coll a b c", 0)
    # the statement (the clauses the goal's points need) comes first, then the auxiliary
    assert text("a b c = triangle a b c; d = midpoint d a c; e = midpoint e a b "
                "? coll a c d", 1).endswith("e = midpoint e a c ? coll a b d")
    assert len(symmetries("triangle")) == 6 and len(symmetries("midpoint")) == 2
    assert len(symmetries("eq_triangle")) == 1 and len(symmetries("psquare")) == 1


def test_a_search_state_read_back_continues_the_same():
    """The state written with a shard (parents with their drawings, whose closures are
    computed again on read) gives the same next attempts as the search it was taken of."""
    from neural.data import Search
    from neural.examples import _attempt
    from neural.generator import _Parent
    from neural.shards import state_json, state_of

    seq = parse_problem("a b c = triangle a b c; d = on_tline d b a c, on_tline d c a b; "
                        "e = on_line e a c, on_line e b d; f = midpoint f a b ? coll a b c")
    config = DataConfig(mutate_probability=1.0, reuse_drawings=True)
    drawn = _attempt(np.random.default_rng(1), config, None, seq.clauses).drawn
    search = Search(np.random.default_rng(3), config, known={"x"}, attempts=4)
    search.parents.append(_Parent(seq.clauses, (1, 2), 0, 5, 1, drawn))
    search.family_left[1] = 9
    back, pending = state_of(json.loads(json.dumps(state_json(search, []))), config)
    assert pending == [] and back.known == {"x"} and back.attempts == 4
    assert back.parents[0].drawn is not None
    assert [str(r.state.facts.keys()) for r in back.parents[0].drawn.runs] == \
        [str(r.state.facts.keys()) for r in drawn.runs]
    for _ in range(2):
        assert back.step() == search.step()
    assert back.attempts == search.attempts and back.known == search.known
