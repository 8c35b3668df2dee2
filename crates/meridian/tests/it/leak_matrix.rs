//! The TLP leak matrix, a standing test: every label and spelling × every path out × every
//! relation, on SQLite and PostgreSQL, under every installation default.
//!
//! Objects reach hub H the ways real objects do (TAXII POST by a partner, and the hub's own
//! addressed objects through `app::sharing::store_batch`), so the label is decided by the product's own
//! ingest, never given by the test. What each relation may receive is decided here by an oracle
//! written by hand from §4 of the specification (it does not call `exchange::policy`), and then
//! checked on every path: TAXII objects (every page), object by id, versions, manifest,
//! `match[id]` in upper case, status resources, `bundle export --for`, and federation pushes by
//! `sync` to a second hub R, where the label R stores must be at least as restrictive as H's,
//! and the CSAF provider of `meridian serve` (`/.well-known/csaf/`: metadata, feeds,
//! `index.txt`, `changes.csv`, advisories and their hashes) serving one published CVD case per
//! label, the relations holding the same grants on the provider's collection as on C.
//! Every object that leaves must carry a TLP marking at least as restrictive as its label (an
//! unmarked object leaves marked with H's default, so no receiver applies a wider default).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use store::{Store, Tlp};

use app::cvd::provider::PROVIDER_COLLECTION;

use crate::federation::{Server, partner, post_as, token};
use crate::{meridian, ok, path_str};

const C: &str = "0b3f7c2e-6a1d-4e8f-9c2b-5d4e3f2a1b0c";
const D: &str = "7e6d5c4b-3a29-4180-8f7e-6d5c4b3a2918";
const V1: &str = "2026-03-01T00:00:00.000Z";

/// Marking definitions that are not the well-known TLP ones.
const COPYRIGHT: &str = "marking-definition--3c1e4b0a-9d2f-4e6a-8b7c-1a2b3c4d5e6f";
const STATEMENT_AMBER: &str = "marking-definition--4d2f5c1b-0e3a-4f7b-9c8d-2b3c4d5e6f70";
const CUSTOM_EXTENSION: &str = "marking-definition--5e306d2c-1f4b-4a8c-8d9e-3c4d5e6f7081";
const STORED_COPYRIGHT: &str = "marking-definition--6f417e3d-2a5c-4b9d-9eaf-4d5e6f708192";
const NEVER_DEFINED: &str = "marking-definition--7a528f4e-3b6d-4cae-8fb0-5e6f708192a3";
const TLP1_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
const TLP1_GREEN: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
const TLP1_AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
const TLP1_RED: &str = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

/// What an object's label should be.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Label(Tlp),
    /// Unmarked (or marked only by statements that say nothing about sharing).
    Default,
}

/// The UUID part in upper case, as STIX allows (`marking-definition--E828B379-…`).
fn upper(id: &str) -> String {
    let (prefix, uuid) = id.split_once("--").expect("a STIX id");
    format!("{prefix}--{}", uuid.to_ascii_uppercase())
}

fn tlp2(tlp: Tlp) -> String {
    stix::tlp::marking_id(tlp).to_owned()
}

