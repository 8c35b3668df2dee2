#!/usr/bin/env python3
"""Load driver for bench/taxii.sh (stdlib only: runs in any python3).

  gen     --n N [--seed S] --out FILE.jsonl          N deterministic STIX 2.1 indicators
  ingest  --url OBJECTS_URL --auth A --start I --end J [--batch 1000] [--seed S]
          POST envelopes of BATCH indicators (I..J-1, generated as `gen` does) one after
          the other on one keep-alive connection; the body of each POST is built before its
          clock starts, so only the server's time (request → 202 status) is timed. Every
          status must report every object a success. Prints one JSON line.
  walk    --url OBJECTS_URL --auth A [--limit 1000] [--budget 600]
          pages through the whole collection with limit + next (switching to limit=100 for
          the last 1,100 objects) and prints JSON: count, pages, seconds, and the `next`
          tokens that start the page in the middle and the last page of 100.
  latency --url URL --auth A [--n 300] [--budget 60]
          N sequential GETs of one URL on one keep-alive connection (stops early when
          BUDGET seconds are spent); every answer must be 200 with objects. Prints JSON:
          samples, p50/p99/mean/max in ms, bytes of the last body.
  medallion-next --url OBJECTS_URL --auth A --position P [--limit 100] [--n 300] [--budget 60]
          medallion's `next` is a one-shot server session, so a page deep in the collection
          can only be reached by walking to it: each sample is a fresh query walked with
          next to position P; only the request for the page at P is timed (the walk is
          reported separately).

  objects-url --discovery URL --auth A --collection ID
          prints the collection's objects URL (discovery's default API root, else its first)

A is `basic:USER:PASSWORD` or `bearer:TOKEN`.
"""

import argparse
import base64
import datetime as dt
import hashlib
import http.client
import json
import sys
import time
import urllib.parse
import uuid

TAXII = "application/taxii+json;version=2.1"
BASE = dt.datetime(2026, 1, 1)


_SECOND = [None, None]  # (second, "YYYY-MM-DDTHH:MM:SS") of the last indicator made


def indicator(i, seed=1):
    """Indicator number i: deterministic (seed, i) → same bytes on every run. Created and
    modified are 2026-01-01 plus i milliseconds."""
    h = hashlib.blake2b(b"%d:%d" % (seed, i), digest_size=16).hexdigest()
    u = "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 | (int(h[16], 16) & 3), h[17:20], h[20:32])
    sec, ms = divmod(i, 1000)
    if _SECOND[0] != sec:
        _SECOND[0], _SECOND[1] = sec, (BASE + dt.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S")
    stamp = "%s.%03dZ" % (_SECOND[1], ms)
    return {
        "type": "indicator", "spec_version": "2.1", "id": "indicator--" + u,
        "created": stamp, "modified": stamp,
        "name": "bench indicator %d" % i,
        "indicator_types": ["malicious-activity"],
        "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" % ((i >> 16) & 255, (i >> 8) & 255, i & 255),
        "pattern_type": "stix", "valid_from": stamp,
    }


def auth_header(spec):
    kind, _, rest = spec.partition(":")
    if kind == "basic":
        return "Basic " + base64.b64encode(rest.encode()).decode()
    if kind == "bearer":
        return "Bearer " + rest
    raise SystemExit("--auth must be basic:USER:PASSWORD or bearer:TOKEN")


class Client:
    def __init__(self, url, auth, timeout=600):
        self.u = urllib.parse.urlsplit(url)
        self.auth = auth_header(auth)
        self.timeout = timeout
        self.conn = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.u.hostname, self.u.port or 80, timeout=self.timeout)
        return self.conn

    def request(self, method, path_query, body=None):
        headers = {"Accept": TAXII, "Authorization": self.auth}
        if body is not None:
            headers["Content-Type"] = TAXII
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path_query, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    c.close()
                    self.conn = None
                return r.status, data, r
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                c.close()
                self.conn = None
                if attempt:
                    raise

    def path(self, extra_query=None):
        q = urllib.parse.parse_qsl(self.u.query)
        if extra_query:
            q = [(k, v) for k, v in q if k not in extra_query] + list(extra_query.items())
        return self.u.path + ("?" + urllib.parse.urlencode(q) if q else "")


