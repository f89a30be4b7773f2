"""The geometry domain: AlphaGeometry problem files, proved by DD+AR and the auxiliary search.

Statuses: ``proved`` (a checked proof), ``unknown`` (DD+AR and the search ended without the
goal), ``timeout``, ``error`` (the problem cannot be read or drawn, or its goal is false on the
diagram). JSON rows add ``auxiliary_sources`` and ``search`` to the common fields.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import SOURCES, SolveConfig
from ..result import Result, Status
from .base import Domain, InputError

if TYPE_CHECKING:
    from symbolic.geometry.problem import Problem
    from symbolic.geometry.proposal import ConstructionProposer
    from symbolic.geometry.prover import ProofOutcome

    from ..batch import WorkItem

SEARCH_FIELDS = ("tried", "tried_by_depth", "expanded", "depth", "search_seconds",
                 "sources_seconds", "timed_out", "exhausted", "worker", "workers", "tried_all",
                 "workers_answered", "restated", "model_nodes", "model_seconds")
"""The search statistics a JSON row carries."""


def status_of(outcome: ProofOutcome) -> Status:
    """The prover's verdict as a result status."""
    from symbolic.geometry.prover import Verdict

    return {Verdict.PROVED: Status.PROVED, Verdict.UNKNOWN: Status.UNKNOWN,
            Verdict.TIMEOUT: Status.TIMEOUT}[outcome.verdict]


def solve(problem: Problem | str, *, name: str = "problem", file: str = "<string>",
          config: SolveConfig | None = None) -> Result:
    """Prove one geometry problem given as a problem line or a parsed ``Problem``.

    Never raises for bad input: a problem that cannot be read, drawn, or whose goal is false
    on the diagram comes back with ``Status.ERROR`` and a one-line ``error``.
    """
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
            prover = ProverConfig(seed=config.seed, timeout=config.timeout)
            if config.ar_tables is not None:
                prover = replace(prover, ar_tables=config.ar_tables)
            outcome = prove(problem, prover)
    except GeometryError as e:
        return Result(getattr(problem, "name", name), getattr(problem, "file", file),
                      DOMAIN.name, Status.ERROR, time.perf_counter() - start, error=str(e))
    seconds = time.perf_counter() - start
    if config.diagram_path and outcome.diagram is not None:
        if Path(config.diagram_path).suffix.lower() == ".ggb":
            from symbolic.geometry.geogebra import write_ggb as write
        else:
            from symbolic.geometry.draw import draw as write
        try:
            write(problem, outcome.diagram, outcome.proof, config.diagram_path)
        except OSError as e:  # an output that fails to write never changes the verdict
            extra["diagram_error"] = f"cannot write {config.diagram_path}: {e.strerror or e}"
            print(f"warning: --diagram {extra['diagram_error']}", file=sys.stderr)
    proof = outcome.proof if outcome.proved else None
    figure = None
    if config.figure and proof is not None and outcome.diagram is not None:
        from symbolic.geometry.figure import build_figure

        try:
            figure = build_figure(problem, outcome.diagram, proof)
        except Exception as e:  # any failure: a figure never changes the verdict
            extra["figure_error"] = f"cannot draw the figure: {e}"
            print(f"warning: --html {problem.name}: {extra['figure_error']}", file=sys.stderr)
    status = status_of(outcome)
    if status is Status.UNKNOWN and extra.get("search", {}).get("timed_out"):
        status = Status.TIMEOUT  # the search stopped at its deadline (its own reserve before)
    return Result(problem.name, problem.file, DOMAIN.name, status, seconds,
                  steps=len(proof.steps) if proof else None,
                  proof_text=proof.text() if proof and config.with_proof else None,
                  proof=proof.to_json() if proof and config.with_proof else None,
                  stats={**outcome.stats, **extra}, proof_object=proof, auxiliary=auxiliary,
                  figure=figure)


def proposers(problem: Problem, config: SolveConfig) -> list[ConstructionProposer]:
    """The proposal sources ``config.sources`` names, in that order; a source that has nothing
    to offer (no memory store given, the neural proposer not installed) is left out. With
    ``config.neural_ranking`` the heuristic and memory sources hand out their candidates in
    the neural model's order (``neural.ranker``), when the model is installed."""
    out: list[ConstructionProposer] = []
    ranker = None
    if config.neural_ranking:
        neural = load_neural(config.model_path)
        if neural is not None:
            from neural.ranker import ModelRanker

            ranker = ModelRanker(neural)
    for name in config.sources:
        if name == "heuristic":
            from symbolic.geometry.heuristics import HeuristicProposer

            out.append(_ranked(HeuristicProposer(), ranker))
        elif name == "memory" and config.memory_path is not None:
            from kg.memory import MemoryProposer

            out.append(_ranked(MemoryProposer.open(config.memory_path, exclude=problem),
                               ranker))
        elif name == "neural":
            neural = load_neural(config.model_path)
            if neural is not None:
                out.append(neural)
        elif name not in SOURCES:
            raise ValueError(f"unknown proposal source {name!r} (known: {', '.join(SOURCES)})")
    return out


