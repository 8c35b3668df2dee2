#!/usr/bin/env python3
"""Markdown report of bench/taxii.sh's results.jsonl: throughput with ratios against nginx and
medallion, ingest, page latency by collection size (medallion's larger sizes projected from
its measured ones, and labelled as projections), and the PRODUCT.md §8 targets.

  taxii_report.py results.jsonl [--command "…"]
"""

import argparse
import json
import math
from collections import defaultdict

MERIDIAN = ("meridian-sqlite", "meridian-postgres")


def fmt_n(x):
    if x is None:
        return "—"
    if x >= 100:
        return "{:,.0f}".format(x)
    if x >= 10:
        return "{:.1f}".format(x)
    if x >= 1:
        return "{:.2f}".format(x)
    return "{:.3g}".format(x)


def fmt_ms(x):
    if x is None:
        return "—"
    if x >= 2 * 86400e3:
        return "{:,.0f} days".format(x / 86400e3)
    if x >= 2 * 3600e3:
        return "{:,.1f} h".format(x / 3600e3)
    if x >= 10000:
        return "{:,.1f} s".format(x / 1000)
    return fmt_n(x) + " ms"


def ratio(a, b):
    if not a or not b:
        return None
    return a / b


def fmt_ratio(r):
    return "—" if r is None else ("{:,.0f}×".format(r) if r >= 100 else "{:.2f}×".format(r))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--command", default="bench/taxii.sh")
    a = p.parse_args()
    rows = [json.loads(line) for line in open(a.results) if line.strip()]
    info = {r["server"]: r for r in rows if r["metric"] == "info"}
    by = defaultdict(list)
    for r in rows:
        by[(r["server"], r["metric"])].append(r)
    out = []
    w = out.append
    run = info.get("run", {})
    w("## TAXII 2.1: Meridian vs nginx (static page) vs medallion, one run on 127.0.0.1")
    w("")
    w("```sh\n%s\n```" % a.command)
    w("")
    w("%s cores, load average at the end %s, run took %s s. Meridian: %s. medallion %s (memory "
      "backend, Flask/Werkzeug server as shipped). %s serving one captured `objects/?limit=100` body "
      "(%s bytes, from %s) as a static file with `Content-Type: application/taxii+json;version=2.1`. "
      "Load generator (wrk, Python) on the same cores."
      % (run.get("nproc", "?"), run.get("load_average", "?"), run.get("seconds", "?"),
         (lambda m: "%s (`%s`%s)" % (m["version"], m["binary"],
                                     ", **a debug build: not a benchmark figure**" if "/debug/" in m["binary"] else "")
          if m else "not run")(info.get("meridian-sqlite") or info.get("meridian-postgres")),
         info.get("medallion", {}).get("version", "not run"),
         info.get("nginx", {}).get("version", "nginx (not run)").replace("nginx version: ", ""),
         info.get("nginx", {}).get("page_bytes", "?"), info.get("nginx", {}).get("page_source", "?")))
    w("")

    # ---- throughput -------------------------------------------------------------------
    wrk = [r for r in rows if r["metric"] == "wrk"]
    conns = sorted({r["conns"] for r in wrk})
    nginx = {r["conns"]: r for r in wrk if r["server"] == "nginx"}
    # medallion: wrk where it ran, else c=1 from sequential latency (1 / mean)
    med = {}
    med_note = ""
    for r in wrk:
        if r["server"] == "medallion":
            med.setdefault(r["size"], {})[r["conns"]] = r["rps"]
    for r in by[("medallion", "latency_first")]:
        if r["size"] not in med:
            med[r["size"]] = {"seq": 1000.0 / r["mean_ms"]}
            med_note = ("medallion's requests/s where wrk was skipped = 1 / mean latency of sequential "
                        "requests (one Python process: more connections cannot add throughput)")
    med_small = min(med) if med else None

    def med_rps(size, c):
        d = med.get(size) or med.get(med_small) or {}
        return d.get(c, d.get("seq")), (size if size in med else med_small)

    w("### GET objects/?limit=100 — requests/s (p50 / p99) by connections")
    w("")
    w("| server | stored | " + " | ".join("c=%d" % c for c in conns) + " | vs nginx (c=%s) | vs medallion |"
      % ",".join(str(c) for c in conns))
    w("|---|---|" + "---|" * len(conns) + "---|---|")
    order = [s for s in MERIDIAN + ("nginx", "medallion") if any(r["server"] == s for r in wrk)]
    for s in order:
        sizes = sorted({r["size"] for r in wrk if r["server"] == s})
        for size in sizes:
            cells, vs_ng, vs_med = [], [], []
            for c in conns:
                r = next((x for x in wrk if x["server"] == s and x["size"] == size and x["conns"] == c), None)
                if not r:
                    cells.append("—")
                    continue
                errs = r["err_connect"] + r["err_read"] + r["err_write"] + r["err_status"] + r["err_timeout"]
                cells.append("%s (%s / %s)%s" % (fmt_n(r["rps"]), fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]),
                                                  " **%d errors**" % errs if errs else ""))
                if s != "nginx" and c in nginx:
                    vs_ng.append(fmt_ratio(ratio(r["rps"], nginx[c]["rps"])))
                if s != "medallion" and med:
                    m, msz = med_rps(size, c)
                    vs_med.append(fmt_ratio(ratio(r["rps"], m)) + ("" if msz == size else " (n=%d)" % msz))
            w("| %s | %s | %s | %s | %s |" % (s, "{:,}".format(size) if s != "nginx" else "static file",
                                            " | ".join(cells), " / ".join(vs_ng) or "—", " / ".join(vs_med) or "—"))
    for size, d in sorted(med.items()):
        if "seq" in d:
            w("| medallion | {:,} | {} (sequential, c=1) | {} | — | — |".format(
                size, fmt_n(d["seq"]), " | ".join("not run" for _ in conns[1:])))
    for r in by[("medallion", "wrk_skipped")]:
        w("")
        w("medallion n={:,}: wrk not run — {}.".format(r["size"], r["reason"]))
    if med_note:
        w("")
        w(med_note + ".")
    w("")

    # ---- ingest -----------------------------------------------------------------------
    w("### Ingest — POST envelopes of 1,000 indicators, one client, sequential")
    w("")
    w("| server | objects (from → to) | POSTs | objects/s (server time) | wall incl. client JSON | vs medallion |")
    w("|---|---|---|---|---|---|")
    med_ing = None
    for r in by[("medallion", "ingest")]:
        med_ing = med_ing or r["objects_per_s"]
    for s in MERIDIAN + ("medallion",):
        tot_o = tot_s = 0
        for r in by[(s, "ingest")]:
            tot_o += r["objects"]
            tot_s += r["post_seconds"]
            w("| %s | %s → %s | %d | %s | %s s | %s |" % (
                s, "{:,}".format(r["from"]), "{:,}".format(r["size"]), r["posts"], fmt_n(r["objects_per_s"]),
                fmt_n(r["wall_seconds"]), fmt_ratio(ratio(r["objects_per_s"], med_ing)) if s != "medallion" else "—"))
        if len(by[(s, "ingest")]) > 1 and s != "medallion":
            w("| %s | **all %s** | | **%s** | | %s |" % (s, "{:,}".format(tot_o), fmt_n(tot_o / tot_s),
                                                     fmt_ratio(ratio(tot_o / tot_s, med_ing))))
    w("")

    # ---- page latency -----------------------------------------------------------------
    w("### Page latency — sequential GET objects/?limit=100 on one connection")
    w("")
    w("`first` = no `next`; `middle` / `last` = the page that starts at the middle / 100 before the end, "
      "reached with the `next` a full walk returned (Meridian's `next` is stateless, so one token is "
      "requested again and again; medallion's is a one-shot server session, so each of its samples walks "
      "there again and only the page request is timed).")
    w("")
    w("| server | stored | page | samples | p50 | p99 | p99 ÷ p99 at the smallest size |")
    w("|---|---|---|---|---|---|---|")
    for s in MERIDIAN + ("medallion",):
        for page in ("first", "middle", "last"):
            rs = sorted(by[(s, "latency_" + page)], key=lambda r: r["size"])
            if not rs:
                continue
            base = rs[0]["p99_ms"]
            for r in rs:
                w("| %s | %s | %s | %d%s | %s | %s | %s |" % (
                    s, "{:,}".format(r["size"]), page, r["samples"], " (budget)" if r.get("stopped_by_budget") else "",
                    fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), fmt_ratio(ratio(r["p99_ms"], base))))
    mf = sorted(by[("medallion", "latency_first")], key=lambda r: r["size"])
    proj = {}
    if len(mf) >= 2 and mf[0]["p50_ms"] and mf[-1]["p50_ms"]:
        n1, t1, n2, t2 = mf[0]["size"], mf[0]["p50_ms"], mf[-1]["size"], mf[-1]["p50_ms"]
        k = math.log(t2 / t1) / math.log(n2 / n1)
        for n in (10000, 100000, 1000000):
            if n > n2:
                proj[n] = t2 * (n / n2) ** k
                w("| medallion | {:,} | first | **projection** | ≈ {} | — | fitted t ∝ n^{:.2f} from n={:,} and n={:,} |"
                  .format(n, fmt_ms(proj[n]), k, n1, n2))
    w("")
    walks = [r for s in MERIDIAN for r in by[(s, "walk")]]
    if walks:
        w("Full walk of the collection with limit=1000 + next (Meridian): " + "; ".join(
            "%s n=%s: %s s (%s objects/s)" % (r["server"], "{:,}".format(r["size"]), fmt_n(r["seconds"]),
                                             fmt_n(r["objects_per_s"])) for r in walks) + ".")
        w("")

    # ---- §8 targets -------------------------------------------------------------------
    w("### PRODUCT.md §8 targets")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    for s in MERIDIAN:
        ws = [r for r in wrk if r["server"] == s]
        if not ws:
            continue
        sizes = sorted({r["size"] for r in ws})
        rat = [(r["size"], r["conns"], ratio(r["rps"], nginx[r["conns"]]["rps"])) for r in ws if r["conns"] in nginx]
        if rat:
            worst = min(rat, key=lambda x: x[2])
            w("| %s: GET throughput ≥ 50%% of nginx | lowest %s of nginx (n=%s, c=%d) | %s |" % (
                s, "{:.1%}".format(worst[2]), "{:,}".format(worst[0]), worst[1], "met" if worst[2] >= 0.5 else "**missed**"))
        if med:
            rm = []
            for r in ws:
                m, msz = med_rps(r["size"], r["conns"])
                if m:
                    rm.append((r["size"], r["conns"], ratio(r["rps"], m), msz))
            if rm:
                worst = min(rm, key=lambda x: x[2])
                w("| %s: GET throughput ≥ 100× medallion | lowest %s (n=%s, c=%d, against medallion n=%s) | %s |" % (
                    s, fmt_ratio(worst[2]), "{:,}".format(worst[0]), worst[1], "{:,}".format(worst[3]),
                    "met" if worst[2] >= 100 else "**missed**"))
        for page in ("first", "middle", "last"):
            rs = sorted(by[(s, "latency_" + page)], key=lambda r: r["size"])
            if len(rs) >= 2:
                r0, r1 = rs[0], rs[-1]
                q = ratio(r1["p99_ms"], r0["p99_ms"])
                w("| %s: %s page p99 at n=%s within 2× of n=%s | %s → %s (%s) | %s |" % (
                    s, page, "{:,}".format(r1["size"]), "{:,}".format(r0["size"]), fmt_ms(r0["p99_ms"]),
                    fmt_ms(r1["p99_ms"]), fmt_ratio(q), "met" if q <= 2 else "**missed**"))
        c64 = [r for r in ws if r["conns"] == 64]
        if c64:
            worst = max(c64, key=lambda r: r["p99_ms"])
            w("| %s: p99 ≤ 50 ms at 64 connections | worst %s (n=%s) | %s |" % (
                s, fmt_ms(worst["p99_ms"]), "{:,}".format(worst["size"]), "met" if worst["p99_ms"] <= 50 else "**missed**"))
        ing = by[(s, "ingest")]
        if ing and s == "meridian-sqlite":
            tot = sum(r["objects"] for r in ing) / sum(r["post_seconds"] for r in ing)
            w("| %s: ingest ≥ 50,000 objects/s | %s objects/s | %s |" % (s, fmt_n(tot), "met" if tot >= 50000 else "**missed**"))
    if not any(by[(s, "wrk")] for s in MERIDIAN):
        w("| Meridian | not run | — |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
