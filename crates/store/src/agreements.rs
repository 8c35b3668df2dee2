//! Sharing agreements (tables `agreements`, `agreement_parties`, `agreement_grants`): who shares
//! which collections up to which TLP. The SQL text is the same on both dialects.

use model::Tlp;

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError, collections, partners};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgreementKind {
    Bilateral,
    Multilateral,
}

impl AgreementKind {
    /// The stored name (`bilateral`).
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementKind::Bilateral => "bilateral",
            AgreementKind::Multilateral => "multilateral",
        }
    }

    pub fn parse(name: &str) -> Option<AgreementKind> {
        [AgreementKind::Bilateral, AgreementKind::Multilateral]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// What an agreement allows its parties on one collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionGrant {
    pub collection_id: String,
    pub read: bool,
    pub write: bool,
}

/// A sharing agreement; `id` is a slug. Parties and grants keep their order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    pub id: String,
    pub title: String,
    pub kind: AgreementKind,
    /// Partner ids.
    pub parties: Vec<String>,
    pub highest_tlp: Tlp,
    pub purpose: String,
    pub retention_days: Option<u32>,
    pub grants: Vec<CollectionGrant>,
    pub created_at: String,
}

fn corrupt(message: impl ToString) -> StoreError {
    StoreError::corrupt("agreements", message.to_string())
}

/// Adds an agreement; false (and nothing changed) when the id is taken. A party or collection
/// that is not stored is [`StoreError::UnknownPartner`] / [`StoreError::UnknownCollection`].
/// A party or collection named twice counts once.
pub(crate) fn add(tx: &mut Tx<'_, '_>, a: &Agreement) -> Result<bool> {
    for party in &a.parties {
        if !partners::exists(tx, party)? {
            return Err(StoreError::UnknownPartner(party.clone()));
        }
    }
    for grant in &a.grants {
        if !collections::exists(tx, &grant.collection_id)? {
            return Err(StoreError::UnknownCollection(grant.collection_id.clone()));
        }
    }
    let inserted = db::execute(
        tx,
        "INSERT INTO agreements (id, title, kind, highest_tlp, purpose, retention_days, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        &[
            Param::Text(&a.id),
            Param::Text(&a.title),
            Param::Text(a.kind.as_str()),
            Param::Text(a.highest_tlp.as_str()),
            Param::Text(&a.purpose),
            Param::OptInt(a.retention_days.map(i64::from)),
            Param::Text(&a.created_at),
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    for (position, party) in (0_i64..).zip(&a.parties) {
        db::execute(
            tx,
            "INSERT INTO agreement_parties (agreement_id, partner_id, position) VALUES ($1, $2, $3) \
             ON CONFLICT (agreement_id, partner_id) DO NOTHING",
            &[Param::Text(&a.id), Param::Text(party), Param::Int(position)],
        )?;
    }
    for (position, grant) in (0_i64..).zip(&a.grants) {
        db::execute(
            tx,
            "INSERT INTO agreement_grants (agreement_id, collection_id, can_read, can_write, position) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agreement_id, collection_id) DO NOTHING",
            &[
                Param::Text(&a.id),
                Param::Text(&grant.collection_id),
                Param::Int(i64::from(grant.read)),
                Param::Int(i64::from(grant.write)),
                Param::Int(position),
            ],
        )?;
    }
    Ok(true)
}

const COLUMNS: &str = "SELECT id, title, kind, highest_tlp, purpose, retention_days, created_at \
    FROM agreements";

fn read(r: &dyn Columns) -> Result<Agreement> {
    let kind = r.text(2)?;
    let tlp = r.text(3)?;
    let retention = r
        .opt_int(5)?
        .map(|d| u32::try_from(d).map_err(|_| corrupt(format!("retention {d}"))))
        .transpose()?;
    Ok(Agreement {
        id: r.text(0)?,
        title: r.text(1)?,
        kind: AgreementKind::parse(&kind).ok_or_else(|| corrupt(format!("kind {kind:?}")))?,
        parties: Vec::new(),
        highest_tlp: Tlp::parse(&tlp).ok_or_else(|| corrupt(format!("TLP {tlp:?}")))?,
        purpose: r.text(4)?,
        retention_days: retention,
        grants: Vec::new(),
        created_at: r.text(6)?,
    })
}

/// Fills in the parties and grants of agreements read by [`read`].
fn complete(tx: &mut Tx<'_, '_>, mut agreements: Vec<Agreement>) -> Result<Vec<Agreement>> {
    for a in &mut agreements {
        a.parties = db::query(
            tx,
            "SELECT partner_id FROM agreement_parties WHERE agreement_id = $1 ORDER BY position",
            &[Param::Text(&a.id)],
            |r| r.text(0),
        )?;
        a.grants = db::query(
            tx,
            "SELECT collection_id, can_read, can_write FROM agreement_grants \
             WHERE agreement_id = $1 ORDER BY position",
            &[Param::Text(&a.id)],
            |r| {
                Ok(CollectionGrant {
                    collection_id: r.text(0)?,
                    read: r.int(1)? != 0,
                    write: r.int(2)? != 0,
                })
            },
        )?;
    }
    Ok(agreements)
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<Agreement>> {
    let found = db::query(
        tx,
        &format!("{COLUMNS} WHERE id = $1"),
        &[Param::Text(id)],
        read,
    )?;
    Ok(complete(tx, found)?.pop())
}

/// Every agreement, by id.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Agreement>> {
    let found = db::query(tx, &format!("{COLUMNS} ORDER BY id"), &[], read)?;
    complete(tx, found)
}

/// Every agreement the partner is a party to, by id.
pub(crate) fn of(tx: &mut Tx<'_, '_>, partner_id: &str) -> Result<Vec<Agreement>> {
    let found = db::query(
        tx,
        &format!(
            "{COLUMNS} WHERE id IN \
             (SELECT agreement_id FROM agreement_parties WHERE partner_id = $1) ORDER BY id"
        ),
        &[Param::Text(partner_id)],
        read,
    )?;
    complete(tx, found)
}

/// Removes an agreement with its parties and grants; false when there is none of that id.
pub(crate) fn remove(tx: &mut Tx<'_, '_>, id: &str) -> Result<bool> {
    Ok(db::execute(
        tx,
        "DELETE FROM agreements WHERE id = $1",
        &[Param::Text(id)],
    )? > 0)
}
