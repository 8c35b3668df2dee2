#!/usr/bin/env python3
"""Hostile dependency world for the peer benchmarks (PRODUCT.md §1 CSV, §8).

    python hostile.py --assets N [--seed S] [--deps-per-asset 5] --out DIR

Writes DIR/assets.csv (id,country,ncfs) and DIR/dependencies.csv
(dependent,provider). Deterministic for a given (N, seed, deps-per-asset).

Structure (edge u -> v means u depends on v; supply flows v -> u):
  * nodes are split at random into a CORE (half), UPSTREAM (a quarter: pure
    dependents) and DOWNSTREAM (a quarter: pure providers);
  * a random Hamiltonian cycle through the core makes it one strongly connected
    component; Chung-Lu edges with power-law in/out weights (in-degree
    exponent ~2.1, out-degree ~2.5) are added and kept only when they respect
    the level order UPSTREAM < CORE < DOWNSTREAM (each non-core node has its
    own level, so non-core edges form a DAG);
  * hence the giant SCC is exactly the core (~N/2), every other SCC is a single
    node, and sink SCCs are the nodes without dependencies.
No self-loops, no duplicate pairs, ~20% foreign assets over 40 ISO codes
(Zipf-weighted), ~1% of assets carry 1-3 NCF ids. Pure AND: no groups.
"""
import argparse
import os
import sys
import time

import numpy as np

NCF_IDS = (
    [f"NCF-C{i:02d}" for i in range(1, 10)]
    + [f"NCF-D{i:02d}" for i in range(1, 10)]
    + [f"NCF-M{i:02d}" for i in range(1, 25)]
    + [f"NCF-S{i:02d}" for i in range(1, 14)]
)
assert len(NCF_IDS) == 55  # = ids of shared/data/reference/ncf.csv

FOREIGN = (
    "CN TW JP KR DE GB FR NL CA MX IN SG IE BE IT ES SE NO FI DK "
    "CH AT PL CZ IL AE SA QA BR CL AR AU NZ ZA EG TR UA VN MY PH"
).split()
assert len(FOREIGN) == 40 and "US" not in FOREIGN


class PowerLawSampler:
    """Chung-Lu sampling: node of rank r (random permutation) has weight ~ r^-a,
    a = 1/(gamma-1), giving a degree tail P(k) ~ k^-gamma. Sampled by inverting
    the continuous CDF on [1, n+1) (O(1) per draw, no searchsorted)."""

    def __init__(self, rng, n, gamma):
        self.n, self.a = n, 1.0 / (gamma - 1.0)
        self.node_of_rank = rng.permutation(n)
        self.span = (n + 1.0) ** (1.0 - self.a) - 1.0

    def draw(self, rng, k):
        x = (1.0 + rng.random(k) * self.span) ** (1.0 / (1.0 - self.a))
        r = np.minimum(x.astype(np.int64) - 1, self.n - 1)
        return self.node_of_rank[r]


