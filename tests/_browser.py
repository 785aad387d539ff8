"""Open saved maps in Debian's headless Chromium with Playwright, network blocked.

The Playwright package's own browser download does not work here; we drive the system
``/usr/bin/chromium``. Without it, browser tests skip with a clear reason, unless
``LOCALITYGIS_REQUIRE_BROWSER=1`` (set in CI), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("LOCALITYGIS_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def require_browser() -> str:
    """Return the Chromium path, or skip (fail when LOCALITYGIS_REQUIRE_BROWSER=1)."""
    path = chromium_path()
    problem = None
    if path is None:
        problem = "Debian's chromium is not installed (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:  # pragma: no cover - playwright is a dev dependency
            problem = "the playwright Python package is not installed"
    if problem:
        if os.environ.get("LOCALITYGIS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but {problem}")
        pytest.skip(problem)
    assert path is not None
    return path


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@contextmanager
def launch() -> Iterator[object]:
    """Launch Debian's Chromium (headless) once; yield the Playwright browser."""
    from playwright.sync_api import sync_playwright

    executable = require_browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(
    path: Path, *, browser: object | None = None, width: int = 1280, height: int = 860
) -> Iterator[tuple[object, PageLog]]:
    """Open ``path`` (file://) with every non-file request aborted; yield (page, log).

    Each call gets a fresh browser context (no shared state between tests); pass ``browser``
    to reuse one Chromium process.
    """
    if browser is None:
        with launch() as own, open_page(path, browser=own, width=width, height=height) as opened:
            yield opened
        return
    log = PageLog()
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    try:

        def route(route_obj: object) -> None:
            url = route_obj.request.url  # type: ignore[attr-defined]
            if url.startswith(("file:", "data:", "blob:", "about:")):
                route_obj.continue_()  # type: ignore[attr-defined]
            else:
                log.blocked.append(url)
                route_obj.abort()  # type: ignore[attr-defined]

        context.route("**/*", route)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

        def on_dialog(dialog: object) -> None:
            log.dialogs.append(dialog.message)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_function("() => document.querySelector('.leaflet-container') !== null")
        yield page, log
    finally:
        context.close()
