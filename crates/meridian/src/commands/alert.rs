//! `alert …`: alerts about a CVE (§4); the use cases are `app::alerts`. `alert new` takes the CVE's active Intel findings (the
//! affected assets), routes the alert to every partner whose constituency holds an affected
//! asset (its countries, and its sectors when it names any), publishes the STIX package of
//! `exchange::alert` into a collection with those partners as its named recipients, keeps a
//! CSAF 2.0 advisory built by `intel cvd`'s exporter (TLP mapped down by `cvd::csaf_tlp`) and
//! drafts one victim notification per affected organisation (the assets' operator, else their
//! owner) to the partner responsible for it: the most specific of the partners holding the
//! asset (a sector match first, then the highest trust tier, then the id).

use app::Actor;
use app::alerts::{self, NewAlert};
use app::cvd::csaf_tlp;
use clap::{Args, Subcommand};
use serde::Serialize;
use store::{Alert, Notification, Tlp};

use super::cvd::parse_tlp;
use super::incident::parse_time;
use crate::config::Config;
use crate::{output, progress};

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Build an alert from the Intel findings of a CVE, publish its STIX package, keep its
    /// CSAF 2.0 advisory and draft the victim notifications.
    New(NewArgs),
    /// Every alert.
    List,
    /// One alert with its routing and notifications, or (`--csaf`) its CSAF 2.0 advisory.
    Show {
        /// The alert id, e.g. `ALERT-2026-0001`.
        id: String,
        /// Print the alert's CSAF 2.0 advisory (JSON) instead of its summary.
        #[arg(long)]
        csaf: bool,
    },
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The CVE id (any case).
    #[arg(long, value_parser = parse_cve)]
    pub cve: String,
    /// Only findings from this inventory item (a product string or SBOM component, as
    /// `intel findings` shows it); repeat for several.
    #[arg(long = "finding", value_name = "ITEM")]
    pub findings: Vec<String>,
    /// Only findings on this asset; repeat for several.
    #[arg(long = "asset", value_name = "ID")]
    pub assets: Vec<String>,
    /// TLP 2.0 label of the package and the notifications: CLEAR, GREEN, AMBER, AMBER+STRICT
    /// or RED (CSAF carries it mapped down to TLP 1.0).
    #[arg(long, default_value = "AMBER", value_parser = parse_tlp)]
    pub tlp: Tlp,
    /// The collection to publish the STIX package into (not published without one).
    #[arg(long, value_name = "ID")]
    pub collection: Option<String>,
    /// The alert's title (default: the CVE and the affected product).
    #[arg(long)]
    pub title: Option<String>,
    /// The fix or workaround (the course of action and the CSAF vendor fix).
    #[arg(long, default_value = "")]
    pub remediation: String,
    /// The hub's organisation: the STIX identity and the CSAF publisher.
    #[arg(long, default_value = "Meridian")]
    pub publisher: String,
    /// When the alert is issued (RFC 3339 or YYYY-MM-DD); default now.
    #[arg(long, value_parser = parse_time, value_name = "TIMESTAMP")]
    pub at: Option<String>,
}

pub fn run(config: &Config, command: AlertCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    match command {
        AlertCommand::New(args) => {
            let new = NewAlert {
                cve: args.cve,
                findings: args.findings,
                assets: args.assets,
                tlp: args.tlp,
                collection: args.collection,
                title: args.title,
                remediation: args.remediation,
                publisher: args.publisher,
                at: args.at,
            };
            let bars = progress::Bars::new(config.quiet);
            let (alert, notifications) =
                alerts::create(&mut store, &Actor::local(), config.home, &new, &bars)?;
            print_alert(config, &alert, &notifications)
        }
        AlertCommand::List => list(config, &alerts::list(&mut store)?),
        AlertCommand::Show { id, csaf } => {
            if csaf {
                return output::json(&alerts::csaf(&mut store, &id)?);
            }
            let (alert, notifications) = alerts::show(&mut store, &id)?;
            print_alert(config, &alert, &notifications)
        }
    }
}

/// CVE ids are upper case in the findings.
fn parse_cve(text: &str) -> Result<String, String> {
    Ok(text.trim().to_ascii_uppercase())
}

#[derive(Serialize)]
struct AlertRow<'a> {
    id: &'a str,
    cve: &'a str,
    title: &'a str,
    tlp: &'static str,
    /// The label the CSAF advisory carries (TLP 1.0).
    csaf_tlp: &'static str,
    created_at: &'a str,
    collection: Option<&'a str>,
    partners: &'a [String],
    assets: &'a [String],
    stix_ids: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    notifications: Option<Vec<NotificationRow<'a>>>,
}

#[derive(Serialize)]
struct NotificationRow<'a> {
    id: &'a str,
    partner: &'a str,
    organisation: &'a str,
    assets: &'a [String],
    state: &'a str,
}

fn row<'a>(a: &'a Alert, notifications: Option<&'a [Notification]>) -> AlertRow<'a> {
    AlertRow {
        id: &a.id,
        cve: &a.cve,
        title: &a.title,
        tlp: a.tlp.as_str(),
        csaf_tlp: csaf_tlp(a.tlp),
        created_at: &a.created_at,
        collection: a.collection_id.as_deref(),
        partners: &a.partners,
        assets: &a.assets,
        stix_ids: &a.stix_ids,
        notifications: notifications.map(|ns| {
            ns.iter()
                .map(|n| NotificationRow {
                    id: &n.id,
                    partner: &n.partner_id,
                    organisation: &n.organisation,
                    assets: &n.assets,
                    state: &n.state,
                })
                .collect()
        }),
    }
}

fn print_alert(
    config: &Config,
    alert: &Alert,
    notifications: &[Notification],
) -> anyhow::Result<()> {
    let r = row(alert, Some(notifications));
    if config.json {
        return output::json(&r);
    }
    outln!(
        "{} {} (TLP:{}, CSAF TLP:{})",
        r.id,
        r.title,
        r.tlp,
        r.csaf_tlp
    );
    outln!("created   {}", r.created_at);
    outln!("assets    {}", r.assets.len());
    outln!("partners  {}", r.partners.join(", "));
    outln!(
        "published {}",
        r.collection
            .map_or("(no collection)".to_owned(), |c| format!(
                "{} objects in collection {c}",
                r.stix_ids.len()
            ))
    );
    output::table(
        &["notification", "partner", "organisation", "assets", "state"],
        notifications.iter().map(|n| {
            vec![
                n.id.clone(),
                n.partner_id.clone(),
                n.organisation.clone(),
                n.assets.join(", "),
                n.state.clone(),
            ]
        }),
    );
    Ok(())
}

fn list(config: &Config, alerts: &[Alert]) -> anyhow::Result<()> {
    let rows: Vec<AlertRow<'_>> = alerts.iter().map(|a| row(a, None)).collect();
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &["id", "cve", "tlp", "created", "assets", "partners", "title"],
        rows.iter().map(|r| {
            vec![
                r.id.to_owned(),
                r.cve.to_owned(),
                r.tlp.to_owned(),
                r.created_at.to_owned(),
                r.assets.len().to_string(),
                r.partners.join(", "),
                r.title.to_owned(),
            ]
        }),
    );
    output::note(config.quiet, format!("{} alert(s)", rows.len()));
    Ok(())
}
