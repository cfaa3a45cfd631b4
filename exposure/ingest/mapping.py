"""Map raw sheets to the canonical columns: kind, header row, header synonyms, ``--map``.

Header matching is in Python (a sheet has a handful of headers); the cells themselves are
checked in SQL by :mod:`exposure.ingest.validate`. Every problem names the file, sheet, row and column.

A header that means no column of the sheet (an ERP export's address, phone or payment terms)
is not loaded: the sheet lists it (:attr:`MappedSheet.unknown`) and the load keeps one
data-quality warning per sheet naming them all; ``--strict`` refuses such a sheet instead, and
``--map "Header=ignore"`` silences one. Each is offered a column only when its cells fit that
column (:func:`suggest_column`): a hint that maps UEIs into ``used_in`` or row numbers into
``supplier`` is worse than none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers import RawSheet, column_letter
from exposure.ingest.schema import (
    COLUMNS,
    SHEET_KINDS,
    SYNONYMS,
    VENDOR_IDENTITY_COLUMNS,
    VOCABULARIES,
    Column,
    LoadKind,
    SheetKind,
    header_key,
    match_header,
)

__all__ = [
    "ColumnHint",
    "LoadOptions",
    "MappedSheet",
    "UnknownColumn",
    "column_values",
    "map_sheet",
    "parse_mapping",
    "suggest_column",
    "unknown_column_problems",
]

logger = logging.getLogger(__name__)

_SHEET_NAMES: dict[str, SheetKind] = {
    **dict.fromkeys(
        ("organizations", "organisations", "orgs", "organization", "entities", "companies"),
        "organizations",
    ),
    **dict.fromkeys(
        ("relationships", "relationship", "relations", "dependencies", "edges", "links"),
        "relationships",
    ),
    **dict.fromkeys(
        ("vendors", "vendorlist", "vendormaster", "suppliers", "supplierlist"), "vendors"
    ),
}


@dataclass(frozen=True)
class LoadOptions:
    """How to read the files of one ``load`` call.

    ``kind`` forces what the files hold: a sheet kind, or a public data format read by
    :mod:`exposure.ingest.adapters`. ``mapping`` maps header keys (see :func:`exposure.ingest.schema.header_key`) to a canonical column,
    or to ``""`` to ignore that column. ``replace`` makes a file supersede every earlier load of
    a file of the same name (or the same content): a corrected version, or the same file read
    with other options. ``strict`` (``--strict``) refuses a file on any finding a load would
    otherwise keep as a data-quality warning (a stored rejected-row finding whose reason starts
    with ``dq:``, see :data:`exposure.warehouse.database.FINDING_PREFIX`).
    """

    buyer: str | None = None
    kind: LoadKind | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None
    replace: bool = False
    strict: bool = False


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Parse ``--map "Their Header=canonical"`` options.

    ``"Their Header="`` or ``"Their Header=ignore"`` drops that column.

    >>> parse_mapping(["Supplier Legal Name=supplier", "Internal Ref=ignore"])
    {'supplierlegalname': 'supplier', 'internalref': ''}
    """
    known = {column.name for columns in COLUMNS.values() for column in columns}
    mapping = {}
    for pair in pairs:
        header, sep, canonical = pair.rpartition("=")
        canonical = canonical.strip()
        if not sep or not header.strip():
            raise LoadError([Problem("--map", f"expected 'Their Header=column', got {pair!r}")])
        if canonical.lower() in ("", "ignore", "-"):
            canonical = ""
        elif canonical not in known:
            raise LoadError(
                [
                    Problem(
                        "--map",
                        f"'{canonical}' is not a column; expected one of: {', '.join(sorted(known))}",
                    )
                ]
            )
        mapping[header_key(header)] = canonical
    return mapping


@dataclass(frozen=True)
class ColumnHint:
    """What a header that means no column of its sheet might be.

    ``column`` is the canonical column offered (None: none fits both the header and the
    cells); ``text`` says so in a sentence for messages ('' when there is nothing to say).
    """

    column: str | None
    text: str = ""


@dataclass(frozen=True)
class UnknownColumn:
    """A header of a sheet that a load leaves out: its text, its column (a letter in a
    workbook, ``#n`` in a CSV file) and the hint offered for it."""

    header: str
    column: str
    hint: ColumnHint = ColumnHint(None)


