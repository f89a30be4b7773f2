"""Long fuzzing runs of every input language, with hypothesis or atheris.

    python bench/fuzz.py --engine hypothesis --runs 10000
    python bench/fuzz.py --engine atheris --lang geometry --lang cli --runs 10000 --limit 5

Each input runs through the language's target (``tests/fuzz/fuzz_targets.py``: the real reader,
and a short solve of what reads cleanly) and is classified as ok, expected error (a documented
error class with a one-line message), crash (anything else: a traceback, another exception, a
multi-line message, an undocumented exit code) or hang (over the limit + 1 s; + 15 s for
command lines, which start worker processes). Every crashing or hanging input is saved as
``tests/fuzz/regressions/<language>/<verdict>-<sha1>``, which the test suite replays. The table
at the end gives, per language: inputs tried, ok, expected errors, crashes (tracebacks), hangs,
and the seconds the language took.

atheris runs each language in its own process (libFuzzer ends the process when it is done),
instrumented for coverage, seeded with the language's bundled examples and its words as a
libFuzzer dictionary; libFuzzer's own ``-timeout`` (4 s past the alarm) backs up the per-input
alarm for code stuck in C. Exit code: 0 when no input crashed or hung, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fuzz")]  # the targets live beside their tests

import fuzz_targets as ft  # noqa: E402

COLUMNS = ("inputs", "ok", "expected", "crash", "hang")
UNINSTRUMENTED = ["grammars.constrained.kernels", "symbolic.geometry.kernels",
                  "symbolic.geometry.kernels_jit", "symbolic.sygus.kernels",
                  "grammars.constrained.parser"]
"""Modules left as they are: numba cannot compile the bytecode atheris instruments (the
kernels), and atheris 2.3 on Python 3.11 miscompiles ``Parser.feed_depth`` (a tuple index
read as an int; the same inputs pass uninstrumented)."""


# ---------------------------------------------------------------- bookkeeping


def _shown(path: Path) -> str:
    """A saved input's path as printed: relative to the repository where it lies inside."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class Tally:
    """Counts of one language's run, crash reports, and progress on stderr."""

    def __init__(self, language: str, runs: int, save: Path | None, every: float = 10.0) -> None:
        self.language, self.runs, self.save, self.every = language, runs, save, every
        self.counts: Counter[str] = Counter()
        self.start = self.last = time.monotonic()
        self.saved: list[str] = []

    def add(self, data: bytes, outcome: ft.Outcome) -> None:
        self.counts["inputs"] += 1
        self.counts[outcome.verdict.value] += 1
        if outcome.verdict in (ft.Verdict.CRASH, ft.Verdict.HANG):
            where = ft.save_regression(self.language, data, outcome, self.save) if self.save \
                else None
            last = outcome.detail.strip().splitlines()[-1] if outcome.detail.strip() else ""
            print(f"\n{self.language}: {outcome.verdict.value}: {last[:300]}"
                  + (f" -> {_shown(where)}" if where else ""), file=sys.stderr)
            if where:
                self.saved.append(_shown(where))
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(f"{self.language}: {self.progress()}", file=sys.stderr, flush=True)

    def progress(self) -> str:
        seconds = time.monotonic() - self.start
        return (f"{self.counts['inputs']}/{self.runs} inputs in {seconds:.0f} s, "
                f"{self.counts['crash']} crashes, {self.counts['hang']} hangs")

    def row(self) -> dict:
        return {"language": self.language, **{c: self.counts[c] for c in COLUMNS},
                "seconds": round(time.monotonic() - self.start, 1), "saved": self.saved}


# ---------------------------------------------------------------- hypothesis


def run_hypothesis(language: str, runs: int, limit: float, seed: int | None,
                   save: Path | None) -> dict:
    """``runs`` inputs from the language's strategy; nothing is raised to hypothesis, so the
    run never stops at the first crash (each is saved instead)."""
    import fuzz_strategies as fs
    from hypothesis import HealthCheck, Phase, given, settings

    target = ft.target(language)
    ft.warm(target)
    tally = Tally(language, runs, save)

    @settings(max_examples=runs, deadline=None, database=None, phases=[Phase.generate],
              derandomize=seed is None, suppress_health_check=list(HealthCheck))
    @given(fs.inputs(language))
    def fuzz(data: bytes) -> None:
        tally.add(data, ft.check(target, data, limit))

    if seed is not None:
        from hypothesis import seed as with_seed

        fuzz = with_seed(seed)(fuzz)
    fuzz()
    return tally.row()


