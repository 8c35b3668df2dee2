//! Alerts and victim notifications (tables `alerts`, `alert_partners`, `notifications`,
//! `notification_history`). The SQL text is the same on both dialects; list-valued fields are
//! JSON text.
//!
//! The store keeps notification states as names and their history in order; which moves are
//! allowed is the caller's rule (`exchange::notification`), handed to
//! [`crate::Store::advance_notification`] so the check and the write share one transaction.

use crate::db::{self, Columns, Param, Tx};
use crate::partners::{decode_list, encode_list};
use crate::stix_objects::{self, NewStixObject};
use crate::{Result, StoreError, assets, collections, partners};
use model::Tlp;

/// An alert about one CVE, with its CSAF 2.0 advisory and the STIX package published for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// `ALERT-YYYY-NNNN` (see [`crate::Store::next_alert_id`]).
    pub id: String,
    pub cve: String,
    pub title: String,
    pub tlp: Tlp,
    pub remediation: String,
    pub created_at: String,
    /// The collection its STIX package was published into.
    pub collection_id: Option<String>,
    /// The CSAF 2.0 advisory, JSON text.
    pub csaf: String,
    /// The ids of the STIX package's objects.
    pub stix_ids: Vec<String>,
    /// The affected assets.
    pub assets: Vec<String>,
    /// The partners it was routed to, by id.
    pub partners: Vec<String>,
}

/// A notification to draft with an alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNotification {
    pub partner_id: String,
    /// The affected organisation (the assets' operator, else their owner).
    pub organisation: String,
    pub assets: Vec<String>,
    /// The first state (`drafted`), reached at the alert's `created_at`.
    pub state: String,
}

/// A victim notification with every state it reached, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// `<alert id>.<n>`.
    pub id: String,
    pub alert_id: String,
    pub partner_id: String,
    pub organisation: String,
    pub assets: Vec<String>,
    pub state: String,
    /// `(state, at)`, in the order reached.
    pub history: Vec<(String, String)>,
}

impl Notification {
    /// When the notification reached `state`, if it did.
    pub fn reached(&self, state: &str) -> Option<&str> {
        self.history
            .iter()
            .find(|(s, _)| s == state)
            .map(|(_, at)| at.as_str())
    }
}

/// Conditions on [`crate::Store::notifications`]; every `Some` must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    pub alert_id: Option<String>,
    pub partner_id: Option<String>,
    pub state: Option<String>,
}

fn corrupt(table: &'static str, message: impl ToString) -> StoreError {
    StoreError::corrupt(table, message.to_string())
}

/// The next free `<prefix>-<year of now>-NNNN` among `table`'s ids (`ALERT`, `INC`).
pub(crate) fn next_id(
    tx: &mut Tx<'_, '_>,
    table: &'static str,
    prefix: &str,
    now: &str,
) -> Result<String> {
    let year = now
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| StoreError::InvalidRecord(format!("timestamp {now:?} has no year")))?;
    let prefix = format!("{prefix}-{year}-");
    let taken = db::query(
        tx,
        &format!("SELECT id FROM {table} WHERE id LIKE $1"),
        &[Param::Text(&format!("{prefix}%"))],
        |r| r.text(0),
    )?;
    let last = taken
        .iter()
        .filter_map(|id| id.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}{:04}", last + 1))
}

/// Every asset id of `ids` that is not stored fails with [`StoreError::UnknownAsset`].
pub(crate) fn check_assets(tx: &mut Tx<'_, '_>, ids: &[String]) -> Result<()> {
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let found = assets::idx_by_ids(tx, &refs)?;
    match ids.iter().find(|id| !found.contains_key(id.as_str())) {
        Some(missing) => Err(StoreError::UnknownAsset(missing.clone())),
        None => Ok(()),
    }
}

fn check_partner(tx: &mut Tx<'_, '_>, id: &str) -> Result<()> {
    if partners::exists(tx, id)? {
        Ok(())
    } else {
        Err(StoreError::UnknownPartner(id.to_owned()))
    }
}

