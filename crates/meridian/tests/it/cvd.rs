//! `intel cvd …`: a case's lifecycle, the refused transitions and the CSAF 2.0 provider
//! directory it exports (layout, hashes, ROLIE feed, provider metadata, TLP mapping), checked
//! against the OASIS JSON schemas in `tests/data/csaf-schema/`, `intel::csaf::parse_csaf` and
//! `intel import`, on both backends.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};

use crate::{data, meridian, ok, path_str};

fn cli(db: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json", "--quiet", "intel"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).expect("json output")
}

/// Opens a case at `tlp` with an embargo ending `embargo`; returns its id.
fn new_case(db: &str, tlp: &str, embargo: &str) -> String {
    let case = cli(
        db,
        &[
            "cvd",
            "new",
            "--title",
            "Authentication bypass in Acme Gateway",
            "--cve",
            "CVE-2026-10001",
            "--cve",
            "cve-2026-10002",
            "--reporter",
            "researcher@example.org",
            "--vendor",
            "Acme",
            "--vendor-country",
            "de",
            "--vendor-csirt",
            "CERT-Bund",
            "--product",
            "Acme/Gateway/vers:generic/>=1.0|<1.4",
            "--product",
            "Acme/Gateway/2.0",
            "--product",
            "Acme/Console/all versions before 3.1",
            "--embargo",
            embargo,
            "--tlp",
            tlp,
            "--remediation",
            "Update Gateway to 1.4 or 2.1.",
            "--notes",
            "internal: reporter prefers e-mail",
        ],
    );
    assert_eq!(case["state"], "reported");
    assert_eq!(case["vendor_country"], "DE");
    case["id"].as_str().expect("id").to_owned()
}

fn advance(db: &str, id: &str, to: &str) -> Value {
    cli(db, &["cvd", "advance", id, "--to", to])
}

fn publish(db: &str, id: &str) {
    for state in ["vendor_notified", "fix_available", "published"] {
        advance(db, id, state);
    }
}