# ---------------------------------------------------------------- atheris


def run_atheris_child(language: str, runs: int, limit: float, report: Path, save: Path | None,
                      corpus: Path, seconds: int) -> None:
    """In the child process: libFuzzer drives the target until ``runs`` inputs; the tally is
    written to ``report`` as JSON every few inputs and when done (libFuzzer exits the process
    itself, so the last write happens before it)."""
    import atheris

    target = ft.target(language)
    # the engines import most of their modules lazily: the seeds run inside the block, so that
    # every module the target reaches is imported (and instrumented) here
    with atheris.instrument_imports(include=["reasoner", "symbolic", "verify", "grammars"],
                                    exclude=UNINSTRUMENTED):
        import reasoner.cli  # noqa: F401
        import verify.cli  # noqa: F401

        ft.warm(target)
    tally = Tally(language, runs, save, every=1e9)  # the parent prints progress

    def write() -> None:
        tmp = report.with_suffix(".tmp")
        tmp.write_text(json.dumps(tally.row()), encoding="utf-8")
        tmp.replace(report)

    def test_one_input(data: bytes) -> None:
        tally.add(data, ft.check(target, data, limit))
        n = tally.counts["inputs"]
        if n % 25 == 0 or n >= runs:
            write()
        if n >= runs:
            shutil.rmtree(ft.sandbox(), ignore_errors=True)  # os._exit skips atexit
            os._exit(0)

    dictionary = corpus.parent / "dict.txt"
    dictionary.write_text("".join(f'"{_dict_entry(t)}"\n' for t in target.tokens if t),
                          encoding="ascii")
    args = [sys.argv[0], str(corpus), f"-runs={runs + 10 * len(target.seeds())}",
            f"-max_total_time={seconds}", f"-timeout={int(limit + target.grace + 4)}",
            "-rss_limit_mb=8192",
            f"-artifact_prefix={corpus.parent}/", "-print_final_stats=0",
            f"-max_len={max(4096, *(len(s) for s in target.seeds()))}"]
    if target.tokens:
        args.append(f"-dict={dictionary}")
    write()
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


def _dict_entry(token: bytes) -> str:
    """A libFuzzer dictionary entry: printable ASCII as is, ``\\``, ``\"`` and ``\xAB``."""
    return "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else
                   ("\\" + chr(b) if b in b'"\\' else f"\\x{b:02X}") for b in token)


def run_atheris(language: str, runs: int, limit: float, save: Path | None,
                seconds: int) -> dict:
    """One language in a child process; progress from its report file every 10 s."""
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{language}-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        for k, seed in enumerate(ft.target(language).seeds()):
            (corpus / f"seed-{k}").write_bytes(seed)
        report = work / "report.json"
        log = work / "libfuzzer.log"
        cmd = [sys.executable, __file__, "--engine", "atheris", "--lang", language, "--runs",
               str(runs), "--limit", str(limit), "--child-report", str(report), "--corpus",
               str(corpus), "--max-seconds", str(seconds)] + (
                   ["--save-to", str(save)] if save else ["--no-save"])
        start = time.monotonic()
        with open(log, "wb") as out:
            child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
            while child.poll() is None:
                time.sleep(2)
                if time.monotonic() - start >= 10 and report.exists():
                    start += 10
                    row = json.loads(report.read_text(encoding="utf-8"))
                    print(f"{language}: {row['inputs']}/{runs} inputs in {row['seconds']:.0f} s,"
                          f" {row['crash']} crashes, {row['hang']} hangs", file=sys.stderr,
                          flush=True)
        row = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {
            "language": language, **dict.fromkeys(COLUMNS, 0), "seconds": 0.0, "saved": []}
        text = log.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():  # the tally's own crash lines
            if line.startswith(f"{language}: crash") or line.startswith(f"{language}: hang"):
                print(line, file=sys.stderr)
        artifacts = sorted(work.glob("crash-*")) + sorted(work.glob("timeout-*")) + sorted(
            work.glob("oom-*"))
        if child.returncode != 0 or artifacts:  # libFuzzer killed it: a hang in C, or a crash
            print(f"{language}: libFuzzer ended with code {child.returncode}:\n"
                  + "\n".join(text.splitlines()[-15:]), file=sys.stderr)
            for artifact in artifacts:
                kind = ft.Verdict.HANG if artifact.name.startswith("timeout") else ft.Verdict.CRASH
                row["inputs"] += 1
                row[kind.value] += 1
                if save:
                    where = ft.save_regression(language, artifact.read_bytes(),
                                               ft.Outcome(kind, 0.0), save)
                    row["saved"].append(_shown(where))
        return row


