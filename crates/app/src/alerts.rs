//! Alerts about a CVE (§4). [`create`] takes the CVE's active Intel findings (the
//! affected assets), routes the alert to every partner whose constituency holds an affected
//! asset (its countries, and its sectors when it names any), publishes the STIX package of
//! `exchange::alert` into a collection with those partners as its named recipients, keeps a
//! CSAF 2.0 advisory built by `cvd`'s exporter (TLP mapped down by `cvd::csaf_tlp`) and
//! drafts one victim notification per affected organisation (the assets' operator, else their
//! owner) to the partner responsible for it: the most specific of the partners holding the
//! asset (a sector match first, then the highest trust tier, then the id).

use std::collections::{BTreeMap, BTreeSet};

use exchange::alert::{AlertInput, Hub};
use exchange::notification::NotificationState;
use serde_json::Value;
use store::{
    AffectedProduct, Alert, CvdCase, CvdState, NewCvdCase, NewNotification, NewStixObject,
    Notification, NotificationFilter, Partner, Store, Tlp,
};

use crate::authz::{Action, authorize};
use crate::cvd::csaf_advisory;
use crate::intel::ActiveFinding;
use crate::sharing::Checked;
use crate::{Actor, Error, Progress, Result};

/// The `created` of the hub's STIX identity: one version shared by every alert package.
const HUB_CREATED: &str = "2020-01-01T00:00:00.000Z";

/// An alert to issue.
#[derive(Clone, Debug)]
pub struct NewAlert {
    /// The CVE id, upper case.
    pub cve: String,
    /// Only findings from these inventory items (product strings or SBOM components).
    pub findings: Vec<String>,
    /// Only findings on these assets.
    pub assets: Vec<String>,
    /// TLP 2.0 label of the package and the notifications (CSAF carries it mapped down).
    pub tlp: Tlp,
    /// The collection to publish the STIX package into (not published without one).
    pub collection: Option<String>,
    pub title: Option<String>,
    /// The fix or workaround (the course of action and the CSAF vendor fix).
    pub remediation: String,
    /// The hub's organisation: the STIX identity and the CSAF publisher.
    pub publisher: String,
    /// When the alert is issued (stored form); default now.
    pub at: Option<String>,
}

/// Builds and stores an alert from the CVE's active findings (see the module documentation);
/// returns it with its drafted notifications. `home`: the installation's home country.
pub fn create(
    store: &mut Store,
    actor: &Actor,
    home: [u8; 2],
    args: &NewAlert,
    progress: &dyn Progress,
) -> Result<(Alert, Vec<Notification>)> {
    authorize(actor, Action::ManageAlerts)?;
    let findings = crate::intel::with_context(store, home, progress, |store, context| {
        crate::intel::active_findings(store, context, Some(&args.cve))
    })?;
    build(store, actor, &stix::Validator::new(), args, findings)
}

/// Every alert.
pub fn list(store: &mut Store) -> Result<Vec<Alert>> {
    Ok(store.alerts()?)
}

/// One alert with its notifications.
pub fn show(store: &mut Store, id: &str) -> Result<(Alert, Vec<Notification>)> {
    let alert = store.alert(id)?.ok_or_else(|| Error::NotFound {
        what: "alert",
        id: id.to_owned(),
    })?;
    let filter = NotificationFilter {
        alert_id: Some(id.to_owned()),
        ..NotificationFilter::default()
    };
    let notifications = store.notifications(&filter)?;
    Ok((alert, notifications))
}

/// The alert's CSAF 2.0 advisory as stored.
pub fn csaf(store: &mut Store, id: &str) -> Result<Value> {
    let (alert, _) = show(store, id)?;
    serde_json::from_str(&alert.csaf)
        .map_err(|e| Error::Conflict(format!("the stored advisory of {id} is not JSON: {e}")))
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

/// Builds and stores an alert from `findings`, the active findings of `args.cve`, checking
/// its STIX package with `validator`.
pub fn build(
    store: &mut Store,
    actor: &Actor,
    validator: &stix::Validator,
    args: &NewAlert,
    mut findings: Vec<ActiveFinding>,
) -> Result<(Alert, Vec<Notification>)> {
    authorize(actor, Action::ManageAlerts)?;
    if let Some(c) = &args.collection
        && store.collection(c)?.is_none()
    {
        return Err(Error::invalid(
            "/collection",
            format!("unknown collection {c:?}"),
        ));
    }
    for a in &args.assets {
        if !store.asset_exists(a)? {
            return Err(Error::invalid("/assets", format!("unknown asset {a:?}")));
        }
    }
    findings.retain(|f| {
        (args.assets.is_empty() || args.assets.contains(&f.asset))
            && (args.findings.is_empty() || args.findings.contains(&f.item))
    });
    for a in &args.assets {
        if !findings.iter().any(|f| &f.asset == a) {
            return Err(Error::invalid(
                "/assets",
                format!("{a} has no active finding of {}", args.cve),
            ));
        }
    }
    for item in &args.findings {
        if !findings.iter().any(|f| &f.item == item) {
            return Err(Error::invalid(
                "/findings",
                format!("no active finding of {} from {item:?}", args.cve),
            ));
        }
    }
    if findings.is_empty() {
        return Err(Error::invalid(
            "/cve",
            format!(
                "no active intel finding of {} (see `meridian intel findings`)",
                args.cve
            ),
        ));
    }
    let at = match &args.at {
        Some(at) => at.clone(),
        None => crate::incidents::now(),
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
            .ok_or_else(|| Error::Conflict(format!("asset {id} vanished")))?;
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
        revisions: Vec::new(),
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
    .map_err(|e| Error::Conflict(format!("building the STIX package of {}: {e}", args.cve)))?;
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
        csaf: csaf.to_string(),
        stix_ids: checked.iter().map(|c| c.meta.id.clone()).collect(),
        assets: asset_ids.iter().map(|a| (*a).to_owned()).collect(),
        partners: recipients.clone(),
    };
    let notifications = crate::audit::audited(
        store,
        actor,
        "alert.add",
        |store| Ok(store.add_alert(&alert, &objects, &drafts)?),
        |notifications| {
            let mut ids = vec![alert.id.clone()];
            ids.extend(alert.stix_ids.iter().cloned());
            ids.extend(notifications.iter().map(|n: &Notification| n.id.clone()));
            (ids, format!("{alert:?}"))
        },
    )?;
    Ok((alert, notifications))
}

/// Validates every object of the hub's own; the error names the first invalid one.
pub fn checked_all(validator: &stix::Validator, objects: &[Value]) -> Result<Vec<Checked>> {
    objects
        .iter()
        .map(|o| {
            Checked::new(validator, o)
                .map_err(|e| Error::Conflict(format!("the hub's own object: {e}")))
        })
        .collect()
}

/// The rows to store, addressed to `recipients` (empty: every reader the TLP allows).
pub fn rows<'a>(checked: &'a [Checked], recipients: &'a [String]) -> Vec<NewStixObject<'a>> {
    checked
        .iter()
        .map(|c| c.row(recipients, None, None))
        .collect()
}
