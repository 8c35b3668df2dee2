//! Vulnerability intelligence (tables `intel_documents`, `sboms`, `finding_marks`): documents
//! kept verbatim, identified by the SHA-256 of their bytes, SBOMs attached to assets, and the
//! analyst's verdicts on findings (false positive, confirmed). The SQL text is the same on both dialects.

use crate::db::{self, Param, Tx};
use crate::{Result, StoreError, meta};

/// A stored document's provenance (its body is read by [`crate::Store::intel_documents_with_bodies`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntelDocument {
    pub id: i64,
    /// `kev`, `cve`, `epss`, `csaf`, `cyclonedx`, `spdx` or `openvex`.
    pub kind: String,
    /// File path or URL it was imported from (the first one, for bytes imported twice).
    pub source: String,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    pub imported_at: String,
}

/// A document to store; the caller has validated it.
#[derive(Clone, Copy, Debug)]
pub struct IntelImport<'a> {
    pub kind: &'a str,
    pub source: &'a str,
    pub sha256: &'a str,
    pub body: &'a str,
    /// Attach the document (an SBOM) to this asset, which must exist.
    pub asset: Option<&'a str>,
}

/// What storing one [`IntelImport`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntelImported {
    pub id: i64,
    /// False when the same bytes were stored already ("unchanged").
    pub created: bool,
    /// True when the document was newly attached to the asset.
    pub attached: bool,
}

/// The product strings (purl, CPE, `vendor:product:version`) of one asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetProducts {
    pub id: String,
    pub products: Vec<String>,
}

/// What an analyst says of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The finding is wrong: it is hidden.
    FalsePositive,
    /// The finding holds: a candidate (a match that checked no version) becomes a finding.
    Confirmed,
}

impl Verdict {
    /// `false_positive` or `confirmed`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::FalsePositive => "false_positive",
            Verdict::Confirmed => "confirmed",
        }
    }

    fn from_stored(s: &str) -> Result<Verdict> {
        [Verdict::FalsePositive, Verdict::Confirmed]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| StoreError::corrupt("finding_marks", format!("unknown verdict {s:?}")))
    }
}

/// An analyst's verdict on a finding; kept across re-imports. One per (asset, CVE, item).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingMark {
    pub asset: String,
    pub cve: String,
    /// The inventory item (product string or SBOM component) it applies to; empty for all of
    /// the asset's items.
    pub item: String,
    pub verdict: Verdict,
    pub note: String,
    pub marked_at: String,
}

const DOCUMENT_COLUMNS: &str = "id, kind, source, sha256, imported_at";

fn decode_document(r: &dyn db::Columns) -> Result<IntelDocument> {
    Ok(IntelDocument {
        id: r.int(0)?,
        kind: r.text(1)?,
        source: r.text(2)?,
        sha256: r.text(3)?,
        imported_at: r.text(4)?,
    })
}

fn asset_exists(tx: &mut Tx<'_, '_>, id: &str) -> Result<bool> {
    Ok(db::query_int(
        tx,
        "SELECT COUNT(*) FROM assets WHERE id = $1",
        &[Param::Text(id)],
    )? > 0)
}

