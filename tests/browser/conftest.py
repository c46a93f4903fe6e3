"""Real headless Chromium through Playwright's sync API, against the live server.

Debian's Chromium is used (found on PATH); Playwright's own browser downloads
are never needed. Without Chromium the browser tests skip with the reason,
which CI (CI=true) turns into a failure.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOT_DIR") or tempfile.gettempdir())
    folder = folder / "grantownik-browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the test item so the page fixture knows, at teardown, whether to
    # take a screenshot.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Chromium not installed: the browser tests need Debian's chromium on PATH "
            "(apt-get install -y chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    # A Polish browser, as most applicants have: pages follow Accept-Language.
    context = browser.new_context(
        locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        target = screenshot_dir() / f"{name}.png"
        try:
            page.screenshot(path=str(target), full_page=True)
            print(f"\nScreenshot of the failed page: {target}")
        except Exception as exc:  # the page may be gone with the failure
            print(f"\nNo screenshot: {exc}")
    context.close()
