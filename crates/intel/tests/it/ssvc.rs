//! The embedded CISA table against the CSV in the shared corpus, combination by combination.

use intel::ssvc::{
    Assessment, Automatable, Decision, DecisionTable, Exploitation, InputSource, MissionWellbeing,
    SsvcInputs, TechnicalImpact,
};

#[test]
fn every_combination_matches_the_csv_rows() {
    let path = test_support::shared_data("ssvc/csv/cisa/cisa_coordinator_2_0_3.csv");
    let csv = std::fs::read_to_string(&path).expect("CSV readable");
    let table = DecisionTable::cisa_coordinator();
    let mut checked = 0;
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let inputs = SsvcInputs {
            exploitation: Exploitation::parse(cells[1]).expect("exploitation"),
            automatable: Automatable::parse(cells[2]).expect("automatable"),
            technical_impact: TechnicalImpact::parse(cells[3]).expect("technical impact"),
            mission_wellbeing: MissionWellbeing::parse(cells[4]).expect("mwi"),
        };
        assert_eq!(
            table.decide(inputs),
            Decision::parse(cells[5]).expect("outcome"),
            "{line}"
        );
        checked += 1;
    }
    assert_eq!(checked, 36);
    assert_eq!(SsvcInputs::all().count(), 36);
    let distinct: std::collections::HashSet<_> = SsvcInputs::all().collect();
    assert_eq!(distinct.len(), 36);
}

#[test]
fn spot_checks_from_the_standard() {
    use Automatable::*;
    use Decision::*;
    use Exploitation::{Active, PublicPoc};
    use MissionWellbeing::*;
    use TechnicalImpact::*;
    let t = DecisionTable::cisa_coordinator();
    let d = |e, a, ti, m| {
        t.decide(SsvcInputs {
            exploitation: e,
            automatable: a,
            technical_impact: ti,
            mission_wellbeing: m,
        })
    };
    assert_eq!(d(Exploitation::None, No, Total, High), TrackStar);
    assert_eq!(d(Active, No, Total, High), Act);
    assert_eq!(d(Active, Yes, Partial, Low), Attend);
    assert_eq!(d(PublicPoc, Yes, Total, Medium), TrackStar);
}

#[test]
fn vulnrichment_spellings_normalise() {
    for s in ["poc", "PoC", "public poc", "Public PoC"] {
        assert_eq!(Exploitation::parse(s), Some(Exploitation::PublicPoc), "{s}");
    }
    assert_eq!(Exploitation::parse("Active"), Some(Exploitation::Active));
    assert_eq!(
        TechnicalImpact::parse("Total"),
        Some(TechnicalImpact::Total)
    );
    assert_eq!(
        Exploitation::combine(true, false, Some(Exploitation::PublicPoc)),
        Exploitation::Active
    );
    assert_eq!(
        Exploitation::combine(false, false, Some(Exploitation::PublicPoc)),
        Exploitation::PublicPoc
    );
    assert_eq!(
        Exploitation::combine(false, false, None),
        Exploitation::None
    );
}

#[test]
fn impact_thresholds() {
    for (impact, mwi) in [
        (0.0, MissionWellbeing::Low),
        (0.049, MissionWellbeing::Low),
        (0.05, MissionWellbeing::Medium),
        (0.49, MissionWellbeing::Medium),
        (0.5, MissionWellbeing::High),
        (3.0, MissionWellbeing::High),
        (f64::NAN, MissionWellbeing::Low),
        (-1.0, MissionWellbeing::Low),
    ] {
        assert_eq!(MissionWellbeing::from_impact(impact), mwi, "{impact}");
    }
}

#[test]
fn incomplete_or_bad_tables_are_refused() {
    let header = "row,Exploitation v1.1.0,Automatable v2.0.0,Technical Impact v1.0.0,Mission and Well-Being Impact v1.0.0,CISA Levels v1.1.0 (cisa)";
    let missing = intel::ssvc::CISA_COORDINATOR_2_0_3_CSV
        .lines()
        .take(36)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(DecisionTable::parse_csv(&missing).is_err_and(|d| {
        d.message
            .starts_with("no row for active / yes / total / high")
    }));
    let bad = format!("{header}\n0,sometimes,no,partial,low,track\n");
    assert_eq!(
        DecisionTable::parse_csv(&bad).map_err(|d| d.to_string()),
        Err(r#"line 2: unknown Exploitation value "sometimes""#.to_owned())
    );
}

#[test]
fn decision_for_a_real_finding() {
    let bytes = std::fs::read(test_support::shared_data(
        "cve/vulnrichment/2024/3xxx/CVE-2024-3400.json",
    ))
    .expect("readable");
    let (record, _) = intel::cve::parse_cve(&bytes).expect("loads");
    let table = DecisionTable::cisa_coordinator();
    // Active (ADP and KEV), automatable, total: Attend on a low-impact asset, Act on a medium or high one.
    let decide = |impact| {
        table.decide(
            Assessment::for_finding(record.ssvc.as_ref(), true, false, false, impact).inputs,
        )
    };
    assert_eq!(
        (decide(0.0), decide(0.1), decide(0.9)),
        (Decision::Attend, Decision::Act, Decision::Act)
    );
    let voted = Assessment::for_finding(record.ssvc.as_ref(), false, true, false, 0.1);
    assert_eq!(
        (
            voted.exploitation,
            voted.automatable,
            voted.mission_wellbeing
        ),
        (
            InputSource::AdpKev,
            InputSource::AdpVote,
            InputSource::AnalysisImpact
        )
    );
    assert!(voted.assumed().is_empty(), "every input has a source");
    // No ADP vote, not in KEV, never sighted: the inputs are missing and the decision says
    // what it assumes for them (none / yes / total).
    let unknown = Assessment::for_finding(None, false, false, false, 0.6);
    assert_eq!(table.decide(unknown.inputs), Decision::Attend);
    assert_eq!(
        (
            unknown.exploitation,
            unknown.automatable,
            unknown.technical_impact
        ),
        (
            InputSource::Missing,
            InputSource::Missing,
            InputSource::Missing
        )
    );
    assert_eq!(
        unknown.assumed(),
        [
            "exploitation none",
            "automatable yes",
            "technical impact total"
        ]
    );
    // An incident speaks for Exploitation; the vote is still missing for the rest.
    let sighted = Assessment::for_finding(None, false, false, true, 0.6);
    assert_eq!(sighted.exploitation, InputSource::Incident);
    assert_eq!(
        sighted.assumed(),
        ["automatable yes", "technical impact total"]
    );
}
