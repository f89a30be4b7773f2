"""Output paths of the command-line tools, checked before any work runs.

Shared by ``solve-problem`` and ``verify-net`` (which must not import the orchestrator), so
that a typo in an output path costs a one-line error at once, not a finished batch.
"""

from __future__ import annotations

import os
from pathlib import Path


def unwritable(path: str | Path, folder: bool = False) -> str | None:
    """Why an output file (``folder``: an output folder, created if missing) cannot be
    written at ``path``, or None."""
    p = Path(path)
    try:
        return _unwritable(p, folder)
    except OSError as e:  # a name too long, a folder without permission...
        return f"cannot use the path ({e.strerror or e})"


def _unwritable(p: Path, folder: bool) -> str | None:
    if p.exists():
        if folder != p.is_dir():
            return "is a folder, not a file" if p.is_dir() else "is a file, not a folder"
        return None if os.access(p, os.W_OK) else "not writable"
    parent = p.parent
    if not parent.is_dir():
        return f"folder {parent} does not exist"
    return None if os.access(parent, os.W_OK) else f"folder {parent} is not writable"
