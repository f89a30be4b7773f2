"""Differential soundness checks at scale for the verifier and the grammar matcher (a private
driver, to be folded into ``bench/differential.py``).

    python bench/differential_vg.py verify --cases 1000 --jobs 2
    python bench/differential_vg.py grammar --cases 1000 --jobs 2 --seed 0

Each engine lives in ``tests/differential/engines/<name>.py`` with ``generate(rng, index)``,
``check(case)`` and ``describe(case)``; case ``i`` is drawn from
``numpy.random.default_rng([seed, i])``, so any case can be replayed alone (``--only I``).
Prints the cases per (kind, outcome), the per-string checks the engine counts, the wall time,
and every case that is not ``agree`` (in full with ``--describe``). Exit code 1 when any case
is ``wrong``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symbolic.runner import RunConfig, Status, Task, run  # noqa: E402

ENGINES = ("verify", "grammar")


def load_engine(name: str):
    """The engine module ``tests/differential/engines/<name>.py``."""
    path = ROOT / "tests" / "differential" / "engines" / f"{name}.py"
    module_name = f"differential_engine_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def one(name: str, seed: int, index: int, describe: bool) -> tuple:
    """Generate and check case ``index``: (kind, outcome, detail, checks, description)."""
    import numpy as np

    engine = load_engine(name)
    case = engine.generate(np.random.default_rng([seed, index]), index)
    v = engine.check(case)
    text = engine.describe(case) if describe and v.kind != "agree" else ""
    return v.kind, v.outcome, v.detail, tuple(v.checks), text


def _threads() -> None:
    import torch

    torch.set_num_threads(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per case")
    parser.add_argument("--only", type=int, help="run this one case index")
    parser.add_argument("--describe", action="store_true", help="print non-agreeing cases")
    args = parser.parse_args(argv)
    load_engine(args.engine)
    indices = [args.only] if args.only is not None else list(range(args.cases))
    tasks = [Task((args.engine, args.seed, i, args.describe), args.limit) for i in indices]
    config = RunConfig(jobs=args.jobs, max_tasks=50, initializer=_threads,
                       preload=("numpy", "scipy.optimize", "torch", "onnx", "onnxruntime",
                                "lark"))
    start = time.monotonic()
    cases: Counter = Counter()
    checks: Counter = Counter()
    notes: list[tuple[int, str]] = []
    for pos, outcome in run(one, tasks, config):
        index = indices[pos]
        if outcome.status is not Status.DONE or outcome.value is None:
            cases[("unknown", f"harness-{outcome.status.value}")] += 1
            notes.append((index, f"unknown harness-{outcome.status.value}: {outcome.message}"))
            continue
        kind, result, detail, counted, text = outcome.value
        cases[(kind, result)] += 1
        checks.update(dict(counted))
        if kind != "agree":
            notes.append((index, f"{kind} {result}: {detail}" + (f"\n{text}" if text else "")))
    wall = time.monotonic() - start
    print(f"engine {args.engine}: {len(indices)} cases, seed {args.seed}, jobs {args.jobs}, "
          f"wall {wall:.1f} s")
    print("| kind | outcome | cases |\n|---|---|---|")
    for (kind, result), n in sorted(cases.items()):
        print(f"| {kind} | {result} | {n} |")
    if checks:
        print("checks: " + ", ".join(f"{k} {v}" for k, v in sorted(checks.items())))
    for index, note in sorted(notes):
        print(f"case {index}: {note}")
    return 1 if any(kind == "wrong" for kind, _ in cases) else 0


if __name__ == "__main__":
    raise SystemExit(main())
