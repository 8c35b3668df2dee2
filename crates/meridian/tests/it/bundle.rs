//! `bundle keygen | export | import`: what an export for a partner holds (TLP), the signed
//! round trip into another database (both backends), and every altered byte refused with
//! nothing stored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use store::Tlp;

use crate::federation::{Row, agreement, identity, insert, partner, rows};
use crate::{meridian, ok, path_str};

const COLLECTION: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const BROKEN: &str = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d";
const INTO: &str = "2b3c4d5e-6f70-4b1c-9d2e-4f5a6b7c8d9e";
const SUBMITTER_IDENTITY: &str = "identity--0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d";
const V1: &str = "2026-01-01T00:00:00.000Z";
const V2: &str = "2026-02-01T00:00:00.000Z";

/// The file with one flipped byte, and what the refusal says.
const TAMPERED: [(&str, &str); 3] = [
    ("bundle.json", "hash (bundle.json): the bundle was altered"),
    (
        "manifest.json",
        "signature (bundle.sig over manifest.json): the signature does not verify",
    ),
    ("bundle.sig", "signature (bundle.sig over manifest.json)"),
];

/// The names of the objects in DIR/bundle.json.
fn bundle_names(dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("bundle.json")).expect("bundle.json");
    let bundle: Value = serde_json::from_str(&text).expect("bundle.json is JSON");
    assert_eq!(bundle["type"], "bundle");
    assert!(
        bundle["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("bundle--"))
    );
    bundle["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| o["name"].as_str().unwrap_or("(unnamed)").to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

/// A copy of the bundle directory `from` with one byte of `file` flipped.
fn tampered(from: &Path, file: &str, into: &Path) {
    std::fs::create_dir_all(into).expect("creating the copy");
    for name in ["bundle.json", "manifest.json", "bundle.sig"] {
        let mut bytes = std::fs::read(from.join(name)).expect("reading a bundle file");
        if name == file {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x01;
        }
        std::fs::write(into.join(name), bytes).expect("writing the copy");
    }
}

/// Hub X, the exporting side: a SQLite database in `w` with the collection COLLECTION and the
/// partners cert-p and cert-q (no agreements yet).
fn exporting_hub(w: &Path) -> String {
    let db_x = format!("sqlite://{}", w.join("x.db").display());
    ok(
        &db_x,
        &["collection", "add", "--title", "c", "--id", COLLECTION],
    );
    for p in ["cert-p", "cert-q"] {
        partner(&db_x, p);
    }
    db_x
}

/// The importing side in `db`: the collection INTO and the partner hub-x (no key yet).
fn importing_hub(db: &str) {
    ok(db, &["collection", "add", "--title", "into", "--id", INTO]);
    partner(db, "hub-x");
}

/// `bundle keygen --out DIR`: the public key and the path of the private key.
fn keygen(db: &str, dir: &Path) -> (String, PathBuf) {
    let public = ok(db, &["bundle", "keygen", "--out", path_str(dir)]);
    (public.trim().to_owned(), dir.join("hub.key"))
}

/// The arguments of `bundle export` of `collection` for `partner` with `key` into `dir`,
/// signed as `signer` when given.
fn export_args<'a>(
    partner: &'a str,
    collection: &'a str,
    key: &'a Path,
    dir: &'a Path,
    signer: Option<&'a str>,
) -> Vec<&'a str> {
    let mut args = vec![
        "bundle",
        "export",
        "--collection",
        collection,
        "--for",
        partner,
        "--key",
        path_str(key),
        "--out",
        path_str(dir),
    ];
    if let Some(signer) = signer {
        args.extend(["--signer", signer]);
    }
    args
}

/// Exports `collection` for `partner` into `dir`, signed as hub-x; asserts success.
fn export(db: &str, partner: &str, collection: &str, key: &Path, dir: &Path) {
    ok(
        db,
        &export_args(partner, collection, key, dir, Some("hub-x")),
    );
}

/// The arguments of `[global…] bundle import DIR --from FROM --collection COLLECTION`, with
/// `--as ME` when given.
fn import_args<'a>(
    global: &[&'a str],
    dir: &'a Path,
    from: &'a str,
    collection: &'a str,
    me: Option<&'a str>,
) -> Vec<&'a str> {
    let mut args = global.to_vec();
    args.extend([
        "bundle",
        "import",
        path_str(dir),
        "--from",
        from,
        "--collection",
        collection,
    ]);
    if let Some(me) = me {
        args.extend(["--as", me]);
    }
    args
}

