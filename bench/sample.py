#!/usr/bin/env python3
"""Seeded sample of asset ids for closure_sizes.

    python sample.py --assets assets.csv [--size 1000] [--seed 7] --out sample.txt

Picks SIZE distinct ids uniformly (numpy default_rng(seed), without replacement,
in the random order drawn) and writes one id per line.
"""
import argparse
import csv

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", required=True)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.assets, newline="") as f:
        r = csv.reader(f)
        col = next(r).index("id")
        ids = [row[col] for row in r]
    rng = np.random.default_rng(a.seed)
    pick = rng.choice(len(ids), min(a.size, len(ids)), replace=False)
    with open(a.out, "w") as f:
        f.write("".join(ids[i] + "\n" for i in pick.tolist()))
    print(f"sample: {len(pick)} of {len(ids)} ids -> {a.out}")


if __name__ == "__main__":
    main()
