"""Hostile names in a real browser: shown as text, and no request leaves this machine.

A supplier's file names an organization ``![beacon](http://198.51.100.7/beacon.png) Beacon LLC``
(Markdown for an image on an outside server), another ``[Click](https://example.org) **Bold**
:red[Red] Co`` and a third carries a right-to-left override. The dashboard is opened on a
scenario that designates them, on the pages where names appear (sidebar, scenario members,
the network, the organization's header and chains). Every request the browser makes is caught
before it is sent: anything not on localhost is recorded and aborted, and the test fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import BEACON, LINKED, hostile_database
from test_browser import CHROMIUM_ARGS, LOCAL_HOSTS, OUTPUT, TIMEOUT, chromium, serving, settle

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboards" / "app.py"


def test_hostile_names_render_as_text_and_nothing_leaves_localhost(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    database = hostile_database(tmp_path)
    outside: list[str] = []
    # Not started from the project folder: the settings must come with the command.
    with serving(database, tmp_path / "server.log", cwd=tmp_path, scenario="hostile") as server:
        url = server.url

        def guard(route) -> None:  # type: ignore[no-untyped-def]
            host = urlparse(route.request.url).hostname
            scheme = urlparse(route.request.url).scheme
            if scheme in ("http", "https", "ws", "wss") and host not in LOCAL_HOSTS:
                outside.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium()), args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT)
            try:
                page.goto(url)
                settle(page)
                sidebar = page.locator('[data-testid="stSidebar"]')
                expect(sidebar).to_contain_text("Beacon LLC", timeout=TIMEOUT)
                # The name reads as written (a word joiner, invisible, keeps the address dead).
                assert BEACON in sidebar.inner_text().replace("\u2060", "")
                assert page.locator("img[src*='198.51.100.7']").count() == 0
                assert page.locator("a[href*='example.org']").count() == 0
                assert page.locator("a[href*='198.51.100.7']").count() == 0  # no live link
                assert "hostile.duckdb" in sidebar.inner_text()
                assert str(tmp_path) not in sidebar.inner_text()  # the file's name only

                page.locator('[data-testid="stSidebarNav"] a').filter(
                    has_text="Scenario"
                ).first.click()
                settle(page)
                expect(page.get_by_text("Beacon LLC", exact=False).first).to_be_visible()

                page.locator('[data-testid="stSidebarNav"] a').filter(
                    has_text="Organization"
                ).first.click()
                settle(page)
                box = page.get_by_label("Find any organization (name, UEI, CAGE or alias)")
                box.fill("Prime Corp")
                box.press("Enter")
                settle(page)
                main = page.locator("section.main, [data-testid='stMain']").first
                # The organization's page, however long a loaded machine takes to draw it.
                expect(main).to_contain_text("Bold", timeout=TIMEOUT)
                body = main.inner_text()
                assert "**Bold**" in body or LINKED in body
                assert page.locator("strong", has_text="Bold").count() == 0
                assert page.locator("img[src*='198.51.100.7']").count() == 0
                assert "\u202e" not in page.locator("body").inner_text()
                assert page.locator("a[href*='198.51.100.7'], a[href*='example.org']").count() == 0
                page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
                OUTPUT.mkdir(parents=True, exist_ok=True)
                shutil.copy(tmp_path / "hostile.png", OUTPUT / "hostile-names.png")
            finally:
                context.close()
                browser.close()
    assert outside == []


@pytest.mark.parametrize("address", [None, "0.0.0.0"])
def test_the_app_refuses_an_address_nobody_chose(address):
    from exposure.app.server import listening_refusal

    assert listening_refusal(address, None) is not None
    assert listening_refusal("127.0.0.1", None) is None
    assert listening_refusal("0.0.0.0", "0.0.0.0") is None
