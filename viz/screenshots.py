"""`make screenshots`: pictures of the explorer and of a report for the README (docs/*.png).

Loads the bundled dataset into a throw-away embedded database, starts the API on 127.0.0.1,
drives Debian's headless Chromium through Playwright (a test extra) like a user would, and
writes docs/explorer.png and docs/report.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from graph.settings import REPO_ROOT, Settings
from graph.store import GraphStore
from viz.browser import api_server, playwright_chromium
from viz.report import write_report

WAIT_MS = 30_000


def explorer_png(base_url: str, out: Path) -> Path:
    with playwright_chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 950})
        page.goto(base_url + "/")
        page.wait_for_function("window.explorer && explorer.state.ready", timeout=WAIT_MS)
        for box, hits, query in (
            ("#path-from", "#path-from-hits", "Bente Woldstad"),
            ("#path-to", "#path-to-hits", "Flere i arbeid"),
        ):
            page.fill(box, query)
            page.locator(f"{hits} li", has_text=query).first.click(timeout=WAIT_MS)
        page.fill("#q", "Flere i arbeid")
        page.locator("#hits li", has_text="Flere i arbeid").first.click(timeout=WAIT_MS)
        page.wait_for_function(
            "document.querySelector('#panel h3')?.textContent === 'Flere i arbeid'",
            timeout=WAIT_MS,
        )
        page.fill("#q", "")
        page.click("#path-go")
        page.locator("#path-result ol.hops li").first.wait_for(timeout=WAIT_MS)
        page.evaluate("() => explorer.network.fit({animation: false})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out))
    return out


def report_png(html: Path, out: Path) -> Path:
    with playwright_chromium() as browser:
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1750})
        page = context.new_page()
        page.goto(html.as_uri())
        page.wait_for_function("window.samgraf && samgraf.stable", timeout=WAIT_MS)
        page.screenshot(path=str(out), full_page=False)
    return out


def main(out_dir: Path) -> list[Path]:
    from importers.bundled import load_dataset

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="samgraf-shots-") as tmp:
        settings = Settings(
            store="embedded",
            db_path=Path(tmp) / "db",
            graph_name="screenshots",
            data_dir=REPO_ROOT / "data",
        )
        with GraphStore.open(settings) as store:
            store.clear()
            load_dataset(store, settings)
            report_html, _ = write_report(
                store, "Flere i arbeid", Path(tmp) / "rapport.html", as_="programme", hops=2
            )
            env = {
                "SAMGRAF_STORE": "embedded",
                "SAMGRAF_DB_PATH": str(settings.db_path),
                "SAMGRAF_GRAPH": settings.graph_name,
                "SAMGRAF_DATA_DIR": str(settings.data_dir),
            }
            with api_server(env) as url:
                shots = [explorer_png(url, out_dir / "explorer.png")]
            shots.append(report_png(report_html, out_dir / "report.png"))
    for shot in shots:
        print(f"Skrev {shot}")
    return shots


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT / "docs")
