#!/usr/bin/env python3
"""Full-coverage reference answers (numpy/scipy), so that Meridian's answers are checked
on EVERY foreign asset and every sample id, not only the few a budgeted peer reached.

    python oracle.py --assets assets.csv --deps dependencies.csv --sample sample.txt \
        [--home US] --out answers-oracle.json

Writes the answers.json shape of README.md with "peer": "oracle":
  foreign_ncf_counts  all foreign assets: SCC condensation (scipy) + bitset DP over the
                      NCF carriers in topological order (ANALYSIS-NOTES §4.2)
  closure_sizes       all sample ids: the same DP with bitsets over the sample ids,
                      summing the sizes of the SCCs each id reaches
  wcc                 scipy connected_components(weak)
  dominators_sha256   null (not computed here; the peers' digests are compared)
It is itself validated against the three peers (compare.py) at small sizes.
"""
import argparse
import hashlib
import json
import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from peers import read_world


def reach_bits(n, src, dst, seeds):
    """SCC condensation (scipy) + bitset DP in topological order: for every SCC c, the
    bitset of the seeds s with s in c or s ->+ c (ANALYSIS-NOTES §4.2). Returns
    (labels, bits[n_scc, words], n_scc, levels)."""
    n_scc, lab = connected_components(
        csr_matrix((np.ones(len(src), np.int8), (src, dst)), shape=(n, n)),
        directed=True, connection="strong")
    words = max(1, (len(seeds) + 63) // 64)
    bits = np.zeros((n_scc, words), dtype=np.uint64)
    k = np.arange(len(seeds))
    np.bitwise_or.at(bits, (lab[seeds], k // 64),
                     np.left_shift(np.uint64(1), (k % 64).astype(np.uint64)))
    # condensation edges dependent-SCC -> provider-SCC, unique
    cs, cd = lab[src], lab[dst]
    keep = cs != cd
    key = np.unique(cs[keep].astype(np.int64) * n_scc + cd[keep])
    cs, cd = key // n_scc, key % n_scc
    start = np.searchsorted(cs, np.arange(n_scc + 1))  # key sorted => cs sorted
    indeg = np.bincount(cd, minlength=n_scc)
    frontier = np.flatnonzero(indeg == 0)  # SCCs nobody depends on
    levels = 0
    while len(frontier):
        levels += 1
        # edges out of the frontier: push the frontier's sets to their providers
        lo, hi = start[frontier], start[frontier + 1]
        cnt = hi - lo
        if cnt.sum() == 0:
            break
        eidx = np.repeat(lo - np.cumsum(np.r_[0, cnt[:-1]]), cnt) + np.arange(cnt.sum())
        tgt = cd[eidx]
        np.bitwise_or.at(bits, tgt, bits[cs[eidx]])
        np.subtract.at(indeg, tgt, 1)
        cand = np.unique(tgt)
        frontier = cand[indeg[cand] == 0]
    if (indeg != 0).any():
        raise RuntimeError("condensation is not a DAG?")
    return lab, bits, n_scc, levels


def foreign_counts(n, src, dst, ncf, targets):
    """For each v in targets: #carriers u with u == v or u ->+ v."""
    lab, bits, n_scc, levels = reach_bits(n, src, dst, np.flatnonzero(ncf))
    return np.bitwise_count(bits).sum(axis=1)[lab[targets]], n_scc, levels


def closure_sizes(n, src, dst, sources):
    """For each source s: #nodes reachable from s, self excluded
    = sum of |c| over the SCCs c that s reaches (its own included) - 1."""
    lab, bits, n_scc, _ = reach_bits(n, src, dst, sources)
    size = np.bincount(lab, minlength=n_scc).astype(np.float64)
    out = np.empty(bits.shape[1] * 64, dtype=np.int64)
    shifts = np.arange(64, dtype=np.uint64)
    for w in range(bits.shape[1]):
        m = ((bits[:, w:w + 1] >> shifts) & np.uint64(1)).astype(np.float64)
        out[w * 64:(w + 1) * 64] = np.rint(size @ m).astype(np.int64)
    return out[:len(sources)] - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", required=True)
    ap.add_argument("--deps", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--home", default="US")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t0 = time.perf_counter()
    ids, index, foreign, ncf, src, dst = read_world(a.assets, a.deps, a.home)
    n = len(ids)
    src, dst = np.array(src, np.int64), np.array(dst, np.int64)
    ncf = np.array(ncf, bool)
    g = csr_matrix((np.ones(len(src), np.int8), (src, dst)), shape=(n, n))
    t_load = time.perf_counter() - t0
    with open(a.sample) as f:
        sample = [ln.strip() for ln in f if ln.strip()]

    t1 = time.perf_counter()
    sizes_ = closure_sizes(n, src, dst, np.array([index[s] for s in sample], np.int64))
    closure = {s: int(c) for s, c in zip(sample, sizes_.tolist())}
    t_cl = time.perf_counter() - t1

    t2 = time.perf_counter()
    fidx = np.flatnonzero(np.array(foreign, bool))
    counts, n_scc, levels = foreign_counts(n, src, dst, ncf, fidx)
    t_fc = time.perf_counter() - t2

    t3 = time.perf_counter()
    _, wl = connected_components(g, directed=True, connection="weak")
    sizes = sorted(np.bincount(wl).tolist(), reverse=True)
    t_w = time.perf_counter() - t3

    ans = {"peer": "oracle", "version": "numpy/scipy", "n_assets": n, "n_deps": len(src),
           "home": a.home,
           "timings_s": {"load": t_load, "closure_sizes": t_cl, "foreign_ncf_counts": t_fc,
                         "wcc": t_w},
           "closure_sizes": closure,
           "foreign_ncf_counts": {ids[i]: int(c) for i, c in zip(fidx.tolist(), counts)},
           "dominators_sha256": None,
           "wcc": {"count": len(sizes), "top10": sizes[:10],
                   "sizes_sha256": hashlib.sha256(
                       "".join(f"{s}\n" for s in sizes).encode()).hexdigest()}}
    with open(a.out, "w") as f:
        json.dump(ans, f, indent=1)
    print(f"[oracle] load {t_load:.1f}s, closures {t_cl:.1f}s, foreign counts "
          f"{t_fc:.1f}s ({len(fidx)} assets, {n_scc} SCCs, {levels} DAG levels), "
          f"wcc {t_w:.1f}s -> {a.out}")


if __name__ == "__main__":
    main()
