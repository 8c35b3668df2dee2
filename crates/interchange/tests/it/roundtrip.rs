//! Export then import gives back the same atlas, for every format.

use interchange::{Format, Record, parse_as};
use model::{Asset, Atlas, Dependency, DependencyKind, Exposure};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

/// Writes the atlas in one format and reads it back; CSV is two files.
pub fn round_trip(atlas: &Atlas, format: Format) -> Atlas {
    let parse = |file: &str, bytes: &[u8]| match parse_as(format, file, bytes) {
        Ok(parsed) => parsed.atlas,
        Err(errors) => panic!("{format:?} import of the export failed: {errors:#?}"),
    };
    let export = |write: &dyn Fn(&mut Vec<u8>) -> Result<(), interchange::ExportError>| {
        let mut bytes = Vec::new();
        write(&mut bytes).expect("export");
        bytes
    };
    match format {
        Format::Csv => {
            let mut sorted = atlas.clone();
            sorted.sort();
            let assets = export(&|w| interchange::write_assets_csv(&sorted.assets, w));
            let deps = export(&|w| interchange::write_dependencies_csv(&sorted.dependencies, w));
            let mut back = parse("assets.csv", &assets);
            back.dependencies = parse("dependencies.csv", &deps).dependencies;
            back
        }
        Format::Json => parse(
            "atlas.json",
            &export(&|w| interchange::write_json_to(atlas, w)),
        ),
        Format::GraphMl => parse(
            "atlas.graphml",
            &export(&|w| interchange::write_graphml_to(atlas, w)),
        ),
        Format::Stix => parse(
            "atlas.json",
            &export(&|w| interchange::write_stix_to(atlas, w)),
        ),
    }
}

fn check(atlas: &Atlas, format: Format) {
    let mut expected = atlas.clone();
    expected.sort();
    assert_eq!(round_trip(atlas, format), expected, "{format:?}");
}

const FORMATS: [Format; 4] = [Format::Csv, Format::Json, Format::GraphMl, Format::Stix];

/// Ids: no surrounding whitespace or control characters (model rule), but commas, quotes,
/// semicolons, markup characters and non-ASCII.
fn id() -> impl Strategy<Value = String> {
    "[a-z0-9漢é\"]([a-zA-Z0-9:,;\"' é漢<>&_./-]{0,8}[a-z0-9\"'])?"
}

/// Free text: any printable Unicode, plus line breaks and tabs.
fn text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,12}", "[a-z \"',;&<\n\t\r]{0,12}"]
}

/// List items: no `;`, no surrounding whitespace, not empty.
fn items() -> impl Strategy<Value = Vec<String>> {
    vec("[^;\\s\\p{C}]([^;\\p{C}]{0,4}[^;\\s\\p{C}])?", 0..3)
}

/// Product strings in the plain `vendor:product[:version]` form (purls and CPEs are covered by
/// the fixed example below); the vendor starts with `x`, so it never reads as `pkg:` or `cpe:`.
fn products() -> impl Strategy<Value = Vec<String>> {
    let part = "[^;:\\s\\p{C}]{1,5}";
    vec(
        (part, part, option::of("[^;\\s\\p{C}]{1,5}")).prop_map(|(vendor, product, version)| {
            match version {
                Some(version) => format!("x{vendor}:{product}:{version}"),
                None => format!("x{vendor}:{product}"),
            }
        }),
        0..3,
    )
}

fn non_negative() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..1e6f64,
        (prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO)
            .prop_map(f64::abs),
    ]
}

fn attributes<T: Record>() -> impl Strategy<Value = std::collections::BTreeMap<String, String>> {
    btree_map(
        "[a-z][a-z_ ]{0,5}[a-z]".prop_filter("known field", |k| T::field_named(k).is_none()),
        "\\PC{1,6}",
        0..3,
    )
}

fn subset(ids: Vec<&'static str>) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(ids, 0..=2).prop_map(|v| v.into_iter().map(str::to_owned).collect())
}

fn country() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["US", "NA", "FR", "ZZ", "CN"]).prop_map(str::to_owned)
}

