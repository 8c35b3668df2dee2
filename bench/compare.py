#!/usr/bin/env python3
"""Check that several answers.json agree and print a Markdown timing table.

    python compare.py answers-meridian.json answers-networkx.json ... [--ref meridian]

The reference is the file whose "peer" is --ref (default: meridian, else the first
file). Every other file is checked against it on the overlap (closure sizes and
foreign counts on the ids both computed; dominator digests and wcc when both have
them). Exit status 1 on any disagreement, 0 otherwise. A file with "peer": "oracle"
(oracle.py: all foreign assets, all sample ids) is checked but left out of the table.
Ratios are peer time / reference time: "~" marks a linear projection from a
partial run, ">" a lower bound (dominator run killed at its budget).
"""
import argparse
import json
import sys

OPS = ["load", "closure_sizes", "foreign_ncf_counts", "dominators", "wcc"]


def fmt_s(t):
    if t is None:
        return "—"
    if t >= 100:
        return f"{t:,.0f} s"
    if t >= 10:
        return f"{t:.1f} s"
    if t >= 0.1:
        return f"{t:.2f} s"
    return f"{t * 1000:.1f} ms"


def mark(ans, op):
    p = (ans.get("projected") or {}).get(op) or {}
    if p.get("timed_out"):
        return ">"
    if p.get("projected"):
        return "~"
    return ""


def cell(ans, op, ref):
    t = (ans.get("timings_s") or {}).get(op)
    if t is None:
        return "—"
    m = mark(ans, op)
    p = (ans.get("projected") or {}).get(op) or {}
    s = m + fmt_s(t)
    if p.get("projected"):
        f = p.get("fraction", 0)
        s += (f" ({100 * f:.1f}% done)" if f >= 0.001 else
              f" ({p.get('done', '?'):,} of {p.get('total', '?'):,} done)")
    if ref is not None and ref is not ans:
        rt = (ref.get("timings_s") or {}).get(op)
        if rt and not mark(ref, op):
            s += f" ×{m}{t / rt:,.1f}" if t / rt < 100 else f" ×{m}{t / rt:,.0f}"
    return s


def check(ref, other):
    """Return (list of problems, list of notes)."""
    bad, notes = [], []
    rn, on = ref["peer"], other["peer"]
    for k in ("n_assets", "n_deps"):
        if ref.get(k) != other.get(k):
            bad.append(f"{k}: {rn} {ref.get(k)} vs {on} {other.get(k)}")
    for key in ("closure_sizes", "foreign_ncf_counts"):
        a, b = ref.get(key) or {}, other.get(key) or {}
        common = a.keys() & b.keys()
        diff = [i for i in common if a[i] != b[i]]
        if diff:
            ex = ", ".join(f"{i}: {a[i]} vs {b[i]}" for i in sorted(diff)[:5])
            bad.append(f"{key}: {len(diff)} of {len(common)} differ ({rn} vs {on}: {ex})")
        elif a and b and not common:
            bad.append(f"{key}: no ids in common between {rn} and {on}")
        else:
            notes.append(f"{key}: {len(common)} ids equal")
    da, db = ref.get("dominators_sha256"), other.get("dominators_sha256")
    if da and db:
        if da != db:
            bad.append(f"dominators_sha256: {rn} {da} vs {on} {db}")
        else:
            notes.append("dominators digest equal")
    else:
        notes.append("dominators not compared (missing or timed out)")
    wa, wb = ref.get("wcc"), other.get("wcc")
    if wa and wb:
        if (wa.get("count"), wa.get("top10"), wa.get("sizes_sha256")) != \
                (wb.get("count"), wb.get("top10"), wb.get("sizes_sha256")):
            bad.append(f"wcc: {rn} {wa} vs {on} {wb}")
        else:
            notes.append("wcc equal")
    return bad, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("answers", nargs="+")
    ap.add_argument("--ref", default="meridian")
    a = ap.parse_args()
    ans = []
    for p in a.answers:
        with open(p) as f:
            ans.append(json.load(f))
    ref = next((x for x in ans if x.get("peer") == a.ref), ans[0])
    others = [x for x in ans if x is not ref]
    failed = False
    print(f"## Answers (reference: {ref['peer']})\n")
    for o in others:
        bad, notes = check(ref, o)
        failed |= bool(bad)
        status = "**DISAGREE**" if bad else "agree"
        print(f"- {o['peer']} vs {ref['peer']}: {status} — " + "; ".join(bad or notes))
    if not others:
        print("- only one answer file; nothing to compare")
    n, m = ref.get("n_assets"), ref.get("n_deps")
    print(f"\n## Timings ({n:,} assets, {m:,} dependencies)\n")
    # the numpy/scipy oracle (oracle.py) is checked like the others but is no peer
    cols = [c for c in [ref] + others if c is ref or c.get("peer") != "oracle"]
    ratio_ref = ref if ref.get("peer") == a.ref else None
    head = ["op"] + [f"{c['peer']} {c.get('version', '')}".strip() for c in cols]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for op in OPS:
        print("| " + " | ".join([op] + [cell(c, op, ratio_ref) for c in cols]) + " |")
    rss = [f"{c.get('max_rss_mib', '—')} MiB" for c in cols]
    print("| max RSS | " + " | ".join(rss) + " |")
    print("\n`~` linear projection from the fraction done within the budget; "
          "`>` lower bound (killed at the budget); "
          + ("×r = peer time / " + ref["peer"] + " time." if ratio_ref else
             "no Meridian answers: no ratios."))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
