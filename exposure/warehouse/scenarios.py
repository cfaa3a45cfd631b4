"""Scenarios: which organizations are designated, and the what-if levers, stored by name.

Names given on the command line resolve the way names in data do (SPEC 3.1, the identity
rule set of :mod:`exposure.core.identity`): UEI, then CAGE, then an exact declared or used
spelling, then normalized name, then aliases (the ``aliases`` column and
``seeds/aliases.csv``). An unknown name is an error listing the closest
organizations; an ambiguous one lists the organizations it could mean.

Stored scenarios keep organization *names*, not ids, so they survive reloads. A designation
list of ``seeds/designations.csv`` can be named as a scenario (``--scenario
dod-2026-anthropic``): it is applied only when asked for, never silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb

from exposure.core.errors import ExposureError
from exposure.core.sql import is_read_only, scalar, table_exists
from exposure.model.choices import UnknownScope
from exposure.model.engine import Scenario, Scope
from exposure.model.impact import ImpactModel
from exposure.model.scenario import ScenarioSpec
from exposure.model.scope import ScopeClause, clauses_from_dicts
from exposure.model.uncertainty import DEFAULT_PROBABILITIES, LinkProbabilities, base_rate
from exposure.warehouse.campaigns import answer_counts
from exposure.warehouse.identity import resolve_name
from exposure.warehouse.transactions import abort

__all__ = [
    "UnknownNameError",
    "build_scenario",
    "designate",
    "designating",
    "link_probabilities",
    "load_spec",
    "reference_for",
    "resolve_org",
    "spec_for",
    "undesignate",
    "withdraw_designations",
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
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS scope_clauses VARCHAR DEFAULT '[]';
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS unknown_scope VARCHAR DEFAULT 'in';
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS p_reported DOUBLE;
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS p_inferred DOUBLE;
ALTER TABLE scenarios ADD COLUMN IF NOT EXISTS p_unknown DOUBLE;
CREATE TABLE IF NOT EXISTS scenario_members (
    scenario VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    org_name VARCHAR NOT NULL
);
ALTER TABLE scenario_members ADD COLUMN IF NOT EXISTS via VARCHAR;
"""


class UnknownNameError(ExposureError):
    """A name matches no organization, or several."""