fn asset() -> impl Strategy<Value = Asset> {
    let sectors = subset(model::sectors().iter().map(|s| s.id).collect());
    let ncfs = subset(model::ncfs().iter().map(|n| n.id).collect());
    let exposure = option::of(prop::sample::select(vec![
        Exposure::Open,
        Exposure::Controlled,
        Exposure::Small,
    ]));
    (
        (
            id(),
            text(),
            text(),
            country(),
            text(),
            text(),
            sectors,
            ncfs,
        ),
        (
            option::of(-90.0..=90.0f64),
            option::of(-180.0..=180.0f64),
            products(),
            option::of(non_negative()),
        ),
        (
            exposure,
            option::of(non_negative()),
            option::of(country()),
            items(),
            attributes::<Asset>(),
        ),
    )
        .prop_map(
            |(
                (id, name, kind, country, owner, operator, sectors, ncfs),
                (lat, lon, products, weight),
                (exposure, recovery_hours, owner_country, tags, attributes),
            )| Asset {
                id,
                name,
                kind,
                country,
                owner,
                operator,
                sectors,
                ncfs,
                lat,
                lon,
                products,
                weight,
                exposure,
                recovery_hours,
                owner_country,
                tags,
                attributes,
            },
        )
}

fn dependency() -> impl Strategy<Value = Dependency> {
    let kind = option::of(prop::sample::select(DependencyKind::ALL.to_vec()));
    let strength = option::of(prop_oneof![Just(1.0), 1e-300..=1.0f64]);
    (
        id(),
        id(),
        kind,
        option::of(id()),
        strength,
        option::of(non_negative()),
        attributes::<Dependency>(),
    )
        .prop_filter("no self-dependency", |(d, p, ..)| d != p)
        .prop_map(
            |(dependent, provider, kind, group, strength, tolerance_hours, attributes)| {
                Dependency {
                    dependent,
                    provider,
                    kind,
                    group,
                    strength,
                    tolerance_hours,
                    attributes,
                }
            },
        )
}

