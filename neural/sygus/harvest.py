"""Teacher solutions for train-split files: cvc5 (PyPI ``cvc5``) solves each file in a forked
process under a hard wall-clock limit; every solved file becomes one JSONL record
``{"file", "track", "engine", "status", "seconds", "solution"}`` (``file`` relative to the
benchmark root). Only train-split files are ever read (``splits.split_of``).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .splits import split_files, split_of


def _child(conn, path: str) -> None:
    from symbolic.sygus.oracle import cvc5_solve

    start = time.perf_counter()
    try:
        text = cvc5_solve(path)
        status = "solved" if "define-fun" in text else "unknown"
    except Exception as e:  # a parse error of cvc5: report, never hang
        text, status = f"{type(e).__name__}: {e}"[:200], "error"
    conn.send((status, time.perf_counter() - start, text))


def solve_one(path: Path, timeout: float) -> tuple[str, float, str]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, str(path)), daemon=True)
    start = time.perf_counter()
    proc.start()
    child.close()
    out = ("timeout", timeout, "")
    if parent.poll(timeout):
        try:
            out = parent.recv()
        except EOFError:
            out = ("error", time.perf_counter() - start, "died")
    if proc.is_alive():
        proc.kill()
    proc.join()
    return out


def harvest(root: Path, out: Path, per_track: int, timeout: float, jobs: int) -> dict[str, int]:
    """Solve a deterministic sample of ``per_track`` train files per track; append solved
    records to ``out``. Returns solved counts per track."""
    import cvc5  # noqa: F401  (loaded before forking)

    todo = [(t, f) for t, files in split_files(root, "train", per_track).items() for f in files]
    assert all(split_of(f) == "train" for _, f in todo)
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        results = list(pool.map(lambda tf: solve_one(root / tf[1], timeout), todo))
    solved: dict[str, int] = {}
    with out.open("w") as fh:
        for (track, rel), (status, seconds, text) in zip(todo, results):
            solved.setdefault(track, 0)
            if status != "solved":
                continue
            solved[track] += 1
            fh.write(json.dumps({"file": rel, "track": track, "engine": "cvc5",
                                 "status": status, "seconds": round(seconds, 3),
                                 "solution": text}) + "\n")
    return solved
