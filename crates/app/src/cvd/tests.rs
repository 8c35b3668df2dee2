use super::*;

fn new_case(embargo: Option<&str>, tlp: Tlp) -> NewCvdCase {
    NewCvdCase {
        title: "Buffer overflow in the web UI".into(),
        cves: vec![" cve-2024-3400 ".into()],
        reporter: "researcher".into(),
        vendor: "Acme".into(),
        vendor_country: " de".into(),
        vendor_csirt: "CERT-Bund".into(),
        products: vec![AffectedProduct {
            vendor: "Acme".into(),
            product: "Gateway".into(),
            versions: "vers:generic/<2.1".into(),
        }],
        embargo: embargo.map(str::to_owned),
        tlp,
        remediation: String::new(),
        notes: "working notes".into(),
    }
}

fn actor() -> Actor {
    Actor::Local("test".into())
}

#[test]
fn cases_are_normalised_and_their_embargo_checked() {
    let mut store = store::Store::open("sqlite::memory:").unwrap();
    let refused = create_case(
        &mut store,
        new_case(Some("31/12/2099"), Tlp::Amber),
        &actor(),
    );
    assert!(
        matches!(&refused, Err(Error::Invalid(p)) if p[0].pointer == "/embargo"),
        "{refused:?}"
    );
    let case = create_case(
        &mut store,
        new_case(Some("2099-12-31"), Tlp::Amber),
        &actor(),
    )
    .unwrap();
    assert_eq!(case.case.cves, ["CVE-2024-3400"]);
    assert_eq!(case.case.vendor_country, "DE");
    assert!(matches!(
        advance(&mut store, &case.id, CvdState::Published, false, &actor()),
        Err(Error::Conflict(m)) if m.contains("under embargo until 2099-12-31")
    ));
    let unpublished = self::case(&mut store, &case.id).unwrap();
    assert_eq!(
        cases(&mut store).unwrap(),
        std::slice::from_ref(&unpublished)
    );
    let site = Site::new("https://csaf.example/dir/", "CERT-X");
    assert!(matches!(
        export(&unpublished, &site),
        Err(Error::Conflict(_))
    ));
    let published = advance(&mut store, &case.id, CvdState::Published, true, &actor()).unwrap();
    let placed = export(&published, &site).unwrap();
    assert_eq!(placed.tlp, "AMBER");
    assert!(placed.relative.starts_with("amber/"), "{}", placed.relative);
    assert!(placed.relative.ends_with(&placed.name));
    let document: Value = serde_json::from_slice(&placed.bytes).unwrap();
    assert_eq!(
        document["document"]["publisher"]["namespace"],
        "https://csaf.example"
    );
    assert!(!String::from_utf8_lossy(&placed.bytes).contains("working notes"));
    assert!(matches!(
        self::case(&mut store, "MERIDIAN-1999-0001"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn tlp_is_mapped_down_never_widened() {
    for (tlp, label) in [
        (Tlp::Clear, "WHITE"),
        (Tlp::Green, "GREEN"),
        (Tlp::Amber, "AMBER"),
        (Tlp::AmberStrict, "AMBER"),
        (Tlp::Red, "RED"),
    ] {
        assert_eq!(csaf_tlp(tlp), label, "{tlp:?}");
    }
}

#[test]
fn file_names_follow_csaf_rules() {
    assert_eq!(file_name("MERIDIAN-2026-0001"), "meridian-2026-0001.json");
    assert_eq!(file_name("ICSA 23/145+01"), "icsa_23_145+01.json");
}

#[test]
fn feeds_and_metadata_name_every_url_under_the_site() {
    let site = Site::new("https://csaf.example/dir", "CERT-X");
    let listed = Listed {
        year: "2026".into(),
        name: "a.json".into(),
        document: json!({ "document": { "title": "A", "tracking": { "id": "A" } } }),
    };
    let unsigned = feed(
        &site,
        "AMBER",
        std::slice::from_ref(&listed),
        "2026-01-01T00:00:00Z",
        false,
    );
    assert_eq!(
        unsigned["feed"]["entry"][0]["link"][1]["href"],
        "https://csaf.example/dir/amber/2026/a.json.sha256"
    );
    assert_eq!(
        unsigned["feed"]["entry"][0]["link"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let signed = feed(&site, "AMBER", &[listed], "2026-01-01T00:00:00Z", true);
    assert_eq!(
        signed["feed"]["entry"][0]["link"][3],
        json!({ "rel": "signature", "href": "https://csaf.example/dir/amber/2026/a.json.asc" })
    );
    let metadata = provider_metadata(&site, &["amber"], "2026-01-01T00:00:00Z", Some("ABCD"));
    assert_eq!(
        metadata["distributions"][0]["rolie"]["feeds"][0]["url"],
        "https://csaf.example/dir/amber/feed.json"
    );
    assert_eq!(
        metadata["public_openpgp_keys"],
        json!([{ "fingerprint": "ABCD", "url": "https://csaf.example/dir/openpgp/ABCD.asc" }])
    );
}

#[test]
fn every_problem_of_a_case_is_located_at_once_and_nothing_stored() {
    let mut store = store::Store::open("sqlite::memory:").unwrap();
    let mut case = new_case(Some("2099-02-30"), Tlp::Amber);
    case.title = " ".into();
    case.vendor_country = "Germany".into();
    case.cves.push("CVE-24-1".into());
    let pointers: Vec<String> = check(&case).into_iter().map(|p| p.pointer).collect();
    assert_eq!(
        pointers,
        ["/title", "/vendor_country", "/cves/1", "/embargo"]
    );
    assert!(matches!(
        create_case(&mut store, case, &actor()),
        Err(Error::Invalid(p)) if p.len() == 4
    ));
    assert!(cases(&mut store).unwrap().is_empty());
    assert!(check(&new_case(None, Tlp::Red)).is_empty());
    let unreported = NewCvdCase {
        reporter: String::new(),
        ..new_case(None, Tlp::Red)
    };
    assert!(check(&unreported).is_empty(), "the reporter may be unknown");
}

#[test]
fn the_advisory_of_a_case_is_for_staff_once_published() {
    let mut store = store::Store::open("sqlite::memory:").unwrap();
    let case = create_case(&mut store, new_case(None, Tlp::Green), &actor()).unwrap();
    let site = Site::new(DEFAULT_BASE_URL, DEFAULT_PUBLISHER);
    let partner = Actor::Partner("cert-de".into());
    assert!(matches!(
        advisory_of(&mut store, &case.id, &site, &actor()),
        Err(Error::Conflict(_))
    ));
    let published = advance(&mut store, &case.id, CvdState::Published, false, &actor()).unwrap();
    assert!(matches!(
        advisory_of(&mut store, &case.id, &site, &partner),
        Err(Error::Forbidden(_))
    ));
    assert_eq!(
        advisory_of(&mut store, &case.id, &site, &actor())
            .unwrap()
            .bytes,
        export(&published, &site).unwrap().bytes
    );
}

#[test]
fn products_read_and_cases_only_move_forward() {
    assert_eq!(
        parse_product(" Acme / Router / vers:generic/<2.1 "),
        Some(AffectedProduct {
            vendor: "Acme".into(),
            product: "Router".into(),
            versions: "vers:generic/<2.1".into(),
        })
    );
    assert_eq!(parse_product("Acme/Router"), None);
    assert_eq!(parse_product("Acme//*"), None);
    assert_eq!(
        next_states(CvdState::VendorNotified).collect::<Vec<_>>(),
        [CvdState::FixAvailable, CvdState::Published]
    );
    assert_eq!(next_states(CvdState::Published).count(), 0);
}

#[test]
fn signatures_verify_against_the_public_key_and_a_changed_byte_fails() {
    let (key, secret) = openpgp::SigningKey::generate("Meridian CSAF <csaf@example.org>").unwrap();
    assert_eq!(key.fingerprint().len(), 40, "{}", key.fingerprint());
    assert!(secret.contains("PRIVATE KEY BLOCK"));
    assert!(!format!("{key:?}").contains("PRIVATE"));
    let again = openpgp::SigningKey::from_armored(&secret).unwrap();
    assert_eq!(again.fingerprint(), key.fingerprint());
    let data = b"{\"document\": {}}\n".to_vec();
    let signature = again.sign(&data).unwrap();
    assert!(signature.starts_with("-----BEGIN PGP SIGNATURE-----"));
    openpgp::verify(key.public_key(), &data, &signature).unwrap();
    let mut changed = data.clone();
    changed[3] ^= 1;
    assert!(openpgp::verify(key.public_key(), &changed, &signature).is_err());
    let (other, _) = openpgp::SigningKey::generate("Other <o@example.org>").unwrap();
    assert!(openpgp::verify(other.public_key(), &data, &signature).is_err());
    assert!(matches!(
        openpgp::SigningKey::from_armored("not a key"),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn a_published_advisory_is_revised_into_its_next_version_on_both_backends() {
    for db in test_support::backends("cvd revisions") {
        let mut store = store::Store::open(&db.url).unwrap();
        let case = create_case(&mut store, new_case(None, Tlp::Green), &actor()).unwrap();
        let refused = revise(&mut store, &case.id, "too early", &actor());
        assert!(
            matches!(&refused, Err(Error::Conflict(m)) if m.contains("not published")),
            "[{}] {refused:?}",
            db.name
        );
        let published = advance(&mut store, &case.id, CvdState::Published, true, &actor()).unwrap();
        let site = Site::new(DEFAULT_BASE_URL, DEFAULT_PUBLISHER);
        let first = export(&published, &site).unwrap();
        for (bad, pointer_message) in [
            ("   ", "a revision needs a summary"),
            ("line\u{0}break", "a control character"),
        ] {
            let refused = revise(&mut store, &case.id, bad, &actor());
            assert!(
                matches!(&refused, Err(Error::Invalid(p)) if p[0].pointer == "/summary" && p[0].message.contains(pointer_message)),
                "[{}] {refused:?}",
                db.name
            );
        }
        let long = "x".repeat(MAX_REVISION_SUMMARY + 1);
        assert!(revise(&mut store, &case.id, &long, &actor()).is_err());
        let partner = Actor::User {
            name: "p".into(),
            role: crate::Role::Partner,
            partner: Some("cert-de".into()),
        };
        assert!(matches!(
            revise(&mut store, &case.id, "by a partner", &partner),
            Err(Error::Forbidden(_))
        ));
        assert!(
            store
                .cvd_case(&case.id)
                .unwrap()
                .unwrap()
                .revisions
                .is_empty()
        );

        let revised = revise(&mut store, &case.id, " Fixed versions corrected ", &actor()).unwrap();
        let again = revise(&mut store, &case.id, "Remediation added", &actor()).unwrap();
        assert_eq!(
            again
                .revisions
                .iter()
                .map(|r| (r.number, r.summary.as_str()))
                .collect::<Vec<_>>(),
            [(2, "Fixed versions corrected"), (3, "Remediation added")],
            "[{}]",
            db.name
        );
        let third = export(&again, &site).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&third.bytes).unwrap();
        let tracking = &doc["document"]["tracking"];
        assert_eq!(tracking["version"], "3", "[{}]", db.name);
        assert_eq!(
            tracking["initial_release_date"],
            published.history.last().unwrap().1
        );
        assert_eq!(
            tracking["current_release_date"],
            again.revisions[1].at.as_str()
        );
        let numbers: Vec<&str> = tracking["revision_history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["number"].as_str().unwrap())
            .collect();
        assert_eq!(numbers, ["1", "2", "3"], "[{}]", db.name);
        assert_eq!(
            tracking["revision_history"][1]["summary"],
            "Fixed versions corrected"
        );
        // Same place, new bytes and hashes; its listing date is the latest revision's.
        assert_eq!(third.relative, first.relative);
        assert_ne!(third.sha256, first.sha256);
        assert_eq!(third.released, again.revisions[1].at);
        assert_eq!(revised.revisions.len(), 1);

        let audited = crate::audit::list(
            &mut store,
            &store::AuditFilter {
                action: Some("cvd.revise".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(audited.len(), 2, "[{}] {audited:?}", db.name);
    }
}
