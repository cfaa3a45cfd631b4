"""Scenarios: which organizations are designated, and the what-if levers, stored by name.

Names given on the command line resolve the way names in data do (SPEC 3.1): UEI, then CAGE,
then normalized name (any spelling seen in the data counts), then aliases (the ``aliases``
column and ``seeds/aliases.csv``). An unknown name is an error listing the closest
organizations; an ambiguous one lists the organizations it could mean.

Stored scenarios keep organization *names*, not ids, so they survive reloads. A designation
list of ``seeds/designations.csv`` can be named as a scenario (``--scenario
dod-2026-anthropic``): it is applied only when asked for, never silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb

from exposure.core.errors import ExposureError
from exposure.core.names import identifier_key, normalize_name
from exposure.core.sql import scalar, table_exists
from exposure.model.engine import Scenario, Scope
from exposure.model.impact import ImpactModel
from exposure.model.scenario import ScenarioSpec
from exposure.warehouse.transactions import abort

__all__ = [
    "UnknownNameError",
    "build_scenario",
    "designate",
    "load_spec",
    "reference_for",
    "resolve_org",
    "spec_for",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    name VARCHAR PRIMARY KEY,
    effective DATE NOT NULL,
    transition_days INTEGER NOT NULL,
    scope VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS model VARCHAR DEFAULT 'cascade';
CREATE TABLE IF NOT EXISTS scenario_members (
    scenario VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    org_name VARCHAR NOT NULL
);
"""


class UnknownNameError(ExposureError):
    """A name matches no organization, or several."""


