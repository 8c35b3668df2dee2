use model::Tlp;
use proptest::prelude::*;

use super::*;

const COLLECTION: &str = "c0ffee00-0000-4000-8000-000000000001";
const OTHER_COLLECTION: &str = "c0ffee00-0000-4000-8000-000000000002";
const ME: &str = "cert-me";
const OTHER: &str = "cert-other";

fn grant(collection: &str, highest_tlp: Tlp) -> Grant {
    Grant {
        collection_id: collection.to_owned(),
        read: true,
        write: false,
        highest_tlp,
    }
}

/// The partner kinds of the matrix: the reader's grants, the object's recipients and whether
/// the reader submitted the object.
fn kind(name: &str) -> (Vec<Grant>, Vec<String>, bool) {
    let named = vec![OTHER.to_owned(), ME.to_owned()];
    let others = vec![OTHER.to_owned()];
    match name {
        // Read on another collection only, with a RED ceiling there.
        "no-agreement" => (vec![grant(OTHER_COLLECTION, Tlp::Red)], vec![], false),
        "green-member" => (vec![grant(COLLECTION, Tlp::Green)], vec![], false),
        "amber-not-named" => (vec![grant(COLLECTION, Tlp::Amber)], others, false),
        "amber-implicit" => (vec![grant(COLLECTION, Tlp::Amber)], vec![], false),
        "amber-named" => (vec![grant(COLLECTION, Tlp::Amber)], named, false),
        "green-named" => (vec![grant(COLLECTION, Tlp::Green)], named, false),
        "submitter" => (vec![grant(COLLECTION, Tlp::Green)], others, true),
        // Two agreements: the highest read grant counts.
        "strict-named" => (
            vec![
                grant(COLLECTION, Tlp::Green),
                grant(COLLECTION, Tlp::AmberStrict),
            ],
            named,
            false,
        ),
        _ => unreachable!("unknown kind {name}"),
    }
}

/// The labels of a matrix row, in column order: five marked labels, then unmarked objects
/// under each default.
const COLUMNS: [(Option<Tlp>, Tlp); 10] = [
    (Some(Tlp::Clear), Tlp::Green),
    (Some(Tlp::Green), Tlp::Green),
    (Some(Tlp::Amber), Tlp::Green),
    (Some(Tlp::AmberStrict), Tlp::Green),
    (Some(Tlp::Red), Tlp::Green),
    (None, Tlp::Clear),
    (None, Tlp::Green),
    (None, Tlp::Amber),
    (None, Tlp::AmberStrict),
    (None, Tlp::Red),
];

/// Expected answers: `y` released, `.` refused. Columns: CLEAR GREEN AMBER AMBER+STRICT RED,
/// then unmarked with default CLEAR GREEN AMBER AMBER+STRICT RED.
#[rustfmt::skip]
const MATRIX: &[(&str, Path, &str)] = &[
    //                                   C G A S R  c g a s r
    ("no-agreement",    Path::Taxii,      ".....|....."),
    ("no-agreement",    Path::Export,     ".....|....."),
    ("no-agreement",    Path::Federation, ".....|....."),
    ("green-member",    Path::Taxii,      "yy...|yy..."),
    ("green-member",    Path::Export,     "yy...|yy..."),
    ("green-member",    Path::Federation, "yy...|yy..."),
    ("amber-not-named", Path::Taxii,      "yy...|yy..."),
    ("amber-not-named", Path::Export,     "yy...|yy..."),
    ("amber-not-named", Path::Federation, "yy...|yy..."),
    ("amber-implicit",  Path::Taxii,      "yyy..|yyy.."),
    ("amber-implicit",  Path::Export,     "yyy..|yyy.."),
    ("amber-implicit",  Path::Federation, "yyy..|yyy.."),
    ("amber-named",     Path::Taxii,      "yyy..|yyy.."),
    ("amber-named",     Path::Export,     "yyy..|yyy.."),
    ("amber-named",     Path::Federation, "yyy..|yyy.."),
    ("green-named",     Path::Taxii,      "yy...|yy..."),
    ("green-named",     Path::Export,     "yy...|yy..."),
    ("green-named",     Path::Federation, "yy...|yy..."),
    ("submitter",       Path::Taxii,      "yyyy.|yyyy."),
    ("submitter",       Path::Export,     "yy...|yy..."),
    ("submitter",       Path::Federation, "yy...|yy..."),
    ("strict-named",    Path::Taxii,      "yyyy.|yyyy."),
    ("strict-named",    Path::Export,     "yyyy.|yyyy."),
    ("strict-named",    Path::Federation, "yyy..|yyy.."),
];

