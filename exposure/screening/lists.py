"""Read SAM.gov exclusion extracts and FASCSA order lists into one table of listed parties.

Layouts accepted (headers matched case- and punctuation-insensitively):

* SAM.gov public exclusions extract, V2: ``Classification``, ``Name``, ``Prefix``, ``First``,
  ``Middle``, ``Last``, ``Suffix``, addresses, ``D&B Open Data Flag``, ``Unique Entity
  Identifier (DUNS)``, ``Unique Entity Identifier (SAM)``, ``Exclusion Program``, ``Excluding
  Agency``, ``CT Code``, ``Exclusion Type``, ``Additional Comments``, ``Active Date``,
  ``Termination Date``, ``Record Status``, ``Cross-Reference``, ``SAM Number``, ``CAGE``,
  ``NPI``, ``Creation_Date``;
* V3: one ``Unique Entity ID`` column and ``Open Data Flag``;
* FASCSA orders: the V3 identity columns plus ``Creation Date``, ``Update Date`` and
  ``FASCSA Order Flag``.

Each record becomes one row with its listed name (``Name``; for an individual, ``First Middle
Last Suffix``, the ``Name`` then kept as a related name), its UEI, CAGE and the names of its
``Cross-Reference`` ("(also A, B, C)": a.k.a.s and affiliates; a fragment that is only a legal
form, such as the "LLC" of "JAMAC ELECTRIC, LLC", stays with its name).

SAM.gov publishes its extracts as ZIP files: a ZIP holding one CSV file is read as that file
(:mod:`exposure.ingest.readers.archives`, with the size and expansion limits of loads), its
SHA-256 being the ZIP's, the file given. A SAM.gov Entity Management extract (``BOF PUBLIC ...``)
is a registry of registered entities, not a list of excluded parties: it is refused, saying to
load it instead.

Real extracts are not always valid CSV: some comment fields open with a doubled quote
(``""The contractor ...""``). A record that the standard reader splits into the wrong number of
fields is read again leniently (a quote ends a quoted field only when a delimiter or the end
of the record follows it); if that fails too, the file is refused with the row named.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from exposure.core.errors import LoadError, Problem
from exposure.core.names import LEGAL_SUFFIXES
from exposure.core.text import control_characters, describe_characters, remove_format_characters
from exposure.ingest.readers import ReadLimits, check_regular_file, check_size
from exposure.ingest.readers.archives import is_zip, member_bytes
from exposure.ingest.readers.csv_errors import decode_problem
from exposure.ingest.schema import header_key

__all__ = [
    "ENTITY_CLASSIFICATIONS",
    "ListKind",
    "ListedParties",
    "read_list",
    "record_status",
    "split_cross_reference",
    "split_lenient",
]

logger = logging.getLogger(__name__)

ListKind = Literal["sam-exclusions", "fascsa-orders"]

# Classifications that name an organization: a normalized-name match to them confirms.
ENTITY_CLASSIFICATIONS = frozenset({"firm", "special entity designation", ""})

_FIELDS: dict[str, tuple[str, ...]] = {
    "classification": ("Classification",),
    "name": ("Name",),
    "prefix": ("Prefix",),
    "first": ("First",),
    "middle": ("Middle",),
    "last": ("Last",),
    "suffix": ("Suffix",),
    "city": ("City",),
    "state": ("State / Province",),
    "country": ("Country",),
    "uei": ("Unique Entity Identifier (SAM)", "Unique Entity ID", "UEI"),
    "duns": ("Unique Entity Identifier (DUNS)", "DUNS"),
    "cage": ("CAGE", "CAGE Code"),
    "exclusion_program": ("Exclusion Program",),
    "excluding_agency": ("Excluding Agency",),
    "ct_code": ("CT Code",),
    "exclusion_type": ("Exclusion Type",),
    "additional_comments": ("Additional Comments",),
    "active_date": ("Active Date",),
    "termination_date": ("Termination Date",),
    "record_status": ("Record Status",),
    "cross_reference": ("Cross-Reference",),
    "sam_number": ("SAM Number",),
    "npi": ("NPI",),
    "creation_date": ("Creation_Date", "Creation Date"),
    "update_date": ("Update Date",),
    "fascsa_order": ("FASCSA Order Flag",),
    "open_data": ("D&B Open Data Flag", "Open Data Flag"),
}
_KEYS = {header_key(s): name for name, spellings in _FIELDS.items() for s in spellings}
_SUFFIX_ONLY = re.compile(rf"^({LEGAL_SUFFIXES})$")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SPACES = re.compile(r"\s+")
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%Y%m%d")

# The first line of a SAM.gov Entity Management extract (see exposure.ingest.adapters.sam_entity).
ENTITY_EXTRACT_HEAD = re.compile(rb"BOF\s+(PUBLIC|FOUO|SENSITIVE)\b")
ENTITY_EXTRACT_REFUSED = (
    "this is a SAM.gov Entity Management extract (its first line is 'BOF ...'): a registry of "
    "the entities registered in SAM.gov, not a list of excluded parties, so there is nothing to "
    "screen against in it. Load it with 'exposure load' to give your organizations their UEI, "
    "CAGE code, DBA names and corporate parents; screen against the SAM.gov exclusions extract "
    "(SAM_Exclusions_Public_Extract_*.ZIP) or a FASCSA orders list"
)


@dataclass(frozen=True)
class ListedParties:
    """A screening list read from a file: one row per record (``record`` = its file row)."""

    file: str
    sha256: str
    kind: ListKind
    layout: str
    records: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def split_lenient(line: str, delimiter: str = ",", quote: str = '"') -> list[str]:
    """Split one CSV record whose quoting is not quite valid.

    A quote closes a quoted field only when a delimiter or the end of the record follows it;
    any other run of quotes inside a field is text (a doubled quote read as one).

    >>> split_lenient('"a",""b "c"" d"",e')
    ['a', '"b "c" d"', 'e']
    >>> split_lenient('x,,"y, z"')
    ['x', '', 'y, z']
    """
    fields: list[str] = []
    index, end = 0, len(line)
    while True:
        if index < end and line[index] == quote:
            index += 1
            chunk: list[str] = []
            while index < end:
                char = line[index]
                if char != quote:
                    chunk.append(char)
                    index += 1
                    continue
                run_end = index
                while run_end < end and line[run_end] == quote:
                    run_end += 1
                run = run_end - index
                if run_end >= end or line[run_end] == delimiter:
                    chunk.append(quote * (run // 2))  # the last quote closes the field
                    index = run_end
                    break
                chunk.append(quote * max(1, run // 2))
                index = run_end
            fields.append("".join(chunk))
        else:
            stop = line.find(delimiter, index)
            stop = end if stop < 0 else stop
            fields.append(line[index:stop])
            index = stop
        if index >= end:
            return fields
        index += 1  # the delimiter
        if index == end:
            fields.append("")
            return fields


def split_cross_reference(text: str | None) -> list[str]:
    """The names of a SAM ``Cross-Reference`` cell.

    >>> split_cross_reference("(also JAMAC ELECTRIC, LLC, IDAO ELECTRIC LLC, JAROD MACHINGA)")
    ['JAMAC ELECTRIC, LLC', 'IDAO ELECTRIC LLC', 'JAROD MACHINGA']
    """
    if not text or not text.strip():
        return []
    body = text.strip()
    body = re.sub(r"^\(?\s*(also|a\.?k\.?a\.?)\s+", "", body, flags=re.IGNORECASE)
    body = body[:-1] if body.endswith(")") and body.count("(") < body.count(")") else body
    names: list[str] = []
    for fragment in body.split(","):
        piece = fragment.strip()
        if not piece:
            continue
        basic = re.sub(r"[^0-9a-z]+", " ", piece.lower()).strip()
        if names and _SUFFIX_ONLY.match(basic):
            names[-1] = f"{names[-1]}, {piece}"
        else:
            names.append(piece)
    return names


_DATE_EXPECTED = (
    "a date that does not parse: expected MM/DD/YYYY as SAM.gov writes it (or YYYY-MM-DD), "
    "'Indefinite' or a blank cell; the list is refused rather than read as never ending"
)


def _parse_date(text: str | None) -> date | None:
    """A list's date cell: None for a blank or "Indefinite" cell (no end).

    >>> _parse_date("12/31/2020"), _parse_date("Indefinite"), _parse_date(None)
    (datetime.date(2020, 12, 31), None, None)

    Raises:
        ValueError: any other text that is not a date (``31/12/2020``, ``2020.12.31``).
    """
    if not text or text.strip().lower() == "indefinite":
        return None
    match = _US_DATE.fullmatch(text)
    if match:  # the common case, without strptime's cost
        month, day, year = (int(part) for part in match.groups())
        return date(year, month, day)  # ValueError for 31/12/2020
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def record_status(active: date | None, termination: date | None, as_of: date) -> str:
    """``active``, ``terminated`` (ended before ``as_of``) or ``future`` (not yet in force).

    A blank or "Indefinite" termination never ends; a blank active date is in force.

    >>> record_status(date(2020, 1, 1), None, date(2026, 3, 1))
    'active'
    >>> record_status(date(2020, 1, 1), date(2023, 1, 28), date(2026, 3, 1))
    'terminated'
    """
    if active is not None and active > as_of:
        return "future"
    if termination is not None and termination < as_of:
        return "terminated"
    return "active"


def _records(text: str) -> list[tuple[int, str]]:
    """Physical lines joined into records (a quoted value may span lines), numbered as a
    spreadsheet numbers rows."""
    records: list[tuple[int, str]] = []
    pending: list[str] = []
    for line in text.splitlines():
        pending.append(line)
        if sum(part.count('"') for part in pending) % 2 == 0:
            records.append((len(records) + 1, "\n".join(pending)))
            pending = []
    if pending:
        records.append((len(records) + 1, "\n".join(pending)))
    return records


def read_list(
    path: Path,
    *,
    display_name: str | None = None,
    encoding: str | None = None,
    limits: ReadLimits | None = None,
) -> ListedParties:
    """Read a SAM.gov exclusions extract or a FASCSA orders list.

    The file is read whole, so it is held to the size limit of loads first (``limits``, by
    default :class:`~exposure.ingest.readers.ReadLimits`: ``EXPOSURE_MAX_FILE_MB``, 512 MB).

    Raises:
        LoadError: over the size limit, not such a list (the expected columns are named), not
            readable as text in the encoding, or a record that cannot be split into the
            header's fields.
    """
    name = display_name or path.name
    limits = limits or ReadLimits()
    check_regular_file(path, name)
    check_size(path, name, limits)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    notes: list[str] = []
    if is_zip(path):
        member, data = member_bytes(path, name, limits)
        notes.append(f"{name}: read '{member}', the file the ZIP archive holds")
    if ENTITY_EXTRACT_HEAD.match(data[:64].removeprefix(codecs.BOM_UTF8)):
        raise LoadError([Problem(name, ENTITY_EXTRACT_REFUSED)])
    try:
        text = data.decode(encoding or "utf-8-sig")
    except LookupError as exc:
        raise LoadError([Problem(name, f"unknown text encoding '{encoding}'")]) from exc
    except UnicodeDecodeError as exc:
        # Located by row and column, binary data called so; the hint never repeats the
        # encoding that was just tried.
        raise LoadError([decode_problem(name, data, exc, encoding or "utf-8")]) from exc
    records = _records(text)
    if not records:
        raise LoadError([Problem(name, "the file is empty")])
    header = next(csv.reader([records[0][1]]))
    fields: dict[str, int] = {}
    for index, cell in enumerate(header):
        known = _KEYS.get(header_key(cell))
        if known is not None:
            fields.setdefault(known, index)
    missing = [
        spellings[0]
        for key, spellings in _FIELDS.items()
        if key in ("classification", "name", "exclusion_type", "excluding_agency")
        and key not in fields
    ]
    if "uei" not in fields:
        missing.append("Unique Entity Identifier (SAM) or Unique Entity ID")
    if missing:
        raise LoadError(
            [
                Problem(
                    name,
                    "not a SAM.gov exclusions extract or FASCSA orders list: missing the column "
                    f"'{column}' (expected the SAM.gov extract headers: Classification, Name, "
                    "First, Last, Unique Entity ID, CAGE, Excluding Agency, Exclusion Type, ...)",
                    row=1,
                    column=column,
                )
                for column in missing
            ]
        )
    width = len(header)
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    lenient = 0
    for number, record in records[1:]:
        if not record.strip():
            continue
        parsed = list(csv.reader([record]))
        cells = parsed[0] if len(parsed) == 1 else []
        if len(cells) != width:
            cells = split_lenient(record)
            lenient += 1
        if len(cells) != width:
            problems.append(
                Problem(
                    name,
                    f"this record has {len(cells)} fields but the header has {width}, even read "
                    "leniently; fix its quoting",
                    row=number,
                    value=record[:120],
                )
            )
            continue
        rows.append(_row(number, cells, fields, _Where(name, header, problems, notes)))
    if problems:
        raise LoadError(problems)
    kind: ListKind = "fascsa-orders" if "fascsa_order" in fields else "sam-exclusions"
    layout = (
        "FASCSA"
        if kind == "fascsa-orders"
        else (
            "V2"
            if header_key(header[fields["uei"]]) == header_key("Unique Entity Identifier (SAM)")
            else "V3"
        )
    )
    if lenient:
        notes.append(f"{name}: {lenient} record(s) with invalid CSV quoting were read leniently")
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS))
    logger.info("read %d records from %s (%s %s)", len(frame), name, kind, layout)
    return ListedParties(name, digest, kind, layout, frame, notes)


_ROW_COLUMNS = (
    "record",
    "classification",
    "listed_name",
    "related_names",
    "uei",
    "cage",
    "duns",
    "exclusion_program",
    "exclusion_type",
    "excluding_agency",
    "ct_code",
    "active_date",
    "termination_date",
    "termination_text",
    "record_status",
    "sam_number",
    "npi",
    "country",
    "fascsa_order",
    "cross_reference",
    "additional_comments",
)


@dataclass(frozen=True)
class _Where:
    """What a record's problems and notes need: the file, its header, where to add them."""

    file: str
    header: list[str]
    problems: list[Problem]
    notes: list[str]