/// The labelled cases: (name, object_marking_refs, granular marking refs, expected label).
fn cases() -> Vec<(&'static str, Vec<String>, Vec<String>, Expect)> {
    use Expect::{Default, Label};
    let s = |v: &str| v.to_owned();
    vec![
        ("clear", vec![tlp2(Tlp::Clear)], vec![], Label(Tlp::Clear)),
        ("green", vec![tlp2(Tlp::Green)], vec![], Label(Tlp::Green)),
        ("amber", vec![tlp2(Tlp::Amber)], vec![], Label(Tlp::Amber)),
        (
            "strict",
            vec![tlp2(Tlp::AmberStrict)],
            vec![],
            Label(Tlp::AmberStrict),
        ),
        ("red", vec![tlp2(Tlp::Red)], vec![], Label(Tlp::Red)),
        ("tlp1-white", vec![s(TLP1_WHITE)], vec![], Label(Tlp::Clear)),
        ("tlp1-green", vec![s(TLP1_GREEN)], vec![], Label(Tlp::Green)),
        ("tlp1-amber", vec![s(TLP1_AMBER)], vec![], Label(Tlp::Amber)),
        ("tlp1-red", vec![s(TLP1_RED)], vec![], Label(Tlp::Red)),
        (
            "upper-clear",
            vec![upper(&tlp2(Tlp::Clear))],
            vec![],
            Label(Tlp::Clear),
        ),
        (
            "upper-green",
            vec![upper(&tlp2(Tlp::Green))],
            vec![],
            Label(Tlp::Green),
        ),
        (
            "upper-amber",
            vec![upper(&tlp2(Tlp::Amber))],
            vec![],
            Label(Tlp::Amber),
        ),
        (
            "upper-strict",
            vec![upper(&tlp2(Tlp::AmberStrict))],
            vec![],
            Label(Tlp::AmberStrict),
        ),
        (
            "upper-red",
            vec![upper(&tlp2(Tlp::Red))],
            vec![],
            Label(Tlp::Red),
        ),
        (
            "upper-tlp1-red",
            vec![upper(TLP1_RED)],
            vec![],
            Label(Tlp::Red),
        ),
        (
            "upper-tlp1-amber",
            vec![upper(TLP1_AMBER)],
            vec![],
            Label(Tlp::Amber),
        ),
        ("unmarked", vec![], vec![], Default),
        ("unknown", vec![s(NEVER_DEFINED)], vec![], Label(Tlp::Red)),
        (
            "green-and-unknown",
            vec![tlp2(Tlp::Green), s(NEVER_DEFINED)],
            vec![],
            Label(Tlp::Red),
        ),
        ("copyright", vec![s(COPYRIGHT)], vec![], Default),
        (
            "copyright-green",
            vec![s(COPYRIGHT), tlp2(Tlp::Green)],
            vec![],
            Label(Tlp::Green),
        ),
        (
            "stored-copyright",
            vec![s(STORED_COPYRIGHT)],
            vec![],
            Default,
        ),
        (
            "statement-amber",
            vec![s(STATEMENT_AMBER)],
            vec![],
            Label(Tlp::Amber),
        ),
        (
            "custom-extension",
            vec![s(CUSTOM_EXTENSION)],
            vec![],
            Label(Tlp::Red),
        ),
        (
            "granular-red",
            vec![],
            vec![tlp2(Tlp::Red)],
            Label(Tlp::Red),
        ),
        (
            "granular-upper-amber",
            vec![tlp2(Tlp::Green)],
            vec![upper(&tlp2(Tlp::Amber))],
            Label(Tlp::Amber),
        ),
        (
            "granular-unknown",
            vec![tlp2(Tlp::Clear)],
            vec![s(NEVER_DEFINED)],
            Label(Tlp::Red),
        ),
    ]
}

/// The cases stored a second time as the hub's own objects addressed to the named recipients.
const ADDRESSED: [&str; 6] = [
    "amber",
    "strict",
    "unmarked",
    "upper-amber",
    "statement-amber",
    "granular-upper-amber",
];

fn identity(name: &str, refs: &[String], granular: &[String]) -> Value {
    let mut object = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": format!("identity--{}", uuid::Uuid::new_v4()),
        "created": V1,
        "modified": V1,
        "name": name,
    });
    if !refs.is_empty() {
        object["object_marking_refs"] = json!(refs);
    }
    if !granular.is_empty() {
        object["granular_markings"] = granular
            .iter()
            .map(|r| json!({ "marking_ref": r, "selectors": ["name"] }))
            .collect();
    }
    object
}

fn definition(id: &str, name: &str, kind: &str, body: Value) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": id,
        "created": "2026-01-01T00:00:00.000Z",
        "name": name,
        "definition_type": kind,
        "definition": body,
    })
}

/// How a partner relates to collection C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    /// Submitted the TAXII objects; read and write, GREEN ceiling.
    Submitter,
    /// Read at this ceiling.
    Member(Tlp),
    /// Read at this ceiling, and named as a recipient of the addressed objects.
    Named(Tlp),
    /// An agreement on another collection only.
    OtherCollection,
    /// No agreement at all.
    Outsider,
    /// Read at AMBER+STRICT, but its token is revoked (TAXII only).
    Revoked,
}

