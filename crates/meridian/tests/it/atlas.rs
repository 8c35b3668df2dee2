//! Import, export and refusal of bad files, through the binary, on every backend.

use std::fs;

use crate::{data, meridian, ok, path_str};

use test_support::{TestDb, backends};

/// The whole atlas as Meridian JSON.
fn export_json(db: &TestDb) -> String {
    let out = tempfile::tempdir().expect("temp dir");
    ok(
        &db.url,
        &["export", "--format", "json", "--out", path_str(out.path())],
    );
    fs::read_to_string(out.path().join("atlas.json")).expect("exported json")
}

/// The database's observable state: the SQLite file's bytes (every connection has closed when
/// the command exits), or for PostgreSQL the full export.
fn snapshot(db: &TestDb) -> Vec<u8> {
    match db.sqlite_path() {
        Some(f) => fs::read(f).expect("db file"),
        None => export_json(db).into_bytes(),
    }
}

fn import_handmade(db: &TestDb) -> String {
    ok(
        &db.url,
        &[
            "import",
            "--json",
            path_str(&data("handmade/assets.csv")),
            path_str(&data("handmade/dependencies.csv")),
        ],
    )
}

#[test]
fn handmade_world_round_trips_byte_for_byte() {
    for db in backends("handmade_round_trip") {
        let report: serde_json::Value =
            serde_json::from_str(&import_handmade(&db)).expect("json report");
        assert_eq!(report["assets"]["created"], 12, "{}", db.name);
        assert_eq!(report["dependencies"]["created"], 13, "{}", db.name);

        let out = tempfile::tempdir().expect("temp dir");
        ok(
            &db.url,
            &["export", "--format", "csv", "--out", path_str(out.path())],
        );
        for file in ["assets.csv", "dependencies.csv"] {
            let exported = fs::read_to_string(out.path().join(file)).expect("exported file");
            let original = fs::read_to_string(data("handmade").join(file)).expect("fixture");
            assert_eq!(exported, original, "{file} on {}", db.name);
        }

        // Re-importing the same files changes nothing.
        let again: serde_json::Value =
            serde_json::from_str(&import_handmade(&db)).expect("json report");
        assert_eq!(again["assets"]["unchanged"], 12);
        assert_eq!(again["dependencies"]["unchanged"], 13);
        assert_eq!(again["assets"]["created"], 0);
    }
}

#[test]
fn every_format_round_trips_through_the_store() {
    for (backend, db) in backends("format_round_trip").into_iter().enumerate() {
        import_handmade(&db);
        let reference = export_json(&db);
        for format in ["csv", "json", "graphml", "stix"] {
            let out = tempfile::tempdir().expect("temp dir");
            ok(
                &db.url,
                &["export", "--format", format, "--out", path_str(out.path())],
            );
            let files: Vec<String> = fs::read_dir(out.path())
                .expect("export dir")
                .map(|e| e.expect("entry").path().display().to_string())
                .collect();
            // A fresh database of the same backend.
            let fresh = backends(&format!("format_round_trip_{format}")).swap_remove(backend);
            let mut args = vec!["import"];
            args.extend(files.iter().map(String::as_str));
            ok(&fresh.url, &args);
            assert_eq!(
                export_json(&fresh),
                reference,
                "{format} round trip on {}",
                db.name
            );
        }
    }
}

