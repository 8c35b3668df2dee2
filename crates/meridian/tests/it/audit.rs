//! `audit list | verify` over writes made by the command line (as the local administrator) and
//! through `meridian serve` (TAXII POST as a partner), on both backends: the entries are listed
//! and filtered, the chain verifies, and a row edited by hand in the database makes
//! `audit verify` fail naming it.

use serde_json::Value;
use store::Tlp;

use crate::federation::{Server, agreement, identity, partner, post_as, token};
use crate::{meridian, ok};

const COLLECTION: &str = "3c4d5e6f-7081-4a2b-9c3d-5e6f708192a3";
const V1: &str = "2026-01-01T00:00:00.000Z";

fn listed(db: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json", "audit", "list"];
    all.extend(args);
    let out = ok(db, &all);
    serde_json::from_str::<Value>(&out)
        .expect("audit list --json")
        .as_array()
        .expect("an array of entries")
        .clone()
}

#[test]
fn taxii_writes_are_listed_and_a_tampered_row_is_named() {
    for db in test_support::backends("meridian audit") {
        let url = db.url.as_str();
        ok(
            url,
            &["collection", "add", "--title", "c", "--id", COLLECTION],
        );
        partner(url, "cert-a");
        agreement(url, "a", "cert-a", "AMBER", COLLECTION);
        let secret = token(url, "cert-a");
        let first = [
            identity("one", Some(Tlp::Green), V1),
            identity("two", None, V1),
        ];
        let second = [identity("three", Some(Tlp::Amber), V1)];
        {
            let server = Server::start(url);
            post_as(&server, COLLECTION, "cert-a", &secret, &first);
            post_as(&server, COLLECTION, "cert-a", &secret, &second);
        }

        let all = listed(url, &[]);
        let setup: Vec<(&str, &str)> = all[..4]
            .iter()
            .map(|e| {
                let actor = e["actor"].as_str().expect("actor");
                assert!(actor.starts_with("local:"), "[{}] {actor}", db.name);
                (
                    e["action"].as_str().expect("action"),
                    e["object_ids"][0].as_str().expect("id"),
                )
            })
            .collect();
        assert_eq!(
            setup,
            [
                ("collection.add", COLLECTION),
                ("partner.add", "cert-a"),
                ("agreement.add", "a"),
                ("partner.token.issue", "cert-a"),
            ],
            "[{}] the command line's writes, in order",
            db.name
        );
        let entries = &all[4..];
        assert_eq!(entries.len(), 2, "[{}] {entries:?}", db.name);
        for (entry, (seq, posted)) in entries.iter().zip([(5, &first[..]), (6, &second[..])]) {
            assert_eq!(entry["seq"], seq);
            assert_eq!(entry["actor"], "partner:cert-a");
            assert_eq!(entry["action"], "taxii.add_objects");
            let ids: Vec<&Value> = posted.iter().map(|o| &o["id"]).collect();
            assert_eq!(
                entry["object_ids"]
                    .as_array()
                    .expect("ids")
                    .iter()
                    .collect::<Vec<_>>(),
                ids
            );
        }
        assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
        assert_eq!(listed(url, &["--limit", "1"]).len(), 1);
        assert_eq!(listed(url, &["--limit", "1"])[0]["seq"], 6);
        assert!(listed(url, &["--actor", "partner:someone-else"]).is_empty());
        assert_eq!(listed(url, &["--action", "taxii.add_objects"]).len(), 2);

        let intact = ok(url, &["audit", "verify"]);
        let head = entries[1]["hash"].as_str().expect("hash");
        assert_eq!(
            intact.trim(),
            format!("audit log intact: 6 entries, head {head}"),
            "[{}]",
            db.name
        );

        db.execute("UPDATE audit_log SET actor = 'partner:mallory' WHERE seq = 1");
        let broken = meridian(url, &["audit", "verify"]);
        assert!(!broken.status.success(), "[{}] verify passed", db.name);
        let err = String::from_utf8_lossy(&broken.stderr);
        assert!(
            err.contains("audit log broken at seq 1 (edited): its hash does not match its content"),
            "[{}] {err}",
            db.name
        );
        let json = meridian(url, &["--json", "audit", "verify"]);
        assert!(!json.status.success());
        let report: Value = serde_json::from_slice(&json.stdout).expect("verify --json");
        assert_eq!(report["intact"], false);
        assert_eq!(report["broken"]["seq"], 1);
        assert_eq!(report["broken"]["tamper"], "edited");
    }
}

/// An atlas import is a write like any other: one `atlas.import` entry with its counts, and a
/// refused import leaves none.
#[test]
fn an_atlas_import_is_audited_and_a_refused_one_is_not() {
    for db in test_support::backends("audit_import") {
        let url = db.url.as_str();
        let dir = tempfile::tempdir().expect("temp dir");
        let assets = dir.path().join("assets.csv");
        let deps = dir.path().join("dependencies.csv");
        std::fs::write(&assets, "id,country\na:1,US\nb:1,DE\n").expect("writing");
        std::fs::write(&deps, "dependent,provider\na:1,b:1\n").expect("writing");
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "id,country\nc:1,XX\n").expect("writing");
        let path = |p: &std::path::Path| p.to_str().expect("utf-8").to_owned();

        assert!(!meridian(url, &["import", &path(&bad)]).status.success());
        assert!(
            listed(url, &["--action", "atlas.import"]).is_empty(),
            "[{}]",
            db.name
        );

        ok(url, &["import", &path(&assets), &path(&deps)]);
        let entries = listed(url, &["--action", "atlas.import"]);
        assert_eq!(entries.len(), 1, "[{}] {entries:?}", db.name);
        assert!(
            entries[0]["actor"]
                .as_str()
                .expect("actor")
                .starts_with("local:"),
            "[{}]",
            db.name
        );
    }
}
