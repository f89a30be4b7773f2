"""HTML pages of results: the proof viewer of one problem and the report of a batch.

Both are single self-contained files (styles, scripts and figures inline; nothing is fetched
when they are opened), rendered by jinja2 templates (``templates/``, autoescaped) from the
same objects as the text output: a proof's steps are ``Proof.to_json()`` (ids, the facts'
text, rules, premises), and the figure is ``symbolic.geometry.figure.Figure`` drawn by
``symbolic.geometry.draw.svg_text``. Each step carries the element ids of the figure objects
its conclusion and its premises speak of (``Figure.objects``), which the page highlights.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..result import Result, Status

__all__ = ["report_page", "viewer_context", "viewer_page", "write_html"]


def viewer_context(result: Result) -> dict[str, Any]:
    """What the viewer template shows of one result (any domain, any status)."""
    view: dict[str, Any] = {"name": result.problem, "file": result.file,
                            "domain": result.domain, "status": result.status.value,
                            "seconds": result.seconds, "steps": [], "clauses": [],
                            "goal": None, "svg": None, "error": result.error,
                            "solution": result.solution, "data": {"steps": [], "goal": []}}
    figure, proof = result.figure, result.proof_object
    if figure is None or proof is None or result.status is not Status.PROVED:
        return view
    from markupsafe import Markup

    from symbolic.geometry.draw import svg_text

    view["svg"] = Markup(svg_text(figure))
    view["goal"] = figure.goal_text
    view["clauses"] = _clauses(result, figure)
    view["steps"], view["data"]["steps"] = _steps(proof, figure)
    view["data"]["goal"] = list(figure.goal)
    view["data"]["points"] = {name: figure.point_id(name) for name, _ in figure.points}
    return view


def _clauses(result: Result, figure: Any) -> list[dict[str, Any]]:
    """The statement's clauses; auxiliary ones marked, with the source that proposed them."""
    sources = dict(zip(result.auxiliary, result.stats.get("auxiliary_sources") or ()))
    return [{"text": text, "auxiliary": aux or text in sources, "source": sources.get(text)}
            for text, aux in figure.clauses]


def _steps(proof: Any, figure: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the step list (given facts first), and per row the figure ids of its
    conclusion and its premises."""
    from symbolic.geometry.proof import RULE_NAMES

    facts = {str(f): f for f in [f for f, _ in proof.given] + [s.conclusion for s in proof.steps]}
    entries = proof.to_json()

    def objects(entry: dict[str, Any]) -> tuple[str, ...]:
        fact = facts.get(entry["fact"])
        return figure.objects(fact.pred, fact.args) if fact is not None else ()

    index = {e["id"]: i for i, e in reversed(list(enumerate(entries)))}
    rows, data = [], []
    for entry in entries:
        given = entry["rule"] == "given"
        rule = entry.get("construction", "") if given else entry["rule"]
        if entry["rule"] in RULE_NAMES:
            rule = f"{rule} {RULE_NAMES[entry['rule']]}"
        premises = [{"id": p, "index": index[p], "text": entries[index[p]]["text"]}
                    for p in entry["premises"]]
        rows.append({"id": entry["id"], "text": entry["text"], "rule": rule, "given": given,
                     "goal": entry["fact"] == str(proof.goal), "premises": premises})
        concl = objects(entry)
        prem = [i for p in entry["premises"] for i in objects(entries[index[p]]) if i not in concl]
        data.append({"id": entry["id"], "conclusion": list(concl),
                     "premises": list(dict.fromkeys(prem))})
    return rows, data


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("reasoner.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["seconds"] = lambda s: f"{s:.2f}"
    return env


def viewer_page(result: Result) -> str:
    """The self-contained viewer page of one result."""
    return _environment().get_template("viewer.html.j2").render(v=viewer_context(result))


def report_page(results: Sequence[Result], title: str = "solve-problem report") -> str:
    """The self-contained report of a batch: the table, the plots, a viewer per proof."""
    from markupsafe import Markup

    from .plots import cumulative_svg, times_svg

    rows = []
    for i, r in enumerate(results):
        sources = r.stats.get("auxiliary_sources") or [""] * len(r.auxiliary)
        rows.append({"index": i, "r": r, "status": r.status.value,
                     "auxiliary": list(zip(r.auxiliary, sources)),
                     "viewer": viewer_context(r) if r.figure is not None else None})
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    return _environment().get_template("report.html.j2").render(
        title=title, rows=rows, counts=counts, total=len(results),
        times=Markup(times_svg(results)), cumulative=Markup(cumulative_svg(results)))


def write_html(results: Sequence[Result], path: str | Path) -> str:
    """Write the viewer (one result) or the report (several) to ``path``; which one."""
    single = len(results) == 1
    page = viewer_page(results[0]) if single else report_page(results)
    Path(path).write_text(page, encoding="utf-8")
    return "viewer" if single else "report"
