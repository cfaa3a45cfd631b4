"""The assessment workbook: reopened with openpyxl, every sheet checked against the tables."""

from __future__ import annotations

import csv
import math
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from exposure import assess as assess_scenario
from exposure import build_report, connect, write_report
from exposure.core.errors import ExposureError
from exposure.model.remediation import NO_GOVERNMENT_CONTRACT
from exposure.model.scenario import ScenarioSpec
from exposure.pipeline.demo import run_demo
from exposure.report.catalogue import INTERNAL_COLUMNS, column_label
from exposure.report.outputs import write_csv
from exposure.report.tables import build_tables
from exposure.report.workbook import IMPACT_FILLS, LATE_FILL, TIER_FILLS, write_workbook
from exposure.warehouse.scenarios import load_spec

IDENTIFIED = date(2026, 7, 1)
SHEET_TITLES = [
    "Summary",
    "Affected organizations",
    "Exposure paths",
    "Programs and contracts",
    "Remediation",
    "Reporting",
    "Uncertainty",
    "Screening",
    "Data quality",
    "Sources",
]


@pytest.fixture
def tiny_tables(report_db):
    con = connect(report_db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        return build_tables(con, run, identified=IDENTIFIED)
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The demo's sample network, assessed under the seeded 2026 scenario, and its workbook."""
    folder = tmp_path_factory.mktemp("sample")
    result = run_demo(folder / "demo.duckdb", identified=IDENTIFIED)
    path = write_workbook(result.tables, folder / "assessment.xlsx")
    return result, path


def _header_row(ws, labels):
    for row in range(1, 20):
        values = [ws.cell(row=row, column=c + 1).value for c in range(len(labels))]
        if values == labels:
            return row
    raise AssertionError(f"no header row {labels[:3]}... in {ws.title}")


def _expected(value, kind):
    if value is None or value is pd.NA or value is pd.NaT or value == "":
        return None  # an empty text is an empty cell
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "flag":
        return "Yes" if value else "No"
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _kind(frame, column):
    dtype = frame[column].dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "flag"
    if pd.api.types.infer_dtype(frame[column], skipna=True) == "boolean":
        return "flag"
    return "other"


def assert_sheet_matches(ws, frame):
    """Header labels, then every cell of every row, equal to the frame's values."""
    columns = [c for c in frame.columns if c not in INTERNAL_COLUMNS]
    labels = [column_label(c) for c in columns]
    header = _header_row(ws, labels)
    assert ws.freeze_panes.endswith(str(header + 1))
    last = openpyxl.utils.get_column_letter(len(columns))
    assert ws.auto_filter.ref == f"A{header}:{last}{header + len(frame)}"
    rows = list(ws.iter_rows(min_row=header + 1, max_col=len(columns), values_only=True))
    assert len(rows) == len(frame)
    kinds = {c: _kind(frame, c) for c in columns}
    for index, (record, cells) in enumerate(
        zip(frame[columns].itertuples(index=False), rows, strict=True)
    ):
        for column, value, cell in zip(columns, record, cells, strict=True):
            expected = _expected(value, kinds[column])
            where = f"{ws.title} row {header + 1 + index} column {column}"
            if isinstance(expected, float):
                assert cell == pytest.approx(expected, rel=1e-12), where
            elif isinstance(expected, datetime):
                assert isinstance(cell, datetime), where
                assert abs((cell - expected).total_seconds()) < 0.01, where
            else:
                assert cell == expected, where
    return header


def test_every_sheet_matches_the_tables(sample):
    result, path = sample
    tables = result.tables
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == SHEET_TITLES
    for sheet, frame in tables.sheets():
        assert_sheet_matches(workbook[sheet.title], frame)


def test_the_tables_match_the_engine(sample):
    result, _ = sample
    run, tables = result.run, result.tables
    graph, engine = run.graph, run.result
    orgs = tables.organizations
    ids = orgs["org_id"].to_numpy()
    assert len(orgs) == int(engine.exposed.sum())
    assert (orgs["tier"].to_numpy() == engine.tier[ids]).all()
    assert np.allclose(orgs["value_at_risk_usd"], engine.value_at_risk_usd[ids])
    assert (orgs["late"].to_numpy() == engine.late[ids]).all()
    assert np.allclose(orgs["impact"], np.round(run.impact[ids], 6))
    for row in orgs.itertuples(index=False):
        assert row.shortest_chain == " > ".join(run.chain_names(int(row.org_id)))
    plan = tables.remediation[tables.remediation["action_type"] != "End sale"]
    agency = np.asarray(graph.kinds, dtype=object)[graph.buyer] == "agency"
    exposed = engine.exposed_edges & (engine.status[graph.buyer] < 2) & ~agency
    assert not engine.edge_late[agency].any()  # an agency replaces no prime contract
    assert sorted(plan["edge_index"]) == sorted(np.flatnonzero(exposed).tolist())
    assert (plan["late"].to_numpy() == engine.edge_late[plan["edge_index"].to_numpy()]).all()
    assert (plan["tier"].to_numpy() == engine.edge_tier[plan["edge_index"].to_numpy()]).all()
    # one path row per link of each affected organization's shortest chain
    assert len(tables.paths) == int(engine.tier[engine.status == 1].sum())


def test_sample_reporting_uses_the_seeded_rule(sample):
    result, _ = sample
    report = result.tables.reporting
    assert len(report) > 0
    assert set(report["clause"]) == {"DFARS 252.239-7018"}
    # Wednesday 1 July 2026 + 1 business day; follow-up 10 business days after 2 July
    # (3 July observed holiday, weekend): 6, 7, 8, 9, 10, 13, 14, 15, 16, 17.
    assert set(report["initial_report_due"]) == {pd.Timestamp("2026-07-02")}
    assert set(report["followup_report_due"]) == {pd.Timestamp("2026-07-17")}
    assert not (report["reporting_contractor"].str.startswith("Department of")).any()
    numbered = (report["contract_number"] != "") | (report["order_number"] != "")
    feeds_none = report["contract_note"] == NO_GOVERNMENT_CONTRACT
    assert (numbered | feeds_none).all() and feeds_none.any()  # Bluefin's Bedrock feeds none
    assert (report["own_reference"] == "").any()  # Bayline's integration has no reference


def test_summary_sheet_states_scenario_data_version_and_chart(sample):
    result, path = sample
    tables = result.tables
    ws = openpyxl.load_workbook(path)["Summary"]
    assert ws["A1"].value == "Dependency assessment: dod-2026-anthropic"
    header = _header_row(ws, ["Section", "Fact", "Value"])
    facts = {}
    for row in ws.iter_rows(min_row=header + 1, max_col=3, values_only=True):
        if row[1] is not None:
            facts[row[1]] = row[2]
    for fact in tables.summary.itertuples(index=False):
        expected = fact.value
        if isinstance(expected, date) and not isinstance(expected, datetime):
            expected = datetime(expected.year, expected.month, expected.day)
        assert facts[fact.fact] == expected, fact.fact
    assert facts["Designated (named)"] == "Anthropic, PBC"
    assert facts["Effective date"] == datetime(2026, 2, 27)
    assert facts["Deadline"] == datetime(2026, 8, 26)
    assert facts["Data version"] == result.run.data_version
    for source in result.status.sources:
        assert facts[f"File {source['file']}"] == f"SHA-256 {source['sha256']}"
    assert "Prepared by (name, title)" in facts
    with zipfile.ZipFile(path) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        chart = package.read(charts[0]).decode()
        assert "<barChart>" in chart and "'Summary'!$F$" in chart


def test_looks_like_a_document(sample):
    result, path = sample
    workbook = openpyxl.load_workbook(path)
    tables = result.tables
    orgs_ws = workbook["Affected organizations"]
    header = _header_row(orgs_ws, [column_label(c) for c in tables.organizations.columns[:3]])
    assert orgs_ws.cell(row=header, column=1).fill.fgColor.rgb.endswith("1F3864")
    assert orgs_ws.print_title_rows == f"${header}:${header}"
    columns = list(tables.organizations.columns)
    tier_col = columns.index("tier") + 1
    impact_col = columns.index("impact") + 1
    usd_col = columns.index("value_at_risk_usd") + 1
    late_col = columns.index("late") + 1
    for offset, row in enumerate(tables.organizations.itertuples(index=False), start=1):
        tier_cell = orgs_ws.cell(row=header + offset, column=tier_col)
        assert tier_cell.fill.fgColor.rgb.endswith(TIER_FILLS[min(int(row.tier), 4)])
        impact_cell = orgs_ws.cell(row=header + offset, column=impact_col)
        if row.impact >= 0.75:
            assert impact_cell.fill.fgColor.rgb.endswith(IMPACT_FILLS[3])
        elif 0 < row.impact < 0.25:
            assert impact_cell.fill.fgColor.rgb.endswith(IMPACT_FILLS[0])
        assert orgs_ws.cell(row=header + offset, column=usd_col).number_format == '"$"#,##0'
        late_cell = orgs_ws.cell(row=header + offset, column=late_col)
        assert late_cell.fill.fgColor.rgb.endswith(LATE_FILL) == bool(row.late)
    report_ws = workbook["Reporting"]
    report_columns = [c for c in tables.reporting.columns if c not in INTERNAL_COLUMNS]
    header = _header_row(report_ws, [column_label(c) for c in report_columns])
    due = report_ws.cell(row=header + 1, column=report_columns.index("initial_report_due") + 1)
    assert due.number_format == "yyyy-mm-dd" and due.value == datetime(2026, 7, 2)
    widths = [orgs_ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in (1, 2)]
    assert all(6 <= w <= 70 for w in widths)


def _sheet_xml(path):
    with zipfile.ZipFile(path) as package:
        return {
            name: package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def test_no_formula_anywhere(sample):
    _, path = sample
    for name, xml in _sheet_xml(path).items():
        assert not re.search(r"<f[ >/]", xml), name


INJECTIONS = [
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
]


def test_formula_like_text_stays_text_in_xlsx_and_csv(tiny_tables, tmp_path):
    n = len(INJECTIONS)
    # At least one plan row per injection (the tiny network's plan may be shorter).
    repeats = -(-n // len(tiny_tables.remediation))
    plan = pd.concat([tiny_tables.remediation] * repeats, ignore_index=True)
    plan.loc[: n - 1, "buyer"] = INJECTIONS[:n]
    plan.loc[: n - 1, "product"] = list(reversed(INJECTIONS))
    plan.loc[: n - 1, "action"] = INJECTIONS
    orgs = tiny_tables.organizations.copy()
    orgs.loc[: n - 1, "name"] = INJECTIONS[: len(orgs)]
    summary = tiny_tables.summary.copy()
    summary.loc[0, "value"] = INJECTIONS[0]
    tables = replace(tiny_tables, remediation=plan, organizations=orgs, summary=summary)
    path = write_workbook(tables, tmp_path / "inject.xlsx")
    for name, xml in _sheet_xml(path).items():
        assert not re.search(r"<f[ >/]", xml), name
    workbook = openpyxl.load_workbook(path)
    ws = workbook["Remediation"]
    columns = [c for c in plan.columns if c not in INTERNAL_COLUMNS]
    header = _header_row(ws, [column_label(c) for c in columns])
    for offset, text in enumerate(INJECTIONS, start=1):
        for column, expected in (
            ("buyer", text),
            ("product", INJECTIONS[n - offset]),
            ("action", text),
        ):
            cell = ws.cell(row=header + offset, column=columns.index(column) + 1)
            assert cell.value == expected
            assert cell.data_type == "s"
            assert cell.quotePrefix  # Excel's leading apostrophe: stays text when edited
    plain = ws.cell(row=header + 1, column=columns.index("supplier") + 1)
    assert plain.value == plan.loc[0, "supplier"] and not plain.quotePrefix
    summary_ws = workbook["Summary"]
    header = _header_row(summary_ws, ["Section", "Fact", "Value"])
    cell = summary_ws.cell(row=header + 1, column=3)
    assert cell.value == INJECTIONS[0] and cell.data_type == "s" and cell.quotePrefix
    assert_sheet_matches(workbook["Affected organizations"], orgs)

    csv_path = write_csv(plan, tmp_path / "inject.csv")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row, text in zip(rows, INJECTIONS, strict=False):
        assert row["buyer"] == "'" + text
        assert row["action"] == "'" + text
    assert rows[0]["supplier"] == plan.loc[0, "supplier"]  # plain text untouched


def test_formula_like_uploads_end_to_end(tmp_path):
    (tmp_path / "organizations.csv").write_text(
        'name,kind\n"Vendor AI, PBC",model_provider\n-9 Labs Inc,software_vendor\nPrime Co,prime\n',
        encoding="utf-8",
    )
    (tmp_path / "relationships.csv").write_text(
        "buyer,supplier,relation,product,used_in,contract_id,program,dod_use,notes\n"
        '-9 Labs Inc,"Vendor AI, PBC",model_api,"=HYPERLINK(""http://x"",""y"")",+SUM(1),'
        "-2+3,=1+1,true,@cmd\n"
        "Prime Co,-9 Labs Inc,saas,+SUM(1),,C-1,,true,\n",
        encoding="utf-8",
    )
    db = tmp_path / "inject.duckdb"
    from exposure import load_files

    con = connect(db)
    try:
        load_files(con, [tmp_path / "organizations.csv", tmp_path / "relationships.csv"])
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        tables = build_tables(con, run, identified=IDENTIFIED)
    finally:
        con.close()
    xlsx = write_report(run, tables, tmp_path / "r.xlsx")
    out_csv = write_report(run, tables, tmp_path / "r.csv")
    for name, xml in _sheet_xml(xlsx).items():
        assert not re.search(r"<f[ >/]", xml), name
    workbook = openpyxl.load_workbook(xlsx)
    values = {
        cell.value: cell
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    for text in ('=HYPERLINK("http://x","y")', "+SUM(1)", "-2+3", "=1+1", "@cmd", "-9 Labs Inc"):
        assert text in values, text
        assert values[text].data_type == "s" and values[text].quotePrefix
    names = [row["name"] for row in csv.DictReader(out_csv.open(encoding="utf-8"))]
    assert "'-9 Labs Inc" in names


def test_a_sheet_beyond_the_row_limit_keeps_its_first_rows_and_a_companion_file(
    tiny_tables, tmp_path
):
    """Issue 12: with the limit lowered to 16 rows, Exposure paths (more rows than that) keeps
    its first rows with a note at its top; Summary names the companion file, which holds the
    whole table, and Sources lists it."""
    import pyarrow.parquet as pq

    paths = tiny_tables.paths
    notes = len(tiny_tables.notes.get("Exposure paths", ()))
    kept = 16 - 10 - notes - 1
    assert len(paths) > kept > 0
    out = tmp_path / "out"
    out.mkdir()
    path = write_workbook(tiny_tables, out / "split.xlsx", max_rows=16)
    companion = out / "split.exposure-paths.parquet"
    spilled = {
        sheet.title
        for sheet, frame in tiny_tables.sheets()
        if len(frame) > 16 - 10 - len(tiny_tables.notes.get(sheet.title, ())) - 1
    }
    assert "Exposure paths" in spilled
    assert len(list(out.iterdir())) == 1 + len(spilled)
    workbook = openpyxl.load_workbook(path)
    assert not any(name.startswith("Exposure paths (") for name in workbook.sheetnames)
    ws = workbook["Exposure paths"]
    assert ws.max_row <= 16
    note = ws["A3"].value
    assert f"first {kept} of {len(paths)} rows" in note and companion.name in note
    assert_sheet_matches(ws, paths.iloc[:kept])
    summary = [[c.value for c in row[:3]] for row in workbook["Summary"].iter_rows(min_row=1)]
    line = [r for r in summary if r[1] == "Exposure paths"]
    assert line and companion.name in line[0][2] and f"of {len(paths)} rows" in line[0][2]
    assert any(r[0] == "Companion files" for r in summary)
    full = paths[[c for c in paths.columns if c not in INTERNAL_COLUMNS]].reset_index(drop=True)
    pd.testing.assert_frame_equal(pq.read_table(companion).to_pandas(), full)
    sources = workbook["Sources"]
    listed = [
        [c.value for c in row] for row in sources.iter_rows() if row[0].value == companion.name
    ]
    assert len(listed) == 1
    assert "Exposure paths" in listed[0] and len(paths) in listed[0]
    # Sheets that fit are left whole, and the tables themselves are not changed.
    for sheet, frame in tiny_tables.sheets():
        if sheet.title not in spilled | {"Sources"}:
            assert_sheet_matches(workbook[sheet.title], frame)
    assert len(tiny_tables.paths) == len(paths)


def test_the_workbook_reports_progress_by_sheet(tiny_tables, tmp_path):
    labels: list[str] = []
    write_workbook(
        tiny_tables, tmp_path / "p.xlsx", progress=lambda label, _d, _t: labels.append(label)
    )
    for sheet, _frame in tiny_tables.sheets():
        assert f"preparing {sheet.title}" in labels
        assert f"writing {sheet.title}" in labels
    assert labels[-1] == "done"


def test_text_xml_cannot_hold_is_dropped_and_long_text_cut(tiny_tables, tmp_path):
    plan = tiny_tables.remediation.copy()
    plan.loc[0, "action"] = "bell\x07 and <tag> & \ufffe done"
    plan.loc[1, "action"] = "x" * 40_000
    path = write_workbook(replace(tiny_tables, remediation=plan), tmp_path / "odd.xlsx")
    ws = openpyxl.load_workbook(path)["Remediation"]
    columns = [c for c in plan.columns if c not in INTERNAL_COLUMNS]
    header = _header_row(ws, [column_label(c) for c in columns])
    action = columns.index("action") + 1
    assert ws.cell(row=header + 1, column=action).value == "bell and <tag> &  done"
    assert len(ws.cell(row=header + 2, column=action).value) == 32_767


def test_for_one_organization(report_db, tmp_path):
    con = connect(report_db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        from exposure.warehouse.scenarios import resolve_org

        tables = build_tables(
            con, run, for_org=resolve_org(con, "Prime Corp"), identified=IDENTIFIED
        )
    finally:
        con.close()
    path = write_workbook(tables, tmp_path / "prime.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook["Summary"]["A1"].value == "Dependency assessment of Prime Corp: ad-hoc"
    for sheet, frame in tables.sheets():
        assert_sheet_matches(workbook[sheet.title], frame)


def test_write_report_formats(tiny_tables, report_db, tmp_path):
    con = connect(report_db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        tables = build_report(con, run, identified=IDENTIFIED)
        with pytest.raises(ExposureError, match=r"\.xlsx, \.csv, \.json and \.parquet"):
            write_report(run, tables, tmp_path / "r.txt")
        built = write_report(run, tables, tmp_path / "built.xlsx")
        json_path = write_report(run, tables, tmp_path / "r.json")
    finally:
        con.close()
    assert openpyxl.load_workbook(built).sheetnames == SHEET_TITLES
    assert json_path.read_text(encoding="utf-8").startswith("{")


def test_seeded_scenario_needs_no_identified_date(sample):
    result, _ = sample
    con = connect(result.database)
    try:
        spec = load_spec(con, "dod-2026-anthropic")
    finally:
        con.close()
    assert spec.source == "seeds/designations.csv"
    assert result.tables.identified == IDENTIFIED


def test_a_designation_that_reaches_nobody(report_db, tmp_path):
    # The Kaspersky seed list names no organization of this network: nothing is affected,
    # and the workbook still says so, sheet by sheet.
    con = connect(report_db)
    try:
        run = assess_scenario(con, load_spec(con, "kaspersky"))
        tables = build_tables(con, run, identified=IDENTIFIED)
    finally:
        con.close()
    assert tables.organizations.empty and tables.remediation.empty and tables.reporting.empty
    assert tables.fact("Designation type") == "kaspersky"
    path = write_workbook(tables, tmp_path / "nobody.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == SHEET_TITLES
    for title in ("Affected organizations", "Remediation", "Reporting"):
        assert workbook[title]["A3"].value == "No rows."
    assert "Kaspersky Lab: not in the network" in str(tables.fact("Note"))
