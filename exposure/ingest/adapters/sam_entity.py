"""SAM.gov Entity Management extracts: the entities registered in SAM.gov, as organizations.

GSA publishes the extract monthly (and daily changes) as a ZIP holding one pipe-delimited
``.dat`` file: a first line ``BOF PUBLIC <from date> <extract date> <record count> <sequence>``
(``FOUO`` or ``SENSITIVE`` for the restricted extracts), one line per registration whose last
field is ``!end``, and a last line ``EOF ...`` repeating the first. There is no header row: a
field is known by its position, which the published layouts fix. Recognised by that first line
(in the file, or in the one file of a ZIP), whatever the file is called.

Layouts (positions counted from 1, as GSA's layout documents count them):

* V1, until the UEI replaced the DUNS number (the 2014 public sample has it, 150 fields): 1 DUNS,
  2 DUNS+4, 3 CAGE code, 7-10 registration dates (``YYYYMMDD``), 11 legal business name, 12 DBA
  name, 21 physical address country code;
* V2 (the Unique Entity ID, 2020 on): 1 UEI (SAM), 2 UEI (DUNS), 3 entity EFT indicator, 4 CAGE
  code, 8-11 registration dates, 12 legal business name, 13 DBA name, 22 country code;
* the V1 FOUO extract adds the corporate hierarchy (Dun & Bradstreet): headquarters parent name
  and DUNS (169, 170), domestic parent (178, 179) and global parent (187, 188).

Which layout a file has is read from the records themselves, not assumed: the first field is a
DUNS (9 digits) or a UEI (12 letters and digits), and the date fields of that layout must hold
dates; the number of fields of the file's records is the one most of them have. A file matching
neither layout is refused, saying what was expected.

Each registration becomes one ``organizations`` row: ``name`` = legal business name, ``uei``,
``cage``, ``country``, ``aliases`` = the DBA name (when it differs). The DUNS number is not an
identifier the warehouse keeps; it links registrations into corporate families, which become
``parent`` links (the parent named by its UEI, else its CAGE code, else its name, so that it
resolves to exactly that registration):

* a V1 DUNS+4 registration (a division or remittance location with its own CAGE code) is a
  child of the registration of its DUNS number;
* in an extract with the corporate hierarchy, an entity's parent is its headquarters parent,
  else its domestic parent, else its global parent (one that is the entity itself is ignored);
  a parent with no registration in the file is declared by its name, one known only by a DUNS
  number is not linked (noted).

The public extracts carry no corporate hierarchy (GSA publishes it in the FOUO and sensitive
extracts only); V2 registrations of one entity share its UEI and are one organization.

Findings, kept as data-quality warnings (``--strict`` refuses on any; each with its line):

* ``malformed_record``: a line whose number of fields is not the file's, that does not end
  with ``!end``, that has no legal business name, or whose name holds a control character or
  looks like a spreadsheet formula: skipped;
* ``bad_identifier``: a UEI that is not 12 letters and digits or a CAGE code that is not 5:
  the value is dropped, the registration kept;
* ``extract_count``: the record count of the ``BOF`` line is not the number of records, or the
  ``EOF`` line is missing (a truncated file).

Refused: a file whose first line is ``BOF`` but whose records match no layout, and one with no
registration at all.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa

from exposure.core.cells import clean_text, refused_as_name
from exposure.core.errors import LoadError, Problem
from exposure.core.text import control_characters, describe_characters
from exposure.ingest.adapters.base import SourceAdapter, StagedPart, stage_arrow
from exposure.ingest.readers import ReadLimits
from exposure.ingest.readers.archives import is_zip, open_member

__all__ = [
    "LAYOUTS",
    "EntityLayout",
    "SamEntitySource",
    "is_entity_extract",
    "is_screening_list",
    "read_entity_extract",
]

logger = logging.getLogger(__name__)

HEAD = re.compile(
    r"(BOF|EOF)\s+(PUBLIC|FOUO|SENSITIVE)\s+(\d{8})\s+(\d{8})\s+(\d+)\s+(\d+)\s*", re.ASCII
)
_HEAD_START = re.compile(rb"\s*BOF\s+(PUBLIC|FOUO|SENSITIVE)\b")
_END = "!end"
_DUNS = re.compile(r"[0-9]{9}")
_UEI = re.compile(r"[A-Z0-9]{12}")
_CAGE = re.compile(r"[A-Z0-9]{5}")
_COUNTRY = re.compile(r"[A-Z]{3}")
_DATE = re.compile(r"(19|20)[0-9]{2}[01][0-9][0-3][0-9]")
_SAMPLE = 500  # records read to decide the layout
_MAX_LINES = 20  # physical lines one record may span (a line break inside a field)
_MAX_FINDINGS = 10_000  # findings listed one by one; beyond, counted in a note


@dataclass(frozen=True)
class EntityLayout:
    """Where a layout keeps what is read (0-based field positions)."""

    name: str
    duns: int
    cage: int
    dates: tuple[int, ...]
    legal_name: int
    dba: int
    country: int
    uei: int | None = None
    duns4: int | None = None
    # (name, DUNS) of the headquarters, domestic and global parents, when the layout has them.
    parents: tuple[tuple[int, int], ...] = ()

    @property
    def width(self) -> int:
        """The fewest fields a record of this layout has."""
        used = [self.duns, self.cage, *self.dates, self.legal_name, self.dba, self.country]
        used += [p for pair in self.parents for p in pair]
        return max(used) + 2  # and '!end'


V1 = EntityLayout(
    "V1 (DUNS)", duns=0, duns4=1, cage=2, dates=(6, 7, 8, 9), legal_name=10, dba=11, country=20
)
V1_HIERARCHY = EntityLayout(
    "V1 (DUNS) with corporate hierarchy",
    duns=0,
    duns4=1,
    cage=2,
    dates=(6, 7, 8, 9),
    legal_name=10,
    dba=11,
    country=20,
    parents=((168, 169), (177, 178), (186, 187)),
)
V2 = EntityLayout(
    "V2 (UEI)", uei=0, duns=1, cage=3, dates=(7, 8, 9, 10), legal_name=11, dba=12, country=21
)
LAYOUTS = (V1, V1_HIERARCHY, V2)

_ORG_SCHEMA = pa.schema(
    [
        ("name", pa.string()),
        ("kind", pa.string()),
        ("uei", pa.string()),
        ("cage", pa.string()),
        ("country", pa.string()),
        ("parent", pa.string()),
        ("aliases", pa.string()),
        ("_row", pa.int64()),
    ]
)
_FINDING_SCHEMA = pa.schema(
    [("reason", pa.string()), ("name", pa.string()), ("detail", pa.string()), ("_row", pa.int64())]
)


# -- reading the file -----------------------------------------------------------------------


@contextlib.contextmanager
def _open_text(path: Path, name: str, limits: ReadLimits) -> Iterator[IO[bytes]]:
    """The extract's bytes: the file itself, or the one file of a ZIP archive."""
    if is_zip(path):
        with open_member(path, name, limits) as (_member, stream):
            yield stream
    else:
        with path.open("rb") as stream:
            yield stream


