"""The --html pages: self-contained, escaped, their step data taken from the proof itself."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from needs_aux import BISECTOR_FEET, WITHOUT_SQUARED

from reasoner.api import solve
from reasoner.config import SolveConfig
from reasoner.report import report_page, viewer_page
from reasoner.result import Result, Status

ORTHOCENTER_AUX = ("a b c = triangle; d = on_tline d b a c, on_tline d c a b; "
                   "e = on_line e a c, on_line e b d ? perp a d b c")
EULER = ("a b c = triangle a b c; h = orthocenter a b c; h1 = foot a b c; h2 = foot b c a; "
         "h3 = foot c a b; g1 g2 g3 g = centroid g1 g2 g3 g a b c; o = circle o a b c "
         "? coll h g o")
PLAIN = SolveConfig(figure=True, aux=False, timeout=60)
# without the squared table, the proof of ORTHOCENTER_AUX needs its auxiliary point e
NEEDS_E = replace(PLAIN, ar_tables=WITHOUT_SQUARED)


class Links(HTMLParser):
    """Every src/href (and xlink:href) of a page, its tags, and its script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href")]


def links(page: str) -> Links:
    parser = Links()
    parser.feed(page)
    return parser


def viewer_data(page: str) -> dict:
    (data,) = re.findall(r'<script type="application/json" class="viewer-data">(.*?)</script>',
                         page, flags=re.S)
    return json.loads(data)


@pytest.fixture(scope="module")
def euler() -> Result:
    result = solve(EULER, name="euler", config=PLAIN)
    assert result.status is Status.PROVED and result.figure is not None
    return result


@pytest.fixture(scope="module")
def orthocenter() -> Result:
    result = solve(ORTHOCENTER_AUX, name="orthocenter_aux", config=NEEDS_E)
    assert result.status is Status.PROVED
    return result


def test_the_viewer_is_self_contained(euler) -> None:
    page = viewer_page(euler)
    found = links(page)
    assert "svg" in found.tags and "script" in found.tags and "style" in found.tags
    assert "link" not in found.tags and "img" not in found.tags and "iframe" not in found.tags
    external = [u for u in found.urls if not u.startswith("#") and not u.startswith("url(#")]
    assert external == []
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page


def test_steps_are_the_proofs_own(euler) -> None:
    page = viewer_page(euler)
    proof, figure = euler.proof_object, euler.figure
    entries = proof.to_json()
    data = viewer_data(page)
    assert [s["id"] for s in data["steps"]] == [e["id"] for e in entries]
    shown = [html.unescape(t) for t in re.findall(r'<span class="concl">(.*?)</span>', page)]
    assert shown == [e["text"] for e in entries]
    assert len([e for e in entries if e["rule"] != "given"]) == len(proof.steps) == 23
    facts = [f for f, _ in proof.given] + [s.conclusion for s in proof.steps]
    for step, fact in zip(data["steps"], facts):
        assert step["conclusion"] == list(figure.objects(fact.pred, fact.args))
        points = {figure.point_id(p) for p in fact.points}
        assert points <= set(step["conclusion"])  # every point of the fact is highlighted
        assert not set(step["premises"]) & set(step["conclusion"])
    svg_ids = set(re.findall(r'<g id="([^"]+)"', page))
    every = {i for s in data["steps"] for i in s["conclusion"] + s["premises"]}
    assert every <= svg_ids and set(data["goal"]) <= svg_ids
    assert set(data["goal"]) == set(figure.objects(proof.goal.pred, proof.goal.args))


def test_a_step_names_its_premises_and_their_objects(orthocenter) -> None:
    data = viewer_data(viewer_page(orthocenter))
    entries = orthocenter.proof_object.to_json()
    figure = orthocenter.figure
    by_id = {e["id"]: e for e in entries}
    last = data["steps"][-1]
    assert by_id[last["id"]]["text"] == "ad ⊥ bc"
    # the last step's conclusion speaks of a, d, b, c, the lines ad and bc, and their angle
    ad = next(ln.id for ln in figure.lines if {"a", "d"} <= set(ln.points))
    bc = next(ln.id for ln in figure.lines if {"b", "c"} <= set(ln.points))
    (right,) = [a for a in figure.angles if a.id in last["conclusion"]]
    assert abs(right.sweep - 90) < 1e-6
    assert {figure.point_id(p) for p in "adbc"} | {ad, bc, right.id} == set(last["conclusion"])
    # its premises speak of e (the auxiliary point) as well
    assert figure.point_id("e") in last["premises"]