#[test]
fn matrix() {
    let mut failures = Vec::new();
    for &(name, path, row) in MATRIX {
        let (grants, recipients, submitted) = kind(name);
        let reader = Reader {
            partner_id: ME.to_owned(),
            grants,
        };
        let expected: Vec<bool> = row
            .chars()
            .filter(|&c| c != '|')
            .map(|c| c == 'y')
            .collect();
        assert_eq!(expected.len(), COLUMNS.len(), "row {name} {path:?}");
        for (&(tlp, default_tlp), expected) in COLUMNS.iter().zip(expected) {
            let object = ObjectLabel {
                tlp,
                recipients: &recipients,
                submitter: submitted.then_some(ME),
                source: None,
            };
            let got = may_release(&reader, COLLECTION, &object, default_tlp, path, None);
            if got != expected {
                failures.push(format!(
                    "{name} {path:?} tlp={tlp:?} default={default_tlp:?}: got {got}"
                ));
            }
        }
    }
    // Every kind appears on every path.
    assert_eq!(MATRIX.len(), 8 * Path::ALL.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn another_submitter_is_not_the_reader() {
    let reader = Reader {
        partner_id: ME.to_owned(),
        grants: vec![grant(COLLECTION, Tlp::Green)],
    };
    let object = ObjectLabel {
        tlp: Some(Tlp::Amber),
        recipients: &[],
        submitter: Some(OTHER),
        source: None,
    };
    assert!(!may_release(
        &reader,
        COLLECTION,
        &object,
        Tlp::Green,
        Path::Taxii,
        None
    ));
}

#[test]
fn never_back_to_its_source() {
    let reader = Reader {
        partner_id: "hub-b".to_owned(),
        grants: vec![grant(COLLECTION, Tlp::Amber)],
    };
    let label = |source| ObjectLabel {
        tlp: Some(Tlp::Clear),
        recipients: &[],
        submitter: None,
        source,
    };
    let release = |object: &ObjectLabel<'_>, remote| {
        may_release(
            &reader,
            COLLECTION,
            object,
            Tlp::Green,
            Path::Federation,
            remote,
        )
    };
    assert!(!release(&label(Some("hub-b")), Some("hub-b")));
    assert!(release(&label(Some("hub-c")), Some("hub-b")));
    assert!(release(&label(None), Some("hub-b")));
    // Not forwarding to a remote: provenance does not matter.
    assert!(release(&label(Some("hub-b")), None));
}

#[test]
fn read_write_and_ceiling() {
    let reader = Reader {
        partner_id: ME.to_owned(),
        grants: vec![
            grant(COLLECTION, Tlp::Green),
            Grant {
                collection_id: COLLECTION.to_owned(),
                read: false,
                write: true,
                highest_tlp: Tlp::Red,
            },
            grant(COLLECTION, Tlp::Amber),
        ],
    };
    assert!(reader.can_read(COLLECTION));
    assert!(reader.can_write(COLLECTION));
    // The write-only grant does not raise the ceiling.
    assert_eq!(reader.ceiling(COLLECTION), Some(Tlp::Amber));
    assert!(!reader.can_read(OTHER_COLLECTION));
    assert!(!reader.can_write(OTHER_COLLECTION));
    assert_eq!(reader.ceiling(OTHER_COLLECTION), None);
}

fn check_prefilter(
    ceiling: Option<Tlp>,
    default_tlp: Tlp,
    path: Path,
    expected: (&str, bool, bool),
) {
    let reader = Reader {
        partner_id: ME.to_owned(),
        grants: ceiling
            .map(|tlp| grant(COLLECTION, tlp))
            .into_iter()
            .collect(),
    };
    let prefilter = sql_prefilter(&reader, COLLECTION, default_tlp, path);
    let labels: Vec<&str> = prefilter.labels.iter().map(|tlp| tlp.as_str()).collect();
    assert_eq!(
        (
            labels.join(" ").as_str(),
            prefilter.unmarked,
            prefilter.own_submissions
        ),
        expected,
        "ceiling {ceiling:?}, default {default_tlp:?}, {path:?}"
    );
}

#[test]
fn prefilter() {
    check_prefilter(None, Tlp::Green, Path::Taxii, ("", false, false));
    check_prefilter(
        Some(Tlp::Clear),
        Tlp::Green,
        Path::Taxii,
        ("CLEAR", false, true),
    );
    check_prefilter(
        Some(Tlp::Green),
        Tlp::Green,
        Path::Export,
        ("CLEAR GREEN", true, false),
    );
    check_prefilter(
        Some(Tlp::Amber),
        Tlp::Red,
        Path::Taxii,
        ("CLEAR GREEN AMBER", false, true),
    );
    check_prefilter(
        Some(Tlp::Red),
        Tlp::AmberStrict,
        Path::Export,
        ("CLEAR GREEN AMBER AMBER+STRICT", true, false),
    );
    check_prefilter(
        Some(Tlp::Red),
        Tlp::AmberStrict,
        Path::Federation,
        ("CLEAR GREEN AMBER", false, false),
    );
}

fn any_tlp() -> impl Strategy<Value = Tlp> {
    prop::sample::select(Tlp::ALL.to_vec())
}

fn any_path() -> impl Strategy<Value = Path> {
    prop::sample::select(Path::ALL.to_vec())
}

fn any_partner() -> impl Strategy<Value = String> {
    prop::sample::select(vec![ME, OTHER, "cert-third"]).prop_map(str::to_owned)
}

fn any_reader() -> impl Strategy<Value = Reader> {
    let any_grant = (
        prop::sample::select(vec![COLLECTION, OTHER_COLLECTION]),
        any::<bool>(),
        any::<bool>(),
        any_tlp(),
    )
        .prop_map(|(collection, read, write, highest_tlp)| Grant {
            collection_id: collection.to_owned(),
            read,
            write,
            highest_tlp,
        });
    (any_partner(), prop::collection::vec(any_grant, 0..4))
        .prop_map(|(partner_id, grants)| Reader { partner_id, grants })
}

proptest! {
    /// Raising the label (or the default of an unmarked object) never widens the audience,
    /// and RED is never released.
    #[test]
    fn monotone_and_never_red(
        reader in any_reader(),
        recipients in prop::collection::vec(any_partner(), 0..3),
        submitter in prop::option::of(any_partner()),
        source in prop::option::of(prop::sample::select(vec!["hub-a", "hub-b"])),
        remote in prop::option::of(prop::sample::select(vec!["hub-a", "hub-b"])),
        path in any_path(),
        low in any_tlp(),
        high in any_tlp(),
        default_tlp in any_tlp(),
    ) {
        let (low, high) = (low.min(high), low.max(high));
        let decide = |tlp, default_tlp| {
            let object = ObjectLabel {
                tlp,
                recipients: &recipients,
                submitter: submitter.as_deref(),
                source,
            };
            may_release(&reader, COLLECTION, &object, default_tlp, path, remote)
        };
        if decide(Some(high), default_tlp) {
            prop_assert!(decide(Some(low), default_tlp));
        }
        if decide(None, high) {
            prop_assert!(decide(None, low));
        }
        prop_assert!(!decide(Some(Tlp::Red), default_tlp));
        prop_assert!(!decide(None, Tlp::Red));

        // The prefilter lets through everything that is released.
        let prefilter = sql_prefilter(&reader, COLLECTION, default_tlp, path);
        for tlp in [Some(low), Some(high), None] {
            if decide(tlp, default_tlp) {
                let own = prefilter.own_submissions && submitter.as_deref() == Some(&reader.partner_id);
                let passes = match tlp {
                    Some(tlp) => prefilter.labels.contains(&tlp),
                    None => prefilter.unmarked,
                };
                prop_assert!(passes || own);
            }
        }
    }
}

#[test]
fn red_reaches_only_the_users_it_names() {
    let named = vec![user_recipient("ana"), ME.to_owned()];
    let red = ObjectLabel {
        tlp: Some(Tlp::Red),
        recipients: &named,
        submitter: None,
        source: None,
    };
    let reader = Reader {
        partner_id: ME.to_owned(),
        grants: vec![grant(COLLECTION, Tlp::Red)],
    };
    let elsewhere = Reader {
        partner_id: ME.to_owned(),
        grants: vec![grant(OTHER_COLLECTION, Tlp::Red)],
    };
    // Staff and partner users alike: named or nothing.
    assert!(may_release_to_user(
        None,
        "ana",
        COLLECTION,
        &red,
        Tlp::Green
    ));
    assert!(!may_release_to_user(
        None,
        "bob",
        COLLECTION,
        &red,
        Tlp::Green
    ));
    assert!(may_release_to_user(
        Some(&reader),
        "ana",
        COLLECTION,
        &red,
        Tlp::Green
    ));
    assert!(!may_release_to_user(
        Some(&reader),
        "bob",
        COLLECTION,
        &red,
        Tlp::Green
    ));
    // Named, but the partner may not read the collection.
    assert!(!may_release_to_user(
        Some(&elsewhere),
        "ana",
        COLLECTION,
        &red,
        Tlp::Green
    ));
    // Naming the partner is not naming its users; unmarked under a RED default is RED.
    let partner_only = vec![ME.to_owned()];
    let unmarked = ObjectLabel {
        tlp: None,
        recipients: &partner_only,
        ..red
    };
    assert!(!may_release_to_user(
        None,
        "ana",
        COLLECTION,
        &unmarked,
        Tlp::Red
    ));
    assert!(!may_release_to_user(
        Some(&reader),
        "ana",
        COLLECTION,
        &unmarked,
        Tlp::Red
    ));
    // Below RED: staff read everything, a partner user what its partner reads on TAXII.
    let green = ObjectLabel {
        tlp: Some(Tlp::Green),
        ..unmarked
    };
    assert!(may_release_to_user(
        None,
        "bob",
        COLLECTION,
        &green,
        Tlp::Red
    ));
    assert!(may_release_to_user(
        Some(&reader),
        "bob",
        COLLECTION,
        &green,
        Tlp::Red
    ));
    assert!(!may_release_to_user(
        Some(&elsewhere),
        "bob",
        COLLECTION,
        &green,
        Tlp::Red
    ));
    // RED never goes out on a partner path, named users or not.
    for path in Path::ALL {
        assert!(!may_release(
            &reader,
            COLLECTION,
            &red,
            Tlp::Green,
            path,
            None
        ));
    }
}
