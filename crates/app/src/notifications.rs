//! Victim notifications (§4). Alerts draft one per affected organisation, addressed to the
//! partner CSIRT responsible for it; they move drafted → sent → acknowledged → mitigated |
//! exploited → closed by the rule of `exchange::notification::can_advance`, every state with
//! its time. [`report`] measures time to notify (drafted → sent), time to acknowledge (sent →
//! acknowledged) and the share of victims mitigated before the first exploitation evidence: the
//! earliest of the CVE's KEV `dateAdded` (stored intel documents), a cyber incident or sighting
//! on one of the notification's assets, and the notification's own `exploited`.

use std::collections::{BTreeMap, HashMap};

pub use exchange::notification::{Awaited, Due, FollowUp};
use exchange::notification::{
    NotificationState, Timeline, can_advance_named, due, mitigated_before_exploitation,
};
use serde::Serialize;
use store::{Alert, IncidentKind, Notification, NotificationFilter, Store, StoreError};
use time::OffsetDateTime;

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::incidents::parse_time;
use crate::{Actor, Error, Result};

/// Notifications matching `filter`.
pub fn list(store: &mut Store, filter: &NotificationFilter) -> Result<Vec<Notification>> {
    Ok(store.notifications(filter)?)
}

/// The setting of the days a partner has to acknowledge a sent notification.
pub const ACKNOWLEDGE_DAYS_SETTING: &str = "acknowledge_days";
/// The setting of the days a partner has to report a sent notification's outcome.
pub const MITIGATE_DAYS_SETTING: &str = "mitigate_days";

/// The follow-up periods the installation's settings give ([`FollowUp::DEFAULT`] where unset).
pub fn follow_up(store: &mut Store) -> Result<FollowUp> {
    let mut days = |key: &str, default: u32| -> Result<u32> {
        match store.setting(key)? {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                Error::Store(StoreError::Corrupt {
                    table: "settings",
                    message: format!("{key} = {text:?} is not a number of days"),
                })
            }),
        }
    };
    Ok(FollowUp {
        acknowledge_days: days(ACKNOWLEDGE_DAYS_SETTING, FollowUp::DEFAULT.acknowledge_days)?,
        mitigate_days: days(MITIGATE_DAYS_SETTING, FollowUp::DEFAULT.mitigate_days)?,
    })
}

/// A notification with the CVE of its alert and the follow-up it waits for.
#[derive(Clone, Debug)]
pub struct Tracked {
    pub notification: Notification,
    /// The CVE its alert is about.
    pub cve: Option<String>,
    /// What the partner owes next and by when ([`exchange::notification::due`]).
    pub due: Option<Due>,
    /// Past `due` at the time asked about.
    pub overdue: bool,
}

/// What a notification is owed and by when, in the stored form: what every interface shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Owed {
    /// `acknowledgement` or `outcome` (mitigated, or exploited).
    pub awaited: &'static str,
    /// The deadline (RFC 3339).
    pub by: String,
}

impl Tracked {
    /// What the partner owes next and by when; `None` when nothing is owed.
    pub fn owed(&self) -> Option<Owed> {
        self.due.map(|d| Owed {
            awaited: d.awaited.as_str(),
            by: crate::timestamp(d.by),
        })
    }
}

/// Notifications matching `filter`, each with its follow-up under the installation's settings
/// ([`follow_up`]) and its CVE's KEV `dueDate` from the stored intel, overdue or not at `now`.
pub fn tracked(
    store: &mut Store,
    filter: &NotificationFilter,
    now: OffsetDateTime,
    progress: &dyn crate::Progress,
) -> Result<Vec<Tracked>> {
    let found = store.notifications(filter)?;
    track(store, found, now, progress)
}

/// [`tracked`] for notifications already read (as a move returns them).
pub fn track(
    store: &mut Store,
    found: Vec<Notification>,
    now: OffsetDateTime,
    progress: &dyn crate::Progress,
) -> Result<Vec<Tracked>> {
    let cves: HashMap<String, String> =
        store.alerts()?.into_iter().map(|a| (a.id, a.cve)).collect();
    let awaiting = found.iter().any(|n| n.reached("sent").is_some());
    let kev = if awaiting {
        crate::intel::kev_dates(store, progress)?
    } else {
        HashMap::new()
    };
    let follow_up = follow_up(store)?;
    Ok(found
        .into_iter()
        .map(|notification| {
            let cve = cves.get(&notification.alert_id).cloned();
            let kev_due = cve
                .as_ref()
                .and_then(|c| kev.get(c))
                .map(|d| d.due.as_str());
            let due = due(&timeline(&notification), follow_up, kev_due);
            Tracked {
                overdue: due.is_some_and(|d| d.overdue(now)),
                notification,
                cve,
                due,
            }
        })
        .collect())
}

/// Moves a notification to `to` at `at` (stored form) if `can_advance` allows it.
pub fn advance(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    to: NotificationState,
    at: &str,
) -> Result<Notification> {
    let mut moved = advance_all(store, actor, &[(id, to, at)])?;
    Ok(moved.remove(0))
}

