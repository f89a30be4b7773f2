"""``solve-problem``: solve problem files from the command line.

``main(argv) -> int`` over ``parse_args(argv)``. Exit codes are part of the contract:
0 every problem proved, 1 some problem not proved (timeouts and problems past the memory limit
included; in a batch, input errors count as not proved), 2 usage error or input error
(unreadable path, no such problem, or a single-problem run whose problem cannot be read, drawn,
or has a false goal).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from kg.errors import StoreLocked
from symbolic.cluster import ClusterError
from symbolic.outputs import unwritable
from symbolic.runner import MEMORY_LIMIT, format_size, parse_size

from . import domains
from .batch import WorkItem, in_order, run_batch
from .config import EVERY_ATTEMPT, SOURCES, SolveConfig
from .domains import InputError
from .memory import STORE_WAIT, export_kg, open_memory, remember
from .output import format_line, format_row, print_summary, progress_bar, to_json
from .result import Result, Status

PROG = "solve-problem"
DIAGRAM_SUFFIXES = (".svg", ".png", ".pdf", ".ggb")

EPILOG = """\
examples:
  solve-problem problems/geometry/examples.txt --problem bisector_feet --proof
  solve-problem problems/geometry/ --timeout 30 --jobs 2
  solve-problem problems.txt --json > results.jsonl
  solve-problem problems/geometry/examples.txt --problem bisector_feet --html proof.html
  solve-problem problems/geometry/ --no-aux --html report.html  # the batch report

A problem file holds pairs of lines: a name, then the problem, e.g.
  midline
  a b c = triangle; m = midpoint m a b; n = midpoint n a c ? para m n b c
A SyGuS-IF 2.1 file (*.sl) is one synthesis problem, named after the file:
  solve-problem problems/sygus/max2.sl --timeout 10
prints the verified answer "(define-fun ...)" (or "infeasible").
A folder stands for all its problem files (*.txt, *.sl), in sorted order.

geometry: when DD+AR alone saturates, auxiliary points are searched (on by default):
  solve-problem problems/geometry/examples.txt --problem bisector_feet --proof
  solve-problem problems.txt --no-aux                     # DD+AR alone
  solve-problem problems.txt --sources heuristic          # one proposal source only
  solve-problem problems.txt --jobs 2 --memory mem.store  # earlier proofs inform later ones
  solve-problem hard.txt --problem P --jobs 4             # 4 workers search one problem,
                                                          # the first proof wins

