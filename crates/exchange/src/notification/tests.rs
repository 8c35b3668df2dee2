use time::Duration;

use super::*;

/// Every allowed transition; every other pair of states is refused.
const ALLOWED: [(&str, &str); 8] = [
    ("drafted", "sent"),
    ("sent", "acknowledged"),
    ("sent", "mitigated"),
    ("sent", "exploited"),
    ("acknowledged", "mitigated"),
    ("acknowledged", "exploited"),
    ("mitigated", "closed"),
    ("exploited", "closed"),
];

#[test]
fn transitions() {
    for from in NotificationState::ALL {
        for to in NotificationState::ALL {
            let expected = ALLOWED.contains(&(from.as_str(), to.as_str()));
            assert_eq!(can_advance(from, to), expected, "{from} -> {to}");
        }
    }
}

#[test]
fn names() {
    for state in NotificationState::ALL {
        assert_eq!(NotificationState::parse(state.as_str()), Some(state));
        assert_eq!(state.to_string(), state.as_str());
    }
    assert_eq!(
        NotificationState::parse(" Acknowledged "),
        Some(NotificationState::Acknowledged)
    );
    assert_eq!(NotificationState::parse("ack"), None);
    assert_eq!(NotificationState::parse(""), None);
}

fn ts(text: &str) -> Option<String> {
    Some(text.to_owned())
}

#[test]
fn set_and_at() {
    let mut timeline = Timeline::default();
    for (i, state) in NotificationState::ALL.into_iter().enumerate() {
        assert_eq!(timeline.at(state), None);
        timeline.set(state, format!("2026-01-0{}T00:00:00.000Z", i + 1));
    }
    assert_eq!(timeline.drafted, ts("2026-01-01T00:00:00.000Z"));
    assert_eq!(timeline.sent, ts("2026-01-02T00:00:00.000Z"));
    assert_eq!(timeline.acknowledged, ts("2026-01-03T00:00:00.000Z"));
    assert_eq!(timeline.mitigated, ts("2026-01-04T00:00:00.000Z"));
    assert_eq!(timeline.exploited, ts("2026-01-05T00:00:00.000Z"));
    assert_eq!(timeline.closed, ts("2026-01-06T00:00:00.000Z"));
    assert_eq!(
        timeline.at(NotificationState::Exploited),
        Some("2026-01-05T00:00:00.000Z")
    );
}

#[test]
fn durations() {
    let timeline = Timeline {
        drafted: ts("2026-03-01T08:00:00.000Z"),
        sent: ts("2026-03-01T09:30:00.500Z"),
        acknowledged: ts("2026-03-03T09:30:00.500Z"),
        ..Timeline::default()
    };
    assert_eq!(
        timeline.time_to_notify(),
        Some(Duration::minutes(90) + Duration::milliseconds(500))
    );
    assert_eq!(timeline.time_to_acknowledge(), Some(Duration::days(2)));

    let drafted_only = Timeline {
        drafted: ts("2026-03-01T08:00:00.000Z"),
        ..Timeline::default()
    };
    assert_eq!(drafted_only.time_to_notify(), None);
    assert_eq!(drafted_only.time_to_acknowledge(), None);

    let garbled = Timeline {
        drafted: ts("yesterday"),
        sent: ts("2026-03-01T09:30:00.000Z"),
        ..Timeline::default()
    };
    assert_eq!(garbled.time_to_notify(), None);
}

fn check(
    mitigated: Option<&str>,
    exploited: Option<&str>,
    evidence: Option<&str>,
    expected: Option<bool>,
) {
    let timeline = Timeline {
        drafted: ts("2026-01-01T00:00:00.000Z"),
        sent: ts("2026-01-01T01:00:00.000Z"),
        mitigated: mitigated.map(str::to_owned),
        exploited: exploited.map(str::to_owned),
        ..Timeline::default()
    };
    assert_eq!(
        mitigated_before_exploitation(&timeline, evidence),
        expected,
        "mitigated {mitigated:?}, exploited {exploited:?}, evidence {evidence:?}"
    );
}

