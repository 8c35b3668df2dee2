use ed25519_dalek::{Signer as _, SigningKey};

use super::*;

/// A fixed key, so failures reproduce.
const SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const BUNDLE: &[u8] =
    br#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]}"#;

fn fields() -> ManifestFields {
    ManifestFields {
        created: "2026-11-22T03:00:00.000Z".to_owned(),
        signer: "hub".to_owned(),
        recipient: Some("cert-de".to_owned()),
        bundle_file: "bundle.json".to_owned(),
        objects: 0,
        tlp_max: Some(Tlp::AmberStrict),
    }
}

fn public() -> String {
    public_key(SECRET).expect("the test key is valid")
}

/// Signs arbitrary manifest bytes with the test key.
fn sign_raw(manifest: &[u8]) -> String {
    let bytes: [u8; 32] = hex::decode(SECRET)
        .expect("hex")
        .try_into()
        .expect("32 bytes");
    STANDARD.encode(SigningKey::from_bytes(&bytes).sign(manifest).to_bytes())
}

#[test]
fn round_trip() {
    let signed = sign(BUNDLE, fields(), SECRET).expect("signs");
    let manifest =
        verify(BUNDLE, &signed.manifest, &signed.signature, &public()).expect("verifies");
    assert_eq!(
        manifest,
        Manifest {
            format: "meridian-bundle/1".to_owned(),
            created: "2026-11-22T03:00:00.000Z".to_owned(),
            signer: "hub".to_owned(),
            recipient: Some("cert-de".to_owned()),
            bundle_file: "bundle.json".to_owned(),
            bundle_sha256: sha256_hex(BUNDLE),
            objects: 0,
            tlp_max: Some(Tlp::AmberStrict),
        }
    );
    let text = String::from_utf8(signed.manifest.clone()).expect("UTF-8");
    assert!(text.contains(r#""tlp_max": "AMBER+STRICT""#), "{text}");
    assert!(text.ends_with("}\n"), "{text}");
    // A signature file usually ends with a newline.
    let with_newline = format!("{}\n", signed.signature);
    assert!(verify(BUNDLE, &signed.manifest, &with_newline, &public()).is_ok());
    // Signing is deterministic (Ed25519).
    assert_eq!(sign(BUNDLE, fields(), SECRET), Ok(signed));
}

#[test]
fn no_tlp_and_no_recipient() {
    let fields = ManifestFields {
        recipient: None,
        tlp_max: None,
        ..fields()
    };
    let signed = sign(BUNDLE, fields, SECRET).expect("signs");
    let manifest =
        verify(BUNDLE, &signed.manifest, &signed.signature, &public()).expect("verifies");
    assert_eq!((manifest.recipient, manifest.tlp_max), (None, None));
}

#[test]
fn every_altered_byte_is_refused() {
    let signed = sign(BUNDLE, fields(), SECRET).expect("signs");
    let public = public();
    for mask in [0x01, 0x20, 0x80] {
        for i in 0..BUNDLE.len() {
            let mut bundle = BUNDLE.to_vec();
            bundle[i] ^= mask;
            let result = verify(&bundle, &signed.manifest, &signed.signature, &public);
            assert!(
                matches!(result, Err(BundleError::BundleAltered { .. })),
                "bundle byte {i} ^ {mask:#x}: {result:?}"
            );
        }
        for i in 0..signed.manifest.len() {
            let mut manifest = signed.manifest.clone();
            manifest[i] ^= mask;
            let result = verify(BUNDLE, &manifest, &signed.signature, &public);
            assert_eq!(
                result,
                Err(BundleError::BadSignature),
                "manifest byte {i} ^ {mask:#x}"
            );
        }
        for i in 0..signed.signature.len() {
            let mut signature = signed.signature.clone().into_bytes();
            signature[i] ^= mask;
            let signature = String::from_utf8_lossy(&signature);
            let result = verify(BUNDLE, &signed.manifest, &signature, &public);
            assert!(
                matches!(
                    result,
                    Err(BundleError::BadSignature | BundleError::MalformedSignature)
                ),
                "signature byte {i} ^ {mask:#x}: {result:?}"
            );
        }
    }
}

#[test]
fn wrong_or_invalid_keys() {
    let signed = sign(BUNDLE, fields(), SECRET).expect("signs");
    let (_, other_public) = generate_key();
    assert_eq!(
        verify(BUNDLE, &signed.manifest, &signed.signature, &other_public),
        Err(BundleError::BadSignature)
    );
    for bad in [
        "",
        "00",
        &public()[2..],
        &format!("{}00", public()),
        &"zz".repeat(32),
    ] {
        assert_eq!(
            verify(BUNDLE, &signed.manifest, &signed.signature, bad),
            Err(BundleError::InvalidPublicKey),
            "{bad:?}"
        );
    }
    assert_eq!(
        sign(BUNDLE, fields(), "abc"),
        Err(BundleError::InvalidSigningKey)
    );
    assert_eq!(
        public_key(&SECRET[1..]),
        Err(BundleError::InvalidSigningKey)
    );
    for bad in ["", "AAAA", &signed.signature[4..]] {
        assert_eq!(
            verify(BUNDLE, &signed.manifest, bad, &public()),
            Err(BundleError::MalformedSignature),
            "{bad:?}"
        );
    }
}

#[test]
fn generated_keys_pair_up() {
    let (secret, public) = generate_key();
    assert_eq!((secret.len(), public.len()), (64, 64));
    assert_eq!(public_key(&secret), Ok(public.clone()));
    let signed = sign(BUNDLE, fields(), &secret).expect("signs");
    assert!(verify(BUNDLE, &signed.manifest, &signed.signature, &public).is_ok());
}

fn check_manifest(manifest: &str, expected: &str) {
    let signature = sign_raw(manifest.as_bytes());
    let error = verify(BUNDLE, manifest.as_bytes(), &signature, &public())
        .expect_err("refused")
        .to_string();
    assert!(error.starts_with(expected), "{manifest}: {error}");
}

#[test]
fn signed_but_unusable_manifests() {
    let sha = sha256_hex(BUNDLE);
    let good = format!(
        r#"{{"format":"meridian-bundle/1","created":"2026-11-22T03:00:00.000Z","signer":"hub","recipient":null,"bundle_file":"b.json","bundle_sha256":"{sha}","objects":0,"tlp_max":"GREEN"}}"#
    );
    let signature = sign_raw(good.as_bytes());
    assert!(verify(BUNDLE, good.as_bytes(), &signature, &public()).is_ok());

    check_manifest("not json", "malformed manifest");
    check_manifest("{}", "malformed manifest: no format");
    check_manifest(
        &good.replace("meridian-bundle/1", "meridian-bundle/2"),
        r#"unknown manifest format "meridian-bundle/2""#,
    );
    check_manifest(
        &good.replace(r#""GREEN""#, r#""PURPLE""#),
        "malformed manifest",
    );
    check_manifest(
        &good.replace(r#""GREEN""#, r#""green""#),
        "malformed manifest",
    );
    check_manifest(&good.replace(r#","objects":0"#, ""), "malformed manifest");
    check_manifest(
        &good.replace(r#""objects":0"#, r#""objects":0,"x":1"#),
        "malformed manifest",
    );
    check_manifest(
        &good.replace(&sha, &"0".repeat(64)),
        "the bundle was altered",
    );
}

#[test]
fn manifest_recipient_and_created_are_checked() {
    use time::macros::datetime;
    let now = datetime!(2026-03-01 12:00 UTC);
    let max_age = time::Duration::days(i64::from(DEFAULT_MAX_AGE_DAYS));
    let manifest = |recipient: Option<&str>, created: &str| Manifest {
        format: FORMAT.to_owned(),
        created: created.to_owned(),
        signer: "hub-x".to_owned(),
        recipient: recipient.map(str::to_owned),
        bundle_file: "bundle.json".to_owned(),
        bundle_sha256: String::new(),
        objects: 0,
        tlp_max: None,
    };
    let check = |recipient, created: &str| {
        super::check_manifest(&manifest(recipient, created), "cert-p", now, max_age)
            .map_err(|e| e.to_string())
    };
    assert_eq!(check(Some("cert-p"), "2026-03-01T11:00:00Z"), Ok(()));
    assert_eq!(check(Some("cert-p"), "2026-03-01T12:04:00+00:00"), Ok(()));
    assert_eq!(check(Some("cert-p"), "2025-12-02T12:00:00Z"), Ok(()));
    let err = |recipient, created: &str| check(recipient, created).expect_err(created);
    assert_eq!(
        err(Some("cert-q"), "2026-03-01T11:00:00Z"),
        "recipient: the bundle is addressed to \"cert-q\", not to this hub (\"cert-p\")"
    );
    assert!(
        err(None, "2026-03-01T11:00:00Z")
            .starts_with("recipient: the bundle is addressed to nobody")
    );
    for (created, needle) in [
        (
            "2001-01-01T00:00:00Z",
            "older than the maximum age of 90 days",
        ),
        ("2999-01-01T00:00:00Z", "is in the future"),
        ("2026-03-01T12:06:00Z", "is in the future"),
        ("not-a-date", "\"not-a-date\" is not an RFC 3339 date-time"),
        ("2026-02-30T00:00:00Z", "is not an RFC 3339 date-time"),
    ] {
        let e = err(Some("cert-p"), created);
        assert!(
            e.starts_with("created: ") && e.contains(needle),
            "{created}: {e}"
        );
    }
}
