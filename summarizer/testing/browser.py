"""Headless Chromium through selenium, for browser tests and the report benchmark.

Debian's `chromium` and `chromedriver` are used as installed: the driver's path is given, so
selenium never looks for (or downloads) one. `selenium` is imported only when a browser starts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["CHROMEDRIVER", "CHROMIUM", "headless_chromium"]


def _which(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None)
        if found:
            return found
    return None


CHROMIUM = _which("chromium", "chromium-browser")
CHROMEDRIVER = _which("chromedriver")


@contextmanager
def headless_chromium(
    profile: Path, *, width: int = 1400, height: int = 1000, page_load_timeout: float = 60
) -> Iterator[Any]:
    """A selenium Chrome driver on a fresh profile folder; quit when the block ends."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        raise RuntimeError("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(page_load_timeout)
        driver.set_window_size(width, height)
        yield driver
    finally:
        driver.quit()