def is_entity_extract(path: Path, name: str, limits: ReadLimits | None = None) -> bool:
    """Whether a file (or the one file of a ZIP) starts with an extract's ``BOF`` line.

    An archive that cannot be read as one data file is not judged here: the reader refuses it.
    """
    try:
        with _open_text(path, name, limits or ReadLimits()) as stream:
            head = stream.read(64)
    except LoadError:
        return False
    except OSError:
        return False
    return bool(_HEAD_START.match(head.removeprefix(b"\xef\xbb\xbf")))


_LIST_COLUMNS = {"classification", "exclusiontype", "excludingagency"}


def is_screening_list(path: Path, name: str, limits: ReadLimits | None = None) -> bool:
    """Whether a file (or the one file of a ZIP) is a SAM.gov exclusions extract or FASCSA
    orders list: its first line names Classification, Exclusion Type and Excluding Agency."""
    try:
        with _open_text(path, name, limits or ReadLimits()) as stream:
            head = stream.read(4096)
    except (LoadError, OSError):
        return False
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    keys = {re.sub(r"[^0-9a-z]+", "", cell.lower()) for cell in first.split(",")}
    return keys >= _LIST_COLUMNS


class _Lines:
    """Decoded lines of the extract with their line numbers; how many were not UTF-8."""

    def __init__(self, stream: IO[bytes], encoding: str | None) -> None:
        self._stream = stream
        self._encoding = encoding
        self.not_utf8 = 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(self._stream, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if self._encoding is not None:
                text = raw.decode(self._encoding, errors="replace")
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    # GSA's files are ASCII; a stray Windows-1252 byte is read as such.
                    text = raw.decode("cp1252", errors="replace")
                    self.not_utf8 += 1
            yield number, text.rstrip("\r\n")


def _records(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str | None, str]]:
    """(first line number, record text or None for a head/tail line, the line) of the file.

    A record ends with ``!end``; lines that do not are joined to the next (a line break inside
    a field), up to a limit.
    """
    pending: list[str] = []
    start = 0
    for number, line in lines:
        if line[:8].lstrip().startswith(("BOF", "EOF")) and HEAD.fullmatch(line.strip()):
            if pending:
                yield start, " ".join(pending), pending[0]
                pending = []
            yield number, None, line
            continue
        if not pending:
            start = number
            if not line.strip():
                continue
        pending.append(line)
        if line.rstrip().endswith(_END) or len(pending) >= _MAX_LINES:
            yield start, " ".join(pending), pending[0]
            pending = []
    if pending:
        yield start, " ".join(pending), pending[0]


