"""Teacher solutions for train-split files. A teacher solves each file in a forked process under
a hard wall-clock limit; every solved file becomes one JSONL record
``{"file", "track", "engine", "status", "seconds", "solution"}`` (``file`` relative to the
benchmark root). Only train-split files are ever read (``splits.split_of``).

Teachers: ``cvc5`` (PyPI ``cvc5``) and ``neurosym``, our own synthesizer under uniform rule
weights (self-training: its answers show which productions *our* enumerator and its
strategies end up using; every answer has passed its z3 and evaluator checks).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .splits import split_files, split_of

ENGINES = ("cvc5", "neurosym")


def _ours(path: str, timeout: float) -> str:
    from symbolic.sygus.pcfg import UniformProposer
    from symbolic.sygus.solver import Outcome, SynthConfig, synthesize
    from symbolic.sygus.spec import read_spec

    result = synthesize(read_spec(path), SynthConfig(timeout=timeout,
                                                     proposer=UniformProposer()))
    return (result.text or "") if result.outcome is Outcome.SOLVED else ""


def _child(conn, path: str, engine: str, timeout: float) -> None:
    from symbolic.sygus.oracle import cvc5_solve

    start = time.perf_counter()
    try:
        text = cvc5_solve(path) if engine == "cvc5" else _ours(path, timeout)
        status = "solved" if "define-fun" in text else "unknown"
    except Exception as e:  # a parse error: report, never hang
        text, status = f"{type(e).__name__}: {e}"[:200], "error"
    conn.send((status, time.perf_counter() - start, text))


def solve_one(path: Path, timeout: float, engine: str = "cvc5") -> tuple[str, float, str]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    # our engine stops itself at ``timeout``; the hard limit leaves it time to answer
    limit = timeout + 2.0 if engine == "neurosym" else timeout
    proc = ctx.Process(target=_child, args=(child, str(path), engine, timeout), daemon=True)
    start = time.perf_counter()
    proc.start()
    child.close()
    out = ("timeout", limit, "")
    if parent.poll(limit):
        try:
            out = parent.recv()
        except EOFError:
            out = ("error", time.perf_counter() - start, "died")
    if proc.is_alive():
        proc.kill()
    proc.join()
    return out


def harvest(root: Path, out: Path, per_track: int, timeout: float, jobs: int,
            engine: str = "cvc5", offset: int = 0) -> dict[str, int]:
    """Solve a deterministic sample of ``per_track`` train files per track (skipping the
    first ``offset`` of each track's sample order); write solved records to ``out``.
    Returns solved counts per track."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if engine == "cvc5":
        import cvc5  # noqa: F401  (loaded before forking)
    else:
        import z3  # noqa: F401

        import symbolic.sygus.solver  # noqa: F401
        from symbolic.sygus.kernels import warm_up

        warm_up()  # compile the kernels once, before forking
    todo = [(t, f) for t, files in split_files(root, "train", per_track, offset=offset).items()
            for f in files]
    assert all(split_of(f) == "train" for _, f in todo)
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        results = list(pool.map(lambda tf: solve_one(root / tf[1], timeout, engine), todo))
    solved: dict[str, int] = {}
    with out.open("w") as fh:
        for (track, rel), (status, seconds, text) in zip(todo, results):
            solved.setdefault(track, 0)
            if status != "solved":
                continue
            solved[track] += 1
            fh.write(json.dumps({"file": rel, "track": track, "engine": engine,
                                 "status": status, "seconds": round(seconds, 3),
                                 "solution": text}) + "\n")
    return solved
