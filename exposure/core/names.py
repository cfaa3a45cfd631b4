"""Organization names: normalization and near-miss (fuzzy) candidates.

Normalization is defined once, as DuckDB SQL macros (:data:`MACROS`), so that names are matched
the same way inside the warehouse (where millions of rows are resolved in SQL) and from Python
(:func:`normalize_name`, which runs the same macro).

A normalized name is the name's skeleton (invisible format characters dropped, look-alikes of
Latin letters and digits replaced by them: :mod:`exposure.core.text`, after
Unicode TR39), lower case, accents stripped, ``&`` read as "and", punctuation turned into
single spaces, a leading "the" and an inverted one (SAM.gov's "MEDICINE SHOPPE, THE")
dropped, trailing legal-form suffixes (Inc, LLC, Corp, PBC, Ltd, GmbH, S.A., JSC, ...) removed,
and leading legal forms that cannot be the start of a name (JSC, OJSC, PJSC, CJSC, OOO, ZAO,
OAO, LLC, "Joint Stock Company", ...: how Russian and other registries write them) removed:

>>> normalize_name("Anthropic, PBC")
'anthropic'
>>> normalize_name("The Boeing Company")
'boeing'
>>> normalize_name("Huawei Technologies Co., Ltd.")
'huawei technologies'
>>> normalize_name("\u0410nthropic,\u200b PBC")
'anthropic'
>>> normalize_name("MEDICINE SHOPPE, THE") == normalize_name("The Medicine Shoppe")
True
>>> normalize_name("JSC SBERBANK OF RUSSIA"), normalize_name("OJSC ROSOBORONEXPORT")
('sberbank of russia', 'rosoboronexport')

Screening normalizes further (:func:`screening_name`): leading forms that are also words or
initials of real names ("AO" of A. O. Smith, "PAO" of Pao de Acucar, "PT") are dropped there
too, where a name alone never confirms a match on one word (:mod:`exposure.screening.matching`),
but never for identity, where they would merge two companies silently:

>>> normalize_name("AO Kaspersky Lab"), screening_name("AO Kaspersky Lab")
('ao kaspersky lab', 'kaspersky lab')

Fuzzy candidates are never merged: they are listed for a person to review.

Screening asks more of a name than identity does before it calls two names one party
(:mod:`exposure.screening.matching`): :func:`distinctive_words` are the words of a normalized
name that say which organization it is (articles, prepositions and words such as "group" or
"holdings" do not), and :func:`legal_name` is the full name *with* its legal form, spelled one
way ("Co." and "Company", "L.L.C." and "LLC" agree; "Inc." and "Co." do not):

>>> distinctive_words(normalize_name("Apple Inc."))
['apple']
>>> legal_name("Apple Inc.") == legal_name("APPLE CO")
False
>>> legal_name("Apple Company") == legal_name("APPLE CO")
True
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import duckdb

from exposure.core.text import FORMAT_SQL, install_skeleton, skeleton_sql

__all__ = [
    "FUZZY_THRESHOLD",
    "GENERIC_WORDS",
    "MACROS",
    "FuzzyCandidate",
    "distinctive_words",
    "fuzzy_candidates",
    "identifier_key",
    "install_macros",
    "legal_name",
    "legal_names",
    "normalize_name",
    "normalize_names",
    "screening_name",
]

LEGAL_SUFFIXES = (
    "inc|incorporated|llc|l l c|corp|corporation|co|company|ltd|limited|pbc|p b c|plc|gmbh|"
    "sa|s a|ag|lp|llp|l l p|l p|bv|nv|srl|spa|pty|pte|kk|oy|ab|sarl|sas|zao|ooo|ao|jsc|pjsc|"
    "ojsc|cjsc|oao|joint stock company|limited liability company"
)

# Legal forms written before the name (and "the"): only those no name starts with.
LEADING_FORMS = (
    "the|jsc|ojsc|pjsc|cjsc|ooo|zao|oao|llc|"
    "(public |open |closed )?joint stock company|limited liability company"
)

# ... and, for screening only, those that can also be a name's first word or initials.
SCREENING_LEADING_FORMS = "ao|pao|pt|tov|sia|uab"
# (A normalized name has no identity form left in front: only these can start it; the regular
# expression runs on those names only.)
_SCREENING_FIRST = ", ".join(f"'{form}'" for form in SCREENING_LEADING_FORMS.split("|"))

_SKELETON = skeleton_sql(f"regexp_replace(CAST(s AS VARCHAR), {FORMAT_SQL}, '', 'g')")

MACROS = rf"""
CREATE OR REPLACE TEMP MACRO exposure_basic_name(s) AS
    nullif(trim(regexp_replace(
        regexp_replace(lower(strip_accents({_SKELETON})), '&', ' and ', 'g'),
        '[^\p{{L}}\p{{N}}]+', ' ', 'g')), '');