/// Imports `file` over the hand-made world and expects a refusal whose message contains
/// `expected` (file:line: field), with the database unchanged byte for byte.
fn check_refused(file: &str, expected: &str) {
    for db in backends(&format!("refused_{}", file.replace(['.', '-'], "_"))) {
        import_handmade(&db);
        let before = snapshot(&db);
        let path = data("bad").join(file);
        let out = meridian(&db.url, &["import", path_str(&path)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{file} was accepted on {}", db.name);
        assert!(
            stderr.contains(expected),
            "{file}: expected {expected:?} in:\n{stderr}"
        );
        assert!(stderr.contains("nothing was stored"), "{stderr}");
        assert_eq!(
            snapshot(&db),
            before,
            "{file} changed the database on {}",
            db.name
        );
    }
}

#[test]
fn duplicate_asset_id() {
    check_refused("duplicate-id.csv", "duplicate-id.csv:3: id:");
}

#[test]
fn bad_country_code() {
    check_refused("bad-country.csv", "bad-country.csv:2: country:");
}

#[test]
fn unknown_ncf() {
    check_refused("unknown-ncf.csv", "unknown-ncf.csv:2: ncfs:");
}

#[test]
fn product_in_no_known_form() {
    check_refused(
        "bad-product.csv",
        "bad-product.csv:2: products: not a product identifier",
    );
}

#[test]
fn unknown_sector() {
    check_refused("unknown-sector.csv", "unknown-sector.csv:2: sectors:");
}

#[test]
fn malformed_utf8() {
    check_refused("bad-utf8.csv", "bad-utf8.csv:2:");
}

#[test]
fn wrong_header() {
    check_refused("wrong-header.csv", "wrong-header.csv:1:");
}

#[test]
fn unknown_provider() {
    check_refused("unknown-provider.csv", "unknown-provider.csv:2: provider:");
}

#[test]
fn non_numeric_tolerance() {
    check_refused(
        "nonnumeric-tolerance.csv",
        "nonnumeric-tolerance.csv:2: tolerance_hours:",
    );
}

#[test]
fn negative_tolerance() {
    check_refused(
        "negative-tolerance.csv",
        "negative-tolerance.csv:2: tolerance_hours:",
    );
}

#[test]
fn strength_outside_range() {
    check_refused(
        "strength-above-one.csv",
        "strength-above-one.csv:2: strength:",
    );
    check_refused("strength-zero.csv", "strength-zero.csv:2: strength:");
}

#[test]
fn demo_world_covers_every_sector_and_ncf() {
    let db = backends("demo").remove(0);
    ok(&db.url, &["demo", "--quiet"]);
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&db.url, &["stats", "--json"])).expect("json stats");
    assert_eq!(
        stats["by_sector"].as_array().map(Vec::len),
        Some(16),
        "{stats}"
    );
    assert_eq!(
        stats["by_ncf"].as_array().map(Vec::len),
        Some(55),
        "{stats}"
    );
    let refused = meridian(&db.url, &["demo", "--quiet"]);
    assert!(
        !refused.status.success(),
        "demo into a non-empty atlas must be refused"
    );
    ok(&db.url, &["demo", "--quiet", "--reset", "--seed", "7"]);
}

/// A GraphML export cut right after a `</node>`, a file of garbage, and a file over
/// `--max-file-size` are refused with file, line and column (or size), and nothing is stored
/// (the cut export used to import its first nodes and no edges).
#[test]
fn truncated_garbage_or_oversized_atlas_files_are_refused() {
    for db in backends("truncated graphml") {
        import_handmade(&db);
        let dir = tempfile::tempdir().expect("temp dir");
        ok(
            &db.url,
            &[
                "export",
                "--format",
                "graphml",
                "--out",
                path_str(dir.path()),
            ],
        );
        let full = fs::read_to_string(dir.path().join("atlas.graphml")).expect("graphml");
        let cut_at = full.match_indices("</node>").nth(2).expect("three nodes").0 + 7;
        let cut = dir.path().join("cut.graphml");
        fs::write(&cut, &full[..cut_at]).expect("write");
        let hello = dir.path().join("hello.graphml");
        fs::write(&hello, "hello world").expect("write");
        let fresh = backends("truncated graphml fresh").remove(0);
        for (file, expected) in [
            (&cut, "unexpected end of file: <graph>"),
            (&hello, "hello.graphml:1:1: not a GraphML document"),
        ] {
            for url in [db.url.as_str(), fresh.url.as_str()] {
                let before = if url == db.url {
                    Some(snapshot(&db))
                } else {
                    None
                };
                let out = meridian(url, &["import", path_str(file)]);
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    !out.status.success(),
                    "{} accepted: {stderr}",
                    file.display()
                );
                assert!(
                    stderr.contains(expected),
                    "expected {expected:?} in {stderr}"
                );
                assert!(stderr.contains(path_str(file)), "{stderr}");
                if let Some(before) = before {
                    assert_eq!(snapshot(&db), before, "[{}]", db.name);
                }
            }
        }
        let stats: serde_json::Value =
            serde_json::from_str(&ok(&fresh.url, &["--json", "stats"])).expect("stats");
        assert_eq!(stats["assets"], 0, "nothing stored from a refused file");
        let whole = dir.path().join("atlas.graphml");
        let out = meridian(
            &fresh.url,
            &["--max-file-size", "1KiB", "import", path_str(&whole)],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("larger than the limit of 1024 bytes"),
            "{stderr}"
        );
    }
}
