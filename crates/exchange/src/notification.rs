//! Victim notifications (§4): one per affected organisation, sent to the responsible partner
//! CSIRT, moving through
//!
//! ```text
//! drafted → sent → acknowledged → mitigated → closed
//!             │          │      ↘ exploited → closed
//!             └──────────┴→ mitigated | exploited   (the partner reports without acknowledging)
//! ```
//!
//! `mitigated` and `exploited` are the two alternative outcomes of the spec
//! ("mitigated | exploited → closed"): neither leads to the other, and only `closed` follows
//! them. Exploitation seen after a mitigation (a KEV entry, a sighting, an incident) is
//! evidence kept outside the notification, and [`mitigated_before_exploitation`] compares the
//! mitigation against it. There is no way back and no skipping: a notification is sent before
//! anything is reported on it, and only an outcome closes it.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

#[cfg(test)]
mod tests;

/// The state of a victim notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotificationState {
    Drafted,
    Sent,
    Acknowledged,
    Mitigated,
    Exploited,
    Closed,
}

impl NotificationState {
    pub const ALL: [NotificationState; 6] = [
        NotificationState::Drafted,
        NotificationState::Sent,
        NotificationState::Acknowledged,
        NotificationState::Mitigated,
        NotificationState::Exploited,
        NotificationState::Closed,
    ];

    /// The lowercase name (`acknowledged`).
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationState::Drafted => "drafted",
            NotificationState::Sent => "sent",
            NotificationState::Acknowledged => "acknowledged",
            NotificationState::Mitigated => "mitigated",
            NotificationState::Exploited => "exploited",
            NotificationState::Closed => "closed",
        }
    }

    /// Case-insensitive; surrounding white space ignored.
    pub fn parse(name: &str) -> Option<NotificationState> {
        let name = name.trim();
        NotificationState::ALL
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(name))
    }
}

impl std::fmt::Display for NotificationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a notification in state `from` may move to `to` (see the module documentation).
pub fn can_advance(from: NotificationState, to: NotificationState) -> bool {
    use NotificationState::*;
    matches!(
        (from, to),
        (Drafted, Sent)
            | (Sent, Acknowledged | Mitigated | Exploited)
            | (Acknowledged, Mitigated | Exploited)
            | (Mitigated | Exploited, Closed)
    )
}

/// [`can_advance`] on state names, as stored; an unknown name never moves.
pub fn can_advance_named(from: &str, to: &str) -> bool {
    matches!(
        (NotificationState::parse(from), NotificationState::parse(to)),
        (Some(from), Some(to)) if can_advance(from, to)
    )
}

/// When a notification entered each state: RFC 3339 timestamps, `None` when not (yet) entered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    pub drafted: Option<String>,
    pub sent: Option<String>,
    pub acknowledged: Option<String>,
    pub mitigated: Option<String>,
    pub exploited: Option<String>,
    pub closed: Option<String>,
}

impl Timeline {
    /// When the notification entered `state`.
    pub fn at(&self, state: NotificationState) -> Option<&str> {
        self.slot(state).as_deref()
    }

    /// Records that the notification entered `state` at `at`.
    pub fn set(&mut self, state: NotificationState, at: String) {
        *self.slot_mut(state) = Some(at);
    }

    fn slot(&self, state: NotificationState) -> &Option<String> {
        match state {
            NotificationState::Drafted => &self.drafted,
            NotificationState::Sent => &self.sent,
            NotificationState::Acknowledged => &self.acknowledged,
            NotificationState::Mitigated => &self.mitigated,
            NotificationState::Exploited => &self.exploited,
            NotificationState::Closed => &self.closed,
        }
    }

    fn slot_mut(&mut self, state: NotificationState) -> &mut Option<String> {
        match state {
            NotificationState::Drafted => &mut self.drafted,
            NotificationState::Sent => &mut self.sent,
            NotificationState::Acknowledged => &mut self.acknowledged,
            NotificationState::Mitigated => &mut self.mitigated,
            NotificationState::Exploited => &mut self.exploited,
            NotificationState::Closed => &mut self.closed,
        }
    }

    /// Time to notify: from drafted to sent. `None` unless both are known timestamps.
    pub fn time_to_notify(&self) -> Option<Duration> {
        between(self.drafted.as_deref(), self.sent.as_deref())
    }

    /// Time to acknowledge: from sent to acknowledged. `None` unless both are known timestamps.
    pub fn time_to_acknowledge(&self) -> Option<Duration> {
        between(self.sent.as_deref(), self.acknowledged.as_deref())
    }
}

