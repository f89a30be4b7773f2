"""``verify-net``: verify ONNX networks against VNNLIB properties.

``main(argv) -> int`` over ``parse_args(argv)``. Exit codes are part of the contract:
0 every property holds (unsat), 1 some property is violated (sat, with a witness confirmed by
onnxruntime), 3 some instance is unknown, timed out or passed the memory limit, 2 input or usage
error (in a batch, any instance that cannot be read; an output path that cannot be written,
checked before any instance runs). When several apply: 2, then 1, then 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

from symbolic.cluster import ClusterError
from symbolic.outputs import unwritable
from symbolic.runner import MEMORY_LIMIT, format_size, in_order, parse_size

from .batch import Instance, read_instances, run_instances
from .errors import InputError
from .result import Result, Status

PROG = "verify-net"
EXIT = {Status.UNSAT: 0, Status.SAT: 1, Status.UNKNOWN: 3, Status.TIMEOUT: 3, Status.MEMORY: 3,
        Status.ERROR: 2}
SEVERITY = (2, 1, 3, 0)

EPILOG = """\
examples:
  verify-net problems/verify/acasxu_1_1.onnx problems/verify/acasxu_prop_4.vnnlib --timeout 60
  verify-net --instances benchmarks/acasxu/instances.csv --jobs 2 --results results.csv
  verify-net net.onnx prop.vnnlib --results out.txt   # VNN-COMP result file

A VNNLIB file states the violation: "unsat" means the property holds, "sat" that a
counterexample exists (printed as ((X_0 v) ... (Y_0 v) ...), checked with onnxruntime).

Each instance runs in a worker process killed at its timeout (status timeout) or when its
own memory passes --memory-limit (status memory, "exceeded the memory limit of 4 GiB";
written "unknown" in VNN-COMP result files); the other instances go on. --results and --junit
paths are checked before any instance runs; a report that fails to write later changes no
instance's status.

exit codes: 0 all properties hold; 1 some violated; 3 some unknown, timed out or past the
memory limit; 2 input or usage error, or a report that cannot be written.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors kept on one line (an argument may hold a line break)."""

    def error(self, message: str):  # type: ignore[override]
        super().error(printable(message))


def printable(text: str) -> str:
    """``text`` on one line: line breaks and other control characters escaped."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, description="Verify ONNX feed-forward networks against VNNLIB properties "
        "(IBP / CROWN / alpha-CROWN / beta-CROWN bounds, branch and bound, onnxruntime-checked "
        "witnesses).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("network", nargs="?", metavar="NET.onnx")
    parser.add_argument("property", nargs="?", metavar="PROP.vnnlib")
    parser.add_argument("--instances", metavar="CSV",
                        help="VNN-COMP instances.csv (onnx,vnnlib,timeout rows)")
    parser.add_argument("--root", metavar="DIR",
                        help="folder the instances.csv paths are relative to (default: its "
                        "folder)")
    parser.add_argument("--timeout", type=_seconds, metavar="S",
                        help="seconds per instance (default: 60; with --instances, the CSV's "
                        "timeout unless given)")
    parser.add_argument("--results", metavar="FILE",
                        help="write the VNN-COMP result file (with --instances: a CSV "
                        "onnx,vnnlib,result,seconds)")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per instance per line")
    parser.add_argument("--memory-limit", type=_memory, default=MEMORY_LIMIT, metavar="SIZE",
                        help="memory of its own (not shared with the parent) per instance's "
                        "worker, e.g. 2G or 500M, 0 or none for no limit (default: "
                        f"{format_size(MEMORY_LIMIT).replace(' GiB', 'G')}); an instance past it "
                        "is killed and reported as memory")
    parser.add_argument("--jobs", type=_count, default=1, metavar="N",
                        help="instances verified in parallel (default: 1)")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="verify on a Ray cluster (pip install 'neurosym[cluster]'): local "
                        "(a private instance on this machine), auto (the one ray start left "
                        "here) or HOST:PORT of its head; the same limits and results as "
                        "locally, --jobs instances at a time; every node must see the files")
    parser.add_argument("--threads", type=_count, default=1, metavar="N",
                        help="torch threads per instance (default: 1; more threads in forked "
                        "workers can deadlock OpenMP)")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the falsifier (default: 0)")
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return value