const RELATIONS: [(&str, Relation); 11] = [
    ("submitter", Relation::Submitter),
    ("m-clear", Relation::Member(Tlp::Clear)),
    ("m-green", Relation::Member(Tlp::Green)),
    ("m-amber", Relation::Member(Tlp::Amber)),
    ("m-strict", Relation::Member(Tlp::AmberStrict)),
    ("m-red", Relation::Member(Tlp::Red)),
    ("named-strict", Relation::Named(Tlp::AmberStrict)),
    ("named-green", Relation::Named(Tlp::Green)),
    ("other", Relation::OtherCollection),
    ("outsider", Relation::Outsider),
    ("revoked", Relation::Revoked),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    Taxii,
    Export,
    Federation,
    /// The CSAF provider, whose WHITE directory is public.
    Csaf,
}

/// The oracle: may an object labelled `label` (addressed to the named recipients or not) leave
/// towards `relation` on `out`? From §4: CLEAR to anyone who may read the collection, GREEN to
/// members, AMBER to recipients, AMBER+STRICT to recipients and never forwarded, RED never
/// through a collection; a submitter receives its own submissions over TAXII. The CSAF
/// provider serves WHITE (CLEAR) to anyone whose credentials are valid, or who gives none.
fn may_leave(label: Tlp, addressed: bool, relation: Relation, out: Out) -> bool {
    if out == Out::Csaf && label == Tlp::Clear && relation != Relation::Revoked {
        return true;
    }
    let (ceiling, named) = match relation {
        Relation::Outsider | Relation::OtherCollection => return false,
        Relation::Revoked if matches!(out, Out::Taxii | Out::Csaf) => return false,
        Relation::Revoked => (Tlp::AmberStrict, false),
        Relation::Submitter => (Tlp::Green, false),
        Relation::Member(ceiling) => (ceiling, false),
        Relation::Named(ceiling) => (ceiling, true),
    };
    if label == Tlp::Red {
        return false;
    }
    if relation == Relation::Submitter && out == Out::Taxii && !addressed {
        return true;
    }
    let recipient = !addressed || named;
    match label {
        Tlp::Clear => true,
        Tlp::Green => ceiling >= Tlp::Green,
        Tlp::Amber => ceiling >= Tlp::Amber && recipient,
        Tlp::AmberStrict => out != Out::Federation && ceiling >= Tlp::AmberStrict && recipient,
        Tlp::Red => false,
    }
}

/// One stored object of H: its name (unique), id and expected label.
struct Stored {
    name: String,
    id: String,
    label: Tlp,
    addressed: bool,
}

