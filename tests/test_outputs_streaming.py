"""The JSON streams one organization at a time yet writes the bytes json.dumps did, and
``--out x.parquet`` writes the CSV's ranked organizations as Parquet (issue 12)."""

from __future__ import annotations

import csv
import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from exposure import assess as assess_scenario
from exposure import build_report, connect, load_files, write_report
from exposure.model.scenario import ScenarioSpec
from exposure.pipeline.demo import run_demo
from exposure.report.outputs import assessment_json, organization_json

IDENTIFIED = date(2026, 7, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run_demo(folder / "demo.duckdb", identified=IDENTIFIED)
    return folder / "demo.duckdb", result


def _expected(run, tables) -> bytes:
    payload = assessment_json(run, detail_for=tables.for_org_id)
    payload["as_of"] = None if tables.as_of is None else tables.as_of.isoformat()
    payload["overdue_days"] = tables.overdue_days
    if tables.for_org_id is not None:
        payload["for"] = organization_json(tables)
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def test_streamed_json_equals_the_one_dump_on_the_sample(demo, tmp_path: Path):
    _db, result = demo
    path = write_report(result.run, result.tables, tmp_path / "a.json")
    assert path.read_bytes() == _expected(result.run, result.tables)
    assert len(json.loads(path.read_bytes())["organizations"]) == result.run.graph.n_orgs


def test_streamed_json_for_one_organization_and_with_samples(demo, tmp_path: Path):
    db, _result = demo
    con = connect(db)
    try:
        run = assess_scenario(
            con, ScenarioSpec(designated=("Anthropic, PBC",)), store=False, samples=50, seed=3
        )
        org = int(
            run.graph.names.tolist().index(run.chain_names(int(run.result.tier.argmax()))[-1])
        )
        tables = build_report(con, run, for_org=org, identified=IDENTIFIED)
    finally:
        con.close()
    assert tables.for_org_id is not None and run.uncertainty is not None
    path = write_report(run, tables, tmp_path / "for.json")
    assert path.read_bytes() == _expected(run, tables)


def test_parquet_holds_the_csv_ranking(demo, tmp_path: Path):
    _db, result = demo
    parquet = write_report(result.run, result.tables, tmp_path / "a.parquet")
    table = pq.read_table(parquet).to_pandas()
    csv_path = write_report(result.run, result.tables, tmp_path / "a.csv")
    with csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(table.columns) == list(rows[0].keys())
    assert len(table) == len(rows) == len(result.tables.organizations)
    assert table["name"].tolist() == [row["name"].removeprefix("'") for row in rows]
    assert table["rank"].tolist() == list(range(1, len(rows) + 1))
    expected = result.tables.organizations[list(table.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)


def test_empty_network_json(tmp_path: Path):
    con = connect(tmp_path / "empty.duckdb")
    try:
        run = assess_scenario(con, ScenarioSpec(designated=()), store=False)
        tables = build_report(con, run, identified=IDENTIFIED)
    finally:
        con.close()
    path = write_report(run, tables, tmp_path / "e.json")
    assert path.read_bytes() == _expected(run, tables)


@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_streamed_json_across_chunk_boundaries(demo, tmp_path: Path, monkeypatch, chunk):
    """The organizations are written in chunks built column by column: any chunk size gives
    the same bytes, the detailed organization included wherever its chunk falls."""
    import exposure.report.outputs as outputs

    db, _result = demo
    con = connect(db)
    try:
        run = assess_scenario(
            con, ScenarioSpec(designated=("Anthropic, PBC",)), store=False, samples=20, seed=1
        )
        org = int(run.result.tier.argmax())
        tables = build_report(con, run, for_org=org, identified=IDENTIFIED)
    finally:
        con.close()
    monkeypatch.setattr(outputs, "_JSON_CHUNK", chunk)
    path = write_report(run, tables, tmp_path / "chunks.json")
    assert path.read_bytes() == _expected(run, tables)


def test_streamed_json_with_names_json_must_escape(tmp_path: Path):
    """Quotes, backslashes, non-ASCII letters and an emoji in names, kinds and chains."""
    names = ['Vendor "Q" AI', "Back\\slash Labs", "Zürich Systèmes", "東京 Model KK", "🚀 Rocket"]
    rows = ["buyer,supplier,relation,product,annual_value_usd"]
    rows += [
        f'"{b.replace(chr(34), chr(34) * 2)}","{s.replace(chr(34), chr(34) * 2)}",model_api,'
        f"Widget {i},{100 * (i + 1)}"
        for i, (s, b) in enumerate(pairwise(names))
    ]
    relationships = tmp_path / "relationships.csv"
    relationships.write_text("\n".join(rows) + "\n", encoding="utf-8")
    con = connect(tmp_path / "names.duckdb")
    try:
        load_files(con, [relationships])
        run = assess_scenario(con, ScenarioSpec(designated=(names[0],)), store=False)
        tables = build_report(con, run, identified=IDENTIFIED)
    finally:
        con.close()
    path = write_report(run, tables, tmp_path / "names.json")
    assert path.read_bytes() == _expected(run, tables)
    document = json.loads(path.read_bytes())
    by_name = {item["name"]: item for item in document["organizations"]}
    assert by_name["🚀 Rocket"]["paths"] == [names]


def test_float_texts_are_the_one_value_dumps():
    """The column-wise number texts equal the per-value ones, non-finite values included."""
    import numpy as np

    from exposure.report.outputs import _dumps, _float_texts

    rng = np.random.default_rng(5)
    values = np.concatenate(
        [rng.random(500), rng.lognormal(10, 5, 500), [0.0, -0.0, 1e-7, 1e16, 2.5e-5, 0.1234565]]
    )
    for digits in (None, 6):
        expected = [_dumps(v if digits is None else round(v, digits), 0) for v in values.tolist()]
        assert _float_texts(values, digits) == expected
    odd = np.array([np.nan, np.inf, -np.inf, 1.5])
    assert _float_texts(odd) == ["NaN", "Infinity", "-Infinity", "1.5"]