@dataclass(frozen=True)
class MappedSheet:
    """A raw sheet with its kind, header row and canonical columns decided.

    ``unknown`` lists the headers that mean no column of the sheet: their cells are not loaded.
    """

    raw: RawSheet
    kind: SheetKind
    header_index: int
    columns: dict[str, int]
    headers: dict[int, str]
    buyer: str | None = None
    unknown: tuple[UnknownColumn, ...] = ()

    @property
    def data_rows(self) -> int:
        return self.raw.table.num_rows - self.header_index - 1


def _cell_text(table: pa.Table, row: int, column: int) -> str:
    value = table.column(column)[row].as_py()
    return "" if value is None else str(value).strip()


def _header_score(cells: list[str], mapping: Mapping[str, str]) -> int:
    every_column = COLUMNS["relationships"] + COLUMNS["organizations"]
    return sum(
        1
        for cell in cells
        if cell and (header_key(cell) in mapping or match_header(cell, every_column) is not None)
    )


def _detect_header_row(table: pa.Table, mapping: Mapping[str, str]) -> int:
    """The row, among the first ten, that looks most like a header (title rows above it)."""
    best, best_score = 0, 0
    for row in range(min(10, table.num_rows)):
        cells = [_cell_text(table, row, column) for column in range(table.num_columns)]
        score = _header_score(cells, mapping)
        if score > best_score:
            best, best_score = row, score
    return best


def _kind_from_name(name: str | None) -> SheetKind | None:
    if not name:
        return None
    return _SHEET_NAMES.get(header_key(name))


