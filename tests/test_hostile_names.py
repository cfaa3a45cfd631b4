"""Hostile names, the same on every path in: control characters refuse the load (file, sheet,
row, column), invisible format characters are removed and listed in Data quality, and a name
made with Cyrillic or Greek look-alikes matches the organization it imitates and is flagged."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import rows, run_cli, snapshot

from exposure import LoadError, LoadOptions, connect, load_files, normalize_name
from exposure.core.text import (
    CONFUSABLES,
    control_characters,
    has_mixed_script,
    remove_format_characters,
    skeleton,
)


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _vendors(tmp_path: Path, supplier: str, name: str = "deps.csv") -> Path:
    return _csv(
        tmp_path / name,
        f'buyer,supplier,relation\nPrime A,Acme Corp,component\nPrime A,"{supplier}",component\n',
    )


def _sbom(tmp_path: Path, supplier: str) -> Path:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {
            "component": {"name": "app", "type": "application", "supplier": {"name": "Prime A"}}
        },
        "components": [
            {"type": "machine-learning-model", "name": "lib", "supplier": {"name": supplier}}
        ],
    }
    path = tmp_path / "sbom.cdx.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _parquet(tmp_path: Path, supplier: str) -> Path:
    path = tmp_path / "deps.parquet"
    table = pa.table(
        {
            "buyer": ["Prime A", "Prime A"],
            "supplier": ["Acme Corp", supplier],
            "relation": ["component", "component"],
        }
    )
    pq.write_table(table, path)
    return path


# (A NUL byte makes a CSV file binary: tests/test_hostile_csv.py.)
@pytest.mark.parametrize(
    "char, kind",
    [
        (c, k)
        for c in ("\x00", "\x1b", "\x7f", "\x85")
        for k in ("csv", "parquet")
        if (c, k) != ("\x00", "csv")
    ],
)
def test_a_control_character_in_a_name_refuses_the_load_with_its_row_and_column(
    tmp_path, loaded_db, char, kind
):
    supplier = f"Evil{char}Corp"
    path = _vendors(tmp_path, supplier) if kind == "csv" else _parquet(tmp_path, supplier)
    before = snapshot(loaded_db)
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 1, output
    assert f"{path.name}, row 3, column 'supplier': the cell holds a control character" in output
    assert f"U+{ord(char):04X}" in output
    assert snapshot(loaded_db) == before


def test_a_control_character_in_an_sbom_supplier_is_refused_too(tmp_path, loaded_db):
    before = snapshot(loaded_db)
    with pytest.raises(LoadError) as caught:
        con = connect(loaded_db)
        try:
            load_files(con, [_sbom(tmp_path, "Evil\x00Corp")], LoadOptions(buyer="Prime A"))
        finally:
            con.close()
    assert any("U+0000" in str(problem) for problem in caught.value.problems)
    assert snapshot(loaded_db) == before


def test_format_characters_are_removed_and_listed_with_their_row(tmp_path, loaded_db):
    path = _vendors(tmp_path, "Zeta\u202e Labs\u200b")
    code, output = run_cli("--db", loaded_db, "load", path)
    assert code == 0, output
    stored = rows(
        loaded_db,
        "SELECT supplier FROM stg_relationships WHERE _source_file = 'deps.csv' ORDER BY _row",
    )
    assert stored == [("Acme Corp",), ("Zeta Labs",)]
    [(issue, name, detail, row)] = rows(
        loaded_db,
        "SELECT issue, name, detail, row FROM dq_issues WHERE issue = 'format_characters'",
    )
    assert (issue, name, row) == ("format_characters", "Zeta Labs", 3)
    assert "'supplier' (U+200B, U+202E)" in detail  # sorted


def test_a_cyrillic_lookalike_resolves_to_the_organization_it_imitates(tmp_path, loaded_db):
    fake = "\u0410nthropic, PBC"  # Cyrillic capital A
    assert normalize_name(fake) == normalize_name("Anthropic, PBC") == "anthropic"
    organizations = _csv(tmp_path / "orgs.csv", "name,kind\nAnthropic,model_provider\n")
    vendors = _vendors(tmp_path, fake)
    code, output = run_cli("--db", loaded_db, "load", organizations, vendors)
    assert code == 0, output
    [(count,)] = rows(loaded_db, "SELECT count(*) FROM orgs WHERE name ILIKE '%nthropic%'")
    assert count == 1
    [(name, row)] = rows(loaded_db, "SELECT name, row FROM dq_issues WHERE issue = 'mixed_script'")
    assert (name, row) == (fake, 3)


def test_the_skeleton_maps_every_lookalike_to_ascii_letters_and_digits_or_nothing():
    assert len(CONFUSABLES) > 2000  # the whole table, not a hand-picked part
    for source, target in CONFUSABLES.items():
        assert all(c.isascii() and c.isalnum() for c in target), source
        assert len(source) == 1 and not source.isascii()


def test_the_skeleton_agrees_with_icu_on_every_character_and_on_random_names():
    """ICU's SpoofChecker is the reference implementation of the UTS #39 skeleton: folding a
    name never changes its ICU skeleton, and every character outside ASCII whose ICU skeleton
    is ASCII letters and digits folds to ASCII here."""
    import icu

    checker = icu.SpoofChecker()

    def reference(text: str) -> str:
        return checker.getSkeleton(0, text)

    listed = []
    for code in range(0x80, 0x30000):
        char = chr(code)
        if unicodedata.category(char) in {"Cn", "Cs", "Co", "Cc", "Cf"}:
            continue
        shape = reference(char)
        if shape != unicodedata.normalize("NFD", char) and all(
            c.isascii() and c.isalnum() for c in shape
        ):
            assert skeleton(char) == shape, f"U+{code:04X}"
            listed.append(char)
        elif char in CONFUSABLES:
            # Not in confusables.txt: folded by compatibility (fullwidth, circled, superscript).
            assert skeleton(char) == unicodedata.normalize("NFKC", char), f"U+{code:04X}"
    rng = random.Random(7)
    alphabet = listed + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
    for _ in range(2000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        assert reference(skeleton(name)) == reference(name), name
        assert skeleton(name).isascii(), name


def test_the_skeleton_is_the_same_in_sql():
    import duckdb

    from exposure.core.text import install_skeleton, skeleton_sql

    rng = random.Random(11)
    alphabet = sorted(CONFUSABLES) + list("abcdefgXYZ019 'éü") + ["Газпром"]
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    con = duckdb.connect()
    install_skeleton(con)
    got = con.execute(
        f"SELECT {skeleton_sql('n')} FROM unnest($1::VARCHAR[]) WITH ORDINALITY t(n, i) ORDER BY i",
        [names],
    ).fetchall()
    assert [g for (g,) in got] == [skeleton(n) for n in names]


@pytest.mark.parametrize("seed", range(5))
def test_the_skeleton_of_a_lookalike_spelling_is_the_plain_spelling(seed):
    rng = random.Random(seed)
    by_target: dict[str, list[str]] = {}
    for source, target in CONFUSABLES.items():
        by_target.setdefault(target, []).append(source)
    word = "".join(rng.choice(sorted(by_target)) for _ in range(12))
    disguised = "".join(rng.choice(by_target[c]) if rng.random() < 0.5 else c for c in word)
    assert skeleton(disguised) == word
    assert normalize_name(disguised + " Inc") == normalize_name(word + " Inc")


def test_the_character_rules_by_hand():
    assert control_characters("a\x00b\tc\nd\x9f") == ["U+0000", "U+009F"]
    assert remove_format_characters("\u2066Acme\u2069\u00ad") == (
        "Acme",
        ["U+2066", "U+2069", "U+00AD"],
    )
    assert has_mixed_script("Micr\u043esoft") and not has_mixed_script("Microsoft")
    assert not has_mixed_script("\u041c\u0438\u0440 Ltd")  # Cyrillic word, Latin word: not mixed