pub(crate) fn add(
    tx: &mut Tx<'_, '_>,
    alert: &Alert,
    objects: &[NewStixObject<'_>],
    drafts: &[NewNotification],
) -> Result<Vec<Notification>> {
    if get(tx, &alert.id)?.is_some() {
        return Err(StoreError::InvalidRecord(format!(
            "alert {} exists already",
            alert.id
        )));
    }
    check_assets(tx, &alert.assets)?;
    for p in alert
        .partners
        .iter()
        .chain(drafts.iter().map(|d| &d.partner_id))
    {
        check_partner(tx, p)?;
    }
    if let Some(c) = &alert.collection_id
        && !collections::exists(tx, c)?
    {
        return Err(StoreError::UnknownCollection(c.clone()));
    }
    db::execute(
        tx,
        "INSERT INTO alerts (id, cve, title, tlp, remediation, created_at, collection_id, csaf, \
             stix_ids, assets) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            Param::Text(&alert.id),
            Param::Text(&alert.cve),
            Param::Text(&alert.title),
            Param::Text(alert.tlp.as_str()),
            Param::Text(&alert.remediation),
            Param::Text(&alert.created_at),
            Param::OptText(alert.collection_id.as_deref()),
            Param::Text(&alert.csaf),
            Param::Text(&encode_list(&alert.stix_ids)),
            Param::Text(&encode_list(&alert.assets)),
        ],
    )?;
    for p in &alert.partners {
        db::execute(
            tx,
            "INSERT INTO alert_partners (alert_id, partner_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
            &[Param::Text(&alert.id), Param::Text(p)],
        )?;
    }
    if let Some(c) = &alert.collection_id {
        stix_objects::add(tx, c, objects)?;
    }
    let mut ids = Vec::with_capacity(drafts.len());
    for (n, d) in drafts.iter().enumerate() {
        check_assets(tx, &d.assets)?;
        let id = format!("{}.{}", alert.id, n + 1);
        db::execute(
            tx,
            "INSERT INTO notifications (id, alert_id, partner_id, organisation, assets, state) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Param::Text(&id),
                Param::Text(&alert.id),
                Param::Text(&d.partner_id),
                Param::Text(&d.organisation),
                Param::Text(&encode_list(&d.assets)),
                Param::Text(&d.state),
            ],
        )?;
        record(tx, &id, 0, &d.state, &alert.created_at)?;
        ids.push(id);
    }
    let filter = NotificationFilter {
        alert_id: Some(alert.id.clone()),
        ..NotificationFilter::default()
    };
    select_notifications(tx, &filter, None)
}

fn record(tx: &mut Tx<'_, '_>, id: &str, position: i64, state: &str, at: &str) -> Result<()> {
    db::execute(
        tx,
        "INSERT INTO notification_history (notification_id, position, state, at) \
         VALUES ($1, $2, $3, $4)",
        &[
            Param::Text(id),
            Param::Int(position),
            Param::Text(state),
            Param::Text(at),
        ],
    )?;
    Ok(())
}

const ALERT_COLUMNS: &str = "SELECT id, cve, title, tlp, remediation, created_at, collection_id, \
                             csaf, stix_ids, assets FROM alerts";

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<Alert>> {
    let mut found = db::query(
        tx,
        &format!("{ALERT_COLUMNS} WHERE id = $1"),
        &[Param::Text(id)],
        read_alert,
    )?;
    for a in &mut found {
        a.partners = alert_partners(tx, &a.id)?;
    }
    Ok(found.pop())
}

/// Every alert, by id.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Alert>> {
    let mut all = db::query(tx, &format!("{ALERT_COLUMNS} ORDER BY id"), &[], read_alert)?;
    for a in &mut all {
        a.partners = alert_partners(tx, &a.id)?;
    }
    Ok(all)
}