def _row(number: int, cells: list[str], fields: dict[str, int], where: _Where) -> dict[str, object]:
    def get(key: str) -> str | None:
        index = fields.get(key)
        if index is None:
            return None
        value = cells[index]
        if not (value.isascii() and value.isprintable()):
            value = _screen(value, number, where.header[index])
        value = value.strip()
        if not value:
            return None
        return (
            _SPACES.sub(" ", value) if ("  " in value or "\n" in value or "\t" in value) else value
        )

    _screen = _Screen(where).cell

    def parsed(key: str) -> date | None:
        text = get(key)
        try:
            return _parse_date(text)
        except ValueError:
            index = fields[key]
            where.problems.append(
                Problem(
                    where.file,
                    _DATE_EXPECTED,
                    row=number,
                    column=where.header[index],
                    value=text,
                )
            )
            return None

    classification = get("classification") or ""
    person = " ".join(p for p in (get("first"), get("middle"), get("last"), get("suffix")) if p)
    related = split_cross_reference(get("cross_reference"))
    listed = get("name")
    if classification.lower() == "individual" and person:
        if listed:
            related = [listed, *related]
        listed = person
    elif not listed:
        listed = person or None
    termination_text = get("termination_date")
    flag = get("fascsa_order")
    return {
        "record": number,
        "classification": classification,
        "listed_name": listed,
        "related_names": related,
        "uei": get("uei"),
        "cage": get("cage"),
        "duns": get("duns"),
        "exclusion_program": get("exclusion_program"),
        "exclusion_type": get("exclusion_type"),
        "excluding_agency": get("excluding_agency"),
        "ct_code": get("ct_code"),
        "active_date": parsed("active_date"),
        "termination_date": parsed("termination_date"),
        "termination_text": termination_text,
        "record_status": get("record_status"),
        "sam_number": get("sam_number"),
        "npi": get("npi"),
        "country": get("country"),
        "fascsa_order": None if flag is None else flag.upper() in ("Y", "YES", "TRUE", "1"),
        "cross_reference": get("cross_reference"),
        "additional_comments": get("additional_comments"),
    }


class _Screen:
    """Control characters refused and format characters removed, per cell of a list."""

    def __init__(self, where: _Where) -> None:
        self._where = where

    def cell(self, value: str, row: int, column: str) -> str:
        """The cell without its format characters; a control character is a problem."""
        controls = control_characters(value)
        if controls:
            self._where.problems.append(
                Problem(
                    self._where.file,
                    f"the cell holds a control character ({describe_characters(controls)}), "
                    "which no name or text needs: the file is binary, mis-encoded or tampered with",
                    row=row,
                    column=column,
                    value=value.encode("unicode_escape").decode("ascii"),
                )
            )
        kept, removed = remove_format_characters(value)
        if removed:
            self._where.notes.append(
                f"{self._where.file}: row {row}, column '{column}': invisible format characters "
                f"({describe_characters(removed)}) removed"
            )
        return kept
