"""Solve ONE AlphaGeometry (AG1) problem with Newclid 3.0.1 + yuclid; print one JSON line.

Runs under the Newclid virtual environment's interpreter (see bench/geometry.py), never
under ours, and imports nothing from this repository:

    .bench-venv/bin/python bench/_newclid_runner.py --name NAME --problem "a b c = ...; ? ..."

Output (last stdout line): {"problem", "status": "proved|saturated|error", "seconds",
"build_seconds", "solve_seconds", "steps"?, "translated", "error"?}. `seconds` is the in-process
diagram build + DD+AR time (interpreter start-up and imports excluded).

Solver set-up = what `newclid jgex --problem ...` does: `JGEXProblemBuilder` then
`GeometricSolverBuilder(rng).build(...)`, whose default (py_yuclid installed) is the yuclid
rule matcher + `FollowDeductions` agent, i.e. yuclid `--mode ddar` with Newclid's default flags
(`--disable-ar-dist --disable-ar-squared --disable-eqn-statements --disable-ar-sin`). No LM.

AG1 -> Newclid 3.0.1 JGEX dialect (`ag1_to_newclid`), from diffing AG1 defs.txt with
`newclid.jgex.constructions` over every construction used in jgex_ag_231:
* AG1 argument elision (`h = on_tline b a c`) expanded: Newclid needs all arguments;
* `square a b x y` -> `square x y a b`, `parallelogram a b c x` -> `parallelogram x a b c`;
* `eq_trapezoid` -> `iso_trapezoid` (same premises `para d c a b, cong d a b c`);
* `s_angle a b x 60` (AG1: degrees) -> `s_angle a b x 60o` (Newclid: bare `60` means 60 pi);
* goals `simtri`/`contri` (AG1: either orientation) are tried as `simtri`/`contri`, then as the
  reflected `simtrir`/`contrir` if the first is numerically false on every sampled diagram.

This rewrite stays text to text: it reads an AG1 line and writes Newclid's dialect for
Newclid's own parser, under Newclid's interpreter, where this repository's typed problems
(`symbolic.geometry.problem`) are not importable. The line is split into clauses and goal once;
the goal variants are spliced onto the translated clauses only where Newclid reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from typing import Any

# Newclid and py_yuclid import matplotlib; keep it headless.
os.environ.setdefault("MPLBACKEND", "Agg")
# py_yuclid finds its binary with shutil.which("yuclid"); the venv's bin/ is not on PATH when
# its python is run directly, and the fallback path it tries (lib/.venv/bin) does not exist.
os.environ["PATH"] = os.path.join(sys.prefix, "bin") + os.pathsep + os.environ.get("PATH", "")

# Imported up front so that the timed part excludes imports.
import numpy as np  # noqa: E402
from newclid.api import GeometricSolverBuilder  # noqa: E402
from newclid.jgex.constructions import ALL_JGEX_CONSTRUCTIONS  # noqa: E402
from newclid.jgex.problem_builder import JGEXProblemBuilder  # noqa: E402

# name -> (AG1 argument order -> Newclid argument order) as a permutation of AG1 positions.
ARG_REORDER: dict[str, tuple[int, ...]] = {
    "square": (2, 3, 0, 1),  # AG1 a b x y  -> Newclid x y a b
    "parallelogram": (3, 0, 1, 2),  # AG1 a b c x -> Newclid x a b c
}
RENAMED: dict[str, str] = {"eq_trapezoid": "iso_trapezoid"}
# Construction arities (same in AG1 and Newclid for every shared name); for argument elision.
ARITY: dict[str, int] = {d.name.value: len(d.args) for d in ALL_JGEX_CONSTRUCTIONS}
ARITY["eq_trapezoid"] = 4
REFLECTED_GOAL: dict[str, str] = {"simtri": "simtrir", "contri": "contrir"}


def _translate_construction(points: list[str], construction: str) -> str:
    name, *args = construction.split()
    arity = ARITY.get(name)
    if arity is not None and len(args) == arity - len(points):
        args = points + args  # AG1 Graph.add_clause argument elision
    if name in ARG_REORDER and len(args) == len(ARG_REORDER[name]):
        args = [args[i] for i in ARG_REORDER[name]]
    if name == "s_angle" and len(args) == 4 and re.fullmatch(r"-?\d+", args[3]):
        args[3] += "o"
    return " ".join([RENAMED.get(name, name), *args])


def ag1_to_newclid(problem: str) -> tuple[str, str]:
    """Rewrite an AG1 problem line in Newclid 3.0.1's JGEX dialect (see module docstring):
    its clauses (``; ``-separated) and its goal."""
    clauses_txt, goal = problem.split(" ? ")
    clauses: list[str] = []
    for clause in clauses_txt.split(";"):
        points_txt, constructions_txt = clause.split("=", 1)
        points = points_txt.split()
        constructions = [
            _translate_construction(points, c.strip())
            for c in constructions_txt.split(",")
            if c.strip()
        ]
        clauses.append(f"{' '.join(points)} = {', '.join(constructions)}")
    return "; ".join(clauses), goal.strip()


def goal_variants(goal: str) -> list[str]:
    """The goal, then (for simtri/contri goals) the reflected-orientation goal."""
    name, *rest = goal.split()
    if name in REFLECTED_GOAL:
        return [goal, " ".join([REFLECTED_GOAL[name], *rest])]
    return [goal]


def _build(problem: str, name: str, seed: int) -> Any:
    # Defensive: yuclid's input file may be named after the problem; JGEX names contain '/'.
    safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[-100:]
    builder = JGEXProblemBuilder(rng=np.random.default_rng(seed))
    return builder.with_problem_from_txt(problem, problem_name=safe_name).build()


def solve(name: str, problem_ag1: str, seed: int) -> dict[str, Any]:
    """Build and solve one problem; never raises."""
    row: dict[str, Any] = {"problem": name}
    t0 = time.perf_counter()
    try:
        clauses, goal = ag1_to_newclid(problem_ag1)
        row["translated"] = f"{clauses} ? {goal}" != problem_ag1
        setup, last_error = None, None
        for variant in goal_variants(goal):
            try:
                setup = _build(f"{clauses} ? {variant}", name, seed)
                row["goal"] = variant
                break
            except ValueError as exc:  # goal numerically false on every diagram
                last_error = exc
        if setup is None:
            raise last_error or ValueError("no problem variant built")
        t1 = time.perf_counter()
        solver = GeometricSolverBuilder(np.random.default_rng(seed)).build(setup)
        proved = solver.run()
        t2 = time.perf_counter()
        row.update(
            status="proved" if proved else "saturated",
            build_seconds=round(t1 - t0, 4),
            solve_seconds=round(t2 - t1, 4),
            steps=solver.run_infos.steps if solver.run_infos else None,
        )
    except Exception as exc:  # noqa: BLE001 - report any engine failure as a row
        row.update(status="error", error=f"{type(exc).__name__}: {str(exc)[:300]}")
    row["seconds"] = round(time.perf_counter() - t0, 4)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="problem name (first line of the pair)")
    parser.add_argument("--problem", required=True, help="AG1 problem line")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    row = solve(args.name, args.problem, args.seed)
    sys.stdout.flush()
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