def unique_sorted(x):
    """np.unique by sorting (numpy 2.x's hash-based unique is slower here)."""
    x = np.sort(x)
    if len(x) == 0:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def build(n, seed, per_asset=5.0, gamma_in=2.1, gamma_out=2.5,
          foreign_share=0.2, ncf_share=0.01):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    n_core = n // 2
    n_up = (n - n_core) // 2
    core = perm[:n_core]
    up = perm[n_core:n_core + n_up]
    down = perm[n_core + n_up:]
    level = np.empty(n, dtype=np.int64)
    level[up] = rng.permutation(n_up)
    level[core] = n_up
    level[down] = n_up + 1 + rng.permutation(len(down))
    is_core = np.zeros(n, dtype=bool)
    is_core[core] = True

    m_target = int(round(per_asset * n))
    # planted cycle through the core
    cyc = rng.permutation(core)
    keys = [cyc.astype(np.int64) * n + np.roll(cyc, -1)] if n_core > 1 else []
    have = unique_sorted(np.concatenate(keys)) if keys else np.empty(0, np.int64)

    s_out = PowerLawSampler(rng, n, gamma_out)
    s_in = PowerLawSampler(rng, n, gamma_in)
    rounds = 0
    while len(have) < m_target:
        rounds += 1
        need = m_target - len(have)
        k = int(need * 2.6) + 1024
        u = s_out.draw(rng, k)
        v = s_in.draw(rng, k)
        ok = (u != v) & ((level[u] < level[v]) | (is_core[u] & is_core[v]))
        new = u[ok].astype(np.int64) * n + v[ok]
        merged = unique_sorted(np.concatenate([have, new]))
        if len(merged) > m_target:
            # keep all planted cycle edges, fill the rest at random from the new ones
            fresh = np.setdiff1d(merged, have, assume_unique=True)
            fresh = rng.choice(fresh, m_target - len(have), replace=False)
            merged = unique_sorted(np.concatenate([have, fresh]))
        have = merged
        if rounds > 50:
            sys.exit("hostile.py: cannot reach the edge target (graph too small?)")
    # shuffle edge order so the file is not sorted by dependent
    have = have[rng.permutation(len(have))]
    src = (have // n).astype(np.int64)
    dst = (have % n).astype(np.int64)

    fw = 1.0 / np.arange(1, len(FOREIGN) + 1)
    fw /= fw.sum()
    is_foreign = rng.random(n) < foreign_share
    country_idx = np.full(n, -1, dtype=np.int64)
    country_idx[is_foreign] = rng.choice(len(FOREIGN), int(is_foreign.sum()), p=fw)

    carriers = np.flatnonzero(rng.random(n) < ncf_share)
    n_ids = np.minimum(rng.geometric(0.6, len(carriers)), 3)
    ncfs = {}
    for a, k in zip(carriers.tolist(), n_ids.tolist()):
        ncfs[a] = ";".join(NCF_IDS[j] for j in sorted(rng.choice(55, k, replace=False)))
    return dict(src=src, dst=dst, country_idx=country_idx, ncfs=ncfs, core=core)


def asset_id(i):
    return f"h{i}"  # not zero-padded on purpose: string order != numeric order


def write(out, n, w):
    os.makedirs(out, exist_ok=True)
    ids = [asset_id(i) for i in range(n)]
    ctry = ["US"] + FOREIGN
    cidx = (w["country_idx"] + 1).tolist()
    ncfs = w["ncfs"]
    with open(os.path.join(out, "assets.csv"), "w", newline="") as f:
        f.write("id,country,ncfs\n")
        f.write("".join(f"{ids[i]},{ctry[cidx[i]]},{ncfs.get(i, '')}\n" for i in range(n)))
    with open(os.path.join(out, "dependencies.csv"), "w", newline="") as f:
        f.write("dependent,provider\n")
        src, dst = w["src"].tolist(), w["dst"].tolist()
        step = 1 << 20
        for s in range(0, len(src), step):
            f.write("".join(f"{ids[a]},{ids[b]}\n"
                            for a, b in zip(src[s:s + step], dst[s:s + step])))


def verify(n, w):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    src, dst = w["src"], w["dst"]
    a = csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    n_scc, lab = connected_components(a, directed=True, connection="strong")
    sizes = np.bincount(lab)
    n_wcc, wlab = connected_components(a, directed=True, connection="weak")
    outdeg = np.bincount(src, minlength=n)
    indeg = np.bincount(dst, minlength=n)
    # sink SCC: no edge leaving the component
    leaving = lab[src] != lab[dst]
    has_out = np.zeros(n_scc, dtype=bool)
    has_out[lab[src[leaving]]] = True
    return dict(
        scc_count=int(n_scc), giant_scc=int(sizes.max()),
        giant_scc_fraction=float(sizes.max() / n),
        sink_sccs=int((~has_out).sum()), wcc_count=int(n_wcc),
        giant_wcc=int(np.bincount(wlab).max()),
        max_out=int(outdeg.max()), max_in=int(indeg.max()),
        out_deg_p50_p99=(int(np.percentile(outdeg, 50)), int(np.percentile(outdeg, 99))),
        in_deg_p50_p99=(int(np.percentile(indeg, 50)), int(np.percentile(indeg, 99))),
        self_loops=int((src == dst).sum()),
        duplicates=int(len(src) - len(unique_sorted(src.astype(np.int64) * n + dst))),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deps-per-asset", type=float, default=5.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-verify", action="store_true")
    a = ap.parse_args()
    n = a.assets
    if n < 10:
        sys.exit("hostile.py: --assets must be >= 10")
    t0 = time.perf_counter()
    w = build(n, a.seed, a.deps_per_asset)
    t1 = time.perf_counter()
    write(a.out, n, w)
    t2 = time.perf_counter()
    print(f"hostile: {n} assets, {len(w['src'])} deps, "
          f"{int((w['country_idx'] >= 0).sum())} foreign, {len(w['ncfs'])} NCF carriers "
          f"-> {a.out} (build {t1 - t0:.1f}s, write {t2 - t1:.1f}s)")
    if not a.no_verify:
        s = verify(n, w)
        t3 = time.perf_counter()
        print(f"hostile: giant SCC {s['giant_scc']} = {s['giant_scc_fraction']:.3f} of nodes; "
              f"{s['scc_count']} SCCs, {s['sink_sccs']} sink SCCs; {s['wcc_count']} WCCs "
              f"(largest {s['giant_wcc']}); max out-degree {s['max_out']}, "
              f"max in-degree {s['max_in']}; out p50/p99 {s['out_deg_p50_p99']}, "
              f"in p50/p99 {s['in_deg_p50_p99']}; self-loops {s['self_loops']}, "
              f"duplicates {s['duplicates']} (verify {t3 - t2:.1f}s)")
        if s["self_loops"] or s["duplicates"]:
            sys.exit("hostile.py: self-loops or duplicate pairs generated")


if __name__ == "__main__":
    main()
