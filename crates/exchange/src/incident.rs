//! Incident reports from partners (§4), in either of two forms, read all or nothing:
//!
//! - the simple JSON form: a list of
//!   `{"partner", "assets": [ids], "kind": "cyber"|"physical", "category", "occurred_at",
//!   "description", "severity": 1..5}` (`description` and `severity`, default 3, optional;
//!   `partner` optional when the submitter is known);
//! - a STIX 2.1 bundle: every `incident` and `sighting` object becomes a report. Its assets are
//!   the ids in the custom property `x_meridian_asset_ids` and the targets of the bundle's
//!   relationships from it to an `infrastructure` object of the atlas STIX export. Optional
//!   custom properties: `x_meridian_kind` (default `cyber`), `x_meridian_category` (default the
//!   first label, else `intrusion`; `sighting` for sightings), `x_meridian_severity` (default 3),
//!   `x_meridian_occurred_at` (default `first_seen`, else `created`).
//!
//! With a validator, the bundle's incidents, sightings and relationships must be valid STIX 2.1.
//! Every problem is reported with the JSON path of the field, and then nothing is returned.

use model::{IncidentKind, IncidentReport};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

#[cfg(test)]
mod tests;

/// One problem in the input: where (`[2].occurred_at`, `objects[3].x_meridian_kind`) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct IncidentError {
    pub path: String,
    pub message: String,
}

/// What the reader needs to know besides the bytes.
pub struct Context<'a> {
    /// The submitter when known (the authenticated partner, or `--partner`): entries naming
    /// another partner are refused, entries naming none are its.
    pub partner: Option<&'a str>,
    /// The `reported_at` of every report, stored form.
    pub reported_at: &'a str,
    /// The asset id of an asset id or of an atlas STIX id (`infrastructure--…`), when known.
    pub resolve: &'a dyn Fn(&str) -> Option<String>,
    /// Checks a bundle's incidents, sightings and relationships against the STIX 2.1 schemas.
    pub validator: Option<&'a stix::Validator>,
}

const DEFAULT_SEVERITY: u8 = 3;

/// A timestamp in the stored form (`YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC) from RFC 3339 (any
/// offset) or a date `YYYY-MM-DD` (its midnight UTC).
pub fn timestamp(text: &str) -> Option<String> {
    let text = text.trim();
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| {
            Date::parse(text, format_description!("[year]-[month]-[day]"))
                .ok()
                .map(|d| d.midnight().assume_utc())
        })?
        .to_offset(time::UtcOffset::UTC);
    if !(0..=9999).contains(&at.year()) {
        return None;
    }
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .ok()
}

/// Reads reports in either form (a JSON array: the simple form; an object: a STIX bundle).
pub fn parse(bytes: &[u8], cx: &Context<'_>) -> Result<Vec<IncidentReport>, Vec<IncidentError>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![IncidentError {
            path: format!("line {} column {}", e.line(), e.column()),
            message: format!("not JSON: {e}"),
        }]
    })?;
    let mut r = Reader {
        cx,
        errors: Vec::new(),
    };
    let reports = match &value {
        Value::Array(entries) => entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| r.simple(&format!("[{i}]"), e))
            .collect(),
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("bundle") => r.bundle(o),
        _ => {
            r.error(
                "$",
                "expected a list of incident reports or a STIX 2.1 bundle",
            );
            Vec::new()
        }
    };
    if r.errors.is_empty() {
        Ok(reports)
    } else {
        Err(r.errors)
    }
}

struct Reader<'a, 'c> {
    cx: &'a Context<'c>,
    errors: Vec<IncidentError>,
}

/// The fields of a report besides where it came from.
struct Fields {
    kind: IncidentKind,
    category: String,
    description: String,
    occurred_at: String,
    severity: u8,
    assets: Vec<String>,
}

