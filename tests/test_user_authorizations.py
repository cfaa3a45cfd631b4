"""A user's own authorizations, added beside the seed's (user_authorizations); a bad
environment or date is refused with its row, and nothing is added."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure import ExposureError, connect
from exposure.warehouse.authorizations import load_authorizations

HEADER = "provider,host,product,relation,environment,authorized_on,source\n"


def _csv(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_rows_are_added_with_their_dates_and_levels(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    path = _csv(
        tmp_path / "mine.csv",
        "Acme Models,Acme Cloud,Acme LLM (IL5),model_api,il5,2026-03-01,our contract office",
        "Zeta AI,,Zeta API,model_api,FedRAMP High,,vendor letter",
    )
    assert load_authorizations(con, path) == 2
    rows = con.execute(
        "SELECT provider, environment, CAST(authorized_on AS VARCHAR), loaded_from "
        "FROM user_authorizations ORDER BY provider"
    ).fetchall()
    assert rows == [
        ("Acme Models", "il5", "2026-03-01", "mine.csv"),
        ("Zeta AI", "fedramp_high", None, "mine.csv"),
    ]


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("Acme,,X,model_api,il5,01/03/2026,s", "row 3, column authorized_on: '01/03/2026'"),
        ("Acme,,X,model_api,moon_base,,s", "row 3, column environment: 'moon_base'"),
    ],
)
def test_a_bad_cell_is_refused_with_its_row_and_nothing_is_added(tmp_path, row, said):
    con = connect(tmp_path / "a.duckdb")
    good = "Zeta AI,,Zeta API,model_api,il4,2026-01-02,s"
    with pytest.raises(ExposureError) as caught:
        load_authorizations(con, _csv(tmp_path / "mine.csv", good, row))
    assert said in str(caught.value)
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'user_authorizations'"
    ).fetchall()
    if exists == [(1,)]:
        assert con.execute("SELECT count(*) FROM user_authorizations").fetchall() == [(0,)]
