"""The evidence behind each edge: a model table built per load, read by the report only
through warehouse queries, and linear at the sizes the engine is built for (issues 10, 12).

The oracle is a straightforward pandas computation from the staged rows: each row's edge key
(supplier, buyer, relation, product and used_in cleaned and lower-cased, contract, program),
the earliest row of each key (load order, then row) as the edge's first source row, the
others in load order.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exposure import LoadOptions, connect, load_files
from exposure import assess as assess_scenario
from exposure.core.cells import clean_text
from exposure.model.scenario import ScenarioSpec
from exposure.report.tables import build_tables
from exposure.screening.results import _STORED
from exposure.warehouse.evidence import edge_evidence_for
from exposure.warehouse.resolve import rebuild_model
from exposure.warehouse.screening_store import SCREENING_TYPES

PACKAGE = Path(__file__).resolve().parents[1] / "exposure"

REL_COLUMNS = ["buyer", "supplier", "relation", "product", "used_in", "contract_id", "program"]


# --- (a) the layers: no staging outside the warehouse, no SQL in the report -------------------


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _strings(tree: ast.AST) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


_SQL_CALLS = {"execute", "executemany", "sql", "query", "register", "unregister", "fetchall"}
# A table named after a SQL keyword, as a query would name it.
_NAMES_TABLE = re.compile(r"\b(FROM|JOIN|INTO|UPDATE|TABLE|VIEW)\s+[A-Za-z_]\w*")


def _sql_calls(tree: ast.AST) -> list[str]:
    return [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SQL_CALLS
    ]


def _runtime_imports_duckdb(tree: ast.Module) -> bool:
    """Whether the module imports duckdb outside ``if TYPE_CHECKING:``."""
    checking: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            checking.update(id(child) for child in ast.walk(node))
    return any(
        isinstance(node, ast.Import)
        and any(alias.name == "duckdb" for alias in node.names)
        and id(node) not in checking
        for node in ast.walk(tree)
    )


def test_nothing_outside_the_warehouse_names_a_staging_table():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "warehouse" not in path.relative_to(PACKAGE).parts
        and re.search(r"\bstg_\w+", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_report_and_screening_run_no_sql_on_staging():
    for path in _modules("report") + _modules("screening"):
        for text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            assert "stg_" not in text, path


def test_the_report_runs_no_sql_and_names_no_table():
    for path in [*_modules("report"), PACKAGE / "screening" / "results.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert _sql_calls(tree) == [], path
        assert not _runtime_imports_duckdb(tree), path
        queries = [text for text in _strings(tree) if _NAMES_TABLE.search(text)]
        assert queries == [], (path, queries)


def test_the_scan_finds_what_it_looks_for():
    """The checks above are not vacuous: they flag a module that queries a table."""
    tree = ast.parse(
        "import duckdb\ndef f(con):\n    return con.execute('SELECT * FROM stg_relationships').df()\n"
    )
    assert _sql_calls(tree) == ["execute"]
    assert _runtime_imports_duckdb(tree)
    assert any(_NAMES_TABLE.search(text) and "stg_" in text for text in _strings(tree))
    guarded = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import duckdb\n")
    assert not _runtime_imports_duckdb(guarded)


def test_stored_screening_columns_are_the_warehouse_table_columns():
    assert tuple(SCREENING_TYPES) == _STORED


# --- (b) the table against a pandas reference ------------------------------------------------


def reference_evidence(con) -> pd.DataFrame:
    """Per edge id: the first staged row stating it and the others, computed in pandas."""
    staged = con.execute("SELECT * FROM stg_relationships").df()
    org_of = dict(con.execute("SELECT name, org_id FROM org_names").fetchall())

    def key_text(value) -> str:
        cleaned = clean_text(value) if isinstance(value, str) else None
        return (cleaned or "").lower()

    def blank(value) -> str:
        return value if isinstance(value, str) else ""

    staged["key"] = [
        (org_of[s], org_of[b], r, key_text(p), key_text(u), blank(c), blank(g))
        for s, b, r, p, u, c, g in zip(
            staged["supplier"],
            staged["buyer"],
            staged["relation"],
            staged["product"],
            staged["used_in"],
            staged["contract_id"],
            staged["program"],
            strict=True,
        )
    ]
    staged["ord"] = staged["_load_id"].astype(np.int64) * (1 << 40) + staged["_row"].astype(
        np.int64
    )
    staged = staged.sort_values("ord", kind="stable")
    is_first = ~staged["key"].duplicated()
    # The edge id is the ord of its first row; each row's edge is that of its key.
    edge_of_key = dict(zip(staged.loc[is_first, "key"], staged.loc[is_first, "ord"], strict=True))
    staged["edge_id"] = staged["key"].map(edge_of_key)
    others = staged[~is_first]
    text = [
        f"{file}{'' if pd.isna(sheet) else f' [{sheet}]'} row {row}"
        for file, sheet, row in zip(
            others["_source_file"], others["_sheet"], others["_row"], strict=True
        )
    ]
    listed = pd.Series(text, index=others.index).groupby(others["edge_id"]).agg("; ".join)
    first = staged[is_first]
    frame = pd.DataFrame(
        {
            "edge_id": first["ord"].astype(np.int64),
            "load_id": first["_load_id"].astype(np.int64),
            "source_file": first["_source_file"],
            "sheet": [None if pd.isna(v) else v for v in first["_sheet"]],
            "row": first["_row"].astype(np.int64),
        }
    ).set_index("edge_id")
    frame["other_sources"] = others.groupby("edge_id").size().reindex(frame.index).fillna(0)
    frame["other_sources"] = frame["other_sources"].astype(np.int64)
    frame["other_evidence"] = listed.reindex(frame.index).astype(object)
    frame["other_evidence"] = frame["other_evidence"].where(frame["other_evidence"].notna(), None)
    return frame.sort_index()


def stored_evidence(con) -> pd.DataFrame:
    frame = con.execute(
        "SELECT edge_id, load_id, source_file, sheet, row, other_sources, other_evidence "
        "FROM edge_evidence"
    ).df()
    frame = frame.astype(object).where(frame.notna(), None)
    for column in ("edge_id", "load_id", "row", "other_sources"):
        frame[column] = frame[column].astype(np.int64)
    return frame.set_index("edge_id").sort_index()


def _assert_same(stored: pd.DataFrame, reference: pd.DataFrame) -> None:
    assert len(reference) > 0
    pd.testing.assert_frame_equal(stored, reference, check_dtype=False)


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def _restated(rng: np.random.Generator, text: object) -> str | None:
    """The same product written another way: other case, other white space."""
    if not isinstance(text, str):
        return None
    choice = rng.integers(3)
    if choice == 0:
        return text.upper()
    if choice == 1:
        return "  " + text.replace(" ", "   ") + " "
    return text.lower()


def _random_loads(folder: Path, seed: int) -> list[Path]:
    """Three files stating overlapping random subsets of a pool of dependencies."""
    rng = np.random.default_rng(seed)
    names = [f"Firm {i:02d} Inc" for i in range(12)]
    pool = []
    for _ in range(60):
        buyer, supplier = rng.choice(len(names), size=2, replace=False)
        pool.append(
            {
                "buyer": names[buyer],
                "supplier": names[supplier],
                "relation": str(rng.choice(["saas", "subcontract", "model_api"])),
                "product": None if rng.random() < 0.2 else f"Part {rng.integers(4)} Kit",
                "used_in": None if rng.random() < 0.5 else f"System {rng.integers(3)}",
                "contract_id": None if rng.random() < 0.6 else f"C-{rng.integers(3)}",
                "program": None if rng.random() < 0.7 else f"Program {rng.integers(2)}",
            }
        )
    pool_frame = pd.DataFrame(pool)
    key = pool_frame[REL_COLUMNS].astype(str).apply(lambda c: c.str.lower())
    pool_frame = pool_frame[~key.duplicated()].reset_index(drop=True)
    files = []
    for index in range(3):
        chosen = rng.choice(len(pool_frame), size=len(pool_frame) // 2, replace=False)
        frame = pool_frame.iloc[chosen].copy()
        frame["product"] = [_restated(rng, p) for p in frame["product"]]
        frame["annual_value_usd"] = rng.integers(1, 1000, len(frame))
        files.append(_write(folder / f"load{index}.csv", frame))
    return files


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_edge_evidence_equals_the_pandas_reference_on_random_loads(tmp_path, seed):
    files = _random_loads(tmp_path, seed)
    con = connect(tmp_path / "evidence.duckdb")
    try:
        load_files(con, files[:1])
        # One load: each row is its own edge (the fast path), and the general path agrees.
        _assert_same(stored_evidence(con), reference_evidence(con))
        rebuild_model(con, always_merge=True)
        _assert_same(stored_evidence(con), reference_evidence(con))
        for file in files[1:]:
            load_files(con, [file])
        stored, reference = stored_evidence(con), reference_evidence(con)
        assert (reference["other_sources"] > 0).any()  # the loads overlap: some edges merge
        _assert_same(stored, reference)
        n_sources = dict(con.execute("SELECT edge_id, n_sources FROM edges").fetchall())
        assert {k: v + 1 for k, v in stored["other_sources"].items()} == n_sources
    finally:
        con.close()


def test_edge_evidence_by_hand(tmp_path):
    first = _write(
        tmp_path / "a.csv",
        pd.DataFrame(
            [["Prime", "Vendor", "saas", "X", "", 1], ["Prime", "Other", "saas", "Y", "", 2]],
            columns=["buyer", "supplier", "relation", "product", "used_in", "annual_value_usd"],
        ),
    )
    second = _write(
        tmp_path / "b.csv",
        pd.DataFrame(
            [["Prime", "Other", "saas", "y", "", 3], ["Prime", "Vendor", "saas", " x ", "", 4]],
            columns=["buyer", "supplier", "relation", "product", "used_in", "annual_value_usd"],
        ),
    )
    con = connect(tmp_path / "hand.duckdb")
    try:
        load_files(con, [first])
        load_files(con, [second])
        rows = con.execute(
            "SELECT o.name, v.source_file, v.row, v.other_sources, v.other_evidence "
            "FROM edge_evidence v JOIN edges e USING (edge_id) "
            "JOIN orgs o ON o.org_id = e.supplier_id ORDER BY o.name"
        ).fetchall()
        assert rows == [
            ("Other", "a.csv", 3, 1, "b.csv row 2"),
            ("Vendor", "a.csv", 2, 1, "b.csv row 3"),
        ]
        ids = [
            row[0] for row in con.execute("SELECT edge_id FROM edges ORDER BY edge_id").fetchall()
        ]
        # In the order asked, repeats included; an id that is no edge gives a blank row.
        found = edge_evidence_for(con, np.array([ids[1], -5, ids[0], ids[1]], dtype=np.int64))
        assert found["row"].tolist()[0] == 3 and found["row"].tolist()[2:] == [2, 3]
        assert found["source_file"].isna().tolist() == [False, True, False, False]
    finally:
        con.close()


# --- (c) at scale: 20,000 organizations, 145,000 heavy-tailed relationships --------------------


def heavy_tailed(folder: Path, seed: int, orgs: int = 20_000, relationships: int = 145_000):
    """A random network where a few suppliers serve most buyers, one row per (supplier,
    buyer) pair, and a second file restating 3,000 of them with the product in capitals.
    Returns both files and the most-used supplier's name."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, orgs + 1) ** 1.1
    weights /= weights.sum()
    pairs = pd.DataFrame(columns=["supplier", "buyer"], dtype=np.int64)
    while len(pairs) < relationships:
        draw = pd.DataFrame(
            {
                "supplier": rng.choice(orgs, size=relationships, p=weights),
                "buyer": rng.integers(0, orgs, size=relationships),
            }
        )
        pairs = pd.concat([pairs, draw[draw["supplier"] != draw["buyer"]]])
        pairs = pairs.drop_duplicates(ignore_index=True)
    pairs = pairs.iloc[:relationships]
    supplier = pairs["supplier"].to_numpy(dtype=np.int64)
    buyer = pairs["buyer"].to_numpy(dtype=np.int64)
    names = np.array([f"Org {i:06d} LLC" for i in range(orgs)], dtype=object)
    frame = pd.DataFrame(
        {
            "buyer": names[buyer],
            "supplier": names[supplier],
            "relation": np.where(supplier == 0, "model_api", "subcontract"),
            "product": "Product of " + names[supplier],
            "annual_value_usd": np.round(np.exp(rng.uniform(9, 15, len(pairs))), 2),
            "replacement_months": rng.integers(1, 19, len(pairs)).astype(float),
            "dod_use": rng.random(len(pairs)) < 0.5,
        }
    )
    again = frame.iloc[rng.choice(len(frame), size=3_000, replace=False)].copy()
    again["product"] = again["product"].str.upper()
    top = names[np.bincount(supplier, minlength=orgs).argmax()]
    return [_write(folder / "first.csv", frame), _write(folder / "again.csv", again)], str(top)


