"""Fixtures of the browser test: the built site served on 127.0.0.1, and Debian's Chromium.

The site folder is ``$RNNLAB_SITE`` (default ``_build/full/_build/html``, what
``python3 tools/course.py test`` builds). Chromium is ``$RNNLAB_CHROMIUM`` or the first of
``chromium`` / ``chromium-browser`` on the PATH; Playwright drives it, and no browser is
downloaded. Screenshots go to ``$RNNLAB_SCREENSHOTS`` (default ``_build/browser``).
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RNNLAB_SITE", ROOT / "_build" / "full" / "_build" / "html"))
SHOTS = Path(os.environ.get("RNNLAB_SCREENSHOTS", ROOT / "_build" / "browser"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reports failures itself
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: build it first (python3 tools/course.py test)")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("RNNLAB_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("Chromium not found: install Debian's package (apt-get install chromium) "
                    "or set RNNLAB_CHROMIUM to its path")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