def _choose_layout(kind: str, sample: list[list[str]], name: str) -> EntityLayout:
    """The layout the sampled records have (see the module), or a refusal saying what was expected."""
    if not sample:
        raise LoadError(
            [Problem(name, "the SAM.gov entity extract holds no registration (no '!end' record)")]
        )
    width = collections.Counter(len(fields) for fields in sample).most_common(1)[0][0]

    def share(layout: EntityLayout) -> float:
        fitting = 0
        for fields in sample:
            if len(fields) < layout.width:
                continue
            first = fields[layout.uei if layout.uei is not None else layout.duns].strip()
            identifier = _UEI if layout.uei is not None else _DUNS
            dated = all(
                not fields[i].strip() or _DATE.fullmatch(fields[i].strip()) for i in layout.dates
            )
            if identifier.fullmatch(first) and dated and any(fields[i] for i in layout.dates):
                fitting += 1
        return fitting / len(sample)

    candidates = [layout for layout in (V1, V2) if share(layout) >= 0.8]
    if not candidates:
        raise LoadError(
            [
                Problem(
                    name,
                    "a SAM.gov entity extract ('BOF' line) whose records match no known layout: "
                    "expected the DUNS number (9 digits, layout V1) or the Unique Entity ID (12 "
                    "letters and digits, V2) in the first field and registration dates (YYYYMMDD) "
                    "in fields 7-10 (V1) or 8-11 (V2)",
                    row=2,
                )
            ]
        )
    layout = candidates[0]
    if layout is V1 and kind != "PUBLIC" and width >= V1_HIERARCHY.width:
        hierarchy_ok = sum(
            all(
                not fields[duns].strip() or _DUNS.fullmatch(fields[duns].strip())
                for _, duns in V1_HIERARCHY.parents
            )
            for fields in sample
            if len(fields) >= V1_HIERARCHY.width
        )
        if hierarchy_ok >= 0.95 * len(sample):
            layout = V1_HIERARCHY
    return layout


@dataclass
class _Registration:
    row: int
    name: str
    uei: str | None
    cage: str | None
    duns: str | None
    duns4: str | None
    country: str | None
    dba: str | None
    parents: list[tuple[str | None, str | None]]  # (name, DUNS) in order of preference


def _field(fields: list[str], index: int | None) -> str | None:
    if index is None or index >= len(fields):
        return None
    value = fields[index].strip()
    if not value:
        return None
    if value.isascii() and value.isprintable() and "  " not in value:
        return value  # the common case, without the regular expression
    return clean_text(value)


def _identifier(
    parsed: _Parsed,
    fields: list[str],
    index: int | None,
    pattern: re.Pattern[str],
    label: str,
    legal: str,
    row: int,
) -> str | None:
    """A UEI or CAGE code, upper-cased; one that is not well formed is a finding, and dropped."""
    value = _field(fields, index)
    if value is None:
        return None
    if pattern.fullmatch(value.upper()):
        return value.upper()
    size = 12 if pattern is _UEI else 5
    parsed.find(
        "bad_identifier",
        legal,
        f"SAM.gov entity extract: the {label} {value!r} is not {size} letters and digits; the "
        "registration is kept without it",
        row,
    )
    return None


@dataclass
class _Parsed:
    layout: EntityLayout
    kind: str
    registrations: list[_Registration] = field(default_factory=list)
    findings: list[tuple[str, str | None, str, int]] = field(default_factory=list)
    hidden: collections.Counter[str] = field(default_factory=collections.Counter)
    announced: int | None = None
    records: int = 0
    tail: bool = False
    not_utf8: int = 0

    def find(self, reason: str, name: str | None, detail: str, row: int) -> None:
        if len(self.findings) < _MAX_FINDINGS:
            self.findings.append((f"dq:{reason}", name, detail, row))
        else:
            self.hidden[reason] += 1


