"""The train/dev split of the SyGuS benchmark files: a hash of the file's path relative to the
benchmark root (``Track/name.sl``), so the split never depends on the file list, its order or
a seed. About ``TRAIN_PERCENT`` % of each track is train; the rest is the development split.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

TRAIN_PERCENT = 70
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "sygus"


def _bucket(rel: str, salt: str = "") -> int:
    return int.from_bytes(hashlib.sha256((salt + rel).encode()).digest()[:8], "big")


def split_of(rel: str) -> str:
    """``train`` or ``dev`` for a path relative to the benchmark root (``/`` separators)."""
    return "train" if _bucket(rel.replace("\\", "/")) % 100 < TRAIN_PERCENT else "dev"


def track_files(root: Path) -> dict[str, list[str]]:
    """Relative paths of the ``.sl`` files of every track folder, sorted."""
    out = {}
    for track in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(p.relative_to(root).as_posix() for p in track.rglob("*.sl"))
        if files:
            out[track.name] = files
    return out


def split_files(root: Path, split: str, per_track: int | None = None,
                salt: str = "sample", offset: int = 0) -> dict[str, list[str]]:
    """The files of ``split`` per track; ``per_track`` keeps a deterministic sample (the
    files ranked ``offset`` to ``offset + per_track - 1`` by a salted hash), sorted."""
    out = {}
    for track, files in track_files(root).items():
        chosen = [f for f in files if split_of(f) == split]
        if per_track is not None:
            ranked = sorted(chosen, key=lambda f: _bucket(f, salt))
            chosen = sorted(ranked[offset:offset + per_track])
        out[track] = chosen
    return out
