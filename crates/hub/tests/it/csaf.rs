//! The CSAF provider under `/.well-known/csaf/`, on SQLite and PostgreSQL: one published case
//! per TLP label (and one unpublished), every provider path asked by every kind of reader
//! (anonymous, administrator, analyst, a partner user and the partner token of a recipient, of
//! a GREEN-only partner and of a partner without agreement). What each may see is decided here
//! by hand from the rules (WHITE public; staff everything below RED; partners what their
//! agreement on the provider collection reaches, AMBER+STRICT only at that ceiling; RED never),
//! not by calling the product's decision.

use std::collections::BTreeSet;

use app::Role;
use app::cvd::provider::PROVIDER_COLLECTION;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};
use store::{AffectedProduct, CvdState, NewCvdCase, Store, Tlp};

use crate::common::{Hub, agreement, collection, partner};

/// Raw GET, with a bearer token when given: status, content type and body bytes.
pub(crate) fn fetch(url: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.get(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.call().expect("the request completes");
    let status = response.status().as_u16();
    let media_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response.body_mut().read_to_vec().expect("a body");
    (status, media_type, bytes)
}

fn case(tlp: Tlp) -> NewCvdCase {
    NewCvdCase {
        title: format!("Flaw labelled {tlp}"),
        cves: vec!["CVE-2026-1000".to_owned()],
        reporter: "r@example.org".to_owned(),
        vendor: "Acme".to_owned(),
        vendor_country: "DE".to_owned(),
        vendor_csirt: String::new(),
        products: vec![AffectedProduct {
            vendor: "Acme".to_owned(),
            product: "Router".to_owned(),
            versions: "<2.0".to_owned(),
        }],
        embargo: None,
        tlp,
        remediation: String::new(),
        notes: "secret working notes".to_owned(),
    }
}

/// A published (or not) case: its id, label and path in the provider directory.
struct Published {
    id: String,
    tlp: Tlp,
    path: String,
}

/// The TLP directory of a label (CSAF 2.0 knows TLP 1.0).
fn dir(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "white",
        Tlp::Green => "green",
        Tlp::Amber | Tlp::AmberStrict => "amber",
        Tlp::Red => "red",
    }
}

/// The labels each reader may see, by hand.
fn sees(reader: &str, tlp: Tlp) -> bool {
    let ceiling = match reader {
        "anonymous" | "outsider-token" => Tlp::Clear,
        "admin" | "analyst" => Tlp::AmberStrict,
        "recipient-user" | "recipient-token" => Tlp::Amber,
        "green-user" | "green-token" => Tlp::Green,
        other => panic!("unknown reader {other}"),
    };
    tlp != Tlp::Red && tlp <= ceiling
}

/// What a reader who may not see `dir` is answered: 401 only without credentials for a
/// non-public directory.
fn refused(reader: &str, dir: &str) -> u16 {
    if reader == "anonymous" && dir != "white" {
        401
    } else {
        404
    }
}

