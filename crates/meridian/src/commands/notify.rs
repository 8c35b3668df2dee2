//! `notify …`: victim notifications (§4). `alert new` drafts one per affected organisation,
//! addressed to the partner CSIRT responsible for it; they move
//! drafted → sent → acknowledged → mitigated | exploited → closed by the rule of
//! `exchange::notification::can_advance`, every state with its time. `notify report` measures
//! time to notify (drafted → sent), time to acknowledge (sent → acknowledged) and the share of
//! victims mitigated before the first exploitation evidence: the earliest of the CVE's KEV
//! `dateAdded` (stored intel documents), a cyber incident or sighting on one of the
//! notification's assets, and the notification's own `exploited`.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use clap::Subcommand;
use exchange::notification::{
    NotificationState, Timeline, can_advance_named, mitigated_before_exploitation,
};
use serde::Serialize;
use store::{IncidentKind, Notification, NotificationFilter, Store};

use super::incident::{now, parse_time};
use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Notifications with their current state, by alert.
    List {
        #[arg(long, value_parser = parse_state)]
        state: Option<NotificationState>,
        #[arg(long, value_name = "ID")]
        alert: Option<String>,
        #[arg(long, value_name = "PARTNER")]
        partner: Option<String>,
    },
    /// Mark a drafted notification sent, or every drafted one of `--alert`.
    Send {
        #[arg(required_unless_present = "alert", conflicts_with = "alert")]
        id: Option<String>,
        #[arg(long, value_name = "ID")]
        alert: Option<String>,
        /// When it was sent (RFC 3339 or YYYY-MM-DD); default now.
        #[arg(long, value_parser = parse_time, value_name = "TIMESTAMP")]
        at: Option<String>,
    },
    /// Move a notification on: acknowledged, mitigated, exploited or closed.
    Advance {
        id: String,
        #[arg(long, value_parser = parse_state)]
        to: NotificationState,
        /// When it happened (RFC 3339 or YYYY-MM-DD); default now.
        #[arg(long, value_parser = parse_time, value_name = "TIMESTAMP")]
        at: Option<String>,
    },
    /// Per alert and overall: notifications by state, time to notify and to acknowledge
    /// (median and mean, hours), and the share mitigated before exploitation.
    Report,
}

pub fn run(config: &Config, command: NotifyCommand) -> anyhow::Result<()> {
    match command {
        NotifyCommand::List {
            state,
            alert,
            partner,
        } => {
            let filter = NotificationFilter {
                alert_id: alert,
                partner_id: partner,
                state: state.map(|s| s.as_str().to_owned()),
            };
            let found = config.open_store()?.notifications(&filter)?;
            print(config, &found)
        }
        NotifyCommand::Send { id, alert, at } => send(config, id, alert, at),
        NotifyCommand::Advance { id, to, at } => {
            let mut store = config.open_store()?;
            let at = at.unwrap_or_else(now);
            let n = advance(&mut store, &id, to, &at)?;
            print(config, &[n])
        }
        NotifyCommand::Report => report(config),
    }
}

fn parse_state(name: &str) -> Result<NotificationState, String> {
    NotificationState::parse(name).ok_or_else(|| {
        let all: Vec<&str> = NotificationState::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
}

// ---------------------------------------------------------------------------------------------
// Moving notifications.

/// Moves a notification to `to` at `at` (stored form) if `can_advance` allows it.
fn advance(
    store: &mut Store,
    id: &str,
    to: NotificationState,
    at: &str,
) -> store::Result<Notification> {
    store.advance_notification(id, to.as_str(), at, &can_advance_named)
}

/// [`advance`] for each `(id, to, at)` in order, all or nothing.
pub fn advance_all(
    store: &mut Store,
    moves: &[(&str, NotificationState, &str)],
) -> store::Result<Vec<Notification>> {
    let moves: Vec<(&str, &str, &str)> = moves
        .iter()
        .map(|(id, to, at)| (*id, to.as_str(), *at))
        .collect();
    store.advance_notifications(&moves, &can_advance_named)
}

fn send(
    config: &Config,
    id: Option<String>,
    alert: Option<String>,
    at: Option<String>,
) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let at = at.unwrap_or_else(now);
    let ids: Vec<String> = match (id, alert) {
        (Some(id), _) => vec![id],
        (None, Some(alert)) => {
            if store.alert(&alert)?.is_none() {
                bail!("--alert: unknown alert {alert:?}");
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
                bail!("alert {alert} has no drafted notification");
            }
            ids
        }
        (None, None) => bail!("name a notification or --alert"),
    };
    let moves: Vec<(&str, NotificationState, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), NotificationState::Sent, at.as_str()))
        .collect();
    let sent = advance_all(&mut store, &moves)?;
    print(config, &sent)
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    alert: &'a str,
    partner: &'a str,
    organisation: &'a str,
    assets: &'a [String],
    state: &'a str,
    /// Every state reached, with its time, in order.
    history: Vec<Step<'a>>,
}

