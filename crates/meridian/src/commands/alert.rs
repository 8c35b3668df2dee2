//! `alert …`: alerts about a CVE (§4). `alert new` takes the CVE's active Intel findings (the
//! affected assets), routes the alert to every partner whose constituency holds an affected
//! asset (its countries, and its sectors when it names any), publishes the STIX package of
//! `exchange::alert` into a collection with those partners as its named recipients, keeps a
//! CSAF 2.0 advisory built by `intel cvd`'s exporter (TLP mapped down by `cvd::csaf_tlp`) and
//! drafts one victim notification per affected organisation (the assets' operator, else their
//! owner) to the partner responsible for it: the most specific of the partners holding the
//! asset (a sector match first, then the highest trust tier, then the id).

use app::sharing::Checked;
use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use exchange::alert::{AlertInput, Hub};
use exchange::notification::NotificationState;
use serde::Serialize;
use serde_json::Value;
use store::{
    AffectedProduct, Alert, CvdCase, CvdState, NewCvdCase, NewNotification, NewStixObject,
    Notification, NotificationFilter, Partner, Store, Tlp,
};

use super::cvd::{csaf_advisory, csaf_tlp, parse_tlp};
use super::incident::parse_time;
use super::intel::ActiveFinding;
use crate::config::Config;
use crate::output;

/// The `created` of the hub's STIX identity: one version shared by every alert package.
const HUB_CREATED: &str = "2020-01-01T00:00:00.000Z";

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Build an alert from the Intel findings of a CVE, publish its STIX package, keep its
    /// CSAF 2.0 advisory and draft the victim notifications.
    New(NewArgs),
    /// Every alert.
    List,
    /// One alert with its routing and notifications, or (`--csaf`) its CSAF 2.0 advisory.
    Show {
        id: String,
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
    match command {
        AlertCommand::New(args) => {
            let mut store = config.open_store()?;
            let (alert, notifications) = create(config, &mut store, &args)?;
            print_alert(config, &alert, &notifications)
        }
        AlertCommand::List => list(config),
        AlertCommand::Show { id, csaf } => {
            let mut store = config.open_store()?;
            let alert = store
                .alert(&id)?
                .with_context(|| format!("unknown alert {id:?}"))?;
            if csaf {
                let document: Value =
                    serde_json::from_str(&alert.csaf).context("reading the stored advisory")?;
                return output::json(&document);
            }
            let filter = NotificationFilter {
                alert_id: Some(id),
                ..NotificationFilter::default()
            };
            let notifications = store.notifications(&filter)?;
            print_alert(config, &alert, &notifications)
        }
    }
}

/// CVE ids are upper case in the findings.
fn parse_cve(text: &str) -> Result<String, String> {
    Ok(text.trim().to_ascii_uppercase())
}

/// Whether `partner`'s constituency holds `asset`: its country, and a sector of it when the
/// partner names sectors. `Some(true)` for a sector match, `Some(false)` for a country match.
fn holds(partner: &Partner, asset: &model::Asset) -> Option<bool> {
    if !partner.constituency_countries.contains(&asset.country) {
        return None;
    }
    if partner.constituency_sectors.is_empty() {
        return Some(false);
    }
    asset
        .sectors
        .iter()
        .any(|s| partner.constituency_sectors.contains(s))
        .then_some(true)
}

/// The affected organisation of an asset: its operator, else its owner, else the asset.
fn organisation(asset: &model::Asset) -> String {
    [&asset.operator, &asset.owner]
        .into_iter()
        .find(|o| !o.trim().is_empty())
        .map_or_else(
            || format!("operator of {}", asset.id),
            |o| o.trim().to_owned(),
        )
}

/// The vendor, product and version range of a matched inventory item, for the advisory.
fn product(item: &str, range: Option<&str>, version: Option<&str>) -> AffectedProduct {
    let parsed = intel::matching::Item::parse("0", item).ok();
    let field =
        |f: fn(&intel::matching::Item) -> Option<&String>| parsed.as_ref().and_then(f).cloned();
    AffectedProduct {
        vendor: field(|i| i.vendor.as_ref()).unwrap_or_else(|| "unknown vendor".to_owned()),
        product: field(|i| i.product.as_ref()).unwrap_or_else(|| item.to_owned()),
        versions: range.or(version).unwrap_or("*").to_owned(),
    }
}

/// Builds and stores an alert from the CVE's active findings (see the module documentation);
/// returns it with its drafted notifications.
fn create(
    config: &Config,
    store: &mut Store,
    args: &NewArgs,
) -> anyhow::Result<(Alert, Vec<Notification>)> {
    let findings = super::intel::active_findings(config, store, Some(&args.cve))?;
    build(store, &stix::Validator::new(), args, findings)
}

