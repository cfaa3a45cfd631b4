"""The built graph persists beside its database (issue 12): a second command on unchanged data
reads it instead of building it, a load makes it stale, and what is read equals a fresh build."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from conftest import GOOD, REPORT

from exposure import LoadOptions, connect, load_files
from exposure.model.graph import Graph
from exposure.warehouse import graph_store
from exposure.warehouse.graph_files import graph_folder


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the graph builds from the tables (the data version of each)."""
    calls: list[str] = []
    real = graph_store._build

    def spy(con, version):  # type: ignore[no-untyped-def]
        calls.append(version)
        return real(con, version)

    monkeypatch.setattr(graph_store, "_build", spy)
    return calls


def _assert_same(stored: Graph, fresh: Graph) -> None:
    for item in fields(Graph):
        a, b = getattr(stored, item.name), getattr(fresh, item.name)
        if isinstance(b, np.ndarray):
            assert np.asarray(a).dtype == b.dtype, item.name
            assert np.array_equal(np.asarray(a), b, equal_nan=b.dtype.kind == "f"), item.name
        else:
            assert a == b, item.name


def test_a_second_connection_reads_the_stored_graph(report_db: Path, builds: list[str]):
    con = connect(report_db)
    first = graph_store.load_graph(con)
    con.close()
    assert len(builds) == 1
    folder = Path(str(report_db) + ".graph")
    assert [p.name for p in folder.iterdir()] == [first.data_version]
    con = connect(report_db)
    second = graph_store.load_graph(con)
    con.close()
    assert len(builds) == 1  # read, not built
    con = connect(report_db, read_only=True)
    third = graph_store.load_graph(con)
    fresh = graph_store._build(con, first.data_version)
    con.close()
    assert len(builds) == 2  # only the explicit build above
    _assert_same(second, first)
    _assert_same(third, fresh)
    assert second.names.tolist() == fresh.names.tolist()


def test_a_load_makes_the_stored_graph_stale(report_db: Path, builds: list[str]):
    con = connect(report_db)
    before = graph_store.load_graph(con)
    load_files(con, [GOOD / "vendors.csv"], LoadOptions(buyer="Report Buyer"))
    after = graph_store.load_graph(con)
    con.close()
    assert after.data_version != before.data_version
    assert builds == [before.data_version, after.data_version]
    folder = Path(str(report_db) + ".graph")
    assert [p.name for p in folder.iterdir()] == [after.data_version]  # the stale one removed
    con = connect(report_db, read_only=True)
    _assert_same(graph_store.load_graph(con), graph_store._build(con, after.data_version))
    con.close()


def test_an_unreadable_or_foreign_graph_is_rebuilt(report_db: Path, builds: list[str]):
    con = connect(report_db)
    graph = graph_store.load_graph(con)
    target = Path(str(report_db) + ".graph") / graph.data_version
    (target / "names.npy").write_bytes(b"not numpy")
    again = graph_store.load_graph(con)
    assert len(builds) == 2
    _assert_same(again, graph)
    meta = json.loads((target / "meta.json").read_text())
    (target / "meta.json").write_text(json.dumps({**meta, "format": "exposure-graph/0"}))
    graph_store.load_graph(con)
    assert len(builds) == 3
    con.close()


def test_nothing_is_written_read_only_or_in_memory(tmp_path: Path, builds: list[str]):
    path = tmp_path / "db.duckdb"
    con = connect(path)
    load_files(con, [REPORT / "organizations.csv", REPORT / "relationships.csv"])
    con.close()
    con = connect(path, read_only=True)
    graph_store.load_graph(con)
    graph_store.load_graph(con)
    con.close()
    assert len(builds) == 2 and not Path(str(path) + ".graph").exists()
    memory = connect(":memory:")
    load_files(memory, [REPORT / "organizations.csv", REPORT / "relationships.csv"])
    assert graph_folder(memory) is None
    graph_store.load_graph(memory)
    graph_store.load_graph(memory)
    assert len(builds) == 4
    memory.close()
