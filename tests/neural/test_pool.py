"""Parent pools (``neural.pool``): earlier runs' examples as the parents a run starts from."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from neural.data import DataConfig, Search, generate, main
from neural.examples import AR_TABLES as DATA_TABLES
from neural.pool import DEFAULT, merged, pool_digest, read_pool, seed_search
from symbolic.geometry.problem import parse_problem
from symbolic.geometry.prover import ProverConfig, prove


@pytest.fixture(scope="module")
def pool():
    return read_pool(DEFAULT)


def test_the_shipped_pool_reads_as_distinct_examples_with_aux(pool):
    assert len(pool) >= 100
    assert len({e.text for e in pool}) == len(pool)
    assert len({e.family for e in pool}) >= 20
    rows = [json.loads(x) for x in gzip.open(DEFAULT, "rt", encoding="utf-8")]
    assert [e.text for e in pool] == [r["problem"] for r in rows]  # stored canonical
    for e in pool:
        assert 0 < e.stated < len(e.clauses)


def test_a_pool_reads_from_files_and_shard_directories(tmp_path, pool):
    rows = gzip.open(DEFAULT, "rt", encoding="utf-8").read().splitlines()
    (tmp_path / "a.jsonl").write_text("\n".join(rows[:3] + ["", rows[0]]) + "\n")
    shards = tmp_path / "shards" / "worker-1"
    shards.mkdir(parents=True)
    (shards / "shard-00000.jsonl").write_text("\n".join(rows[2:5]) + "\n")
    (shards / "manifest.json").write_text("{}")
    a, b = read_pool(tmp_path / "a.jsonl"), read_pool(tmp_path / "shards")
    assert [e.text for e in a] == [e.text for e in pool[:3]]  # deduplicated
    assert [e.text for e in b] == [e.text for e in pool[2:5]]
    assert [e.text for e in merged(a, b)] == [e.text for e in pool[:5]]
    assert pool_digest(a) != pool_digest(b)
    # a spelling that is not canonical reads as the same example
    row = json.loads(rows[0])
    p = parse_problem(row["problem"])
    renamed = p.rename(dict(zip(p.points, "zyxwvutsrq")))
    (tmp_path / "r.jsonl").write_text(json.dumps({**row, "problem": renamed.text()}) + "\n")
    assert [e.text for e in read_pool(tmp_path / "r.jsonl")] == [pool[0].text]


def test_parents_are_chosen_per_seed_bounded_per_family(pool):
    config = DataConfig(pool_parents=12, pool_per_family=1)

    def chosen(seed: int, cfg: DataConfig = config) -> Search:
        return seed_search(Search(np.random.default_rng(seed), cfg), pool)

    a, again, b = chosen(1), chosen(1), chosen(2)
    assert [p.clauses for p in a.parents] == [p.clauses for p in again.parents]
    assert [p.clauses for p in a.parents] != [p.clauses for p in b.parents]
    assert len(a.parents) == 12
    families = ["; ".join(map(str, p.clauses[:2])) for p in a.parents]
    assert len(set(families)) == 12  # one per family
    assert {p.family for p in a.parents} == set(a.family_left) and \
        all(f < 0 for f in a.family_left)
    assert all(p.depth == 0 and p.tries_left == config.mutations and p.drawn is None
               for p in a.parents)
    assert a.known == a.seen == {e.text for e in pool}  # the pool is never written again
    two = chosen(1, DataConfig(pool_parents=1000, pool_per_family=2))
    assert len(two.parents) <= 2 * len({e.family for e in pool})
    assert chosen(1, DataConfig(pool_parents=0)).parents == []
    assert seed_search(Search(np.random.default_rng(1), config), []).known == set()


def test_a_search_from_the_pool_finds_new_checked_needed_examples(pool):
    """Seed 5 finds nothing in its first 1,000 fresh sequences (docs/journal/neural.md); from
    the pool it finds needed examples at once, none of them the pool's."""
    search = seed_search(Search(np.random.default_rng(5), DataConfig()), pool)
    found = list(generate(2, search.rng, search.config, search=search, max_attempts=80))
    assert len(found) == 2 and search.attempts < 80
    texts = {e.text for e in pool}
    for e in found:
        assert e.problem not in texts
        statement = parse_problem("; ".join(e.statement) + " ? " + e.goal, e.name)
        assert not prove(statement, ProverConfig(seed=3, ar_tables=DATA_TABLES)).proved  # its DD+AR
        out = prove(parse_problem(e.problem, e.name), ProverConfig(seed=4))
        assert out.proved and out.proof is not None and out.proof.auxiliary_points


