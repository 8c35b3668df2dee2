use super::*;

#[test]
fn reference_counts() {
    assert_eq!(ncfs().len(), 55);
    let count = |c| ncfs().iter().filter(|n| n.category == c).count();
    assert_eq!(
        [
            NcfCategory::Connect,
            NcfCategory::Distribute,
            NcfCategory::Manage,
            NcfCategory::Supply
        ]
        .map(count),
        [9, 9, 24, 13]
    );
    assert_eq!(sectors().len(), 16);
    assert_eq!(countries().len(), 250);
    assert!(
        countries().windows(2).all(|w| w[0].alpha2 < w[1].alpha2),
        "sorted for binary search"
    );
    assert!(countries().iter().all(|c| country(c.alpha2) == Some(c)));
    assert_eq!(country("NA").map(|c| c.name), Some("Namibia"));
    assert_eq!(
        ncf("NCF-C03").map(|n| n.name),
        Some("Provide Internet Based Content, Information, and Communication Services")
    );
    assert_eq!(
        sector("NUCLEAR").map(|s| s.name),
        Some("Nuclear Reactors, Materials, and Waste")
    );
}

fn check_asset(asset: Asset, expected: &[&str]) {
    let got: Vec<String> = validate_asset(&asset)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn asset_validation() {
    let ok = Asset {
        id: "a".into(),
        country: "US".into(),
        ..Asset::default()
    };
    check_asset(ok.clone(), &[]);
    check_asset(
        Asset {
            country: "XX".into(),
            ..ok.clone()
        },
        &["country: \"XX\" is not an ISO 3166-1 alpha-2 country code (or ZZ)"],
    );
    check_asset(
        Asset {
            ncfs: vec!["NCF-Z99".into()],
            ..ok.clone()
        },
        &["ncfs: unknown NCF \"NCF-Z99\""],
    );
    check_asset(
        Asset {
            sectors: vec!["SPACE".into()],
            ..ok.clone()
        },
        &["sectors: unknown sector \"SPACE\""],
    );
    check_asset(
        Asset {
            weight: Some(-1.0),
            ..ok.clone()
        },
        &["weight: -1 must be a finite number >= 0"],
    );
    check_asset(
        Asset {
            lat: Some(91.0),
            ..ok.clone()
        },
        &["lat: 91 is outside [-90, 90]"],
    );
    check_asset(
        Asset {
            id: " a".into(),
            ..ok.clone()
        },
        &["id: \" a\" has leading/trailing whitespace or control characters"],
    );
    check_asset(
        Asset {
            name: "ab\0cd".into(),
            products: vec!["acme:fw:1\u{1b}".into()],
            attributes: [("note".to_owned(), "x\u{7f}".to_owned())].into(),
            ..ok.clone()
        },
        &[
            "name: \"ab\\0cd\" holds the control character U+0000",
            "products: \"acme:fw:1\\u{1b}\" holds the control character U+001B",
            "attributes: \"x\\u{7f}\" holds the control character U+007F",
        ],
    );
    // Tabs and line breaks are text.
    check_asset(
        Asset {
            name: "line one\nline two\tend\r".into(),
            ..ok
        },
        &[],
    );
}

fn check_dep(dep: Dependency, expected: &[&str]) {
    let got: Vec<String> = validate_dependency(&dep)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn dependency_validation() {
    let ok = Dependency {
        dependent: "a".into(),
        provider: "b".into(),
        ..Dependency::default()
    };
    check_dep(ok.clone(), &[]);
    check_dep(
        Dependency {
            strength: Some(0.0),
            ..ok.clone()
        },
        &["strength: 0 is outside (0, 1]"],
    );
    check_dep(
        Dependency {
            group: Some("g\0".into()),
            ..ok.clone()
        },
        &["group: \"g\\0\" holds the control character U+0000"],
    );
    check_dep(
        Dependency {
            strength: Some(1.5),
            ..ok.clone()
        },
        &["strength: 1.5 is outside (0, 1]"],
    );
    check_dep(
        Dependency {
            tolerance_hours: Some(-2.0),
            ..ok.clone()
        },
        &["tolerance_hours: -2 must be a finite number >= 0"],
    );
    check_dep(
        Dependency {
            provider: "a".into(),
            ..ok
        },
        &["provider: an asset cannot depend on itself"],
    );
}

#[test]
fn defaults() {
    let d = Dependency {
        dependent: "a".into(),
        provider: "b".into(),
        ..Dependency::default()
    };
    assert_eq!(
        (
            d.effective_group(),
            d.effective_strength(),
            d.effective_tolerance_hours()
        ),
        ("b", 1.0, 0.0)
    );
    let home = HomeCountry::default();
    let a = Asset {
        id: "x".into(),
        country: "US".into(),
        owner_country: Some("CN".into()),
        ..Asset::default()
    };
    assert!(!a.is_foreign(&home) && a.is_foreign_owned(&home));
}

#[test]
fn great_circle_distances() {
    // Paris to London is about 344 km; a point is at distance 0 from itself.
    let paris = Circle {
        lat: 48.8566,
        lon: 2.3522,
        radius_km: 350.0,
    };
    assert!((paris.distance_km(51.5074, -0.1278) - 343.6).abs() < 1.0);
    assert!(paris.contains(51.5074, -0.1278));
    assert!(
        !Circle {
            radius_km: 300.0,
            ..paris
        }
        .contains(51.5074, -0.1278)
    );
    assert_eq!(paris.distance_km(48.8566, 2.3522), 0.0);
    // Antipodes: half the circumference.
    let origin = Circle {
        lat: 0.0,
        lon: 0.0,
        radius_km: 0.0,
    };
    assert!((origin.distance_km(0.0, 180.0) - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
}

#[test]
fn circles_read_from_text() {
    assert_eq!(
        Circle::parse(" 23.0, 120.2 ,50"),
        Ok(Circle {
            lat: 23.0,
            lon: 120.2,
            radius_km: 50.0
        })
    );
    for (text, why) in [
        ("23.0,120.2", "expected LAT,LON,RADIUS_KM"),
        ("north,120.2,50", "latitude \"north\" is not a number"),
        ("23,east,50", "longitude \"east\" is not a number"),
        ("23,120,far", "radius \"far\" is not a number"),
        ("91,120,50", "latitude in [-90, 90]"),
        ("23,181,50", "longitude in [-180, 180]"),
        ("23,120,-1", "radius >= 0"),
        ("23,120,NaN", "radius >= 0"),
    ] {
        let refused = Circle::parse(text).expect_err(text);
        assert!(refused.contains(why), "{text}: {refused}");
    }
}