# ---------------------------------------------------------------- main


def print_table(rows: list[dict], engine: str) -> None:
    head = f"{'language':<14}" + "".join(f"{c:>10}" for c in COLUMNS) + f"{'seconds':>10}"
    print(f"engine: {engine}")
    print(head)
    print("-" * len(head))
    for row in rows:
        print(f"{row['language']:<14}" + "".join(f"{row[c]:>10}" for c in COLUMNS)
              + f"{row['seconds']:>10.1f}")
    total = {c: sum(r[c] for r in rows) for c in COLUMNS}
    print("-" * len(head))
    print(f"{'total':<14}" + "".join(f"{total[c]:>10}" for c in COLUMNS)
          + f"{sum(r['seconds'] for r in rows):>10.1f}")
    saved = [p for r in rows for p in r["saved"]]
    if saved:
        print(f"\n{len(saved)} crashing or hanging input(s) saved:")
        for p in saved:
            print(f"  {p}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/fuzz.py", description=__doc__.split("\n\n")[0] + " Prints a table per "
        "language: inputs tried, ok, expected errors, crashes (tracebacks), hangs.",
        epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis",
                        help="hypothesis: the strategies of tests/fuzz (mutated seeds and "
                        "generated structure); atheris: coverage-guided libFuzzer mutations of "
                        "the seeds (default: hypothesis)")
    parser.add_argument("--lang", action="append", choices=ft.LANGUAGES, metavar="LANG",
                        help=f"input language, repeatable (default: all: "
                        f"{', '.join(ft.LANGUAGES)})")
    parser.add_argument("--runs", type=int, default=10_000, metavar="N",
                        help="inputs per language (default: 10000)")
    parser.add_argument("--limit", type=float, default=ft.DEFAULT_LIMIT, metavar="S",
                        help="seconds an input may take; past S + 1 it is a hang "
                        f"(default: {ft.DEFAULT_LIMIT:g})")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="hypothesis: random seed (default: derandomized, the same inputs "
                        "on every run)")
    parser.add_argument("--max-seconds", type=int, default=6 * 3600, metavar="S",
                        help="atheris: stop a language after S seconds (default: 21600)")
    parser.add_argument("--no-save", action="store_true",
                        help="do not save crashing inputs")
    parser.add_argument("--save-to", type=Path, default=ft.REGRESSIONS, metavar="DIR",
                        help="save crashing and hanging inputs as DIR/<language>/<verdict>-<sha1>"
                        " (default: tests/fuzz/regressions, which the test suite replays)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--child-report", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    languages = args.lang or list(ft.LANGUAGES)
    save = None if args.no_save else args.save_to.resolve()
    if args.child_report:
        run_atheris_child(languages[0], args.runs, args.limit, args.child_report,
                          save, args.corpus, args.max_seconds)
        return 0
    rows = []
    for language in languages:
        print(f"{language}: {args.runs} inputs with {args.engine}...", file=sys.stderr,
              flush=True)
        if args.engine == "hypothesis":
            rows.append(run_hypothesis(language, args.runs, args.limit, args.seed,
                                       save))
        else:
            rows.append(run_atheris(language, args.runs, args.limit, save,
                                    args.max_seconds))
        print(f"{language}: done: {rows[-1]['inputs']} inputs, {rows[-1]['crash']} crashes, "
              f"{rows[-1]['hang']} hangs, {rows[-1]['seconds']:.0f} s", file=sys.stderr,
              flush=True)
    print_table(rows, args.engine)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 1 if any(r["crash"] or r["hang"] for r in rows) else 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
