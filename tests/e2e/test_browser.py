"""End to end: a real `streamlit run` server on localhost, Debian's Chromium, Playwright.

An analyst uploads the sample workbook, designates the vendor, marks the cloud host
non-compliant, sees the counts change, looks at the affected network, downloads the assessment
and opens it. Every request the browser makes must stay on this machine.

Chromium is /usr/bin/chromium (Debian's package; `.ci/run` installs it). Without it the test
fails, unless EXPOSURE_SKIP_BROWSER=1 says to skip it on purpose (a developer machine).
Screenshots and the server log go to test-output/e2e/ (and the test's tmp_path).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

from exposure import assess as assess_scenario
from exposure.app.server import streamlit_command
from exposure.model.run import organizations_frame
from exposure.model.scenario import ScenarioSpec
from exposure.warehouse.database import connect
from exposure.warehouse.loading import load_files

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboards" / "app.py"
WORKBOOK = ROOT / "sample_data" / "network.xlsx"
OUTPUT = ROOT / "test-output" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TIMEOUT = 90_000  # ms: generous, the machine is shared


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("EXPOSURE_SKIP_BROWSER") == "1":
        pytest.skip("EXPOSURE_SKIP_BROWSER=1 and no /usr/bin/chromium")
    pytest.fail(
        "Debian's chromium is missing at /usr/bin/chromium: install it (apt-get install -y "
        "chromium; .ci/run does) or set EXPOSURE_SKIP_BROWSER=1 to skip this test on purpose"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@contextmanager
def serving(
    database: Path, log: Path, *, cwd: Path = ROOT, scenario: str | None = None
) -> Iterator[Server]:
    """`streamlit run dashboards/app.py` on ``database`` and a free port of 127.0.0.1, from
    ``cwd``, opened on ``scenario``; stopped (its whole process group) on the way out."""
    port = free_port()
    env = {**os.environ, "EXPOSURE_DB": str(database), "PYTHONPATH": str(ROOT)}
    env.pop("EXPOSURE_DASHBOARD_SCENARIO", None)
    if scenario:
        env["EXPOSURE_DASHBOARD_SCENARIO"] = scenario
    with log.open("wb") as output:
        process = subprocess.Popen(
            streamlit_command(port=port, app=APP),
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start in 120 s:\n{log.read_text()}")
            time.sleep(0.5)
        yield Server(url, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """The dashboard on a fresh database; its log is kept in test-output/e2e/."""
    log = tmp_path / "server.log"
    try:
        with serving(tmp_path / "e2e.duckdb", log) as running:
            yield running
    finally:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        if log.exists():
            shutil.copy(log, OUTPUT / "server.log")


def expected_counts(tmp_path: Path) -> tuple[int, int]:
    """Exposed organizations (sources included) before and after the what-if, by the library,
    on a database of its own (the server holds its database open)."""
    con = connect(tmp_path / "oracle.duckdb")
    try:
        load_files(con, [WORKBOOK])
        counts = []
        for noncompliant in ((), ("Amazon Web Services",)):
            spec = ScenarioSpec(designated=("Anthropic, PBC",), noncompliant=noncompliant)
            frame = organizations_frame(assess_scenario(con, spec))
            counts.append(int((frame["status"] != "clear").sum()))
        return counts[0], counts[1]
    finally:
        con.close()


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0",
        timeout=TIMEOUT,
    )


def metric(page, label: str) -> str:  # type: ignore[no-untyped-def]
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return str(box.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def open_page(page, title: str) -> None:  # type: ignore[no-untyped-def]
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    settle(page)


def find_and_pick(page, text: str, button: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    box = page.get_by_label("Find an organization (name, UEI, CAGE or alias)")
    box.fill(text)
    box.press("Enter")
    settle(page)
    expect(page.get_by_text("match(es)")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name=button, exact=True).click()
    settle(page)


def test_upload_designate_whatif_network_download_all_on_localhost(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    before, after = expected_counts(tmp_path)
    assert after > before
    requests: list[str] = []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1500, "height": 1100}, accept_downloads=True
        )
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda socket: requests.append(socket.url))
        page.set_default_timeout(TIMEOUT)
        try:
            page.goto(server.url)
            expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=TIMEOUT)
            settle(page)

            # Upload the sample workbook, check the mapping preview, load it.
            page.locator('input[type="file"]').set_input_files(str(WORKBOOK))
            expect(page.get_by_text("Header mapping")).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_text("network.xlsx [relationships]: relationships")).to_be_visible()
            settle(page)
            page.get_by_role("button", name="Load", exact=True).click()
            expect(page.get_by_text("Loaded 377 rows")).to_be_visible(timeout=TIMEOUT)
            settle(page)

            # Designate the vendor, then the what-if: the cloud host keeps serving it.
            open_page(page, "Scenario")
            find_and_pick(page, "Anthropic", "Designate")
            expect(
                page.locator('[data-testid="stMetric"]').filter(has_text="Organizations affected")
            ).to_be_visible()
            assert metric(page, "Organizations affected") == str(before)
            find_and_pick(page, "Amazon Web Services", "Mark non-compliant")
            page.wait_for_function(
                "(want) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some("
                "m => m.innerText.includes('Organizations affected') && "
                "m.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() === want)",
                arg=str(after),
                timeout=TIMEOUT,
            )
            assert metric(page, "Non-compliant organizations") == "1"

            # The affected network: the graph and the headline figures.
            open_page(page, "Affected network")
            chart = page.locator(".st-key-network_chart")
            expect(chart).to_be_visible(timeout=TIMEOUT)
            expect(chart.locator("canvas").first).to_be_visible(timeout=TIMEOUT)
            assert metric(page, "Organizations affected") == str(after)
            settle(page)
            page.wait_for_timeout(1000)  # let ECharts finish its entry animation
            shot = tmp_path / "affected-network.png"
            page.screenshot(path=str(shot), full_page=True)
            shutil.copy(shot, OUTPUT / "affected-network.png")
            assert shot.stat().st_size > 20_000

            # Download the assessment as a workbook and open it.
            open_page(page, "Download")
            page.get_by_text(re.compile(r"^\.xlsx: ")).click()
            settle(page)  # a network this size has its file written as the page opens
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0
            button = page.get_by_role("button", name=re.compile(r"^Download exposure-"))
            expect(button).to_be_visible(timeout=TIMEOUT)
            with page.expect_download(timeout=TIMEOUT) as info:
                button.click()
            download = info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(str(saved))
            shutil.copy(saved, OUTPUT / download.suggested_filename)
            assert saved.suffix == ".xlsx"
            workbook = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()), read_only=True)
            assert workbook.sheetnames[0] == "Summary"
            assert {"Affected organizations", "Exposure paths", "Remediation"} <= set(
                workbook.sheetnames
            )
            summary = " ".join(
                str(cell)
                for row in workbook["Summary"].iter_rows(values_only=True)
                for cell in row
                if cell is not None
            )
            assert "Amazon Web Services" in summary  # the what-if on screen was downloaded

            # The pages an analyst reads, at a laptop's and a desktop's window size: no
            # headline label or button cut short (looked at in test-output/e2e/*.png as well).
            for width, height in ((1280, 720), (1920, 1080)):
                page.set_viewport_size({"width": width, "height": height})
                for title in ("Affected network", "Ranking", "Organization", "Scenario"):
                    open_page(page, title)
                    page.wait_for_timeout(800)
                    slug = title.lower().replace(" ", "-")
                    page.screenshot(
                        path=str(OUTPUT / f"{slug}-{width}x{height}.png"), full_page=True
                    )
                    cut = page.evaluate(
                        "() => [...document.querySelectorAll("
                        '\'[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] div, '
                        "button p')]"
                        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
                    )
                    assert cut == [], f"{title} at {width}x{height}: cut {cut}"
        except Exception:
            page.screenshot(path=str(OUTPUT / "failure.png"), full_page=True)
            print("---- server log ----\n" + server.tail())
            raise
        finally:
            context.close()
            browser.close()

    hosts = {
        urlparse(url).hostname
        for url in requests
        if urlparse(url).scheme in ("http", "https", "ws", "wss")
    }
    assert requests and hosts <= LOCAL_HOSTS, sorted(hosts)
    assert all(urlparse(url).scheme in ("http", "ws", "data", "blob") for url in requests), [
        url for url in requests if urlparse(url).scheme not in ("http", "ws", "data", "blob")
    ]
