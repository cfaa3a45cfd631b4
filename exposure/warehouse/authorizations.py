"""The offers an exposed dependency could switch to: announced authorizations and the network's own.

Three origins, one frame (:data:`exposure.model.alternatives.OFFER_COLUMNS`):

* ``seed``: ``seeds/authorizations.csv`` (``ref_authorizations``), public announcements;
* ``user``: rows the user loaded (``user_authorizations``, :func:`load_authorizations`);
* ``network``: suppliers in the loaded network offering a relation class at a known
  environment on a dependency the run leaves unexposed (an exposed offering carries the
  designated content, so it is no alternative).
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from exposure.core.errors import ExposureError
from exposure.core.sql import sql_literal, table_exists
from exposure.model.alternatives import OFFER_COLUMNS
from exposure.model.facts import ENVIRONMENTS, canonical_value
from exposure.model.run import AssessmentRun

__all__ = ["AUTHORIZATION_HEADERS", "authorization_offers", "load_authorizations"]

logger = logging.getLogger(__name__)

AUTHORIZATION_HEADERS = (
    "provider",
    "host",
    "product",
    "relation",
    "environment",
    "authorized_on",
    "source",
)

_USER_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_authorizations (
    provider VARCHAR NOT NULL, host VARCHAR, product VARCHAR, relation VARCHAR,
    environment VARCHAR NOT NULL, authorized_on DATE, source VARCHAR, loaded_from VARCHAR
)
"""


def load_authorizations(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    """Add the rows of a CSV of authorizations (the seed's headers) to the user's; return how many.

    Raises:
        ExposureError: a header is missing, or an environment is not a known level (with the
            file and row).
    """
    file = Path(path)
    if not file.is_file():
        raise ExposureError(f"cannot read {file}: no such file")
    frame = con.execute(
        f"SELECT * FROM read_csv({sql_literal(str(file))}, header = true, all_varchar = true)"
    ).df()
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [h for h in ("provider", "environment") if h not in frame.columns]
    if missing:
        raise ExposureError(
            f"{file.name}: an authorizations sheet needs the columns {', '.join(AUTHORIZATION_HEADERS)}; "
            f"missing: {', '.join(missing)}"
        )
    for column in AUTHORIZATION_HEADERS:
        if column not in frame.columns:
            frame[column] = None
    levels = []
    for index, value in enumerate(frame["environment"]):
        level = canonical_value("environment", str(value)) if isinstance(value, str) else None
        if level is None:
            raise ExposureError(
                f"{file.name} row {index + 2}, column environment: '{value}' is not a level; "
                f"expected one of: {', '.join(ENVIRONMENTS)}"
            )
        levels.append(level)
    frame["environment"] = levels
    # A date that does not parse is refused, never read as blank ("date not confirmed").
    given = frame["authorized_on"].where(frame["authorized_on"].notna(), None)
    dates = pd.to_datetime(given, errors="coerce", format="ISO8601")
    for index, (value, parsed) in enumerate(zip(given, dates, strict=True)):
        if isinstance(value, str) and value.strip() and pd.isna(parsed):
            raise ExposureError(
                f"{file.name} row {index + 2}, column authorized_on: '{value}' is not a date; "
                "expected YYYY-MM-DD, or blank when the date is not confirmed"
            )
    frame["authorized_on"] = dates.dt.date
    frame["loaded_from"] = file.name
    con.execute(_USER_SCHEMA)
    rows = frame[[*AUTHORIZATION_HEADERS, "loaded_from"]]
    con.register("_exposure_authorizations", rows)
    try:
        con.execute(
            "INSERT INTO user_authorizations BY NAME SELECT * FROM _exposure_authorizations"
        )
    finally:
        con.unregister("_exposure_authorizations")
    logger.info("loaded %d authorizations from %s", len(rows), file)
    return len(rows)


def authorization_offers(con: duckdb.DuckDBPyConnection, run: AssessmentRun) -> pd.DataFrame:
    """Every offer of the three origins, for :func:`exposure.model.alternatives.authorized_alternatives`."""
    parts = []
    for table, origin in (("ref_authorizations", "seed"), ("user_authorizations", "user")):
        if table_exists(con, table):
            frame = con.execute(
                f"SELECT provider, host, product, relation, environment FROM {table}"
            ).df()
            frame["origin"] = origin
            parts.append(frame)
    graph, result = run.graph, run.result
    known = (graph.environment >= 0) & ~result.exposed_edges
    edges = np.flatnonzero(known)
    if len(edges):
        relation = (
            con.execute(
                "SELECT edge_id, relation, product FROM edges WHERE environment IS NOT NULL"
            )
            .df()
            .set_index("edge_id")
        )
        ids = graph.edge_id[edges]
        network = pd.DataFrame(
            {
                "provider": np.asarray(graph.names, dtype=object)[graph.supplier[edges]],
                "host": None,
                "product": relation["product"].reindex(ids).to_numpy(dtype=object),
                "relation": relation["relation"].reindex(ids).to_numpy(dtype=object),
                "environment": np.asarray(ENVIRONMENTS, dtype=object)[graph.environment[edges]],
                "origin": "network",
            }
        )
        parts.append(network.drop_duplicates(["provider", "product", "relation", "environment"]))
    if not parts:
        return pd.DataFrame(columns=list(OFFER_COLUMNS))
    offers = pd.concat(parts, ignore_index=True)
    offers["product"] = offers["product"].fillna("(product not named)")
    return offers[list(OFFER_COLUMNS)]
