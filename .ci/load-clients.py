#!/usr/bin/env python3
"""Helpers of .ci/load.sh (standard library only).

  load-clients.py seed URL COLLECTION AUTH COUNT IDS_OUT
      POSTs COUNT objects (identities and indicators, envelopes of 100) to the collection and
      writes their ids, one a line, to IDS_OUT (the wrk script GETs them by id).

  load-clients.py slow --host H --port P [--tls] --duration S [--idle N] [--loris N]
                  [--tcp-idle N] [--interval S] [--canary PATH --auth A] --report FILE
      Holds N idle connections (connected, never a byte; on --tls after the handshake),
      N slow-loris connections (a request header that never ends, one byte every --interval s),
      and on --tls N raw TCP connections that never start the TLS handshake; a connection the
      server closes is replaced by a new one of its kind, so the pressure lasts the whole run.
      Meanwhile a canary opens a fresh connection every second and GETs PATH, which must keep
      answering 200. Writes a JSON report: per kind, how many connections were opened (in all,
      replacements included), failed to open, were closed by the server (after how long, with
      what answer), and were open at the end; the canary's results.
"""

import http.client
import json
import socket
import ssl
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

MEDIA = "application/taxii+json;version=2.1"


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def seed(url, collection, auth, count, ids_out):
    ctx = tls_context() if url.startswith("https") else None
    ids = []
    posted = 0
    while posted < count:
        objects = []
        for i in range(min(100, count - posted)):
            n = posted + i
            if n % 2:
                oid = f"identity--{uuid.uuid4()}"
                objects.append({
                    "type": "identity", "spec_version": "2.1", "id": oid,
                    "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                    "name": f"load seed {n}", "identity_class": "organization",
                })
            else:
                oid = f"indicator--{uuid.uuid4()}"
                objects.append({
                    "type": "indicator", "spec_version": "2.1", "id": oid,
                    "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                    "name": f"load seed {n}", "pattern_type": "stix",
                    "pattern": f"[ipv4-addr:value = '10.0.{n // 250 % 250}.{n % 250 + 1}']",
                    "valid_from": "2026-01-01T00:00:00.000Z",
                })
            ids.append(oid)
        body = json.dumps({"objects": objects}).encode()
        req = urllib.request.Request(
            f"{url}/taxii2/hub/collections/{collection}/objects/", data=body, method="POST",
            headers={"Authorization": auth, "Accept": MEDIA, "Content-Type": MEDIA})
        with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
            status = json.load(r)
            if r.status != 202 or status.get("success_count") != len(objects):
                sys.exit(f"seed: POST answered {r.status}: {json.dumps(status)[:400]}")
        posted += len(objects)
    with open(ids_out, "w") as f:
        f.write("\n".join(ids) + "\n")
    print(f"seeded {posted} objects")


class Slow:
    """One deliberately slow connection."""

    def __init__(self, kind):
        self.kind = kind
        self.sock = None
        self.opened = None
        self.closed = None
        self.open_error = None
        self.answer = b""
        self.sent = 0


LORIS = b"GET /taxii2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100000


def open_slow(conn, host, port, ctx):
    try:
        s = socket.create_connection((host, port), timeout=10)
        if ctx is not None and conn.kind in ("idle", "loris"):
            s = ctx.wrap_socket(s, server_hostname=host)  # the handshake, within 10 s
        s.setblocking(False)
        conn.sock = s
        conn.opened = time.monotonic()
    except OSError as e:
        conn.open_error = f"{type(e).__name__}: {e}"


def canary(host, port, ctx, path, auth, stop, results):
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            if ctx is None:
                c = http.client.HTTPConnection(host, port, timeout=5)
            else:
                c = http.client.HTTPSConnection(host, port, timeout=5, context=ctx)
            c.request("GET", path, headers={"Authorization": auth, "Accept": MEDIA})
            r = c.getresponse()
            r.read()
            c.close()
            results.append({"t": t0, "ok": r.status == 200, "status": r.status,
                            "ms": (time.monotonic() - t0) * 1000})
        except Exception as e:  # noqa: BLE001 - every failure is a result
            results.append({"t": t0, "ok": False, "error": f"{type(e).__name__}: {e}",
                            "ms": (time.monotonic() - t0) * 1000})
        stop.wait(max(0.0, 1.0 - (time.monotonic() - t0)))