def test_tables_at_scale_carry_the_reference_evidence(tmp_path):
    files, top = heavy_tailed(tmp_path, seed=12)
    con = connect(tmp_path / "scale.duckdb")
    try:
        for file in files:
            load_files(con, [file], LoadOptions())
        run = assess_scenario(con, ScenarioSpec(designated=(top,)))
        tables = build_tables(con, run, identified=date(2026, 3, 2))
        reference = reference_evidence(con)
    finally:
        con.close()
    paths = tables.paths
    assert len(paths) > 10_000
    paths = paths.assign(edge_id=run.graph.edge_id[paths["edge_index"].to_numpy(dtype=np.int64)])
    restated = paths["edge_id"].map(reference["other_sources"]) > 0
    assert restated.sum() > 100  # the second file's rows show as other evidence
    rng = np.random.default_rng(0)
    orgs = paths["org_id"].unique()
    sample = set(rng.choice(orgs, size=300, replace=False).tolist())
    sample |= set(rng.choice(paths.loc[restated, "org_id"].unique(), size=50).tolist())
    chosen = paths[paths["org_id"].isin(sample)]
    expected = reference.loc[chosen["edge_id"]]
    assert chosen["source_file"].tolist() == expected["source_file"].tolist()
    assert chosen["row"].astype(np.int64).tolist() == expected["row"].tolist()
    assert chosen["sheet"].isna().all() and expected["sheet"].isna().all()  # CSV: no sheet
    got = chosen["other_evidence"].astype(object).where(chosen["other_evidence"].notna(), None)
    assert got.tolist() == expected["other_evidence"].tolist()
