use super::*;

fn incident(severity: u8, occurred_at: &str, assets: &[&str]) -> Incident {
    Incident {
        id: "INC-2026-0001".to_owned(),
        report: IncidentReport {
            partner_id: None,
            reporter: "hub".to_owned(),
            kind: IncidentKind::Physical,
            category: "sabotage".to_owned(),
            description: String::new(),
            occurred_at: occurred_at.to_owned(),
            reported_at: occurred_at.to_owned(),
            stix_id: None,
            severity,
            assets: assets.iter().map(|a| (*a).to_owned()).collect(),
        },
    }
}

fn check(incidents: &[Incident], asset: &str, expected: f64) {
    let now = OffsetDateTime::parse("2026-04-01T00:00:00.000Z", &Rfc3339).expect("now");
    let got = threat_scores(incidents, now)
        .get(asset)
        .copied()
        .unwrap_or(0.0);
    assert!(
        (got - expected).abs() < 1e-9,
        "{asset}: {got} != {expected}"
    );
}

#[test]
fn threat_combines_severity_and_age() {
    let fresh = incident(5, "2026-04-01T00:00:00.000Z", &["a"]);
    let old = incident(5, "2026-01-01T00:00:00.000Z", &["b"]); // 90 days before now
    let two = [
        incident(2, "2026-04-01T00:00:00.000Z", &["c"]),
        incident(2, "2026-04-01T00:00:00.000Z", &["c", "d"]),
    ];
    check(std::slice::from_ref(&fresh), "a", 1.0);
    check(std::slice::from_ref(&old), "b", 0.5);
    check(&two, "c", 1.0 - 0.6 * 0.6);
    check(&two, "d", 0.4);
    check(&two, "nobody", 0.0);
    check(&[incident(3, "2027-01-01T00:00:00.000Z", &["e"])], "e", 0.6);
}