fn between(start: Option<&str>, end: Option<&str>) -> Option<Duration> {
    Some(instant(end?)? - instant(start?)?)
}

/// An RFC 3339 timestamp, or a bare date `YYYY-MM-DD` (as KEV's `dateAdded`) read as its
/// first instant, UTC.
fn instant(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        Date::parse(text, format_description!("[year]-[month]-[day]"))
            .ok()
            .map(|date| date.midnight().assume_utc())
    })
}

/// How long a partner CSIRT has to follow a notification up, counted from when it was sent
/// (the installation's settings `acknowledge_days` and `mitigate_days`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowUp {
    /// Days to acknowledge a sent notification.
    pub acknowledge_days: u32,
    /// Days to report an outcome (mitigated, or exploited); the CVE's KEV `dueDate`, when it
    /// comes sooner, is the deadline instead.
    pub mitigate_days: u32,
}

impl FollowUp {
    /// Three days to acknowledge, thirty to mitigate: starting points until an installation
    /// sets the service levels its agreements name.
    pub const DEFAULT: FollowUp = FollowUp {
        acknowledge_days: 3,
        mitigate_days: 30,
    };
}

/// What a notification waits for from its partner next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaited {
    /// The partner's acknowledgement.
    Acknowledgement,
    /// Its outcome: mitigated, or exploited.
    Outcome,
}

impl Awaited {
    pub fn as_str(self) -> &'static str {
        match self {
            Awaited::Acknowledgement => "acknowledgement",
            Awaited::Outcome => "outcome",
        }
    }
}

/// The next follow-up a notification waits for, and by when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub awaited: Awaited,
    pub by: OffsetDateTime,
}

impl Due {
    /// Past its deadline at `now`.
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        now > self.by
    }
}

/// The follow-up a sent notification waits for: its acknowledgement `acknowledge_days` after it
/// was sent, and its outcome `mitigate_days` after it was sent or by the end of the CVE's KEV
/// `dueDate` (`kev_due`), whichever comes first. Waiting for both, the one due first is named.
/// `None` for a drafted notification (nothing is asked of the partner yet), one with an outcome
/// (mitigated, exploited or closed), and one whose sending time does not parse.
pub fn due(timeline: &Timeline, follow_up: FollowUp, kev_due: Option<&str>) -> Option<Due> {
    if timeline.mitigated.is_some() || timeline.exploited.is_some() || timeline.closed.is_some() {
        return None;
    }
    let sent = instant(timeline.sent.as_deref()?)?;
    let days = |n: u32| Duration::days(i64::from(n));
    let after_sending = sent + days(follow_up.mitigate_days);
    let outcome = Due {
        awaited: Awaited::Outcome,
        by: kev_due
            .and_then(instant)
            .map_or(after_sending, |kev| after_sending.min(kev + Duration::DAY)),
    };
    let acknowledgement = Due {
        awaited: Awaited::Acknowledgement,
        by: sent + days(follow_up.acknowledge_days),
    };
    Some(match timeline.acknowledged {
        None if acknowledgement.by <= outcome.by => acknowledgement,
        _ => outcome,
    })
}

/// Whether the victim was mitigated before the first exploitation evidence.
///
/// `first_exploitation_evidence` is the earliest of the KEV `dateAdded`, a sighting and an
/// incident (RFC 3339, or a bare date read as its midnight UTC); the timeline's own
/// `exploited` counts as evidence too. The answer:
/// - `Some(true)`: mitigated strictly before the earliest evidence, or mitigated and no evidence;
/// - `Some(false)`: exploitation evidence at or before the mitigation, or evidence and no
///   mitigation (it can no longer come first);
/// - `None`: neither mitigated nor exploited yet, or a timestamp that does not parse.
pub fn mitigated_before_exploitation(
    timeline: &Timeline,
    first_exploitation_evidence: Option<&str>,
) -> Option<bool> {
    let mut evidence = None;
    for text in [first_exploitation_evidence, timeline.exploited.as_deref()]
        .into_iter()
        .flatten()
    {
        let at = instant(text)?;
        evidence = Some(evidence.map_or(at, |earliest: OffsetDateTime| earliest.min(at)));
    }
    match (timeline.mitigated.as_deref(), evidence) {
        (Some(mitigated), Some(evidence)) => Some(instant(mitigated)? < evidence),
        (Some(mitigated), None) => instant(mitigated).map(|_| true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    }
}