def _ranked(source: ConstructionProposer, ranker: Any) -> ConstructionProposer:
    if ranker is None:
        return source
    from neural.ranker import RankedSource

    return RankedSource(source, ranker)


_NEURAL: dict[str | None, Any] = {}


def load_neural(path: str | None = None) -> ConstructionProposer | None:
    """The neural proposer of checkpoint ``path``, or the shipped one
    (``neural.proposer.load_default``) for None, loaded once per process; None when torch or
    the shipped weights are not available. A checkpoint named by ``path`` that does not load
    raises (``neural.proposer.WeightsError``, or ImportError without torch)."""
    if path not in _NEURAL:
        if path is not None:
            from neural.proposer import load

            _NEURAL[path] = load(path)
        else:
            try:
                from neural.proposer import load_default

                _NEURAL[None] = load_default()
            except ImportError:
                _NEURAL[None] = None
    return _NEURAL[path]


def _search(problem: Problem, config: SolveConfig
            ) -> tuple[ProofOutcome, Problem, tuple[str, ...], dict[str, Any]]:
    """Run the auxiliary search; (outcome, proved problem, aux clauses, stats to report)."""
    import dataclasses

    from ..ranking import Ranking
    from ..search import SearchConfig, search

    ranking = None
    if config.ranking:
        counts: dict[str, tuple[int, int]] = {}
        if config.memory_path is not None and Path(config.memory_path).exists():
            from kg.memory import Memory

            with Memory(config.memory_path, read_only=True) as m:
                counts = m.ranking_counts()
        ranking = Ranking(counts)
    search_config = SearchConfig(timeout=config.timeout, seed=config.seed, depth=config.depth,
                                 beam=config.beam, trajectory_depth=config.trajectory_depth,
                                 trajectory_model=config.trajectory_model,
                                 ranking=ranking, worker=config.worker, workers=config.workers,
                                 ar_tables=config.ar_tables, attempt_sines=config.attempt_sines)
    if config.neural_ranking:  # the model orders the candidates itself: no pool to score
        search_config = dataclasses.replace(search_config, incidence_pool=0)
    found = search(problem, lambda: proposers(problem, config), search_config,
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


def read(path: Path) -> list[WorkItem]:
    """AlphaGeometry problem file -> work items; problems that do not parse become errors.
    Raises ``InputError`` when the file itself cannot be read."""
    from symbolic.geometry.errors import GeometryError
    from symbolic.geometry.problem import read_problems

    from ..batch import WorkItem

    try:
        problems = read_problems(path)
    except GeometryError as e:
        raise InputError(str(e)) from None
    items = []
    for p in problems:
        if isinstance(p, GeometryError):
            items.append(WorkItem(p.problem or "?", p.file or str(path), DOMAIN.name,
                                  error=str(p)))
        else:
            items.append(WorkItem(p.name, str(path), DOMAIN.name, problem=p))
    return items


def json_fields(result: Result) -> dict[str, Any]:
    """What the domain adds to a row: the proof's context (with a proof), the source of each
    auxiliary clause and the search statistics."""
    row: dict[str, Any] = {}
    if result.proof is not None and result.proof_object is not None:
        # with the 'proof' steps, what makes the row a proof the independent checker reads
        # (python -m symbolic.geometry.checker ROWS.json): statement, goal, diagram
        row["proof_context"] = result.proof_object.context()
    if result.auxiliary and result.stats.get("auxiliary_sources"):
        row["auxiliary_sources"] = list(result.stats["auxiliary_sources"])
    if "search" in result.stats:
        row["search"] = {k: v for k, v in result.stats["search"].items() if k in SEARCH_FIELDS}
    return row


def _accepts(problem: object) -> bool:
    from symbolic.geometry.problem import Problem

    return isinstance(problem, (str, Problem))


DOMAIN = Domain(
    name="geometry",
    suffixes=(".txt",),
    statuses=(Status.PROVED, Status.UNKNOWN, Status.TIMEOUT, Status.MEMORY, Status.ERROR),
    read=read,
    solve=solve,
    accepts=_accepts,
    preload=("symbolic.geometry.problem", "symbolic.geometry.prover",
             "symbolic.geometry.numeric", "symbolic.geometry.kernels"),
    json_fields=json_fields,
    searches=True,
)
