"""Screening benchmark: 100,000 organizations against the real 10,000-record SAM.gov extract.

Builds a warehouse of ``--orgs`` organizations (not timed): invented company names, plus, drawn
from the extract, some organizations with a listed UEI, some with a listed CAGE, some named
exactly as a listed party and some with a listed name slightly misspelled (fuzzy candidates).
Then, in the same run:

* ``screen``: :func:`exposure.screening.matching.screen` on the extract, reading and parsing it
  included (UEI, CAGE, name and alias matching in SQL, blocked fuzzy candidates);
* ``naive``: a pairwise loop over a ``--naive`` subset of the organizations, comparing each
  normalized name with every normalized listed name (rapidfuzz ``token_sort_ratio``, the same
  scorer and threshold), timed and extrapolated linearly to all organizations.

Target (issue 6): ``screen`` at most 10 s for 100,000 organizations; the ratio says how much
blocking and SQL save.

    python benchmarks/bench_screen.py [--orgs 100000] [--naive 2000] [--list PATH]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exposure.core.names import FUZZY_THRESHOLD, normalize_names  # noqa: E402
from exposure.screening.lists import read_list  # noqa: E402
from exposure.screening.matching import screen  # noqa: E402
from exposure.warehouse.database import connect  # noqa: E402
from exposure.warehouse.loading import load_files  # noqa: E402

WORDS = [
    "advanced",
    "aero",
    "allied",
    "apex",
    "applied",
    "arc",
    "atlas",
    "beacon",
    "blue",
    "bright",
    "capital",
    "cedar",
    "cipher",
    "civic",
    "coastal",
    "cobalt",
    "comet",
    "core",
    "crest",
    "delta",
    "dynamic",
    "eagle",
    "echo",
    "edge",
    "element",
    "elite",
    "ember",
    "federal",
    "frontier",
    "fusion",
    "global",
    "granite",
    "harbor",
    "horizon",
    "ion",
    "iron",
    "keystone",
    "legacy",
    "liberty",
    "lumen",
    "meridian",
    "metro",
    "nexus",
    "noble",
    "north",
    "nova",
    "oak",
    "omega",
    "orbit",
    "peak",
    "pioneer",
    "polar",
    "prime",
    "quantum",
    "radiant",
    "ridge",
    "river",
    "sentinel",
    "sierra",
    "signal",
    "silver",
    "solar",
    "sterling",
    "summit",
    "titan",
    "trident",
    "union",
    "vector",
    "vertex",
    "vista",
]
TRADES = [
    "systems",
    "solutions",
    "technologies",
    "analytics",
    "logistics",
    "engineering",
    "manufacturing",
    "services",
    "labs",
    "dynamics",
    "networks",
    "defense",
    "aerospace",
    "robotics",
    "software",
    "consulting",
    "materials",
]
SUFFIXES = ("Inc", "LLC", "Corp", "Co", "Ltd", "Group", "", "")


def invented(rng: random.Random) -> str:
    words = rng.sample(WORDS, 2) if rng.random() < 0.6 else rng.sample(WORDS, 1)
    return " ".join(
        [*(w.title() for w in words), rng.choice(TRADES).title(), rng.choice(SUFFIXES)]
    ).strip()


def misspell(name: str, rng: random.Random) -> str:
    letters = list(name)
    position = rng.randrange(1, max(2, len(letters) - 1))
    letters[position] = rng.choice("aeiourstn")
    return "".join(letters)


def build(path: Path, list_path: Path, orgs: int, seed: int) -> None:
    rng = random.Random(seed)
    records = read_list(list_path).records
    firms = records[records["classification"].isin(["Firm", "Special Entity Designation"])]
    sample = firms.sample(n=min(800, len(firms)), random_state=seed)
    rows = []
    for index, record in enumerate(sample.itertuples(index=False)):
        kind = index % 4
        name = str(record.listed_name)
        if kind == 0 and isinstance(record.uei, str):
            rows.append((invented(rng) + f" {index}", record.uei, ""))
        elif kind == 1 and isinstance(record.cage, str):
            rows.append((invented(rng) + f" {index}", "", record.cage))
        elif kind == 2:
            rows.append((name.title(), "", ""))
        else:
            rows.append((misspell(name, rng), "", ""))
    # Two names that normalize alike would be one organization: keep them apart.
    seen = set(normalize_names([row[0] for row in rows]))
    while len(rows) < orgs:
        batch = [invented(rng) for _ in range(min(20_000, orgs - len(rows)))]
        for name, norm in zip(batch, normalize_names(batch), strict=True):
            if norm in seen:
                name, norm = f"{name} {len(rows)}", f"{norm} {len(rows)}"
            seen.add(norm)
            rows.append((name, "", ""))
    csv_path = path.with_suffix(".csv")
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "uei", "cage"])
        writer.writerows(rows)
    con = connect(path)
    try:
        load_files(con, [csv_path], None)
    finally:
        con.close()


def naive(names: list[str], listed: list[str], threshold: float) -> tuple[float, int]:
    from rapidfuzz import fuzz

    start = time.perf_counter()
    hits = 0
    for name in names:
        for other in listed:
            if fuzz.token_sort_ratio(name, other) >= threshold:
                hits += 1
    return time.perf_counter() - start, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=2_000)
    parser.add_argument(
        "--list",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "SAM_Exclusions_Public_Extract_20049.CSV",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.list.is_file():
        sys.exit(f"the exclusions extract is not at {args.list}; pass --list PATH")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        build(db, args.list, args.orgs, args.seed)
        print(
            f"built {args.orgs:,} organizations in {time.perf_counter() - started:.1f} s (not timed)"
        )
        con = connect(db)
        try:
            start = time.perf_counter()
            result = screen(con, args.list)
            screen_seconds = time.perf_counter() - start
            org_names = [
                row[0]
                for row in con.execute("SELECT norm_name FROM orgs ORDER BY org_id").fetchall()
            ]
        finally:
            con.close()
    matches = result.matches
    print(
        f"screen: {len(result.listed.records):,} records x {result.organizations:,} organizations "
        f"in {screen_seconds:.2f} s (target <= 10 s): {len(matches):,} matches, "
        f"{int(matches['confirmed'].sum()):,} confirmed, "
        + ", ".join(f"{k} {v}" for k, v in matches["match"].value_counts().items())
    )
    listed = sorted({n for n in normalize_names(list(result.listed.records["listed_name"])) if n})
    subset = random.Random(args.seed).sample(org_names, min(args.naive, len(org_names)))
    seconds, hits = naive(subset, listed, FUZZY_THRESHOLD)
    extrapolated = seconds * len(org_names) / len(subset)
    print(
        f"naive pairwise fuzzy loop: {len(subset):,} organizations x {len(listed):,} listed names "
        f"in {seconds:.2f} s ({hits} pairs >= {FUZZY_THRESHOLD:g}); extrapolated to "
        f"{len(org_names):,} organizations: {extrapolated:.0f} s"
    )
    print(f"ratio: screening is {extrapolated / screen_seconds:.0f}x faster than the naive loop")
    print("target met" if screen_seconds <= 10 else "TARGET MISSED: screening took over 10 s")


if __name__ == "__main__":
    main()
