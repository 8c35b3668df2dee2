# The fuzz targets and the -max_len of each (bytes), read by seed.sh and .ci/fuzz.sh
# (`python3 fuzz/targets.py` prints `target max_len` lines). The order is the order CI runs
# them in. Keep it in step with the [[bin]]s of Cargo.toml.
MAX_LEN = {
    "atlas_csv": 16384,
    "atlas_json": 32768,
    "atlas_graphml": 32768,
    "atlas_stix": 65536,
    "stix_object": 16384,
    "taxii_filter": 2048,
    "csaf": 65536,
    "cve": 65536,
    "kev": 32768,
    "epss": 8192,
    "cyclonedx": 65536,
    "spdx": 65536,
    "openvex": 16384,
    "osv": 32768,
    "purl": 1024,
    "cpe": 1024,
    "version_range": 1024,
    "bundle_manifest": 4096,
    "incidents": 32768,
    "stix_pattern": 4096,
}

if __name__ == "__main__":
    for target, max_len in MAX_LEN.items():
        print(target, max_len)