/// [`advance`] for each `(id, to, at)` in order, all or nothing.
pub fn advance_all(
    store: &mut Store,
    actor: &Actor,
    moves: &[(&str, NotificationState, &str)],
) -> Result<Vec<Notification>> {
    authorize(actor, Action::AdvanceNotifications)?;
    let moves: Vec<(&str, &str, &str)> = moves
        .iter()
        .map(|(id, to, at)| (*id, to.as_str(), *at))
        .collect();
    audited(
        store,
        actor,
        "notification.advance",
        |store| Ok(store.advance_notifications(&moves, &can_advance_named)?),
        |moved| {
            (
                moved.iter().map(|n| n.id.clone()).collect(),
                format!("{moves:?}"),
            )
        },
    )
}

/// The partner an actor speaks for; [`Error::Forbidden`] for staff.
fn own_partner(actor: &Actor) -> Result<String> {
    actor.partner().map(str::to_owned).ok_or_else(|| {
        Error::Forbidden(format!(
            "{} is not a partner; this is for partner CSIRTs",
            actor.audit_name()
        ))
    })
}

/// The notifications addressed to the actor's partner CSIRT, each with what it owes next
/// ([`tracked`] at `now`) and its alert.
pub fn own(
    store: &mut Store,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Vec<(Tracked, Option<Alert>)>> {
    authorize(actor, Action::ReadReleased)?;
    let partner = own_partner(actor)?;
    let filter = NotificationFilter {
        partner_id: Some(partner),
        ..NotificationFilter::default()
    };
    tracked(store, &filter, now, &())?
        .into_iter()
        .map(|t| {
            let alert = store.alert(&t.notification.alert_id)?;
            Ok((t, alert))
        })
        .collect()
}

/// The actor's partner reports on a notification addressed to it (acknowledged, mitigated or
/// exploited), timestamped `at`: [`Error::Forbidden`] when it is addressed to another partner,
/// [`Error::Conflict`] when the state machine does not allow the move.
pub fn report_own(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    to: NotificationState,
    at: &str,
) -> Result<(Tracked, Option<Alert>)> {
    authorize(actor, Action::ReportOwnNotifications)?;
    let partner = own_partner(actor)?;
    let n = store.notification(id)?.ok_or_else(|| Error::NotFound {
        what: "notification",
        id: id.to_owned(),
    })?;
    if n.partner_id != partner {
        return Err(Error::Forbidden(format!(
            "notification {id} is not addressed to {partner}"
        )));
    }
    let moved = audited(
        store,
        actor,
        &format!("notification.{}", to.as_str()),
        |store| {
            store
                .advance_notification(id, to.as_str(), at, &can_advance_named)
                .map_err(|e| match e {
                    e @ StoreError::NotificationTransition { .. } => Error::Conflict(e.to_string()),
                    e => e.into(),
                })
        },
        |moved| (vec![moved.id.clone()], format!("{moved:?}")),
    )?;
    let alert = store.alert(&moved.alert_id)?;
    let moved = track(store, vec![moved], OffsetDateTime::now_utc(), &())?.remove(0);
    Ok((moved, alert))
}

/// What to mark sent: one notification, or every drafted one of an alert.
#[derive(Clone, Debug)]
pub enum Sending {
    One(String),
    Alert(String),
}

/// Marks notifications sent at `at` (stored form), all or nothing.
pub fn send(
    store: &mut Store,
    actor: &Actor,
    what: Sending,
    at: &str,
) -> Result<Vec<Notification>> {
    authorize(actor, Action::SendNotifications)?;
    let ids: Vec<String> = match what {
        Sending::One(id) => vec![id],
        Sending::Alert(alert) => {
            if store.alert(&alert)?.is_none() {
                return Err(Error::invalid("/alert", format!("unknown alert {alert:?}")));
            }
            let drafted = NotificationFilter {
                alert_id: Some(alert.clone()),
                state: Some(NotificationState::Drafted.as_str().to_owned()),
                ..NotificationFilter::default()
            };
            let ids: Vec<String> = store
                .notifications(&drafted)?
                .into_iter()
                .map(|n| n.id)
                .collect();
            if ids.is_empty() {
                return Err(Error::Conflict(format!(
                    "alert {alert} has no drafted notification"
                )));
            }
            ids
        }
    };
    let moves: Vec<(&str, NotificationState, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), NotificationState::Sent, at))
        .collect();
    advance_all(store, actor, &moves)
}

// ---------------------------------------------------------------------------------------------
// The report.

/// A notification's timeline, read from its stored history.
fn timeline(n: &Notification) -> Timeline {
    let mut t = Timeline::default();
    for (state, at) in &n.history {
        if let Some(state) = NotificationState::parse(state) {
            t.set(state, at.clone());
        }
    }
    t
}

