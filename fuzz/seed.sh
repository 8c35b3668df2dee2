#!/usr/bin/env bash
# Builds fuzz/corpus/<target>/ for every fuzz target from, in order: the committed hand-written
# seeds (fuzz/seeds/<target>/), the crash regressions (fuzz/regressions/<target>/), the
# repository's test data, and the shared test corpus (MERIDIAN_SHARED_DATA, else ../shared/data
# beside the checkout, else /work/shared/data). Nothing from the shared corpus is committed:
# large JSON documents are shrunk (every array cut to its first few elements) to fit the
# target's -max_len, bundles are split into single objects, identifiers are extracted one a
# file. Files already in the corpus (what earlier runs found) are kept. Needs python3.
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
if [ -z "${MERIDIAN_SHARED_DATA:-}" ]; then
  for dir in "$root/../shared/data" /work/shared/data; do
    if [ -d "$dir" ]; then MERIDIAN_SHARED_DATA=$(cd "$dir" && pwd); break; fi
  done
fi
if [ -z "${MERIDIAN_SHARED_DATA:-}" ] || [ ! -d "$MERIDIAN_SHARED_DATA" ]; then
  echo "seed.sh: no shared test corpus (set MERIDIAN_SHARED_DATA); seeding from the repository only" >&2
  MERIDIAN_SHARED_DATA=
fi
export MERIDIAN_SHARED_DATA PYTHONDONTWRITEBYTECODE=1
exec python3 - "$fuzz" "$root" <<'PY'
import glob, hashlib, json, os, re, shutil, sys

fuzz, root = sys.argv[1], sys.argv[2]
data = os.environ.get("MERIDIAN_SHARED_DATA") or None
sys.path.insert(0, fuzz)
from targets import MAX_LEN  # one table of targets and their -max_len

corpus = os.path.join(fuzz, "corpus")
counts = {}

def add(target, content):
    if isinstance(content, str):
        content = content.encode()
    if not content or len(content) > MAX_LEN[target]:
        return False
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, hashlib.sha1(content).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(content)
        counts[target] = counts.get(target, 0) + 1
    return True

def files(*patterns, base=None):
    base = base if base is not None else data
    if base is None:
        return []
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(base, p), recursive=True))
    return [f for f in out if os.path.isfile(f)]

def read(path):
    with open(path, "rb") as f:
        return f.read()

def load(path):
    try:
        return json.loads(read(path))
    except Exception:
        return None

def shrink(value, keep):
    if isinstance(value, list):
        return [shrink(v, keep) for v in value[:keep]]
    if isinstance(value, dict):
        return {k: shrink(v, keep) for k, v in value.items()}
    return value

def add_json(target, path):
    """The file as is when it fits, else shrunk until it does."""
    raw = read(path)
    if add(target, raw):
        return
    value = load(path)
    if value is None:
        return
    for keep in (8, 4, 2, 1):
        text = json.dumps(shrink(value, keep), indent=1, ensure_ascii=False)
        if add(target, text):
            return

# 1. committed seeds and regressions
for kind in ("seeds", "regressions"):
    for target in MAX_LEN:
        for f in files("*", base=os.path.join(fuzz, kind, target)):
            add(target, read(f)[: MAX_LEN[target]])

# 2. the repository's own test data
for f in files("crates/*/tests/data/**/*.csv", base=root):
    if "epss" in f:
        add("epss", read(f))
    else:
        add("atlas_csv", read(f))
for f in files("crates/*/tests/data/**/*.cdx.json", base=root):
    add_json("cyclonedx", f)
for f in files("crates/*/tests/data/**/*.openvex.json", base=root):
    add_json("openvex", f)

if data is None:
    sys.exit(0)

