//! Incident reports, cyber and physical, linked to assets (§4). They raise the threat
//! component of the assets they name in the priority ranking ([`threat_scores`]), and a cyber
//! incident or sighting makes SSVC Exploitation at least `active` for the findings on its
//! assets ([`attacked_assets`]).

use std::collections::{HashMap, HashSet};

use exchange::incident::{Context, parse, timestamp};
use store::{Incident, IncidentKind, IncidentReport, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::audit::audited;
use crate::authz::{Action, authorize};
use crate::{Actor, Error, Problem, Result};

/// One incident reported by a partner, recorded by hand.
#[derive(Clone, Debug)]
pub struct NewIncident {
    /// The reporting partner CSIRT.
    pub partner: String,
    pub assets: Vec<String>,
    pub kind: IncidentKind,
    /// ransomware, intrusion, sabotage, explosive-device, natural-hazard, …
    pub category: String,
    /// When it happened, in the stored form (see [`parse_time`]).
    pub occurred_at: String,
    /// 1 (lowest) to 5.
    pub severity: u8,
    pub description: String,
}

/// An incident id and whether this call stored it (false: the same STIX id was stored before).
pub type Added = (String, bool);

/// A timestamp (RFC 3339 or `YYYY-MM-DD`) in the stored form.
pub fn parse_time(text: &str) -> std::result::Result<String, String> {
    timestamp(text)
        .ok_or_else(|| format!("{text:?} is neither an RFC 3339 timestamp nor a YYYY-MM-DD date"))
}

/// The current time in the stored form (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
pub fn now() -> String {
    timestamp(&crate::now()).expect("the current time is RFC 3339")
}

fn known_partner(store: &mut Store, pointer: &str, id: &str) -> Result<()> {
    if store.partner(id)?.is_none() {
        return Err(Error::invalid(pointer, format!("unknown partner {id:?}")));
    }
    Ok(())
}

/// Records one incident.
pub fn add(store: &mut Store, actor: &Actor, new: NewIncident) -> Result<Vec<Added>> {
    authorize(actor, Action::ManageIncidents)?;
    known_partner(store, "/partner", &new.partner)?;
    if new.assets.is_empty() {
        return Err(Error::invalid("/assets", "names no asset"));
    }
    if new.category.trim().is_empty() {
        return Err(Error::invalid("/category", "missing"));
    }
    if !(1..=5).contains(&new.severity) {
        return Err(Error::invalid(
            "/severity",
            format!("{}: expected 1 (lowest) to 5", new.severity),
        ));
    }
    let occurred_at =
        parse_time(&new.occurred_at).map_err(|e| Error::invalid("/occurred_at", e))?;
    let report = IncidentReport {
        partner_id: Some(new.partner.clone()),
        reporter: new.partner,
        kind: new.kind,
        category: new.category.trim().to_owned(),
        description: new.description,
        occurred_at,
        reported_at: now(),
        stix_id: None,
        severity: new.severity,
        assets: new.assets,
    };
    store_reports(store, actor, std::slice::from_ref(&report)).map_err(|e| match e {
        Error::Store(StoreError::UnknownAsset(id)) => {
            Error::invalid("/assets", format!("unknown asset {id:?}"))
        }
        e => e,
    })
}

/// Stores reports and their audit entry in one transaction.
fn store_reports(
    store: &mut Store,
    actor: &Actor,
    reports: &[IncidentReport],
) -> Result<Vec<Added>> {
    audited(
        store,
        actor,
        "incident.add",
        |store| Ok(store.add_incidents(reports)?),
        |added| {
            (
                added.iter().map(|(id, _)| id.clone()).collect(),
                format!("{reports:?}"),
            )
        },
    )
}

/// Imports incident reports from `bytes` (the file `name`), all or nothing: a STIX 2.1 bundle
/// (`incident` and `sighting` objects linked to assets by `x_meridian_asset_ids` or
/// relationships to the atlas STIX export's infrastructure ids) or the simple JSON form.
/// Objects imported before (same STIX id) are left as they are.
pub fn import(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    bytes: &[u8],
    partner: Option<&str>,
) -> Result<Vec<Added>> {
    authorize(actor, Action::ManageIncidents)?;
    if let Some(p) = partner {
        known_partner(store, "/partner", p)?;
    }
    // Asset ids and the atlas STIX export's infrastructure ids, both to the asset id.
    let mut known: HashMap<String, String> = HashMap::new();
    for asset in store.export_atlas()?.assets {
        known.insert(interchange::infrastructure_id(&asset.id), asset.id.clone());
        known.insert(asset.id.clone(), asset.id);
    }
    let resolve = |id: &str| known.get(id).cloned();
    let reported_at = now();
    let validator = stix::Validator::new();
    let cx = Context {
        partner,
        reported_at: &reported_at,
        resolve: &resolve,
        validator: Some(&validator),
    };
    let reports = parse(bytes, &cx).map_err(|errors| {
        Error::Invalid(
            errors
                .iter()
                .map(|e| Problem {
                    pointer: name.to_owned(),
                    message: e.to_string(),
                })
                .collect(),
        )
    })?;
    let partners: HashSet<String> = store.partners()?.into_iter().map(|p| p.id).collect();
    if let Some((i, r)) = reports
        .iter()
        .enumerate()
        .find(|(_, r)| r.partner_id.as_ref().is_some_and(|p| !partners.contains(p)))
    {
        return Err(Error::invalid(
            name,
            format!(
                "[{i}].partner: unknown partner {:?}, nothing imported",
                r.partner_id.as_deref().unwrap_or_default()
            ),
        ));
    }
    store_reports(store, actor, &reports).map_err(|e| match e {
        Error::Store(e) if e.is_user_error() => {
            Error::invalid(name, format!("{e}; nothing imported"))
        }
        e => e,
    })
}

/// The reports in `body` (the simple JSON form or a STIX 2.1 bundle), submitted by the actor's
/// partner at `reported_at`. Atlas STIX ids (`infrastructure--…`) are not resolved for
/// partners and are refused; each problem is located by a JSON pointer (a syntax error by line
/// and column).
pub fn parse_reports(
    actor: &Actor,
    body: &[u8],
    reported_at: &str,
    validator: &stix::Validator,
) -> Result<Vec<IncidentReport>> {
    let partner = actor.partner();
    let resolve = |id: &str| (!id.starts_with("infrastructure--")).then(|| id.to_owned());
    let cx = Context {
        partner,
        reported_at,
        resolve: &resolve,
        validator: Some(validator),
    };
    parse(body, &cx).map_err(|errors| {
        Error::Invalid(
            errors
                .into_iter()
                .map(|e| match e.path.starts_with('[') {
                    true => Problem {
                        pointer: crate::json_pointer(&e.path),
                        message: e.message,
                    },
                    false => Problem {
                        pointer: String::new(),
                        message: format!("{}: {}", e.path, e.message),
                    },
                })
                .collect(),
        )
    })
}

/// A partner files incident reports. They feed the ranking's threat score, so filing is
/// limited: only a partner with a sharing agreement granting write on at least one collection
/// may file ([`Error::Forbidden`]), the same trust that lets it publish objects; and a report
/// may name only assets in the partner's constituency (an asset's country among its
/// `constituency_countries`, or its own country when it lists none). An asset that does not
/// exist and one outside the constituency get the same message, so the answer does not tell
/// whether an id exists. All or nothing.
pub fn report(store: &mut Store, actor: &Actor, reports: &[IncidentReport]) -> Result<Vec<Added>> {
    authorize(actor, Action::ReportIncidents)?;
    let Some(partner_id) = actor.partner() else {
        return Err(Error::Forbidden(format!(
            "{} is not a partner; this is for partner CSIRTs",
            actor.audit_name()
        )));
    };
    let release = crate::sharing::Release::load(store, partner_id)?;
    if !store
        .collections()?
        .iter()
        .any(|c| release.can_write(&c.id))
    {
        return Err(Error::Forbidden(format!(
            "{partner_id} may not report incidents: no sharing agreement grants it write on a collection"
        )));
    }
    let constituency: Vec<String> = match store.partner(partner_id)? {
        Some(p) if !p.constituency_countries.is_empty() => p.constituency_countries,
        Some(p) => vec![p.country],
        None => Vec::new(),
    };
    let mut named: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.assets.iter().map(String::as_str))
        .collect();
    named.sort_unstable();
    named.dedup();
    let countries = store.asset_countries(&named)?;
    let problems: Vec<Problem> = reports
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.assets.iter().map(move |a| (i, a)))
        .filter(|(_, a)| {
            !countries
                .get(a.as_str())
                .is_some_and(|c| constituency.contains(c))
        })
        .map(|(i, a)| Problem {
            pointer: format!("/{i}/assets"),
            message: format!("{a:?} is not an asset of your constituency"),
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    store_reports(store, actor, reports)
}

/// Every incident, newest first; with `asset`, only those naming it.
pub fn list(store: &mut Store, asset: Option<&str>) -> Result<Vec<Incident>> {
    let mut all = store.incidents()?;
    all.retain(|i| asset.is_none_or(|a| i.report.assets.iter().any(|x| x == a)));
    all.sort_by(|a, b| b.report.occurred_at.cmp(&a.report.occurred_at));
    Ok(all)
}

// ---------------------------------------------------------------------------------------------
// Threat.

/// Half-life of an incident's weight in the threat score.
pub const THREAT_HALF_LIFE_DAYS: f64 = 90.0;

/// Per asset id, the threat component of the priority ranking (§2.4), in [0, 1):
///
/// `threat = 1 − Π_i (1 − s_i / 5 · 2^(−age_i / 90 days))`
///
/// over the incidents and sightings naming the asset, where `s_i` is the severity (1..5) and
/// `age_i` the time since the incident occurred at `now` (0 for one dated in the future). Each
/// incident is an independent chance that the asset is under threat, worth its severity's share
/// of certainty and halving every 90 days; cyber and physical count alike. Assets without
/// incidents are absent (threat 0).
pub fn threat_scores(incidents: &[Incident], now: OffsetDateTime) -> HashMap<String, f64> {
    let mut spared = HashMap::<String, f64>::new();
    for i in incidents {
        let Ok(at) = OffsetDateTime::parse(&i.report.occurred_at, &Rfc3339) else {
            tracing::warn!(incident = %i.id, "unreadable occurred_at; left out of the threat");
            continue;
        };
        let age_days = ((now - at).as_seconds_f64() / 86_400.0).max(0.0);
        let weight = f64::from(i.report.severity.clamp(1, 5)) / 5.0
            * 0.5f64.powf(age_days / THREAT_HALF_LIFE_DAYS);
        for a in &i.report.assets {
            *spared.entry(a.clone()).or_insert(1.0) *= 1.0 - weight;
        }
    }
    spared.into_iter().map(|(a, s)| (a, 1.0 - s)).collect()
}

/// The threat scores of the stored incidents now.
pub fn stored_threat_scores(store: &mut Store) -> Result<HashMap<String, f64>> {
    Ok(threat_scores(
        &store.incidents()?,
        OffsetDateTime::now_utc(),
    ))
}

/// Assets with a cyber incident or sighting: SSVC Exploitation is at least `active` for the
/// findings on them (physical events are threat, not exploitation of a vulnerability).
pub fn attacked_assets(incidents: &[Incident]) -> HashSet<String> {
    incidents
        .iter()
        .filter(|i| i.report.kind == IncidentKind::Cyber)
        .flat_map(|i| i.report.assets.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests;
