"""JSON-lines files, plain or gzipped (by the ``.gz`` suffix): data, examples and result rows."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def files(path: str | Path) -> list[Path]:
    """The JSON-lines files ``path`` names: itself, or a shard directory's shards
    (``shard-*.jsonl``, its workers' included; sorted, so read in the same order always)."""
    path = Path(path)
    if path.is_dir():
        return sorted(path.rglob("shard-*.jsonl"))
    return [path]


def sha256_of(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, in hex (data shards, samples, weights)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def lines(path: str | Path) -> Iterator[str]:
    """The text lines of ``path``, read as gzip when its name ends in ``.gz``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        yield from f


def read(names: Iterable[str | Path], digest: Any = None) -> Iterator[tuple[Path, int, Any]]:
    """(file, line number, value) of every non-blank line of the files or shard directories
    ``names`` (``files``), each line's text fed to ``digest`` (a hashlib object) when given.
    Raises ValueError naming the directory with no shards, the file that cannot be read or
    the file and line that is not JSON."""
    for given in names:
        found = files(given)
        if not found:
            raise ValueError(f"{given}: no shard-*.jsonl in this directory")
        for path in found:
            try:
                for n, line in enumerate(lines(path), 1):
                    if digest is not None:
                        digest.update(line.encode())
                    if not line.strip():
                        continue
                    try:
                        value = json.loads(line)
                    except json.JSONDecodeError as e:
                        raise ValueError(f"{path}:{n}: not a JSON line ({e.msg})") from None
                    yield path, n, value
            except OSError as e:
                raise ValueError(f"cannot read {path}: {e.strerror or e}") from None


def rows(path: str | Path) -> list[dict]:
    """The JSON objects of ``path``'s non-blank lines. Raises OSError, ValueError."""
    return [json.loads(line) for line in lines(path) if line.strip()]
