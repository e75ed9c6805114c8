"""Open each kind of report in a real headless Chromium: it renders, logs no errors, fetches nothing,
and its charts and headline are there.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``)
and selenium; without them every test here skips and says why. selenium is pointed at those
binaries explicitly so that selenium-manager never downloads a browser or driver.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1100,1400",
)

# Hand-made payloads shared with the HTML tests (loaded by path: tests/ is not a package).
_spec = importlib.util.spec_from_file_location("_report_payloads", Path(__file__).with_name("test_html.py"))
payloads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(payloads)

# Headline text each report must show (worked out in test_html.py next to the same payloads), and the
# fewest charts that must be visible without opening any collapsed section.
EXPECTED = {
    "assess": ("single out 15,512 of 30,162 people", 3),
    "anonymize": ("proven optimal", 2),
    "exposure": ("612 of 30,162 records (2.0%) match exactly one person in voters.csv", 2),
    "sdc": ("4 protection steps applied", 1),
}


def _missing_browser_reason() -> str | None:
    for binary, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not binary.exists():
            return f"{binary} is absent: install Debian's `{package}` package to run the browser tests"
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed: pip install selenium (the dev extra) to run the browser tests"
    return None


@pytest.fixture(scope="module")
def driver():
    reason = _missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="unlinkable-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_report_renders_in_chromium(driver, report_dir, kind):
    from selenium.webdriver.common.by import By

    from unlinkable.report.html import write_report

    headline, min_charts = EXPECTED[kind]
    path = write_report(report_dir / f"{kind}.html", kind, payloads.PAYLOADS[kind]())
    driver.get_log("browser")  # discard anything logged by an earlier page
    driver.get(path.as_uri())

    assert driver.execute_script("return document.readyState") == "complete"
    assert driver.title == payloads.html._TITLES[kind]

    # Headline text is visible, as the browser lays it out.
    shown = driver.find_element(By.ID, "headline")
    assert shown.is_displayed()
    assert headline in " ".join(shown.text.split())

    # Charts are there and have a size; so do their bars.
    visible = [svg for svg in driver.find_elements(By.CSS_SELECTOR, "svg.chart") if svg.is_displayed()]
    assert len(visible) >= min_charts
    for svg in visible:
        assert svg.size["width"] > 100 and svg.size["height"] > 50, svg.get_attribute("aria-labelledby")
        bars = svg.find_elements(By.CSS_SELECTOR, "rect.bar")
        assert bars, "a chart without bars"
        assert max(bar.rect["width"] * bar.rect["height"] for bar in bars) > 0

    # Nothing was fetched, nothing went wrong, nothing overflows sideways.
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    severe = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
    assert not severe, severe
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_missing_browser_is_explained(monkeypatch):
    # Runs everywhere: without the binaries the browser tests skip with a reason naming the package.
    globals_ = globals()
    monkeypatch.setitem(globals_, "CHROMIUM", Path("/nonexistent/chromium"))
    reason = _missing_browser_reason()
    assert reason is not None and "chromium" in reason and "/nonexistent/chromium" in reason
    monkeypatch.setitem(globals_, "CHROMIUM", Path(__file__))
    monkeypatch.setitem(globals_, "CHROMEDRIVER", Path("/nonexistent/chromedriver"))
    assert "chromium-driver" in _missing_browser_reason()


def test_assess_verdict_opens_the_report_in_chromium(driver, report_dir):
    """Issue 8 item 8: the verdict and what to do are the first thing a reader sees."""
    from selenium.webdriver.common.by import By

    from unlinkable.report.html import write_report

    payload = payloads.PAYLOADS["assess"]()
    payload["attribute_effects"] = [{"attribute": "age", "action": "drop", "sample_uniques": 0.1,
                                     "highest_risk": 1.0, "average_risk": 0.3, "records_at_risk": 0.4}]
    path = write_report(report_dir / "assess_verdict.html", "assess", payload)
    driver.get(path.as_uri())
    verdict = driver.find_element(By.ID, "verdict")
    assert verdict.is_displayed()
    assert "re-identification risk." in verdict.text and "What to do" in verdict.text
    headline = driver.find_element(By.ID, "headline")
    assert verdict.rect["y"] < headline.rect["y"]
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