CREATE OR REPLACE TEMP MACRO exposure_norm_name(s) AS
    coalesce(nullif(trim(regexp_replace(
        regexp_replace(' ' || exposure_basic_name(s) || ' ', '^ (({LEADING_FORMS}) )+', ' '),
        '( (the|{LEGAL_SUFFIXES}))+ $', ' ')), ''), exposure_basic_name(s));
CREATE OR REPLACE TEMP MACRO exposure_screen_form(n) AS
    CASE WHEN split_part(n, ' ', 1) IN ({_SCREENING_FIRST}) THEN
    coalesce(nullif(trim(regexp_replace(' ' || n || ' ',
        '^ (({LEADING_FORMS}|{SCREENING_LEADING_FORMS}) )+', ' ')), ''), n) ELSE n END;
CREATE OR REPLACE TEMP MACRO exposure_screen_name(s) AS
    exposure_screen_form(exposure_norm_name(s));
CREATE OR REPLACE TEMP MACRO exposure_key(s) AS
    nullif(regexp_replace(upper(CAST(s AS VARCHAR)), '[^A-Z0-9]', '', 'g'), '');
"""


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Give a connection (or cursor) the name macros and the skeleton function they call."""
    install_skeleton(con)
    con.execute(MACROS)


# Scores are rapidfuzz token_sort_ratio on normalized names, 0..100.
FUZZY_THRESHOLD = 88.0

_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        install_macros(con)
        _local.con = con
    return con


def normalize_names(names: Sequence[str | None]) -> list[str | None]:
    """Normalize many names at once (see the module docstring)."""
    con = _connection()
    rows = con.execute(
        "SELECT exposure_norm_name(n) FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
        [list(names)],
    ).fetchall()
    return [row[0] for row in rows]


def identifier_key(value: str | None) -> str | None:
    """A UEI or CAGE as stored: upper case, letters and digits only; None when blank.

    >>> identifier_key(" abc-123 "), identifier_key("--")
    ('ABC123', None)
    """
    rows = _connection().execute("SELECT exposure_key(?::VARCHAR)", [value]).fetchall()
    return rows[0][0]


@lru_cache(maxsize=65_536)
def normalize_name(name: str | None) -> str | None:
    """Normalize one organization name; None or blank gives None.

    Remembered per process: DuckDB compiles the macro's regular expressions for each query,
    which costs milliseconds, and the same names come back at every what-if.

    >>> normalize_name("  ACME Widgets, L.L.C. ")
    'acme widgets'
    """
    return normalize_names([name])[0]


# Words that do not tell one organization from another: articles and prepositions (of the
# languages of the lists) and the generic words of company names. A normalized name needs two
# words outside this set to identify an organization by itself (see the module docstring).
GENERIC_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "de",
        "del",
        "der",
        "des",
        "di",
        "die",
        "das",
        "du",
        "el",
        "et",
        "for",
        "in",
        "la",
        "le",
        "les",
        "of",
        "on",
        "the",
        "to",
        "und",
        "y",
        "company",
        "companies",
        "corporation",
        "corporate",
        "enterprise",
        "enterprises",
        "global",
        "group",
        "groups",
        "holding",
        "holdings",
        "incorporated",
        "industries",
        "international",
        "limited",
        "trading",
        "ventures",
        "worldwide",
    ]
)


def distinctive_words(normalized: str | None) -> list[str]:
    """The words of a normalized name that tell the organization apart: not in
    :data:`GENERIC_WORDS`, and longer than one letter.

    >>> distinctive_words("bank of america"), distinctive_words("acme group")
    (['bank', 'america'], ['acme'])
    """
    return [
        word for word in (normalized or "").split() if len(word) > 1 and word not in GENERIC_WORDS
    ]


