//! `notify …`: victim notifications (§4); the use cases and the report's definitions are in
//! `app::notifications`.

use anyhow::{Context, bail};
use app::Actor;
use app::notifications::{self, Figures, Owed, Report, Sending, Tracked};
use clap::Subcommand;
use exchange::notification::NotificationState;
use serde::Serialize;
use store::{Notification, NotificationFilter};

use super::incident::{now, parse_time};
use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Notifications with their current state, by alert.
    List {
        /// Only notifications in this state.
        #[arg(long, value_parser = parse_state)]
        state: Option<NotificationState>,
        /// Only notifications of this alert.
        #[arg(long, value_name = "ID")]
        alert: Option<String>,
        /// Only notifications to this partner CSIRT.
        #[arg(long, value_name = "PARTNER")]
        partner: Option<String>,
        /// Only notifications past their due date (the partner's acknowledgement or outcome
        /// is late: `meridian setting list` shows the periods).
        #[arg(long)]
        overdue: bool,
    },
    /// Mark a drafted notification sent, or every drafted one of `--alert`.
    Send {
        /// The notification id, e.g. `ALERT-2026-0001.3`.
        #[arg(required_unless_present = "alert", conflicts_with = "alert")]
        id: Option<String>,
        /// Every drafted notification of this alert instead of one.
        #[arg(long, value_name = "ID")]
        alert: Option<String>,
        /// When it was sent (RFC 3339 or YYYY-MM-DD); default now.
        #[arg(long, value_parser = parse_time, value_name = "TIMESTAMP")]
        at: Option<String>,
    },
    /// Move a notification on: acknowledged, mitigated, exploited or closed.
    Advance {
        /// The notification id, e.g. `ALERT-2026-0001.3`.
        id: String,
        /// The state to move to.
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
    let mut store = config.open_store()?;
    let actor = Actor::local();
    match command {
        NotifyCommand::List {
            state,
            alert,
            partner,
            overdue,
        } => {
            let filter = NotificationFilter {
                alert_id: alert,
                partner_id: partner,
                state: state.map(|s| s.as_str().to_owned()),
            };
            let mut found = notifications::tracked(&mut store, &filter, now_utc(), &bars(config))?;
            found.retain(|t| t.overdue || !overdue);
            print(config, &found)
        }
        NotifyCommand::Send { id, alert, at } => {
            let what = match (id, alert) {
                (Some(id), _) => Sending::One(id),
                (None, Some(alert)) => Sending::Alert(alert),
                (None, None) => bail!("name a notification or --alert"),
            };
            let at = at.unwrap_or_else(now);
            let sent = notifications::send(&mut store, &actor, what, &at)?;
            print(config, &track(config, &mut store, sent)?)
        }
        NotifyCommand::Advance { id, to, at } => {
            let at = at.unwrap_or_else(now);
            let n = notifications::advance(&mut store, &actor, &id, to, &at)?;
            print(config, &track(config, &mut store, vec![n])?)
        }
        NotifyCommand::Report => {
            let kev = super::intel::kev_dates_added(config, &mut store)?;
            let report =
                notifications::report(&mut store, &kev).context("finding exploitation evidence")?;
            print_report(config, &report)
        }
    }
}

fn now_utc() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn bars(config: &Config) -> progress::Bars {
    progress::Bars::new(config.quiet)
}

fn track(
    config: &Config,
    store: &mut store::Store,
    moved: Vec<Notification>,
) -> anyhow::Result<Vec<Tracked>> {
    Ok(notifications::track(
        store,
        moved,
        now_utc(),
        &bars(config),
    )?)
}

fn parse_state(name: &str) -> Result<NotificationState, String> {
    NotificationState::parse(name).ok_or_else(|| {
        let all: Vec<&str> = NotificationState::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
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
    /// The CVE of its alert.
    cve: Option<&'a str>,
    /// What the partner owes next (`acknowledgement`, `outcome`) and by when.
    due: Option<Owed>,
    overdue: bool,
}

#[derive(Serialize)]
struct Step<'a> {
    state: &'a str,
    at: &'a str,
}

fn print(config: &Config, notifications: &[Tracked]) -> anyhow::Result<()> {
    if config.json {
        let rows: Vec<Row<'_>> = notifications
            .iter()
            .map(|t| {
                let n = &t.notification;
                Row {
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
                    cve: t.cve.as_deref(),
                    due: t.owed(),
                    overdue: t.overdue,
                }
            })
            .collect();
        return output::json(&rows);
    }
    output::table(
        &[
            "id",
            "partner",
            "organisation",
            "assets",
            "state",
            "since",
            "due",
        ],
        notifications.iter().map(|t| {
            let n = &t.notification;
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
                due_cell(t),
            ]
        }),
    );
    output::note(
        config.quiet,
        format!(
            "{} notification(s), {} overdue",
            notifications.len(),
            notifications.iter().filter(|t| t.overdue).count()
        ),
    );
    Ok(())
}

/// `<awaited> by <time>`, `OVERDUE` first when late; `-` when nothing is owed.
fn due_cell(t: &Tracked) -> String {
    match t.owed() {
        Some(o) if t.overdue => format!("OVERDUE {} by {}", o.awaited, o.by),
        Some(o) => format!("{} by {}", o.awaited, o.by),
        None => "-".to_owned(),
    }
}

fn print_report(config: &Config, report: &Report) -> anyhow::Result<()> {
    if config.json {
        return output::json(report);
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