/// Builds and stores an alert from `findings`, the active findings of `args.cve`, checking
/// its STIX package with `validator`.
pub fn build(
    store: &mut Store,
    validator: &stix::Validator,
    args: &NewArgs,
    mut findings: Vec<ActiveFinding>,
) -> anyhow::Result<(Alert, Vec<Notification>)> {
    if let Some(c) = &args.collection
        && store.collection(c)?.is_none()
    {
        bail!("--collection: unknown collection {c:?}");
    }
    for a in &args.assets {
        if !store.asset_exists(a)? {
            bail!("--asset: unknown asset {a:?}");
        }
    }
    findings.retain(|f| {
        (args.assets.is_empty() || args.assets.contains(&f.asset))
            && (args.findings.is_empty() || args.findings.contains(&f.item))
    });
    for a in &args.assets {
        if !findings.iter().any(|f| &f.asset == a) {
            bail!("--asset: {a} has no active finding of {}", args.cve);
        }
    }
    for item in &args.findings {
        if !findings.iter().any(|f| &f.item == item) {
            bail!("--finding: no active finding of {} from {item:?}", args.cve);
        }
    }
    if findings.is_empty() {
        bail!(
            "no active intel finding of {} (see `meridian intel findings`)",
            args.cve
        );
    }
    let at = match &args.at {
        Some(at) => at.clone(),
        None => super::incident::now(),
    };

    // Routing: every partner holding an affected asset; each organisation's notification goes
    // to the most specific of them.
    let partners = store.partners()?;
    let asset_ids: BTreeSet<&str> = findings.iter().map(|f| f.asset.as_str()).collect();
    let mut routed = BTreeSet::new();
    let mut unrouted = BTreeSet::new();
    let mut drafts: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for id in &asset_ids {
        let asset = store
            .get_asset(id)?
            .with_context(|| format!("asset {id} vanished"))?;
        let mut holders: Vec<(bool, &Partner)> = partners
            .iter()
            .filter_map(|p| Some((holds(p, &asset)?, p)))
            .collect();
        holders.sort_by(|(a_sector, a), (b_sector, b)| {
            b_sector
                .cmp(a_sector)
                .then(a.trust_tier.cmp(&b.trust_tier))
                .then_with(|| a.id.cmp(&b.id))
        });
        let Some((_, responsible)) = holders.first() else {
            unrouted.insert(asset.country);
            continue;
        };
        routed.extend(holders.iter().map(|(_, p)| p.id.clone()));
        drafts
            .entry((organisation(&asset), responsible.id.clone()))
            .or_default()
            .push((*id).to_owned());
    }
    if !unrouted.is_empty() {
        let countries: Vec<String> = unrouted.into_iter().collect();
        tracing::warn!(
            countries = %countries.join(","),
            "affected assets in no partner's constituency: nobody is notified for them"
        );
    }
    let drafts: Vec<NewNotification> = drafts
        .into_iter()
        .map(|((organisation, partner_id), assets)| NewNotification {
            partner_id,
            organisation,
            assets,
            state: NotificationState::Drafted.as_str().to_owned(),
        })
        .collect();

    let mut products: Vec<AffectedProduct> = Vec::new();
    for f in &findings {
        let p = product(&f.item, f.range.as_deref(), f.version.as_deref());
        if !products.contains(&p) {
            products.push(p);
        }
    }
    let vendors: BTreeSet<&str> = products.iter().map(|p| p.vendor.as_str()).collect();
    let vendors: Vec<&str> = vendors.into_iter().collect();
    let title = args.title.clone().unwrap_or_else(|| {
        let names: BTreeSet<String> = products
            .iter()
            .map(|p| format!("{} {}", p.vendor, p.product))
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        format!("{} in {}", args.cve, names.join(", "))
    });
    let id = store.next_alert_id(&at)?;

    let case = CvdCase {
        id: id.clone(),
        case: NewCvdCase {
            title: title.clone(),
            cves: vec![args.cve.clone()],
            reporter: String::new(),
            vendor: vendors.join(", "),
            vendor_country: String::new(),
            vendor_csirt: String::new(),
            products: products.clone(),
            embargo: None,
            tlp: args.tlp,
            remediation: args.remediation.clone(),
            notes: String::new(),
        },
        state: CvdState::Published,
        history: vec![(CvdState::Published, at.clone())],
    };
    let csaf = csaf_advisory(&case, &args.publisher, &at)?;

    let package = exchange::alert::package(&AlertInput {
        alert_id: id.clone(),
        cve: args.cve.clone(),
        title: title.clone(),
        description: format!(
            "{} affects {} asset(s) of the atlas.",
            args.cve,
            asset_ids.len()
        ),
        remediation: args.remediation.clone(),
        tlp: args.tlp,
        created: at.clone(),
        affected_products: products
            .iter()
            .map(|p| format!("{} {} {}", p.vendor, p.product, p.versions))
            .collect(),
        hub: Hub {
            name: args.publisher.clone(),
            created: HUB_CREATED.to_owned(),
        },
    })
    .with_context(|| format!("building the STIX package of {}", args.cve))?;
    let checked = checked_all(validator, &package)?;
    let recipients: Vec<String> = routed.iter().cloned().collect();
    let objects = rows(&checked, &recipients);

    let alert = Alert {
        id,
        cve: args.cve.clone(),
        title,
        tlp: args.tlp,
        remediation: args.remediation.clone(),
        created_at: at,
        collection_id: args.collection.clone(),
        csaf: serde_json::to_string(&csaf).context("serialising the advisory")?,
        stix_ids: checked.iter().map(|c| c.meta.id.clone()).collect(),
        assets: asset_ids.iter().map(|a| (*a).to_owned()).collect(),
        partners: recipients.clone(),
    };
    let notifications = store.add_alert(&alert, &objects, &drafts)?;
    Ok((alert, notifications))
}

/// Validates every object of the hub's own; the error names the first invalid one.
pub fn checked_all(validator: &stix::Validator, objects: &[Value]) -> anyhow::Result<Vec<Checked>> {
    objects
        .iter()
        .map(|o| Checked::new(validator, o).map_err(anyhow::Error::msg))
        .collect()
}

/// The rows to store, addressed to `recipients` (empty: every reader the TLP allows).
pub fn rows<'a>(checked: &'a [Checked], recipients: &'a [String]) -> Vec<NewStixObject<'a>> {
    checked
        .iter()
        .map(|c| c.row(recipients, None, None))
        .collect()
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

fn list(config: &Config) -> anyhow::Result<()> {
    let alerts = config.open_store()?.alerts()?;
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
