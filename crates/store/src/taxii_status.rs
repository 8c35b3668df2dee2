//! TAXII status resources (table `taxii_status`). The SQL text is the same on both dialects;
//! the lists are JSON arrays of arrays.

use serde_json::{Value, json};

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError};

/// The outcome of one TAXII POST of objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxiiStatus {
    pub id: String,
    pub collection_id: String,
    /// The partner that made the POST: the only one who may read the status (`None` for
    /// statuses stored before migration 0008).
    pub partner_id: Option<String>,
    /// `pending` or `complete`.
    pub status: String,
    pub request_timestamp: String,
    pub total: u64,
    /// (id, version)
    pub successes: Vec<(String, String)>,
    /// (id, version, message)
    pub failures: Vec<(String, String, String)>,
    /// (id, version)
    pub pendings: Vec<(String, String)>,
}

fn corrupt(message: impl ToString) -> StoreError {
    StoreError::corrupt("taxii_status", message.to_string())
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    Value::Array(pairs.iter().map(|(i, v)| json!([i, v])).collect()).to_string()
}

fn decode_pairs(text: &str) -> Result<Vec<(String, String)>> {
    serde_json::from_str(text).map_err(corrupt)
}

fn decode_triples(text: &str) -> Result<Vec<(String, String, String)>> {
    serde_json::from_str(text).map_err(corrupt)
}

/// Stores a status, replacing the one of the same id.
pub(crate) fn save(tx: &mut Tx<'_, '_>, s: &TaxiiStatus) -> Result<()> {
    let failures = Value::Array(
        s.failures
            .iter()
            .map(|(i, v, m)| json!([i, v, m]))
            .collect(),
    )
    .to_string();
    db::execute(
        tx,
        "INSERT INTO taxii_status (id, collection_id, status, request_timestamp, total, successes, \
             failures, pendings, partner_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET collection_id = excluded.collection_id, \
             partner_id = excluded.partner_id, \
             status = excluded.status, request_timestamp = excluded.request_timestamp, \
             total = excluded.total, successes = excluded.successes, \
             failures = excluded.failures, pendings = excluded.pendings",
        &[
            Param::Text(&s.id),
            Param::Text(&s.collection_id),
            Param::Text(&s.status),
            Param::Text(&s.request_timestamp),
            Param::Int(i64::try_from(s.total).map_err(corrupt)?),
            Param::Text(&encode_pairs(&s.successes)),
            Param::Text(&failures),
            Param::Text(&encode_pairs(&s.pendings)),
            Param::OptText(s.partner_id.as_deref()),
        ],
    )?;
    Ok(())
}

fn read(r: &dyn Columns) -> Result<TaxiiStatus> {
    Ok(TaxiiStatus {
        id: r.text(0)?,
        collection_id: r.text(1)?,
        status: r.text(2)?,
        request_timestamp: r.text(3)?,
        total: u64::try_from(r.int(4)?).map_err(corrupt)?,
        successes: decode_pairs(&r.text(5)?)?,
        failures: decode_triples(&r.text(6)?)?,
        pendings: decode_pairs(&r.text(7)?)?,
        partner_id: r.opt_text(8)?,
    })
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<TaxiiStatus>> {
    Ok(db::query(
        tx,
        "SELECT id, collection_id, status, request_timestamp, total, successes, failures, \
             pendings, partner_id FROM taxii_status WHERE id = $1",
        &[Param::Text(id)],
        read,
    )?
    .pop())
}
