"""Write the synthetic Jiangmen territory table shipped in ``src/govsim/data/territory/``.

Public figures: 1 city, 7 counties/districts, 73 towns/streets, 1330 villages/communities, about 4.8
million residents (sources.md §1, the seed article). County populations are the 2020 census order of
magnitude scaled to 4.8 M and the towns per county and communities per town are *assumed* (no public
per-town table is used): the county seat town gets twice the weight of the others. Run once:
``python scripts/make_territory.py``; the output is committed.
"""

import csv
from pathlib import Path

COUNTIES = [  # name, kind, population (assumed split of 4.8 M), towns (assumed split of 73)
    ("蓬江区", "district", 1_016_000, 7),
    ("江海区", "district", 351_000, 3),
    ("新会区", "district", 901_000, 11),
    ("台山市", "county_city", 863_000, 17),
    ("开平市", "county_city", 711_000, 15),
    ("鹤山市", "county_city", 503_000, 10),
    ("恩平市", "county_city", 455_000, 10),
]
TOTAL_COMMUNITIES = 1330


def _split(total: int, weights: list[float]) -> list[int]:
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def main() -> None:
    """Write the town table."""
    pops = [c[2] for c in COUNTIES]
    towns = [c[3] for c in COUNTIES]
    share = [0.5 * p / sum(pops) + 0.5 * t / sum(towns) for p, t in zip(pops, towns, strict=True)]
    communities = _split(TOTAL_COMMUNITIES, share)
    rows = []
    for (county, kind, pop, n_towns), n_comm in zip(COUNTIES, communities, strict=True):
        weights = [2.0] + [1.0] * (n_towns - 1)
        for i, (tpop, tcomm) in enumerate(
            zip(_split(pop, weights), _split(n_comm, weights), strict=True), start=1
        ):
            rows.append([county, kind, f"{county[:2]}镇街{i:02d}", tpop, tcomm])
    out = Path(__file__).resolve().parents[1] / "src/govsim/data/territory/jiangmen.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["county", "county_kind", "town", "population", "communities"])
        w.writerows(rows)
    print(
        f"wrote {out}: {len(rows)} towns, {sum(r[4] for r in rows)} communities, "
        f"{sum(r[3] for r in rows)} residents"
    )


if __name__ == "__main__":
    main()
