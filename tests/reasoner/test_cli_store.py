"""solve-problem writing --kg-store: a run killed with SIGKILL leaves a store that opens and
holds every problem it reported; two runs on one store both record everything; a store held
by another process past --store-wait is a one-line error with exit 2."""

from __future__ import annotations

import json
import string

import pytest

pytest.importorskip("oxrdflib")

from processes import HOLDER, Child  # noqa: E402
from rdflib import URIRef  # noqa: E402

from kg.memory import Memory  # noqa: E402
from kg.proofs import read_proof  # noqa: E402
from reasoner import cli  # noqa: E402
from reasoner.cli import main  # noqa: E402


def midlines(path, names, first: int = 0):
    """Midline problems, one per name, each with its own points (so each is a new record)."""
    lines = []
    for k, name in enumerate(names, start=first):
        a, b, c, d, e = (string.ascii_lowercase[(k + j) % 26] + str(k) for j in range(5))
        lines += [name, f"{a} {b} {c} = triangle {a} {b} {c}; {d} = midpoint {d} {a} {b}; "
                        f"{e} = midpoint {e} {a} {c} ? para {d} {e} {b} {c}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def solve(batch, tmp_path, store, *more):
    return ("-m", "reasoner.cli", batch, "--json", "--jobs", "1", "--no-aux", "--timeout",
            "60", "--kg", tmp_path / f"{batch.stem}.ttl", "--kg-store", store, *more)


def recorded(store) -> set[str]:
    """Names of the problems in the store, each checked whole (its proof reads back)."""
    with Memory(store, read_only=True) as m:
        rows = m.query("SELECT ?name ?proof WHERE { ?p a ns:Problem ; ns:name ?name ; "
                       "ns:proof ?proof }")
        for _, proof in rows:
            assert read_proof(m.graph, URIRef(proof)).steps
        return {name for name, _ in rows}


def test_a_killed_run_leaves_a_store_with_every_problem_it_reported(tmp_path):
    names = [f"m{i:02d}" for i in range(40)]
    batch = midlines(tmp_path / "batch.txt", names)
    store = tmp_path / "store"
    run = Child(*solve(batch, tmp_path, store))
    run.wait_for(lambda lines: len(lines) >= 3)
    rows = [json.loads(line) for line in run.kill()]
    reported = {r["problem"] for r in rows}
    assert all(r["status"] == "proved" for r in rows) and len(rows) < len(names)
    # a row is printed after its problem is committed; at most the next one was committed
    # too, between its commit and its row
    assert reported <= recorded(store) <= reported | {names[len(rows)]}
    assert main([str(a) for a in solve(batch, tmp_path, store, "--problem", "m39")[2:]]) == 0
    assert "m39" in recorded(store)  # the store takes writes again


def test_two_runs_on_one_store_both_record_everything(tmp_path):
    store = tmp_path / "store"
    names = [[f"a{i}" for i in range(3)], [f"b{i}" for i in range(3)]]
    runs = [Child(*solve(midlines(tmp_path / f"{ns[0]}.txt", ns, first=3 * k), tmp_path,
                         store))
            for k, ns in enumerate(names)]
    for run in runs:
        assert run.finish() == 0, run.stderr()
        assert len(run.lines) == 3
    assert recorded(store) == set(names[0] + names[1])


@pytest.mark.parametrize("flag", ["--kg-store", "--memory"])
def test_a_store_another_run_holds_is_a_one_line_error(capsys, tmp_path, flag):
    store = tmp_path / "store"
    batch = midlines(tmp_path / "batch.txt", ["m0"])
    argv = [str(a) for a in solve(batch, tmp_path, tmp_path / "other")[2:]]
    argv += [flag, str(store), "--store-wait", "0.2"]
    holder = Child("-c", HOLDER, store, stdin=True)
    try:
        holder.wait_for(lambda lines: lines == ["holding"])
        assert main(argv) == 2
    finally:
        assert holder.finish() == 0
    out, err = capsys.readouterr()
    assert out == ""  # checked before any problem is solved
    assert err == (f"solve-problem: error: {flag} {store}: knowledge store {store} is held by "
                   "another run (open for writing there; waited 0.2 s); let it finish or use "
                   "another store\n")


def test_a_store_taken_during_the_run_is_a_one_line_error(capsys, tmp_path, monkeypatch):
    store = tmp_path / "store"
    batch = midlines(tmp_path / "batch.txt", ["m0", "m1"])
    monkeypatch.setattr(cli, "open_memory", lambda *a, **k: None)  # taken after the check
    holder = Child("-c", HOLDER, store, stdin=True)
    try:
        holder.wait_for(lambda lines: lines == ["holding"])
        code = main([str(a) for a in solve(batch, tmp_path, store, "--store-wait", "0.2")[2:]])
    finally:
        assert holder.finish() == 0
    out, err = capsys.readouterr()
    assert code == 2 and out == ""  # the first proof could not be recorded: no row claims it
    assert err.startswith(f"solve-problem: error: knowledge store {store} is held by another")
    assert err.count("\n") == 1
