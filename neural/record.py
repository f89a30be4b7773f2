"""A record of generated training data, kept in the repository while the data stay out of it.

``neural.data --shard-dir DIR`` writes its examples in shards with a manifest (what made them:
seed, settings; every shard with its count and SHA-256). Such directories grow to hundreds of
megabytes, too large for the repository; their record is small: the manifests, figures read
off the examples (how many, how many distinct (statement, auxiliary) pairs and statements,
the kinds of goal and of auxiliary construction) and a sample of them, with its own SHA-256.
Only whole shards are recorded: the partial one a run stopped by its time limit ends with is
rewritten when the run resumes (its examples are counted apart, ``in_partial_shards``).
``--check`` compares a directory with a record: every shard the record names must be there,
unchanged (a run continued since may have added more), which is how data copied between
machines, or regenerated from the same seed and settings by the same build, is checked.

    python -m neural.record .data/heuristic-hageo-s100 --out neural/data_record --sample 100
    python -m neural.record --check .data/heuristic-hageo-s100 \\
        neural/data_record/heuristic-hageo-s100.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import jsonl
from .jsonl import sha256_of
from .shards import MANIFEST

FORMAT = 1


class RecordError(Exception):
    """A directory or record that cannot be read, or data that do not match their manifest."""


def parts(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """(the part's path under ``directory``, its manifest) of a shard directory: the directory
    itself, or its workers' (``worker-i``, written by ``neural.data --jobs N``)."""
    found = ([directory / MANIFEST] if (directory / MANIFEST).exists()
             else sorted(directory.glob(f"worker-*/{MANIFEST}")))
    if not found:
        raise RecordError(f"{directory}: no {MANIFEST} (not a shard directory of neural.data)")
    out = []
    for path in found:
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise RecordError(f"{path}: not a readable manifest ({e})") from None
        if not isinstance(manifest, dict) or "key" not in manifest \
                or not isinstance(manifest.get("shards"), list):
            raise RecordError(f"{path}: not a manifest of neural.data (no key or shards)")
        out.append((path.parent.relative_to(directory).as_posix(), manifest))
    return out


def _construction(clause: str) -> list[str]:
    """The construction names of one clause text (``x = on_line x a b, on_circle x o a``)."""
    body = clause.split("=", 1)[-1]
    return [step.split()[0] for step in body.split(",") if step.split()]


def record(directory: str | Path, sample: int = 100) -> tuple[dict[str, Any], list[dict]]:
    """The record of a shard directory (see the module docstring) and its sample: every
    ``n / sample``-th example in shard order. Raises RecordError on a shard missing or changed
    since its manifest was written, or a line that is not JSON."""
    directory = Path(directory)
    rows: list[dict] = []
    recorded = []
    unfinished = 0
    for where, manifest in parts(directory):
        # a run stopped by its time limit ends in a partial shard, rewritten when the run is
        # resumed: only whole shards stay as they are, so only they are recorded
        whole = [s for s in manifest["shards"] if not s.get("partial")]
        unfinished += sum(s["count"] for s in manifest["shards"] if s.get("partial"))
        for shard in whole:
            path = directory / where / shard["file"]
            try:
                if sha256_of(path) != shard["sha256"]:
                    raise RecordError(f"{path}: changed since its manifest was written")
            except OSError as e:
                raise RecordError(f"{path}: {e.strerror or e}") from None
            try:
                rows.extend(value for _, _, value in jsonl.read([path]))
            except ValueError as e:
                raise RecordError(str(e)) from None
        recorded.append({"path": where, "key": manifest["key"], "shards": whole,
                         "examples": sum(s["count"] for s in whole)})
    step = max(1, -(-len(rows) // sample)) if sample > 0 else 0
    chosen = rows[::step][:sample] if step else []
    pairs = {(tuple(r["statement"]), tuple(r.get("auxiliary", ()))) for r in rows}
    goals = Counter(r["goal"].split()[0] for r in rows)
    aux = Counter(name for r in rows for c in r.get("auxiliary", ()) for name in _construction(c))
    out = {"format": FORMAT, "name": directory.name, "parts": recorded,
           "examples": len(rows), "distinct_pairs": len(pairs),
           "statements": len({p[0] for p in pairs}),
           "needing_auxiliary": sum(1 for r in rows if r.get("auxiliary")),
           "in_partial_shards": unfinished,
           "goal_kinds": dict(goals.most_common()), "auxiliary_kinds": dict(aux.most_common())}
    return out, chosen


def write(directory: str | Path, out_dir: str | Path, sample: int = 100) -> Path:
    """Write ``NAME.json`` (the record) and ``NAME.sample.jsonl.gz`` (its sample, named in the
    record with its SHA-256) into ``out_dir``; the record's path."""
    rec, chosen = record(directory, sample)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sample_path = out_dir / f"{rec['name']}.sample.jsonl.gz"
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in chosen).encode()
    # mtime 0: the same sample gives the same bytes, so its checksum names its content
    with gzip.GzipFile(sample_path, "wb", mtime=0) as f:
        f.write(text)
    rec["sample"] = {"file": sample_path.name, "examples": len(chosen),
                     "sha256": sha256_of(sample_path)}
    path = out_dir / f"{rec['name']}.json"
    path.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
    return path


def check(directory: str | Path, record_path: str | Path) -> list[str]:
    """What differs between a shard directory and a record: each part's settings, and every
    shard the record names (missing or changed). Empty when the directory holds the recorded
    data (and possibly more shards after them)."""
    try:
        rec = json.loads(Path(record_path).read_text(encoding="utf-8"))
        wanted = rec["parts"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RecordError(f"{record_path}: not a readable record ({e})") from None
    directory = Path(directory)
    have = dict(parts(directory))
    problems = []
    for part in wanted:
        where = part["path"]
        manifest = have.get(where)
        if manifest is None:
            problems.append(f"{directory / where}: no {MANIFEST}")
            continue
        if manifest["key"] != part["key"]:
            problems.append(f"{directory / where}: made with other settings than recorded")
        for shard in part["shards"]:
            path = directory / where / shard["file"]
            if not path.exists():
                problems.append(f"{path}: missing")
            elif sha256_of(path) != shard["sha256"]:
                problems.append(f"{path}: not the recorded shard")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m neural.record",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", metavar="DIR",
                    help="shard directories of neural.data --shard-dir (with --check: one "
                         "directory, then its record)")
    ap.add_argument("--out", default="neural/data_record",
                    help="where the records and samples go (default: %(default)s)")
    ap.add_argument("--sample", type=int, default=100,
                    help="examples kept as the sample of each directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="compare DIR with the record RECORD.json instead: exit 1 when a "
                         "recorded shard is missing or changed")
    args = ap.parse_args(argv)
    try:
        if args.check:
            if len(args.dirs) != 2:
                ap.error("--check takes a directory and a record")
            problems = check(args.dirs[0], args.dirs[1])
            for p in problems:
                print(p)
            print("matches the record" if not problems else f"{len(problems)} differences")
            return 1 if problems else 0
        for d in args.dirs:
            path = write(d, args.out, args.sample)
            rec = json.loads(path.read_text(encoding="utf-8"))
            print(f"{path}: {rec['examples']} examples ({rec['needing_auxiliary']} with "
                  f"auxiliary points), {rec['distinct_pairs']} distinct (statement, "
                  f"auxiliary) pairs, {rec['statements']} statements; sample of "
                  f"{rec['sample']['examples']}"
                  + (f"; {rec['in_partial_shards']} more in a partial shard, not recorded"
                     if rec["in_partial_shards"] else ""))
    except RecordError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
