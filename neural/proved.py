"""Training examples from problems the search proved: the self-improvement loop's data.

``solve-problem FILE --json`` rows of proved geometry problems with auxiliary clauses become
examples in ``neural.data``'s format: the statement and the auxiliary clauses the search found,
renamed into canonical point names (``a, b, c, ...`` in the order the clauses create them, as
the model sees problems), the goal, and the checked proof's length and rules. Each example is
re-proved from its text (``neural.data.check_example``: a fresh diagram, DD+AR, the proof
replayed on an independent one) and, by default, kept only when DD+AR cannot prove the statement
without the auxiliary clauses. Problems named in ``--exclude`` files (say, the half of a
benchmark an evaluation reports on) are dropped, so a model is never trained on the answers of
the problems it is then measured on.

    solve-problem ../shared/benchmarks/geometry/jgex_ag_231.txt --json > rows.jsonl
    python -m neural.proved rows.jsonl --out proved.jsonl --exclude heldout.txt
    python -m neural.train neural/weights/proposer_data.jsonl.gz proved.jsonl --out model.pt
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence, Set
from pathlib import Path

from symbolic.geometry.errors import GeometryError
from symbolic.geometry.problem import Problem, read_problems

from . import jsonl
from .data import DataConfig, Example, check_example
from .tokenizer import point_names


def names_in(path: Path) -> set[str]:
    """Problem names listed in ``path``: a problem file (name line, problem line), or one
    name per line."""
    problems = [p for p in read_problems(path) if isinstance(p, Problem)]
    if problems:
        return {p.name for p in problems}
    return {ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()}


def examples_from_rows(rows: Iterable[dict], config: DataConfig | None = None,
                       exclude: Set[str] = frozenset(), seed: int = 0,
                       report=None) -> Iterator[Example]:
    """Checked examples from proved rows with auxiliary clauses (one per distinct problem);
    ``report(row, reason)`` hears why a row gave none."""
    config = config or DataConfig()
    files: dict[str, dict[str, Problem]] = {}
    seen: set[str] = set()
    for row in rows:
        if row.get("domain", "geometry") != "geometry" or row.get("status") != "proved" \
                or not row.get("auxiliary"):
            continue
        name, file = str(row.get("problem")), str(row.get("file"))
        if name in exclude:
            if report:
                report(row, "excluded")
            continue
        if file not in files:
            try:
                files[file] = {p.name: p for p in read_problems(file) if isinstance(p, Problem)}
            except (GeometryError, OSError):
                files[file] = {}
        statement = files[file].get(name)
        if statement is None:
            if report:
                report(row, f"problem not found in {file}")
            continue
        try:
            aux = statement.parse_clauses(row["auxiliary"])
            extended = statement.with_auxiliary(aux)
        except GeometryError as e:
            if report:
                report(row, f"auxiliary clauses do not fit: {e}")
            continue
        mapping = dict(zip(extended.points, point_names(len(extended.points))))
        ex = check_example(statement.rename(mapping), [c.rename(mapping) for c in aux], seed,
                           config)
        if ex is None:
            if report:
                report(row, "not proved again, or provable without the auxiliary clauses")
            continue
        if ex.problem not in seen:
            seen.add(ex.problem)
            yield ex


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m neural.proved",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("rows", nargs="+", type=Path,
                    help="JSON-lines files of solve-problem --json rows (.gz: gzipped)")
    ap.add_argument("--out", required=True, type=Path, help="output JSON-lines file")
    ap.add_argument("--exclude", type=Path, action="append", default=[],
                    help="drop the problems named in this file (a problem file, or one name "
                         "per line); repeatable")
    ap.add_argument("--allow-unneeded", action="store_true",
                    help="keep a problem DD+AR proves without the auxiliary clauses too")
    ap.add_argument("--seed", type=int, default=0, help="diagram seed of the re-proof")
    args = ap.parse_args(argv)
    exclude: set[str] = set()
    for path in args.exclude:
        try:
            exclude |= names_in(path)
        except (GeometryError, OSError) as e:
            print(f"error: --exclude {path}: {e}", file=sys.stderr)
            return 2
    rows = []
    for path in args.rows:
        try:
            lines = list(jsonl.lines(path))
        except (OSError, EOFError, UnicodeDecodeError) as e:
            print(f"error: {path}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
            return 2
        for i, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                print(f"error: {path}:{i}: not a JSON row ({e.msg})", file=sys.stderr)
                return 2
    dropped: dict[str, int] = {}

    def report(row: dict, reason: str) -> None:
        dropped[reason] = dropped.get(reason, 0) + 1

    config = DataConfig(require_needed=not args.allow_unneeded)
    n = 0
    with open(args.out, "w", encoding="utf-8") as f:
        for ex in examples_from_rows(rows, config, exclude, args.seed, report):
            f.write(json.dumps(ex.to_json()) + "\n")
            n += 1
    why = "; ".join(f"{k}: {v}" for k, v in sorted(dropped.items()))
    print(f"{n} examples from {len(rows)} rows -> {args.out}" + (f" (dropped: {why})"
                                                                  if why else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
