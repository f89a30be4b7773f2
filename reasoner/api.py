"""Public API: ``solve`` one problem in-process, ``solve_file`` for every problem of a file.

Hard per-problem timeouts (killing a runaway search) live in ``reasoner.batch``, which runs
each problem in a worker process; ``solve`` itself stops cooperatively at ``timeout``.
"""

from __future__ import annotations

import functools
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .result import Result, Status

SOURCES = ("heuristic", "memory", "neural")
"""Proposal sources of the auxiliary search: hand-written constructions
(``symbolic.geometry.heuristics``), retrieval from the memory of solved problems
(``kg.memory``), the learned proposer (``neural.proposer``, when installed and trained)."""


@dataclass(frozen=True)
class SolveConfig:
    """Options of one solve. ``timeout`` is cooperative here (seconds, None = no limit)."""

    timeout: float | None = None
    seed: int = 0
    with_proof: bool = True
    diagram_path: str | None = None
    # geometry: search auxiliary constructions when DD+AR saturates (``reasoner.search``)
    aux: bool = True
    depth: int = 2            # most auxiliary candidates stacked on the statement
    beam: int = 8             # nodes expanded per depth
    sources: tuple[str, ...] = SOURCES  # proposal sources, a subset of SOURCES
    ranking: bool = False     # order candidates by the Bayesian ranking (reasoner.ranking)
    memory_path: str | None = None  # persistent memory store: a source, and ranking counts
    progress: bool = False    # print search progress to stderr every few seconds


def solve(problem, *, name: str = "problem", file: str = "<string>",
          config: SolveConfig | None = None) -> Result:
    """Solve one geometry problem given as a problem line or a parsed ``Problem``.

    Never raises for bad input: a problem that cannot be read, drawn, or whose goal is false
    on the diagram comes back with ``Status.ERROR`` and a one-line ``error``.
    SyGuS problems (``SygusSource`` or a parsed ``Spec``) go to ``solve_sygus``.
    """
    from symbolic.sygus.spec import Spec

    if isinstance(problem, (SygusSource, Spec)):
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
        extra: dict[str, Any] = {}
        if config.aux:
            outcome, problem, auxiliary, extra = _search(problem, config)
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
                  stats={**outcome.stats, **extra}, proof_object=proof, auxiliary=auxiliary)


def proposers(problem, config: SolveConfig) -> list[Any]:
    """The proposal sources ``config.sources`` names, in that order; a source that has nothing
    to offer (no memory store given, the neural proposer not installed) is left out."""
    out: list[Any] = []
    for name in config.sources:
        if name == "heuristic":
            from symbolic.geometry.heuristics import HeuristicProposer

            out.append(HeuristicProposer())
        elif name == "memory" and config.memory_path is not None:
            from kg.memory import MemoryProposer

            out.append(MemoryProposer.open(config.memory_path, exclude=problem))
        elif name == "neural":
            neural = load_neural()
            if neural is not None:
                out.append(neural)
        elif name not in SOURCES:
            raise ValueError(f"unknown proposal source {name!r} (known: {', '.join(SOURCES)})")
    return out


_NEURAL: list[Any] = []


def load_neural() -> Any:
    """The shipped neural proposer (``neural.proposer.load_default``), loaded once per
    process; None when it, torch or its weights are not available."""
    if not _NEURAL:
        try:
            from neural.proposer import load_default  # type: ignore[import-not-found]

            _NEURAL.append(load_default())
        except ImportError:
            _NEURAL.append(None)
    return _NEURAL[0]


def _search(problem, config: SolveConfig) -> tuple[Any, Any, tuple[str, ...], dict[str, Any]]:
    """Run the auxiliary search; (outcome, proved problem, aux clauses, stats to report)."""
    from .ranking import Ranking
    from .search import SearchConfig, search

    ranking = None
    if config.ranking:
        counts: dict[str, tuple[int, int]] = {}
        if config.memory_path is not None and Path(config.memory_path).exists():
            from kg.memory import Memory

            with Memory(config.memory_path, read_only=True) as m:
                counts = m.ranking_counts()
        ranking = Ranking(counts)
    search_config = SearchConfig(timeout=config.timeout, seed=config.seed, depth=config.depth,
                                 beam=config.beam, ranking=ranking)
    found = search(problem, proposers(problem, config), search_config,
                   progress=_Reporter(problem.name) if config.progress else None)
    extra: dict[str, Any] = {"search": found.stats, "trials": found.trials,
                             "auxiliary_sources": list(found.sources)}
    return found.outcome, found.problem, found.auxiliary, extra


class _Reporter:
    """Search progress on stderr, at most every ``every`` seconds."""

    def __init__(self, name: str, every: float = 5.0) -> None:
        self.name, self.every, self.last = name, every, time.monotonic()

    def __call__(self, stats: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(f"search {self.name}: {stats['tried']} tried (by depth "
                  f"{stats['tried_by_depth']}), {stats['frontier']} queued, "
                  f"{stats['search_seconds']:.0f} s", file=sys.stderr, flush=True)


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
        outcome = synthesize(spec, SynthConfig(timeout=budget, seed=config.seed,
                                               proposer=sygus_proposer(config)))
    except SygusError as e:
        return Result(name, file, "sygus", Status.ERROR, time.perf_counter() - start,
                      error=str(e))
    status = Status(outcome.outcome.value)
    return Result(name, file, "sygus", status, time.perf_counter() - start,
                  solution=outcome.text, stats=outcome.stats)


def sygus_proposer(config: SolveConfig):
    """The rule weights of the enumerator: the learned pCFG (``neural.sygus``, numpy only,
    weights checked against their SHA-256) when ``neural`` is among the sources, else None
    (uniform). On 130 development-split files at 10 s it solved 104 against uniform's 103."""
    if "neural" not in config.sources:
        return None
    model = _sygus_model()
    if model is None:
        return None
    from neural.sygus.proposer import LearnedProposer

    return LearnedProposer(model)


@functools.lru_cache(maxsize=1)
def _sygus_model():
    try:
        from neural.sygus.model import load
    except ImportError:
        return None
    try:
        return load()
    except (OSError, ValueError) as e:  # missing or damaged weights: uniform weights instead
        print(f"warning: learned SyGuS guidance disabled: {e}", file=sys.stderr)
        return None
