"""Hostile names through AppTest: every Markdown element shows them as text.

A name carrying Markdown (an image on an outside server, a link, bold, a Streamlit colour
directive) or a right-to-left override is designated; on every page where names appear, each
element that renders Markdown holds the name escaped by :func:`exposure.app.text.plain`, never
the raw Markdown. The real browser's side (no request leaves localhost) is
tests/e2e/test_browser_hostile.py.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from conftest import BEACON, LINKED, REVERSED, hostile_database
from streamlit.testing.v1 import AppTest

from exposure.app.isolation import preview_isolated
from exposure.app.text import plain, printable

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
# The names' Markdown, raw: rendered, it would fetch, link, style or reverse the line.
ACTIVE = ("![beacon]", "](http", "[Click](", "**Bold**", ":red[Red]", "\u202e", "http://")


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    return hostile_database(tmp_path)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, hostile_db: Path) -> Iterator[AppTest]:
    main = sys.modules["__main__"]
    monkeypatch.setenv("EXPOSURE_DB", str(hostile_db))
    monkeypatch.setenv("EXPOSURE_DASHBOARD_SCENARIO", "hostile")
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    st.cache_resource.clear()
    sys.modules["__main__"] = main


def markdown_texts(at: AppTest) -> list[str]:
    """The source text of every element Streamlit renders as Markdown."""
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    texts += [e.label for e in at.expander] + [h.value for h in at.header]
    texts += [a.value for kind in (at.info, at.warning, at.error, at.success) for a in kind]
    return [str(text) for text in texts]


@pytest.mark.parametrize("page", ["network", "scenario", "detail"])
def test_names_reach_markdown_only_escaped(app, page):
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    texts = markdown_texts(app)
    assert any(plain(BEACON) in text for text in texts)  # the scenario line names it
    offending = [text for text in texts if any(raw in text for raw in ACTIVE)]
    assert offending == []


def test_the_sidebar_names_the_database_file_only(app, hostile_db):
    sidebar = [str(c.value) for c in app.caption]
    assert any(plain("hostile.duckdb") in text for text in sidebar)
    folder = str(hostile_db.parent)
    assert not any(folder in text or plain(folder) in text for text in sidebar)


def test_plain_text_keeps_every_character_it_shows():
    """Escaping adds backslashes and word joiners only: remove them and the name is back."""
    for name in (BEACON, LINKED, "Acme & Sons <b>", "1. Alpha_Beta | $5 ~x~ #3"):
        shown = plain(name).replace("\u2060", "")
        assert re.sub(r"\\(.)", r"\1", shown) == name
    assert printable(REVERSED) == "Acme CLL Holdings"


def test_an_upload_that_exhausts_memory_costs_its_own_process(tmp_path):
    """The preview runs in a child with an address-space limit: when the limit is hit the
    file is refused with a reason, and this process carries on."""
    data = tmp_path / "relationships.csv"
    data.write_text("buyer,supplier\nPrime Corp,Vendor AI\n", encoding="utf-8")
    refused = preview_isolated(data, "relationships.csv", memory_mb=40)
    assert refused.sheets == ()
    message = refused.problems[0].message
    # Python raises MemoryError, or a C library aborts the child: either way, said so.
    assert (
        "MB of memory" in message
        or "stopped the reader" in message
        or "could not be read" in message
    ), message
    assert "not loaded" in message
    fine = preview_isolated(data, "relationships.csv")
    assert [sheet.kind for sheet in fine.sheets] == ["relationships"]


def test_an_upload_that_takes_too_long_is_refused(tmp_path):
    data = tmp_path / "relationships.csv"
    data.write_text("buyer,supplier\nPrime Corp,Vendor AI\n", encoding="utf-8")
    refused = preview_isolated(data, "relationships.csv", seconds=0.01)
    assert "longer than" in refused.problems[0].message
