"""Debian's headless Chromium, for pictures (`--png`), screenshots, benchmarks and tests.

Never a downloaded browser: `make browser` installs the `chromium` package from Debian. A
picture is taken by Chromium's own command line (`--screenshot`), so `samgraf report --png`
needs no Python package beyond the project's; Playwright (a test extra) drives the same
binary through `executable_path` where a test or a benchmark has to click and wait.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: the flags every launch uses: no sandbox (root in CI), no GPU, no background traffic
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--no-first-run",
]


class BrowserMissing(RuntimeError):
    pass


def chromium_path() -> str:
    """The Chromium binary: $SAMGRAF_CHROMIUM, /usr/bin/chromium, or `chromium` on PATH."""
    env = os.environ.get("SAMGRAF_CHROMIUM")
    for candidate in (env, "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise BrowserMissing(
        "fant ikke Chromium (/usr/bin/chromium); installer den med `make browser` "
        "(apt-get install chromium)"
    )


def screenshot(
    url: str,
    png: Path,
    width: int = 1600,
    height: int = 1000,
    budget_ms: int = 20000,
    timeout: float = 60.0,
) -> Path:
    """A PNG of a page as headless Chromium draws it, after `budget_ms` of virtual time.

    Virtual time runs the page's timers (vis-network's stabilisation) as fast as the CPU
    allows, so the picture shows the settled graph.
    """
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="samgraf-chromium-") as profile:
        cmd = [
            chromium_path(),
            "--headless",
            *CHROMIUM_ARGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={budget_ms}",
            f"--screenshot={png.resolve()}",
            url,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not png.exists():
        raise RuntimeError(f"Chromium klarte ikke å ta bildet: {proc.stderr[-500:]}")
    return png


@contextmanager
def playwright_chromium(**launch: Any) -> Iterator[Any]:
    """A Playwright Browser running Debian's Chromium (needs the `test` extra)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, **launch)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def api_server(env: dict[str, str], timeout: float = 60.0) -> Iterator[str]:
    """The API (uvicorn) on 127.0.0.1 and a free port, in a subprocess; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--log-level", "warning"]
    with tempfile.TemporaryFile(mode="w+", prefix="samgraf-api-") as log:
        proc = subprocess.Popen(
            cmd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, text=True
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"API-et startet ikke: {log.read()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError("API-et svarte ikke innen tidsfristen")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as res:
            return bool(res.status == 200)
    except OSError:
        return False