#[test]
fn mitigated_first() {
    let day = |d: u8| format!("2026-01-{d:02}T12:00:00.000Z");
    let (d2, d3) = (day(2), day(3));
    let (d2, d3) = (Some(d2.as_str()), Some(d3.as_str()));
    // Nothing happened yet.
    check(None, None, None, None);
    // Mitigated, no evidence at all.
    check(d2, None, None, Some(true));
    // Mitigated strictly before the evidence; evidence first; the same instant.
    check(d2, None, d3, Some(true));
    check(d3, None, d2, Some(false));
    check(d2, None, d2, Some(false));
    // Evidence and no mitigation: it can no longer come first.
    check(None, None, d2, Some(false));
    // The partner reported exploitation.
    check(None, d2, None, Some(false));
    // The earliest evidence counts, whichever source it comes from.
    check(d2, d3, Some("2026-01-01T00:00:00.000Z"), Some(false));
    check(d2, Some("2026-01-01T00:00:00.000Z"), d3, Some(false));
    // KEV dateAdded is a bare date: its midnight UTC.
    check(
        Some("2026-01-04T23:59:59.999Z"),
        None,
        Some("2026-01-05"),
        Some(true),
    );
    check(
        Some("2026-01-05T00:00:00.001Z"),
        None,
        Some("2026-01-05"),
        Some(false),
    );
    // Offsets are compared as instants: 01:00+02:00 is 23:00Z the day before.
    check(
        Some("2026-01-05T01:00:00+02:00"),
        None,
        Some("2026-01-04T23:30:00Z"),
        Some(true),
    );
    // Unreadable timestamps give no answer.
    check(Some("soon"), None, None, None);
    check(d2, None, Some("whenever"), None);
}

fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).expect("a test timestamp")
}

#[test]
fn a_sent_notification_waits_for_its_acknowledgement_then_its_outcome() {
    let follow_up = FollowUp {
        acknowledge_days: 2,
        mitigate_days: 10,
    };
    let sent = Timeline {
        drafted: ts("2026-03-01T08:00:00Z"),
        sent: ts("2026-03-01T09:00:00Z"),
        ..Timeline::default()
    };
    let waiting = due(&sent, follow_up, None).expect("a sent notification is due");
    assert_eq!(waiting.awaited, Awaited::Acknowledgement);
    assert_eq!(waiting.by, at("2026-03-03T09:00:00Z"));
    assert!(!waiting.overdue(at("2026-03-03T09:00:00Z")));
    assert!(waiting.overdue(at("2026-03-03T09:00:01Z")));

    // Acknowledged: the outcome is due ten days after sending, not after acknowledging.
    let acknowledged = Timeline {
        acknowledged: ts("2026-03-05T00:00:00Z"),
        ..sent.clone()
    };
    let outcome = due(&acknowledged, follow_up, None).expect("waiting for the outcome");
    assert_eq!(outcome.awaited, Awaited::Outcome);
    assert_eq!(outcome.by, at("2026-03-11T09:00:00Z"));

    // A KEV due date that comes sooner is the deadline, to the end of its day.
    let kev = due(&acknowledged, follow_up, Some("2026-03-06")).expect("kev");
    assert_eq!(kev.by, at("2026-03-07T00:00:00Z"));
    let later_kev = due(&acknowledged, follow_up, Some("2026-04-30")).expect("later kev");
    assert_eq!(later_kev.by, at("2026-03-11T09:00:00Z"));

    // Not yet acknowledged but the KEV deadline comes first: the outcome is named.
    let urgent = due(&sent, follow_up, Some("2026-03-01")).expect("urgent");
    assert_eq!(urgent.awaited, Awaited::Outcome);
    assert_eq!(urgent.by, at("2026-03-02T00:00:00Z"));
}

#[test]
fn nothing_is_due_before_sending_or_after_an_outcome() {
    let follow_up = FollowUp::DEFAULT;
    let drafted = Timeline {
        drafted: ts("2026-03-01T08:00:00Z"),
        ..Timeline::default()
    };
    assert_eq!(due(&drafted, follow_up, Some("2026-03-01")), None);
    let sent = Timeline {
        sent: ts("2026-03-01T09:00:00Z"),
        ..drafted
    };
    for outcome in [
        Timeline {
            mitigated: ts("2026-03-02T00:00:00Z"),
            ..sent.clone()
        },
        Timeline {
            exploited: ts("2026-03-02T00:00:00Z"),
            ..sent.clone()
        },
    ] {
        assert_eq!(due(&outcome, follow_up, None), None, "{outcome:?}");
    }
    let garbled = Timeline {
        sent: ts("last tuesday"),
        ..Timeline::default()
    };
    assert_eq!(due(&garbled, follow_up, None), None);
}
