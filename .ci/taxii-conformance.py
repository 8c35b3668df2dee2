#!/usr/bin/env python3
"""TAXII 2.1 conformance of a running server, driven by the OASIS client `taxii2-client`.

Starts nothing. Given the server's discovery URL, one collection id and the credentials of
  (a) a partner with read + write on that collection at a high TLP ceiling, and
  (b) an outsider partner with no agreement on it,
it drives every TAXII 2.1 endpoint with `taxii2client.v21` (Server, ApiRoot, Collection,
as_pages) and checks the answers against OASIS TAXII 2.1 (sections cited per check); the
error cases (401/403/404/406/413/415/400) are sent with `requests` directly. Every STIX
object any response carries is collected and must pass
`stix2validator.validate_parsed_json(obj, ValidationOptions(version="2.1"))`.

One line per check (PASS/FAIL/DEVIATION), then `taxii-conformance: N passed, N failed`.
Exit 0 only if nothing failed.

Needs a venv with: taxii2-client, stix2, stix2-validator==3.2.0 (3.3.1's wheel ships without
its schemas, oasis-open/cti-stix-validator#248).

Usage:
  taxii-conformance.py --url http://127.0.0.1:8080/taxii2/ --collection UUID \
      --user cert-de --token mrd_… --outsider-user cert-xx --outsider-token mrd_…
or the same through TAXII_URL, TAXII_COLLECTION, TAXII_USER, TAXII_TOKEN,
TAXII_OUTSIDER_USER, TAXII_OUTSIDER_TOKEN.

--reference-medallion: the server is medallion (the OASIS reference server, memory backend).
Only then are medallion's known deviations (listed in MEDALLION_DEVIATIONS) reported as
DEVIATION instead of FAIL. Never for Meridian.
"""

import argparse
import datetime as dt
import json
import os
import select
import socket
import sys
import time
import traceback
import urllib.parse
import uuid

import requests
import requests.auth
import stix2
from stix2validator import ValidationOptions, validate_parsed_json
from taxii2client.common import _HTTPConnection
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

TAXII = "application/taxii+json;version=2.1"
STIX21 = "application/stix+json;version=2.1"
TLP2_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP2_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"

# What medallion 3.0.0 (memory backend) is known not to do; tolerated only with
# --reference-medallion. Keys are used by the checks below.
MEDALLION_DEVIATIONS = {
    "no-validation": "medallion stores any JSON object: it does not validate STIX, so the invalid object is accepted",
    "no-acl": "medallion has no per-user access control (can_read/can_write are per collection, for every user)",
    "no-bearer": "medallion only knows HTTP Basic (flask-httpauth); Bearer tokens are refused",
    "auth-error-body": "medallion's 401 comes from flask-httpauth: text 'Unauthorized Access', not a TAXII error resource",
    "no-limit-400": "medallion does not reject this limit value",
    "not-json-500": "medallion answers a non-JSON POST body with Flask's default 400 HTML page or 500, not a TAXII error",
}


# Gaps of the server under test that are known and reported but not fixed yet; a run names
# them with --known-gap KEY to go on passing meanwhile (printed as KNOWN-GAP in every run).
KNOWN_GAPS = {
    "version-combined": "match[version] combining first/last with each other or with timestamps "
                        "(TAXII 2.1 §3.4: several values of a match field are ORed; STANDARDS.md 3.1 "
                        "'combinable'; medallion supports it)",
}


