#!/usr/bin/env python3
"""Peer baselines: the same closure, impact, dominator and component answers
computed with networkx, igraph or rustworkx (see README.md for the contract).

    python peers.py --assets assets.csv --deps dependencies.csv --sample sample.txt \
        --peer networkx|igraph|rustworkx [--home US] [--budget 60] [--dom-budget 300] \
        --out answers.json

Edge u -> v in dependencies.csv (dependent,provider) means u depends on v.
Ops (each timed separately, wall clock):
  closure_sizes       per sample id: |nodes reachable along depends-on edges| (self excluded)
  foreign_ncf_counts  per foreign asset v (seeded random order): #NCF carriers u with
                      u == v or u ->* v (exact impact under pure AND)
  dominators          idom of every asset in the supply graph (edges reversed) from a
                      virtual ROOT -> every node of every sink SCC; sha256 digest
  wcc                 weakly connected components: count, top-10 sizes, sha256 of sizes
closure_sizes / foreign_ncf_counts stop after --budget seconds and project linearly
(timings_s holds the projection, projected.<op> the fraction actually done).
dominators runs in a forked child killed after --dom-budget seconds (timings_s then
holds the budget as a lower bound, projected.dominators.timed_out = true).
"""
import argparse
import csv
import hashlib
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time

import numpy as np

ROOT_LABEL = "ROOT"