def _parse(stream: IO[bytes], name: str, encoding: str | None) -> _Parsed:
    lines = _Lines(stream, encoding)
    records = _records(iter(lines))
    head_kind = "PUBLIC"
    announced: int | None = None
    buffered: list[tuple[int, str, str]] = []
    tail = False
    for number, record, line in records:
        if record is None:
            match = HEAD.fullmatch(line.strip())
            assert match is not None
            if match.group(1) == "BOF" and number == 1:
                head_kind, announced = match.group(2), int(match.group(5))
            elif match.group(1) == "EOF":
                tail = True
            continue
        buffered.append((number, record, line))
        if len(buffered) >= _SAMPLE:
            break
    layout = _choose_layout(head_kind, [r.split("|") for _, r, _ in buffered], name)
    parsed = _Parsed(layout, head_kind, announced=announced)
    width = collections.Counter(len(r.split("|")) for _, r, _ in buffered).most_common(1)[0][0]

    split_at = layout.width

    def take(number: int, record: str) -> None:
        parsed.records += 1
        count = record.count("|") + 1
        # Only the fields read are split apart (the rest stays one string).
        fields = record.split("|", split_at)
        legal = _field(fields, layout.legal_name)
        ending = record.rstrip().endswith(_END)
        if count != width or not ending:
            ends = "ends with '!end'" if ending else "does not end with '!end'"
            parsed.find(
                "malformed_record",
                legal,
                f"SAM.gov entity extract: this record has {count} fields and {ends}, where "
                f"the file's records have {width} ending with '!end' ({layout.name} layout); "
                "skipped",
                number,
            )
            return
        if legal is None:
            parsed.find(
                "malformed_record",
                None,
                "SAM.gov entity extract: the registration has no legal business name (field "
                f"{layout.legal_name + 1}); skipped",
                number,
            )
            return
        names = [legal, _field(fields, layout.dba)]
        controls = [
            c
            for text in names
            if text and not (text.isascii() and text.isprintable())
            for c in control_characters(text)
        ]
        if controls or refused_as_name(legal):
            why = (
                f"holds a control character ({describe_characters(controls)})"
                if controls
                else "looks like a spreadsheet formula"
            )
            parsed.find(
                "malformed_record",
                legal.encode("unicode_escape").decode("ascii")[:120],
                f"SAM.gov entity extract: the legal business or DBA name {why}; skipped",
                number,
            )
            return
        uei = _identifier(parsed, fields, layout.uei, _UEI, "UEI", legal, number)
        cage = _identifier(parsed, fields, layout.cage, _CAGE, "CAGE code", legal, number)
        duns = _field(fields, layout.duns)
        duns4 = _field(fields, layout.duns4)
        country = (_field(fields, layout.country) or "").upper()
        parsed.registrations.append(
            _Registration(
                row=number,
                name=legal,
                uei=uei,
                cage=cage,
                duns=duns if duns and _DUNS.fullmatch(duns) else None,
                duns4=None if duns4 in (None, "0000") else duns4,
                country=country if _COUNTRY.fullmatch(country) else None,
                dba=names[1],
                parents=[(_field(fields, n), _field(fields, d)) for n, d in layout.parents],
            )
        )

    for number, record, _ in buffered:
        take(number, record)
    for number, maybe, line in records:
        if maybe is None:
            match = HEAD.fullmatch(line.strip())
            if match is not None and match.group(1) == "EOF":
                tail = True
            continue
        take(number, maybe)
    parsed.tail = tail
    parsed.not_utf8 = lines.not_utf8
    return parsed


# -- organizations and families ---------------------------------------------------------------


def _families(parsed: _Parsed) -> tuple[list[str | None], dict[str, int], int]:
    """Each registration's parent reference; parents declared by name only (name -> first
    row); how many parents known only by a DUNS number were left unlinked."""
    base: dict[str, _Registration] = {}
    for registration in parsed.registrations:
        if registration.duns and registration.duns4 is None:
            base.setdefault(registration.duns, registration)

    def reference(registration: _Registration) -> str:
        return registration.uei or registration.cage or registration.name

    parents: list[str | None] = []
    declared: dict[str, int] = {}
    unlinked = 0
    for registration in parsed.registrations:
        parent: str | None = None
        if registration.duns4 is not None and registration.duns in base:
            parent = reference(base[registration.duns])
        for parent_name, parent_duns in registration.parents:
            if parent is not None:
                break
            if parent_duns is not None and parent_duns == registration.duns:
                continue  # the entity is its own headquarters
            if parent_duns is not None and parent_duns in base:
                if base[parent_duns] is not registration:
                    parent = reference(base[parent_duns])
            elif parent_name is not None:
                parent = parent_name
                declared.setdefault(parent_name, registration.row)
            elif parent_duns is not None:
                unlinked += 1
                break
        parents.append(parent)
    return parents, declared, unlinked


