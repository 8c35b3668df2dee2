//! Vulnerability intelligence (tables `intel_documents`, `sboms`, `false_positives`): documents
//! kept verbatim, identified by the SHA-256 of their bytes, SBOMs attached to assets, and the
//! analyst's false positives. The SQL text is the same on both dialects.

use crate::db::{self, Param, Tx};
use crate::{Result, StoreError};

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

/// An analyst's verdict that a finding is wrong; kept across re-imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FalsePositive {
    pub asset: String,
    pub cve: String,
    /// The inventory item (product string or SBOM component) it applies to; empty for all of
    /// the asset's items.
    pub item: String,
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

/// Marks (or re-notes) a false positive; true when it is new.
pub(crate) fn mark_false_positive(tx: &mut Tx<'_, '_>, fp: &FalsePositive) -> Result<bool> {
    if !asset_exists(tx, &fp.asset)? {
        return Err(StoreError::UnknownAsset(fp.asset.clone()));
    }
    let params = [
        Param::Text(&fp.asset),
        Param::Text(&fp.cve),
        Param::Text(&fp.item),
        Param::Text(&fp.note),
        Param::Text(&fp.marked_at),
    ];
    let existed = db::query_int(
        tx,
        "SELECT COUNT(*) FROM false_positives WHERE asset_id = $1 AND cve = $2 AND item = $3",
        &params[..3],
    )? > 0;
    db::execute(
        tx,
        "INSERT INTO false_positives (asset_id, cve, item, note, marked_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (asset_id, cve, item) \
         DO UPDATE SET note = excluded.note, marked_at = excluded.marked_at",
        &params,
    )?;
    Ok(!existed)
}

/// Removes the false-positive mark of `asset`, `cve` and `item`; true when there was one.
pub(crate) fn unmark_false_positive(
    tx: &mut Tx<'_, '_>,
    asset: &str,
    cve: &str,
    item: &str,
) -> Result<bool> {
    let removed = db::execute(
        tx,
        "DELETE FROM false_positives WHERE asset_id = $1 AND cve = $2 AND item = $3",
        &[Param::Text(asset), Param::Text(cve), Param::Text(item)],
    )?;
    Ok(removed > 0)
}

/// Every false positive, by asset, CVE and item.
pub(crate) fn false_positives(tx: &mut Tx<'_, '_>) -> Result<Vec<FalsePositive>> {
    db::query(
        tx,
        "SELECT asset_id, cve, item, note, marked_at FROM false_positives \
         ORDER BY asset_id, cve, item",
        &[],
        |r| {
            Ok(FalsePositive {
                asset: r.text(0)?,
                cve: r.text(1)?,
                item: r.text(2)?,
                note: r.text(3)?,
                marked_at: r.text(4)?,
            })
        },
    )
}