/// `--json bundle import DIR --from hub-x --collection INTO --as cert-p`; asserts success.
fn import_json(db: &str, dir: &Path) -> Value {
    let out = ok(
        db,
        &import_args(&["--json"], dir, "hub-x", INTO, Some("cert-p")),
    );
    serde_json::from_str(&out).expect("import --json")
}

/// Runs `bundle import` expecting a refusal naming `needle`.
fn refused(db: &str, dir: &Path, from: &str, collection: &str, needle: &str) {
    let out = meridian(db, &import_args(&[], dir, from, collection, Some("cert-p")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "import of {} succeeded",
        dir.display()
    );
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

#[test]
fn bundle_export_releases_by_tlp_and_imports_signed_all_or_nothing() {
    let work = tempfile::tempdir().expect("temporary directory");
    let w = work.path();

    // Exporting hub X: cert-p may read up to AMBER+STRICT, cert-q up to AMBER.
    let db_x = exporting_hub(w);
    ok(
        &db_x,
        &["collection", "add", "--title", "broken", "--id", BROKEN],
    );
    // The submitter of the objects asked to be anonymised to other partners.
    ok(
        &db_x,
        &[
            "partner",
            "add",
            "cert-s",
            "--name",
            "S",
            "--country",
            "FR",
            "--anonymise",
        ],
    );
    agreement(&db_x, "x-p", "cert-p", "AMBER+STRICT", COLLECTION);
    agreement(&db_x, "x-q", "cert-q", "AMBER", COLLECTION);
    agreement(&db_x, "x-p-broken", "cert-p", "GREEN", BROKEN);
    let to = |p: &str| vec![p.to_owned()];
    let mut clear = identity("clear", Some(Tlp::Clear), V1);
    clear["created_by_ref"] = SUBMITTER_IDENTITY.into();
    let green = identity("green", Some(Tlp::Green), V1);
    let mut green2 = identity("green-v2", Some(Tlp::Green), V2);
    green2["id"] = green["id"].clone();
    insert(
        &db_x,
        COLLECTION,
        "cert-s",
        &[
            (clear, Vec::new()),
            (green, Vec::new()),
            (green2, Vec::new()),
            (identity("amber", Some(Tlp::Amber), V1), Vec::new()),
            (identity("amber-to-q", Some(Tlp::Amber), V1), to("cert-q")),
            (identity("strict", Some(Tlp::AmberStrict), V1), Vec::new()),
            (
                identity("strict-to-p", Some(Tlp::AmberStrict), V1),
                to("cert-p"),
            ),
            (
                identity("strict-to-q", Some(Tlp::AmberStrict), V1),
                to("cert-q"),
            ),
            (identity("red-to-p", Some(Tlp::Red), V1), to("cert-p")),
            (identity("unmarked", None, V1), Vec::new()),
        ],
    );

    let keys = w.join("keys");
    let (public, key_file) = keygen(&db_x, &keys);
    let public = public.as_str();
    assert_eq!(public.len(), 64, "{public}");
    assert_eq!(
        std::fs::read_to_string(keys.join("hub.pub"))
            .expect("hub.pub")
            .trim(),
        public
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file)
            .expect("hub.key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "hub.key mode {mode:o}");
    }
    // keygen never replaces a key.
    let again = meridian(&db_x, &["bundle", "keygen", "--out", path_str(&keys)]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let for_p = w.join("for-p");
    export(&db_x, "cert-p", COLLECTION, &key_file, &for_p);
    assert_eq!(
        bundle_names(&for_p),
        set(&[
            "clear",
            "green-v2",
            "amber",
            "strict",
            "strict-to-p",
            "unmarked"
        ]),
        "for cert-p: latest versions; no AMBER+STRICT for another recipient; never RED"
    );
    let for_q = w.join("for-q");
    export(&db_x, "cert-q", COLLECTION, &key_file, &for_q);
    assert_eq!(
        bundle_names(&for_q),
        set(&["clear", "green-v2", "amber", "amber-to-q", "unmarked"]),
        "for cert-q (ceiling AMBER): no AMBER+STRICT even when named; never RED"
    );
    let exported = std::fs::read_to_string(for_p.join("bundle.json")).expect("bundle.json");
    assert!(
        !exported.contains(SUBMITTER_IDENTITY)
            && exported.contains(app::sharing::ANONYMOUS_IDENTITY),
        "an anonymised submitter's created_by_ref is replaced"
    );
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(for_p.join("manifest.json")).expect("manifest.json"),
    )
    .expect("manifest JSON");
    assert_eq!(manifest["signer"], "hub-x");
    assert_eq!(manifest["recipient"], "cert-p");
    assert_eq!(manifest["objects"], 6);
    assert_eq!(manifest["tlp_max"], "AMBER+STRICT");

    // A partner without read on the collection gets nothing at all, and an export never
    // overwrites a bundle.
    partner(&db_x, "cert-r");
    for (partner, dir, needle) in [
        ("cert-r", w.join("for-r"), "no agreement grants cert-r read"),
        ("cert-p", for_p.clone(), "exists already"),
    ] {
        let out = meridian(
            &db_x,
            &export_args(partner, COLLECTION, &key_file, &dir, None),
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    }
    // A validly signed bundle with an invalid object in it.
    let mut invalid = identity("invalid", Some(Tlp::Clear), V1);
    invalid.as_object_mut().expect("object").remove("name");
    insert(
        &db_x,
        BROKEN,
        "cert-s",
        &[
            (identity("fine", Some(Tlp::Clear), V1), Vec::new()),
            (invalid, Vec::new()),
        ],
    );
    let broken = w.join("broken");
    export(&db_x, "cert-p", BROKEN, &key_file, &broken);

    let (other_public, _) = keygen(&db_x, &w.join("other-keys"));
    for (file, _) in TAMPERED {
        tampered(&for_p, file, &w.join(format!("tampered-{file}")));
    }

    for y in test_support::backends("bundle") {
        let db = y.url.as_str();
        importing_hub(db);
        partner(db, "hub-z");
        refused(db, &for_p, "hub-x", INTO, "has no public key");
        ok(db, &["partner", "key", "hub-x", public]);
        ok(db, &["partner", "key", "hub-z", &other_public]);

        for (file, needle) in TAMPERED {
            refused(
                db,
                &w.join(format!("tampered-{file}")),
                "hub-x",
                INTO,
                needle,
            );
        }
        refused(db, &for_p, "hub-z", INTO, "signature does not verify");
        refused(
            db,
            &broken,
            "hub-x",
            INTO,
            "1 of 2 objects are not valid STIX 2.1",
        );
        assert!(
            rows(db, INTO).is_empty(),
            "[{}] nothing stored by refused imports",
            y.name
        );

        let imported = import_json(db, &for_p);
        assert_eq!(imported["added"], 6, "[{}] {imported}", y.name);
        let stored = rows(db, INTO);
        let expected: BTreeSet<Row> = [
            "clear",
            "green-v2",
            "amber",
            "strict",
            "strict-to-p",
            "unmarked",
        ]
        .iter()
        .map(|&n| {
            let version = if n == "green-v2" { V2 } else { V1 };
            (
                n.to_owned(),
                version.to_owned(),
                Some("hub-x".to_owned()),
                Some("bundle:hub-x".to_owned()),
            )
        })
        .collect();
        assert_eq!(stored, expected, "[{}] imported with provenance", y.name);
        let again = import_json(db, &for_p);
        // A replay (the same bytes again) is an explicit no-op.
        assert_eq!(
            (again["replayed"].as_bool(), again["added"].as_u64()),
            (Some(true), Some(0)),
            "{again}"
        );
        // The import is audited as the bundle's signer, once: the replay writes nothing.
        let audited = ok(
            db,
            &["--json", "audit", "list", "--action", "taxii.add_objects"],
        );
        let audited: Value = serde_json::from_str(&audited).expect("audit list --json");
        let audited = audited.as_array().expect("entries");
        assert_eq!(audited.len(), 1, "[{}] {audited:?}", y.name);
        assert_eq!(audited[0]["actor"], "partner:hub-x");
        assert_eq!(audited[0]["action"], "taxii.add_objects");
        assert_eq!(audited[0]["object_ids"].as_array().map(Vec::len), Some(6));
    }
}

/// Signs `bundle.json` of `from` again with `fields` changed, into `into`.
fn resigned(
    from: &Path,
    into: &Path,
    key_file: &Path,
    change: impl FnOnce(&mut exchange::bundle::ManifestFields),
) {
    let bundle = std::fs::read(from.join("bundle.json")).expect("bundle.json");
    let manifest: exchange::bundle::Manifest =
        serde_json::from_slice(&std::fs::read(from.join("manifest.json")).expect("manifest.json"))
            .expect("manifest");
    let mut fields = exchange::bundle::ManifestFields {
        created: manifest.created,
        signer: manifest.signer,
        recipient: manifest.recipient,
        bundle_file: manifest.bundle_file,
        objects: manifest.objects,
        tlp_max: manifest.tlp_max,
    };
    change(&mut fields);
    let key = std::fs::read_to_string(key_file).expect("key");
    let signed = exchange::bundle::sign(&bundle, fields, &key).expect("signing");
    std::fs::create_dir_all(into).expect("mkdir");
    std::fs::write(into.join("bundle.json"), &bundle).expect("write");
    std::fs::write(into.join("manifest.json"), &signed.manifest).expect("write");
    std::fs::write(into.join("bundle.sig"), format!("{}\n", signed.signature)).expect("write");
}

/// A validly signed bundle is refused when it is addressed to another hub, dated outside the
/// window or undated, or too large; errors name the field, and nothing is stored.
#[test]
fn bundle_import_checks_recipient_created_size_and_replay() {
    let work = tempfile::tempdir().expect("temporary directory");
    let w = work.path();
    let db_x = exporting_hub(w);
    for p in ["cert-p", "cert-q"] {
        agreement(&db_x, &format!("x-{p}"), p, "AMBER", COLLECTION);
    }
    insert(
        &db_x,
        COLLECTION,
        "cert-p",
        &[(identity("clear", Some(Tlp::Clear), V1), Vec::new())],
    );
    let (public, key_file) = keygen(&db_x, &w.join("keys"));
    let for_p = w.join("for-p");
    export(&db_x, "cert-p", COLLECTION, &key_file, &for_p);
    let for_q = w.join("for-q");
    export(&db_x, "cert-q", COLLECTION, &key_file, &for_q);
    let dated = |name: &str, created: &str| {
        let dir = w.join(name);
        resigned(&for_p, &dir, &key_file, |f| f.created = created.to_owned());
        dir
    };
    let undated = dated("not-a-date", "not-a-date");
    let old = dated("2001", "2001-01-01T00:00:00Z");
    let future = dated("2999", "2999-01-01T00:00:00Z");
    let nobody = w.join("nobody");
    resigned(&for_p, &nobody, &key_file, |f| f.recipient = None);

    let y = test_support::backends("bundle checks")
        .into_iter()
        .next()
        .expect("SQLite");
    let db = y.url.as_str();
    importing_hub(db);
    ok(db, &["partner", "key", "hub-x", &public]);
    for (dir, needle) in [
        (
            &for_q,
            "manifest.json: recipient: the bundle is addressed to \"cert-q\", not to this hub (\"cert-p\")",
        ),
        (&nobody, "recipient: the bundle is addressed to nobody"),
        (
            &undated,
            "created: \"not-a-date\" is not an RFC 3339 date-time",
        ),
        (
            &old,
            "created: 2001-01-01T00:00:00Z is older than the maximum age of 90 days",
        ),
        (&future, "created: 2999-01-01T00:00:00Z is in the future"),
    ] {
        refused(db, dir, "hub-x", INTO, needle);
    }
    // Without --as (or MERIDIAN_HUB_ID) the importer does not know who it is.
    let out = meridian(db, &import_args(&[], &for_p, "hub-x", INTO, None));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as"));
    // A file over --max-file-size is refused before it is read.
    let out = meridian(
        db,
        &import_args(
            &["--max-file-size", "100"],
            &for_p,
            "hub-x",
            INTO,
            Some("cert-p"),
        ),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("larger than the limit of 100 bytes"), "{err}");
    assert!(
        rows(db, INTO).is_empty(),
        "nothing stored by refused imports"
    );
    // The right hub, the right date: imported; once only.
    let first = import_json(db, &for_p);
    assert_eq!(
        (first["replayed"].as_bool(), first["added"].as_u64()),
        (Some(false), Some(1))
    );
    let again = ok(db, &import_args(&[], &for_p, "hub-x", INTO, Some("cert-p")));
    assert!(again.contains("was imported already"), "{again}");
}