@dataclass
class SamEntitySource(SourceAdapter):
    """A SAM.gov entity extract, read: its registrations as organizations, and its findings."""

    table: pa.Table = field(default_factory=lambda: _ORG_SCHEMA.empty_table())
    findings: pa.Table = field(default_factory=lambda: _FINDING_SCHEMA.empty_table())

    def validate(self, con: duckdb.DuckDBPyConnection, prefix: str) -> list[Problem]:
        stage_arrow(con, prefix, {"sam": self.table, "sam_findings": self.findings})
        return []

    def parts(self, prefix: str) -> list[StagedPart]:
        return [
            StagedPart(
                "organizations",
                f"SELECT name, kind, uei, cage, country, parent, aliases, _row FROM {prefix}_sam",
            )
        ]

    def rejected(self, prefix: str) -> str | None:
        if self.findings.num_rows == 0:
            return None
        return f"SELECT reason, name, detail, _row FROM {prefix}_sam_findings"

    def drop(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        for suffix in ("sam", "sam_findings"):
            con.execute(f"DROP TABLE IF EXISTS {prefix}_{suffix}")


def read_entity_extract(
    path: Path, name: str, *, encoding: str | None = None, limits: ReadLimits | None = None
) -> SamEntitySource:
    """Read a SAM.gov entity extract (the file, or the one file of a ZIP; see the module).

    Raises:
        LoadError: the archive cannot be read as one file within the limits, the records
            match no layout, or the file holds no registration.
    """
    limits = limits or ReadLimits()
    with _open_text(path, name, limits) as stream:
        parsed = _parse(stream, name, encoding)
    if not parsed.registrations:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the SAM.gov entity extract holds no readable registration ({parsed.records} "
                    "record(s), every one malformed)",
                )
            ]
        )
    parents, declared, unlinked = _families(parsed)
    notes: list[str] = []
    registered = parsed.registrations
    columns: dict[str, list[object]] = {
        "name": [r.name for r in registered],
        "kind": [None] * len(registered),
        "uei": [r.uei for r in registered],
        "cage": [r.cage for r in registered],
        "country": [r.country for r in registered],
        "parent": list(parents),
        "aliases": [
            r.dba.replace(";", ",") if r.dba and _plain(r.dba) != _plain(r.name) else None
            for r in registered
        ],
        "_row": [r.row for r in registered],
    }
    # Parents with no registration of their own, declared so that they are not "unmatched".
    known = {_plain(r.name) for r in registered} if declared else set()
    for parent_name, row in declared.items():
        if _plain(parent_name) not in known:
            for column in columns:
                columns[column].append(None)
            columns["name"][-1] = parent_name
            columns["_row"][-1] = row
            known.add(_plain(parent_name))
    table = pa.table(columns, schema=_ORG_SCHEMA)
    if parsed.announced is not None and parsed.announced != parsed.records:
        parsed.find(
            "extract_count",
            None,
            f"SAM.gov entity extract: the BOF line announces {parsed.announced} record(s), the "
            f"file holds {parsed.records}; a truncated or edited file?",
            1,
        )
    elif not parsed.tail:
        parsed.find(
            "extract_count",
            None,
            "SAM.gov entity extract: there is no EOF line at the end; a truncated file?",
            1,
        )
    findings = pa.table(
        {
            "reason": [f[0] for f in parsed.findings],
            "name": [f[1] for f in parsed.findings],
            "detail": [f[2] for f in parsed.findings],
            "_row": [f[3] for f in parsed.findings],
        },
        schema=_FINDING_SCHEMA,
    )
    linked = sum(parent is not None for parent in parents)
    notes.append(
        f"{name}: SAM.gov entity extract ({parsed.kind}, {parsed.layout.name} layout): "
        f"{len(registered)} registration(s) of {parsed.records} record(s), {linked} linked to "
        "a parent" + ("" if parsed.layout.parents else " (this layout has no corporate hierarchy)")
    )
    if unlinked:
        notes.append(
            f"{name}: {unlinked} parent(s) known only by a DUNS number that no registration of "
            "the file has were not linked"
        )
    if parsed.not_utf8:
        notes.append(
            f"{name}: {parsed.not_utf8} line(s) were not UTF-8 and were read as Windows-1252"
        )
    for reason, count in parsed.hidden.items():
        notes.append(f"{name}: {count} more '{reason}' finding(s) not listed one by one")
    logger.info(
        "%s: %d registrations (%s), %d findings",
        name,
        len(registered),
        parsed.layout.name,
        findings.num_rows,
    )
    return SamEntitySource(
        file=name, kind="sam-entity", notes=notes, table=table, findings=findings
    )


def _plain(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()