/// The label an object carries for a receiver that knows only the well-known TLP markings.
fn carried(object: &Value) -> Option<Tlp> {
    stix::tlp::tlp_of(object)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// GET with a bearer token: (status, JSON body or Null).
fn get(url: &str, token: &str) -> (u16, Value) {
    let mut response = agent()
        .get(url)
        .header("Accept", crate::federation::TAXII)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("the request completes");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Every object of every page of `url` (`…/objects/` with a query or not).
fn all_pages(url: &str, token: &str, case: &str) -> Vec<Value> {
    let sep = if url.contains('?') { '&' } else { '?' };
    let mut found = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = match &next {
            Some(n) => format!("{url}{sep}limit=50&next={n}"),
            None => format!("{url}{sep}limit=50"),
        };
        let (status, body) = get(&page, token);
        assert!(status < 500, "{case}: {page} answered {status}");
        if status != 200 {
            return found;
        }
        found.extend(body["objects"].as_array().cloned().unwrap_or_default());
        match body["next"].as_str() {
            Some(n) if body["more"] == true => next = Some(n.to_owned()),
            _ => return found,
        }
    }
}

fn names(objects: &[Value]) -> BTreeSet<String> {
    objects
        .iter()
        .map(|o| o["name"].as_str().unwrap_or("(unnamed)").to_owned())
        .collect()
}

/// Checks that every object that left carries a label at least as restrictive as its own.
fn marked_at_least(objects: &[Value], stored: &BTreeMap<String, &Stored>, case: &str) {
    for object in objects {
        let name = object["name"].as_str().unwrap_or("(unnamed)");
        let Some(s) = stored.get(name) else {
            panic!("{case}: an object that was never stored left: {object}");
        };
        let label = carried(object);
        assert!(
            label.is_some_and(|l| l >= s.label),
            "{case}: {name} (label {}) left carrying {label:?}: {object}",
            s.label
        );
    }
}

#[test]
fn no_label_leaks_on_any_path_to_any_relation() {
    let defaults: [Option<Tlp>; 5] = [
        None,
        Some(Tlp::Clear),
        Some(Tlp::Amber),
        Some(Tlp::AmberStrict),
        Some(Tlp::Red),
    ];
    for default in defaults {
        let suite = format!(
            "leak_matrix_{}",
            default.map_or("unset", Tlp::as_str).replace('+', "_")
        );
        for db in test_support::backends(&suite) {
            let case = format!(
                "[{} default {}]",
                db.name,
                default.map_or("unset", Tlp::as_str)
            );
            matrix(&db.url, default, &case);
        }
    }
}

fn matrix(db: &str, default: Option<Tlp>, case: &str) {
    let work = tempfile::tempdir().expect("temporary directory");
    let w = work.path();
    let default_label = default.unwrap_or(Tlp::Green);

    // Hub H: collections C and D and the CSAF provider's, one partner per relation.
    ok(db, &["collection", "add", "--title", "c", "--id", C]);
    ok(db, &["collection", "add", "--title", "d", "--id", D]);
    ok(
        db,
        &[
            "collection",
            "add",
            "--title",
            "csaf",
            "--id",
            PROVIDER_COLLECTION,
        ],
    );
    let mut tokens = BTreeMap::new();
    for (name, relation) in RELATIONS {
        partner(db, name);
        let grant = |rights: &str| format!("{C}:{rights}");
        let (tlp, grant) = match relation {
            Relation::Submitter => (Some(Tlp::Green), grant("rw")),
            Relation::Member(t) | Relation::Named(t) => (Some(t), grant("r")),
            Relation::Revoked => (Some(Tlp::AmberStrict), grant("r")),
            Relation::OtherCollection => (Some(Tlp::AmberStrict), format!("{D}:r")),
            Relation::Outsider => (None, String::new()),
        };
        if let Some(tlp) = tlp {
            let id = format!("a-{name}");
            // The same read on the provider's collection as on C.
            let provider = match grant.split_once(':') {
                Some((c, _)) if c == C => Some(format!("{PROVIDER_COLLECTION}:r")),
                _ => None,
            };
            let mut args = vec![
                "agreement",
                "add",
                &id,
                "--title",
                &id,
                "--party",
                name,
                "--tlp",
                tlp.as_str(),
                "--collection",
                &grant,
            ];
            if let Some(provider) = &provider {
                args.extend(["--collection", provider.as_str()]);
            }
            ok(db, &args);
        }
        tokens.insert(name, token(db, name));
    }
    ok(db, &["partner", "token", "revoked", "--revoke"]);
    if let Some(tlp) = default {
        ok(db, &["setting", "set", "default_tlp", tlp.as_str()]);
    }

    let h = Server::start(db);
    // The definitions: one stored in an envelope of its own first, the others travelling with
    // the objects that use them.
    let stored_copyright = definition(
        STORED_COPYRIGHT,
        "def-stored-copyright",
        "statement",
        json!({ "statement": "Copyright 2026 CERT-S. All rights reserved." }),
    );
    let mut statuses = vec![post_as(
        &h,
        C,
        "submitter",
        &tokens["submitter"],
        &[stored_copyright],
    )];
    let definitions = vec![
        definition(
            COPYRIGHT,
            "def-copyright",
            "statement",
            json!({ "statement": "Copyright 2026 CERT-S" }),
        ),
        definition(
            STATEMENT_AMBER,
            "def-statement-amber",
            "statement",
            json!({ "statement": "TLP:AMBER" }),
        ),
        // A marking of an extension the hub does not know (say, a PAP scheme): unreadable.
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": CUSTOM_EXTENSION,
            "created": "2026-01-01T00:00:00.000Z",
            "name": "def-custom-extension",
            "extensions": {
                "extension-definition--8b6aa09f-4c7e-4d8f-a1b2-c3d4e5f60718": {
                    "extension_type": "property-extension",
                    "pap": "red"
                }
            },
        }),
    ];
    let mut envelope = definitions;
    let cases = cases();
    for (name, refs, granular, _) in &cases {
        envelope.push(identity(name, refs, granular));
    }
    statuses.push(post_as(&h, C, "submitter", &tokens["submitter"], &envelope));

    // The hub's own objects addressed to the named recipients, labelled by the same ingest.
    let named = vec!["named-strict".to_owned(), "named-green".to_owned()];
    let addressed: Vec<Value> = cases
        .iter()
        .filter(|c| ADDRESSED.contains(&c.0))
        .map(|(name, refs, granular, _)| identity(&format!("to-{name}"), refs, granular))
        .collect();
    {
        let mut store = Store::open(db).expect("open");
        let validator = stix::Validator::new();
        let mut checked: Vec<app::sharing::Checked> = addressed
            .iter()
            .map(|o| app::sharing::Checked::new(&validator, o).expect("a valid object"))
            .collect();
        app::sharing::store_batch(
            &mut store,
            &app::Actor::local(),
            C,
            &mut checked,
            &named,
            None,
            None,
        )
        .expect("stored");
    }

    // What H holds, with the label the oracle expects.
    let label_of = |e: Expect| match e {
        Expect::Label(t) => t,
        Expect::Default => default_label,
    };
    let mut stored: Vec<Stored> = Vec::new();
    for object in envelope.iter().chain(&addressed) {
        let name = object["name"].as_str().expect("named").to_owned();
        let base = name.strip_prefix("to-").unwrap_or(&name);
        let expect = cases
            .iter()
            .find(|c| c.0 == base)
            .map_or(Expect::Default, |c| c.3);
        stored.push(Stored {
            addressed: name.starts_with("to-"),
            id: object["id"].as_str().expect("id").to_ascii_lowercase(),
            label: label_of(expect),
            name,
        });
    }
    stored.push(Stored {
        name: "def-stored-copyright".to_owned(),
        id: STORED_COPYRIGHT.to_owned(),
        label: default_label,
        addressed: false,
    });
    let by_name: BTreeMap<String, &Stored> = stored.iter().map(|s| (s.name.clone(), s)).collect();
    let expected = |relation: Relation, out: Out| -> BTreeSet<String> {
        stored
            .iter()
            .filter(|s| may_leave(s.label, s.addressed, relation, out))
            .map(|s| s.name.clone())
            .collect()
    };

    // TAXII: every read path, every relation.
    let objects_url = h.url(&format!("/taxii2/hub/collections/{C}/objects/"));
    let upper_ids: Vec<String> = stored.iter().map(|s| upper(&s.id)).collect();
    for (name, relation) in RELATIONS {
        let token = &tokens[name];
        let want = expected(relation, Out::Taxii);
        let who = format!("{case} TAXII to {name}");
        let listed = all_pages(&objects_url, token, &who);
        assert_eq!(names(&listed), want, "{who}: objects");
        marked_at_least(&listed, &by_name, &who);
        let versions_all = all_pages(&format!("{objects_url}?match[version]=all"), token, &who);
        assert_eq!(names(&versions_all), want, "{who}: match[version]=all");
        let by_upper = all_pages(
            &format!("{objects_url}?match[id]={}", upper_ids.join(",")),
            token,
            &who,
        );
        assert_eq!(names(&by_upper), want, "{who}: match[id] in upper case");
        let (status, manifest) = get(
            &h.url(&format!("/taxii2/hub/collections/{C}/manifest/?limit=1000")),
            token,
        );
        assert!(status < 500, "{who}: manifest {status}");
        let manifest_ids: BTreeSet<String> = manifest["objects"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|e| e["id"].as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        let want_ids: BTreeSet<String> = stored
            .iter()
            .filter(|s| want.contains(&s.name))
            .map(|s| s.id.clone())
            .collect();
        assert_eq!(manifest_ids, want_ids, "{who}: manifest");
        for s in &stored {
            let may = want.contains(&s.name);
            for id in [s.id.clone(), upper(&s.id)] {
                let (status, body) = get(&format!("{objects_url}{id}/"), token);
                assert!(status < 500, "{who}: {} by id {status}", s.name);
                assert_eq!(
                    status == 200,
                    may,
                    "{who}: {} by id {id} ({status})",
                    s.name
                );
                if status == 200 {
                    let objects = body["objects"].as_array().cloned().unwrap_or_default();
                    assert_eq!(names(&objects), BTreeSet::from([s.name.clone()]), "{who}");
                    marked_at_least(&objects, &by_name, &who);
                }
                let (status, _) = get(&format!("{objects_url}{id}/versions/"), token);
                assert!(status < 500, "{who}: {} versions {status}", s.name);
                assert_eq!(status == 200, may, "{who}: {} versions ({status})", s.name);
            }
        }
        // Status resources: only the partner that posted reads them.
        for status_id in &statuses {
            let (status, body) = get(&h.url(&format!("/taxii2/hub/status/{status_id}/")), token);
            assert!(status < 500, "{who}: status {status}");
            assert_eq!(
                status == 200,
                relation == Relation::Submitter,
                "{who}: status resource ({status}): {body}"
            );
        }
    }

    csaf(db, &tokens, case);

    // Signed bundles, one per relation.
    let keys = w.join("keys");
    ok(db, &["bundle", "keygen", "--out", path_str(&keys)]);
    for (name, relation) in RELATIONS {
        let who = format!("{case} bundle export for {name}");
        let dir = w.join(format!("bundle-{name}"));
        let out = meridian(
            db,
            &[
                "bundle",
                "export",
                "--collection",
                C,
                "--for",
                name,
                "--key",
                path_str(&keys.join("hub.key")),
                "--out",
                path_str(&dir),
                "--signer",
                "hub-h",
            ],
        );
        let want = expected(relation, Out::Export);
        let exported = exported_objects(&dir, out.status.success());
        assert_eq!(
            names(&exported),
            want,
            "{who}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        marked_at_least(&exported, &by_name, &who);
    }

    // Federation: H pushes to R, one R collection per relation, R unmarked default CLEAR (the
    // most permissive, so a downgrade would show).
    let r_dir = tempfile::tempdir().expect("temporary directory");
    let r_db = format!("sqlite://{}", r_dir.path().join("r.db").display());
    partner(&r_db, "hub-h");
    ok(&r_db, &["setting", "set", "default_tlp", "CLEAR"]);
    let mut grants = Vec::new();
    let r_collections: Vec<(&str, String)> = RELATIONS
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, format!("00000000-0000-4000-8000-{:012}", i + 1)))
        .collect();
    for (name, id) in &r_collections {
        ok(&r_db, &["collection", "add", "--title", name, "--id", id]);
        grants.push(format!("{id}:rw"));
    }
    let mut args = vec![
        "agreement",
        "add",
        "r-h",
        "--title",
        "r-h",
        "--party",
        "hub-h",
        "--tlp",
        "RED",
    ];
    for g in &grants {
        args.extend(["--collection", g.as_str()]);
    }
    ok(&r_db, &args);
    let token_h = token(&r_db, "hub-h");
    let r = Server::start(&r_db);
    let api_root = r.url("/taxii2/hub/");
    for (name, id) in &r_collections {
        let remote = format!("r-{name}");
        ok(
            db,
            &[
                "remote",
                "add",
                &remote,
                "--url",
                &api_root,
                "--collection",
                id,
                "--local-collection",
                C,
                "--user",
                "hub-h",
                "--token",
                &token_h,
                "--partner",
                name,
                "--push",
            ],
        );
    }
    ok(db, &["--quiet", "sync", "--push-only"]);
    let mut r_store = Store::open(&r_db).expect("open R");
    for ((name, relation), (_, id)) in RELATIONS.iter().zip(&r_collections) {
        let who = format!("{case} federation push for {name}");
        let rows = r_store
            .objects(&store::ObjectQuery {
                collection_id: id.clone(),
                versions: store::VersionMatch::All,
                limit: 10_000,
                ..store::ObjectQuery::default()
            })
            .expect("R's objects");
        let pushed: Vec<Value> = rows
            .iter()
            .map(|row| serde_json::from_str(&row.json).expect("stored JSON"))
            .collect();
        assert_eq!(
            names(&pushed),
            expected(*relation, Out::Federation),
            "{who}"
        );
        marked_at_least(&pushed, &by_name, &who);
        for (row, object) in rows.iter().zip(&pushed) {
            let s = by_name[object["name"].as_str().unwrap_or("")];
            assert!(
                row.tlp.is_some_and(|t| t >= s.label),
                "{who}: R labelled {} {:?}, H {}",
                s.name,
                row.tlp,
                s.label
            );
        }
    }
}

