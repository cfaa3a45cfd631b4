"""One set of headline figures: the CLI, the Summary sheet, the JSON and the dashboard agree.

Each surface is read as a user reads it (the CLI's printed line, the workbook's Summary sheet,
the JSON file, the dashboard's metrics through AppTest), on the sample network, and compared
with :func:`exposure.headline` of the same run and with counts made here from the engine's
arrays.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import streamlit as st
from conftest import run_cli
from streamlit.testing.v1 import AppTest

from exposure import FIGURES, assess, compact_usd, connect, headline, load_spec, run_demo

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
SCENARIO = "dod-2026-anthropic"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("headline") / "headline-demo.duckdb"
    run_demo(path)
    return path


@pytest.fixture
def demo_db(demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo, path)
    return path


@pytest.fixture
def expected(demo: Path) -> dict[str, float]:
    con = connect(demo)
    try:
        run = assess(con, load_spec(con, SCENARIO), store=False)
    finally:
        con.close()
    figures = headline(run)
    result = run.result
    # Counted here from the engine's arrays, not through headline().
    assert figures.organizations_affected == int((result.status != 0).sum())
    assert figures.late_dependencies == int(result.edge_late.sum())
    assert figures.late_organizations == int(result.late.sum())
    assert figures.late_dependencies != figures.late_organizations  # the sample tells them apart
    late_buyers = np.unique(run.graph.buyer[result.edge_late])
    assert figures.late_organizations == len(late_buyers)
    return figures.as_dict()


def test_the_cli_prints_the_headline(demo_db, tmp_path, expected):
    code, output = run_cli("--db", demo_db, "assess", "--scenario", SCENARIO)
    assert code == 0, output
    line = next(line for line in output.splitlines() if line.startswith(FIGURES[0].label))
    printed = dict(part.split(": ", 1) for part in line.split("; "))
    for figure in FIGURES:
        value = expected[figure.name]
        if figure.name in ("designated", "noncompliant") and not value:
            assert figure.label not in printed
            continue
        shown = printed[figure.label]
        assert float(re.sub(r"[$,]", "", shown)) == pytest.approx(value), figure.name


def test_the_summary_sheet_and_the_json_carry_the_headline(demo_db, tmp_path, expected):
    workbook, document = tmp_path / "a.xlsx", tmp_path / "a.json"
    for out in (workbook, document):
        code, output = run_cli("--db", demo_db, "assess", "--scenario", SCENARIO, "--out", out)
        assert code == 0, output
    assert json.loads(document.read_text(encoding="utf-8"))["headline"] == pytest.approx(expected)
    sheet = openpyxl.load_workbook(workbook, read_only=True)["Summary"]
    facts: dict[str, object] = {}
    for row in sheet.iter_rows(min_col=2, max_col=3, values_only=True):  # Fact, Value
        if isinstance(row[0], str):
            facts.setdefault(row[0], row[1])
    for figure in FIGURES:
        assert facts[figure.label] == pytest.approx(expected[figure.name]), figure.name


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> Iterator[AppTest]:
    main = sys.modules["__main__"]
    monkeypatch.setenv("EXPOSURE_DB", str(demo_db))
    monkeypatch.setenv("EXPOSURE_DASHBOARD_SCENARIO", SCENARIO)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    st.cache_resource.clear()
    sys.modules["__main__"] = main


def test_the_dashboard_shows_the_same_headline(app, expected):
    app.switch_page("views/network.py").run()
    assert not app.exception, [e.value for e in app.exception]
    shown = {m.label: m.value for m in app.metric}
    for figure in FIGURES:
        value = expected[figure.name]
        want = compact_usd(value) if figure.money else f"{int(value):,}"
        assert shown[figure.label] == want, figure.name
    helps = {m.label: m.help for m in app.metric}
    assert "dependencies" in helps["Late dependencies"].lower()
    assert "organizations with" in helps["Late organizations"].lower()