fn atlas() -> impl Strategy<Value = Atlas> {
    (vec(asset(), 0..6), vec(dependency(), 0..6)).prop_map(|(assets, dependencies)| Atlas {
        assets,
        dependencies,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn csv(atlas in atlas()) {
        check(&atlas, Format::Csv);
    }

    #[test]
    fn json(atlas in atlas()) {
        check(&atlas, Format::Json);
    }

    #[test]
    fn graphml(atlas in atlas()) {
        check(&atlas, Format::GraphMl);
    }

    #[test]
    fn stix(atlas in atlas()) {
        check(&atlas, Format::Stix);
    }
}

/// A hand-made atlas with every field set, some left default, and awkward values.
fn hand_made() -> Atlas {
    let full = Asset {
        id: "cable:tpc-5, \"east\"".into(),
        name: "TPC-5 <segment> & landing\nline two".into(),
        kind: "route".into(),
        country: "NA".into(),
        owner: "Owner; Ltd".into(),
        operator: "Ops".into(),
        sectors: vec!["COMMS".into(), "IT".into()],
        ncfs: vec!["NCF-C01".into()],
        lat: Some(-22.000_000_000_000_004),
        lon: Some(1e-7),
        products: vec![
            "cpe:2.3:h:vendor:repeater:1.0:*:*:*:*:*:*:*".into(),
            "pkg:generic/x@1".into(),
        ],
        weight: Some(0.1 + 0.2),
        exposure: Some(Exposure::Small),
        recovery_hours: Some(72.0),
        owner_country: Some("US".into()),
        tags: vec!["subsea".into(), "漢字".into()],
        attributes: [
            ("criticality".to_owned(), "high".to_owned()),
            ("site code".to_owned(), "A&B".to_owned()),
        ]
        .into(),
    };
    let bare = Asset {
        id: "b".into(),
        country: "ZZ".into(),
        ..Asset::default()
    };
    let network = Asset {
        id: "a".into(),
        kind: "network".into(),
        country: "FR".into(),
        ..Asset::default()
    };
    Atlas {
        assets: vec![full.clone(), bare.clone(), network],
        dependencies: vec![
            Dependency {
                dependent: bare.id.clone(),
                provider: full.id.clone(),
                kind: Some(DependencyKind::Geographic),
                group: Some("g 1".into()),
                strength: Some(1e-300),
                tolerance_hours: Some(0.5),
                attributes: [("note".to_owned(), "tab\there".to_owned())].into(),
            },
            Dependency {
                dependent: full.id,
                provider: bare.id.clone(),
                ..Dependency::default()
            },
            Dependency {
                dependent: "a".into(),
                provider: bare.id,
                ..Dependency::default()
            },
        ],
    }
}

#[test]
fn hand_made_atlas_in_every_format() {
    for format in FORMATS {
        check(&hand_made(), format);
        check(&Atlas::default(), format);
    }
}

#[test]
fn exports_are_deterministic() {
    let mut shuffled = hand_made();
    shuffled.assets.reverse();
    shuffled.dependencies.reverse();
    for format in FORMATS {
        let dir = tempfile::tempdir().expect("temp dir");
        let (one, two) = (dir.path().join("1"), dir.path().join("2"));
        for (atlas, out) in [(&hand_made(), &one), (&shuffled, &two)] {
            std::fs::create_dir(out).expect("mkdir");
            interchange::export(atlas, format, out).expect("export");
        }
        for name in std::fs::read_dir(&one).expect("read dir") {
            let name = name.expect("entry").file_name();
            let read = |dir: &std::path::Path| std::fs::read(dir.join(&name)).expect("read");
            assert_eq!(read(&one), read(&two), "{format:?} {name:?}");
        }
    }
}

#[test]
fn stix_ids() {
    let mut out = Vec::new();
    interchange::write_stix_to(&hand_made(), &mut out).expect("export");
    let bundle: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let objects = bundle["objects"].as_array().expect("objects");
    assert!(
        bundle["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("bundle--"))
    );
    let ids: Vec<&str> = objects
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.starts_with("infrastructure--") || id.starts_with("relationship--"))
    );
    let a = &objects[0];
    assert_eq!(
        (
            a["type"].as_str(),
            a["spec_version"].as_str(),
            a["name"].as_str(),
            &a["infrastructure_types"]
        ),
        (
            Some("infrastructure"),
            Some("2.1"),
            Some("a"),
            &serde_json::json!(["routers-switches"])
        )
    );
    let r = objects
        .iter()
        .find(|o| o["type"] == "relationship")
        .expect("a relationship");
    assert_eq!(r["relationship_type"], "depends-on");
    assert_eq!(r["source_ref"], a["id"]);
    // UUIDv5: version nibble 5.
    assert!(ids.iter().all(|id| {
        id.split("--")
            .nth(1)
            .is_some_and(|u| u.as_bytes()[14] == b'5')
    }));
}

#[test]
fn unrepresentable_values() {
    let check = |atlas: Atlas, format: Format, expected: &str| {
        let dir = tempfile::tempdir().expect("temp dir");
        let got = interchange::export(&atlas, format, dir.path())
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(got, Err(expected.to_owned()), "{format:?}");
    };
    let asset = |f: fn(&mut Asset)| {
        let mut a = Asset {
            id: "a".into(),
            country: "US".into(),
            ..Asset::default()
        };
        f(&mut a);
        Atlas {
            assets: vec![a],
            dependencies: vec![],
        }
    };
    let semicolon =
        "asset \"a\": tags: list item \"x;y\" is empty, contains ';' or has surrounding whitespace";
    check(
        asset(|a| a.tags = vec!["x;y".into()]),
        Format::Csv,
        semicolon,
    );
    check(
        asset(|a| a.tags = vec!["x;y".into()]),
        Format::GraphMl,
        semicolon,
    );
    check(
        asset(|a| a.sectors = vec![" ENERGY".into()]),
        Format::Csv,
        "asset \"a\": sectors: list item \" ENERGY\" is empty, contains ';' or has surrounding whitespace",
    );
    check(
        asset(|a| _ = a.attributes.insert("country".into(), "x".into())),
        Format::Csv,
        "asset \"a\": country: attribute name \"country\" is empty, has surrounding whitespace or is a known field",
    );
    check(
        asset(|a| _ = a.attributes.insert("note".into(), String::new())),
        Format::GraphMl,
        "asset \"a\": note: attribute \"note\" has an empty value",
    );
    check(
        asset(|a| a.name = "bell\u{7}".into()),
        Format::GraphMl,
        "asset \"a\": name: \"bell\\u{7}\" contains '\\u{7}', which XML 1.0 cannot carry",
    );
}
