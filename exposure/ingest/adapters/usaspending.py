"""USAspending.gov subaward downloads: one edge per prime, subawardee and prime award.

The download ("Contracts_Subawards_*.csv" or "Assistance_Subawards_*.csv" from Award Data
Archive or Custom Award Data) has one row per subaward report, with about a hundred columns
named as in :data:`FIELDS` (the USAspending download dictionary's names). The ones read here:

* the prime awardee (the buyer): ``prime_awardee_uei``, ``prime_awardee_duns``,
  ``prime_awardee_name``, ``prime_awardee_dba_name``, ``prime_awardee_parent_uei``,
  ``prime_awardee_parent_duns``, ``prime_awardee_parent_name``, ``prime_awardee_country_code``;
* the subawardee (the supplier): the same with ``subawardee_``;
* the prime award: ``prime_award_piid`` (a contract), ``prime_award_fain`` (financial
  assistance), ``prime_award_unique_key``, ``prime_award_awarding_agency_code``/``_name``,
  ``prime_award_funding_agency_code``/``_name``;
* the subaward: ``subaward_type`` (``sub-contract`` or ``sub-grant``), ``subaward_amount``,
  ``subaward_number``, ``subaward_action_date``, ``subaward_description``, and the report id
  and date, spelled ``subaward_sam_report_*`` since SAM.gov took over subaward reporting,
  ``subaward_fsrs_report_*`` before (either is accepted).

Rules:

* Every cell is cleaned as a sheet's is (:func:`exposure.core.cells.clean_text_sql`: white space
  trimmed and collapsed, blank as NULL); UEIs are upper-cased.
* Organizations are identified by UEI (12 letters and digits); where the UEI is blank, by the
  DUNS number (9 digits; the only identifier of rows reported before April 2022): a DUNS that
  another row of the file gives with a UEI is that UEI's organization, else all the rows of one
  DUNS are one organization, named as its first row names it (other spellings become aliases);
  by name when both are blank. Every (UEI, name) pair becomes an ``organizations`` row, so one
  UEI written with two names shows up as a UEI conflict in data quality. The prime awardee of a
  contract is declared ``prime``; other kinds are inferred. A parent given by UEI, DUNS or name
  becomes an organization and the ``parent`` of its child (one known only by its UEI is named by
  it, as every organization the download names only by UEI; one known only by a DUNS number
  that no row names is named "DUNS <number>"); a parent that is the organization itself is
  ignored. A ``dba`` name becomes an alias.
* Each (prime, subawardee, prime award) is one relationship (buyer = prime, supplier =
  subawardee): ``subcontract`` for a contract subaward, ``subgrant`` for a sub-grant (a federal
  financial assistance award passed to a subrecipient: ``subaward_type`` ``sub-grant``, or, where
  the type is blank, a download whose prime award is a FAIN and not a PIID). Its
  ``annual_value_usd`` is the sum of its subaward amounts in the file (the period the download
  covers): a negative amount is a downward correction (a de-obligation) and is netted against
  the others; a pair whose amounts net below zero (corrections of subawards reported in another
  period) keeps its edge with no value, and is a data-quality finding (``negative_total``).
  ``contract_id`` is the PIID or FAIN (the unique award key when one names several awards of
  the pair); ``dod_use`` is true when the awarding or funding agency is the Department of
  Defense (code 097). Notes list the reports, subaward numbers, action dates and source rows.
* A report repeated with the same report id (same amount, subaward number and parties) is
  counted once; a subaward whose subawardee is the prime itself is skipped. Both are noted,
  and each such row is kept by the warehouse with its row and reason (data quality lists
  it as ``rejected_row``).
* Refused, naming file, row and column: a missing key column, a UEI that is not 12 letters and
  digits, a DUNS that is not 9 digits, an amount that is not a number, a party with no UEI, DUNS
  or name, a prime award with neither PIID, FAIN nor unique key, a name that looks like a
  formula.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from exposure.core.cells import clean_text_sql, refused_as_name_sql
from exposure.core.errors import LoadError, Problem
from exposure.core.sql import scalar, sql_identifier
from exposure.ingest.adapters.base import SourceAdapter, StagedPart
from exposure.ingest.readers import RawSheet, csv_error
from exposure.ingest.schema import header_key

__all__ = ["FIELDS", "REQUIRED", "SubawardSource", "is_subaward_header"]

logger = logging.getLogger(__name__)

# Our field -> the download's column names for it (the first found is used; later ones are
# older spellings).
FIELDS: dict[str, tuple[str, ...]] = {
    "prime_uei": ("prime_awardee_uei",),
    "prime_duns": ("prime_awardee_duns",),
    "prime_name": ("prime_awardee_name",),
    "prime_dba": ("prime_awardee_dba_name",),
    "prime_parent_uei": ("prime_awardee_parent_uei",),
    "prime_parent_duns": ("prime_awardee_parent_duns",),
    "prime_parent_name": ("prime_awardee_parent_name",),
    "prime_country": ("prime_awardee_country_code",),
    "sub_uei": ("subawardee_uei",),
    "sub_duns": ("subawardee_duns",),
    "sub_name": ("subawardee_name",),
    "sub_dba": ("subawardee_dba_name",),
    "sub_parent_uei": ("subawardee_parent_uei",),
    "sub_parent_duns": ("subawardee_parent_duns",),
    "sub_parent_name": ("subawardee_parent_name",),
    "sub_country": ("subawardee_country_code",),
    "piid": ("prime_award_piid",),
    "fain": ("prime_award_fain",),
    "award_key": ("prime_award_unique_key",),
    "awarding_code": ("prime_award_awarding_agency_code",),
    "awarding_name": ("prime_award_awarding_agency_name",),
    "funding_code": ("prime_award_funding_agency_code",),
    "funding_name": ("prime_award_funding_agency_name",),
    "subaward_type": ("subaward_type",),
    "amount": ("subaward_amount",),
    "number": ("subaward_number",),
    "action_date": ("subaward_action_date",),
    "description": ("subaward_description",),
    "report_id": ("subaward_sam_report_id", "subaward_fsrs_report_id"),
    "report_modified": (
        "subaward_sam_report_last_modified_date",
        "subaward_fsrs_report_last_modified_date",
    ),
}

# Columns without which a row cannot become an edge; plus one of PIID / FAIN / unique key.
REQUIRED = ("prime_uei", "prime_name", "sub_uei", "sub_name", "amount")
_CONTRACT = ("piid", "fain", "award_key")
_NAMES = ("prime_name", "prime_dba", "prime_parent_name", "sub_name", "sub_dba", "sub_parent_name")
_UEIS = ("prime_uei", "prime_parent_uei", "sub_uei", "sub_parent_uei")
_DUNSES = ("prime_duns", "prime_parent_duns", "sub_duns", "sub_parent_duns")
# The parties of a row: (role, its UEI, DUNS and name fields).
_ROLES = ("prime", "sub", "prime_parent", "sub_parent")
_MAX_PROBLEMS = 20

# The amount as written in the download ("125000.00", "-2500.00" for a downward correction),
# or with a $ and thousands separators ("$1,250.50", "-$1,250.50", "($1,250.50)").
_NUMBER = r"\$?([0-9]+(\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?)"
_AMOUNT = rf"(?:-?{_NUMBER}|\$-{_NUMBER[3:]}|\({_NUMBER}\))"
_DOD_CODE = "097"


def _header_cells(raw: RawSheet) -> list[str]:
    table = raw.table
    if table.num_rows == 0:
        return []
    return [
        "" if (value := table.column(i)[0].as_py()) is None else str(value).strip()
        for i in range(table.num_columns)
    ]


def is_subaward_header(raw: RawSheet) -> bool:
    """Whether a sheet's first row is a USAspending subaward download header.

    It is when it names the prime award or awardee and the subawardee (a key column missing
    from such a header is then reported by name).
    """
    keys = {header_key(cell) for cell in _header_cells(raw)}
    has = {name for names in FIELDS.values() for name in names if header_key(name) in keys}
    return bool(
        has
        & {"prime_awardee_uei", "prime_awardee_name", "prime_award_unique_key", "prime_award_fain"}
    ) and bool(has & {"subawardee_uei", "subawardee_name", "subaward_amount"})


@dataclass
class SubawardSource(SourceAdapter):
    """A USAspending subaward download (contracts or assistance), its columns located."""

    raw: RawSheet | None = None
    columns: dict[str, list[int]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_sheet(cls, raw: RawSheet) -> SubawardSource:
        """Locate the columns; refuse a header that lacks a key column.

        Raises:
            LoadError: a key column is missing (all of them are listed).
        """
        cells = _header_cells(raw)
        by_key: dict[str, int] = {}
        for index, cell in enumerate(cells):
            by_key.setdefault(header_key(cell), index)
        columns: dict[str, list[int]] = {}
        headers: dict[str, str] = {}
        for name, spellings in FIELDS.items():
            found = [by_key[header_key(s)] for s in spellings if header_key(s) in by_key]
            if found:
                columns[name] = found
                headers[name] = cells[found[0]]
        where = {"file": raw.file, "sheet": raw.sheet, "row": raw.first_row}
        missing = [FIELDS[name][0] for name in REQUIRED if name not in columns]
        if not any(name in columns for name in _CONTRACT):
            missing.append(" or ".join(FIELDS[name][0] for name in _CONTRACT))
        if missing:
            raise LoadError(
                [
                    Problem(
                        message=f"a USAspending subaward download needs the column '{column}'; "
                        f"expected the download's own header ({', '.join(FIELDS[n][0] for n in REQUIRED)}, "
                        "prime_award_piid, prime_award_fain or prime_award_unique_key, ...)",
                        column=column,
                        **where,  # type: ignore[arg-type]
                    )
                    for column in missing
                ]
            )
        if raw.table.num_rows < 2 and raw.source_sql is None:
            raise LoadError(
                [
                    Problem(
                        raw.file,
                        "the file has a header row but no data rows",
                        sheet=raw.sheet,
                        row=raw.first_row,
                    )
                ]
            )
        return cls(
            file=raw.file,
            kind="usaspending-subawards",
            sheet=raw.sheet,
            raw=raw,
            columns=columns,
            headers=headers,
        )

    # -- reading ---------------------------------------------------------------------------

    def _field_sql(self, name: str) -> str:
        # Every cell cleaned as a sheet's are (white space trimmed and collapsed, blank NULL).
        parts = [clean_text_sql(sql_identifier(f"c{i}")) for i in self.columns.get(name, [])]
        if not parts:
            return "NULL::VARCHAR"
        expr = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        if name in _UEIS:
            expr = f"upper({expr})"
        if name in _DUNSES:
            # A DUNS number saved through a spreadsheet loses its leading zeros.
            expr = (
                f"CASE WHEN regexp_full_match({expr}, '[0-9]{{1,8}}') "
                f"THEN lpad({expr}, 9, '0') ELSE {expr} END"
            )
        return expr

    def _read(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        raw = self.raw
        assert raw is not None
        fields = ", ".join(f"{self._field_sql(name)} AS {name}" for name in FIELDS)
        if raw.source_sql:
            try:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {prefix}_csv AS SELECT {fields} FROM {raw.source_sql}"
                )
            except duckdb.Error as exc:
                raise csv_error(raw.file, exc, raw.csv_path) from exc
            # Rows keep file order; a CSV file's header is its first row (a parquet file's is
            # its column names, before the first: source_skip).
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {prefix}_src AS SELECT "
                f"rowid - (SELECT min(rowid) FROM {prefix}_csv) + {raw.first_row + raw.source_skip}"
                " AS _row, * "
                f"FROM {prefix}_csv"
            )
            con.execute(f"DROP TABLE {prefix}_csv")
        else:
            rows = np.arange(raw.table.num_rows, dtype=np.int64) + raw.first_row
            con.register(f"{prefix}_arrow", raw.table.append_column("_row", pa.array(rows)))
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {prefix}_src AS SELECT _row, {fields} FROM {prefix}_arrow"
            )
            con.unregister(f"{prefix}_arrow")
        present = " OR ".join(f"{name} IS NOT NULL" for name in FIELDS)
        dod = "NULL::BOOLEAN"
        agency = [
            name for name in ("awarding_code", "awarding_name", "funding_code", "funding_name")
        ]
        if any(name in self.columns for name in agency):
            any_given = " OR ".join(f"{name} IS NOT NULL" for name in agency)
            dod = (
                f"CASE WHEN {any_given} THEN coalesce(awarding_code = '{_DOD_CODE}' "
                f"OR funding_code = '{_DOD_CODE}' "
                "OR upper(awarding_name) LIKE 'DEPARTMENT OF DEFENSE%' "
                "OR upper(funding_name) LIKE 'DEPARTMENT OF DEFENSE%', false) END"
            )
        amount = (
            f"CASE WHEN regexp_full_match(amount, '{_AMOUNT}') "
            "THEN TRY_CAST(replace(replace(replace(replace(amount, ',', ''), '$', ''), '(', ''), "
            "')', '') AS DOUBLE) * CASE WHEN starts_with(amount, '(') THEN -1 ELSE 1 END END"
        )
        # A sub-grant by its type; where the type is blank, by the download: a prime award
        # named by a FAIN and never by a PIID is financial assistance.
        assistance = "fain" in self.columns and "piid" not in self.columns
        kind = "lower(regexp_replace(coalesce(subaward_type, ''), '[^A-Za-z]', '', 'g'))"
        grant = (
            f"CASE WHEN {kind} IN ('subgrant', 'grant') THEN true "
            f"WHEN {kind} IN ('subcontract', 'contract') THEN false "
            f"ELSE {str(assistance).lower()} END"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_rows AS "
            f"SELECT *, {amount} AS amount_usd, {dod} AS is_dod, {grant} AS is_grant, "
            "exposure_norm_name(prime_name) AS prime_norm, exposure_norm_name(sub_name) AS sub_norm "
            f"FROM {prefix}_src WHERE _row > {raw.first_row} AND ({present})"
        )
        con.execute(f"DROP TABLE {prefix}_src")

    def _identify(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        """Each party's identity once the cells are valid: ``<role>_uei_x`` (its UEI, or the
        UEI another row gives its DUNS), ``<role>_name_x`` (its name; for a party known by a
        DUNS and no UEI, the DUNS's first name) and ``<role>_ref`` (how the staged rows name
        it: UEI, else that name, else "DUNS <number>"); ``prime_key``/``sub_key`` are the refs.
        """
        union = " UNION ALL ".join(
            f"SELECT {role}_duns AS duns, {role}_uei AS uei, {role}_name AS name, _row "
            f"FROM {prefix}_rows WHERE {role}_duns IS NOT NULL"
            for role in _ROLES
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_duns AS SELECT duns, "
            "arg_min(uei, _row) FILTER (WHERE uei IS NOT NULL) AS uei, "
            "arg_min(name, _row) FILTER (WHERE name IS NOT NULL) AS name "
            f"FROM ({union}) GROUP BY duns"
        )
        joins = " ".join(
            f"LEFT JOIN {prefix}_duns d_{role} ON d_{role}.duns = r.{role}_duns" for role in _ROLES
        )
        columns = []
        for role in _ROLES:
            uei = f"coalesce(r.{role}_uei, d_{role}.uei)"
            name = (
                f"CASE WHEN {uei} IS NULL AND r.{role}_duns IS NOT NULL "
                f"THEN coalesce(d_{role}.name, r.{role}_name) ELSE r.{role}_name END"
            )
            columns += [
                f"{uei} AS {role}_uei_x",
                f"{name} AS {role}_name_x",
                f"coalesce({uei}, {name}, 'DUNS ' || r.{role}_duns) AS {role}_ref",
            ]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_ids AS SELECT r.*, {', '.join(columns)}, "
            "prime_ref AS prime_key, sub_ref AS sub_key "
            f"FROM {prefix}_rows r {joins}"
        )
        con.execute(f"DROP TABLE {prefix}_rows")
        con.execute(f"ALTER TABLE {prefix}_ids RENAME TO {prefix}_rows")

    # -- validation ------------------------------------------------------------------------

    def _rules(self) -> list[tuple[str, str, str]]:
        """(field whose column is named, condition, message)."""
        rules: list[tuple[str, str, str]] = []
        for name in _UEIS:
            if name in self.columns:
                rules.append(
                    (
                        name,
                        f"{name} IS NOT NULL AND NOT regexp_full_match({name}, '[A-Z0-9]{{12}}')",
                        "a UEI is 12 letters and digits (SAM.gov Unique Entity ID)",
                    )
                )
        for name in _DUNSES:
            if name in self.columns:
                rules.append(
                    (
                        name,
                        f"{name} IS NOT NULL AND NOT regexp_full_match({name}, '[0-9]{{9}}')",
                        "a DUNS number is 9 digits",
                    )
                )
        for side, what in (("prime", "prime awardee"), ("sub", "subawardee")):
            rules.append(
                (
                    f"{side}_name",
                    f"{side}_uei IS NULL AND {side}_duns IS NULL AND {side}_name IS NULL",
                    f"the {what} has neither a UEI, a DUNS number nor a name",
                )
            )
            rules.append(
                (
                    f"{side}_name",
                    f"{side}_name IS NOT NULL AND {side}_norm IS NULL",
                    "a name needs at least one letter or digit",
                )
            )
        rules.append(
            (
                "amount",
                "amount IS NOT NULL AND amount_usd IS NULL",
                "expected an amount in US dollars, such as 125000.00 (or -2500.00 for a "
                "downward correction)",
            )
        )
        contract = next(name for name in _CONTRACT if name in self.columns)
        rules.append(
            (
                contract,
                "piid IS NULL AND fain IS NULL AND award_key IS NULL",
                "the prime award has neither a PIID (prime_award_piid), a FAIN "
                "(prime_award_fain) nor a unique key (prime_award_unique_key)",
            )
        )
        for name in (*_NAMES, *_UEIS):
            if name in self.columns:
                rules.append(
                    (
                        name,
                        refused_as_name_sql(name),
                        "looks like a spreadsheet formula; names and identifiers must be plain text",
                    )
                )
        return rules

    def validate(self, con: duckdb.DuckDBPyConnection, prefix: str) -> list[Problem]:
        self._read(con, prefix)
        raw = self.raw
        assert raw is not None
        if not scalar(con, f"SELECT count(*) FROM {prefix}_rows"):
            return [
                Problem(raw.file, "the file has a header row but no data rows", sheet=raw.sheet)
            ]
        rules = self._rules()
        union = " UNION ALL ".join(
            f"SELECT {index} AS rule, _row, CAST({column} AS VARCHAR) AS value "
            f"FROM {prefix}_rows WHERE {condition}"
            for index, (column, condition, _) in enumerate(rules)
        )
        found = con.execute(
            f"SELECT rule, _row, value, count(*) OVER (PARTITION BY rule) FROM ({union}) "
            f"QUALIFY row_number() OVER (PARTITION BY rule ORDER BY _row) <= {_MAX_PROBLEMS} "
            "ORDER BY _row, rule"
        ).fetchall()
        problems = []
        hidden: dict[int, int] = {}
        for rule, row, value, count in found:
            column, _, message = rules[rule]
            hidden[rule] = max(0, count - _MAX_PROBLEMS)
            problems.append(
                Problem(
                    raw.file,
                    message,
                    sheet=raw.sheet,
                    row=row,
                    column=self.headers.get(column, FIELDS[column][0]),
                    value=value,
                )
            )
        if sum(hidden.values()):
            problems.append(
                Problem(raw.file, f"{sum(hidden.values())} more cell problem(s) of the same kinds")
            )
        if not problems:
            self._identify(con, prefix)
            self._keep(con, prefix)
        return problems

    def _keep(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        """The rows that become edges: repeated reports once, self-subawards out; noted.

        ``<prefix>_ranked`` marks each row: ``repeat_of`` (the row of the report's first
        statement, NULL for a first one) and ``is_self``; ``<prefix>_kept`` is its first
        statements; ``<prefix>_grouped`` one row per edge, with its net ``total``.
        """
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_ranked AS SELECT *, "
            "CASE WHEN report_id IS NOT NULL AND row_number() OVER report > 1 "
            "THEN first_value(_row) OVER report END AS repeat_of, "
            "coalesce(prime_key = sub_key OR prime_duns = sub_duns "
            "OR (prime_norm = sub_norm AND (prime_uei_x IS NULL OR sub_uei_x IS NULL)), false)"
            f" AS is_self FROM {prefix}_rows "
            "WINDOW report AS (PARTITION BY report_id, prime_key, sub_key, number, amount_usd, "
            "piid, fain, award_key ORDER BY _row)"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {prefix}_kept AS "
            f"SELECT * FROM {prefix}_ranked WHERE repeat_of IS NULL"
        )
        total = int(scalar(con, f"SELECT count(*) FROM {prefix}_rows"))
        kept = int(scalar(con, f"SELECT count(*) FROM {prefix}_kept"))
        if kept < total:
            self.notes.append(
                f"{self.file}: {total - kept} row(s) repeat a subaward report (same report id, "
                "parties, subaward number and amount) and were counted once"
            )
        selves = con.execute(
            f"SELECT count(*), list(_row ORDER BY _row)[1:5] FROM {prefix}_kept WHERE is_self"
        ).fetchall()[0]
        if selves[0]:
            self.notes.append(
                f"{self.file}: {selves[0]} subaward(s) to the prime awardee itself were skipped "
                f"(rows {', '.join(str(r) for r in selves[1])}{', ...' if selves[0] > 5 else ''})"
            )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {prefix}_grouped AS
            SELECT prime_key, sub_key, is_grant, piid, fain, award_key,
                   arg_min(prime_name_x, _row) FILTER (WHERE prime_name_x IS NOT NULL) AS prime_name,
                   arg_min(sub_name_x, _row) FILTER (WHERE sub_name_x IS NOT NULL) AS sub_name,
                   sum(amount_usd) AS total, count(*) AS reports, count(amount_usd) AS priced,
                   count(*) FILTER (WHERE amount_usd < 0) AS corrections,
                   list(DISTINCT number ORDER BY number) FILTER (WHERE number IS NOT NULL) AS numbers,
                   min(action_date) AS first_date, max(action_date) AS last_date,
                   list(_row ORDER BY _row) AS rows,
                   bool_or(is_dod) AS dod,
                   arg_min(description, _row) FILTER (WHERE description IS NOT NULL) AS description,
                   min(_row) AS _row
            FROM {prefix}_kept WHERE NOT is_self
            GROUP BY prime_key, sub_key, is_grant, piid, fain, award_key"""
        )
        corrections, negative, grants = con.execute(
            f"SELECT coalesce(sum(corrections), 0), count(*) FILTER (WHERE total < 0), "
            f"count(*) FILTER (WHERE is_grant) FROM {prefix}_grouped"
        ).fetchall()[0]
        if corrections:
            self.notes.append(
                f"{self.file}: {corrections} negative subaward amount(s) (downward corrections) "
                "were netted against their subaward's other amounts"
                + (
                    f"; {negative} dependency(ies) net below zero and are kept with no value "
                    "(listed in data quality)"
                    if negative
                    else ""
                )
            )
        if grants:
            self.notes.append(
                f"{self.file}: {grants} sub-grant dependency(ies) (financial assistance passed to "
                "a subrecipient, not a purchase) loaded as 'subgrant' relations"
            )

    def rejected(self, prefix: str) -> str | None:
        subaward = (
            "concat_ws(' ', 'subaward', number, 'of', coalesce(prime_name, prime_uei, prime_ref), "
            "'to', coalesce(sub_name, sub_uei, sub_ref), 'under', coalesce(piid, fain, award_key), "
            "'for $' || amount)"
        )
        return f"""
            SELECT 'repeated_report' AS reason, coalesce(prime_name, prime_ref) AS name,
                   {subaward} || ': repeats report ' || report_id || ' of row ' || repeat_of
                       || ' (same parties, subaward number and amount); counted once' AS detail,
                   _row
            FROM {prefix}_ranked WHERE repeat_of IS NOT NULL
            UNION ALL
            SELECT 'self_subaward', coalesce(prime_name, prime_ref),
                   {subaward} || ': the subawardee is the prime awardee itself; skipped', _row
            FROM {prefix}_kept WHERE is_self
            UNION ALL
            SELECT 'dq:negative_total', coalesce(prime_name, prime_key),
                   'the subawards of ' || coalesce(prime_name, prime_key) || ' to '
                       || coalesce(sub_name, sub_key) || ' under '
                       || coalesce(piid, fain, award_key) || ' net to '
                       || printf('%.2f', total) || ' USD in this file (' || reports
                       || ' report(s), ' || corrections || ' negative): downward corrections of '
                       || 'subawards reported in another period; the dependency is kept with '
                       || 'no annual value (source rows '
                       || array_to_string(rows[1:10], ', ') || ')',
                   _row
            FROM {prefix}_grouped WHERE total < 0
        """

    # -- staging ---------------------------------------------------------------------------

    def parts(self, prefix: str) -> list[StagedPart]:
        kept = f"{prefix}_kept"

        def party(side: str, kind: str) -> str:
            parent = f"{side}_parent"
            return (
                f"SELECT {side}_uei_x AS uei, {side}_name_x AS name, {kind} AS kind, "
                f"{side}_country AS country, "
                f"CASE WHEN ({parent}_uei_x IS NOT NULL OR {parent}_name_x IS NOT NULL "
                f"OR {parent}_duns IS NOT NULL) "
                f"AND {parent}_ref IS DISTINCT FROM {side}_ref "
                f"AND {parent}_duns IS DISTINCT FROM coalesce({side}_duns, '-') "
                f"AND NOT ({parent}_uei_x IS NULL AND {side}_uei_x IS NULL "
                f"AND exposure_norm_name({parent}_name_x) = exposure_norm_name({side}_name_x)) "
                f"AND NOT ({parent}_uei_x IS NULL AND {parent}_duns IS NULL "
                f"AND exposure_norm_name({parent}_name_x) = {side}_norm) "
                f"THEN {parent}_ref END AS parent, "
                f"list_filter([replace({side}_dba, ';', ','), "
                f"CASE WHEN {side}_name IS DISTINCT FROM {side}_name_x "
                f"THEN replace({side}_name, ';', ',') END], lambda a: a IS NOT NULL) AS alias, "
                f"_row FROM {kept}"
            )

        def parent(side: str) -> str:
            role = f"{side}_parent"
            return (
                f"SELECT {role}_uei_x, coalesce({role}_name_x, "
                f"CASE WHEN {role}_uei_x IS NULL THEN {role}_ref END), NULL, NULL, NULL, "
                "[]::VARCHAR[], _row "
                f"FROM {kept} WHERE ({role}_uei_x IS NOT NULL OR {role}_name_x IS NOT NULL "
                f"OR {role}_duns IS NOT NULL) "
                f"AND {role}_ref IS DISTINCT FROM {side}_ref "
                f"AND {role}_duns IS DISTINCT FROM coalesce({side}_duns, '-')"
            )

        prime_kind = "CASE WHEN is_grant THEN NULL ELSE 'prime' END"
        organizations = f"""
            WITH party AS (
                {party("prime", prime_kind)} UNION ALL {party("sub", "NULL")}
                UNION ALL {parent("prime")} UNION ALL {parent("sub")}
            ),
            named AS (
                SELECT * EXCLUDE (alias),
                       unnest(CASE WHEN len(alias) = 0 THEN [NULL] ELSE alias END) AS alias
                FROM party WHERE name IS NOT NULL
            ),
            unnamed AS (
                SELECT uei, min(_row) AS _row FROM party
                WHERE name IS NULL AND uei NOT IN (SELECT uei FROM named WHERE uei IS NOT NULL)
                GROUP BY uei
            )
            SELECT arg_min(name, _row) AS name,
                   arg_min(kind, _row) FILTER (WHERE kind IS NOT NULL) AS kind,
                   uei, NULL AS cage,
                   arg_min(country, _row) FILTER (WHERE country IS NOT NULL) AS country,
                   arg_min(parent, _row) FILTER (WHERE parent IS NOT NULL) AS parent,
                   nullif(string_agg(DISTINCT alias, ';' ORDER BY alias) FILTER (
                       WHERE alias IS NOT NULL AND exposure_norm_name(alias) IS DISTINCT FROM exposure_norm_name(name)
                   ), '') AS aliases,
                   min(_row) AS _row
            FROM named GROUP BY uei, exposure_norm_name(name)
            UNION ALL
            SELECT uei, NULL, uei, NULL, NULL, NULL, NULL, _row FROM unnamed
        """
        relationships = f"""
            SELECT prime_key AS buyer, sub_key AS supplier,
                   CASE WHEN is_grant THEN 'subgrant' ELSE 'subcontract' END AS relation,
                   NULL AS product, NULL AS used_in,
                   CASE WHEN min(award_key) OVER pair IS DISTINCT FROM max(award_key) OVER pair
                        THEN coalesce(award_key, piid, fain)
                        ELSE coalesce(piid, fain, award_key) END AS contract_id,
                   NULL AS program,
                   CASE WHEN total >= 0 THEN total END AS annual_value_usd, dod AS dod_use,
                   concat_ws('; ',
                       'USAspending ' || CASE WHEN is_grant THEN 'sub-grants: ' ELSE 'subawards: ' END
                           || reports || ' report(s)'
                           || CASE WHEN priced < reports THEN ' (' || (reports - priced) || ' without an amount)' ELSE '' END
                           || CASE WHEN corrections > 0 THEN ' (' || corrections || ' downward correction(s) netted)' ELSE '' END,
                       CASE WHEN total < 0 THEN 'amounts net to ' || printf('%.2f', total) || ' USD: no annual value' END,
                       'prime award ' || award_key,
                       'subaward number(s) ' || array_to_string(numbers[1:5], ', ')
                           || CASE WHEN len(numbers) > 5 THEN ' (+' || (len(numbers) - 5) || ' more)' ELSE '' END,
                       'action dates ' || first_date || CASE WHEN last_date <> first_date THEN ' to ' || last_date ELSE '' END,
                       'source rows ' || array_to_string(rows[1:10], ', ')
                           || CASE WHEN len(rows) > 10 THEN ' (+' || (len(rows) - 10) || ' more)' ELSE '' END,
                       left(description, 200)
                   ) AS notes,
                   _row
            FROM {prefix}_grouped
            WINDOW pair AS (PARTITION BY prime_key, sub_key, is_grant, piid, fain)
        """
        return [
            StagedPart("organizations", organizations),
            StagedPart("relationships", relationships),
        ]

    def drop(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        con.execute(f"DROP VIEW IF EXISTS {prefix}_kept")
        for suffix in ("csv", "src", "rows", "ids", "duns", "ranked", "grouped"):
            con.execute(f"DROP TABLE IF EXISTS {prefix}_{suffix}")
