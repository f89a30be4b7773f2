"""Resumable generation: examples written in shards of ``size`` with a manifest, so that a
run that is killed, or stopped by its time limit, continues where it stopped when it is run
again, without redoing the work of the shards it wrote.

A directory holds ``shard-00000.jsonl``, ``shard-00001.jsonl``, ... (``size`` examples each,
the last one possibly fewer), ``manifest.json`` (what made the shards, the shards with their
counts and SHA-256, the examples and attempts so far) and the generator's state after the
last shard (``state-N.json``: its random generator, the productive sequences it draws
variants of with their diagrams, the canonical texts it has checked, and the examples found
since the last full shard). The manifest is written last, atomically, so it always names a
state and shards that were written whole. On a resume the state is read back (the closures
of the kept diagrams are computed again: the same diagrams give the same closures) and the
run continues as if never stopped: the shards of a seed are the same however often the run
was stopped (the time limit is checked between attempts here, so an attempt is never cut).
A run that reached ``count`` can be extended by running it again with a larger ``count``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from symbolic.geometry.dd import DDARConfig
from symbolic.geometry.predicates import COLL
from symbolic.geometry.problem import Clause, Problem, make_problem
from symbolic.geometry.tables import Atom

from .examples import AR_TABLES, DataConfig, Drawn, Example
from .generator import Search, _Parent
from .jsonl import sha256_of
from .traceback import prefix_closures

MANIFEST = "manifest.json"
FORMAT = 1


class ShardError(Exception):
    """A shard directory that this run cannot continue (made by another seed or config, or
    unreadable)."""


def config_key(config: DataConfig, seed: int, job: int, jobs: int,
               parents: str | None = None) -> dict[str, Any]:
    """What a shard directory's data depend on: a resume must match it (``parents``: the
    digest of the parent pool it started from, ``neural.pool.pool_digest``)."""
    fields = json.loads(json.dumps(dataclasses.asdict(config), default=str, sort_keys=True))
    key = {"seed": seed, "job": job, "jobs": jobs, "config": fields}
    if parents is not None:
        key["parents"] = parents
    return key


# ------------------------------------------------------------------ the state as JSON


def _clauses_text(clauses: tuple[Clause, ...]) -> list[str]:
    return [str(c) for c in clauses]


def _clauses_of(texts: list[str]) -> tuple[Clause, ...]:
    """``_clauses_text`` read back, each clause in the context of those before it."""
    return Problem("state", (), Atom(COLL, ("a", "b", "c"))).parse_clauses(texts)


def _drawn_json(drawn: Drawn | None) -> dict | None:
    if drawn is None:
        return None
    return {"coords": {p: list(map(float, xy)) for p, xy in drawn.coords.items()},
            "prefixes": len(drawn.runs)}


def _drawn_of(data: dict | None, clauses: tuple[Clause, ...], config: DataConfig
              ) -> Drawn | None:
    """The drawing back, its closures computed again on the same coordinates."""
    if data is None:
        return None
    k = data["prefixes"]
    problem = make_problem("synthetic", clauses[:k], Atom(COLL, ("a", "b", "c")))
    coords = {p: np.array(xy) for p, xy in data["coords"].items()}
    runs = prefix_closures(problem, coords, DDARConfig(config.max_levels, ar_tables=AR_TABLES))
    if runs is None:
        return None
    return Drawn(coords, tuple(runs))


def state_json(search: Search, pending: list[Example]) -> dict[str, Any]:
    """The generator's state and the examples not yet in a shard, as JSON."""
    return {
        "rng": search.rng.bit_generator.state,
        "attempts": search.attempts,
        "family_left": [[k, v] for k, v in search.family_left.items()],
        "known": sorted(search.known),
        "seen": sorted(search.seen),
        "parents": [{"clauses": _clauses_text(p.clauses), "used": list(p.used),
                     "depth": p.depth, "tries_left": p.tries_left, "family": p.family,
                     "drawn": _drawn_json(p.drawn)} for p in search.parents],
        "pending": [e.to_json() for e in pending],
    }


