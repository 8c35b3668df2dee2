//! Incident reports and sightings, cyber and physical, linked to assets (tables `incidents`,
//! `incident_assets`). The SQL text is the same on both dialects.

use crate::alerts::{check_assets, next_id};
use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError, meta, partners};
use model::{IncidentKind, IncidentReport};

/// A stored incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// `INC-YYYY-NNNN`, the year of `reported_at`.
    pub id: String,
    pub report: IncidentReport,
}

fn corrupt(message: impl ToString) -> StoreError {
    StoreError::corrupt("incidents", message.to_string())
}

fn validate(i: &IncidentReport) -> Result<()> {
    let invalid = |m: String| Err(StoreError::InvalidRecord(m));
    if !(1..=5).contains(&i.severity) {
        return invalid(format!("severity {} is not in 1..=5", i.severity));
    }
    if i.category.trim().is_empty() {
        return invalid("the category is empty".to_owned());
    }
    if i.assets.is_empty() {
        return invalid("an incident names at least one asset".to_owned());
    }
    if i.occurred_at.is_empty() || i.reported_at.is_empty() {
        return invalid("occurred_at and reported_at are required".to_owned());
    }
    Ok(())
}

/// Stores incidents in input order; one with a `stix_id` already stored is skipped. Returns
/// each one's id and whether it is new.
pub(crate) fn add(
    tx: &mut Tx<'_, '_>,
    incidents: &[IncidentReport],
) -> Result<Vec<(String, bool)>> {
    let mut out = Vec::with_capacity(incidents.len());
    for i in incidents {
        validate(i)?;
        if let Some(stix_id) = &i.stix_id {
            let known = db::query(
                tx,
                "SELECT id FROM incidents WHERE stix_id = $1",
                &[Param::Text(stix_id)],
                |r| r.text(0),
            )?;
            if let Some(id) = known.into_iter().next() {
                out.push((id, false));
                continue;
            }
        }
        if let Some(p) = &i.partner_id
            && !partners::exists(tx, p)?
        {
            return Err(StoreError::UnknownPartner(p.clone()));
        }
        check_assets(tx, &i.assets)?;
        let id = next_id(tx, "incidents", "INC", &i.reported_at)?;
        db::execute(
            tx,
            "INSERT INTO incidents (id, partner_id, reporter, kind, category, description, \
                 occurred_at, reported_at, stix_id, severity) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                Param::Text(&id),
                Param::OptText(i.partner_id.as_deref()),
                Param::Text(&i.reporter),
                Param::Text(i.kind.as_str()),
                Param::Text(&i.category),
                Param::Text(&i.description),
                Param::Text(&i.occurred_at),
                Param::Text(&i.reported_at),
                Param::OptText(i.stix_id.as_deref()),
                Param::Int(i64::from(i.severity)),
            ],
        )?;
        for a in &i.assets {
            db::execute(
                tx,
                "INSERT INTO incident_assets (incident_id, asset_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                &[Param::Text(&id), Param::Text(a)],
            )?;
        }
        out.push((id, true));
    }
    if out.iter().any(|(_, new)| *new) {
        meta::bump_intel_version(tx)?;
    }
    Ok(out)
}

/// Every incident, by id.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Incident>> {
    let mut all = db::query(
        tx,
        "SELECT id, partner_id, reporter, kind, category, description, occurred_at, \
             reported_at, stix_id, severity FROM incidents ORDER BY id",
        &[],
        read_incident,
    )?;
    for i in &mut all {
        i.report.assets = db::query(
            tx,
            "SELECT asset_id FROM incident_assets WHERE incident_id = $1 ORDER BY asset_id",
            &[Param::Text(&i.id)],
            |r| r.text(0),
        )?;
    }
    Ok(all)
}

fn read_incident(r: &dyn Columns) -> Result<Incident> {
    let kind = r.text(3)?;
    let severity = r.int(9)?;
    Ok(Incident {
        id: r.text(0)?,
        report: IncidentReport {
            partner_id: r.opt_text(1)?,
            reporter: r.text(2)?,
            kind: IncidentKind::parse(&kind)
                .ok_or_else(|| corrupt(format!("unknown kind {kind:?}")))?,
            category: r.text(4)?,
            description: r.text(5)?,
            occurred_at: r.text(6)?,
            reported_at: r.text(7)?,
            stix_id: r.opt_text(8)?,
            severity: u8::try_from(severity)
                .map_err(|_| corrupt(format!("severity {severity} out of range")))?,
            assets: Vec::new(),
        },
    })
}
