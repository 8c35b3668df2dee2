//! Partner CSIRTs and their API tokens (tables `partners`, `partner_tokens`). The SQL text is the
//! same on both dialects; list-valued fields are JSON text, flags 0/1.

use crate::db::{self, Columns, Param, Tx};
use crate::{Result, StoreError};

/// A partner organisation (a CSIRT); `id` is a lowercase slug, also its HTTP Basic user name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub country: String,
    pub constituency_countries: Vec<String>,
    pub constituency_sectors: Vec<String>,
    /// 1 (highest) .. 3.
    pub trust_tier: u8,
    pub contacts: Vec<String>,
    /// Ed25519, 64 hex chars.
    pub public_key: Option<String>,
    /// Other partners see the partner's submissions without it as their origin.
    pub anonymise: bool,
    pub created_at: String,
}

/// An API token of a partner: its id and the argon2id PHC hash of the whole token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerToken {
    pub token_id: String,
    pub partner_id: String,
    pub hash: String,
    pub created_at: String,
    pub revoked: bool,
}

fn corrupt(table: &'static str, message: impl ToString) -> StoreError {
    StoreError::corrupt(table, message.to_string())
}

/// A list of strings as stored JSON text.
pub(crate) fn encode_list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".to_owned();
    }
    serde_json::Value::from(items).to_string()
}

pub(crate) fn decode_list(table: &'static str, text: &str) -> Result<Vec<String>> {
    if text == "[]" {
        return Ok(Vec::new());
    }
    serde_json::from_str(text).map_err(|e| corrupt(table, e))
}

pub(crate) fn exists(tx: &mut Tx<'_, '_>, id: &str) -> Result<bool> {
    Ok(db::query_int(
        tx,
        "SELECT COUNT(*) FROM partners WHERE id = $1",
        &[Param::Text(id)],
    )? > 0)
}

/// Adds a partner; false (and nothing changed) when the id is taken.
pub(crate) fn add(tx: &mut Tx<'_, '_>, p: &Partner) -> Result<bool> {
    let countries = encode_list(&p.constituency_countries);
    let sectors = encode_list(&p.constituency_sectors);
    let contacts = encode_list(&p.contacts);
    Ok(db::execute(
        tx,
        "INSERT INTO partners (id, name, country, constituency_countries, constituency_sectors, \
             trust_tier, contacts, public_key, anonymise, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
        &[
            Param::Text(&p.id),
            Param::Text(&p.name),
            Param::Text(&p.country),
            Param::Text(&countries),
            Param::Text(&sectors),
            Param::Int(i64::from(p.trust_tier)),
            Param::Text(&contacts),
            Param::OptText(p.public_key.as_deref()),
            Param::Int(i64::from(p.anonymise)),
            Param::Text(&p.created_at),
        ],
    )? > 0)
}

/// Replaces every field but the id and `created_at`; false when there is no such partner.
pub(crate) fn update(tx: &mut Tx<'_, '_>, p: &Partner) -> Result<bool> {
    let countries = encode_list(&p.constituency_countries);
    let sectors = encode_list(&p.constituency_sectors);
    let contacts = encode_list(&p.contacts);
    Ok(db::execute(
        tx,
        "UPDATE partners SET name = $1, country = $2, constituency_countries = $3, \
             constituency_sectors = $4, trust_tier = $5, contacts = $6, public_key = $7, \
             anonymise = $8 \
         WHERE id = $9",
        &[
            Param::Text(&p.name),
            Param::Text(&p.country),
            Param::Text(&countries),
            Param::Text(&sectors),
            Param::Int(i64::from(p.trust_tier)),
            Param::Text(&contacts),
            Param::OptText(p.public_key.as_deref()),
            Param::Int(i64::from(p.anonymise)),
            Param::Text(&p.id),
        ],
    )? > 0)
}

const PARTNER_COLUMNS: &str = "SELECT id, name, country, constituency_countries, \
    constituency_sectors, trust_tier, contacts, public_key, anonymise, created_at FROM partners";

fn read_partner(r: &dyn Columns) -> Result<Partner> {
    let tier = r.int(5)?;
    Ok(Partner {
        id: r.text(0)?,
        name: r.text(1)?,
        country: r.text(2)?,
        constituency_countries: decode_list("partners", &r.text(3)?)?,
        constituency_sectors: decode_list("partners", &r.text(4)?)?,
        trust_tier: u8::try_from(tier)
            .map_err(|_| corrupt("partners", format!("trust tier {tier}")))?,
        contacts: decode_list("partners", &r.text(6)?)?,
        public_key: r.opt_text(7)?,
        anonymise: r.int(8)? != 0,
        created_at: r.text(9)?,
    })
}

pub(crate) fn get(tx: &mut Tx<'_, '_>, id: &str) -> Result<Option<Partner>> {
    Ok(db::query(
        tx,
        &format!("{PARTNER_COLUMNS} WHERE id = $1"),
        &[Param::Text(id)],
        read_partner,
    )?
    .pop())
}

/// Every partner, by id.
pub(crate) fn list(tx: &mut Tx<'_, '_>) -> Result<Vec<Partner>> {
    db::query(
        tx,
        &format!("{PARTNER_COLUMNS} ORDER BY id"),
        &[],
        read_partner,
    )
}

/// Stores a token; its partner must exist ([`StoreError::UnknownPartner`]).
pub(crate) fn add_token(tx: &mut Tx<'_, '_>, t: &PartnerToken) -> Result<()> {
    if !exists(tx, &t.partner_id)? {
        return Err(StoreError::UnknownPartner(t.partner_id.clone()));
    }
    db::execute(
        tx,
        "INSERT INTO partner_tokens (token_id, partner_id, hash, created_at, revoked) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            Param::Text(&t.token_id),
            Param::Text(&t.partner_id),
            Param::Text(&t.hash),
            Param::Text(&t.created_at),
            Param::Int(i64::from(t.revoked)),
        ],
    )?;
    Ok(())
}

pub(crate) fn token(tx: &mut Tx<'_, '_>, token_id: &str) -> Result<Option<PartnerToken>> {
    Ok(db::query(
        tx,
        "SELECT token_id, partner_id, hash, created_at, revoked FROM partner_tokens \
         WHERE token_id = $1",
        &[Param::Text(token_id)],
        |r| {
            Ok(PartnerToken {
                token_id: r.text(0)?,
                partner_id: r.text(1)?,
                hash: r.text(2)?,
                created_at: r.text(3)?,
                revoked: r.int(4)? != 0,
            })
        },
    )?
    .pop())
}

/// Revokes every token of the partner still valid; returns how many.
pub(crate) fn revoke_tokens(tx: &mut Tx<'_, '_>, partner_id: &str) -> Result<u64> {
    db::execute(
        tx,
        "UPDATE partner_tokens SET revoked = 1 WHERE partner_id = $1 AND revoked = 0",
        &[Param::Text(partner_id)],
    )
}