def map_sheet(
    raw: RawSheet, options: LoadOptions, *, file_stem: str | None = None
) -> MappedSheet | None:
    """Decide a sheet's kind, header row and columns.

    Returns None for a sheet of a workbook that is empty or clearly not data (no recognised
    header and no recognised sheet name); the caller reports it as skipped.

    Raises:
        LoadError: unknown or duplicated headers, missing required columns, a vendor list with
            no ``--buyer``, or a sheet with headers but no data rows.
    """
    table = raw.table
    where = {"file": raw.file, "sheet": raw.sheet}
    if table.num_rows == 0:
        if raw.sheet is None:
            raise LoadError([Problem(message="the file holds no rows", **where)])  # type: ignore[arg-type]
        return None
    header_index = _detect_header_row(table, options.mapping)
    header_cells = {
        column: _cell_text(table, header_index, column) for column in range(table.num_columns)
    }
    row_number = raw.first_row + header_index

    named: SheetKind | None = _kind_from_name(raw.sheet or file_stem)
    forced: SheetKind | None = next((k for k in SHEET_KINDS if k == options.kind), None)
    kind: SheetKind | None = forced or named
    relationship_matches = {
        match_header(cell, COLUMNS["relationships"]) for cell in header_cells.values() if cell
    }
    organization_matches = {
        match_header(cell, COLUMNS["organizations"]) for cell in header_cells.values() if cell
    }
    mapped_targets = {
        options.mapping.get(header_key(cell)) for cell in header_cells.values() if cell
    }
    if kind is None:
        targets = relationship_matches | mapped_targets
        relationship_only = targets - {None, "notes"} - {c.name for c in COLUMNS["organizations"]}
        if "buyer" in targets:
            kind = "relationships"
        elif "supplier" in targets:
            kind = "vendors"
        elif "name" in (organization_matches | mapped_targets):
            kind = "organizations"
        elif len(relationship_only) >= 2:
            # Dependency columns without the names: report the missing buyer and supplier.
            kind = "relationships"
    score = _header_score(list(header_cells.values()), options.mapping)
    if (
        kind in ("vendors", "relationships")
        and not forced
        and not {"buyer", "supplier"} & (relationship_matches | mapped_targets)
        and "name" in (organization_matches | mapped_targets)
    ):
        kind = "organizations"  # a "Suppliers" sheet that lists organizations, not dependencies
    if kind is not None and named is None and not forced and raw.sheet and score < 2:
        return None  # a cover page or a lookup list, not a table of ours
    if kind is None:
        if raw.sheet is not None and score < 2:
            return None
        expected = "; ".join(
            f"{sheet}: {', '.join(c.name for c in COLUMNS[sheet])}"
            for sheet in ("organizations", "relationships")
        )
        raise LoadError(
            [
                Problem(
                    message="cannot tell what this sheet holds: its headers match neither sheet. "
                    f"Expected columns ({expected}); name the sheet 'organizations' or "
                    "'relationships', pass --kind, or map headers with --map 'Their Header=column'",
                    row=row_number,
                    **where,  # type: ignore[arg-type]
                )
            ]
        )
    if kind == "relationships" and "buyer" not in (relationship_matches | mapped_targets):
        kind = "vendors"

    allowed = COLUMNS[kind]
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    headers: dict[int, str] = {}
    unknown_cells: list[tuple[int, str]] = []
    for index, cell in header_cells.items():
        cell_ref = column_letter(raw.first_column + index) if raw.sheet is not None else None
        if not cell:
            values = table.column(index).slice(header_index + 1, 1000).to_pylist()
            first_value = next(
                (k for k, v in enumerate(values) if v is not None and str(v).strip()), None
            )
            if first_value is not None:
                # Blame the first row holding a value there, not the header: in a CSV file it
                # is usually a row with one field too many (a value holding the delimiter).
                data_row = row_number + 1 + first_value
                problems.append(
                    Problem(
                        message=(
                            "this row has a value in a column that has no header; add a header "
                            "or delete the column"
                            if raw.sheet is not None
                            else "this row has more fields than the header row (the column has "
                            "no header): a value holding the delimiter (such as 1,000) must be "
                            "quoted"
                        ),
                        row=data_row,
                        column=f"#{index + 1}",
                        cell=f"{cell_ref}{data_row}" if cell_ref else None,
                        value=str(values[first_value])[:120],
                        **where,  # type: ignore[arg-type]
                    )
                )
            continue
        key = header_key(cell)
        canonical = options.mapping[key] if key in options.mapping else match_header(cell, allowed)
        if canonical == "":
            continue
        if canonical is not None and canonical not in {c.name for c in allowed}:
            problems.append(
                Problem(
                    raw.file,
                    f"--map gives '{cell}' the column '{canonical}', which a {kind} sheet does "
                    f"not have; expected one of: {', '.join(c.name for c in allowed)}",
                    sheet=raw.sheet,
                    row=row_number,
                    column=cell,
                    cell=f"{cell_ref}{row_number}" if cell_ref else None,
                )
            )
            continue
        if canonical is None:
            unknown_cells.append((index, cell))
            continue
        if canonical in columns:
            first = headers[columns[canonical]]
            problems.append(
                Problem(
                    message=f"'{first}' and '{cell}' both mean '{canonical}'; keep one, or drop one "
                    f"with --map '{cell}=ignore'",
                    row=row_number,
                    column=cell,
                    **where,  # type: ignore[arg-type]
                )
            )
            continue
        columns[canonical] = index
        headers[index] = cell

    buyer = options.buyer
    if kind == "vendors" and not buyer:
        problems.append(
            Problem(
                message="this sheet has a supplier column but no buyer column: it looks like one "
                "company's vendor list. Load it with --buyer \"Company Name\" (or add a 'buyer' column)",
                row=row_number,
                **where,  # type: ignore[arg-type]
            )
        )
    for column in allowed:
        if column.required and column.name not in columns:
            if kind == "vendors" and column.name == "buyer":
                continue
            problems.append(
                Problem(
                    message=f"missing the required column '{column.name}'; the headers found are: "
                    f"{', '.join(repr(h) for h in headers.values()) or 'none'}",
                    row=row_number,
                    column=column.name,
                    **where,  # type: ignore[arg-type]
                )
            )
    unknown = tuple(
        UnknownColumn(
            cell,
            column_letter(raw.first_column + index) if raw.sheet is not None else f"#{index + 1}",
            suggest_column(cell, column_values(table, index, header_index), kind, set(columns)),
        )
        for index, cell in unknown_cells
    )
    if unknown and problems:
        # Refused anyway: say what each unknown header might be, where it is. (With --strict
        # alone, validation refuses them, with the sheet's other findings.)
        problems.extend(
            _unknown_header(raw, kind, column, row_number, strict=options.strict)
            for column in unknown
        )
    if problems:
        raise LoadError(problems)
    mapped = MappedSheet(
        raw=raw,
        kind=kind,
        header_index=header_index,
        columns=columns,
        headers=headers,
        buyer=buyer,
        unknown=unknown,
    )
    if mapped.data_rows <= 0:
        raise LoadError(
            [
                Problem(
                    message="the sheet has a header row but no data rows",
                    row=row_number,
                    **where,  # type: ignore[arg-type]
                )
            ]
        )
    return mapped


