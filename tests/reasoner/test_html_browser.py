"""The --html pages in a real browser: headless Chromium (the system one) driven by playwright
opens them from file:// with every other request blocked, clicks through the steps and checks
what the figure highlights, the keyboard, the report's table, and that nothing is logged.

Skipped, with the reason shown, only where playwright or a Chromium cannot be found
(``.ci/run`` installs Debian's chromium when it runs as root).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from needs_aux import BISECTOR_FEET

from reasoner.api import solve
from reasoner.cli import main
from reasoner.config import SolveConfig
from reasoner.report import report_page, viewer_page
from reasoner.result import Result, Status

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "problems" / "geometry" / "examples.txt"
SYGUS = ROOT / "problems" / "sygus" / "max2.sl"
# Miquel's pentagon theorem, jgex_ag_231 complete_004_6_GDD_FULL_81-109_106 (AlphaGeometry,
# Trinh et al., Nature 625, 2024; CC-BY-4.0, Copyright 2023 DeepMind Technologies Limited):
# a proof of over 90 steps
MIQUEL = ("q4 q1 q3 q0 q2 = pentagon q4 q1 q3 q0 q2; p0 = on_line p0 q4 q1, on_line p0 q0 q2; "
          "p4 = on_line p4 q4 q1, on_line p4 q3 q0; p3 = on_line p3 q3 q0, on_line p3 q4 q2; "
          "p2 = on_line p2 q1 q3, on_line p2 q4 q2; p1 = on_line p1 q1 q3, on_line p1 q0 q2; "
          "o0 = circle o0 q0 p0 p4; o1 = circle o1 p1 q1 p0; o4 = circle o4 p4 p3 q4; "
          "o3 = circle o3 p3 p2 q3; o2 = circle o2 p1 p2 q2; "
          "m0 = on_circle m0 o0 q0, on_circle m0 o1 q1; "
          "m4 = on_circle m4 o0 q0, on_circle m4 o4 q4; "
          "m3 = on_circle m3 o4 q4, on_circle m3 o3 q3; "
          "m2 = on_circle m2 o3 q3, on_circle m2 o2 q2; "
          "m1 = on_circle m1 o2 q2, on_circle m1 o1 q1 ? cyclic m4 m3 m2 m1")
EULER = ("a b c = triangle a b c; h = orthocenter a b c; h1 = foot a b c; h2 = foot b c a; "
         "h3 = foot c a b; g1 g2 g3 g = centroid g1 g2 g3 g a b c; o = circle o a b c "
         "? coll h g o")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser_path() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install playwright)")
    path = _browser_path()
    if path is None:
        pytest.skip("no Chromium found (apt-get install chromium); the browser tests need one")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from file:// with every non-file request aborted and recorded, and the
    console errors and uncaught exceptions recorded."""

    def __init__(self, browser, path: Path, width: int = 1200, height: int = 800) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console",
                     lambda m: self.errors.append(m.text) if m.type in ("error", "warning")
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _route(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def highlighted(self, cls: str) -> set[str]:
        ids = self.page.eval_on_selector_all(f"svg .{cls}", "els => els.map(e => e.id)")
        return {i[:-len("-label")] if i.endswith("-label") else i for i in ids}

    def selected(self) -> int:
        return int(self.page.get_attribute(".viewer [data-selected], #viewer[data-selected]",
                                           "data-selected") or -1)

    def close(self) -> None:
        assert self.errors == [] and self.requests == []
        self.page.close()


@pytest.fixture(scope="module")
def proofs() -> dict[str, Result]:
    plain = SolveConfig(figure=True, aux=False, timeout=120)
    out = {"euler": solve(EULER, name="euler", config=plain),
           "miquel": solve(MIQUEL, name="miquel", config=plain),
           "bisector_feet": solve(BISECTOR_FEET, name="bisector_feet",
                                  config=SolveConfig(figure=True, timeout=120))}
    assert all(r.status is Status.PROVED for r in out.values())
    assert out["bisector_feet"].figure.auxiliary  # found by the auxiliary search
    assert out["miquel"].steps >= 90
    return out


def _expected(result: Result) -> list[tuple[set[str], set[str], set[str]]]:
    """Per row of the step list: the ids of its conclusion's objects, of its premises', and of
    its conclusion's points, computed here from the proof and the figure."""
    proof, figure = result.proof_object, result.figure
    facts = [f for f, _ in proof.given] + [s.conclusion for s in proof.steps]
    entries = proof.to_json()
    first = {}
    for i, e in enumerate(entries):
        first.setdefault(e["id"], i)
    out = []
    for entry, fact in zip(entries, facts):
        concl = set(figure.objects(fact.pred, fact.args))
        prem = {i for p in entry["premises"] for f in [facts[first[p]]]
                for i in figure.objects(f.pred, f.args)} - concl
        out.append((concl, prem, {figure.point_id(p) for p in fact.points}))
    return out


@pytest.mark.parametrize("name", ["bisector_feet", "euler", "miquel"])
def test_every_step_highlights_its_objects(browser, proofs, tmp_path, name) -> None:
    result = proofs[name]
    path = tmp_path / f"{name}.html"
    path.write_text(viewer_page(result), encoding="utf-8")
    opened = Opened(browser, path)
    page = opened.page
    expected = _expected(result)
    steps = page.locator("li.step")
    assert steps.count() == len(expected) == len(result.proof_object.to_json())
    assert opened.highlighted("hl-concl") == set()  # nothing selected yet
    # every step on a short proof; on a long one, a spread of them (clicks cost ~50 ms)
    rows = range(len(expected)) if len(expected) <= 40 else range(0, len(expected), 7)
    for i in rows:
        steps.nth(i).click()
        concl, prem, points = expected[i]
        assert opened.selected() == i
        assert opened.highlighted("hl-concl") == concl
        assert points <= opened.highlighted("hl-concl")
        assert opened.highlighted("hl-prem") == prem
        assert page.locator("li.step.selected").count() == 1
    # the highlight is drawn: the conclusion's lines in the conclusion colour
    line = next(i for i in sorted(expected[rows[-1]][0]) if i.startswith("l"))
    stroke = page.eval_on_selector(f'svg [id="{line}"] path', "p => getComputedStyle(p).stroke")
    assert stroke == "rgb(230, 0, 126)"
    # an angle of a step: a filled sector, invisible until then
    row = next((i for i, (c, _, _) in enumerate(expected)
                if any(x.startswith("ang") for x in c)), None)
    if row is not None:
        angle = next(x for x in sorted(expected[row][0]) if x.startswith("ang"))
        style = "p => { const s = getComputedStyle(p); return [s.fill, s.fillOpacity, s.opacity]; }"
        steps.nth(0).click()
        hidden = page.eval_on_selector(f'svg [id="{angle}"] path', style)
        assert float(hidden[2]) == 0 or angle in expected[0][0] | expected[0][1]
        steps.nth(row).click()
        fill, fill_opacity, opacity = page.eval_on_selector(f'svg [id="{angle}"] path', style)
        assert fill == "rgb(230, 0, 126)" and float(fill_opacity) > 0 and float(opacity) == 1
    aux = page.locator("li.clause.aux")
    assert aux.count() == sum(marked for _, marked in result.figure.clauses)
    assert aux.count() >= len(result.auxiliary)
    if result.auxiliary:  # a clause of the search, with the source that proposed it
        assert "auxiliary: heuristic" in aux.last.inner_text()
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    opened.close()


def test_keyboard_moves_between_steps(browser, proofs, tmp_path) -> None:
    result = proofs["miquel"]
    path = tmp_path / "miquel.html"
    path.write_text(viewer_page(result), encoding="utf-8")
    opened = Opened(browser, path, height=600)
    page, expected = opened.page, _expected(result)
    assert len(expected) >= 100  # given facts and steps: a long, scrolled list
    page.keyboard.press("j")
    assert opened.selected() == 0
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert opened.selected() == 5
    page.keyboard.press("k")
    page.keyboard.press("ArrowUp")
    assert opened.selected() == 3 and opened.highlighted("hl-concl") == expected[3][0]
    for _ in range(len(expected) + 5):  # past the end: stays on the last step, the goal
        page.keyboard.press("j")
    last = len(expected) - 1
    assert opened.selected() == last
    assert "goal" in (page.get_attribute("li.step.selected", "class") or "")
    assert opened.highlighted("hl-concl") == expected[last][0]
    # the selected step was scrolled into view inside the list
    assert page.locator("li.step.selected").is_visible()
    box = page.locator("li.step.selected").bounding_box()
    assert box is not None and 0 <= box["y"] <= 600
    # a premise reference jumps to the step it names
    page.locator("li.step.selected a.ref").first.click()
    assert opened.selected() < last
    page.screenshot(path=str(tmp_path / "miquel-keys.png"))
    opened.close()


def test_the_report_sorts_filters_and_opens_viewers(browser, proofs, tmp_path) -> None:
    sygus = Result("max2", "max2.sl", "sygus", Status.SOLVED, 0.5,
                   solution="(define-fun max2 ((x Int) (y Int)) Int (ite (<= x y) y x))")
    error = Result("broken", "b.txt", "geometry", Status.ERROR, 0.0,
                   error="b.txt:1:3: unknown construction 'foo'")
    results = [proofs["euler"], sygus, error, proofs["bisector_feet"], proofs["miquel"]]
    path = tmp_path / "report.html"
    path.write_text(report_page(results), encoding="utf-8")
    opened = Opened(browser, path, height=900)
    page = opened.page
    rows = page.locator("#problems tbody tr")
    assert rows.count() == 5
    page.click("th:has-text('seconds')")
    seconds = [float(s) for s in page.eval_on_selector_all(
        "#problems tbody tr td:nth-child(5)", "tds => tds.map(t => t.getAttribute('data-v'))")]
    assert seconds == sorted(seconds)
    page.click("th:has-text('seconds')")
    seconds = [float(s) for s in page.eval_on_selector_all(
        "#problems tbody tr td:nth-child(5)", "tds => tds.map(t => t.getAttribute('data-v'))")]
    assert seconds == sorted(seconds, reverse=True)
    page.fill("#filter", "unknown construction")
    assert page.locator("#problems tbody tr:visible").count() == 1
    assert page.inner_text("#shown") == "1"
    page.fill("#filter", "")
    page.select_option("#status-filter", "proved")
    assert page.locator("#problems tbody tr:visible").count() == 3
    page.select_option("#status-filter", "")
    assert "(ite (<= x y) y x)" in page.inner_text("#problems")
    page.screenshot(path=str(tmp_path / "report.png"))
    # the viewer of a proved problem, shown on demand
    assert page.is_hidden("#viewer-panel")
    page.click("a.open:has-text('bisector_feet')")
    page.wait_for_selector("#viewer-panel", state="visible", timeout=5000)
    expected = _expected(proofs["bisector_feet"])
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert opened.selected() == 1 and opened.highlighted("hl-concl") == expected[1][0]
    page.locator("#viewer li.step").nth(4).click()
    assert opened.highlighted("hl-prem") == expected[4][1]
    page.screenshot(path=str(tmp_path / "report-viewer.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector("#viewer-panel", state="hidden", timeout=5000)
    page.click("a.open:has-text('miquel')")  # another viewer replaces the first
    page.wait_for_selector("#viewer-panel", state="visible", timeout=5000)
    assert page.locator("#viewer li.step").count() == len(_expected(proofs["miquel"]))
    opened.close()


def test_the_command_line_pages_open_cleanly(browser, tmp_path, capsys) -> None:
    viewer, report = tmp_path / "one.html", tmp_path / "many.html"
    assert main([str(EXAMPLES), "--problem", "orthocenter_aux", "--no-aux",
                 "--html", str(viewer)]) == 0
    # bisector_feet is not proved without its auxiliary point: exit 1, and a row like the others
    assert main([str(EXAMPLES), str(SYGUS), "--no-aux", "--timeout", "30",
                 "--html", str(report)]) == 1
    err = capsys.readouterr().err
    assert f"viewer written to {viewer}" in err and f"report written to {report}" in err
    for path in (viewer, report):
        opened = Opened(browser, path)
        if path == report:
            assert opened.page.locator("#problems tbody tr").count() == 6
            opened.page.click("a.open:has-text('euler')")
            opened.page.wait_for_selector("#viewer-panel", state="visible", timeout=5000)
        opened.page.keyboard.press("j")
        assert opened.selected() == 0 and opened.highlighted("hl-concl")
        opened.close()


COLLECT = """() => {
  const viewer = NeurosymViewer.active();
  const ids = cls => Array.from(document.querySelectorAll('#viewer svg .' + cls))
      .map(e => e.id.replace(/-label$/, ''));
  const out = [];
  const n = document.querySelectorAll('#viewer li.step').length;
  for (let i = 0; i < n; i++) {
    viewer.select(i);
    out.push([ids('hl-concl'), ids('hl-prem')]);
  }
  return out;
}"""


@pytest.mark.slow
def test_every_proved_example_opens_and_highlights_in_the_report(browser, tmp_path) -> None:
    from reasoner.batch import in_order, run_batch
    from reasoner.cli import collect

    items = collect([str(ROOT / "problems" / "geometry")], None)
    config = SolveConfig(figure=True, aux=False, timeout=60)
    results = list(in_order(run_batch(items, config)))
    proved = [i for i, r in enumerate(results) if r.status is Status.PROVED]
    assert len(proved) >= 60
    path = tmp_path / "examples.html"
    path.write_text(report_page(results), encoding="utf-8")
    opened = Opened(browser, path)
    page = opened.page
    for index in proved:
        page.evaluate(f"() => {{ location.hash = '#view-{index}'; }}")
        page.wait_for_selector(f'#viewer[data-view="{index}"]', timeout=5000)
        got = page.evaluate(COLLECT)
        want = _expected(results[index])
        assert len(got) == len(want), results[index].problem
        for (concl, prem), (e_concl, e_prem, _) in zip(got, want):
            assert (set(concl), set(prem)) == (e_concl, e_prem), results[index].problem
    page.screenshot(path=str(tmp_path / "last.png"))
    opened.close()
