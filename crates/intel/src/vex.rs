//! VEX statements from any source (OpenVEX, CycloneDX `vulnerabilities[].analysis`), and the
//! OpenVEX parser (v0.2.0, and the older v0.0.1 layout with string vulnerabilities/products).

use serde_json::Value;

use crate::{Diagnostic, IntelError, parse_json};

/// The OpenVEX status vocabulary; CycloneDX analysis states map onto it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    /// OpenVEX and CSAF spellings (`not_affected`, `known_not_affected`…).
    pub fn parse(s: &str) -> Option<VexStatus> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "not_affected" | "known_not_affected" => Some(VexStatus::NotAffected),
            "affected" | "known_affected" | "exploitable" => Some(VexStatus::Affected),
            "fixed" | "resolved" | "resolved_with_pedigree" => Some(VexStatus::Fixed),
            "under_investigation" | "in_triage" => Some(VexStatus::UnderInvestigation),
            _ => None,
        }
    }

    /// A CycloneDX `analysis.state`: `false_positive` counts as not affected.
    pub fn from_cyclonedx(state: &str) -> Option<VexStatus> {
        match state {
            "false_positive" => Some(VexStatus::NotAffected),
            other => VexStatus::parse(other),
        }
    }
}

/// A product a statement is about, and the subcomponents inside it that the statement is about
/// (OpenVEX `products[].subcomponents`): those only as parts of this product, never elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VexProduct {
    /// A purl, a CPE or, failing those, the document's own reference.
    pub id: String,
    pub subcomponents: Vec<String>,
}

impl VexProduct {
    /// A product without subcomponents.
    pub fn whole(id: impl Into<String>) -> VexProduct {
        VexProduct {
            id: id.into(),
            subcomponents: Vec::new(),
        }
    }
}

/// One statement: a vulnerability, the products it is about, and their status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VexStatement {
    /// CVE id or other vulnerability name.
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub products: Vec<VexProduct>,
    pub status: VexStatus,
    /// When the statement was made or last changed (RFC 3339): OpenVEX `last_updated`, else the
    /// statement's `timestamp`, else the document's; the CycloneDX `analysis.lastUpdated`, else
    /// `analysis.firstIssued`, else the BOM's `metadata.timestamp`. Of the statements about
    /// one product and vulnerability, the latest decides ([`crate::matching`]).
    pub timestamp: Option<String>,
    /// Machine-readable justification (OpenVEX/CSAF label or CycloneDX justification).
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
}

/// An OpenVEX document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenVex {
    pub id: Option<String>,
    pub author: Option<String>,
    pub timestamp: Option<String>,
    pub statements: Vec<VexStatement>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A product or subcomponent reference: a string, or `{@id, identifiers{purl, cpe23, cpe22}}`,
/// the best identifier first.
fn reference(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
        Value::Object(_) => {
            let ids = v.get("identifiers");
            ["purl", "cpe23", "cpe22"]
                .iter()
                .find_map(|k| ids.and_then(|i| text(i, k)))
                .or_else(|| text(v, "@id"))
        }
        _ => None,
    }
}

/// A product entry with its `subcomponents[]`.
fn product(v: &Value) -> Option<VexProduct> {
    Some(VexProduct {
        id: reference(v)?,
        subcomponents: v
            .get("subcomponents")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(reference)
            .collect(),
    })
}

/// Parse an OpenVEX document.
pub fn parse_openvex(bytes: &[u8]) -> Result<(OpenVex, Vec<Diagnostic>), IntelError> {
    let root = parse_json(bytes)?;
    let context = root
        .get("@context")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !context.starts_with("https://openvex.dev/ns") {
        return Err(IntelError::invalid(
            "@context",
            format!("not an OpenVEX context: {context:?}"),
        ));
    }
    let Some(statements) = root.get("statements").and_then(Value::as_array) else {
        return Err(IntelError::invalid("statements", "missing or not an array"));
    };
    let document_timestamp = text(&root, "timestamp");
    let mut diags = Vec::new();
    let mut out = Vec::with_capacity(statements.len());
    for (i, s) in statements.iter().enumerate() {
        let at = format!("statements[{i}]");
        let vuln = s.get("vulnerability");
        let name = vuln
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| vuln.and_then(|v| text(v, "name")));
        let Some(vulnerability) = name else {
            diags.push(Diagnostic::new(
                format!("{at}.vulnerability"),
                "missing name",
            ));
            continue;
        };
        let status_text = s.get("status").and_then(Value::as_str).unwrap_or_default();
        let Some(status) = VexStatus::parse(status_text) else {
            diags.push(Diagnostic::new(
                format!("{at}.status"),
                format!("unknown status {status_text:?}"),
            ));
            continue;
        };
        let prods: Vec<VexProduct> = s
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(product)
            .collect();
        if prods.is_empty() {
            diags.push(Diagnostic::new(format!("{at}.products"), "no products"));
        }
        let aliases = vuln
            .and_then(|v| v.get("aliases"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let statement = VexStatement {
            vulnerability,
            aliases,
            products: prods,
            status,
            timestamp: text(s, "last_updated")
                .or_else(|| text(s, "timestamp"))
                .or_else(|| document_timestamp.clone()),
            justification: text(s, "justification"),
            impact_statement: text(s, "impact_statement"),
            action_statement: text(s, "action_statement"),
        };
        if status == VexStatus::NotAffected
            && statement.justification.is_none()
            && statement.impact_statement.is_none()
        {
            diags.push(Diagnostic::new(
                at.clone(),
                "not_affected needs a justification or an impact statement",
            ));
        }
        if status == VexStatus::Affected && statement.action_statement.is_none() {
            diags.push(Diagnostic::new(at, "affected needs an action statement"));
        }
        out.push(statement);
    }
    Ok((
        OpenVex {
            id: text(&root, "@id"),
            author: text(&root, "author"),
            timestamp: document_timestamp,
            statements: out,
        },
        diags,
    ))
}