#[derive(Serialize)]
struct Step<'a> {
    state: &'a str,
    at: &'a str,
}

fn print(config: &Config, notifications: &[Notification]) -> anyhow::Result<()> {
    if config.json {
        let rows: Vec<Row<'_>> = notifications
            .iter()
            .map(|n| Row {
                id: &n.id,
                alert: &n.alert_id,
                partner: &n.partner_id,
                organisation: &n.organisation,
                assets: &n.assets,
                state: &n.state,
                history: n
                    .history
                    .iter()
                    .map(|(state, at)| Step { state, at })
                    .collect(),
            })
            .collect();
        return output::json(&rows);
    }
    output::table(
        &["id", "partner", "organisation", "assets", "state", "since"],
        notifications.iter().map(|n| {
            vec![
                n.id.clone(),
                n.partner_id.clone(),
                n.organisation.clone(),
                n.assets.join(", "),
                n.state.clone(),
                n.history
                    .last()
                    .map(|(_, at)| at.clone())
                    .unwrap_or_default(),
            ]
        }),
    );
    output::note(
        config.quiet,
        format!("{} notification(s)", notifications.len()),
    );
    Ok(())
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
    config: &Config,
    store: &mut Store,
    notifications: &[Notification],
) -> anyhow::Result<HashMap<String, String>> {
    let cve_of: HashMap<String, String> =
        store.alerts()?.into_iter().map(|a| (a.id, a.cve)).collect();
    let kev = super::intel::kev_dates_added(config, store)?;
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
struct Figures {
    notifications: usize,
    /// Current state → how many.
    by_state: BTreeMap<&'static str, usize>,
    time_to_notify_hours: Spread,
    time_to_acknowledge_hours: Spread,
    /// Notifications whose outcome is known (mitigated or exploitation evidence).
    decided: usize,
    mitigated_before_exploitation: usize,
    /// mitigated_before_exploitation / decided, when any is decided.
    share_mitigated_before_exploitation: Option<f64>,
    #[serde(skip)]
    notify: Vec<f64>,
    #[serde(skip)]
    acknowledge: Vec<f64>,
}

#[derive(Default, Serialize)]
struct Spread {
    count: usize,
    median: Option<f64>,
    mean: Option<f64>,
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

    fn show(&self) -> String {
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
struct Report {
    alerts: BTreeMap<String, Figures>,
    overall: Figures,
}

fn report(config: &Config) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let all = store.notifications(&NotificationFilter::default())?;
    let evidence = first_exploitation_evidence(config, &mut store, &all)
        .context("finding exploitation evidence")?;
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
    if config.json {
        return output::json(&report);
    }
    let mut header = vec!["alert", "notifications"];
    header.extend(NotificationState::ALL.iter().map(|s| s.as_str()));
    header.extend([
        "to notify h (median / mean)",
        "to acknowledge h (median / mean)",
        "mitigated first",
    ]);
    let row = |name: &str, f: &Figures| {
        let mut cells = vec![name.to_owned(), f.notifications.to_string()];
        cells.extend(
            NotificationState::ALL
                .iter()
                .map(|s| f.by_state.get(s.as_str()).copied().unwrap_or(0).to_string()),
        );
        cells.push(f.time_to_notify_hours.show());
        cells.push(f.time_to_acknowledge_hours.show());
        cells.push(match f.share_mitigated_before_exploitation {
            Some(share) => format!(
                "{}/{} ({:.0}%)",
                f.mitigated_before_exploitation,
                f.decided,
                share * 100.0
            ),
            None => "-".to_owned(),
        });
        cells
    };
    output::table(
        &header,
        report
            .alerts
            .iter()
            .map(|(id, f)| row(id, f))
            .chain([row("all", &report.overall)]),
    );
    Ok(())
}
