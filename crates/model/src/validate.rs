//! Field-level checks shared by every import path. Reference checks that need the rest of the
//! atlas (unknown provider id, duplicate id) live with the importer, which sees all of it.

use crate::{Asset, Dependency, country, ncf_index, sector_index};

/// What is wrong with one field of one record. The importer adds the file and line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

fn check_id(field: &'static str, id: &str, errors: &mut Vec<FieldError>) {
    if id.is_empty() {
        errors.push(FieldError::new(field, "is required and empty"));
    } else if id.trim() != id || id.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("{id:?} has leading/trailing whitespace or control characters"),
        ));
    }
}

/// Free text may hold tabs and line breaks, never other control characters: a NUL is stored
/// by SQLite but refused by PostgreSQL, and none of them belongs in a name.
fn check_text<'a>(
    field: &'static str,
    values: impl IntoIterator<Item = &'a String>,
    errors: &mut Vec<FieldError>,
) {
    for value in values {
        if let Some(c) = value
            .chars()
            .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            errors.push(FieldError::new(
                field,
                format!(
                    "{value:?} holds the control character U+{:04X}",
                    u32::from(c)
                ),
            ));
        }
    }
}

fn check_country(field: &'static str, code: &str, errors: &mut Vec<FieldError>) {
    if country(code).is_none() {
        errors.push(FieldError::new(
            field,
            format!("{code:?} is not an ISO 3166-1 alpha-2 country code (or ZZ)"),
        ));
    }
}

fn check_non_negative(field: &'static str, value: Option<f64>, errors: &mut Vec<FieldError>) {
    if let Some(v) = value
        && !(v.is_finite() && v >= 0.0)
    {
        errors.push(FieldError::new(
            field,
            format!("{v} must be a finite number >= 0"),
        ));
    }
}

pub fn validate_asset(asset: &Asset) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_id("id", &asset.id, &mut errors);
    check_country("country", &asset.country, &mut errors);
    if let Some(owner_country) = &asset.owner_country {
        check_country("owner_country", owner_country, &mut errors);
    }
    for s in &asset.sectors {
        if sector_index(s).is_none() {
            errors.push(FieldError::new("sectors", format!("unknown sector {s:?}")));
        }
    }
    for n in &asset.ncfs {
        if ncf_index(n).is_none() {
            errors.push(FieldError::new("ncfs", format!("unknown NCF {n:?}")));
        }
    }
    if let Some(lat) = asset.lat
        && !(-90.0..=90.0).contains(&lat)
    {
        errors.push(FieldError::new(
            "lat",
            format!("{lat} is outside [-90, 90]"),
        ));
    }
    if let Some(lon) = asset.lon
        && !(-180.0..=180.0).contains(&lon)
    {
        errors.push(FieldError::new(
            "lon",
            format!("{lon} is outside [-180, 180]"),
        ));
    }
    check_non_negative("weight", asset.weight, &mut errors);
    check_non_negative("recovery_hours", asset.recovery_hours, &mut errors);
    check_text("name", [&asset.name], &mut errors);
    check_text("kind", [&asset.kind], &mut errors);
    check_text("owner", [&asset.owner], &mut errors);
    check_text("operator", [&asset.operator], &mut errors);
    check_text("products", &asset.products, &mut errors);
    for p in &asset.products {
        if let Err(e) = ident::ProductId::parse(p) {
            errors.push(FieldError::new("products", e.to_string()));
        }
    }
    check_text("tags", &asset.tags, &mut errors);
    check_text("attributes", asset.attributes.keys(), &mut errors);
    check_text("attributes", asset.attributes.values(), &mut errors);
    errors
}

pub fn validate_dependency(dep: &Dependency) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_id("dependent", &dep.dependent, &mut errors);
    check_id("provider", &dep.provider, &mut errors);
    if !dep.dependent.is_empty() && dep.dependent == dep.provider {
        errors.push(FieldError::new(
            "provider",
            "an asset cannot depend on itself",
        ));
    }
    if let Some(group) = &dep.group
        && group.is_empty()
    {
        errors.push(FieldError::new(
            "group",
            "is empty (omit it for the default group)",
        ));
    }
    if let Some(s) = dep.strength
        && !(s > 0.0 && s <= 1.0)
    {
        errors.push(FieldError::new(
            "strength",
            format!("{s} is outside (0, 1]"),
        ));
    }
    check_non_negative("tolerance_hours", dep.tolerance_hours, &mut errors);
    check_text("group", &dep.group, &mut errors);
    check_text("attributes", dep.attributes.keys(), &mut errors);
    check_text("attributes", dep.attributes.values(), &mut errors);
    errors
}
