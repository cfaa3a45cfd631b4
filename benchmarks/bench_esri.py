"""ESRI benchmark: the systemic risk index of every firm of a random 10,000-firm network.

Builds a random sparse supply network (each firm buys from about ``--suppliers`` random
suppliers, lognormal values, about ``--sectors`` sectors) with a random essentiality matrix
(30% negligible, 55% non-essential, 15% essential sector pairs by default), then times
``esri_index`` (one cascade per firm failing alone) with and without replaceability, in
one process and in two (``n_jobs=2``).

Target (SPEC 4.2 reference models): at most 60 s for 10,000 firms on 2 cores. Each variant
runs ``--repeat`` times and the fastest run counts (the machine is shared).

    python benchmarks/bench_esri.py [--firms 10000] [--suppliers 5] [--sectors 20]
                                    [--essential 0.15] [--repeat 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import sparse

from exposure.model.reference import esri_index

TARGET_SECONDS = 60.0


def random_network(
    n_firms: int, suppliers: int, n_sectors: int, seed: int, essential: float = 0.15
) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """A random supply network: W (seller x buyer), sector codes, essentiality matrix.

    ``essential`` is the share of sector pairs whose inputs are essential; of the rest,
    30 points are negligible and the remainder non-essential.
    """
    rng = np.random.default_rng(seed)
    n_edges = n_firms * suppliers
    seller = rng.integers(0, n_firms, n_edges)
    buyer = rng.integers(0, n_firms, n_edges)
    value = rng.lognormal(mean=0.0, sigma=1.5, size=n_edges)
    W = sparse.csr_array((value, (seller, buyer)), shape=(n_firms, n_firms))
    W.sum_duplicates()
    sector = rng.integers(0, n_sectors, n_firms)
    ess = rng.choice([0, 1, 2], size=(n_sectors, n_sectors), p=[0.30, 0.70 - essential, essential])
    return W, sector, ess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--suppliers", type=int, default=5)
    parser.add_argument("--sectors", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--essential", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    W, sector, ess = random_network(
        args.firms, args.suppliers, args.sectors, args.seed, args.essential
    )
    print(
        f"network: {args.firms} firms, {W.nnz} edges, {args.sectors} sectors, "
        f"{args.essential:.0%} essential sector pairs"
    )
    for replaceability in (False, True):
        for n_jobs in (1, 2):
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                index = esri_index(W, sector, ess, replaceability=replaceability, n_jobs=n_jobs)
                best = min(best, time.perf_counter() - started)
            verdict = "ok" if best <= TARGET_SECONDS else "TOO SLOW"
            print(
                f"esri_index replaceability={replaceability} n_jobs={n_jobs}: {best:.2f} s "
                f"(target <= {TARGET_SECONDS:.0f} s: {verdict}); "
                f"max ESRI {index.max():.4f}, mean {index.mean():.5f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