/// The objects of an exported bundle; none when the export was refused.
fn exported_objects(dir: &Path, succeeded: bool) -> Vec<Value> {
    if !succeeded {
        return Vec::new();
    }
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(dir.join("bundle.json")).expect("the bundle file"))
            .expect("a JSON bundle");
    bundle["objects"].as_array().cloned().unwrap_or_default()
}

/// GET with a bearer token or none: (status, body text).
fn get_text(url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = agent().get(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.call().expect("the request completes");
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// The CSAF provider of H: one published CVD case per label, every provider path asked by
/// every relation's token and anonymously.
fn csaf(db: &str, tokens: &BTreeMap<&str, String>, case: &str) {
    // A server of its own: H has throttled the revoked token's client address by now.
    let h = Server::start(db);
    let mut cases: Vec<(Tlp, String, String)> = Vec::new();
    for tlp in Tlp::ALL {
        let new = ok(
            db,
            &[
                "--json",
                "--quiet",
                "intel",
                "cvd",
                "new",
                "--title",
                "Leak probe",
                "--vendor",
                "Acme",
                "--vendor-country",
                "DE",
                "--product",
                "Acme/gw/<2",
                "--tlp",
                tlp.as_str(),
            ],
        );
        let id = serde_json::from_str::<Value>(&new).expect("JSON")["id"]
            .as_str()
            .expect("an id")
            .to_owned();
        let published = ok(
            db,
            &[
                "--json",
                "--quiet",
                "intel",
                "cvd",
                "advance",
                &id,
                "--to",
                "published",
                "--force",
            ],
        );
        let published: Value = serde_json::from_str(&published).expect("JSON");
        let at = published["history"]
            .as_array()
            .and_then(|h| h.last())
            .and_then(|h| h["at"].as_str())
            .expect("published at");
        let dir = app::cvd::csaf_tlp(tlp).to_ascii_lowercase();
        let path = format!("{dir}/{}/{}.json", &at[..4], id.to_ascii_lowercase());
        cases.push((tlp, id, path));
    }
    let url = |path: &str| h.url(&format!("/.well-known/csaf/{path}"));
    // The revoked token last: its failures get its address throttled.
    let readers = [("anonymous", None, None)].into_iter().chain(
        RELATIONS
            .iter()
            .map(|(name, relation)| (*name, Some(tokens[name].as_str()), Some(*relation))),
    );
    for (name, token, relation) in readers {
        let who = format!("{case} CSAF provider to {name}");
        // Anonymous readers are outsiders who give no credentials.
        let may = |tlp: Tlp| {
            may_leave(
                tlp,
                false,
                relation.unwrap_or(Relation::Outsider),
                Out::Csaf,
            )
        };
        let (status, metadata) = get_text(&url("provider-metadata.json"), token);
        assert!(status < 500, "{who}: metadata {status}");
        for (dir, label) in [
            ("white", Tlp::Clear),
            ("green", Tlp::Green),
            ("amber", Tlp::Amber),
            ("red", Tlp::Red),
        ] {
            let listed = status == 200 && metadata.contains(&format!("/{dir}/feed.json"));
            assert_eq!(
                listed,
                may(label),
                "{who}: the metadata and {dir}: {metadata}"
            );
        }
        for (tlp, id, path) in &cases {
            let dir = path.split('/').next().expect("a dir");
            for file in ["feed.json", "index.txt", "changes.csv"] {
                let (status, text) = get_text(&url(&format!("{dir}/{file}")), token);
                assert!(status < 500, "{who}: {dir}/{file} {status}");
                let shown =
                    status == 200 && text.to_ascii_lowercase().contains(&id.to_ascii_lowercase());
                assert_eq!(
                    shown,
                    may(*tlp),
                    "{who}: {id} ({tlp}) in {dir}/{file} ({status})"
                );
            }
            for suffix in ["", ".sha256", ".sha512"] {
                let (status, _) = get_text(&url(&format!("{path}{suffix}")), token);
                assert!(status < 500, "{who}: {path}{suffix} {status}");
                assert_eq!(
                    status == 200,
                    may(*tlp),
                    "{who}: {path}{suffix} ({tlp}, {status})"
                );
            }
        }
    }
}