fn refused(db: &str, args: &[&str]) -> String {
    let out = meridian(db, args);
    assert!(!out.status.success(), "meridian {args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn export(db: &str, id: &str, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["cvd", "export", id, "--out", path_str(out)];
    args.extend_from_slice(extra);
    cli(db, &args)
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("json file")
}

/// Serves the schemas' `$ref`s (first.org CVSS, the CSAF schema) from `tests/data/csaf-schema/`.
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().split(['#', '?']).next().unwrap_or_default();
        let name = name.rsplit('/').next().unwrap_or_default();
        let bytes = std::fs::read(data("csaf-schema").join(name))?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

fn schema_errors(schema: &str, document: &Value) -> Vec<String> {
    let schema = read_json(&data("csaf-schema").join(schema));
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

pub fn assert_schema_valid(schema: &str, document: &Value) {
    let errors = schema_errors(schema, document);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

#[test]
fn lifecycle_export_validates_and_imports() {
    for db in test_support::backends("cvd lifecycle") {
        let dir = tempfile::tempdir().expect("temp dir");
        let id = new_case(&db.url, "GREEN", "2020-01-01");
        assert!(
            id.starts_with("MERIDIAN-") && id.len() == "MERIDIAN-2026-0001".len(),
            "{id}"
        );
        let before = refused(
            &db.url,
            &["intel", "cvd", "export", &id, "--out", path_str(dir.path())],
        );
        assert!(before.contains("only published cases"), "{before}");
        publish(&db.url, &id);
        let shown = cli(&db.url, &["cvd", "show", &id]);
        let states: Vec<&str> = shown["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|h| h["state"].as_str().expect("state"))
            .collect();
        assert_eq!(
            states,
            ["reported", "vendor_notified", "fix_available", "published"]
        );
        let listed = cli(&db.url, &["cvd", "list"]);
        assert_eq!(listed[0]["id"], id.as_str());
        assert_eq!(listed[0]["state"], "published");

        let base = "https://csirt.example.gov/.well-known/csaf";
        let exported = export(&db.url, &id, dir.path(), &["--base-url", base]);
        let year = &shown["history"][3]["at"].as_str().expect("published at")[..4];
        let name = format!("{}.json", id.to_ascii_lowercase());
        let advisory_path = dir.path().join("green").join(year).join(&name);
        assert_eq!(exported["advisory"], path_str(&advisory_path));

        // Layout and hash.
        let bytes = std::fs::read(&advisory_path).expect("advisory");
        let hash =
            std::fs::read_to_string(advisory_path.with_extension("json.sha256")).expect("hash");
        assert_eq!(hash, format!("{:x}  {name}\n", Sha256::digest(&bytes)));
        let hash =
            std::fs::read_to_string(advisory_path.with_extension("json.sha512")).expect("hash");
        assert_eq!(hash, format!("{:x}  {name}\n", Sha512::digest(&bytes)));
        let advisory: Value = serde_json::from_slice(&bytes).expect("advisory json");
        let url = format!("{base}/green/{year}/{name}");
        assert_eq!(advisory["document"]["references"][0]["url"], url.as_str());
        assert_eq!(advisory["document"]["tracking"]["id"], id.as_str());
        assert_eq!(advisory["document"]["tracking"]["status"], "final");
        assert_eq!(
            advisory["document"]["publisher"]["namespace"],
            "https://csirt.example.gov"
        );
        let branches = &advisory["product_tree"]["branches"];
        assert_eq!(branches[0]["name"], "Acme");
        assert_eq!(branches[0]["branches"][0]["name"], "Gateway");
        assert_eq!(
            branches[0]["branches"][0]["branches"][0]["name"],
            "vers:generic/>=1.0|<1.4"
        );
        assert_eq!(
            branches[0]["branches"][1]["branches"][0]["product"]["product_id"],
            "CSAFPID-0003"
        );
        let vulns = advisory["vulnerabilities"]
            .as_array()
            .expect("vulnerabilities");
        assert_eq!(vulns.len(), 2);
        assert_eq!(vulns[1]["cve"], "CVE-2026-10002");
        assert_eq!(vulns[0]["remediations"][0]["category"], "vendor_fix");
        assert_eq!(
            vulns[0]["remediations"][0]["details"],
            "Update Gateway to 1.4 or 2.1."
        );
        assert_eq!(
            vulns[0]["product_status"]["known_affected"]
                .as_array()
                .map(Vec::len),
            Some(3)
        );
        assert!(
            !String::from_utf8_lossy(&bytes).contains("internal:"),
            "notes stay internal"
        );

        // Feed and provider metadata.
        let second = new_case(&db.url, "GREEN", "2020-01-01");
        publish(&db.url, &second);
        export(&db.url, &second, dir.path(), &["--base-url", base]);
        let feed = read_json(&dir.path().join("green/feed.json"));
        let entries = feed["feed"]["entry"].as_array().expect("entries");
        let ids: Vec<&str> = entries
            .iter()
            .map(|e| e["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, [id.as_str(), second.as_str()]);
        assert_eq!(entries[0]["content"]["src"], url.as_str());
        let metadata = read_json(&dir.path().join("provider-metadata.json"));
        assert_eq!(metadata["role"], "csaf_provider");
        assert_eq!(
            metadata["canonical_url"],
            format!("{base}/provider-metadata.json").as_str()
        );
        let feeds = &metadata["distributions"][0]["rolie"]["feeds"];
        assert_eq!(feeds[0]["url"], format!("{base}/green/feed.json").as_str());
        assert_eq!(feeds[0]["tlp_label"], "GREEN");

        // Validation: schemas, our parser, the import.
        assert_schema_valid("csaf_json_schema.json", &advisory);
        assert_schema_valid("provider_json_schema.json", &metadata);
        let mut broken = advisory.clone();
        broken["document"]["tracking"]["status"] = Value::from("done");
        assert_eq!(schema_errors("csaf_json_schema.json", &broken).len(), 1);
        let (_, diagnostics) = intel::csaf::parse_csaf(&bytes).expect("parse_csaf");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let imported = cli(&db.url, &["import", path_str(&advisory_path)]);
        assert_eq!(imported[0]["kind"], "csaf");
        assert_eq!(imported[0]["status"], "created");
        assert_eq!(imported[0]["warnings"], 0);
    }
}

#[test]
fn backwards_and_in_place_transitions_are_refused() {
    for db in test_support::backends("cvd transitions") {
        let id = new_case(&db.url, "AMBER", "2020-01-01");
        advance(&db.url, &id, "fix_available");
        for to in ["vendor_notified", "reported", "fix_available"] {
            let err = refused(&db.url, &["intel", "cvd", "advance", &id, "--to", to]);
            assert!(err.contains("cannot move back"), "{to}: {err}");
        }
        let unknown = refused(&db.url, &["intel", "cvd", "advance", &id, "--to", "closed"]);
        assert!(unknown.contains("vendor_notified"), "{unknown}");
        assert_eq!(
            cli(&db.url, &["cvd", "show", &id])["state"],
            "fix_available"
        );
    }
}

#[test]
fn publishing_under_embargo_needs_force() {
    for db in test_support::backends("cvd embargo") {
        let id = new_case(&db.url, "AMBER", "2099-12-31");
        advance(&db.url, &id, "fix_available");
        let err = refused(
            &db.url,
            &["intel", "cvd", "advance", &id, "--to", "published"],
        );
        assert!(err.contains("under embargo until 2099-12-31"), "{err}");
        assert_eq!(
            cli(&db.url, &["cvd", "show", &id])["state"],
            "fix_available"
        );
        let forced = cli(
            &db.url,
            &["cvd", "advance", &id, "--to", "published", "--force"],
        );
        assert_eq!(forced["state"], "published");
    }
}

/// `(TLP 2.0 label, CSAF label, directory, AMBER+STRICT text)` for each label.
#[test]
fn tlp_labels_map_down_never_wider() {
    let cases = [
        ("CLEAR", "WHITE", "white", false),
        ("GREEN", "GREEN", "green", false),
        ("AMBER", "AMBER", "amber", false),
        ("AMBER+STRICT", "AMBER", "amber", true),
        ("RED", "RED", "red", false),
    ];
    for db in test_support::backends("cvd tlp") {
        let dir = tempfile::tempdir().expect("temp dir");
        for (tlp, label, tlp_dir, strict) in cases {
            let id = new_case(&db.url, tlp, "2020-01-01");
            publish(&db.url, &id);
            let exported = export(&db.url, &id, dir.path(), &[]);
            let path = exported["advisory"].as_str().expect("advisory path");
            assert!(path.contains(&format!("/{tlp_dir}/")), "{tlp}: {path}");
            let advisory = read_json(Path::new(path));
            let distribution = &advisory["document"]["distribution"];
            assert_eq!(distribution["tlp"]["label"], label, "{tlp}");
            let text = distribution["text"].as_str().unwrap_or_default();
            assert_eq!(
                text.contains("must not share it beyond the named recipients"),
                strict,
                "{tlp}"
            );
            assert_schema_valid("csaf_json_schema.json", &advisory);
        }
        let metadata = read_json(&dir.path().join("provider-metadata.json"));
        let labels: Vec<&str> = metadata["distributions"][0]["rolie"]["feeds"]
            .as_array()
            .expect("feeds")
            .iter()
            .map(|f| f["tlp_label"].as_str().expect("label"))
            .collect();
        assert_eq!(labels, ["WHITE", "GREEN", "AMBER", "RED"]);
        let amber = read_json(&dir.path().join("amber/feed.json"));
        assert_eq!(amber["feed"]["entry"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            metadata["distributions"][0]["rolie"]["feeds"][0]["url"],
            "https://meridian.invalid/.well-known/csaf/white/feed.json"
        );
    }
}

#[test]
fn keygen_writes_the_csaf_signing_key_once_and_never_prints_the_secret() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = format!("sqlite://{}", dir.path().join("m.db").display());
    let keys = dir.path().join("keys");
    let out = meridian(
        &db,
        &["--json", "intel", "cvd", "keygen", "--out", path_str(&keys)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!stdout.contains("PRIVATE"), "{stdout}");
    let printed: Value = serde_json::from_str(&stdout).expect("json output");
    let fingerprint = printed["fingerprint"].as_str().expect("a fingerprint");
    assert!(
        fingerprint.len() == 40 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fingerprint}"
    );
    let secret = keys.join("csaf-signing.sec.asc");
    let text = std::fs::read_to_string(&secret).expect("the secret key");
    let key = app::cvd::openpgp::SigningKey::from_armored(&text).expect("a key");
    assert_eq!(key.fingerprint(), fingerprint);
    let public = std::fs::read_to_string(keys.join("csaf-signing.pub.asc")).expect("public");
    assert!(public.contains("PUBLIC KEY BLOCK") && !public.contains("PRIVATE"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secret)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = meridian(&db, &["intel", "cvd", "keygen", "--out", path_str(&keys)]);
    assert!(!again.status.success(), "an existing key is never replaced");
    assert_eq!(
        std::fs::read_to_string(&secret).expect("the secret key"),
        text
    );
    let bad = dir.path().join("bad.asc");
    std::fs::write(&bad, "not a key").expect("write");
    let refused = meridian(
        &db,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--csaf-key",
            path_str(&bad),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("reading the CSAF signing key"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