impl Reader<'_, '_> {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(IncidentError {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// A string field; `None` when absent or null (and an error when not a string, or when it
    /// holds a control character other than a tab or a line break).
    fn text<'v>(&mut self, o: &'v Map<String, Value>, path: &str, key: &str) -> Option<&'v str> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                if let Some(c) = s
                    .chars()
                    .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                {
                    self.error(
                        &format!("{path}.{key}"),
                        format!("holds the control character U+{:04X}", u32::from(c)),
                    );
                    return None;
                }
                Some(s.as_str())
            }
            Some(_) => {
                self.error(&format!("{path}.{key}"), "expected a string");
                None
            }
        }
    }

    fn kind(&mut self, path: &str, name: Option<&str>) -> Option<IncidentKind> {
        let name = name.unwrap_or(IncidentKind::Cyber.as_str());
        let kind = IncidentKind::parse(name);
        if kind.is_none() {
            self.error(path, format!("{name:?} is neither cyber nor physical"));
        }
        kind
    }

    fn severity(&mut self, path: &str, value: Option<&Value>) -> Option<u8> {
        match value {
            None | Some(Value::Null) => Some(DEFAULT_SEVERITY),
            Some(v) => match v.as_u64().and_then(|n| u8::try_from(n).ok()) {
                Some(s) if (1..=5).contains(&s) => Some(s),
                _ => {
                    self.error(path, format!("{v} is not a severity 1..5"));
                    None
                }
            },
        }
    }

    fn occurred_at(&mut self, path: &str, text: Option<&str>) -> Option<String> {
        let Some(text) = text else {
            self.error(path, "missing");
            return None;
        };
        let at = timestamp(text);
        if at.is_none() {
            self.error(
                path,
                format!("{text:?} is neither an RFC 3339 timestamp nor a YYYY-MM-DD date"),
            );
        }
        at
    }

    /// Asset ids from a list of strings, each resolved.
    fn asset_list(&mut self, path: &str, value: Option<&Value>, out: &mut Vec<String>) {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return;
        };
        let Some(items) = value.as_array() else {
            self.error(path, "expected a list of asset ids");
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("{path}[{i}]");
            match item.as_str() {
                None => self.error(&path, "expected an asset id"),
                Some(id) if id.chars().any(char::is_control) => {
                    self.error(&path, format!("{id:?} holds a control character"));
                }
                Some(id) => match (self.cx.resolve)(id) {
                    Some(asset) => push_unique(out, asset),
                    None => self.error(&path, format!("unknown asset {id:?}")),
                },
            }
        }
    }

    fn partner(&mut self, path: &str, named: Option<&str>) -> Option<Option<String>> {
        match (self.cx.partner, named) {
            (Some(submitter), Some(named)) if submitter != named => {
                self.error(
                    path,
                    format!("{named:?} is not the submitting partner {submitter:?}"),
                );
                None
            }
            (submitter, named) => Some(submitter.or(named).map(str::to_owned)),
        }
    }

    fn report(
        &self,
        partner: Option<String>,
        stix_id: Option<String>,
        f: Fields,
    ) -> IncidentReport {
        IncidentReport {
            reporter: partner.clone().unwrap_or_else(|| "hub".to_owned()),
            partner_id: partner,
            kind: f.kind,
            category: f.category,
            description: f.description,
            occurred_at: f.occurred_at,
            reported_at: self.cx.reported_at.to_owned(),
            stix_id,
            severity: f.severity,
            assets: f.assets,
        }
    }

    fn simple(&mut self, path: &str, entry: &Value) -> Option<IncidentReport> {
        let Some(o) = entry.as_object() else {
            self.error(path, "expected an object");
            return None;
        };
        let before = self.errors.len();
        let named = self.text(o, path, "partner");
        let partner = self.partner(&format!("{path}.partner"), named);
        if matches!(partner, Some(None)) {
            self.error(&format!("{path}.partner"), "missing");
        }
        let kind_name = self.text(o, path, "kind");
        if kind_name.is_none() {
            self.error(&format!("{path}.kind"), "missing: cyber or physical");
        }
        let kind = kind_name.and_then(|k| self.kind(&format!("{path}.kind"), Some(k)));
        let category = self.text(o, path, "category").map(str::trim);
        if category.is_none_or(str::is_empty) {
            self.error(&format!("{path}.category"), "missing");
        }
        let occurred = self.text(o, path, "occurred_at");
        let occurred_at = self.occurred_at(&format!("{path}.occurred_at"), occurred);
        let description = self.text(o, path, "description").unwrap_or_default();
        let severity = self.severity(&format!("{path}.severity"), o.get("severity"));
        let mut assets = Vec::new();
        self.asset_list(&format!("{path}.assets"), o.get("assets"), &mut assets);
        if assets.is_empty() && self.errors.len() == before {
            self.error(&format!("{path}.assets"), "names no asset");
        }
        if self.errors.len() > before {
            return None;
        }
        let fields = Fields {
            kind: kind?,
            category: category?.to_owned(),
            description: description.to_owned(),
            occurred_at: occurred_at?,
            severity: severity?,
            assets,
        };
        Some(self.report(partner?, None, fields))
    }

    fn bundle(&mut self, bundle: &Map<String, Value>) -> Vec<IncidentReport> {
        let Some(objects) = bundle.get("objects").and_then(Value::as_array) else {
            self.error("objects", "a bundle without a list of objects");
            return Vec::new();
        };
        let mut reports = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            let path = format!("objects[{i}]");
            let Some(o) = object.as_object() else {
                self.error(&path, "expected an object");
                continue;
            };
            let ty = o.get("type").and_then(Value::as_str).unwrap_or_default();
            if !matches!(ty, "incident" | "sighting" | "relationship") {
                continue;
            }
            if let Some(validator) = self.cx.validator
                && let Err(invalid) = validator.validate(object)
            {
                let id = o.get("id").and_then(Value::as_str).unwrap_or("(no id)");
                self.error(&path, format!("{id} is not valid STIX 2.1: {invalid}"));
                continue;
            }
            if ty == "relationship" {
                continue;
            }
            let Some(id) = o.get("id").and_then(Value::as_str) else {
                self.error(&format!("{path}.id"), "missing");
                continue;
            };
            if let Some(r) = self.stix(&path, id, ty, o, objects) {
                reports.push(r);
            }
        }
        if reports.is_empty() && self.errors.is_empty() {
            self.error("objects", "no incident or sighting in the bundle");
        }
        reports
    }

    fn stix(
        &mut self,
        path: &str,
        id: &str,
        ty: &str,
        o: &Map<String, Value>,
        objects: &[Value],
    ) -> Option<IncidentReport> {
        let before = self.errors.len();
        let kind_name = self.text(o, path, "x_meridian_kind");
        let kind = self.kind(&format!("{path}.x_meridian_kind"), kind_name);
        let label = o
            .get("labels")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .and_then(Value::as_str);
        let fallback = if ty == "sighting" {
            "sighting"
        } else {
            label.unwrap_or("intrusion")
        };
        let category = self
            .text(o, path, "x_meridian_category")
            .unwrap_or(fallback)
            .to_owned();
        let severity = self.severity(
            &format!("{path}.x_meridian_severity"),
            o.get("x_meridian_severity"),
        );
        let (key, text) = ["x_meridian_occurred_at", "first_seen", "created"]
            .into_iter()
            .find_map(|k| Some((k, o.get(k)?.as_str()?)))
            .map_or(("created", None), |(k, t)| (k, Some(t)));
        let occurred_at = self.occurred_at(&format!("{path}.{key}"), text);
        let description = ["description", "name"]
            .into_iter()
            .find_map(|k| o.get(k)?.as_str())
            .unwrap_or_default()
            .to_owned();
        let mut assets = Vec::new();
        self.asset_list(
            &format!("{path}.x_meridian_asset_ids"),
            o.get("x_meridian_asset_ids"),
            &mut assets,
        );
        for (j, rel) in objects.iter().enumerate() {
            let field = |k: &str| rel.get(k).and_then(Value::as_str);
            if field("type") != Some("relationship") || field("source_ref") != Some(id) {
                continue;
            }
            let Some(target) = field("target_ref") else {
                continue;
            };
            if !target.starts_with("infrastructure--") {
                continue;
            }
            match (self.cx.resolve)(target) {
                Some(asset) => push_unique(&mut assets, asset),
                None => self.error(
                    &format!("objects[{j}].target_ref"),
                    format!("{target} is no asset of the atlas"),
                ),
            }
        }
        if assets.is_empty() && self.errors.len() == before {
            self.error(
                path,
                format!(
                    "{id} names no asset (x_meridian_asset_ids, or a relationship to an atlas \
                     infrastructure object)"
                ),
            );
        }
        let partner = self.partner(&format!("{path}.created_by_ref"), None)?;
        if self.errors.len() > before {
            return None;
        }
        let fields = Fields {
            kind: kind?,
            category,
            description,
            occurred_at: occurred_at?,
            severity: severity?,
            assets,
        };
        Some(self.report(partner, Some(id.to_owned()), fields))
    }
}

fn push_unique(out: &mut Vec<String>, id: String) {
    if !out.contains(&id) {
        out.push(id);
    }
}
