"""Name normalization and fuzzy candidates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exposure.core.names import fuzzy_candidates, normalize_name, normalize_names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anthropic, PBC", "anthropic"),
        ("ANTHROPIC PBC", "anthropic"),
        ("The Boeing Company", "boeing"),
        ("Huawei Technologies Co., Ltd.", "huawei technologies"),
        ("Acme Widgets, L.L.C.", "acme widgets"),
        ("  ACME   Widgets ", "acme widgets"),
        ("AT&T Inc.", "at and t"),
        ("Société Générale S.A.", "societe generale"),
        ("Kaspersky Lab, AO", "kaspersky lab"),
        ("Co", "co"),  # a name that is only a suffix keeps it
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


@given(st.lists(st.text(max_size=30), max_size=20))
def test_normalize_names_is_idempotent_and_order_preserving(names):
    once = normalize_names(names)
    assert len(once) == len(names)
    assert normalize_names(once) == once
    assert once == [normalize_name(name) for name in names]


def test_fuzzy_candidates_find_typos_but_not_strangers():
    against = [
        ("Northwind Analytics Inc.", "northwind analytics"),
        ("Lumen Defense Systems", "lumen defense systems"),
        ("Zephyr Cloud", "zephyr cloud"),
    ]
    found = fuzzy_candidates(
        [
            ("Northwind Analytic", "northwind analytic"),
            ("Lumen Defence Systems", "lumen defence systems"),
            ("Totally Different", "totally different"),
        ],
        against,
    )
    pairs = {(c.name, c.candidate) for c in found}
    assert pairs == {
        ("Northwind Analytic", "Northwind Analytics Inc."),
        ("Lumen Defence Systems", "Lumen Defense Systems"),
    }
    assert all(88 <= c.score < 100 for c in found)


def test_fuzzy_candidates_skip_exact_normalized_matches():
    assert fuzzy_candidates([("ACME", "acme")], [("Acme Inc", "acme")]) == []