def _memory(text: str) -> int | None:
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return int(text)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; argparse exits with code 2 on a usage error."""
    args = build_parser().parse_args(argv)
    single = args.network is not None or args.property is not None
    if args.instances and single:
        build_parser().error("give NET.onnx PROP.vnnlib or --instances CSV, not both")
    if not args.instances and (args.network is None or args.property is None):
        build_parser().error("give NET.onnx PROP.vnnlib, or --instances CSV")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    try:
        if args.instances:
            instances = read_instances(args.instances, args.root)
        else:
            instances = [Instance(Path(args.network), Path(args.property), args.timeout or 60.0,
                                  args.network, args.property)]
    except InputError as e:
        return _error(str(e))
    for flag, path in (("--results", args.results), ("--junit", args.junit)):
        why = unwritable(path) if path else None
        if why:
            return _error(f"{flag} {path}: {why}")
    if args.timeout and args.instances:
        instances = [Instance(i.onnx, i.vnnlib, args.timeout, i.onnx_text, i.vnnlib_text)
                     for i in instances]
    if args.cluster:  # the cluster's workers need not share our working folder
        instances = [replace(i, onnx=i.onnx.resolve(), vnnlib=i.vnnlib.resolve())
                     for i in instances]
    try:
        results = _run(instances, args)
    except ClusterError as e:
        return _error(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    codes = {EXIT[r.status] for r in results}
    if not _write_reports(instances, results, args):
        codes.add(2)
    return next(c for c in SEVERITY if c in codes)


def _error(message: str) -> int:
    print(f"{PROG}: error: {printable(message)}", file=sys.stderr)
    return 2


def solve_instance(instance: Instance, seed: int = 0) -> Result:
    """Verify one instance (in a worker process)."""
    from .api import verify
    from .search import SearchConfig

    return verify(instance.onnx, instance.vnnlib, instance.timeout, SearchConfig(seed=seed))


def _run(instances: list[Instance], args: argparse.Namespace) -> list[Result]:
    def solver(inst: Instance) -> Result:
        return solve_instance(inst, args.seed)

    results: list[Result] = []
    single = len(instances) == 1 and not args.instances
    threads = args.threads
    runs = run_instances(instances, solver, args.jobs, threads, args.memory_limit,
                         cluster=args.cluster)
    for instance, result in zip(instances, in_order(runs)):
        results.append(result)
        _emit(instance, result, args, single)
    if args.instances and not args.json:
        print(summary_line(results))
    return results


def _emit(inst: Instance, result: Result, args: argparse.Namespace, single: bool) -> None:
    if result.status is Status.ERROR:
        print(f"{PROG}: error: {printable(result.error or '')}", file=sys.stderr)
    if args.json:
        row = {"onnx": inst.onnx_text, "vnnlib": inst.vnnlib_text} | result.to_json()
        print(json.dumps(row), flush=True)
    elif single:
        if result.status is not Status.ERROR:
            print(result.to_vnncomp().rstrip("\n"))
            print(f"# {describe(result)} in {result.seconds:.2f} s", flush=True)
    else:
        note = f"  ({result.error})" if result.status is Status.MEMORY else ""
        print(f"{result.status.value:<8} {result.seconds:8.2f} s  {inst.onnx_text}  "
              f"{inst.vnnlib_text}{note}", flush=True)


def describe(result: Result) -> str:
    if result.status is Status.MEMORY:
        return result.error or "exceeded the memory limit"
    return {Status.UNSAT: "property holds", Status.SAT: "property violated",
            Status.UNKNOWN: "undecided", Status.TIMEOUT: "timed out",
            Status.ERROR: "error"}[result.status]


def summary_line(results: Sequence[Result]) -> str:
    counts = Counter(r.status.value for r in results)
    shown = [s for s in Status if s is not Status.MEMORY or counts.get(s.value)]
    parts = ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in shown)
    total = sum(r.seconds for r in results)
    return f"{len(results)} instances: {parts}; {total:.1f} s in total"


def _write_reports(instances: list[Instance], results: list[Result],
                   args: argparse.Namespace) -> bool:
    """Write --results and --junit (checked up front, but the disk can still fill up); False
    when one could not be written, with a one-line error (the results stand as they are)."""
    written = True
    if args.results:
        if args.instances:
            text = "".join(f"{i.onnx_text},{i.vnnlib_text},{r.vnncomp_word},{r.seconds:.3f}\n"
                           for i, r in zip(instances, results))
        else:
            text = results[0].to_vnncomp()
        written &= _write(args.results, "--results", text.encode("utf-8"))
    if args.junit:
        written &= _write(args.junit, "--junit", junit_xml(instances, results))
    return written


def _write(path: str, flag: str, data: bytes) -> bool:
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        _error(f"{flag} {path}: cannot write ({e.strerror or e})")
        return False
    return True


def junit_xml(instances: Sequence[Instance], results: Sequence[Result]) -> bytes:
    """JUnit XML: unsat passes; sat, unknown and timeout fail; error is an error."""
    counts = Counter(r.status for r in results)
    failures = (counts[Status.SAT] + counts[Status.UNKNOWN] + counts[Status.TIMEOUT]
                + counts[Status.MEMORY])
    suite = ET.Element("testsuite", name=PROG, tests=str(len(results)),
                       failures=str(failures), errors=str(counts[Status.ERROR]),
                       time=f"{sum(r.seconds for r in results):.3f}",
                       timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"))
    for inst, result in zip(instances, results):
        case = ET.SubElement(suite, "testcase", classname=PROG,
                             name=f"{inst.onnx_text} {inst.vnnlib_text}",
                             time=f"{result.seconds:.3f}")
        if result.status is Status.ERROR:
            ET.SubElement(case, "error", message=result.error or "error", type="error")
        elif result.status is not Status.UNSAT:
            node = ET.SubElement(case, "failure", type=result.status.value,
                                 message=describe(result))
            node.text = result.to_vnncomp()
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True)


if __name__ == "__main__":
    raise SystemExit(main())