def resolve_org(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The org_id a name means, by the identity rule set (:mod:`exposure.core.identity`).

    UEI, CAGE, an exact declared or used spelling, the normalized name, then aliases: as names
    in the data resolve (:func:`exposure.warehouse.identity.resolve_name`).

    Raises:
        UnknownNameError: no organization, or more than one, answers to the name.
    """
    resolution = resolve_name(con, name)
    if len(resolution.candidates) == 1:
        return int(resolution.candidates[0])  # type: ignore[call-overload]
    if resolution.ambiguous:
        how = _HOW[resolution.tier] if resolution.tier else "name"
        names = [_name(con, int(i)) for i in resolution.candidates]  # type: ignore[call-overload]
        raise UnknownNameError(
            f"'{name}' is ambiguous: its {how} matches {len(names)} organizations: "
            + "; ".join(names)
            + ". Use a UEI, or one organization's exact name."
        )
    raise UnknownNameError(f"no organization is called '{name}'. {_closest(con, name)}")


# How an ambiguity is described, by the tier that found it.
_HOW = {
    "uei": "UEI",
    "cage": "CAGE",
    "exact": "exact spelling",
    "name": "normalized name",
    "alias": "alias",
    "seed_alias": "alias",
    "new": "normalized name",
}


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
    clauses: Sequence[ScopeClause] | None = None,
    unknown_scope: UnknownScope | None = None,
    probabilities: dict[str, float] | None = None,
    via: Sequence[str | None] | None = None,
) -> list[str]:
    """Add organizations to a stored scenario (created if needed); return their canonical names.

    ``clauses`` replace the scenario's scope clauses when given (an empty sequence clears
    them); None keeps them, as for every other lever. ``probabilities``
    ({"reported"|"inferred"|"unknown": p}) sets the scenario's link probabilities for the
    Monte Carlo; levels not given keep theirs.

    ``via`` (one per name) records the accepted review candidate (``S-...``) a designation
    comes from, so that undoing or rejecting it withdraws the designation
    (:func:`withdraw_designations`); None (the default) is a designation by hand, which no
    review decision withdraws, and which an organization designated by hand keeps.
    """
    _ensure_schema(con)
    sources = list(via) if via is not None else [None] * len(names)
    if len(sources) != len(names):
        raise ExposureError("designate: one 'via' per name")
    ids = [resolve_org(con, name) for name in names]
    canonical = [_name(con, org) for org in ids]
    # Stored by a reference that resolves back to the same organization after a reload: the
    # canonical name, or the UEI (or CAGE) when that name is shared by several.
    references = [reference_for(con, org) for org in ids]
    con.execute("BEGIN TRANSACTION")
    try:
        existing = con.execute(
            "SELECT effective, transition_days, scope, model, scope_clauses, unknown_scope "
            "FROM scenarios WHERE name = ?",
            [scenario],
        ).fetchall()
        stored_clauses = None if clauses is None else _clauses_json(clauses)
        if existing:
            old_effective, old_days, old_scope, old_model, old_clauses, old_unknown = existing[0]
            con.execute(
                "UPDATE scenarios SET effective = ?, transition_days = ?, scope = ?, model = ?, "
                "scope_clauses = ?, unknown_scope = ? WHERE name = ?",
                [
                    effective or old_effective,
                    transition_days if transition_days is not None else old_days,
                    scope or old_scope,
                    model or old_model or "cascade",
                    stored_clauses if stored_clauses is not None else (old_clauses or "[]"),
                    unknown_scope or old_unknown or "in",
                    scenario,
                ],
            )
        else:
            con.execute(
                "INSERT INTO scenarios (name, effective, transition_days, scope, created_at, model, "
                "scope_clauses, unknown_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    scenario,
                    effective or ScenarioSpec.effective,
                    transition_days
                    if transition_days is not None
                    else ScenarioSpec.transition_days,
                    scope or "all",
                    datetime.now(UTC).replace(tzinfo=None),
                    model or "cascade",
                    stored_clauses or "[]",
                    unknown_scope or "in",
                ],
            )
        for level, value in (probabilities or {}).items():
            if level not in ("reported", "inferred", "unknown") or not 0 <= value <= 1:
                raise ExposureError(f"no probability {level} = {value} for links (0..1)")
            con.execute(f"UPDATE scenarios SET p_{level} = ? WHERE name = ?", [value, scenario])
        for reference, source in zip(references, sources, strict=True):
            by_hand = scalar(
                con,
                "SELECT count(*) FROM scenario_members WHERE scenario = ? AND org_name = ? "
                "AND role = ? AND via IS NULL",
                [scenario, reference, role],
            )
            con.execute(
                "DELETE FROM scenario_members WHERE scenario = ? AND org_name = ?",
                [scenario, reference],
            )
            con.execute(
                "INSERT INTO scenario_members (scenario, role, org_name, via) VALUES (?, ?, ?, ?)",
                [scenario, role, reference, None if by_hand else source],
            )
        con.execute("COMMIT")
    except BaseException as exc:
        abort(con, exc, "the scenario")
        raise
    return canonical


def undesignate(con: duckdb.DuckDBPyConnection, scenario: str, names: Sequence[str]) -> list[str]:
    """Remove organizations (designated or non-compliant) from a stored scenario; return
    their canonical names.

    Raises:
        ExposureError: no stored scenario of that name, or one of the names is not in it.
    """
    _ensure_schema(con)
    if not scalar(con, "SELECT count(*) FROM scenarios WHERE name = ?", [scenario]):
        raise ExposureError(f"no stored scenario named '{scenario}'")
    ids = [resolve_org(con, name) for name in names]
    members = con.execute(
        "SELECT DISTINCT org_name FROM scenario_members WHERE scenario = ?", [scenario]
    ).fetchall()
    gone: list[str] = []
    for org, name in zip(ids, names, strict=True):
        stored = []
        for (member,) in members:
            try:
                if resolve_org(con, str(member)) == org:
                    stored.append(str(member))
            except UnknownNameError:
                continue
        if not stored:
            raise ExposureError(f"scenario '{scenario}' does not name {name}")
        gone.extend(stored)
    con.execute(
        "DELETE FROM scenario_members WHERE scenario = ? AND list_contains(?::VARCHAR[], org_name)",
        [scenario, gone],
    )
    return [_name(con, org) for org in ids]


def withdraw_designations(con: duckdb.DuckDBPyConnection, item: str) -> list[tuple[str, str]]:
    """Remove from every stored scenario the designations that came from the accepted review
    candidate ``item`` (in the caller's transaction); return them as (scenario, organization)."""
    if not table_exists(con, "scenario_members"):
        return []
    _ensure_schema(con)
    rows = con.execute(
        "SELECT scenario, org_name FROM scenario_members WHERE via = ? ORDER BY 1, 2", [item]
    ).fetchall()
    con.execute("DELETE FROM scenario_members WHERE via = ?", [item])
    return [(str(scenario), str(name)) for scenario, name in rows]


def designating(con: duckdb.DuckDBPyConnection, org_id: int) -> list[tuple[str, str]]:
    """The stored scenarios that designate the organization ``org_id``: (scenario, the name
    stored), sorted. Stored names that no longer resolve are skipped."""
    if not table_exists(con, "scenario_members"):
        return []
    members = con.execute(
        "SELECT DISTINCT scenario, org_name FROM scenario_members WHERE role = 'designated' "
        "ORDER BY 1, 2"
    ).fetchall()
    found = []
    for scenario, name in members:
        try:
            if resolve_org(con, str(name)) == org_id:
                found.append((str(scenario), str(name)))
        except UnknownNameError:
            continue
    return found


def load_spec(con: duckdb.DuckDBPyConnection, scenario: str) -> ScenarioSpec:
    """A stored scenario, or a designation list of the seeds named explicitly.

    Raises:
        ExposureError: no stored scenario or seed list has that name.
    """
    stored = table_exists(con, "scenarios")
    if not is_read_only(con):
        _ensure_schema(con)  # creates the tables, or adds the columns of newer releases
        stored = True
    rows = []
    if stored:
        have = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'scenarios'"
            ).fetchall()
        }
        optional = ("scope_clauses", "unknown_scope", "p_reported", "p_inferred", "p_unknown")
        columns = ", ".join(name if name in have else "NULL" for name in optional)
        rows = con.execute(
            f"SELECT effective, transition_days, scope, model, {columns} "
            "FROM scenarios WHERE name = ?",
            [scenario],
        ).fetchall()
    if rows:
        (effective, days, scope, model, clauses, unknown, p_reported, p_inferred, p_unknown) = rows[
            0
        ]
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
            clauses=clauses_from_dicts(json.loads(clauses or "[]")),
            unknown_scope=unknown or "in",
            p_reported=p_reported,
            p_inferred=p_inferred,
            p_unknown=p_unknown,
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
    known = (
        [row[0] for row in con.execute("SELECT name FROM scenarios ORDER BY 1").fetchall()]
        if stored
        else []
    )
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
        clauses=spec.clauses,
        unknown_scope=spec.unknown_scope,
    )
    return scenario, notes