def pct(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def cmd_gen(a):
    with open(a.out, "w") as f:
        for i in range(a.n):
            f.write(json.dumps(indicator(i, a.seed), separators=(",", ":")) + "\n")


def cmd_ingest(a):
    c = Client(a.url, a.auth)
    posted = posts = 0
    post_s = 0.0
    t0 = time.perf_counter()
    i = a.start
    while i < a.end:
        j = min(a.end, i + a.batch)
        body = json.dumps({"objects": [indicator(k, a.seed) for k in range(i, j)]},
                          separators=(",", ":")).encode()
        s = time.perf_counter()
        code, data, _ = c.request("POST", c.path(), body)
        post_s += time.perf_counter() - s
        if code != 202:
            raise SystemExit("ingest: POST %d..%d -> HTTP %d %r" % (i, j, code, data[:500]))
        st = json.loads(data)
        if st.get("success_count") != j - i and st.get("status") == "complete":
            raise SystemExit("ingest: POST %d..%d: status %r" % (i, j, json.dumps(st)[:500]))
        posted += j - i
        posts += 1
        i = j
        if a.progress and posts % 100 == 0:
            print("ingest: %d objects, %.0f objects/s" % (posted, posted / post_s), file=sys.stderr)
    wall = time.perf_counter() - t0
    print(json.dumps({"objects": posted, "posts": posts, "batch": a.batch, "post_seconds": round(post_s, 3),
                      "wall_seconds": round(wall, 3),
                      "objects_per_s": round(posted / post_s, 1) if post_s else None}))


def cmd_walk(a):
    c = Client(a.url, a.auth)
    pos, pages, token, marks = 0, 0, None, []
    t0 = time.perf_counter()
    total = a.total
    while True:
        limit = a.limit if (total is None or total - pos > 1100) else 100
        q = {"limit": str(limit)}
        if token:
            q["next"] = token
        code, data, _ = c.request("GET", c.path(q))
        if code != 200:
            raise SystemExit("walk: GET %s -> HTTP %d %r" % (c.path(q), code, data[:300]))
        env = json.loads(data)
        n = len(env.get("objects", []))
        pages += 1
        pos += n
        if not env.get("more"):
            break
        token = env.get("next")
        if not token:
            raise SystemExit("walk: more=true without next at position %d" % pos)
        marks.append((pos, token))
        if time.perf_counter() - t0 > a.budget:
            raise SystemExit("walk: budget of %ds spent at position %d" % (a.budget, pos))
    secs = time.perf_counter() - t0
    count = pos

    def nearest(p):
        best = min(marks, key=lambda m: abs(m[0] - p)) if marks else (None, None)
        return {"position": best[0], "next": best[1]}
    print(json.dumps({"count": count, "pages": pages, "seconds": round(secs, 3),
                      "objects_per_s": round(count / secs, 1) if secs else None,
                      "middle": nearest(count // 2), "last": nearest(count - 100)}))


def cmd_latency(a):
    c = Client(a.url, a.auth)
    lat, size = [], 0
    t0 = time.perf_counter()
    for _ in range(a.n):
        s = time.perf_counter()
        code, data, _ = c.request("GET", c.path())
        lat.append(time.perf_counter() - s)
        if code != 200:
            raise SystemExit("latency: GET %s -> HTTP %d %r" % (a.url, code, data[:300]))
        size = len(data)
        if time.perf_counter() - t0 > a.budget:
            break
    env = json.loads(data)
    lat.sort()
    print(json.dumps({"samples": len(lat), "objects": len(env.get("objects", [])), "bytes": size,
                      "p50_ms": round(pct(lat, 50) * 1e3, 3), "p99_ms": round(pct(lat, 99) * 1e3, 3),
                      "mean_ms": round(sum(lat) / len(lat) * 1e3, 3), "max_ms": round(lat[-1] * 1e3, 3),
                      "budget_s": a.budget, "stopped_by_budget": len(lat) < a.n}))


def cmd_medallion_next(a):
    c = Client(a.url, a.auth)
    lat, walks, first = [], [], []
    t0 = time.perf_counter()
    while len(lat) < a.n and time.perf_counter() - t0 < a.budget:
        w0 = time.perf_counter()
        code, data, _ = c.request("GET", c.path({"limit": str(a.limit)}))
        first.append(time.perf_counter() - w0)
        if code != 200:
            raise SystemExit("medallion-next: HTTP %d %r" % (code, data[:300]))
        env = json.loads(data)
        pos = len(env.get("objects", []))
        while env.get("more") and pos < a.position:
            code, data, _ = c.request("GET", c.path({"limit": str(a.limit), "next": env["next"]}))
            env = json.loads(data)
            pos += len(env.get("objects", []))
        if not env.get("more"):
            raise SystemExit("medallion-next: the collection ends before position %d" % a.position)
        s = time.perf_counter()
        code, data, _ = c.request("GET", c.path({"limit": str(a.limit), "next": env["next"]}))
        lat.append(time.perf_counter() - s)
        if code != 200:
            raise SystemExit("medallion-next: HTTP %d %r" % (code, data[:300]))
        walks.append(time.perf_counter() - w0)
    lat.sort()
    print(json.dumps({"samples": len(lat), "position": a.position,
                      "p50_ms": round(pct(lat, 50) * 1e3, 3), "p99_ms": round(pct(lat, 99) * 1e3, 3),
                      "first_page_p50_ms": round(pct(sorted(first), 50) * 1e3, 3),
                      "walk_p50_ms": round(pct(sorted(walks), 50) * 1e3, 3),
                      "budget_s": a.budget, "stopped_by_budget": len(lat) < a.n}))


def cmd_objects_url(a):
    c = Client(a.discovery, a.auth)
    code, data, _ = c.request("GET", c.path())
    if code != 200:
        raise SystemExit("objects-url: GET %s -> HTTP %d %r" % (a.discovery, code, data[:300]))
    d = json.loads(data)
    root = d.get("default") or (d.get("api_roots") or [None])[0]
    if not root:
        raise SystemExit("objects-url: no API root in %r" % d)
    root = urllib.parse.urljoin(a.discovery, root)
    if not root.endswith("/"):
        root += "/"
    print(root + "collections/" + a.collection + "/objects/")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--n", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--out", required=True)
    g.set_defaults(fn=cmd_gen)
    g = sub.add_parser("ingest")
    g.add_argument("--url", required=True)
    g.add_argument("--auth", required=True)
    g.add_argument("--start", type=int, default=0)
    g.add_argument("--end", type=int, required=True)
    g.add_argument("--batch", type=int, default=1000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--progress", action="store_true")
    g.set_defaults(fn=cmd_ingest)
    g = sub.add_parser("walk")
    g.add_argument("--url", required=True)
    g.add_argument("--auth", required=True)
    g.add_argument("--limit", type=int, default=1000)
    g.add_argument("--total", type=int, help="expected size (to switch to limit=100 for the last page)")
    g.add_argument("--budget", type=float, default=600)
    g.set_defaults(fn=cmd_walk)
    g = sub.add_parser("latency")
    g.add_argument("--url", required=True)
    g.add_argument("--auth", required=True)
    g.add_argument("--n", type=int, default=300)
    g.add_argument("--budget", type=float, default=60)
    g.set_defaults(fn=cmd_latency)
    g = sub.add_parser("medallion-next")
    g.add_argument("--url", required=True)
    g.add_argument("--auth", required=True)
    g.add_argument("--position", type=int, required=True)
    g.add_argument("--limit", type=int, default=100)
    g.add_argument("--n", type=int, default=300)
    g.add_argument("--budget", type=float, default=60)
    g.set_defaults(fn=cmd_medallion_next)
    g = sub.add_parser("objects-url")
    g.add_argument("--discovery", required=True)
    g.add_argument("--auth", required=True)
    g.add_argument("--collection", required=True)
    g.set_defaults(fn=cmd_objects_url)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