# The legal forms as one spelling each, for legal_name (after single letters are joined:
# "l l c" is "llc", "s a" is "sa").
_LEGAL_SPELLING = {
    "co": "company",
    "corp": "corporation",
    "inc": "incorporated",
    "ltd": "limited",
    "intl": "international",
}


def legal_names(names: Sequence[str | None]) -> list[str | None]:
    """Many names as their full legal names (:func:`legal_name`) at once: one query for all
    (DuckDB compiles the macro's regular expressions for each query)."""
    rows = (
        _connection()
        .execute(
            "SELECT exposure_basic_name(n) FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(n, i) "
            "ORDER BY i",
            [list(names)],
        )
        .fetchall()
    )
    return [None if basic is None else _legal_form(str(basic)) for (basic,) in rows]


def _legal_form(basic: str) -> str:
    words = basic.split()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1 and words[-1] == "the":
        words.pop()
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return " ".join(_LEGAL_SPELLING.get(word, word) for word in joined)


@lru_cache(maxsize=65_536)
def legal_name(name: str | None) -> str | None:
    """A name as its full legal name: :func:`normalize_name` keeping the legal form, with a
    leading or trailing (inverted) "the" dropped, runs of single letters joined ("L.L.C." is
    "llc") and abbreviated forms spelled out (Co, Corp, Inc, Ltd); None when blank.

    >>> legal_name("Acme Widgets, L.L.C."), legal_name("MEDICINE SHOPPE, THE")
    ('acme widgets llc', 'medicine shoppe')
    >>> legal_name("Huawei Technologies Co., Ltd.")
    'huawei technologies company limited'
    """
    return legal_names([name])[0]


@lru_cache(maxsize=65_536)
def screening_name(name: str | None) -> str | None:
    """A name as screening compares it: :func:`normalize_name`, then leading legal forms that
    identity keeps (AO, PAO, PT, ...) dropped as well (see the module docstring).

    >>> screening_name("PAO Sberbank"), screening_name("AO")
    ('sberbank', 'ao')
    """
    rows = _connection().execute("SELECT exposure_screen_name(?::VARCHAR)", [name]).fetchall()
    return rows[0][0]


@dataclass(frozen=True)
class FuzzyCandidate:
    """Two names that are close but were not merged."""

    name: str
    candidate: str
    score: float


def _block_keys(normalized: str) -> set[str]:
    """Blocking keys: each of the first three tokens, whole and as a three-letter prefix."""
    keys: set[str] = set()
    for token in normalized.split()[:3]:
        if len(token) >= 3:
            keys.update((token, token[:3] + "~"))
    return keys or {normalized}


def fuzzy_candidates(
    names: Iterable[tuple[str, str]],
    against: Iterable[tuple[str, str]],
    *,
    threshold: float = FUZZY_THRESHOLD,
    max_block: int = 100,
) -> list[FuzzyCandidate]:
    """Near-miss pairs between ``names`` and ``against``, each given as (name, normalized).

    Pairs with equal normalized names are skipped (they already match). Comparison is blocked:
    two names are compared only when they share one of their first three tokens, or its first
    three letters; keys shared by more than ``max_block`` names (the "inc" and "systems" of
    names) are too common to say anything and are ignored. That keeps the cost linear.

    >>> fuzzy_candidates([("Northwind Analytic", "northwind analytic")],
    ...                  [("Northwind Analytics Inc.", "northwind analytics"), ("Zeta", "zeta")])
    [FuzzyCandidate(name='Northwind Analytic', candidate='Northwind Analytics Inc.', score=97.3)]
    """
    from rapidfuzz import fuzz, process

    blocks: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, normalized in against:
        for key in _block_keys(normalized):
            blocks[key].append((name, normalized))
    blocks = {key: members for key, members in blocks.items() if len(members) <= max_block}
    found: dict[frozenset[str], FuzzyCandidate] = {}
    for name, normalized in names:
        pool = {pair for key in _block_keys(normalized) for pair in blocks.get(key, ())}
        pool = {pair for pair in pool if pair[1] != normalized}
        if not pool:
            continue
        ordered = sorted(pool)
        for _, score, index in process.extract(
            normalized,
            [pair[1] for pair in ordered],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=threshold,
            limit=5,
        ):
            other = ordered[index][0]
            if other != name:
                found.setdefault(
                    frozenset((name, other)), FuzzyCandidate(name, other, round(float(score), 1))
                )
    return sorted(found.values(), key=lambda c: (-c.score, c.name, c.candidate))