/// Stores each document unless the same bytes are stored already, and attaches SBOMs.
pub(crate) fn import(
    tx: &mut Tx<'_, '_>,
    documents: &[IntelImport<'_>],
    now: &str,
) -> Result<Vec<IntelImported>> {
    let mut out = Vec::with_capacity(documents.len());
    for d in documents {
        let inserted = db::query(
            tx,
            "INSERT INTO intel_documents (kind, source, sha256, imported_at, body) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING RETURNING id",
            &[
                Param::Text(d.kind),
                Param::Text(d.source),
                Param::Text(d.sha256),
                Param::Text(now),
                Param::Text(d.body),
            ],
            |r| r.int(0),
        )?;
        let (id, created) = match inserted.first() {
            Some(&id) => (id, true),
            None => (
                db::query_int(
                    tx,
                    "SELECT id FROM intel_documents WHERE sha256 = $1",
                    &[Param::Text(d.sha256)],
                )?,
                false,
            ),
        };
        let attached = match d.asset {
            None => false,
            Some(asset) => {
                if !asset_exists(tx, asset)? {
                    return Err(StoreError::UnknownAsset(asset.to_owned()));
                }
                db::execute(
                    tx,
                    "INSERT INTO sboms (asset_id, document_id, attached_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (asset_id, document_id) DO NOTHING",
                    &[Param::Text(asset), Param::Int(id), Param::Text(now)],
                )? > 0
            }
        };
        out.push(IntelImported {
            id,
            created,
            attached,
        });
    }
    if out.iter().any(|i| i.created || i.attached) {
        meta::bump_intel_version(tx)?;
    }
    Ok(out)
}

/// Every stored document (without its body), oldest first.
pub(crate) fn documents(tx: &mut Tx<'_, '_>) -> Result<Vec<IntelDocument>> {
    db::query(
        tx,
        &format!("SELECT {DOCUMENT_COLUMNS} FROM intel_documents ORDER BY id"),
        &[],
        decode_document,
    )
}

/// Every stored document with its body, oldest first.
pub(crate) fn documents_with_bodies(tx: &mut Tx<'_, '_>) -> Result<Vec<(IntelDocument, String)>> {
    db::query(
        tx,
        &format!("SELECT {DOCUMENT_COLUMNS}, body FROM intel_documents ORDER BY id"),
        &[],
        |r| Ok((decode_document(r)?, r.text(5)?)),
    )
}

/// One stored document with its body.
pub(crate) fn document_with_body(
    tx: &mut Tx<'_, '_>,
    id: i64,
) -> Result<Option<(IntelDocument, String)>> {
    Ok(db::query(
        tx,
        &format!("SELECT {DOCUMENT_COLUMNS}, body FROM intel_documents WHERE id = $1"),
        &[Param::Int(id)],
        |r| Ok((decode_document(r)?, r.text(5)?)),
    )?
    .pop())
}

/// Every stored document of one kind with its body, oldest first.
pub(crate) fn documents_of_kind(
    tx: &mut Tx<'_, '_>,
    kind: &str,
) -> Result<Vec<(IntelDocument, String)>> {
    db::query(
        tx,
        &format!(
            "SELECT {DOCUMENT_COLUMNS}, body FROM intel_documents WHERE kind = $1 ORDER BY id"
        ),
        &[Param::Text(kind)],
        |r| Ok((decode_document(r)?, r.text(5)?)),
    )
}

/// `(asset id, document id)` of every attached SBOM, by asset then document.
pub(crate) fn sboms(tx: &mut Tx<'_, '_>) -> Result<Vec<(String, i64)>> {
    db::query(
        tx,
        "SELECT asset_id, document_id FROM sboms ORDER BY asset_id, document_id",
        &[],
        |r| Ok((r.text(0)?, r.int(1)?)),
    )
}

/// The product strings of every asset that lists some (or of the one asset `only`), by id.
pub(crate) fn asset_products(
    tx: &mut Tx<'_, '_>,
    only: Option<&str>,
) -> Result<Vec<AssetProducts>> {
    let decode = |r: &dyn db::Columns| {
        let id = r.text(0)?;
        let products: Vec<String> = serde_json::from_str(&r.text(1)?)
            .map_err(|e| StoreError::corrupt("assets", format!("{id}: products: {e}")))?;
        Ok(AssetProducts { id, products })
    };
    match only {
        Some(id) => db::query(
            tx,
            "SELECT id, products FROM assets WHERE id = $1",
            &[Param::Text(id)],
            decode,
        ),
        None => db::query(
            tx,
            "SELECT id, products FROM assets WHERE products <> '[]' ORDER BY id",
            &[],
            decode,
        ),
    }
}

/// Stores (or re-notes) a verdict, replacing another verdict on the same finding; true when
/// the finding had no mark with this verdict.
pub(crate) fn mark_finding(tx: &mut Tx<'_, '_>, mark: &FindingMark) -> Result<bool> {
    if !asset_exists(tx, &mark.asset)? {
        return Err(StoreError::UnknownAsset(mark.asset.clone()));
    }
    let params = [
        Param::Text(&mark.asset),
        Param::Text(&mark.cve),
        Param::Text(&mark.item),
        Param::Text(mark.verdict.as_str()),
        Param::Text(&mark.note),
        Param::Text(&mark.marked_at),
    ];
    let existed = db::query_int(
        tx,
        "SELECT COUNT(*) FROM finding_marks \
         WHERE asset_id = $1 AND cve = $2 AND item = $3 AND verdict = $4",
        &params[..4],
    )? > 0;
    db::execute(
        tx,
        "INSERT INTO finding_marks (asset_id, cve, item, verdict, note, marked_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (asset_id, cve, item) \
         DO UPDATE SET verdict = excluded.verdict, note = excluded.note, \
         marked_at = excluded.marked_at",
        &params,
    )?;
    meta::bump_intel_version(tx)?;
    Ok(!existed)
}

/// Removes the `verdict` mark of `asset`, `cve` and `item`; true when there was one.
pub(crate) fn unmark_finding(
    tx: &mut Tx<'_, '_>,
    asset: &str,
    cve: &str,
    item: &str,
    verdict: Verdict,
) -> Result<bool> {
    let removed = db::execute(
        tx,
        "DELETE FROM finding_marks \
         WHERE asset_id = $1 AND cve = $2 AND item = $3 AND verdict = $4",
        &[
            Param::Text(asset),
            Param::Text(cve),
            Param::Text(item),
            Param::Text(verdict.as_str()),
        ],
    )?;
    if removed > 0 {
        meta::bump_intel_version(tx)?;
    }
    Ok(removed > 0)
}

/// Every verdict, by asset, CVE and item.
pub(crate) fn finding_marks(tx: &mut Tx<'_, '_>) -> Result<Vec<FindingMark>> {
    db::query(
        tx,
        "SELECT asset_id, cve, item, verdict, note, marked_at FROM finding_marks \
         ORDER BY asset_id, cve, item",
        &[],
        |r| {
            Ok(FindingMark {
                asset: r.text(0)?,
                cve: r.text(1)?,
                item: r.text(2)?,
                verdict: Verdict::from_stored(&r.text(3)?)?,
                note: r.text(4)?,
                marked_at: r.text(5)?,
            })
        },
    )
}
