"""The report's plots as inline SVG (matplotlib, Agg, text kept as text)."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Sequence
from typing import Any

from ..result import Result, Status

COLOURS = {Status.PROVED: "#2ca02c", Status.SOLVED: "#2ca02c", Status.INFEASIBLE: "#17becf",
           Status.UNKNOWN: "#ff7f0e", Status.TIMEOUT: "#d62728", Status.MEMORY: "#9467bd",
           Status.ERROR: "#7f7f7f"}


def _figure(width: float = 6.4, height: float = 2.8) -> tuple[Any, Any]:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # never switch a live pyplot session
        matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _svg(fig: Any) -> str:
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "neurosym-report"}):
        fig.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    text = text[text.index("<svg"):]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)


def times_svg(results: Sequence[Result]) -> str:
    """Seconds per problem, in input order, one dot per problem coloured by status."""
    fig, ax = _figure()
    for status in Status:
        xs = [i for i, r in enumerate(results, start=1) if r.status is status]
        if xs:
            ax.scatter(xs, [max(results[i - 1].seconds, 1e-3) for i in xs], s=9,
                       color=COLOURS[status], label=status.value)
    ax.set_yscale("log")
    ax.set_xlabel("problem (input order)")
    ax.set_ylabel("seconds")
    ax.set_title("time per problem", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return _svg(fig)


def cumulative_svg(results: Sequence[Result]) -> str:
    """Problems proved (or solved) against the solving time spent, problems in input order
    (with one job, the batch's own time line)."""
    fig, ax = _figure()
    elapsed, proved = [0.0], [0]
    for r in results:
        elapsed.append(elapsed[-1] + r.seconds)
        proved.append(proved[-1] + int(r.status.definitive))
    ax.step(elapsed, proved, where="post", color=COLOURS[Status.PROVED])
    ax.set_xlabel("solving time spent (s, cumulative)")
    ax.set_ylabel("proved / solved")
    ax.set_title(f"{proved[-1]} of {len(results)} proved or solved", fontsize=10)
    ax.grid(alpha=0.3)
    return _svg(fig)
