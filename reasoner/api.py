"""Public API: ``solve`` one problem in-process, ``solve_file`` for every problem of a file.

Hard per-problem timeouts (killing a runaway search) live in ``reasoner.batch``, which runs
each problem in a worker process; ``solve`` itself stops cooperatively at ``timeout``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .result import Result, Status


@dataclass(frozen=True)
class SolveConfig:
    """Options of one solve. ``timeout`` is cooperative here (seconds, None = no limit)."""

    timeout: float | None = None
    seed: int = 0
    with_proof: bool = True
    diagram_path: str | None = None
    aux: bool = False  # geometry: search auxiliary constructions when DD+AR saturates


def solve(problem, *, name: str = "problem", file: str = "<string>",
          config: SolveConfig | None = None) -> Result:
    """Solve one geometry problem given as a problem line or a parsed ``Problem``.

    Never raises for bad input: a problem that cannot be read, drawn, or whose goal is false
    on the diagram comes back with ``Status.ERROR`` and a one-line ``error``.
    SyGuS problems (``SygusSource`` or a parsed ``Spec``) go to ``solve_sygus``.
    """
    if isinstance(problem, SygusSource) or type(problem).__name__ == "Spec":
        return solve_sygus(problem, name=name, file=file, config=config)
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.problem import Problem, parse_problem
    from symbolic.geometry.prover import ProverConfig, prove

    config = config or SolveConfig()
    start = time.perf_counter()
    try:
        if not isinstance(problem, Problem):
            problem = parse_problem(str(problem), name=name, file=file)
        auxiliary: tuple[str, ...] = ()
        if config.aux:
            from symbolic.geometry.heuristics import HeuristicProposer

            from .search import SearchConfig, search

            found = search(problem, [HeuristicProposer()],
                           SearchConfig(timeout=config.timeout, seed=config.seed))
            outcome, problem, auxiliary = found.outcome, found.problem, found.auxiliary
        else:
            outcome = prove(problem, ProverConfig(seed=config.seed, timeout=config.timeout))
    except GeometryError as e:
        return Result(getattr(problem, "name", name), getattr(problem, "file", file),
                      "geometry", Status.ERROR, time.perf_counter() - start, error=str(e))
    seconds = time.perf_counter() - start
    if config.diagram_path and outcome.diagram is not None:
        from symbolic.geometry.draw import draw

        draw(problem, outcome.diagram, outcome.proof, config.diagram_path)
    status = Status.PROVED if outcome.proved else (
        Status.TIMEOUT if outcome.timed_out else Status.UNKNOWN)
    proof = outcome.proof if outcome.proved else None
    return Result(problem.name, problem.file, "geometry", status, seconds,
                  steps=len(proof.steps) if proof else None,
                  proof_text=proof.text() if proof and config.with_proof else None,
                  proof=proof.to_json() if proof and config.with_proof else None,
                  stats=outcome.stats, proof_object=proof, auxiliary=auxiliary)


def solve_file(path: str | Path, config: SolveConfig | None = None) -> list[Result]:
    """Solve every problem of a problem file in this process, in order."""
    from symbolic.geometry.problem import read_problems

    out = []
    for item in read_problems(path):
        if isinstance(item, Exception):
            out.append(Result(getattr(item, "problem", None) or "?", str(path), "geometry",
                              Status.ERROR, 0.0, error=str(item)))
        else:
            out.append(solve(item, config=config))
    return out


@dataclass(frozen=True)
class SygusSource:
    """A SyGuS-IF file, read and solved in the worker (so parsing runs in parallel too)."""

    path: str


def solve_sygus(problem, *, name: str = "problem", file: str = "<string>",
                config: SolveConfig | None = None) -> Result:
    """Synthesize the functions of a SyGuS file (``SygusSource``), a parsed ``Spec`` or text.

    Never raises for bad input: unreadable or unsupported files come back as ``error``.
    The solution is verified by z3 and by the plain evaluator before it is returned.
    """
    from symbolic.sygus.errors import SygusError
    from symbolic.sygus.solver import SynthConfig, synthesize
    from symbolic.sygus.spec import Spec, parse_spec, read_spec

    config = config or SolveConfig()
    start = time.perf_counter()
    try:
        if isinstance(problem, SygusSource):
            spec = read_spec(problem.path)
        elif isinstance(problem, Spec):
            spec = problem
        else:
            spec = parse_spec(str(problem), file)
        budget = config.timeout if config.timeout else 1e9
        budget = max(0.0, budget - (time.perf_counter() - start))
        outcome = synthesize(spec, SynthConfig(timeout=budget, seed=config.seed))
    except SygusError as e:
        return Result(name, file, "sygus", Status.ERROR, time.perf_counter() - start,
                      error=str(e))
    status = Status(outcome.outcome.value)
    return Result(name, file, "sygus", status, time.perf_counter() - start,
                  solution=outcome.text, stats=outcome.stats)