def unknown_column_problems(sheet: MappedSheet, *, strict: bool = True) -> list[Problem]:
    """The unknown headers of a mapped sheet as problems, located at the header row with what
    each might be: what ``--strict`` refuses the sheet for."""
    row = sheet.raw.first_row + sheet.header_index
    return [
        _unknown_header(sheet.raw, sheet.kind, column, row, strict=strict)
        for column in sheet.unknown
    ]


def _unknown_header(
    raw: RawSheet, kind: SheetKind, unknown: UnknownColumn, row: int, *, strict: bool
) -> Problem:
    header = unknown.header
    allowed = [c.name for c in COLUMNS[kind]]
    hint = f" {unknown.hint.text}" if unknown.hint.text else ""
    fate = (
        "--strict refuses a sheet with a column it does not know"
        if strict
        else "a load leaves such a column out, with a warning in Data quality"
    )
    return Problem(
        raw.file,
        f"unknown column '{header}' ({fate}). Expected columns for a {kind} sheet: "
        f"{', '.join(allowed)}.{hint} Map it with --map '{header}=<column>' or drop it with "
        f"--map '{header}=ignore'",
        sheet=raw.sheet,
        row=row,
        column=header,
        cell=f"{unknown.column}{row}" if raw.sheet is not None else None,
    )


# --- Hints: a column is offered only when the cells fit it ----------------------------------

# How many cells of a column are looked at.
HINT_SAMPLE = 200

# SAM.gov's Unique Entity ID: 12 characters, letters and digits, never the letters I and O,
# never a leading zero; a CAGE code: 5 characters, letters (no I or O) and digits. A value must
# hold digits and letters both to count as one (a 12-letter word or a ZIP code does not).
_UEI = re.compile(r"[A-HJ-NP-Z1-9][A-HJ-NP-Z0-9]{11}")
_CAGE = re.compile(r"[A-HJ-NP-Z0-9]{5}")
_NUMBER = re.compile(r"[-+]?(us\$|\$)?\s*[0-9][0-9,]*(\.[0-9]+)?\s*[km]?(usd)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ t].*)?|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}")
_BOOLEAN = frozenset(
    {"true", "t", "yes", "y", "1", "x", "1.0", "false", "f", "no", "n", "0", "0.0"}
)
# Headers that name an identifier, whose cells are checked against the UEI and CAGE forms.
_IDENTIFIER_WORDS = ("id", "code", "number", "no", "num", "uei", "cage", "sam", "entity", "ref")


def column_values(table: pa.Table, index: int, header_index: int) -> list[str]:
    """Up to :data:`HINT_SAMPLE` non-blank cells of a column below its header, as text."""
    values = table.column(index).slice(header_index + 1, HINT_SAMPLE * 2).to_pylist()
    found = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return found[:HINT_SAMPLE]


def _is_uei(value: str) -> bool:
    text = value.upper()
    return bool(
        _UEI.fullmatch(text)
        and sum(c.isalpha() for c in text) >= 2
        and any(c.isdigit() for c in text)
    )


def _is_cage(value: str) -> bool:
    text = value.upper()
    return bool(
        _CAGE.fullmatch(text) and any(c.isalpha() for c in text) and any(c.isdigit() for c in text)
    )


def _number(value: str) -> float | None:
    text = value.lower().replace(" ", "")
    if not _NUMBER.fullmatch(text):
        return None
    digits = re.sub(r"[^0-9.\-]", "", text.replace("usd", ""))
    try:
        number = float(digits)
    except ValueError:
        return None
    return number * (1e3 if text.endswith("k") else 1e6 if text.endswith("m") else 1)


@dataclass(frozen=True)
class _Profile:
    """What the sampled cells of a column look like: shares of the cells of each form."""

    cells: int
    uei: float
    cage: float
    number: float
    letters: float
    digits: float
    boolean: float
    date: float
    numbers: tuple[float, ...]
    values: tuple[str, ...]