def _clauses_json(clauses: Sequence[ScopeClause]) -> str:
    """Scope clauses as stored with a scenario: the JSON report's ``scope_clauses`` list."""
    return json.dumps([clause.as_dict() for clause in clauses])


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
    None keep the scenario's own; scope ``clauses`` given are added to the scenario's.

    Raises:
        ExposureError: neither a scenario nor a name was given, or no scenario has that name.
    """
    if not scenario and not designated:
        raise ExposureError("name a scenario (--scenario NAME) or the organizations to --designate")
    spec = load_spec(con, scenario) if scenario else ScenarioSpec()
    added = levers.pop("clauses", None)
    if added:
        # Clauses given now narrow the scenario's own further (all must hold).
        clauses = list(spec.clauses)
        clauses += [c for c in added if c not in clauses]  # type: ignore[attr-defined]
        levers["clauses"] = tuple(clauses)
    return with_levers(
        spec,
        designated=spec.designated + tuple(designated),
        noncompliant=spec.noncompliant + tuple(noncompliant),
        **levers,
    )


def with_levers(spec: ScenarioSpec, **changes: object) -> ScenarioSpec:
    """A copy of a spec with levers changed (None values are ignored)."""
    return replace(spec, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def link_probabilities(con: duckdb.DuckDBPyConnection, spec: ScenarioSpec) -> LinkProbabilities:
    """The Monte Carlo's link probabilities for a spec: its own, else the defaults.

    For ``unknown`` links the default is the share of "yes" among the suppliers who answered
    a campaign (:func:`exposure.warehouse.campaigns.answer_counts`), when any have.
    """
    unknown = spec.p_unknown
    if unknown is None:
        yes, answered = answer_counts(con)
        unknown = base_rate(yes, answered)
    return LinkProbabilities(
        reported=DEFAULT_PROBABILITIES["reported"] if spec.p_reported is None else spec.p_reported,
        inferred=DEFAULT_PROBABILITIES["inferred"] if spec.p_inferred is None else spec.p_inferred,
        unknown=unknown,
    )