--json prints one object per problem per line on stdout, in input order:
  {"problem", "file", "domain": "geometry|sygus", "status", "seconds",
   "steps" (when proved), "error" (when status is error, or memory: the limit passed),
   "proof" (with --proof),
   "solution" (sygus, when solved or infeasible),
   "auxiliary" (geometry, proved with auxiliary clauses: the clauses),
   "auxiliary_sources" (the source of each clause: heuristic|memory|neural),
   "search" (geometry, when the auxiliary search ran: tried, tried_by_depth, depth...;
             restated: how the goal was restated, when DD+AR proved it so;
             with several workers per problem: worker (the winner's), workers, tried_all)}
  status: geometry proved|unknown|timeout|memory|error;
          sygus solved|infeasible|unknown|timeout|memory|error

limits: each problem runs in a worker process that is killed when it passes --timeout (status
timeout) or when its own memory passes --memory-limit (status memory, "exceeded the
memory limit of 4 GiB"); the batch goes on either way.

--html OUT.html: one problem gives its proof viewer, several (or a folder) the batch report
with a viewer for every proved problem; one self-contained file either way.

exit codes: 0 every problem proved (sygus: solved or shown infeasible); 1 some problem not
proved (unknown, timeout, memory); 2 usage or input error, an output (--kg, --html) that could
not be written, or a store (--memory, --kg-store) that another run kept open for writing past
--store-wait (in a batch, a problem that cannot be read is an "error" row and the batch goes
on; output paths are checked before any problem is solved; an output that fails to write
later leaves the problems' statuses and rows as they are: a --diagram with a warning, --kg
and --html with exit 2).
"""


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors kept on one line (an argument may hold a line break)."""

    def error(self, message: str):  # type: ignore[override]
        super().error(printable(message))


def printable(text: str) -> str:
    """``text`` on one line: line breaks and other control characters escaped."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


# ---------------------------------------------------------------- reading inputs


def problem_files(path: Path) -> list[Path]:
    """The problem files a path stands for: itself, or a folder's files of a known domain,
    sorted."""
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as e:  # a name too long, a folder without permission...
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    if is_dir:
        suffixes = domains.suffixes()
        files = sorted(f for f in path.iterdir() if f.suffix in suffixes and f.is_file())
        if not files:
            kinds = ", ".join(f"*{s}" for s in suffixes)
            raise InputError(f"{path}: folder holds no problem files ({kinds})")
        return files
    if not exists:
        raise InputError(f"{path}: no such file or folder")
    return [path]


def read(path: Path) -> list[WorkItem]:
    """The work items of one problem file, read by its domain (a file named explicitly with
    a suffix no domain claims is read by the default domain, geometry)."""
    return (domains.by_suffix(path.suffix) or domains.DEFAULT).read(path)


def collect(paths: Sequence[str], names: Sequence[str] | None) -> list[WorkItem]:
    """Read every path and keep the problems named in ``names`` (all when None); an empty path
    is an error (not the current folder)."""
    if any(not p for p in paths):
        raise InputError("empty path argument")
    items = [item for p in paths for f in problem_files(Path(p)) for item in read(f)]
    if names:
        missing = [n for n in names if not any(i.name == n for i in items)]
        if missing:
            raise InputError(f"no problem named {missing[0]!r} in {', '.join(paths)}")
        items = [i for i in items if i.name in set(names)]
    if not items:
        raise InputError(f"no problems in {', '.join(paths)}")
    return items


# ---------------------------------------------------------------- arguments


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1, got {text!r}")
    return value


def _memory(text: str) -> int | None:
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _integer(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {least}, got {text!r}"
                                         ) from None
    if value < least:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {least}, got {text!r}")
    return value


def _positive(text: str) -> int:
    return _integer(text, 1)


def _count(text: str) -> int:
    """A whole number >= 0 (``--jobs``, ``--seed``, ``--trajectory-depth``, ...)."""
    return _integer(text, 0)


def _sources(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        problem = f"unknown source {unknown[0]!r}" if unknown else "no source given"
        raise argparse.ArgumentTypeError(f"{problem}; known sources: {', '.join(SOURCES)}")
    return names


def _ar_tables(text: str) -> frozenset[str]:
    from symbolic.geometry.state import AR_TABLES

    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    unknown = sorted(names - AR_TABLES)
    if unknown or not names:
        problem = f"unknown AR table {unknown[0]!r}" if unknown else "no AR table given"
        raise argparse.ArgumentTypeError(f"{problem}; known tables: {', '.join(sorted(AR_TABLES))}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, description="Prove geometry problems (AlphaGeometry problem files) with "
        "the DD+AR engine, or synthesize programs for SyGuS-IF 2.1 files (*.sl); print "
        "proofs, solutions, JSON rows and diagrams.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="problem file (name line, then problem line; many problems) "
                        "or folder of problem files")
    parser.add_argument("--problem", action="append", metavar="NAME",
                        help="only the problem with this exact name (repeatable)")
    parser.add_argument("--timeout", type=_timeout, default=60.0, metavar="S",
                        help="limit in seconds per problem, 0 for none (default: 60); a "
                        "problem still running shortly after it is killed and reported "
                        "as timeout")
    parser.add_argument("--memory-limit", type=_memory, default=MEMORY_LIMIT, metavar="SIZE",
                        help="memory of its own (not shared with the parent) per problem's "
                        "worker, e.g. 2G or 500M, 0 or none for no limit (default: "
                        f"{format_size(MEMORY_LIMIT).replace(' GiB', 'G')}); a problem past it "
                        "is killed and reported as memory")
    parser.add_argument("--jobs", type=_count, default=1, metavar="N",
                        help="problems solved in parallel processes; 0 for one per CPU "
                        "(of the cluster with --cluster) (default: 1)")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="solve on a Ray cluster (pip install 'neurosym[cluster]'): local "
                        "(a private instance on this machine), auto (the one ray start left "
                        "here) or HOST:PORT of its head; the same limits, rows and memory as "
                        "locally, --jobs problems at a time")
    parser.add_argument("--workers-per-problem", type=_positive, default=None, metavar="N",
                        help="geometry: search each problem with N workers at once (processes, "
                        "or cluster workers with --cluster), all on the same diagram, each "
                        "with its own share of the best-first search and its own random "
                        "trajectories (worker i: seed stream (SEED, i)); the first checked "
                        "proof wins and the others are killed at once; the JSON row's search "
                        "says which worker won and the attempts of all. A problem's workers "
                        "run at once even past --jobs (default: a batch of fewer problems "
                        "than --jobs shares the jobs out among them, e.g. one problem with "
                        "--jobs 4 gets 4 workers; else 1)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per problem per line on stdout")
    parser.add_argument("--proof", action="store_true",
                        help="print the readable proof (with --json: add the 'proof' steps and "
                        "their 'proof_context', a row that python -m symbolic.geometry.checker "
                        "re-checks independently)")
    parser.add_argument("--ar-tables", type=_ar_tables, default=None, metavar="LIST",
                        help="geometry: the algebraic-reasoning tables DD+AR feeds, "
                        "comma-separated: angle (line directions), ratio (log lengths), "
                        "dist (lengths, with betweenness), squared (squared lengths: "
                        "Pythagoras at right angles, medians), sine (the law of sines in the "
                        "ratio table: every triangle's, with equal and known angles' sines; "
                        "the statement's closure only, see --attempt-sines) (default: all five)")
    search = parser.add_argument_group(
        "auxiliary search (geometry)",
        "When DD+AR saturates without the goal, a best-first search adds auxiliary points "
        "proposed by the sources, re-running DD+AR on each extended problem within the "
        "timeout; every proof found is checked like any other and states the constructions "
        "it needed. On by default.")
    search.add_argument("--no-aux", dest="aux", action="store_false",
                        help="plain DD+AR: no auxiliary constructions")
    search.add_argument("--attempt-sines", type=_count, nargs="?", const=EVERY_ATTEMPT,
                        default=0, metavar="N",
                        help="the law of sines in the closure of attempts with at most N "
                        "auxiliary points too (every attempt without N), not only the "
                        "statement's (attempts continue from their parent's either way); "
                        "the triangles and equal angles a new point brings make such an "
                        "attempt several times slower (default: 0, none)")
    search.add_argument("--aux", action="store_true", default=True,
                        help=argparse.SUPPRESS)  # deprecated: the search is on by default
    search.add_argument("--sources", type=_sources, default=SOURCES, metavar="LIST",
                        help="comma-separated proposal sources, in order: heuristic "
                             "(midpoints, line intersections, feet, circumcentres), memory "
                             "(constructions that worked on similar solved problems; needs "
                             "--memory), neural (the learned proposer, when installed) "
                             f"(default: {','.join(SOURCES)})")
    search.add_argument("--no-neural", action="store_true",
                        help="leave the neural source out (same as --sources without "
                             "neural); for SyGuS files: uniform rule weights instead of the "
                             "learned pCFG")
    search.add_argument("--depth", type=_positive, default=2, metavar="N",
                        help="best-first search: most auxiliary constructions stacked on a "
                             "statement (default: 2)")
    search.add_argument("--beam", type=_positive, default=8, metavar="N",
                        help="best-first search: nodes expanded per depth (default: 8)")
    search.add_argument("--trajectory-depth", type=_count, default=6, metavar="N",
                        help="trajectories: random stacks of up to N auxiliary constructions, "
                             "each continuing from the last one's deductions, tried in turn "
                             "with the best-first search once its single constructions are "
                             "tried or a quarter of the time is spent; 0 turns them off "
                             "(default: 6)")
    search.add_argument("--trajectory-model", type=_share, default=0.0, metavar="SHARE",
                        help="trajectories draw from the neural source too: its first "
                             "proposals on the statement, and at the nodes below it while "
                             "its time stays within SHARE (0 to 1) of the search's time "
                             "(default: 0, trajectories draw from the heuristic and memory "
                             "sources only)")
    search.add_argument("--ranking", action=argparse.BooleanOptionalAction, default=False,
                        help="order each node's candidates by the Bayesian ranking of sources "
                             "and construction kinds (success rates learned from search "
                             "outcomes, kept with --memory) instead of merging the sources "
                             "round-robin (default: off; it did not help on JGEX-AG-231)")
    search.add_argument("--neural-ranking", action=argparse.BooleanOptionalAction,
                        default=False,
                        help="order the heuristic and memory candidates of every node by the "
                             "learned proposer's log-probability of the construction, given "
                             "the problem and the points added so far (the model loads when "
                             "the search starts; without it installed, the sources' own "
                             "order) (default: off)")
    search.add_argument("--model", metavar="CHECKPOINT",
                        help="geometry: the neural proposer's checkpoint, for the neural "
                             "source and --neural-ranking (a file python -m neural.train "
                             "wrote, with its .sha256 beside it; default: the shipped "
                             "neural/weights/proposer.pt)")
    search.add_argument("--memory", metavar="DIR",
                        help="persistent memory (Oxigraph store, created if missing): a "
                             "proposal source, and the ranking's counts; every problem proved "
                             "is added to it as soon as it is proved, so in a batch earlier "
                             "problems inform later ones (a problem never gets its own answer)")
    search.add_argument("--progress", action="store_true",
                        help="print search progress on stderr every few seconds")
    parser.add_argument("--kg", metavar="OUT.ttl",
                        help="write the knowledge graph (rule and construction tables, each "
                             "proved geometry problem with its checked proof) as Turtle")
    parser.add_argument("--kg-store", metavar="DIR",
                        help="with --kg: also keep the memory in a persistent Oxigraph store "
                             "in DIR (added to what is already there); each proved problem is "
                             "committed to it as soon as it is proved, so a run that is killed "
                             "leaves every problem it reported")
    parser.add_argument("--store-wait", type=_timeout, default=STORE_WAIT, metavar="S",
                        help="how long a write to --memory or --kg-store waits while another "
                             "run is writing the same store (each proved problem is one short "
                             "transaction, so two runs can share a store) before giving up "
                             f"with exit 2 (default: {STORE_WAIT:g})")
    parser.add_argument("--diagram", metavar="PATH",
                        help="draw the figure to PATH (.svg, .png or .pdf), or write it as a "
                             "GeoGebra file (.ggb: free points free, constructed points "
                             "constructed); one problem only")
    parser.add_argument("--html", metavar="OUT.html",
                        help="write a self-contained web page (no network needed to open it): "
                             "for one problem, the proof viewer (figure, statement with its "
                             "auxiliary constructions, steps that highlight what they speak "
                             "of in the figure; arrow keys or j/k move between steps); for "
                             "several, the batch report (sortable, filterable table, time "
                             "plots, the viewer of every proved problem)")
    parser.add_argument("--seed", type=_count, default=0, metavar="N",
                        help="seed of the random numeric diagram (default: 0)")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; argparse exits with code 2 on a usage error."""
    return build_parser().parse_args(argv)


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a usage error already printed by argparse
        return e.code if isinstance(e.code, int) else 2
    if args.html and Path(args.html).suffix.lower() not in (".html", ".htm"):
        return _usage_error(parser, f"--html: expected a .html path, got {args.html!r}")
    if args.diagram and Path(args.diagram).suffix.lower() not in DIAGRAM_SUFFIXES:
        return _usage_error(parser, f"--diagram: expected a .svg, .png, .pdf or .ggb path, "
                            f"got {args.diagram!r}")
    try:
        items = collect(args.paths, args.problem)
    except InputError as e:
        return _error(str(e))
    if args.diagram and len(items) != 1:
        return _usage_error(parser, f"--diagram needs exactly one problem, got {len(items)}; "
                            "select one with --problem NAME")
    config = solve_config(args)
    if args.aux and not config.sources:
        return _usage_error(parser, "--sources: no source left (use --no-aux for plain DD+AR)")
    jobs = args.jobs or (0 if args.cluster else os.cpu_count() or 1)
    if args.kg_store and not args.kg:
        return _usage_error(parser, "--kg-store needs --kg OUT.ttl")
    if args.kg_store and Path(args.kg_store).resolve() == Path(args.kg).resolve():
        return _usage_error(parser, "--kg and --kg-store must be different paths")
    for flag, path, folder in (("--diagram", args.diagram, False), ("--kg", args.kg, False),
                               ("--html", args.html, False),
                               ("--kg-store", args.kg_store, True)):
        why = unwritable(path, folder) if path else None
        if why:
            return _error(f"{flag} {path}: {why}")
    if args.model:
        from neural.proposer import WeightsError, check_checkpoint

        try:
            check_checkpoint(args.model)
        except WeightsError as e:
            return _error(f"--model: {e}")
    for flag, path, theory in (("--memory", args.memory, False),
                               ("--kg-store", args.kg_store, True)):
        if path:
            try:
                open_memory(path, theory=theory, wait=args.store_wait)
            except Exception as e:  # unusable path, locked by another writer, not a store...
                return _error(f"{flag} {path}: {e}")
    try:
        if len(items) == 1:
            return _run_one(items[0], config, jobs, args)
        return _run_many(items, config, jobs, args)
    except (StoreLocked, ClusterError) as e:  # a store kept past --store-wait; no cluster
        return _error(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _export_kg(items: Sequence[WorkItem], results: Sequence[Result],
               args: argparse.Namespace) -> bool:
    """With --kg: record every proved geometry problem and its checked proof, write Turtle.
    False when the graph could not be written (the results stand as they are)."""
    if not args.kg:
        return True
    try:
        path, n = export_kg(items, results, args.kg, store=args.kg_store, wait=args.store_wait)
    except StoreLocked as e:
        _error(str(e))
        return False
    except OSError as e:  # checked up front, but the disk can still fill up
        _error(f"--kg {args.kg}: cannot write ({e.strerror or e})")
        return False
    print(f"{PROG}: knowledge graph with {n} proof(s) written to {printable(str(path))}",
          file=sys.stderr)
    return True


def _export_html(results: Sequence[Result], args: argparse.Namespace) -> bool:
    """With --html: the viewer (one result) or the report (several). False when the page could
    not be written (the results stand as they are)."""
    if not args.html:
        return True
    from .report import write_html

    try:
        kind = write_html(results, args.html)
    except OSError as e:  # checked up front, but the disk can still fill up
        _error(f"--html {args.html}: cannot write ({e.strerror or e})")
        return False
    print(f"{PROG}: {kind} written to {printable(args.html)}", file=sys.stderr)
    return True


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    return _error(message)


def _error(message: str) -> int:
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)
    return 2


def solve_config(args: argparse.Namespace) -> SolveConfig:
    """The ``SolveConfig`` of parsed command-line arguments."""
    sources = tuple(s for s in args.sources if not (args.no_neural and s == "neural"))
    return SolveConfig(timeout=args.timeout or None, memory_limit=args.memory_limit,
                       seed=args.seed,
                       with_proof=args.proof, diagram_path=args.diagram, aux=args.aux,
                       figure=bool(args.html),
                       depth=args.depth, beam=args.beam,
                       trajectory_depth=args.trajectory_depth,
                       trajectory_model=args.trajectory_model, sources=sources,
                       ranking=args.ranking, neural_ranking=args.neural_ranking,
                       memory_path=args.memory, model_path=args.model,
                       progress=args.progress, ar_tables=args.ar_tables,
                       attempt_sines=args.attempt_sines)


def _run_one(item: WorkItem, config: SolveConfig, jobs: int, args: argparse.Namespace) -> int:
    result = next(in_order(run_batch([item], config, jobs=jobs, cluster=args.cluster,
                                     workers=args.workers_per_problem)))
    remember(item, result, config, kg_store=args.kg_store, wait=args.store_wait)
    _emit(result, args)
    written = _export_html([result], args)
    if not _export_kg([item], [result], args) or not written or result.status is Status.ERROR:
        return 2
    return 0 if result.status.definitive else 1


def _run_many(items: list[WorkItem], config: SolveConfig, jobs: int,
              args: argparse.Namespace) -> int:
    def remembered(pairs: Iterator[tuple[int, Result]]) -> Iterator[tuple[int, Result]]:
        for index, result in pairs:
            # completion order: as soon as known, committed before the row is printed
            remember(items[index], result, config, kg_store=args.kg_store,
                     wait=args.store_wait)
            yield index, result

    results: list[Result] = []
    with progress_bar(len(items)) as advance:
        for result in in_order(remembered(run_batch(items, config, jobs=jobs,
                                                    progress=advance, cluster=args.cluster,
                                                    workers=args.workers_per_problem))):
            results.append(result)
            _emit(result, args, row=True)
    if not args.json:
        print_summary(results, sys.stdout)
    elif sys.stderr.isatty():
        print_summary(results, sys.stderr)
    written = _export_html(results, args)
    if not _export_kg(items, results, args) or not written:
        return 2
    return 0 if all(r.status.definitive for r in results) else 1


# ---------------------------------------------------------------- output


def _emit(result: Result, args: argparse.Namespace, row: bool = False) -> None:
    """Print one result: a JSON line, or a text line (plus the proof with --proof)."""
    if result.status is Status.ERROR:
        print(f"{PROG}: error: {printable(result.error or '')}", file=sys.stderr)
    if args.json:
        print(json.dumps(to_json(result, with_proof=args.proof)), flush=True)
        return
    if result.status is Status.ERROR and not row:
        return
    print(format_row(result) if row else format_line(result), flush=True)
    if args.proof and result.proof_text:
        print(result.proof_text.rstrip("\n") + ("\n" if row else ""), flush=True)
    if result.solution and result.status is Status.SOLVED:
        print(result.solution, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