def slow(args):
    host, port, tls = args["host"], int(args["port"]), "tls" in args
    duration, interval = float(args["duration"]), float(args.get("interval", 3))
    ctx = tls_context() if tls else None
    conns = []
    # Raw TCP first (on TLS they never start the handshake): if one of them blocks the
    # server's accept loop, everything after it shows it.
    for kind, n in (("tcp-idle", int(args.get("tcp-idle", 0)) if tls else 0),
                    ("idle", int(args.get("idle", 0))), ("loris", int(args.get("loris", 0)))):
        conns += [Slow(kind) for _ in range(n)]
    start = time.monotonic()
    stop = threading.Event()
    results = []
    probe = None
    if "canary" in args:
        probe = threading.Thread(target=canary, args=(host, port, ctx, args["canary"],
                                                       args["auth"], stop, results), daemon=True)
        probe.start()
    pool = ThreadPoolExecutor(max_workers=32)
    for f in [pool.submit(open_slow, c, host, port, ctx) for c in conns]:
        f.result()
    opened_in = time.monotonic() - start
    next_byte = time.monotonic()
    replaced = set()
    while time.monotonic() - start < duration:
        # Replace what the server closed (or failed to open), once per connection.
        for i, c in enumerate(list(conns)):
            if i not in replaced and (c.closed is not None or c.open_error is not None):
                replaced.add(i)
                fresh = Slow(c.kind)
                conns.append(fresh)
                pool.submit(open_slow, fresh, host, port, ctx)
        alive = [c for c in conns if c.sock is not None and c.closed is None]
        now = time.monotonic()
        if now >= next_byte:
            next_byte = now + interval
            for c in alive:
                if c.kind == "loris" and c.sent < len(LORIS):
                    try:
                        c.sent += c.sock.send(LORIS[c.sent:c.sent + 1])
                    except (ssl.SSLWantWriteError, BlockingIOError):
                        pass
                    except OSError:
                        c.closed = time.monotonic()
        # Anything the server sends (an error answer) or a close.
        for c in alive:
            if c.closed is not None:
                continue
            try:
                data = c.sock.recv(4096)
                if data:
                    c.answer += data[:200]
                else:
                    c.closed = time.monotonic()
            except (ssl.SSLWantReadError, BlockingIOError):
                pass
            except OSError:
                c.closed = time.monotonic()
        time.sleep(0.2)
    stop.set()
    pool.shutdown(wait=True, cancel_futures=True)
    if probe:
        probe.join(timeout=10)
    report = {"opened_in_s": round(opened_in, 2), "kinds": {}, "canary": {}}
    for kind in ("tcp-idle", "idle", "loris"):
        mine = [c for c in conns if c.kind == kind]
        if not mine:
            continue
        closed = [c for c in mine if c.closed is not None]
        lifetimes = sorted(c.closed - c.opened for c in closed)
        answers = {}
        for c in closed:
            line = c.answer.split(b"\r\n", 1)[0].decode("latin-1") or "(closed without answer)"
            answers[line] = answers.get(line, 0) + 1
        errors = {}
        for c in mine:
            if c.open_error:
                errors[c.open_error] = errors.get(c.open_error, 0) + 1
        report["kinds"][kind] = {
            "wanted": int(args.get(kind, 0)),
            "opened": sum(c.opened is not None for c in mine),
            "open_errors": errors,
            "closed_by_server": len(closed),
            "median_lifetime_s": round(lifetimes[len(lifetimes) // 2], 1) if lifetimes else None,
            "answers": answers,
            "open_at_end": sum(c.opened is not None and c.closed is None for c in mine),
        }
    for c in conns:
        if c.sock is not None:
            try:
                c.sock.close()
            except OSError:
                pass
    failures = [r for r in results if not r["ok"]]
    report["canary"] = {
        "requests": len(results),
        "ok": len(results) - len(failures),
        "max_ms": round(max((r["ms"] for r in results), default=0), 1),
        "failures": [{k: v for k, v in f.items() if k != "t"} for f in failures[:10]],
    }
    with open(args["report"], "w") as f:
        json.dump(report, f, indent=1)


def parse_flags(argv):
    args, i = {}, 0
    while i < len(argv):
        name = argv[i].removeprefix("--")
        if name == "tls":
            args["tls"] = True
            i += 1
        else:
            args[name] = argv[i + 1]
            i += 2
    return args


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "seed" and len(sys.argv) == 7:
        seed(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    elif len(sys.argv) >= 2 and sys.argv[1] == "slow":
        slow(parse_flags(sys.argv[2:]))
    else:
        sys.exit(__doc__)