def resolve_org(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The org_id a name means: by UEI, CAGE, normalized name or spelling, then alias.

    Raises:
        UnknownNameError: no organization, or more than one, answers to the name.
    """
    # Normalized once here: a constant argument to the SQL macros would have DuckDB compile
    # their regular expressions again for every query.
    key = identifier_key(name)
    norm = normalize_name(name)
    # As in the data (resolve.py): a UEI has 12 characters, a CAGE code 5.
    tiers = [
        ("UEI", "SELECT org_id FROM orgs WHERE uei = $1", key if key and len(key) == 12 else None),
        ("CAGE", "SELECT org_id FROM orgs WHERE cage = $1", key if key and len(key) == 5 else None),
        (
            "name",
            "SELECT org_id FROM orgs WHERE norm_name = $1 "
            "UNION SELECT org_id FROM org_names WHERE norm_name = $1",
            norm,
        ),
        (
            "alias",
            "SELECT org_id FROM orgs, unnest(aliases) AS t(alias) "
            "WHERE exposure_norm_name(alias) = $1 "
            "UNION SELECT o.org_id FROM ref_aliases a JOIN ref_aliases b USING (organization) "
            "JOIN orgs o ON o.norm_name IN (exposure_norm_name(b.alias), exposure_norm_name(b.organization)) "
            "WHERE $1 IN (exposure_norm_name(a.alias), exposure_norm_name(a.organization))",
            norm,
        ),
    ]
    for how, query, value in tiers:
        if value is None:
            continue
        ids = sorted({row[0] for row in con.execute(query, [value]).fetchall()})
        if len(ids) == 1:
            return int(ids[0])
        if len(ids) > 1:
            names = [_name(con, i) for i in ids]
            raise UnknownNameError(
                f"'{name}' is ambiguous: its {how} matches {len(ids)} organizations: "
                + "; ".join(names)
                + ". Use a UEI or the exact name."
            )
    raise UnknownNameError(f"no organization is called '{name}'. {_closest(con, name)}")


def _name(con: duckdb.DuckDBPyConnection, org_id: int) -> str:
    return str(scalar(con, "SELECT name FROM orgs WHERE org_id = ?", [org_id]))


def _closest(con: duckdb.DuckDBPyConnection, name: str) -> str:
    from rapidfuzz import fuzz, process

    names = [row[0] for row in con.execute("SELECT name FROM orgs").fetchall()]
    if not names:
        return "The database holds no organizations yet: load data first (exposure load)."
    best = process.extract(name, names, scorer=fuzz.WRatio, limit=5)
    return "Closest: " + "; ".join(f"{match} ({score:.0f})" for match, score, _ in best)


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


def designate(
    con: duckdb.DuckDBPyConnection,
    scenario: str,
    names: Sequence[str],
    *,
    role: str = "designated",
    effective: date | None = None,
    transition_days: int | None = None,
    scope: Scope | None = None,
    model: ImpactModel | None = None,
) -> list[str]:
    """Add organizations to a stored scenario (created if needed); return their canonical names."""
    _ensure_schema(con)
    ids = [resolve_org(con, name) for name in names]
    canonical = [_name(con, org) for org in ids]
    # Stored by a reference that resolves back to the same organization after a reload: the
    # canonical name, or the UEI (or CAGE) when that name is shared by several.
    references = [reference_for(con, org) for org in ids]
    con.execute("BEGIN TRANSACTION")
    try:
        existing = con.execute(
            "SELECT effective, transition_days, scope, model FROM scenarios WHERE name = ?",
            [scenario],
        ).fetchall()
        if existing:
            old_effective, old_days, old_scope, old_model = existing[0]
            con.execute(
                "UPDATE scenarios SET effective = ?, transition_days = ?, scope = ?, model = ? "
                "WHERE name = ?",
                [
                    effective or old_effective,
                    transition_days if transition_days is not None else old_days,
                    scope or old_scope,
                    model or old_model or "cascade",
                    scenario,
                ],
            )
        else:
            con.execute(
                "INSERT INTO scenarios (name, effective, transition_days, scope, created_at, model) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    scenario,
                    effective or ScenarioSpec.effective,
                    transition_days
                    if transition_days is not None
                    else ScenarioSpec.transition_days,
                    scope or "all",
                    datetime.now(UTC).replace(tzinfo=None),
                    model or "cascade",
                ],
            )
        for reference in references:
            con.execute(
                "DELETE FROM scenario_members WHERE scenario = ? AND org_name = ?",
                [scenario, reference],
            )
            con.execute(
                "INSERT INTO scenario_members VALUES (?, ?, ?)", [scenario, role, reference]
            )
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the scenario")
        raise
    return canonical


def load_spec(con: duckdb.DuckDBPyConnection, scenario: str) -> ScenarioSpec:
    """A stored scenario, or a designation list of the seeds named explicitly.

    Raises:
        ExposureError: no stored scenario or seed list has that name.
    """
    _ensure_schema(con)
    rows = con.execute(
        "SELECT effective, transition_days, scope, model FROM scenarios WHERE name = ?", [scenario]
    ).fetchall()
    if rows:
        effective, days, scope, model = rows[0]
        members = con.execute(
            "SELECT role, org_name FROM scenario_members WHERE scenario = ? ORDER BY org_name",
            [scenario],
        ).fetchall()
        return ScenarioSpec(
            name=scenario,
            designated=tuple(n for role, n in members if role == "designated"),
            noncompliant=tuple(n for role, n in members if role == "noncompliant"),
            scope=scope,
            effective=effective,
            transition_days=int(days),
            source="stored scenario",
            model=model or "cascade",
        )
    if table_exists(con, "ref_designations"):
        listed = con.execute(
            "SELECT organization, effective_date, transition_days, scope FROM ref_designations "
            "WHERE list_id = ? ORDER BY organization",
            [scenario],
        ).fetchall()
        if listed:
            return ScenarioSpec(
                name=scenario,
                designated=tuple(row[0] for row in listed),
                scope=listed[0][3] if listed[0][3] in ("dod", "all") else "all",
                effective=listed[0][1],
                transition_days=int(listed[0][2]),
                source="seeds/designations.csv",
                seed_list=scenario,
                optional=tuple(row[0] for row in listed),
            )
    known = [row[0] for row in con.execute("SELECT name FROM scenarios ORDER BY 1").fetchall()]
    lists = []
    if table_exists(con, "ref_designations"):
        lists = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT list_id FROM ref_designations ORDER BY 1"
            ).fetchall()
        ]
    raise ExposureError(
        f"no scenario named '{scenario}'. Stored scenarios: {', '.join(known) or 'none'}; "
        f"designation lists in seeds: {', '.join(lists) or 'none'}"
    )


def build_scenario(
    con: duckdb.DuckDBPyConnection, spec: ScenarioSpec
) -> tuple[Scenario, list[str]]:
    """Resolve a spec's names to ids. Returns the scenario and notes on names skipped.

    Only names of a seed designation list (``spec.optional``), which may name organizations
    a network does not hold, are skipped with a note when unknown.

    Raises:
        UnknownNameError: a name given by the user (or stored in a scenario) that matches no
            organization, or several.
    """
    notes: list[str] = []
    optional = set(spec.optional)

    def ids(names: Iterable[str]) -> tuple[int, ...]:
        found = []
        for name in names:
            try:
                found.append(resolve_org(con, name))
            except UnknownNameError as exc:
                if name not in optional:
                    raise
                notes.append(f"{name}: not in the network ({exc})")
        return tuple(sorted(set(found)))

    scenario = Scenario(
        designated=ids(spec.designated),
        noncompliant=ids(spec.noncompliant),
        scope=spec.scope,
        effective=spec.effective,
        transition_days=spec.transition_days,
        name=spec.name,
    )
    return scenario, notes


def reference_for(con: duckdb.DuckDBPyConnection, org_id: int) -> str:
    """How to name an organization so that the name resolves back to it.

    Its canonical name, unless that name is ambiguous (two organizations kept apart under one
    name): then its UEI, or its CAGE code.
    """
    rows = con.execute("SELECT name, uei, cage FROM orgs WHERE org_id = ?", [org_id]).fetchall()
    if not rows:
        raise UnknownNameError(f"no organization has id {org_id}")
    name, uei, cage = rows[0]
    for candidate in (name, uei, cage):
        if candidate is None:
            continue
        try:
            if resolve_org(con, str(candidate)) == org_id:
                return str(candidate)
        except UnknownNameError:
            continue
    return str(name)


def spec_for(
    con: duckdb.DuckDBPyConnection,
    scenario: str | None = None,
    *,
    designated: Sequence[str] = (),
    noncompliant: Sequence[str] = (),
    **levers: object,
) -> ScenarioSpec:
    """The scenario an assessment runs (SPEC 5.2).

    A stored scenario or a seed designation list by name, with the names and levers given
    now added; with names and no scenario, exactly the named organizations. Levers that are
    None keep the scenario's own.

    Raises:
        ExposureError: neither a scenario nor a name was given, or no scenario has that name.
    """
    if not scenario and not designated:
        raise ExposureError("name a scenario (--scenario NAME) or the organizations to --designate")
    spec = load_spec(con, scenario) if scenario else ScenarioSpec()
    return with_levers(
        spec,
        designated=spec.designated + tuple(designated),
        noncompliant=spec.noncompliant + tuple(noncompliant),
        **levers,
    )


def with_levers(spec: ScenarioSpec, **changes: object) -> ScenarioSpec:
    """A copy of a spec with levers changed (None values are ignored)."""
    return replace(spec, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]
