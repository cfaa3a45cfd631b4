"""Hostile characters in names: control characters, invisible format characters, look-alikes.

Names come from suppliers' files, and three kinds of characters in them mislead:

- **Control characters** (Unicode category Cc: NUL, the C0 and C1 controls, DEL) are never part
  of a name; stored, they make the database and the workbook (whose writer drops them)
  disagree. Ingest refuses them with the file, sheet, row and column. The ASCII white space
  controls (tab, line feed, vertical tab, form feed, carriage return) are not refused: cells
  wrap lines, and :func:`exposure.core.cells.clean_text` collapses them to one space.
- **Format characters** (category Cf: the bidi controls U+202A-U+202E and U+2066-U+2069, zero
  width spaces and joiners, the soft hyphen, a stray BOM) are invisible: a U+202E reverses what
  follows it on screen, a zero width space splits a name that looks whole. Ingest removes them
  and lists each row in Data quality.
- **Confusables**: ``Аnthropic`` with a Cyrillic ``А`` looks like Anthropic and is not equal
  to it. Names are matched and blocked on their *skeleton*, as Unicode Technical Standard #39
  (Security Mechanisms, section 4, "Confusable Detection") defines it: each character replaced
  by its prototype in ``confusables.txt``. :data:`CONFUSABLES` is that table for every
  character outside ASCII whose prototype is ASCII letters and digits (2,000-odd: Cyrillic,
  Greek, Armenian, Cherokee, mathematical and fullwidth letters, ligatures), generated from
  ICU by ``scripts/make_confusables.py`` and checked against ICU's own skeleton in the tests.
  ASCII is left alone, so plain names keep "rn" apart from "m". Names mixing Latin with
  Cyrillic or Greek letters within one word are flagged for review.

Each rule has a Python and a SQL form (DuckDB, RE2), used by the normalization macro of
:mod:`exposure.core.names`, by the load and by the screening lists.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from typing import Any

from exposure.core.confusables import PROTOTYPES

__all__ = [
    "CONFUSABLES",
    "CONTROL_SQL",
    "FORMAT_SQL",
    "MIXED_SCRIPT_SQL",
    "control_characters",
    "describe_characters",
    "has_mixed_script",
    "install_skeleton",
    "remove_format_characters",
    "skeleton",
    "skeleton_sql",
]

# Every non-ASCII character whose UTS #39 prototype is ASCII letters and digits (or nothing).
CONFUSABLES: dict[str, str] = PROTOTYPES
_TABLE = str.maketrans({source: target or None for source, target in CONFUSABLES.items()})

# Cc without the white space controls that cleaning collapses (\t \n \v \f \r).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
CONTROL_SQL = "'[\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{7f}-\\x{9f}]'"
FORMAT_SQL = "'\\p{Cf}'"
_LATIN_THEN_OTHER = "\\p{Latin}\\pL*[\\p{Cyrillic}\\p{Greek}]"
_OTHER_THEN_LATIN = "[\\p{Cyrillic}\\p{Greek}]\\pL*\\p{Latin}"
MIXED_SCRIPT_SQL = f"'{_LATIN_THEN_OTHER}|{_OTHER_THEN_LATIN}'"


def skeleton(text: str) -> str:
    """The UTS #39 skeleton used for matching, for characters outside ASCII: each look-alike
    replaced by its ASCII prototype (ASCII itself is left as it is).

    >>> skeleton("\\u0410nthropic"), skeleton("Ｂｏｅｉｎｇ"), skeleton("Газпром")
    ('Anthropic', 'Boeing', 'Гaзпpoм')
    >>> skeleton("\\U0001d400\\U0001d427\\U0001d42d\\u0570\\u0433\\u03bfpic \\ufb01nance")
    'Anthropic finance'
    """
    return text.translate(_TABLE)


SKELETON_FUNCTION = "exposure_skeleton"


def _skeleton_batch(values: Any) -> Any:
    import pyarrow as pa

    return pa.array(
        [None if v is None else v.translate(_TABLE) for v in values.to_pylist()], pa.string()
    )


def install_skeleton(con: Any) -> None:
    """Give a DuckDB connection the function ``exposure_skeleton`` (:func:`skeleton`, a batch
    of values at a time); a connection that has it already keeps it.

    The table has 2,000-odd entries: DuckDB's ``translate()`` costs time in proportion to it
    for every value (0.24 ms a name), a lookup list or map as much, and a chain of
    ``replace()`` calls 80 ms to bind in every query; Python's ``str.translate`` takes about
    a microsecond a name, and :func:`skeleton_sql` sends it only the names that have a
    character outside ASCII.
    """
    import duckdb
    from duckdb.sqltypes import VARCHAR

    # Already there: a cursor sees its connection's functions (DuckDB says so with either
    # error, depending on where the first one was registered).
    with contextlib.suppress(duckdb.NotImplementedException, duckdb.CatalogException):
        con.create_function(SKELETON_FUNCTION, _skeleton_batch, [VARCHAR], VARCHAR, type="arrow")


def skeleton_sql(expr: str) -> str:
    """SQL giving :func:`skeleton` of a VARCHAR expression, on a connection that has
    :func:`install_skeleton` (ASCII names never leave DuckDB).

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> install_skeleton(con)
    >>> con.execute("SELECT " + skeleton_sql("'\\u0410nthropic \\ufb01nance'")).fetchall()
    [('Anthropic finance',)]
    """
    return (
        f"CASE WHEN regexp_matches({expr}, '[^\\x{{0}}-\\x{{7f}}]') "
        f"THEN {SKELETON_FUNCTION}({expr}) ELSE {expr} END"
    )


def control_characters(text: str) -> list[str]:
    """The control characters (Cc, less white space) in a text, as ``U+XXXX`` codes.

    >>> control_characters("Acme\\x00 Inc\\x1b"), control_characters("Acme\\tInc")
    (['U+0000', 'U+001B'], [])
    """
    return [f"U+{ord(char):04X}" for char in _CONTROL.findall(text)]


def remove_format_characters(text: str) -> tuple[str, list[str]]:
    """The text without its format characters (Cf), and the codes of those removed.

    >>> remove_format_characters("Acme\\u202eCNI"), remove_format_characters("Acme")
    (('AcmeCNI', ['U+202E']), ('Acme', []))
    """
    removed = [char for char in text if unicodedata.category(char) == "Cf"]
    if not removed:
        return text, []
    kept = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return kept, [f"U+{ord(char):04X}" for char in removed]


def describe_characters(codes: list[str]) -> str:
    """Codes as a short list for a message: distinct, in order, at most five.

    >>> describe_characters(["U+202E", "U+202E", "U+200B"])
    'U+202E, U+200B'
    """
    distinct = list(dict.fromkeys(codes))
    shown = ", ".join(distinct[:5])
    return shown + (f" and {len(distinct) - 5} more" if len(distinct) > 5 else "")


_MIXED = re.compile(r"[^\W\d_]+")


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script) or f" {script} " in f" {name} ":
            return script
    return "OTHER"


def has_mixed_script(text: str) -> bool:
    """Whether a word of the text mixes Latin with Cyrillic or Greek letters (a look-alike).

    >>> has_mixed_script("\\u0410nthropic, PBC"), has_mixed_script("Газпром LLC")
    (True, False)
    """
    for word in _MIXED.findall(text):
        scripts = {_script(char) for char in word} - {"OTHER"}
        if "LATIN" in scripts and len(scripts) > 1:
            return True
    return False