def state_of(data: dict[str, Any], config: DataConfig) -> tuple[Search, list[Example]]:
    """``state_json`` read back."""
    rng = np.random.default_rng()
    rng.bit_generator.state = data["rng"]
    parents = []
    for p in data["parents"]:
        clauses = _clauses_of(p["clauses"])
        parents.append(_Parent(clauses, tuple(p["used"]), p["depth"], p["tries_left"],
                               p["family"], _drawn_of(p["drawn"], clauses, config)))
    search = Search(rng, config, parents, {int(k): v for k, v in data["family_left"]},
                    set(data["known"]), set(data["seen"]), data["attempts"])
    pending = []
    for e in data["pending"]:
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                  for k, v in e.items()}
        pending.append(Example(**fields))
    return search, pending


# ------------------------------------------------------------------ the directory


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _load(directory: Path, key: dict[str, Any], config: DataConfig
          ) -> tuple[dict[str, Any], Search | None, list[Example]]:
    """The manifest, and the state it names (None: a new directory)."""
    path = directory / MANIFEST
    if not path.exists():
        return {"format": FORMAT, "key": key, "shards": [], "examples": 0}, None, []
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("key") != key:
            raise ShardError(f"{directory} was made with other settings ({manifest.get('key')})"
                             f"; use another directory or the same seed and options")
        for shard in manifest["shards"]:
            if sha256_of(directory / shard["file"]) != shard["sha256"]:
                raise ShardError(f"{directory / shard['file']} changed since it was written")
        state = json.loads((directory / manifest["state"]).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as e:
        raise ShardError(f"cannot resume from {directory}: {e}") from None
    search, pending = state_of(state, config)
    return manifest, search, pending


def _commit(directory: Path, manifest: dict[str, Any], search: Search,
            pending: list[Example]) -> None:
    """Write the state, then the manifest naming it (the commit), then drop the old state."""
    old = manifest.get("state")
    n = int(old.split("-")[1].split(".")[0]) + 1 if old else 0
    name = f"state-{n}.json"
    _write_atomic(directory / name, json.dumps(state_json(search, pending)))
    manifest["state"] = name
    manifest["attempts"] = search.attempts
    _write_atomic(directory / MANIFEST, json.dumps(manifest, indent=1))
    if old and old != name:
        (directory / old).unlink(missing_ok=True)


def _write_shard(directory: Path, manifest: dict[str, Any], examples: list[Example]) -> None:
    """Write (or, for a partial last shard extended, rewrite) the next shard."""
    shards = manifest["shards"]
    if shards and shards[-1]["partial"]:
        shards.pop()
    i = len(shards)
    path = directory / f"shard-{i:05d}.jsonl"
    _write_atomic(path, "".join(json.dumps(e.to_json()) + "\n" for e in examples))
    shards.append({"file": path.name, "count": len(examples), "sha256": sha256_of(path),
                   "partial": False})


def write_shards(directory: str | Path, count: int, size: int, key: dict[str, Any],
                 make_search: Callable[[], Search], deadline: float | None = None,
                 max_attempts: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Generate into ``directory`` until it holds ``count`` examples (or ``deadline``, a
    ``time.monotonic()`` value, passes between two attempts, or ``max_attempts`` attempts
    were made in all), resuming from what it holds; the number of examples it holds. The
    shards cut the stream of examples the attempts give, in order, into pieces of ``size``:
    examples an attempt gives beyond ``count`` are kept in the state for a later, larger
    ``count``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = make_search().config
    manifest, search, pending = _load(directory, key, config)
    search = search or make_search()
    full = sum(s["count"] for s in manifest["shards"] if not s["partial"])
    limit = max_attempts if max_attempts is not None else 2000 * max(count, 1)
    if progress is not None:  # where it starts: what a resumed directory holds already
        progress(min(count, full + len(pending)), search.attempts)
    while True:
        # whole shards first, also of examples a resumed state already held
        while len(pending) >= size and full + size <= count:
            _write_shard(directory, manifest, pending[:size])
            pending, full = pending[size:], full + size
            manifest["examples"] = full
            _commit(directory, manifest, search, pending)
        if not (full + len(pending) < count and search.attempts < limit and (
                deadline is None or time.monotonic() < deadline)):
            break
        pending.extend(search.step())
        if progress is not None:
            progress(min(count, full + len(pending)), search.attempts)
    held = min(count, full + len(pending))
    if held > full:  # the rest up to ``count`` makes a partial shard, rewritten when extended
        _write_shard(directory, manifest, pending[:held - full])
        manifest["shards"][-1]["partial"] = True
    manifest["examples"] = held
    _commit(directory, manifest, search, pending)
    return held
