"""Which constructions the auxiliary clauses of training data use, against a reference set.

Reads example files (JSON lines of ``neural.data`` / ``neural.proved``, ``.gz`` too; several
files joined with commas count as one set) and prints, per set, the examples, the distinct
(statement, auxiliary clauses) pairs, the auxiliary clauses, the most common construction
kinds (a clause's constructions, sorted: ``on_line+on_pline``) and the total variation
distance of its kind distribution from the first set's (0: the same spread, 1: no kind in
common):

    python -m neural.proved rows.jsonl --out olympiad.jsonl     # proofs of hageo_dev.txt
    python bench/aux_kinds.py olympiad.jsonl neural/weights/proposer_data.jsonl.gz heuristic.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from neural.jsonl import rows as read_rows  # noqa: E402


def kind(clause: str) -> str:
    """``x = on_pline x c a b, on_line x d e`` -> ``on_line+on_pline``."""
    steps = clause.split("=", 1)[1].split(",")
    return "+".join(sorted(step.split()[0] for step in steps))


def read(spec: str) -> list[dict]:
    return [row for name in spec.split(",") for row in read_rows(name)]


def kinds(rows: Iterable[dict]) -> Counter[str]:
    return Counter(kind(a) for r in rows for a in r["auxiliary"])


def distance(a: Counter[str], b: Counter[str]) -> float:
    """Total variation distance between two kind counts (as distributions)."""
    na, nb = sum(a.values()), sum(b.values())
    if not na or not nb:
        return 1.0
    return 0.5 * sum(abs(a[k] / na - b[k] / nb) for k in set(a) | set(b))


def summary(rows: Sequence[dict], reference: Counter[str], top: int = 5) -> dict:
    count = kinds(rows)
    n = sum(count.values())
    return {"examples": len(rows),
            "distinct_pairs": len({(tuple(r["statement"]), tuple(r["auxiliary"]))
                                   for r in rows}),
            "aux_clauses": n, "distance": round(distance(count, reference), 3),
            "top": [(k, round(v / n, 3)) for k, v in count.most_common(top)]}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("reference", help="the reference examples (FILE[,FILE...])")
    p.add_argument("data", nargs="+", help="example sets to compare (FILE[,FILE...] each)")
    p.add_argument("--json", action="store_true", help="one JSON object per set")
    args = p.parse_args(argv)
    try:
        sets = [(spec, read(spec)) for spec in [args.reference, *args.data]]
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        reference = kinds(sets[0][1])
    except (KeyError, IndexError, AttributeError) as e:
        print(f"error: {args.reference}: not examples ({e!r})", file=sys.stderr)
        return 2
    if not args.json:
        print("| data | examples | distinct (statement, aux) | aux clauses | distance from "
              "the reference | most common kinds |")
        print("|---|---|---|---|---|---|")
    for spec, rows in sets:
        try:
            row = summary(rows, reference)
        except (KeyError, IndexError, AttributeError) as e:
            print(f"error: {spec}: not examples ({e!r})", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps({"data": spec, **row}))
        else:
            top = ", ".join(f"{k} {v:.0%}" for k, v in row["top"])
            print(f"| {spec} | {row['examples']} | {row['distinct_pairs']} | "
                  f"{row['aux_clauses']} | {row['distance']:.2f} | {top} |")
    return 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