fn alert_partners(tx: &mut Tx<'_, '_>, id: &str) -> Result<Vec<String>> {
    db::query(
        tx,
        "SELECT partner_id FROM alert_partners WHERE alert_id = $1 ORDER BY partner_id",
        &[Param::Text(id)],
        |r| r.text(0),
    )
}

fn read_alert(r: &dyn Columns) -> Result<Alert> {
    let tlp = r.text(3)?;
    Ok(Alert {
        id: r.text(0)?,
        cve: r.text(1)?,
        title: r.text(2)?,
        tlp: Tlp::parse(&tlp).ok_or_else(|| corrupt("alerts", format!("unknown TLP {tlp:?}")))?,
        remediation: r.text(4)?,
        created_at: r.text(5)?,
        collection_id: r.opt_text(6)?,
        csaf: r.text(7)?,
        stix_ids: decode_list("alerts", &r.text(8)?)?,
        assets: decode_list("alerts", &r.text(9)?)?,
        partners: Vec::new(),
    })
}

/// Notifications matching `filter` (or the one of id `only`), by alert and number.
pub(crate) fn select_notifications(
    tx: &mut Tx<'_, '_>,
    filter: &NotificationFilter,
    only: Option<&str>,
) -> Result<Vec<Notification>> {
    let mut sql = "SELECT id, alert_id, partner_id, organisation, assets, state \
                   FROM notifications WHERE 1 = 1"
        .to_owned();
    let mut params = Vec::new();
    let conditions = [
        ("id", only),
        ("alert_id", filter.alert_id.as_deref()),
        ("partner_id", filter.partner_id.as_deref()),
        ("state", filter.state.as_deref()),
    ];
    for (column, value) in conditions {
        if let Some(v) = value {
            params.push(Param::Text(v));
            sql.push_str(&format!(" AND {column} = ${}", params.len()));
        }
    }
    let mut found = db::query(tx, &sql, &params, |r| {
        Ok(Notification {
            id: r.text(0)?,
            alert_id: r.text(1)?,
            partner_id: r.text(2)?,
            organisation: r.text(3)?,
            assets: decode_list("notifications", &r.text(4)?)?,
            state: r.text(5)?,
            history: Vec::new(),
        })
    })?;
    for n in &mut found {
        n.history = db::query(
            tx,
            "SELECT state, at FROM notification_history WHERE notification_id = $1 \
             ORDER BY position",
            &[Param::Text(&n.id)],
            |r| Ok((r.text(0)?, r.text(1)?)),
        )?;
    }
    found.sort_by_cached_key(|n| (n.alert_id.clone(), number(&n.id)));
    Ok(found)
}

/// The `n` of `<alert id>.<n>`.
fn number(id: &str) -> u64 {
    id.rsplit_once('.')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0)
}

pub(crate) fn advance(
    tx: &mut Tx<'_, '_>,
    id: &str,
    to: &str,
    at: &str,
    allowed: &dyn Fn(&str, &str) -> bool,
) -> Result<Notification> {
    let n = select_notifications(tx, &NotificationFilter::default(), Some(id))?
        .pop()
        .ok_or_else(|| StoreError::UnknownNotification(id.to_owned()))?;
    if !allowed(&n.state, to) {
        return Err(StoreError::NotificationTransition {
            id: id.to_owned(),
            from: n.state,
            to: to.to_owned(),
        });
    }
    if let Some((state, last)) = n.history.last()
        && at < last.as_str()
    {
        return Err(StoreError::InvalidRecord(format!(
            "notification {id}: {to} at {at} would precede {state} at {last}"
        )));
    }
    db::execute(
        tx,
        "UPDATE notifications SET state = $1 WHERE id = $2",
        &[Param::Text(to), Param::Text(id)],
    )?;
    record(tx, id, n.history.len() as i64, to, at)?;
    select_notifications(tx, &NotificationFilter::default(), Some(id))?
        .pop()
        .ok_or_else(|| corrupt("notifications", format!("{id} vanished after update")))
}
