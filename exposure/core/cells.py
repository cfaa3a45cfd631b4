"""What a text cell holds: white space cleaned one way, formula-like text recognised one way.

Two rules about text cells are needed on every path in and out of the tool, in Python (JSON
SBOMs, CSV and workbook outputs) and in SQL (sheets and downloads validated by DuckDB). Each is
defined here once, in both forms, so that the paths cannot disagree.

**White space** (SPEC 4.1: products and ``used_in`` match "with white space trimmed and
collapsed"; names likewise): every run of spaces, tabs, line breaks, form feeds and Unicode
spaces (the non-breaking space among them) becomes one space, the ends are trimmed, and a cell left empty is blank
(None / NULL). :func:`clean_text` and :func:`clean_text_sql` give the same result.

**Formula-like text** (OWASP CSV injection): a cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return (:data:`FORMULA_PREFIXES`) would be run as a formula by a
spreadsheet program. Every output makes such text inert (a leading apostrophe in CSV, a
quote-prefixed text cell in the workbook). :data:`FORMULA_PREFIXES`, :func:`is_formula_like`
and :func:`formula_like_sql` are the one definition.

Ingest refuses formula-like text in identity columns (organization names, UEI, CAGE): a name
is never expected to be a formula, and a refused load is easier to fix than a report that
shows ``=HYPERLINK(...)`` as a supplier. One deliberate difference: a name may begin with a
minus followed by a digit ("-9 Labs Inc"), which reads as a name, not a formula, and is
escaped on the way out like any other text starting with a minus
(:func:`refused_as_name`, :func:`refused_as_name_sql`). Other columns (products, notes...)
are stored as given and only escaped on output.
"""

from __future__ import annotations

import re

__all__ = [
    "FORMULA_PREFIXES",
    "clean_text",
    "clean_text_sql",
    "formula_like_sql",
    "is_formula_like",
    "refused_as_name",
    "refused_as_name_sql",
]

# The white space that is collapsed: ASCII white space (space, tab, line feed, vertical tab,
# form feed, carriage return) and the Unicode space separators (category Zs: the non-breaking
# space U+00A0 that spreadsheets and web pages slip into names, U+2000-U+200A, U+3000...),
# which DuckDB's trim() also removes.
_SPACES = " \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACE_RUN = re.compile(f"[{_SPACES}]+")
_SPACE_RUN_SQL = "'[\\t\\n\\v\\f\\r\\p{Zs}]+'"
# Tests that show a cell may need the regex: two spaces, an ASCII control space, or any
# non-ASCII character (more bytes than characters).
_ODD_SPACE_SQL = (
    "contains({0}, '  ')",
    *(f"contains({{0}}, chr({code}))" for code in range(9, 14)),
    "strlen({0}) <> length({0})",
)

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# A minus followed by a digit: accepted at the start of a name (see the module docstring).
_NUMBER_LIKE = re.compile(r"-[0-9]")
_NUMBER_LIKE_SQL = "'^-[0-9]'"


def clean_text(value: str | None) -> str | None:
    """Trim and collapse white space; blank becomes None.

    >>> clean_text("  Northwind \\u00a0 Insight\\t"), clean_text(" \\n "), clean_text(None)
    ('Northwind Insight', None, None)
    """
    if value is None:
        return None
    cleaned = _SPACE_RUN.sub(" ", value).strip(" ")
    return cleaned or None


def clean_text_sql(expr: str) -> str:
    """SQL giving :func:`clean_text` of a VARCHAR expression (NULL stays NULL).

    The regex only runs on the rare cells that may need it (plain substring and length tests
    find them: the ASCII text of most cells cannot), so a million clean cells cost one
    ``trim`` each.

    >>> import duckdb
    >>> duckdb.sql("SELECT " + clean_text_sql("' a  b '")).fetchall()
    [('a b',)]
    """
    odd = " OR ".join(test.format(expr) for test in _ODD_SPACE_SQL)
    collapsed = f"regexp_replace({expr}, {_SPACE_RUN_SQL}, ' ', 'g')"
    return f"nullif(trim(CASE WHEN {odd} THEN {collapsed} ELSE {expr} END), '')"


def is_formula_like(value: object) -> bool:
    """Whether a value is text that a spreadsheet would run as a formula.

    >>> is_formula_like("=1+1"), is_formula_like("-9 Labs"), is_formula_like("Acme"), is_formula_like(-3)
    (True, True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def formula_like_sql(expr: str) -> str:
    """SQL for :func:`is_formula_like` of a VARCHAR expression (NULL for NULL).

    >>> import duckdb
    >>> duckdb.sql("SELECT " + formula_like_sql("'@SUM(A1)'")).fetchall()
    [(True,)]
    """
    prefixes = ", ".join(
        "chr(9)" if p == "\t" else "chr(13)" if p == "\r" else f"'{p}'" for p in FORMULA_PREFIXES
    )
    return f"(left({expr}, 1) IN ({prefixes}))"


def refused_as_name(value: str) -> bool:
    """Whether ingest refuses this text as a name or identifier: formula-like, unless it
    begins with a minus followed by a digit.

    >>> refused_as_name("=HYPERLINK(1)"), refused_as_name("-9 Labs Inc"), refused_as_name("-Acme")
    (True, False, True)
    """
    return is_formula_like(value) and not _NUMBER_LIKE.match(value)


def refused_as_name_sql(expr: str) -> str:
    """SQL for :func:`refused_as_name` of a VARCHAR expression (NULL for NULL).

    >>> import duckdb
    >>> duckdb.sql("SELECT " + refused_as_name_sql("'-9 Labs'") + ", "
    ...            + refused_as_name_sql("'+1 Corp'")).fetchall()
    [(False, True)]
    """
    return f"({formula_like_sql(expr)} AND NOT regexp_matches({expr}, {_NUMBER_LIKE_SQL}))"


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("Acme"), safe_cell(-3)
    ('\\'=HYPERLINK("http://x")', 'Acme', -3)
    """
    if is_formula_like(value):
        return "'" + str(value)
    return value