# 3. the shared corpus
# STIX: bundles whole (atlas STIX reader, incidents, hub envelopes) and split into objects.
bundles = files("stix/examples/**/*.json", "stix/tlp2/*.json", "attack/*.json")
objects = 0
for path in bundles:
    value = load(path)
    if not isinstance(value, dict):
        continue
    for target in ("atlas_stix", "incidents", "stix_object"):
        add_json(target, path)
    items = value.get("objects") if value.get("type") == "bundle" else [value]
    step = 1 if len(items or []) < 200 else len(items) // 150
    for o in (items or [])[::step]:
        if add("stix_object", json.dumps(o, indent=1, ensure_ascii=False)):
            objects += 1
    for o in items or []:
        if isinstance(o, dict) and isinstance(o.get("pattern"), str):
            add("stix_pattern", o["pattern"])

for path in files("csaf/**/*.json", "vex/csaf-vex/*.json"):
    if "/schema/" in path or not isinstance(load(path), dict) or "document" not in load(path):
        continue
    add_json("csaf", path)
for path in files("cve/vulnrichment/**/*.json", "cve/schema/CVEv5_advanced-example.json"):
    add_json("cve", path)
for path in files("kev/*.json"):
    if "schema" not in path:
        add_json("kev", path)
        value = load(path)
        for n in (1, 3, 10, 30):
            cut = dict(value, vulnerabilities=value["vulnerabilities"][-n:], count=n)
            add("kev", json.dumps(cut, indent=1))
for path in files("epss/**/*.csv"):
    lines = read(path).splitlines(keepends=True)
    for start in (0, len(lines) // 2):
        add("epss", b"".join(lines[start : start + 60]))
for path in files("sbom/**/*.json", "vex/cyclonedx-vex/*.json"):
    value = load(path)
    if not isinstance(value, dict):
        continue
    if value.get("bomFormat") == "CycloneDX":
        add_json("cyclonedx", path)
    elif "spdxVersion" in value:
        add_json("spdx", path)
# OSV: every hand-picked record, and every 40th record of the Go vulnerability database.
for path in files("osv/ghsa-converted/*.json", "osv/records/*.json", "osv/redhat-osv/*.json"):
    add_json("osv", path)
for path in files("osv/go-vulndb/*.json")[::40]:
    add_json("osv", path)
for path in files("vex/openvex/vexctl-examples/*.json"):
    add_json("openvex", path)

# Identifiers and ranges, one a file.
purls, cpes, ranges = set(), set(), set()
text_files = files("sbom/**/*.json", "csaf/**/*.json", "cve/vulnrichment/**/*.json", "vex/**/*.json")
for path in text_files:
    text = read(path).decode("utf-8", "replace")
    purls.update(re.findall(r'"(pkg:[^"\\]{1,200})"', text))
    cpes.update(re.findall(r'"(cpe:[^"\\]{1,200})"', text))

def walk(node):
    if isinstance(node, dict):
        if node.get("category") == "product_version_range" and isinstance(node.get("name"), str):
            ranges.add(node["name"])
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)

for path in files("csaf/**/*.json"):
    walk(load(path))
for path in files("cve/vulnrichment/**/*.json"):
    value = load(path) or {}
    for c in [value.get("containers", {}).get("cna", {})] + value.get("containers", {}).get("adp", []):
        for a in c.get("affected", []) or []:
            for v in a.get("versions", []) or []:
                if not isinstance(v, dict):
                    continue
                limit = v.get("lessThan") or v.get("lessThanOrEqual") or ""
                ranges.add("\n".join([str(v.get("version", "")), str(v.get("version", "")), str(limit), str(v.get("versionType", ""))]))
for target, values in (("purl", purls), ("cpe", cpes), ("version_range", ranges)):
    for v in sorted(values)[:400]:
        add(target, v)

for target in MAX_LEN:
    n = len(os.listdir(os.path.join(corpus, target))) if os.path.isdir(os.path.join(corpus, target)) else 0
    print(f"{target:16} {n:6} inputs ({counts.get(target, 0)} new)")
PY