def test_auxiliary_points_and_the_goal_are_marked(orthocenter) -> None:
    page = viewer_page(orthocenter)
    assert orthocenter.figure.auxiliary == ("e",)
    (aux,) = re.findall(r'<li class="clause aux">(.*?)</li>', page, flags=re.S)
    assert aux.startswith("e = on_line e a c, on_line e b d") and "auxiliary" in aux
    assert '<span class="goaltext">ad ⊥ bc</span>' in page
    assert page.count('class="step goal"') == 1


def test_a_search_clause_names_its_source() -> None:
    result = solve(BISECTOR_FEET, name="bisector_feet", config=SolveConfig(figure=True, timeout=60))
    assert result.status is Status.PROVED and result.auxiliary
    page = viewer_page(result)
    clause = html.escape(result.auxiliary[0], quote=False)
    source = result.stats["auxiliary_sources"][0]
    assert re.search(re.escape(clause) + r' <span class="badge">auxiliary: ' + source, page)


def test_everything_is_escaped(orthocenter) -> None:

    evil = replace(orthocenter, problem="<img src=x onerror=alert(1)>", file="</script>")
    page = viewer_page(evil)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("</script>") == page.count("<script")
    report = report_page([evil, _sygus(), _error("bad <b>input</b>")])
    assert "<img src=x" not in report and "<b>input</b>" not in report
    assert "bad &lt;b&gt;input&lt;/b&gt;" in report


def _sygus() -> Result:
    return Result("max2", "max2.sl", "sygus", Status.SOLVED, 0.12,
                  solution="(define-fun max2 ((x Int) (y Int)) Int (ite (<= x y) y x))")


def _error(message: str) -> Result:
    return Result("broken", "broken.txt", "geometry", Status.ERROR, 0.0, error=message)


def test_the_report_has_every_row_plots_and_viewers(euler, orthocenter) -> None:
    results = [euler, _sygus(), _error("broken.txt:1:5: unknown construction 'foo'"),
               orthocenter, Result("slow", "x.txt", "geometry", Status.TIMEOUT, 60.0)]
    page = report_page(results)
    rows = re.findall(r'<tr data-status="([a-z]+)">', page)
    assert rows == ["proved", "solved", "error", "proved", "timeout"]
    assert "(ite (&lt;= x y) y x)" in page  # the program, escaped
    assert "unknown construction &#39;foo&#39;" in page
    assert page.count("<template id=") == 2  # a viewer per proved problem
    assert '<a class="open" href="#view-0">euler</a>' in page
    assert page.count("<svg") == 4  # two plots, two figures
    assert "3 of 5 proved or solved" in page  # the cumulative plot's title
    assert [u for u in links(page).urls if not u.startswith("#")] == []


def test_an_unproved_single_problem_still_gets_a_page() -> None:
    page = viewer_page(_error("cannot read it"))
    assert "cannot read it" in page and "<svg" not in page
    page = viewer_page(_sygus())
    assert "(define-fun max2" in page


def test_pages_are_written_as_files(tmp_path: Path, euler) -> None:
    from reasoner.report import write_html

    assert write_html([euler], tmp_path / "v.html") == "viewer"
    assert write_html([euler, _sygus()], tmp_path / "r.html") == "report"
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_a_figure_that_cannot_be_drawn_leaves_the_proof_standing(monkeypatch) -> None:
    import symbolic.geometry.figure as figure_module

    def broken(*args, **kwargs):
        raise ValueError("no room on the page")

    monkeypatch.setattr(figure_module, "build_figure", broken)
    result = solve(ORTHOCENTER_AUX, name="orthocenter_aux", config=NEEDS_E)
    assert result.status is Status.PROVED and result.steps and result.figure is None
    assert result.stats["figure_error"] == "cannot draw the figure: no room on the page"
    page = viewer_page(result)
    assert "its figure was not kept" in page and "<svg" not in page