def now_ms():
    t = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return t.replace(microsecond=(t.microsecond // 1000) * 1000)


def ts(t):
    """STIX timestamp, millisecond precision."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def parse_ts(s):
    """Parse a STIX/TAXII timestamp (any sub-second precision) to a comparable datetime."""
    s = s.rstrip("Z")
    if "." in s:
        base, frac = s.split(".", 1)
        frac = (frac + "000000")[:6]
        s = base + "." + frac
    else:
        s = s + ".000000"
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f")


def obj_version(o):
    return o.get("modified") or o.get("created")


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, r):
        r.headers["Authorization"] = "Bearer " + self.token
        return r


class Recorder:
    """A requests response hook: remembers the last response (status, headers) and
    collects every STIX object in any JSON body that carries `objects`."""

    def __init__(self):
        self.last = None
        self.served = []  # (url, object)
        self.run = None

    def hook(self, resp, *args, **kwargs):
        self.last = resp
        if self.run is not None:
            self.run.suppress = False
        self.collect(resp)
        return resp

    def collect(self, resp):
        ctype = resp.headers.get("Content-Type", "")
        if resp.status_code != 200 or "json" not in ctype:
            return
        try:
            body = resp.json()
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("objects"), list):
            for o in body["objects"]:
                # manifests carry manifest records (no "type"), envelopes carry STIX objects
                if isinstance(o, dict) and "type" in o:
                    self.served.append((resp.url, o))


class Guard:
    """A taxii2-client Collection whose failed requests (HTTP 4xx/5xx) are reported as one FAIL
    with the request and response; the checks that read that answer are then skipped (until
    the next response), and the run goes on."""

    def __init__(self, run, col):
        self._run, self._col = run, col

    def __getattr__(self, name):
        fn = getattr(self._col, name)
        if not callable(fn):
            return fn

        def wrapped(*args, **kwargs):
            gap = kwargs.pop("_gap", None)
            try:
                return fn(*args, **kwargs)
            except requests.HTTPError as e:
                what = ", ".join([repr(x) for x in args] + ["%s=%r" % kv for kv in kwargs.items()])
                self._run.check("Collection.%s(%s) answered" % (name, what), False, self._run.describe(e.response),
                                gap=gap)
                self._run.suppress = True
                return {}
        return wrapped


class Run:
    def __init__(self, args):
        self.a = args
        self.passed = 0
        self.failed = []
        self.deviations = []
        self.rec = Recorder()
        self.rec.run = self
        self.suppress = False
        self.skipped = 0
        self.gaps = []
        self._env1_manifest = None
        self.post_resp_code = None
        self.post_resp = None

    # ---- reporting -------------------------------------------------------------------
    def check(self, name, ok, detail="", medallion=None, gap=None):
        """One check. `medallion` names a known medallion deviation: tolerated only with
        --reference-medallion. `gap` names a known, reported gap of the server under test
        (KNOWN_GAPS): tolerated only when named with --known-gap."""
        if self.suppress:
            print("SKIP  %s  (its request failed, reported above)" % name)
            self.skipped += 1
            return False
        if ok:
            self.passed += 1
            print("PASS  %s" % name)
            if gap and gap in self.a.known_gap:
                print("      known gap %r passes now: drop --known-gap %s" % (gap, gap))
            return True
        if gap and gap in self.a.known_gap:
            self.gaps.append((name, gap, detail))
            print("KNOWN-GAP (%s: %s)  %s  -- %s" % (gap, KNOWN_GAPS[gap], name, detail))
            return False
        if medallion and self.a.reference_medallion:
            self.deviations.append((name, medallion, detail))
            print("DEVIATION (medallion: %s)  %s  -- %s" % (MEDALLION_DEVIATIONS.get(medallion, medallion), name, detail))
            return False
        self.failed.append((name, detail))
        print("FAIL  %s  -- %s" % (name, detail))
        return False

    # ---- HTTP helpers ----------------------------------------------------------------
    def session(self, auth="a"):
        s = requests.Session()
        s.hooks["response"].append(self.rec.hook)
        if auth == "a":
            s.auth = (self.a.user, self.a.token)
        elif auth == "bearer":
            s.auth = BearerAuth(self.a.token)
        elif auth == "outsider":
            s.auth = (self.a.outsider_user, self.a.outsider_token)
        return s

    def describe(self, resp):
        body = resp.text
        if len(body) > 600:
            body = body[:600] + "…(%d bytes)" % len(resp.content)
        return "%s %s -> %d %s %r" % (resp.request.method, resp.request.url, resp.status_code,
                                       resp.headers.get("Content-Type", ""), body)

    def error_resource(self, name, resp, code, medallion=None, code_medallion=None):
        """TAXII 2.1 §3.6.1: the error resource has `title` (required) and, if present,
        `http_status` (a string) equal to the HTTP status."""
        ok_code = resp.status_code == code
        self.check("%s: HTTP %d" % (name, code), ok_code, self.describe(resp), medallion=code_medallion)
        if not ok_code and code_medallion and self.a.reference_medallion:
            return
        body = None
        try:
            body = resp.json()
        except ValueError:
            pass
        ok = (isinstance(body, dict) and isinstance(body.get("title"), str) and body["title"] != ""
              and str(body.get("http_status")) == str(resp.status_code)
              and isinstance(body.get("http_status"), str))
        self.check("%s: body is a TAXII error resource (title, http_status \"%d\"), media type %s"
                   % (name, resp.status_code, TAXII),
                   ok and resp.headers.get("Content-Type", "").replace(" ", "").startswith("application/taxii+json"),
                   self.describe(resp), medallion=medallion)

    def taxii_ct(self, name, resp):
        ct = resp.headers.get("Content-Type", "").replace(" ", "")
        self.check("%s: Content-Type %s" % (name, TAXII), ct == TAXII, "got %r" % ct)

    # ---- data ------------------------------------------------------------------------
    def make_objects(self):
        t0 = now_ms() - dt.timedelta(minutes=10)
        self.t0 = t0
        run = uuid.uuid4().hex[:8]
        ident = {"type": "identity", "spec_version": "2.1", "id": "identity--%s" % uuid.uuid4(),
                 "created": ts(t0), "modified": ts(t0), "name": "Meridian TAXII conformance %s" % run,
                 "identity_class": "organization"}
        ind_id = "indicator--%s" % uuid.uuid4()
        versions = []
        for k in range(3):
            versions.append({
                "type": "indicator", "spec_version": "2.1", "id": ind_id,
                "created": ts(t0), "modified": ts(t0 + dt.timedelta(seconds=k, milliseconds=123)),
                "created_by_ref": ident["id"], "name": "CI indicator %s v%d" % (run, k + 1),
                "indicator_types": ["malicious-activity"],
                "pattern": "[ipv4-addr:value = '198.51.100.%d']" % (k + 1), "pattern_type": "stix",
                "valid_from": ts(t0)})
        malware = {"type": "malware", "spec_version": "2.1", "id": "malware--%s" % uuid.uuid4(),
                   "created": ts(t0), "modified": ts(t0), "name": "CI malware %s" % run,
                   "is_family": False, "malware_types": ["trojan"]}
        rel = {"type": "relationship", "spec_version": "2.1", "id": "relationship--%s" % uuid.uuid4(),
               "created": ts(t0), "modified": ts(t0), "relationship_type": "indicates",
               "source_ref": ind_id, "target_ref": malware["id"]}
        ap = {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--%s" % uuid.uuid4(),
              "created": ts(t0), "modified": ts(t0), "name": "CI attack pattern %s" % run,
              "object_marking_refs": [TLP2_CLEAR]}
        coa = {"type": "course-of-action", "spec_version": "2.1", "id": "course-of-action--%s" % uuid.uuid4(),
               "created": ts(t0), "modified": ts(t0), "name": "CI course of action %s" % run,
               "object_marking_refs": [TLP2_AMBER]}
        camp = {"type": "campaign", "spec_version": "2.1", "id": "campaign--%s" % uuid.uuid4(),
                "created": ts(t0), "modified": ts(t0), "name": "CI campaign to delete %s" % run}
        value = "198.51.%d.%d" % (uuid.uuid4().int % 250 + 1, uuid.uuid4().int % 250 + 1)
        sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": stix2.IPv4Address(value=value).id,
               "value": value}
        self.ident, self.ind_id, self.ind_versions = ident, ind_id, versions
        self.malware, self.rel, self.ap, self.coa, self.camp, self.sco = malware, rel, ap, coa, camp, sco
        self.env1 = [ident] + versions + [malware, rel, ap, coa, camp, sco]
        # envelope 2: two valid objects and one invalid (an indicator without pattern,
        # pattern_type and valid_from: STIX 2.1 §4.7 requires them)
        tool = {"type": "tool", "spec_version": "2.1", "id": "tool--%s" % uuid.uuid4(),
                "created": ts(t0), "modified": ts(t0), "name": "CI tool %s" % run}
        ta = {"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--%s" % uuid.uuid4(),
              "created": ts(t0), "modified": ts(t0), "name": "CI threat actor %s" % run}
        bad = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid4(),
               "created": ts(t0), "modified": ts(t0), "name": "CI invalid indicator %s" % run}
        self.env2_valid = [tool, ta]
        self.bad = bad
        self.env2 = [tool, bad, ta]
        for o in self.env1 + self.env2_valid:
            r = validate_parsed_json(o, ValidationOptions(version="2.1"))
            if not r.is_valid:
                raise SystemExit("internal error: test object %s is not valid STIX: %s" % (o["id"], r.as_dict()))
        r = validate_parsed_json(bad, ValidationOptions(version="2.1"))
        if r.is_valid:
            raise SystemExit("internal error: the invalid test object passes the validator")

    # ---- the run ---------------------------------------------------------------------
    def main(self):
        a = self.a
        self.make_objects()
        url = a.url if a.url.endswith("/") else a.url + "/"

        # one taxii2-client connection (Basic: partner id + token), hooked to see every response
        conn = _HTTPConnection(a.user, a.token, version="2.1")
        conn.session.hooks["response"].append(self.rec.hook)

        # §4.1 discovery
        server = Server(url, conn=conn)
        self.check("4.1 discovery: title %r" % server.title, bool(server.title))
        self.taxii_ct("4.1 discovery", self.rec.last)
        roots = [urllib.parse.urljoin(url, r.url) for r in server.api_roots]
        self.check("4.1 discovery: api_roots %s" % roots, len(roots) > 0)
        raw = server._raw
        root_url = None
        if a.api_root:
            root_url = urllib.parse.urljoin(url, a.api_root)
            root_url = root_url if root_url.endswith("/") else root_url + "/"
        elif raw.get("default"):
            root_url = urllib.parse.urljoin(url, raw["default"])
        elif roots:
            root_url = roots[0]
        self.check("4.1 discovery: the API root %s is listed" % root_url, root_url in roots,
                   "api_roots=%s" % roots)
        if raw.get("default"):
            self.check("4.1 discovery: default is one of api_roots",
                       raw["default"] in raw.get("api_roots", []), json.dumps(raw))

        # §4.2 API root
        api = ApiRoot(root_url, conn=conn)
        self.check("4.2 api root: title %r" % api.title, bool(api.title))
        self.taxii_ct("4.2 api root", self.rec.last)
        self.check("4.2 api root: versions %s include %s" % (api.versions, TAXII), TAXII in api.versions)
        mcl = api.max_content_length
        self.check("4.2 api root: max_content_length %r is a positive integer" % mcl,
                   isinstance(mcl, int) and not isinstance(mcl, bool) and mcl > 0)

        # §5.1 collections
        cols = api.collections
        self.taxii_ct("5.1 collections", self.rec.last)
        mine = [c for c in cols if c.id == a.collection]
        self.check("5.1 collections: %d listed, %s among them" % (len(cols), a.collection), len(mine) == 1,
                   "ids=%s" % [c.id for c in cols])
        if mine:
            self.check("5.1 collections: can_read and can_write true for the read+write partner",
                       mine[0].can_read is True and mine[0].can_write is True, json.dumps(mine[0]._raw))

        # §5.2 collection
        col_url = root_url + "collections/" + a.collection + "/"
        col = Collection(col_url, conn=conn)
        col.refresh()
        self.taxii_ct("5.2 collection", self.rec.last)
        self.check("5.2 collection: id, title %r, can_read, can_write" % col.title,
                   col.id == a.collection and bool(col.title) and col.can_read is True and col.can_write is True,
                   json.dumps(col._raw))
        if col.media_types:
            self.check("5.2 collection: media_types %s include %s" % (col.media_types, STIX21),
                       STIX21 in col.media_types)

        self.api, self.col, self.root_url, self.col_url, self.mcl = api, col, root_url, col_url, mcl

        # each part runs even if an earlier one broke off (its later checks may then fail too)
        for part in (self.add_objects, self.post_invalid, self.repost, self.filters, self.pagination, self.manifest,
                     self.object_endpoints, self.errors, self.validate_served):
            self.suppress = False
            try:
                part()
            except Exception as e:  # noqa: BLE001 - report and go on
                self.broke_off(part.__name__, e)

    def broke_off(self, part, e):
        resp = self.rec.last
        detail = "%s: %s" % (type(e).__name__, e)
        if resp is not None:
            detail += "\n      last response: " + self.describe(resp)
        traceback.print_exc()
        self.check("%s ran to its end" % part, False, detail)

    # §5.5 add objects, §4.3 status
    def status_checks(self, name, st, total, success, failure, ids_ok=None):
        raw = st._raw
        self.check("%s: HTTP 202" % name, self.post_code == 202, "got %s" % self.post_code)
        self.check("%s: status %s, total_count %s success_count %s failure_count %s pending_count %s"
                   % (name, st.status, st.total_count, st.success_count, st.failure_count, st.pending_count),
                   st.status == "complete" and st.total_count == total and st.success_count == success
                   and st.failure_count == failure and st.pending_count == 0,
                   "expected complete %d/%d/%d/0: %s" % (total, success, failure, json.dumps(raw)[:800]))
        again = self.api.get_status(st.id)
        self.taxii_ct("%s: GET status/%s/" % (name, st.id), self.rec.last)
        same = (again.id == st.id and again.status == st.status and again.total_count == st.total_count
                and again.success_count == st.success_count and again.failure_count == st.failure_count
                and again.pending_count == st.pending_count
                and sorted(json.dumps(x, sort_keys=True) for x in again.successes)
                == sorted(json.dumps(x, sort_keys=True) for x in st.successes)
                and sorted(json.dumps(x, sort_keys=True) for x in again.failures)
                == sorted(json.dumps(x, sort_keys=True) for x in st.failures))
        self.check("%s: GET status/{id}/ gives the same status resource" % name, same,
                   "POST: %s\nGET: %s" % (json.dumps(raw)[:800], json.dumps(again._raw)[:800]))
        return raw

    def post(self, objects, name):
        st = self.col.add_objects({"objects": objects}, wait_for_completion=True, poll_interval=0.2, timeout=30)
        # the hook saw the POST (and any status polls); find the POST's code
        self.post_code = self.post_resp_code
        return st

    def add_objects(self):
        # watch the POST's status code through a dedicated hook
        def post_hook(resp, *args, **kwargs):
            if resp.request.method == "POST":
                self.post_resp_code = resp.status_code
                self.post_resp = resp
        self.col._conn.session.hooks["response"].append(post_hook)

        # envelope 1: 10 valid objects, one indicator in 3 versions, a relationship, an SCO
        st = self.post(self.env1, "5.5 POST envelope of %d valid objects" % len(self.env1))
        self.taxii_ct("5.5 POST objects", self.post_resp)
        self.status_checks("5.5 POST %d valid objects" % len(self.env1), st, len(self.env1), len(self.env1), 0)
        got = {(d.get("id"), d.get("version")) for d in st.successes}
        want_versioned = {(o["id"], o["modified"]) for o in self.env1 if "modified" in o}
        self.check("4.3 status: successes list every (id, version) posted",
                   want_versioned <= got and self.sco["id"] in {i for i, _ in got},
                   "missing %s" % sorted(want_versioned - got))
        time.sleep(0.05)

    def post_invalid(self):
        # envelope 2: two valid + one invalid
        st = self.post(self.env2, "5.5 POST with one invalid object")
        name = "5.5 POST 2 valid + 1 invalid"
        raw = st._raw
        self.check("%s: HTTP 202" % name, self.post_code == 202, self.describe(self.post_resp))
        self.check("%s: total_count 3, success_count 2, failure_count 1, pending_count 0" % name,
                   st.total_count == 3 and st.success_count == 2 and st.failure_count == 1 and st.pending_count == 0,
                   json.dumps(raw)[:800], medallion="no-validation")
        fails = [f for f in st.failures if f.get("id") == self.bad["id"]]
        self.check("%s: failures lists the invalid object with a message" % name,
                   len(fails) == 1 and isinstance(fails[0].get("message"), str) and fails[0]["message"] != "",
                   json.dumps(st.failures)[:800], medallion="no-validation")
        if fails:
            print("      (server's reason: %r)" % fails[0].get("message"))
        self.check("%s: the valid ones are in successes" % name,
                   {o["id"] for o in self.env2_valid} <= {d.get("id") for d in st.successes}, json.dumps(raw)[:800])
        again = self.api.get_status(st.id)
        self.check("%s: GET status/{id}/ gives the same counts" % name,
                   (again.total_count, again.success_count, again.failure_count, again.pending_count)
                   == (st.total_count, st.success_count, st.failure_count, st.pending_count),
                   json.dumps(again._raw)[:800])
        env = Guard(self, self.col).get_objects(id=[o["id"] for o in self.env2_valid])
        self.check("%s: the valid ones are stored" % name,
                   {o["id"] for o in env.get("objects", [])} == {o["id"] for o in self.env2_valid},
                   json.dumps(env)[:800])
        r = self.session().get(self.col_url + "objects/" + self.bad["id"] + "/", headers={"Accept": TAXII})
        stored_bad = r.status_code == 200 and r.json().get("objects")
        self.check("%s: the invalid one is not stored (GET objects/{id}/ -> 404)" % name, r.status_code == 404,
                   self.describe(r), medallion="no-validation")
        if stored_bad and self.a.reference_medallion:
            # medallion stored it; remove it so the served-objects validation below only
            # judges what a conforming server would serve
            self.col.delete_object(self.bad["id"])
            self.rec.served = [(u, o) for (u, o) in self.rec.served if o.get("id") != self.bad["id"]]

    def repost(self):
        # re-POST envelope 1: idempotent
        man_before = self.manifest_records(id=[o["id"] for o in self.env1], version="all")
        time.sleep(0.05)
        st = self.post(self.env1, "5.5 re-POST")
        name = "5.5 re-POST the same %d objects" % len(self.env1)
        self.check("%s: HTTP 202" % name, self.post_code == 202, self.describe(self.post_resp))
        self.check("%s: total_count %d = success + failure + pending" % (name, len(self.env1)),
                   st.total_count == len(self.env1)
                   and st.success_count + st.failure_count + st.pending_count == st.total_count,
                   json.dumps(st._raw)[:800])
        print("      (server counted the re-posted objects as %d successes, %d failures)"
              % (st.success_count, st.failure_count))
        man_after = self.manifest_records(id=[o["id"] for o in self.env1], version="all")
        keys_before = sorted((m["id"], m["version"]) for m in man_before)
        keys_after = sorted((m["id"], m["version"]) for m in man_after)
        self.check("%s: manifest has %d records before and after, no duplicate" % (name, len(self.env1)),
                   keys_before == keys_after and len(keys_after) == len(self.env1)
                   and len(set(keys_after)) == len(keys_after),
                   "before %s\nafter %s" % (keys_before, keys_after))
        self.check("%s: date_added unchanged" % name,
                   sorted((m["id"], m["version"], m["date_added"]) for m in man_before)
                   == sorted((m["id"], m["version"], m["date_added"]) for m in man_after),
                   "before %s\nafter %s" % (man_before, man_after))
        self.env1_manifest = man_after

    @property
    def env1_manifest(self):
        if self._env1_manifest is None:
            self._env1_manifest = self.manifest_records(id=[o["id"] for o in self.env1], version="all")
        return self._env1_manifest

    @env1_manifest.setter
    def env1_manifest(self, v):
        self._env1_manifest = v

    def manifest_records(self, **kw):
        out = []
        for page in as_pages(self.col.get_manifest, per_request=100, **kw):
            out.extend(page.get("objects", []))
        return out

    # §5.4 get objects with filters
    def filters(self):
        col, v = Guard(self, self.col), self.ind_versions
        vs = [o["modified"] for o in v]
        env = col.get_objects()
        self.taxii_ct("5.4 GET objects", self.rec.last)
        self.check("5.4 GET objects: envelope with objects (%d)" % len(env.get("objects", [])),
                   isinstance(env.get("objects"), list) and len(env["objects"]) > 0, json.dumps(env)[:500])
        if "more" in env:
            self.check("5.4 GET objects: more is a boolean", isinstance(env["more"], bool), repr(env["more"]))

        env = col.get_objects(type="indicator")
        objs = env.get("objects", [])
        self.check("5.4 match[type]=indicator: only indicators",
                   objs and all(o["type"] == "indicator" for o in objs), str([o.get("id") for o in objs])[:500])
        mine = [o for o in objs if o["id"] == self.ind_id]
        if not env.get("more"):
            self.check("5.4 match[type]=indicator: our indicator once, latest version",
                       len(mine) == 1 and mine[0]["modified"] == vs[-1], json.dumps(mine)[:800])

        env = col.get_objects(type=["indicator", "malware"], id=[self.ind_id, self.malware["id"], self.tool_id()])
        self.check("5.4 match[type]=indicator,malware & match[id]=ind,malware,tool: ind and malware (OR within, AND across)",
                   sorted(o["id"] for o in env.get("objects", [])) == sorted([self.ind_id, self.malware["id"]]),
                   json.dumps(env)[:800])

        def ids_versions(env):
            return sorted((o["id"], obj_version(o)) for o in env.get("objects", []))

        env = col.get_objects(id=self.ind_id)
        self.check("5.4 match[id]: one object, the last version (default match[version]=last)",
                   ids_versions(env) == [(self.ind_id, vs[-1])], json.dumps(env)[:800])
        self.headers_present("5.4 match[id]", self.rec.last)
        env = col.get_objects(id=self.ind_id, version="all")
        self.check("5.4 match[version]=all: the 3 versions", ids_versions(env) == sorted((self.ind_id, x) for x in vs),
                   json.dumps(env)[:800])
        env = col.get_objects(id=self.ind_id, version="first")
        self.check("5.4 match[version]=first", ids_versions(env) == [(self.ind_id, vs[0])], json.dumps(env)[:800])
        env = col.get_objects(id=self.ind_id, version="last")
        self.check("5.4 match[version]=last", ids_versions(env) == [(self.ind_id, vs[-1])], json.dumps(env)[:800])
        env = col.get_objects(id=self.ind_id, version=vs[1])
        self.check("5.4 match[version]=%s (a specific timestamp)" % vs[1],
                   ids_versions(env) == [(self.ind_id, vs[1])], json.dumps(env)[:800])
        env = col.get_objects(id=self.ind_id, version=["first", "last"], _gap="version-combined")
        self.check("5.4 match[version]=first,last", ids_versions(env) == sorted([(self.ind_id, vs[0]), (self.ind_id, vs[-1])]),
                   json.dumps(env)[:800], gap="version-combined")

        all_ids = [o["id"] for o in self.env1] + [o["id"] for o in self.env2_valid]
        env = col.get_objects(id=all_ids, spec_version="2.1")
        self.check("5.4 match[spec_version]=2.1: every object of ours (%d ids)" % len(set(all_ids)),
                   sorted({o["id"] for o in env.get("objects", [])}) == sorted(set(all_ids)),
                   "got %s" % sorted(o["id"] for o in env.get("objects", [])))
        env = col.get_objects(id=all_ids, spec_version="2.0")
        self.check("5.4 match[spec_version]=2.0: none (all ours are 2.1)", not env.get("objects"),
                   json.dumps(env)[:800])

        # added_after: strictly later date_added than the last of envelope 1
        d1 = max(m["date_added"] for m in self.env1_manifest)
        env = col.get_objects(id=all_ids, added_after=d1)
        self.check("5.4 added_after=%s (last date_added of envelope 1): only envelope 2's objects" % d1,
                   sorted(o["id"] for o in env.get("objects", [])) == sorted(o["id"] for o in self.env2_valid),
                   "got %s" % sorted(o["id"] for o in env.get("objects", [])))
        self.headers_present("5.4 added_after", self.rec.last)
        early = ts(self.t0 - dt.timedelta(days=1))
        env = col.get_objects(id=all_ids, added_after=early)
        self.check("5.4 added_after=yesterday: all of ours",
                   sorted({o["id"] for o in env.get("objects", [])}) == sorted(set(all_ids)),
                   "got %s" % sorted(o["id"] for o in env.get("objects", [])))

    def tool_id(self):
        return self.env2_valid[0]["id"]

    def headers_present(self, name, resp, records=None):
        f = resp.headers.get("X-TAXII-Date-Added-First")
        l = resp.headers.get("X-TAXII-Date-Added-Last")
        ok = bool(f) and bool(l)
        detail = "First=%r Last=%r" % (f, l)
        if ok:
            try:
                ok = parse_ts(f) <= parse_ts(l)
            except ValueError as e:
                ok, detail = False, "unparsable: %s %s" % (detail, e)
        if ok and records:
            das = [m["date_added"] for m in records]
            ok = f == min(das, key=parse_ts) and l == max(das, key=parse_ts)
            detail += " page date_added min %s max %s" % (min(das, key=parse_ts), max(das, key=parse_ts))
        self.check("%s: X-TAXII-Date-Added-First/Last present%s" % (name, " and = min/max date_added of the page" if records else ""),
                   ok, detail)

    # §5.4 pagination with limit + next, through as_pages
    def pagination(self):
        n = self.a.page_size
        for what, func in (("objects", self.col.get_objects), ("manifest", self.col.get_manifest)):
            pages, items, problems = 0, [], []
            for page in as_pages(func, per_request=n, version="all"):
                pages += 1
                resp = self.rec.last
                objs = page.get("objects", [])
                items.extend(objs)
                if len(objs) > n:
                    problems.append("page %d has %d > limit %d" % (pages, len(objs), n))
                if page.get("more") and not page.get("next"):
                    problems.append("page %d: more=true without next" % pages)
                if objs:
                    f = resp.headers.get("X-TAXII-Date-Added-First")
                    l = resp.headers.get("X-TAXII-Date-Added-Last")
                    if not f or not l:
                        problems.append("page %d: no X-TAXII-Date-Added-First/Last" % pages)
                    elif what == "manifest":
                        das = [m["date_added"] for m in objs]
                        if f != min(das, key=parse_ts) or l != max(das, key=parse_ts):
                            problems.append("page %d: headers %s..%s but date_added %s..%s"
                                            % (pages, f, l, min(das, key=parse_ts), max(das, key=parse_ts)))
                if pages > 100000:
                    problems.append("more than 100000 pages: stopped")
                    break
            if what == "objects":
                keys = [(o["id"], obj_version(o)) for o in items]
            else:
                keys = [(m["id"], m.get("version")) for m in items]
            dup = len(keys) - len(set(keys))
            setattr(self, "paged_" + what, items)
            self.check("5.4 %s with limit=%d + next (as_pages, match[version]=all): %d items in %d pages, none twice"
                       % (what, n, len(items), pages), dup == 0 and pages >= 2, "%d duplicates, %d pages" % (dup, pages))
            self.check("5.4 %s pagination: page sizes, more/next, headers" % what, not problems, "; ".join(problems[:5]))
        # every version of ours is in the paged objects, and the objects equal the manifest
        ours = {(o["id"], o["modified"]) for o in self.env1 + self.env2_valid if "modified" in o}
        got = {(o["id"], obj_version(o)) for o in self.paged_objects}
        self.check("5.4 pagination: all %d versioned objects of ours seen" % len(ours), ours <= got,
                   "missing %s" % sorted(ours - got))
        self.check("5.4 pagination: the SCO (no version) seen", self.sco["id"] in {o["id"] for o in self.paged_objects})
        # SCOs have no modified/created: their manifest version is server-defined, so
        # compare them by id only
        unversioned = {o["id"] for o in self.paged_objects if not obj_version(o)}
        obj_keys = sorted((o["id"], parse_ts(obj_version(o)) if obj_version(o) else None) for o in self.paged_objects)
        man_keys = sorted((m["id"], None if m["id"] in unversioned else parse_ts(m["version"]))
                          for m in self.paged_manifest)
        self.check("5.3/5.4 pagination: objects and manifest list the same (id, version)s",
                   obj_keys == man_keys, "objects-only %s / manifest-only %s"
                   % (sorted(set(obj_keys) - set(man_keys))[:5], sorted(set(man_keys) - set(obj_keys))[:5]))

    # §5.3 manifest
    def manifest(self):
        col, vs = Guard(self, self.col), [o["modified"] for o in self.ind_versions]
        m = col.get_manifest(id=self.ind_id, version="all")
        self.taxii_ct("5.3 manifest", self.rec.last)
        recs = m.get("objects", [])
        self.check("5.3 manifest match[id]&match[version]=all: 3 records, versions = the 3 modified",
                   sorted(parse_ts(r["version"]) for r in recs) == sorted(parse_ts(x) for x in vs), json.dumps(m)[:800])
        self.check("5.3 manifest records: id, date_added, version; media_type %s when present" % STIX21,
                   all(r.get("id") == self.ind_id and r.get("date_added") and r.get("version")
                       and r.get("media_type", STIX21) == STIX21 for r in recs), json.dumps(recs)[:800])
        self.headers_present("5.3 manifest", self.rec.last, recs)
        m = col.get_manifest(type="indicator")
        recs = m.get("objects", [])
        self.check("5.3 manifest match[type]=indicator: only indicators",
                   recs and all(r["id"].startswith("indicator--") for r in recs), json.dumps(recs)[:500])
        m = col.get_manifest(id=self.ind_id, version="first")
        self.check("5.3 manifest match[version]=first",
                   [parse_ts(r["version"]) for r in m.get("objects", [])] == [parse_ts(vs[0])], json.dumps(m)[:800])
        m = col.get_manifest(id=self.ind_id, version=vs[1])
        self.check("5.3 manifest match[version]=%s (a specific timestamp)" % vs[1],
                   [parse_ts(r["version"]) for r in m.get("objects", [])] == [parse_ts(vs[1])], json.dumps(m)[:800])
        m = col.get_manifest(id=self.ind_id)
        self.check("5.3 manifest default match[version]=last",
                   [parse_ts(r["version"]) for r in m.get("objects", [])] == [parse_ts(vs[-1])], json.dumps(m)[:800])
        m = col.get_manifest(id=self.ind_id, spec_version="2.0")
        self.check("5.3 manifest match[spec_version]=2.0: none", not m.get("objects"), json.dumps(m)[:800])
        all_ids = [o["id"] for o in self.env1 + self.env2_valid]
        d1 = max(r["date_added"] for r in self.env1_manifest)
        m = col.get_manifest(id=all_ids, added_after=d1)
        self.check("5.3 manifest added_after: only envelope 2's",
                   sorted(r["id"] for r in m.get("objects", [])) == sorted(o["id"] for o in self.env2_valid),
                   json.dumps(m)[:800])

    # §5.6 object by id, §5.8 versions, §5.7 delete
    def object_endpoints(self):
        col, vs = Guard(self, self.col), [o["modified"] for o in self.ind_versions]
        env = col.get_object(self.ind_id)
        self.taxii_ct("5.6 GET objects/{id}/", self.rec.last)
        self.check("5.6 GET objects/{id}/: the last version",
                   [(o["id"], o["modified"]) for o in env.get("objects", [])] == [(self.ind_id, vs[-1])], json.dumps(env)[:800])
        self.headers_present("5.6 GET objects/{id}/", self.rec.last)
        env = col.get_object(self.ind_id, version="all")
        self.check("5.6 GET objects/{id}/?match[version]=all: 3 versions",
                   sorted(o["modified"] for o in env.get("objects", [])) == sorted(vs), json.dumps(env)[:800])
        env = col.get_object(self.ind_id, version=vs[0])
        self.check("5.6 GET objects/{id}/?match[version]=<first timestamp>",
                   [o["modified"] for o in env.get("objects", [])] == [vs[0]], json.dumps(env)[:800])
        env = col.get_object(self.sco["id"])
        self.check("5.6 GET objects/{id}/ of the SCO", [o["id"] for o in env.get("objects", [])] == [self.sco["id"]],
                   json.dumps(env)[:800])

        ver = col.object_versions(self.ind_id)
        self.taxii_ct("5.8 versions", self.rec.last)
        self.check("5.8 GET objects/{id}/versions/: the 3 versions",
                   sorted(parse_ts(x) for x in ver.get("versions", [])) == sorted(parse_ts(x) for x in vs), json.dumps(ver))
        self.headers_present("5.8 versions", self.rec.last)

        # §5.7 delete the campaign, then 404
        cid = self.camp["id"]
        col.delete_object(cid)
        self.check("5.7 DELETE objects/{id}/: HTTP 200", self.rec.last.status_code == 200, self.describe(self.rec.last))
        s = self.session()
        r = s.get(self.col_url + "objects/" + cid + "/", headers={"Accept": TAXII})
        self.error_resource("5.7 after DELETE: GET objects/{id}/", r, 404)
        r = s.get(self.col_url + "objects/" + cid + "/versions/", headers={"Accept": TAXII})
        self.check("5.7 after DELETE: GET objects/{id}/versions/ -> 404", r.status_code == 404, self.describe(r))
        m = col.get_manifest(id=cid, version="all")
        self.check("5.7 after DELETE: not in the manifest", not m.get("objects"), json.dumps(m)[:500])

        # §5.7 delete one version only
        col.delete_object(self.ind_id, version="first")
        self.check("5.7 DELETE objects/{id}/?match[version]=first: HTTP 200", self.rec.last.status_code == 200,
                   self.describe(self.rec.last))
        ver = col.object_versions(self.ind_id)
        self.check("5.7 after DELETE of the first version: versions are the other two",
                   sorted(parse_ts(x) for x in ver.get("versions", [])) == sorted(parse_ts(x) for x in vs[1:]),
                   json.dumps(ver))
        env = col.get_object(self.ind_id, version="first")
        self.check("5.7 after DELETE of the first version: match[version]=first is now v2",
                   [o["modified"] for o in env.get("objects", [])] == [vs[1]], json.dumps(env)[:800])

    # error cases with requests
    def errors(self):
        a = self.a
        objects_url = self.col_url + "objects/"
        hdr = {"Accept": TAXII}
        anon = requests.Session()
        anon.hooks["response"].append(self.rec.hook)

        # 401
        for what, u in (("discovery", a.url), ("GET objects", objects_url)):
            r = anon.get(u, headers=hdr)
            self.error_resource("3.x 401 without credentials: %s" % what, r, 401, medallion="auth-error-body")
            self.check("401 without credentials: %s: WWW-Authenticate header" % what,
                       bool(r.headers.get("WWW-Authenticate")), self.describe(r))
        r = anon.get(objects_url, headers=hdr, auth=(a.user, a.token[:-4] + "AAAA" if len(a.token) > 4 else "x"))
        self.error_resource("401 Basic with a bad token", r, 401, medallion="auth-error-body")
        r = anon.get(objects_url, headers=hdr, auth=("no-such-partner", a.token))
        self.error_resource("401 Basic with the token under another user name", r, 401, medallion="auth-error-body")
        r = anon.get(objects_url, headers=hdr, auth=BearerAuth("mrd_000000000000_" + "A" * 32))
        self.error_resource("401 Bearer with a bad token", r, 401, medallion="auth-error-body")
        r = anon.get(objects_url, headers=dict(hdr, Authorization="Bearer"))
        self.error_resource("401 empty Bearer", r, 401, medallion="auth-error-body")

        # Bearer accepted
        b = self.session("bearer")
        r = b.get(a.url, headers=hdr)
        self.check("Bearer token: GET discovery 200", r.status_code == 200, self.describe(r), medallion="no-bearer")
        r = b.get(objects_url, headers=hdr, params={"limit": 5})
        self.check("Bearer token: GET objects 200", r.status_code == 200 and isinstance(r.json().get("objects", []), list),
                   self.describe(r), medallion="no-bearer")

        # 403 outsider (authenticated, no agreement)
        o = self.session("outsider")
        r = o.get(a.url, headers=hdr)
        self.check("outsider: authenticates (GET discovery 200)", r.status_code == 200, self.describe(r))
        r = o.get(objects_url, headers=hdr)
        self.error_resource("403 outsider GET objects", r, 403, medallion="no-acl", code_medallion="no-acl")
        r = o.get(self.col_url + "manifest/", headers=hdr)
        self.error_resource("403 outsider GET manifest", r, 403, medallion="no-acl", code_medallion="no-acl")
        r = o.get(objects_url + self.ind_id + "/", headers=hdr)
        self.error_resource("403 outsider GET objects/{id}/", r, 403, medallion="no-acl", code_medallion="no-acl")
        probe = {"type": "tool", "spec_version": "2.1", "id": "tool--%s" % uuid.uuid4(), "created": ts(self.t0),
                 "modified": ts(self.t0), "name": "outsider's tool"}
        r = o.post(objects_url, headers=dict(hdr, **{"Content-Type": TAXII}), data=json.dumps({"objects": [probe]}))
        self.error_resource("403 outsider POST objects", r, 403, medallion="no-acl", code_medallion="no-acl")
        r = o.delete(objects_url + self.malware["id"] + "/", headers=hdr)
        self.error_resource("403 outsider DELETE objects/{id}/", r, 403, medallion="no-acl", code_medallion="no-acl")
        m = self.col.get_manifest(id=[probe["id"], self.malware["id"]])
        self.check("403 outsider: its POST stored nothing and its DELETE removed nothing",
                   [r["id"] for r in m.get("objects", [])] == [self.malware["id"]], json.dumps(m)[:500],
                   medallion="no-acl")

        # 404
        s = self.session()
        unknown = str(uuid.uuid4())
        r = s.get(self.root_url + "collections/" + unknown + "/", headers=hdr)
        self.error_resource("404 unknown collection: GET collection", r, 404)
        r = s.get(self.root_url + "collections/" + unknown + "/objects/", headers=hdr)
        self.error_resource("404 unknown collection: GET objects", r, 404)
        r = s.get(self.root_url + "collections/" + unknown + "/manifest/", headers=hdr)
        self.error_resource("404 unknown collection: GET manifest", r, 404)
        r = s.get(objects_url + "indicator--%s/" % uuid.uuid4(), headers=hdr)
        self.error_resource("404 unknown object: GET objects/{id}/", r, 404)
        r = s.get(self.root_url + "status/%s/" % uuid.uuid4(), headers=hdr)
        self.error_resource("404 unknown status", r, 404)

        # 406
        for acc in ("application/json", "application/taxii+json;version=2.0", "text/html"):
            r = s.get(objects_url, headers={"Accept": acc})
            self.error_resource("406 Accept: %s on GET objects" % acc, r, 406)
        r = s.get(a.url, headers={"Accept": "application/xml"})
        self.error_resource("406 Accept: application/xml on discovery", r, 406)

        # 415
        probe = dict(probe, id="tool--%s" % uuid.uuid4(), name="415 probe")
        env = json.dumps({"objects": [probe]})
        for ct in ("application/json", "text/plain", "application/taxii+json;version=2.0"):
            r = s.post(objects_url, headers={"Accept": TAXII, "Content-Type": ct}, data=env)
            self.error_resource("415 Content-Type: %s on POST objects" % ct, r, 415)
        m = self.col.get_manifest(id=probe["id"])
        self.check("415: nothing stored", not m.get("objects"), json.dumps(m)[:300])

        # 400/422: body not an envelope
        r = s.post(objects_url, headers={"Accept": TAXII, "Content-Type": TAXII}, data=b"{not json")
        ok = r.status_code in (400, 422)
        self.error_resource("400/422 POST body that is not JSON", r, r.status_code if ok else 400,
                            medallion="not-json-500")
        # 400: invalid limit
        r = s.get(objects_url, headers=hdr, params={"limit": "abc"})
        self.error_resource("400 limit=abc", r, 400, medallion="no-limit-400")

        # 413: Content-Length above max_content_length (raw socket: the server may answer
        # before reading the body, and close)
        self.oversize(objects_url)

    def oversize(self, objects_url):
        u = urllib.parse.urlsplit(objects_url)
        size = self.mcl + 1
        cap = 512 * 1024 * 1024
        if size > cap:
            self.check("413 oversize body", False, "max_content_length %d is above the %d bytes this check sends" % (self.mcl, cap))
            return
        import base64
        cred = base64.b64encode(("%s:%s" % (self.a.user, self.a.token)).encode()).decode()
        head = ("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\nAccept: %s\r\n"
                "Content-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                % (u.path, u.netloc, cred, TAXII, TAXII, size)).encode()
        prefix = b'{"objects": []}'
        sock = socket.create_connection((u.hostname, u.port or 80), timeout=60)
        sent, answered = 0, False
        t_end = time.time() + 120
        try:
            sock.sendall(head)
            sock.sendall(prefix)
            sent = len(prefix)
            chunk = b" " * (1 << 16)
            while sent < size and time.time() < t_end:
                r, w, _ = select.select([sock], [sock], [], 5)
                if r:
                    answered = True
                    break
                if w:
                    n = min(len(chunk), size - sent)
                    try:
                        sock.send(chunk[:n])
                    except (BrokenPipeError, ConnectionResetError):
                        break
                    sent += n
            data = b""
            sock.settimeout(30)
            try:
                while True:
                    b = sock.recv(65536)
                    if not b:
                        break
                    data += b
                    if len(data) > 1 << 20:
                        break
            except (ConnectionResetError, socket.timeout):
                pass
        finally:
            sock.close()
        headers, _, body = data.partition(b"\r\n\r\n")
        line = headers.split(b"\r\n", 1)[0].decode("latin-1")
        code = int(line.split()[1]) if len(line.split()) > 1 and line.split()[1].isdigit() else None
        hmap = {}
        for h in headers.split(b"\r\n")[1:]:
            k, _, v = h.decode("latin-1").partition(":")
            hmap[k.strip().lower()] = v.strip()
        if hmap.get("transfer-encoding", "").lower() == "chunked":
            body = dechunk(body)
        detail = "POST %s Content-Length %d (max_content_length %d, sent %d bytes%s) -> %r %r" % (
            objects_url, size, self.mcl, sent, ", answered early" if answered else "", line, body[:300])
        self.check("413 body of max_content_length + 1 bytes: HTTP 413", code == 413, detail)
        try:
            err = json.loads(body.decode("utf-8"))
        except ValueError:
            err = None
        self.check("413: body is a TAXII error resource (title, http_status \"413\")",
                   isinstance(err, dict) and bool(err.get("title")) and err.get("http_status") == "413"
                   and hmap.get("content-type", "").replace(" ", "").startswith("application/taxii+json"), detail)

    def validate_served(self):
        seen = {}
        for u, o in self.rec.served:
            key = json.dumps(o, sort_keys=True)
            seen.setdefault(key, (u, o))
        bad = []
        for key, (u, o) in seen.items():
            res = validate_parsed_json(o, ValidationOptions(version="2.1"))
            if not res.is_valid:
                bad.append((u, o, res.as_dict()))
        for u, o, res in bad[:20]:
            print("      stix2-validator: %s from %s: %s" % (o.get("id"), u, json.dumps(res)[:1000]))
        self.check("stix2-validator 2.1: every served object valid (%d distinct objects from %d served)"
                   % (len(seen), len(self.rec.served)), not bad and len(seen) > 0,
                   "%d invalid" % len(bad))


def dechunk(body):
    out = b""
    while body:
        line, _, rest = body.partition(b"\r\n")
        try:
            n = int(line.split(b";")[0], 16)
        except ValueError:
            return out + body
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get
    p.add_argument("--url", default=env("TAXII_URL"), help="discovery URL, e.g. http://127.0.0.1:8080/taxii2/")
    p.add_argument("--api-root", default=env("TAXII_API_ROOT"),
                   help="API root URL or path (default: discovery's default, else its first)")
    p.add_argument("--collection", default=env("TAXII_COLLECTION"))
    p.add_argument("--user", default=env("TAXII_USER"), help="partner id of the read+write partner")
    p.add_argument("--token", default=env("TAXII_TOKEN"))
    p.add_argument("--outsider-user", default=env("TAXII_OUTSIDER_USER"))
    p.add_argument("--outsider-token", default=env("TAXII_OUTSIDER_TOKEN"))
    p.add_argument("--page-size", type=int, default=int(env("TAXII_PAGE_SIZE", "3")),
                   help="limit for the as_pages walk over the whole collection (default 3)")
    p.add_argument("--known-gap", action="append", default=[], choices=sorted(KNOWN_GAPS),
                   help="a known, reported gap of the server under test: report it as KNOWN-GAP, not FAIL")
    p.add_argument("--reference-medallion", action="store_true",
                   help="the server is medallion: report its known deviations as DEVIATION, not FAIL")
    a = p.parse_args()
    missing = [k for k in ("url", "collection", "user", "token", "outsider_user", "outsider_token") if not getattr(a, k)]
    if missing:
        p.error("missing: %s (argv or TAXII_* env)" % ", ".join("--" + m.replace("_", "-") for m in missing))
    run = Run(a)
    print("TAXII 2.1 conformance: %s collection %s as %s (outsider %s)%s"
          % (a.url, a.collection, a.user, a.outsider_user, " [reference: medallion]" if a.reference_medallion else ""))
    try:
        run.main()
    except Exception as e:  # noqa: BLE001 - discovery/API root/collection could not be read
        run.broke_off("main", e)
    print()
    for name, key, detail in run.deviations:
        print("deviation tolerated (--reference-medallion): %s [%s]" % (name, key))
    for name, key, detail in run.gaps:
        print("known gap tolerated (--known-gap %s): %s" % (key, name))
    for name, detail in run.failed:
        print("FAILED: %s\n      %s" % (name, detail.replace("\n", "\n      ")))
    print("taxii-conformance: %d passed, %d failed" % (run.passed, len(run.failed))
          + (", %d skipped" % run.skipped if run.skipped else "")
          + (", %d known gaps tolerated" % len(run.gaps) if run.gaps else "")
          + (", %d medallion deviations tolerated" % len(run.deviations) if run.deviations else ""))
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
