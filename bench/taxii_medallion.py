#!/usr/bin/env python3
"""Write a medallion (OASIS reference TAXII 2.1 server, memory backend) configuration.

  taxii_medallion.py --dir DIR --collection UUID --user U --password P \
      [--user2 U2 --password2 P2] [--objects objects.jsonl] [--max-content-length N]

writes DIR/medallion.json (users, taxii max_page_size, backend = MemoryBackend with
filename DIR/data.json) and DIR/data.json: discovery at /taxii2/, one API root "hub"
(medallion's API roots are one path segment: http://HOST:PORT/hub/), one collection with
can_read and can_write true. With --objects, the collection starts with those STIX objects
(one JSON object per line) and their manifest records, as medallion's own add_objects would
write them (date_added one microsecond apart, in file order), so large collections can be
loaded without medallion's quadratic ingest. Run it with `medallion --host 127.0.0.1 --port
PORT DIR/medallion.json`.
"""

import argparse
import datetime as dt
import json
import os


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--collection", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--user2")
    p.add_argument("--password2")
    p.add_argument("--objects", help="JSON lines of STIX objects to preload")
    p.add_argument("--max-content-length", type=int, default=10 * 1024 * 1024)
    p.add_argument("--max-page-size", type=int, default=1000)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    users = {a.user: a.password}
    if a.user2:
        users[a.user2] = a.password2
    objects, manifest = [], []
    if a.objects:
        t = dt.datetime(2026, 1, 1)
        with open(a.objects) as f:
            for i, line in enumerate(f):
                o = json.loads(line)
                objects.append(o)
                manifest.append({
                    "id": o["id"],
                    "date_added": (t + dt.timedelta(microseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "version": o.get("modified") or o.get("created"),
                    "media_type": "application/stix+json;version=2.1",
                })
    data = {
        "/discovery": {
            "title": "medallion (reference) for Meridian's TAXII harness",
            "description": "OASIS reference TAXII 2.1 server, memory backend",
            "contact": "ci@example.invalid",
            "default": "http://127.0.0.1/hub/",
            "api_roots": ["/hub/"],
        },
        "hub": {
            "information": {
                "title": "hub",
                "description": "reference API root",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": a.max_content_length,
            },
            "status": [],
            "collections": [{
                "id": a.collection,
                "title": "conformance",
                "description": "reference collection",
                "can_read": True,
                "can_write": True,
                "media_types": ["application/stix+json;version=2.1"],
                "objects": objects,
                "manifest": manifest,
            }],
        },
    }
    # medallion resolves "default" literally; give it the relative root it lists
    data["/discovery"]["default"] = "/hub/"
    with open(os.path.join(a.dir, "data.json"), "w") as f:
        json.dump(data, f)
    cfg = {
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": os.path.join(a.dir, "data.json"), "session_timeout": 600, "check_interval": 60},
        "users": users,
        "taxii": {"max_page_size": a.max_page_size},
    }
    with open(os.path.join(a.dir, "medallion.json"), "w") as f:
        json.dump(cfg, f, indent=1)


if __name__ == "__main__":
    main()
