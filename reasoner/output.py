"""How ``solve-problem`` writes its results: a problem's JSON row, its one-line text form, a
batch's rows and summary table, and the progress bar of a batch on a terminal."""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from . import domains
from .result import Result, Status


def to_json(result: Result, with_proof: bool = False) -> dict:
    """The JSON row of a result: the common fields, then its domain's own."""
    return domains.by_name(result.domain).to_json(result, with_proof=with_proof)


def format_line(result: Result) -> str:
    """``name: proved in 0.12 s (5 steps)`` for a single-problem run."""
    if result.status is Status.PROVED:
        steps = f" ({result.steps} steps)" if result.steps is not None else ""
        sources = result.stats.get("auxiliary_sources") or [""] * len(result.auxiliary)
        aux = (" with auxiliary " + "; ".join(
            f"{c} [{s}]" if s else c for c, s in zip(result.auxiliary, sources))
            if result.auxiliary else "")
        search = result.stats.get("search") or {}
        by = (f" by worker {search['worker']} of {search['workers']}"
              if search.get("workers", 1) > 1 else "")
        return f"{result.problem}: proved in {result.seconds:.2f} s{steps}{by}{aux}"
    if result.status is Status.ERROR:
        return f"{result.problem}: error: {result.error}"
    if result.status is Status.MEMORY:
        return f"{result.problem}: memory after {result.seconds:.2f} s: {result.error}"
    if result.status in (Status.SOLVED, Status.INFEASIBLE):
        return f"{result.problem}: {result.status.value} in {result.seconds:.2f} s"
    return f"{result.problem}: {result.status.value} after {result.seconds:.2f} s"


def format_row(result: Result) -> str:
    """One batch row: status, seconds, name, file (and the limit a ``memory`` row passed)."""
    row = f"{result.status.value:<10} {result.seconds:8.2f} s  {result.problem}  {result.file}"
    return row + f"  ({result.error})" if result.status is Status.MEMORY else row


def summarize(results: Sequence[Result]) -> dict[str, float | int | None]:
    """Counts per status, the total, and the median seconds of the proved problems."""
    counts = Counter(r.status for r in results)
    proved = [r.seconds for r in results if r.status.definitive]
    out: dict[str, float | int | None] = {s.value: counts.get(s, 0) for s in Status}
    out["total"] = len(results)
    out["median_proved_seconds"] = statistics.median(proved) if proved else None
    return out


def print_summary(results: Sequence[Result], file) -> None:
    from rich.console import Console
    from rich.table import Table

    s = summarize(results)
    table = Table(title="summary")
    statuses = [k for k in ("proved", "solved", "infeasible", "unknown", "timeout", "memory",
                            "error")
                if k in ("proved", "unknown", "timeout", "error") or s[k]]
    for column in (*statuses, "total", "median s (proved/solved)"):
        table.add_column(column, justify="right")
    median = s["median_proved_seconds"]
    table.add_row(*(str(s[k]) for k in (*statuses, "total")),
                  "-" if median is None else f"{median:.2f}")
    Console(file=file, highlight=False).print(table)


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int, int, Result], None] | None]:
    """A rich progress bar on stderr when it is a terminal; yields the progress callback.

    The bar refreshes only from the callback (no refresh thread), because the batch forks
    worker processes and forking a threaded process is unsafe.
    """
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True), auto_refresh=False,
                   redirect_stdout=sys.stdout.isatty(), transient=True)
    task = bar.add_task("solving", total=total)
    proved = 0

    def advance(done: int, _total: int, result: Result) -> None:
        nonlocal proved
        proved += result.status.definitive
        bar.update(task, completed=done, description=f"{proved} proved", refresh=True)

    with bar:
        bar.refresh()
        yield advance
