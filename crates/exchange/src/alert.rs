//! The STIX 2.1 alert package of a vulnerability finding: the hub's `identity`, a
//! `vulnerability`, the `course-of-action` remediating it, the `relationship`
//! course-of-action `mitigates` vulnerability, and a `report` (`report_types`
//! `["vulnerability"]`) referring to all of them.
//!
//! Every object but the identity is created by the hub's identity and carries the TLP 2.0
//! marking of the chosen TLP in `object_marking_refs`. The identity is shared by every alert of
//! the hub (same id, same version), so it is marked TLP:CLEAR: marked at one alert's TLP, the
//! first stored copy would hide it from the readers of every later, less restricted alert.
//! The marking-definition objects themselves are not included; the server serves them.
//!
//! Ids are UUID v5 from the alert id and the CVE (the identity's from the hub's name), so
//! building the package again gives the same objects.

use model::Tlp;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use uuid::Uuid;

#[cfg(test)]
mod tests;

/// The namespace of the UUID v5 ids of alert packages.
const NAMESPACE: Uuid = Uuid::from_u128(0x583844f4_8ec7_48c3_94cb_f098c3cbfbea);

/// The hub issuing alerts, as its STIX identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hub {
    /// The hub's organisation name.
    pub name: String,
    /// When the hub's identity was created, RFC 3339 (its `created` and `modified`).
    pub created: String,
}

/// One alert about one vulnerability.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertInput {
    /// The hub's id of the alert; with the CVE it determines the objects' ids.
    pub alert_id: String,
    /// `CVE-YYYY-NNNN…`.
    pub cve: String,
    /// The report's name.
    pub title: String,
    /// The vulnerability's and the report's description; may be empty.
    pub description: String,
    /// The course of action's description; may be empty.
    pub remediation: String,
    /// The marking of every object but the hub's identity.
    pub tlp: Tlp,
    /// RFC 3339; the objects' `created` and `modified` and the report's `published`,
    /// normalised to UTC with milliseconds.
    pub created: String,
    /// Listed in the report's description.
    pub affected_products: Vec<String>,
    pub hub: Hub,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AlertError {
    #[error("invalid CVE id {0:?}: expected CVE-YYYY-NNNN")]
    InvalidCve(String),
    #[error("invalid timestamp {0:?}: expected RFC 3339")]
    InvalidTimestamp(String),
    #[error("the hub's name is empty")]
    EmptyHubName,
}

/// The TLP 2.0 marking-definition id of `tlp`.
pub fn marking_id(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
}

/// The alert package, in order: identity, vulnerability, course-of-action, relationship,
/// report.
pub fn package(input: &AlertInput) -> Result<Vec<Value>, AlertError> {
    if !valid_cve(&input.cve) {
        return Err(AlertError::InvalidCve(input.cve.clone()));
    }
    if input.hub.name.trim().is_empty() {
        return Err(AlertError::EmptyHubName);
    }
    let created = stix_timestamp(&input.created)?;
    let hub_created = stix_timestamp(&input.hub.created)?;
    let id = |object_type: &str| {
        let name = format!("{object_type}\n{}\n{}", input.alert_id, input.cve);
        format!(
            "{object_type}--{}",
            Uuid::new_v5(&NAMESPACE, name.as_bytes())
        )
    };
    let identity_name = format!("identity\n{}", input.hub.name);
    let identity_id = format!(
        "identity--{}",
        Uuid::new_v5(&NAMESPACE, identity_name.as_bytes())
    );
    let (vulnerability_id, action_id) = (id("vulnerability"), id("course-of-action"));
    let (relationship_id, report_id) = (id("relationship"), id("report"));
    let marking = [marking_id(input.tlp)];

    let identity = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": hub_created,
        "modified": hub_created,
        "name": input.hub.name,
        "identity_class": "organization",
        "object_marking_refs": [marking_id(Tlp::Clear)],
    });
    let common = |object_type: &str, id: &str| {
        json!({
            "type": object_type,
            "spec_version": "2.1",
            "id": id,
            "created": created,
            "modified": created,
            "created_by_ref": identity_id,
        })
    };
    let mut vulnerability = common("vulnerability", &vulnerability_id);
    extend(
        &mut vulnerability,
        [
            ("name", json!(input.cve)),
            ("description", text(&input.description)),
            (
                "external_references",
                json!([{ "source_name": "cve", "external_id": input.cve }]),
            ),
            ("object_marking_refs", json!(marking)),
        ],
    );
    let mut action = common("course-of-action", &action_id);
    extend(
        &mut action,
        [
            ("name", json!(format!("Remediation for {}", input.cve))),
            ("description", text(&input.remediation)),
            ("object_marking_refs", json!(marking)),
        ],
    );
    let mut relationship = common("relationship", &relationship_id);
    extend(
        &mut relationship,
        [
            ("relationship_type", json!("mitigates")),
            ("source_ref", json!(action_id)),
            ("target_ref", json!(vulnerability_id)),
            ("object_marking_refs", json!(marking)),
        ],
    );
    let mut report = common("report", &report_id);
    extend(
        &mut report,
        [
            ("name", json!(report_name(input))),
            ("description", text(&report_description(input))),
            ("report_types", json!(["vulnerability"])),
            ("published", json!(created)),
            (
                "object_refs",
                json!([identity_id, vulnerability_id, action_id, relationship_id]),
            ),
            ("object_marking_refs", json!(marking)),
        ],
    );
    Ok(vec![identity, vulnerability, action, relationship, report])
}

/// Adds the properties to a JSON object, leaving out nulls.
fn extend<const N: usize>(object: &mut Value, properties: [(&str, Value); N]) {
    if let Some(object) = object.as_object_mut() {
        for (key, value) in properties {
            if !value.is_null() {
                object.insert(key.to_owned(), value);
            }
        }
    }
}

/// A description, or null (left out) when blank.
fn text(text: &str) -> Value {
    let text = text.trim();
    if text.is_empty() {
        Value::Null
    } else {
        json!(text)
    }
}

fn report_name(input: &AlertInput) -> String {
    let title = input.title.trim();
    if title.is_empty() {
        input.cve.clone()
    } else {
        title.to_owned()
    }
}

fn report_description(input: &AlertInput) -> String {
    let mut description = input.description.trim().to_owned();
    let products: Vec<&str> = input
        .affected_products
        .iter()
        .map(|product| product.trim())
        .filter(|product| !product.is_empty())
        .collect();
    if !products.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str("Affected products:");
        for product in products {
            description.push_str("\n- ");
            description.push_str(product);
        }
    }
    description
}

/// `CVE-`, a four-digit year, `-`, four or more digits.
fn valid_cve(cve: &str) -> bool {
    let Some(rest) = cve.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    year.len() == 4 && digits(year) && number.len() >= 4 && digits(number)
}

/// An RFC 3339 timestamp as a STIX timestamp: UTC, milliseconds (`2026-01-02T03:04:05.678Z`).
fn stix_timestamp(text: &str) -> Result<String, AlertError> {
    let invalid = || AlertError::InvalidTimestamp(text.to_owned());
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|_| invalid())?
        .to_offset(time::UtcOffset::UTC);
    if !(0..=9999).contains(&at.year()) {
        return Err(invalid());
    }
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .map_err(|_| invalid())
}
