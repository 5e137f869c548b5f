"""Headless Chromium through Selenium and Debian's chromedriver: no browser download, no network use.

The flags keep an offline Chromium quiet (no background networking, updates, sync or QUIC); every session
gets a fresh profile directory. A missing chromium or chromedriver fails the test with what to install.
Screenshots are kept as test artifacts in ``test-artifacts/console/`` (git-ignored; ``GENESIS_TEST_ARTIFACTS``
names another folder).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)
T = TypeVar("T")
ARTIFACTS = Path(os.environ.get("GENESIS_TEST_ARTIFACTS") or Path(__file__).resolve().parents[3] / "test-artifacts")


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save the page as ``<artifacts>/console/<name>.png`` and check that it holds an image, not a blank."""
    path = ARTIFACTS / "console" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(path)), f"no screenshot {path}"
    assert path.stat().st_size > 5000, f"{path} is nearly empty"
    return path


def _which(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


ROWS_JS = """return [...document.querySelectorAll(arguments[0])].map(
    (tr) => [...tr.cells].map((c) => c.textContent.trim()));"""


def rows(driver: webdriver.Chrome, selector: str) -> list[list[str]]:
    result: list[list[str]] = driver.execute_script(ROWS_JS, selector)
    return result


def text(driver: webdriver.Chrome, selector: str) -> str:
    return str(
        driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector)
    )


def graph_nodes(driver: webdriver.Chrome) -> dict[str, int]:
    """The lineage graph's nodes drawn in the page: id -> layer (column)."""
    found: dict[str, int] = driver.execute_script(
        """return Object.fromEntries([...document.querySelectorAll('#lineage-result svg .node')]
            .map((g) => [g.dataset.id, Number(g.dataset.layer)]));"""
    )
    return found


def start_chromium(profile_dir: Path) -> webdriver.Chrome:
    """A headless Chromium with a fresh ``--user-data-dir``; fails (never skips) when it is not installed."""
    browser = _which("chromium", "chromium-browser")
    driver = _which("chromedriver")
    if browser is None or driver is None:
        pytest.fail(
            "headless Chromium is needed for the console test: install the Debian packages "
            "`chromium` and `chromium-driver` (scripts/setup.sh does it as root)",
            pytrace=False,
        )
    profile_dir.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def wait_for(
    what: str, check: Callable[[], T | None], within_s: float = 20.0, guard: Callable[[], None] | None = None
) -> T:
    """Poll ``check`` until it returns something truthy; a DOM node re-rendered meanwhile is retried.
    ``guard`` (e.g. "the worker process is still alive") runs before each try and may raise."""
    deadline = time.monotonic() + within_s
    last: Any = None
    while True:
        if guard is not None:
            guard()
        try:
            last = check()
        except StaleElementReferenceException:
            last = None
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within_s:.0f}s waiting for {what} (last value: {last!r})")
        time.sleep(0.2)
