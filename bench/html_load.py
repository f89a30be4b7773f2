"""Open an --html page in headless Chromium from file:// with the network blocked; print its
size, the load time (navigation start to the load event, median of several opens) and any
console error or attempted request; optionally save a screenshot.

    python bench/html_load.py report.html [--runs 5] [--screenshot report.png]
        [--open N] [--steps K] [--width 1200 --height 800]

``--open N`` opens the viewer of row N (report) before the screenshot; ``--steps K`` moves K
steps forward with the keyboard. Needs playwright and a Chromium (``/usr/bin/chromium``, or
``--browser PATH``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshot")
    parser.add_argument("--open", type=int, metavar="N")
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--browser", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    path = Path(args.page).resolve()
    if not path.is_file():
        parser.error(f"{args.page}: no such page")
    from playwright.sync_api import sync_playwright

    url = path.as_uri()
    errors: list[str] = []
    blocked: list[str] = []
    times: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.browser)
        for run in range(args.runs):
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("file:")
                       else (blocked.append(route.request.url), route.abort()))
            page.goto(url, wait_until="load")
            times.append(page.evaluate(
                "() => { const t = performance.getEntriesByType('navigation')[0];"
                " return t.loadEventEnd - t.startTime; }"))
            if run == args.runs - 1 and args.screenshot:
                if args.open is not None:
                    page.click(f'a.open[href="#view-{args.open}"]')
                for _ in range(args.steps):
                    page.keyboard.press("j")
                page.screenshot(path=args.screenshot)
            page.close()
        browser.close()
    median = statistics.median(times)
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, load {median:.0f} ms "
          f"(median of {len(times)}; min {min(times):.0f}, max {max(times):.0f})")
    print(f"console errors: {len(errors)}, requests blocked: {len(blocked)}")
    for line in errors + blocked:
        print("  " + line)
    return 1 if errors or blocked else 0


if __name__ == "__main__":
    from _cli import main_of

    raise SystemExit(main_of(main))