/// Per notification id, the first exploitation evidence outside the notification itself: the
/// earliest of its CVE's KEV `dateAdded` and the occurrence of a cyber incident or sighting on
/// one of its assets (stored form, so the earliest is the least text).
fn first_exploitation_evidence(
    store: &mut Store,
    kev: &HashMap<String, String>,
    notifications: &[Notification],
) -> Result<HashMap<String, String>> {
    let cve_of: HashMap<String, String> =
        store.alerts()?.into_iter().map(|a| (a.id, a.cve)).collect();
    let mut incident_at = HashMap::<String, String>::new();
    for i in store.incidents()? {
        if i.report.kind != IncidentKind::Cyber {
            continue;
        }
        for a in &i.report.assets {
            let at = incident_at
                .entry(a.clone())
                .or_insert_with(|| i.report.occurred_at.clone());
            if i.report.occurred_at < *at {
                at.clone_from(&i.report.occurred_at);
            }
        }
    }
    let mut out = HashMap::new();
    for n in notifications {
        let kev_at = cve_of
            .get(&n.alert_id)
            .and_then(|cve| kev.get(cve))
            .and_then(|date| parse_time(date).ok());
        let earliest = n
            .assets
            .iter()
            .filter_map(|a| incident_at.get(a).cloned())
            .chain(kev_at)
            .min();
        if let Some(at) = earliest {
            out.insert(n.id.clone(), at);
        }
    }
    Ok(out)
}

#[derive(Default, Serialize)]
pub struct Figures {
    pub notifications: usize,
    /// Current state → how many.
    pub by_state: BTreeMap<&'static str, usize>,
    pub time_to_notify_hours: Spread,
    pub time_to_acknowledge_hours: Spread,
    /// Notifications whose outcome is known (mitigated or exploitation evidence).
    pub decided: usize,
    pub mitigated_before_exploitation: usize,
    /// mitigated_before_exploitation / decided, when any is decided.
    pub share_mitigated_before_exploitation: Option<f64>,
    #[serde(skip)]
    notify: Vec<f64>,
    #[serde(skip)]
    acknowledge: Vec<f64>,
}

#[derive(Default, Serialize)]
pub struct Spread {
    pub count: usize,
    pub median: Option<f64>,
    pub mean: Option<f64>,
}

impl Spread {
    fn of(values: &mut [f64]) -> Spread {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => None,
            _ if !n.is_multiple_of(2) => Some(values[n / 2]),
            _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
        };
        Spread {
            count: n,
            median,
            mean: (n > 0).then(|| values.iter().sum::<f64>() / n as f64),
        }
    }

    /// `median / mean`, or `-` without values.
    pub fn show(&self) -> String {
        match (self.median, self.mean) {
            (Some(median), Some(mean)) => format!("{median:.1} / {mean:.1}"),
            _ => "-".to_owned(),
        }
    }
}

impl Figures {
    fn add(&mut self, n: &Notification, evidence: Option<&str>) {
        self.notifications += 1;
        if let Some(state) = NotificationState::parse(&n.state) {
            *self.by_state.entry(state.as_str()).or_default() += 1;
        }
        let t = timeline(n);
        let hours = |d: time::Duration| d.as_seconds_f64() / 3600.0;
        self.notify.extend(t.time_to_notify().map(hours));
        self.acknowledge.extend(t.time_to_acknowledge().map(hours));
        if let Some(before) = mitigated_before_exploitation(&t, evidence) {
            self.decided += 1;
            self.mitigated_before_exploitation += usize::from(before);
        }
    }

    fn finish(&mut self) {
        self.time_to_notify_hours = Spread::of(&mut self.notify);
        self.time_to_acknowledge_hours = Spread::of(&mut self.acknowledge);
        self.share_mitigated_before_exploitation = (self.decided > 0)
            .then(|| self.mitigated_before_exploitation as f64 / self.decided as f64);
    }
}

#[derive(Serialize)]
pub struct Report {
    pub alerts: BTreeMap<String, Figures>,
    pub overall: Figures,
}

/// Per alert and overall: notifications by state, time to notify and to acknowledge, and the
/// share mitigated before exploitation. `kev`: each CVE's KEV `dateAdded`.
/// [`report`] with the KEV `dateAdded` of the stored intel documents as evidence.
pub fn report_stored(store: &mut Store, progress: &dyn crate::Progress) -> Result<Report> {
    let kev = crate::intel::kev_dates_added(store, progress)?;
    report(store, &kev)
}

pub fn report(store: &mut Store, kev: &HashMap<String, String>) -> Result<Report> {
    let all = store.notifications(&NotificationFilter::default())?;
    let evidence = first_exploitation_evidence(store, kev, &all)?;
    let mut report = Report {
        alerts: BTreeMap::new(),
        overall: Figures::default(),
    };
    for n in &all {
        let e = evidence.get(&n.id).map(String::as_str);
        report
            .alerts
            .entry(n.alert_id.clone())
            .or_default()
            .add(n, e);
        report.overall.add(n, e);
    }
    for f in report.alerts.values_mut() {
        f.finish();
    }
    report.overall.finish();
    Ok(report)
}