def _profile(values: Sequence[str]) -> _Profile:
    count = len(values) or 1
    numbers = [n for n in (_number(v) for v in values) if n is not None]

    def share(test: Callable[[str], bool]) -> float:
        return sum(1 for v in values if test(v)) / count

    return _Profile(
        cells=len(values),
        uei=share(_is_uei),
        cage=share(_is_cage),
        number=len(numbers) / count,
        letters=share(lambda v: any(c.isalpha() for c in v)),
        digits=share(lambda v: any(c.isdigit() for c in v)),
        boolean=share(lambda v: v.lower() in _BOOLEAN),
        date=share(lambda v: _DATE.fullmatch(v.lower()) is not None),
        numbers=tuple(numbers),
        values=tuple(values),
    )


def _in_vocabulary(column: Column, profile: _Profile) -> bool:
    """Whether most cells are values (or known spellings) of a fixed-list column."""
    from exposure.model.facts import FACT_SYNONYMS, vocabulary

    if column.type == "fact":
        synonyms: Mapping[str, str] = FACT_SYNONYMS[column.name]  # type: ignore[index]
        allowed: tuple[str, ...] = vocabulary(column.name)  # type: ignore[arg-type]
    else:
        synonyms, allowed = VOCABULARIES[column.type]
    tokens = [re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_") for v in profile.values]
    known = sum(1 for t in tokens if t in allowed or t in synonyms)
    return known >= 0.5 * len(tokens)


def _fits(column: Column, profile: _Profile) -> bool:
    """Whether a column's sampled cells could be values of ``column`` (no cells: no evidence
    against it)."""
    if not profile.cells:
        return True
    identifier_like = max(profile.uei, profile.cage) >= 0.5
    if column.type == "uei":
        return profile.uei >= 0.8
    if column.type == "cage":
        return profile.cage >= 0.8
    if column.type == "name":
        # A parent may be given by its UEI; anything else named must read as a name: words,
        # not row numbers or codes.
        if column.name == "parent":
            return profile.letters >= 0.8 and (profile.uei >= 0.5 or profile.digits < 0.5)
        # Names rarely hold digits; codes ("SUP-001") and row numbers always do.
        return profile.letters >= 0.8 and profile.digits < 0.5 and profile.uei < 0.5
    if column.type == "text":
        if column.name == "notes":
            return True
        if column.name == "country":
            return profile.letters >= 0.8 and profile.digits < 0.2 and not identifier_like
        if column.name in ("contract_id", "order_id"):
            # Contract and order numbers hold digits; names and dates are not them.
            return profile.digits >= 0.8 and profile.date < 0.5 and not identifier_like
        return not identifier_like and profile.number < 0.5
    if column.type in ("money", "int", "number"):
        if profile.number < 0.8:
            return False
        low = column.minimum if column.minimum is not None else float("-inf")
        high = column.maximum if column.maximum is not None else float("inf")
        inside = [n for n in profile.numbers if low <= n <= high]
        if column.type == "int":
            inside = [n for n in inside if n == int(n)]
        return len(inside) >= 0.8 * len(profile.numbers)
    if column.type == "bool":
        return profile.boolean >= 0.8
    if column.type == "date":
        return profile.date >= 0.8
    return profile.letters >= 0.8 and not identifier_like and _in_vocabulary(column, profile)


def _name_candidates(header: str, allowed: tuple[Column, ...]) -> list[tuple[float, str]]:
    """Columns whose name or a synonym is close to the header, best first.

    Close means a ratio of at least 70 to the column's name, 75 to a synonym (there are many,
    and short ones: "Phone" is not a "PO number"), or a name or synonym of four letters or
    more written inside the header ("Supplier Legal Name 2" holds "supplier"), scored 80.
    """
    from rapidfuzz import fuzz

    key = header_key(header)
    scored = []
    for column in allowed:
        own = header_key(column.name)
        words = [w for w, c in SYNONYMS.items() if c == column.name]
        score = fuzz.ratio(key, own)
        score = score if score >= 70 else 0.0
        for word in words:
            ratio = fuzz.ratio(key, word)
            if ratio >= 75:
                score = max(score, ratio)
        if any(len(word) >= 4 and word in key for word in [own, *words]):
            score = max(score, 80.0)
        if score:
            scored.append((score, column.name))
    return sorted(scored, key=lambda pair: (-pair[0], pair[1]))


def suggest_column(
    header: str,
    values: Sequence[str],
    kind: SheetKind,
    taken: set[str] | frozenset[str] = frozenset(),
) -> ColumnHint:
    """The column of a ``kind`` sheet that an unknown header might be, judged by its name and
    by its cells (``values``, a sample): a column is offered only when the cells fit it.

    An identifier column (its header names one, or nearly all of its cells have the form)
    holding UEIs or CAGE codes is offered ``uei`` or ``cage`` (``parent_uei`` for a parent's);
    on a sheet without those columns, the hint says where they go instead. Then the columns
    whose name or synonyms are close to the header, best first, the first whose type the
    cells fit and that no other header already fills. Columns already taken (``taken``) are
    never offered.

    >>> suggest_column("UEI", ["ZQGGHJH74DW7", "J7M9HPTGJ1S9"], "relationships").column is None
    True
    >>> suggest_column("supplierID", [str(n) for n in range(1, 30)], "relationships").column is None
    True
    >>> suggest_column("Vendor ID No", ["ZQGGHJH74DW7", "J7M9HPTGJ1S9"], "vendors").column
    'uei'
    >>> suggest_column("Spend Amt", ["$1,200", "300"], "vendors").column
    'annual_value_usd'
    """
    allowed = COLUMNS[kind]
    names = {c.name for c in allowed}
    profile = _profile(values)
    key = header_key(header)
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", header).lower())
    named_identifier = any(word in _IDENTIFIER_WORDS for word in words)
    for form, share, identifier in (
        ("UEIs", profile.uei, "uei"),
        ("CAGE codes", profile.cage, "cage"),
    ):
        if profile.cells and (share >= 0.9 or (named_identifier and share >= 0.8)):
            target = "parent_uei" if identifier == "uei" and "parent" in key else identifier
            if target in names and target not in taken:
                return ColumnHint(
                    target, f"Did you mean '{target}'? Its cells have the form of {form}."
                )
            if target in names:
                return ColumnHint(
                    None, f"Its cells have the form of {form}, but '{target}' is already given."
                )
            return ColumnHint(
                None,
                f"Its cells have the form of {form}: a {kind} sheet has no column for them. "
                "Give suppliers' identifiers on an organizations sheet (name, uei, cage), or "
                "load a vendor list (no buyer column) with --buyer, which takes them.",
            )
    meaning = match_header(header, COLUMNS["organizations"] + COLUMNS["vendors"])
    if (
        kind == "organizations"
        and meaning in ("supplier", "buyer")
        and "name" not in taken
        and _fits(COLUMNS["organizations"][0], profile)
    ):
        # A vendor master read as organizations: its vendors are the organizations.
        return ColumnHint("name", "Did you mean 'name'? Its cells are organization names.")
    if meaning is not None and meaning not in names:
        # "UEI" on a relationships sheet means a UEI, whatever other column its letters recall.
        where = (
            " Give suppliers' identifiers on an organizations sheet, or load a vendor list "
            "(no buyer column) with --buyer, which takes them."
            if meaning in VENDOR_IDENTITY_COLUMNS
            else ""
        )
        return ColumnHint(None, f"It means '{meaning}', which a {kind} sheet does not have.{where}")
    refused = None
    candidates = _name_candidates(header, allowed)
    for score, name in candidates:
        if name in taken:
            continue
        if score < candidates[0][0] - 10:
            # The header resembles a column its cells do not fit far more than this one: "Vendr"
            # of row numbers is no supplier, and no amount for sounding a little like "spend".
            break
        if _fits(next(c for c in allowed if c.name == name), profile):
            return ColumnHint(name, f"Did you mean '{name}'?")
        if refused is None and score >= 80:
            refused = name  # close enough to be taken for it: say why it is not
    if refused is not None:
        return ColumnHint(None, f"It is not '{refused}': {_what_cells_are(profile)}.")
    return ColumnHint(None)


def _plain(number: float) -> str:
    """A number as people write it: 29, 1,250,000, 2.5."""
    return f"{int(number):,}" if number == int(number) else f"{number:,.2f}"


def _what_cells_are(profile: _Profile) -> str:
    """The cells of a column in a few words, to say why a column was not offered."""
    if profile.uei >= 0.5:
        return "its cells have the form of UEIs"
    if profile.cage >= 0.5:
        return "its cells have the form of CAGE codes"
    if profile.date >= 0.5:
        return "its cells are dates"
    if profile.number >= 0.5:
        low, high = min(profile.numbers), max(profile.numbers)
        return f"its cells are numbers ({_plain(low)} to {_plain(high)})"
    return "its cells do not fit that column"
