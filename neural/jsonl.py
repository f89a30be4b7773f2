"""JSON-lines files, plain or gzipped (by the ``.gz`` suffix): data, examples and result rows."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path


def files(path: str | Path) -> list[Path]:
    """The JSON-lines files ``path`` names: itself, or a shard directory's shards
    (``shard-*.jsonl``, its workers' included; sorted, so read in the same order always)."""
    path = Path(path)
    if path.is_dir():
        return sorted(path.rglob("shard-*.jsonl"))
    return [path]


def lines(path: str | Path) -> Iterator[str]:
    """The text lines of ``path``, read as gzip when its name ends in ``.gz``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        yield from f


def rows(path: str | Path) -> list[dict]:
    """The JSON objects of ``path``'s non-blank lines. Raises OSError, ValueError."""
    return [json.loads(line) for line in lines(path) if line.strip()]