#[test]
fn the_provider_serves_each_reader_what_its_tlp_releases_and_never_red() {
    for db in test_support::backends("hub csaf provider") {
        let mut store = Store::open(&db.url).expect("store");
        let recipient = partner(&mut store, "cert-de");
        let green = partner(&mut store, "cert-fr");
        let outsider = partner(&mut store, "cert-it");
        collection(&mut store, PROVIDER_COLLECTION);
        agreement(
            &mut store,
            "a-de",
            "cert-de",
            Tlp::Amber,
            &[(PROVIDER_COLLECTION, true, false)],
        );
        agreement(
            &mut store,
            "a-fr",
            "cert-fr",
            Tlp::Green,
            &[(PROVIDER_COLLECTION, true, false)],
        );
        let readers: Vec<(&str, Option<String>)> = vec![
            ("anonymous", None),
            (
                "admin",
                Some(crate::rest::user_of(&mut store, "admin", Role::Admin, None)),
            ),
            (
                "analyst",
                Some(crate::rest::user_of(
                    &mut store,
                    "analyst",
                    Role::Analyst,
                    None,
                )),
            ),
            (
                "recipient-user",
                Some(crate::rest::user_of(
                    &mut store,
                    "de-user",
                    Role::Partner,
                    Some("cert-de"),
                )),
            ),
            ("recipient-token", Some(recipient)),
            (
                "green-user",
                Some(crate::rest::user_of(
                    &mut store,
                    "fr-user",
                    Role::Partner,
                    Some("cert-fr"),
                )),
            ),
            ("green-token", Some(green)),
            ("outsider-token", Some(outsider)),
        ];
        let local = app::Actor::Local("test".to_owned());
        let mut cases = Vec::new();
        for tlp in Tlp::ALL {
            let opened = app::cvd::create_case(&mut store, case(tlp), &local).expect("open");
            let published =
                app::cvd::advance(&mut store, &opened.id, CvdState::Published, true, &local)
                    .expect("publish");
            let (_, at) = published.history.last().expect("published at");
            cases.push(Published {
                path: format!(
                    "{}/{}/{}.json",
                    dir(tlp),
                    &at[..4],
                    opened.id.to_ascii_lowercase()
                ),
                id: opened.id,
                tlp,
            });
        }
        let unpublished = app::cvd::create_case(&mut store, case(Tlp::Clear), &local)
            .expect("open")
            .id;
        drop(store);
        let (key, _) =
            app::cvd::openpgp::SigningKey::generate("CSAF test <csaf@example.org>").expect("a key");
        let fingerprint = key.fingerprint().to_owned();
        let key = std::sync::Arc::new(key);
        let hub = Hub::start_with(&db.url, |o| o.csaf_key = Some(key));
        let url = |path: &str| hub.url(&format!("/.well-known/csaf/{path}"));

        for (reader, token) in &readers {
            let token = token.as_deref();
            let who = format!("[{}] {reader}", db.name);
            let visible: Vec<&Published> = cases.iter().filter(|c| sees(reader, c.tlp)).collect();
            let visible_dirs: BTreeSet<&str> = ["white", "green", "amber"]
                .into_iter()
                .filter(|d| {
                    [Tlp::Clear, Tlp::Green, Tlp::Amber]
                        .into_iter()
                        .any(|t| dir(t) == *d && sees(reader, t))
                })
                .collect();

            // The metadata names exactly the feeds the reader may see.
            let (status, media_type, bytes) = fetch(&url("provider-metadata.json"), token);
            assert_eq!(status, 200, "{who}: metadata");
            assert_eq!(media_type, "application/json", "{who}");
            let metadata: Value = serde_json::from_slice(&bytes).expect("JSON");
            assert_eq!(metadata["role"], "csaf_provider", "{who}");
            let feeds: BTreeSet<String> = metadata["distributions"][0]["rolie"]["feeds"]
                .as_array()
                .expect("feeds")
                .iter()
                .map(|f| f["tlp_label"].as_str().expect("label").to_ascii_lowercase())
                .collect();
            let want: BTreeSet<String> = visible_dirs.iter().map(|d| d.to_string()).collect();
            assert_eq!(feeds, want, "{who}: metadata feeds");
            let keys = &metadata["public_openpgp_keys"];
            assert_eq!(keys[0]["fingerprint"], fingerprint.as_str(), "{who}");
            let key_url = keys[0]["url"].as_str().expect("the key's URL");
            assert_eq!(key_url, url(&format!("openpgp/{fingerprint}.asc")), "{who}");
            let (status, media_type, public_key) = fetch(key_url, token);
            assert_eq!(
                (status, media_type.as_str()),
                (200, "application/pgp-keys"),
                "{who}"
            );
            let public_key = String::from_utf8(public_key).expect("armoured");
            assert!(!public_key.contains("PRIVATE"), "{who}");

            for d in ["white", "green", "amber", "red"] {
                let in_dir: Vec<&&Published> = visible.iter().filter(|c| dir(c.tlp) == d).collect();
                for file in ["feed.json", "index.txt", "changes.csv"] {
                    let (status, _, bytes) = fetch(&url(&format!("{d}/{file}")), token);
                    if !visible_dirs.contains(d) {
                        assert_eq!(status, refused(reader, d), "{who}: {d}/{file}");
                        continue;
                    }
                    assert_eq!(status, 200, "{who}: {d}/{file}");
                    let text = String::from_utf8(bytes).expect("UTF-8");
                    for c in &cases {
                        let listed =
                            text.contains(&c.id) || text.contains(&c.id.to_ascii_lowercase());
                        let want = in_dir.iter().any(|v| v.id == c.id);
                        assert_eq!(listed, want, "{who}: {d}/{file} lists {} ({})", c.id, c.tlp);
                    }
                    assert!(
                        !text
                            .to_ascii_lowercase()
                            .contains(&unpublished.to_ascii_lowercase()),
                        "{who}: {d}/{file} lists the unpublished case"
                    );
                    match file {
                        "index.txt" => {
                            let lines: Vec<&str> = text.lines().collect();
                            let want: Vec<String> = in_dir
                                .iter()
                                .map(|c| c.path.split_once('/').expect("a dir").1.to_owned())
                                .collect();
                            assert_eq!(lines, want, "{who}: {d}/index.txt");
                        }
                        "changes.csv" => {
                            for line in text.lines() {
                                let (path, date) = line.split_once(',').expect("two columns");
                                assert!(
                                    path.starts_with('"') && path.ends_with(".json\""),
                                    "{who}: {line}"
                                );
                                assert!(
                                    date.starts_with("\"20") && date.ends_with('"'),
                                    "{who}: {line}"
                                );
                            }
                        }
                        _ => {
                            let feed: Value = serde_json::from_str(&text).expect("JSON");
                            let entries = feed["feed"]["entry"].as_array().expect("entries");
                            assert_eq!(entries.len(), in_dir.len(), "{who}: {d}/feed.json");
                        }
                    }
                }
            }

            for c in &cases {
                let may = sees(reader, c.tlp);
                let d = dir(c.tlp);
                let (status, media_type, document) = fetch(&url(&c.path), token);
                let expected = if may { 200 } else { refused(reader, d) };
                assert_eq!(status, expected, "{who}: {} ({})", c.path, c.tlp);
                for suffix in [".sha256", ".sha512", ".asc"] {
                    let (status, _, _) = fetch(&url(&format!("{}{suffix}", c.path)), token);
                    assert_eq!(status, expected, "{who}: {}{suffix}", c.path);
                }
                if !may {
                    continue;
                }
                assert_eq!(media_type, "application/json", "{who}");
                let again = fetch(&url(&c.path), token).2;
                assert_eq!(document, again, "{who}: the same bytes every time");
                let name = c.path.rsplit('/').next().expect("a name");
                let (_, _, sha256) = fetch(&url(&format!("{}.sha256", c.path)), token);
                assert_eq!(
                    String::from_utf8(sha256).expect("UTF-8"),
                    format!("{:x}  {name}\n", Sha256::digest(&document)),
                    "{who}: {}.sha256",
                    c.path
                );
                let (_, _, sha512) = fetch(&url(&format!("{}.sha512", c.path)), token);
                assert_eq!(
                    String::from_utf8(sha512).expect("UTF-8"),
                    format!("{:x}  {name}\n", Sha512::digest(&document)),
                    "{who}: {}.sha512",
                    c.path
                );
                let (_, media_type, signature) = fetch(&url(&format!("{}.asc", c.path)), token);
                assert_eq!(media_type, "application/pgp-signature", "{who}");
                let signature = String::from_utf8(signature).expect("armoured");
                app::cvd::openpgp::verify(&public_key, &document, &signature)
                    .unwrap_or_else(|e| panic!("{who}: {}.asc: {e}", c.path));
                let mut changed = document.clone();
                changed[10] ^= 0x20;
                assert!(
                    app::cvd::openpgp::verify(&public_key, &changed, &signature).is_err(),
                    "{who}: a changed byte verifies"
                );
                let parsed: Value = serde_json::from_slice(&document).expect("JSON");
                assert_eq!(parsed["document"]["tracking"]["id"], c.id.as_str(), "{who}");
                assert!(
                    !String::from_utf8_lossy(&document).contains("secret working notes"),
                    "{who}"
                );
            }
        }

        // Bad credentials are refused, not read as anonymous; unknown paths are not found.
        let (status, _, _) = fetch(&url("white/feed.json"), Some("mru_not-a-token"));
        assert_eq!(status, 401, "[{}] a bad token", db.name);
        let admin = readers[1].1.as_deref();
        for path in [
            "purple/feed.json",
            "white/2026/none.json",
            "white/x/y/z.json",
            "white/",
            "openpgp/0000.asc",
        ] {
            let (status, _, _) = fetch(&url(path), admin);
            assert_eq!(status, 404, "[{}] {path}", db.name);
        }
    }
}