def test_cli_starts_from_the_shipped_pool_unless_told(monkeypatch, tmp_path):
    import neural.data as data

    pools: list[int] = []
    monkeypatch.setattr(data, "_worker",
                        lambda args, config, *rest: pools.append(len(args.pool)) or 1)
    out = str(tmp_path / "d.jsonl")
    data.main(["--count", "1", "--out", out])
    data.main(["--count", "1", "--out", out, "--parents", "none"])
    data.main(["--count", "1", "--out", out, "--allow-unneeded"])
    rows = gzip.open(DEFAULT, "rt", encoding="utf-8").read().splitlines()
    (tmp_path / "p.jsonl").write_text("\n".join(rows[:4]) + "\n")
    data.main(["--count", "1", "--out", out, "--parents", str(tmp_path / "p.jsonl")])
    data.main(["--count", "1", "--out", out, "--parents", str(tmp_path / "p.jsonl"),
               "--parents", str(DEFAULT)])
    assert pools == [len(rows), 0, 0, 4, len(rows)]
    assert main(["--count", "1", "--out", out, "--parents", str(tmp_path / "no")]) == 2


def test_a_shard_directory_remembers_its_pool(tmp_path, pool):
    """The pool is part of a shard directory's key, and its parents are in the state a
    resume reads back."""
    from neural.shards import ShardError, config_key, state_json, state_of, write_shards

    config = DataConfig(pool_parents=3)
    key = config_key(config, 5, 0, 1, pool_digest(pool))

    def make():
        return seed_search(Search(np.random.default_rng(5), config), pool)

    d = tmp_path / "s"
    write_shards(d, 1, 1, key, make, max_attempts=1)
    with pytest.raises(ShardError):
        write_shards(d, 1, 1, config_key(config, 5, 0, 1), make, max_attempts=1)
    search = make()
    back, _ = state_of(json.loads(json.dumps(state_json(search, []))), config)
    assert [p.clauses for p in back.parents] == [p.clauses for p in search.parents]
    assert back.family_left == search.family_left and back.known == search.known
    assert back.step() == search.step() and back.attempts == search.attempts


def test_recheck_keeps_the_examples_that_still_need_their_aux(tmp_path):
    """``python -m neural.pool``: a pool's example passes again (spelled canonically, the same
    bytes each time); one whose statement DD+AR proves alone, or a row that is not an
    example, is dropped."""
    from neural.pool import main as pool_main

    rows = gzip.open(DEFAULT, "rt", encoding="utf-8").read().splitlines()
    p = parse_problem(json.loads(rows[0])["problem"])
    renamed = {**json.loads(rows[0]), "problem": p.rename(dict(zip(p.points,
                                                                   "zyxwvutsrq"))).text()}
    unneeded = {"statement": ["a b c = triangle a b c", "d = midpoint d a b",
                              "e = midpoint e a c"],
                "problem": "a b c = triangle a b c; d = midpoint d a b; "
                           "e = midpoint e a c; f = midpoint f b c ? para d e b c"}
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([json.dumps(renamed), json.dumps(unneeded), "{}", rows[0]]) + "\n")
    out = tmp_path / "out.jsonl.gz"
    assert pool_main([str(src), "--out", str(out)]) == 0
    again = tmp_path / "again.jsonl.gz"
    assert pool_main([str(src), "--out", str(again), "--first", "2"]) == 0
    assert out.read_bytes() == again.read_bytes()
    assert gzip.open(out, "rt").read().splitlines() == [rows[0]]
    assert pool_main([str(tmp_path / "no.jsonl"), "--out", str(out)]) == 2
