"""Parent pools: the generator starting from sequences earlier runs found productive.

A fresh run spends its first 20-60 CPU seconds finding its first productive sequence (one random
sequence in 400-1000 gives a needed example, docs/journal/neural.md), after which variants of it
give new examples about a third of the time. At scale a generator runs in shards and resumes, so
it need not pay for that search each time: the examples earlier runs wrote are sequences that
needed their auxiliary clauses (statement clauses, then auxiliary ones), and each can be a
*parent* that variants are drawn of from the first attempt (``seed_search``).

A pool is read from example files (JSON lines, ``.gz`` too, e.g. an earlier ``--out`` or the
shipped ``DEFAULT``) or a shard directory (its ``shard-*.jsonl``, workers' ones included).
Each run takes a few of them, chosen by its own random generator (so deterministic per seed
and different between seeds), at most ``pool_per_family`` per family (the first two clauses)
so that no configuration fills the data; the pool's examples count as checked and seen, so a
run writes only examples not in its pool.

``python -m neural.pool IN --out OUT`` re-checks a file of examples with today's prover
(``check_example``: re-proved with the auxiliary clauses, and not without them) and writes
those that pass, spelled canonically: the shipped pool was made so, from the needed examples
of the shipped training data (its first 365 rows):

    python -m neural.pool neural/weights/proposer_data.jsonl.gz --first 365 \
        --out neural/weights/data_parents.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from symbolic.geometry.errors import GeometryError
from symbolic.geometry.problem import Clause, make_problem, parse_problem

from .canonical import canonical, canonical_text
from .examples import DataConfig, Example, check_example
from .generator import Search, _Parent
from .jsonl import files, lines

# the needed examples of the shipped training data (``weights/proposer_data.jsonl.gz``,
# seeds 1 and 2), each re-checked: DD+AR needs its auxiliary clauses today
DEFAULT = Path(__file__).resolve().parent / "weights" / "data_parents.jsonl.gz"


@dataclass(frozen=True)
class PoolEntry:
    """One example of a pool: its whole sequence (statement clauses, then auxiliary ones),
    how many of them are stated, and its canonical text (``neural.canonical``)."""

    clauses: tuple[Clause, ...]
    stated: int
    text: str

    @property
    def family(self) -> str:
        return "; ".join(map(str, self.clauses[:2]))


def read_pool(path: str | Path) -> list[PoolEntry]:
    """The distinct examples (by canonical text) of ``path``, in file order; rows that do not
    read as examples with auxiliary clauses are skipped. Raises OSError, ValueError."""
    out: list[PoolEntry] = []
    texts: set[str] = set()
    for file in files(path):
        for line in lines(file):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                problem = parse_problem(row["problem"], row.get("name", "pool"), str(file))
                n = len(row["statement"])
                if not 0 < n < len(problem.clauses):
                    continue
                text = canonical_text(problem.clauses[:n], problem.clauses[n:], problem.goal)
            except (GeometryError, KeyError, TypeError):
                continue
            if text not in texts:
                texts.add(text)
                out.append(PoolEntry(problem.clauses, n, text))
    return out


def merged(a: Sequence[PoolEntry], b: Sequence[PoolEntry]) -> list[PoolEntry]:
    """The entries of ``a``, then those of ``b`` not in ``a``."""
    texts = {e.text for e in a}
    return [*a, *(e for e in b if e.text not in texts)]


def pool_digest(pool: Sequence[PoolEntry]) -> str:
    """What a run's data depend on of its pool (for a shard directory's key)."""
    return hashlib.sha256("\n".join(e.text for e in pool).encode()).hexdigest()


def seed_search(search: Search, pool: Sequence[PoolEntry]) -> Search:
    """``search`` with parents from ``pool`` (before its first attempt): at most
    ``config.pool_parents`` of them, at most ``config.pool_per_family`` of a family, chosen
    by a generator drawn from ``search.rng``; each a family of its own kind (negative ids),
    bounded like the others (``family_variants``, ``mutations``, ``max_depth``). Every
    example of the pool is taken as checked and seen."""
    config = search.config
    if not pool or config.pool_parents <= 0:
        return search
    rng = np.random.default_rng(int(search.rng.integers(2**63)))
    per_family: dict[str, int] = {}
    ids: dict[str, int] = {}
    for i in rng.permutation(len(pool)):
        if len(search.parents) >= config.pool_parents:
            break
        entry = pool[int(i)]
        if per_family.get(entry.family, 0) >= config.pool_per_family:
            continue
        per_family[entry.family] = per_family.get(entry.family, 0) + 1
        family = ids.setdefault(entry.family, -1 - len(ids))
        search.family_left[family] = config.family_variants
        search.parents.append(_Parent(entry.clauses, tuple(range(1, len(entry.clauses))), 0,
                                      config.mutations, family))
    for entry in pool:
        search.known.add(entry.text)
        search.seen.add(entry.text)
    return search


def rechecked(path: str | Path, first: int | None = None) -> Iterator[Example]:
    """The distinct examples of ``path`` (its first ``first`` rows) that still check, each
    spelled canonically and checked as the generator checks them (``check_example``, seed
    0, ``require_needed``)."""
    texts: set[str] = set()
    for i, line in enumerate(x for f in files(path) for x in lines(f) if x.strip()):
        if first is not None and i >= first:
            break
        row = json.loads(line)
        try:
            problem = parse_problem(row["problem"], row.get("name", "pool"))
            n = len(row["statement"])
            stated, aux, goal = canonical(problem.clauses[:n], problem.clauses[n:],
                                          problem.goal)
            ex = check_example(make_problem("synthetic", stated, goal), aux, 0, DataConfig())
        except (GeometryError, KeyError, TypeError, ValueError):
            continue
        if ex is not None and ex.problem not in texts:
            texts.add(ex.problem)
            yield ex


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m neural.pool",
                                 description="re-check examples and write those that pass "
                                             "(a parent pool)")
    ap.add_argument("path", help="examples (JSON lines, .gz too) or a shard directory")
    ap.add_argument("--out", required=True, help="JSON lines, gzipped if it ends in .gz")
    ap.add_argument("--first", type=int, default=None, help="read only the first N rows")
    args = ap.parse_args(argv)
    try:
        rows = [json.dumps(e.to_json()) + "\n" for e in rechecked(args.path, args.first)]
    except (OSError, ValueError) as e:
        print(f"error: {args.path}: {e}", file=sys.stderr)
        return 2
    data = "".join(rows).encode()
    with open(args.out, "wb") as f:
        if args.out.endswith(".gz"):  # no name or time in the header: the same bytes each time
            with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
                g.write(data)
        else:
            f.write(data)
    print(f"{len(rows)} examples check -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