# ---------------------------------------------------------------- CSV (§1)
def read_world(assets_path, deps_path, home):
    with open(assets_path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        for req in ("id", "country"):
            if req not in head:
                sys.exit(f"{assets_path}: missing required column {req}")
        ci, cc = head.index("id"), head.index("country")
        cn = head.index("ncfs") if "ncfs" in head else None
        ids, foreign, ncf = [], [], []
        for row in r:
            ids.append(row[ci])
            foreign.append(row[cc].strip() != home)
            ncf.append(cn is not None and any(x.strip() for x in row[cn].split(";")))
    index = {a: i for i, a in enumerate(ids)}
    if len(index) != len(ids):
        sys.exit(f"{assets_path}: duplicate ids")
    with open(deps_path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        for req in ("dependent", "provider"):
            if req not in head:
                sys.exit(f"{deps_path}: missing required column {req}")
        cd, cp = head.index("dependent"), head.index("provider")
        src, dst = [], []
        for line, row in enumerate(r, start=2):
            try:
                src.append(index[row[cd]])
                dst.append(index[row[cp]])
            except KeyError as e:
                sys.exit(f"{deps_path}:{line}: unknown asset id {e}")
    return ids, index, foreign, ncf, src, dst


def sink_scc_nodes(labels, src, dst):
    """Nodes whose SCC has no depends-on edge to another SCC (numpy)."""
    labels = np.asarray(labels)
    leaving = labels[src] != labels[dst]
    has_out = np.zeros(labels.max() + 1, dtype=bool)
    has_out[labels[src[leaving]]] = True
    return np.flatnonzero(~has_out[labels])


# ---------------------------------------------------------------- peers
class NetworkX:
    name = "networkx"

    def __init__(self, w):
        import networkx as nx
        self.nx, self.w = nx, w
        self.version = nx.__version__
        g = nx.DiGraph()
        g.add_nodes_from(w.ids)
        ids = w.ids
        g.add_edges_from((ids[a], ids[b]) for a, b in zip(w.src_l, w.dst_l))
        self.g = g
        self.ncf_set = {ids[i] for i in np.flatnonzero(w.ncf)}

    def closure(self, i):
        return len(self.nx.descendants(self.g, self.w.ids[i]))

    def foreign_count(self, i):
        v = self.w.ids[i]
        anc = self.nx.ancestors(self.g, v)
        return len(self.ncf_set.intersection(anc)) + (v in self.ncf_set)

    def wcc_sizes(self):
        return [len(c) for c in self.nx.weakly_connected_components(self.g)]

    def idoms(self):
        nx, g = self.nx, self.g
        root = ("__virtual_root__",)  # cannot collide with a string id
        cond = nx.condensation(g)
        g.add_edges_from((v, root) for c in cond if cond.out_degree(c) == 0
                         for v in cond.nodes[c]["members"])
        idom = nx.immediate_dominators(g.reverse(copy=False), root)
        idom.pop(root, None)  # networkx 3.6 omits start; older versions map start->start
        index = self.w.index
        return [-1 if idom[v] == root else index[idom[v]] for v in self.w.ids]


class IGraph:
    name = "igraph"

    def __init__(self, w):
        import igraph as ig
        self.ig, self.w = ig, w
        self.version = ig.__version__
        self.g = ig.Graph(n=len(w.ids), edges=list(zip(w.src_l, w.dst_l)), directed=True)

    def closure(self, i):
        return len(self.g.subcomponent(i, mode="out")) - 1  # subcomponent includes i

    def foreign_count(self, i):
        return int(self.w.ncf[self.g.subcomponent(i, mode="in")].sum())  # includes i

    def wcc_sizes(self):
        return self.g.connected_components(mode="weak").sizes()

    def idoms(self):
        g, n = self.g, len(self.w.ids)
        lab = g.connected_components(mode="strong").membership
        sinks = sink_scc_nodes(lab, self.w.src, self.w.dst)
        g.add_vertices(1)  # root = n
        g.add_edges([(int(v), n) for v in sinks])
        dom = g.dominator(n, mode="in")  # follow edges backwards = supply direction
        # igraph: root -> -1, unreachable -> NaN/-2 (none here); idom == n -> ROOT
        out = []
        for v in range(n):
            d = dom[v]
            if d != d or d < 0:
                raise RuntimeError(f"igraph: node {self.w.ids[v]} unreachable from ROOT")
            out.append(-1 if d == n else int(d))
        return out


class RustworkX:
    name = "rustworkx"

    def __init__(self, w):
        import rustworkx as rx
        self.rx, self.w = rx, w
        self.version = rx.__version__
        g = rx.PyDiGraph()  # default multigraph=True: no per-edge duplicate check (input has none)
        g.add_nodes_from(w.ids)
        g.add_edges_from_no_data(list(zip(w.src_l, w.dst_l)))
        self.g = g
        self.ncf_set = set(np.flatnonzero(w.ncf).tolist())

    def closure(self, i):
        return len(self.rx.descendants(self.g, i))

    def foreign_count(self, i):
        anc = self.rx.ancestors(self.g, i)
        return len(self.ncf_set.intersection(anc)) + (i in self.ncf_set)

    def wcc_sizes(self):
        return [len(c) for c in self.rx.weakly_connected_components(self.g)]

    def idoms(self):
        rx, g, n = self.rx, self.g, len(self.w.ids)
        lab = np.empty(n, dtype=np.int64)
        for k, comp in enumerate(rx.strongly_connected_components(g)):
            lab[comp] = k
        sinks = sink_scc_nodes(lab, self.w.src, self.w.dst)
        g.reverse()  # in place: supply graph
        root = g.add_node(ROOT_LABEL)
        g.add_edges_from_no_data([(root, int(v)) for v in sinks])
        idom = rx.immediate_dominators(g, root)  # maps start -> start
        out = []
        for v in range(n):
            if v not in idom:
                raise RuntimeError(f"rustworkx: node {self.w.ids[v]} unreachable from ROOT")
            out.append(-1 if idom[v] == root else idom[v])
        return out


PEERS = {p.name: p for p in (NetworkX, IGraph, RustworkX)}


# ---------------------------------------------------------------- ops
def budgeted(items, fn, budget):
    """Run fn over items until done or the budget is spent; project linearly."""
    res, t0 = {}, time.perf_counter()
    for i in items:
        res[i] = fn(i)
        if time.perf_counter() - t0 > budget and len(res) < len(items):
            break
    el = time.perf_counter() - t0
    done, total = len(res), len(items)
    frac = done / total if total else 1.0
    info = {"projected": done < total, "timed_out": False, "fraction": frac,
            "done": done, "total": total, "elapsed_s": el}
    return res, (el / frac if frac else el), info


def digest_idoms(ids, idom):
    lines = sorted(f"{ids[v]} {ROOT_LABEL if d < 0 else ids[d]}\n" for v, d in enumerate(idom))
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _dominator_child(peer, conn):
    try:
        t0 = time.perf_counter()
        idom = peer.idoms()
        el = time.perf_counter() - t0
        conn.send({"elapsed": el, "sha256": digest_idoms(peer.w.ids, idom),
                   "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    except BaseException as e:  # report and exit; the parent records the failure
        conn.send({"error": f"{type(e).__name__}: {e}"})
    finally:
        conn.close()


def dominators_with_timeout(peer, budget):
    ctx = mp.get_context("fork")
    rd, wr = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_dominator_child, args=(peer, wr))
    t0 = time.perf_counter()
    p.start()
    wr.close()
    got = rd.poll(budget)
    msg = rd.recv() if got else None
    if not got:
        p.kill()
    p.join()
    wall = time.perf_counter() - t0
    if msg is None:
        return None, budget, {"projected": False, "timed_out": True, "fraction": 0.0,
                              "done": 0, "total": 1, "elapsed_s": wall}, None
    if "error" in msg:
        sys.exit(f"{peer.name} dominators failed: {msg['error']}")
    return msg["sha256"], msg["elapsed"], {
        "projected": False, "timed_out": False, "fraction": 1.0, "done": 1, "total": 1,
        "elapsed_s": msg["elapsed"]}, msg["rss"]


def full(el):
    return {"projected": False, "timed_out": False, "fraction": 1.0, "done": 1,
            "total": 1, "elapsed_s": el}


class World:
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", required=True)
    ap.add_argument("--deps", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--peer", required=True, choices=sorted(PEERS))
    ap.add_argument("--home", default="US")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds per sampled op (closure_sizes, foreign_ncf_counts)")
    ap.add_argument("--dom-budget", type=float, default=None,
                    help="seconds before the dominator child is killed (default 5x budget)")
    ap.add_argument("--order-seed", type=int, default=11,
                    help="seed of the order in which foreign assets are processed")
    ap.add_argument("--ops", default="closure_sizes,foreign_ncf_counts,wcc,dominators")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    dom_budget = a.dom_budget if a.dom_budget is not None else 5 * a.budget
    ops = a.ops.split(",")

    def log(msg):
        print(f"[{a.peer}] {msg}", flush=True)

    t0 = time.perf_counter()
    ids, index, foreign, ncf, src, dst = read_world(a.assets, a.deps, a.home)
    t_csv = time.perf_counter() - t0
    w = World()
    w.ids, w.index, w.src_l, w.dst_l = ids, index, src, dst
    w.ncf = np.array(ncf, dtype=bool)
    t1 = time.perf_counter()
    peer = PEERS[a.peer](w)
    t_build = time.perf_counter() - t1
    w.src, w.dst = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)
    t_load = t_csv + t_build
    log(f"loaded {len(ids)} assets, {len(src)} deps in {t_load:.2f}s "
        f"(csv {t_csv:.2f}s + build {t_build:.2f}s)")

    with open(a.sample) as f:
        sample = [ln.strip() for ln in f if ln.strip()]
    missing = [s for s in sample if s not in index]
    if missing:
        sys.exit(f"{a.sample}: unknown ids, e.g. {missing[:3]}")

    ans = {"peer": a.peer, "version": peer.version, "n_assets": len(ids), "n_deps": len(src),
           "home": a.home, "timings_s": {"load": t_load}, "projected": {"load": full(t_load)},
           "load_detail_s": {"csv": t_csv, "build": t_build}, "budget_s": a.budget,
           "dom_budget_s": dom_budget, "machine": f"{platform.machine()} {os.cpu_count()} cpu",
           "closure_sizes": {}, "foreign_ncf_counts": {}, "dominators_sha256": None,
           "wcc": None}

    if "closure_sizes" in ops:
        res, t, info = budgeted([index[s] for s in sample], peer.closure, a.budget)
        ans["closure_sizes"] = {ids[i]: n for i, n in res.items()}
        ans["timings_s"]["closure_sizes"], ans["projected"]["closure_sizes"] = t, info
        log(f"closure_sizes: {info['done']}/{info['total']} in {info['elapsed_s']:.2f}s"
            + (f" -> projected {t:.1f}s" if info["projected"] else ""))

    if "foreign_ncf_counts" in ops:
        fidx = np.flatnonzero(np.array(foreign, dtype=bool))
        order = fidx[np.random.default_rng(a.order_seed).permutation(len(fidx))].tolist()
        res, t, info = budgeted(order, peer.foreign_count, a.budget)
        ans["foreign_ncf_counts"] = {ids[i]: n for i, n in res.items()}
        ans["timings_s"]["foreign_ncf_counts"], ans["projected"]["foreign_ncf_counts"] = t, info
        log(f"foreign_ncf_counts: {info['done']}/{info['total']} in {info['elapsed_s']:.2f}s"
            + (f" -> projected {t:.1f}s" if info["projected"] else ""))

    if "wcc" in ops:
        t2 = time.perf_counter()
        sizes = sorted(peer.wcc_sizes(), reverse=True)
        t = time.perf_counter() - t2
        ans["wcc"] = {"count": len(sizes), "top10": sizes[:10],
                      "sizes_sha256": hashlib.sha256(
                          "".join(f"{s}\n" for s in sizes).encode()).hexdigest()}
        ans["timings_s"]["wcc"], ans["projected"]["wcc"] = t, full(t)
        log(f"wcc: {len(sizes)} components, largest {sizes[:3]} in {t:.2f}s")

    child_rss = None
    if "dominators" in ops:
        sha, t, info, child_rss = dominators_with_timeout(peer, dom_budget)
        ans["dominators_sha256"] = sha
        ans["timings_s"]["dominators"], ans["projected"]["dominators"] = t, info
        log(f"dominators: " + (f"timed out after {dom_budget:.0f}s" if sha is None
                                else f"{t:.2f}s sha256 {sha[:16]}…"))

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ans["max_rss_mib"] = round(max(rss, child_rss or 0) / 1024, 1)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(ans, f, indent=1)
    log(f"wrote {a.out} (max RSS {ans['max_rss_mib']} MiB)")


if __name__ == "__main__":
    main()
