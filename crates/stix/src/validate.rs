//! Validation of one STIX 2.1 object against the embedded OASIS schemas.

use std::collections::HashMap;
use std::fmt::Write as _;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Retrieve, Uri, ValidationError};
use serde_json::{Map, Value};

use crate::pattern;
use crate::properties;
use crate::schemas;
use crate::tlp;

/// The version of objects without `modified` or `created` (SCOs and others).
pub const UNVERSIONED: &str = "1970-01-01T00:00:00.000Z";

/// At most this many reasons are reported for one object.
const MAX_REASONS: usize = 10;

/// A reason longer than this many characters is cut.
const MAX_REASON_CHARS: usize = 240;

/// The identity and version of a valid object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    pub id: String,
    pub object_type: String,
    /// `spec_version`; "2.1" for an SCO that omits it.
    pub spec_version: String,
    /// `modified`, else `created`, else [`UNVERSIONED`].
    pub version: String,
}

/// Why an object is not valid STIX 2.1: each reason starts with the JSON path it is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", reasons.join("; "))]
pub struct Invalid {
    pub reasons: Vec<String>,
}

/// Whether `spec_version` must be present (SDOs, SROs, meta objects) or may be omitted (SCOs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Versioned,
    Observable,
}

struct TypeSchema {
    kind: Kind,
    schema: jsonschema::Validator,
}

/// Validates STIX 2.1 objects. Build it once (it compiles every schema) and share it: it is
/// `Send + Sync` and `validate` takes `&self`.
pub struct Validator {
    by_type: HashMap<&'static str, TypeSchema>,
    /// `common/core.json`, for custom object types (`x-…`).
    custom: jsonschema::Validator,
    /// The TLP 2.0 extension schema: the five official TLP 2.0 marking definitions.
    tlp2: jsonschema::Validator,
}

impl Default for Validator {
    fn default() -> Self {
        Self::new()
    }
}

impl Validator {
    /// Compiles the schema of every STIX 2.1 object type from the embedded files.
    pub fn new() -> Validator {
        let mut by_type = HashMap::new();
        for &(path, text) in schemas::SCHEMAS {
            let Some((dir, file)) = path.split_once('/') else {
                continue;
            };
            let kind = match (dir, file) {
                ("sdos" | "sros", _)
                | (
                    "common",
                    "marking-definition.json"
                    | "language-content.json"
                    | "extension-definition.json",
                ) => Kind::Versioned,
                ("observables", _) => Kind::Observable,
                _ => continue,
            };
            let object_type = file.strip_suffix(".json").unwrap_or(file);
            by_type.insert(
                object_type,
                TypeSchema {
                    kind,
                    schema: compile(text),
                },
            );
        }
        Validator {
            by_type,
            custom: compile(schema_text("common/core.json")),
            tlp2: compile(schemas::TLP2_EXTENSION_SCHEMA),
        }
    }

    /// Validates one STIX 2.1 object and returns its identity and version, or every reason
    /// (at most ten) it is refused.
    pub fn validate(&self, object: &Value) -> Result<ObjectMeta, Invalid> {
        let Some(map) = object.as_object() else {
            return Err(Invalid {
                reasons: vec![format!("/: {} is not an object", json_kind(object))],
            });
        };
        let mut reasons = Reasons::default();

        let object_type = match map.get("type") {
            Some(Value::String(object_type)) => object_type.as_str(),
            Some(other) => {
                reasons.push(format!("/type: {} is not a string", json_kind(other)));
                return Err(reasons.into_invalid());
            }
            None => {
                reasons.push("/type: missing required property".to_owned());
                return Err(reasons.into_invalid());
            }
        };
        let (kind, schema) = match self.by_type.get(object_type) {
            Some(known) => (known.kind, &known.schema),
            None if object_type.starts_with("x-") => (Kind::Versioned, &self.custom),
            None => {
                let hint = if object_type == "bundle" {
                    " (validate the objects of a bundle one by one)"
                } else {
                    ""
                };
                reasons.push(format!(
                    "/type: {} is not a STIX 2.1 object type{hint}",
                    quoted(object_type)
                ));
                return Err(reasons.into_invalid());
            }
        };

        // Checked here, with plain messages; the schema's own errors on these paths are dropped.
        let mut checked: Vec<&'static str> = Vec::new();
        let id = check_id(map, object_type, &mut reasons, &mut checked);
        let spec_version = check_spec_version(map, kind, &mut reasons, &mut checked);
        check_modified_after_created(map, &mut reasons);
        if object_type == "indicator" {
            check_pattern(map, &mut reasons);
        }

        if !schema.is_valid(object) {
            for error in schema.iter_errors(object) {
                reasons.push_schema_error(&error, &checked);
            }
            if reasons.is_empty() {
                reasons.push(format!(
                    "/: does not match the STIX 2.1 schema of {}",
                    quoted(object_type)
                ));
            }
        }

        if object_type == "marking-definition"
            && map
                .get("extensions")
                .and_then(Value::as_object)
                .is_some_and(|extensions| extensions.contains_key(tlp::EXTENSION_ID))
            && !self.tlp2.is_valid(object)
        {
            reasons.push(
                "/: a marking definition with the TLP 2.0 extension must be one of the five \
                 official TLP 2.0 marking definitions"
                    .to_owned(),
            );
            for error in self.tlp2.iter_errors(object) {
                reasons.push_schema_error(&error, &checked);
            }
        }

        match (reasons.is_empty(), id) {
            (true, Some(id)) => Ok(ObjectMeta {
                id: id.to_owned(),
                object_type: object_type.to_owned(),
                spec_version: spec_version.unwrap_or("2.1").to_owned(),
                version: version(map).to_owned(),
            }),
            _ => Err(reasons.into_invalid()),
        }
    }
}

/// The text of an embedded schema by its path under `schemas/`.
fn schema_text(path: &str) -> &'static str {
    schemas::SCHEMAS
        .iter()
        .find(|(candidate, _)| *candidate == path)
        .map(|&(_, text)| text)
        .unwrap_or("")
}

/// Compiles one embedded schema. Every pattern in the schemas is a plain regular expression, so
/// the `regex` engine serves them (the default, `fancy-regex`, only adds a layer above it).
fn compile(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("the embedded schemas are JSON");
    jsonschema::options()
        .with_retriever(Embedded)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .with_keyword(properties::KEYWORD, properties::factory)
        .build(&schema)
        .expect("the embedded schemas compile and every $ref resolves to an embedded file")
}

/// Resolves every `$ref` from the embedded schemas; never fetches. `common/properties.json` is
/// served with its rules as a custom keyword (see [`properties`]).
struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let text = uri
            .strip_prefix(schemas::SCHEMA_BASE)
            .map(schema_text)
            .filter(|text| !text.is_empty())
            .ok_or_else(|| format!("{uri} is not an embedded STIX 2.1 schema"))?;
        let mut schema: Value = serde_json::from_str(text)?;
        if uri.ends_with("/common/properties.json") {
            properties::rewrite(&mut schema);
        }
        Ok(schema)
    }
}

/// `id` is `<type>--<UUID>`; returns it when it is.
fn check_id<'a>(
    map: &'a Map<String, Value>,
    object_type: &str,
    reasons: &mut Reasons,
    checked: &mut Vec<&'static str>,
) -> Option<&'a str> {
    let reason = match map.get("id") {
        None => "missing required property".to_owned(),
        Some(Value::String(id)) => match id
            .strip_prefix(object_type)
            .and_then(|rest| rest.strip_prefix("--"))
        {
            Some(uuid) if is_uuid(uuid) => return Some(id),
            Some(_) => format!("{} is not \"{object_type}--<UUID>\"", quoted(id)),
            None => format!("must start with \"{object_type}--\""),
        },
        Some(other) => format!("{} is not a string", json_kind(other)),
    };
    reasons.push(format!("/id: {reason}"));
    checked.push("/id");
    None
}

/// `spec_version` is "2.1" (and present, except on SCOs); returns it when present and right.
fn check_spec_version<'a>(
    map: &'a Map<String, Value>,
    kind: Kind,
    reasons: &mut Reasons,
    checked: &mut Vec<&'static str>,
) -> Option<&'a str> {
    let reason = match map.get("spec_version") {
        None if kind == Kind::Observable => return None,
        None => "missing required property".to_owned(),
        Some(Value::String(version)) if version == "2.1" => return Some(version),
        Some(other) => format!("must be \"2.1\", not {}", short_json(other)),
    };
    reasons.push(format!("/spec_version: {reason}"));
    checked.push("/spec_version");
    None
}

/// `modified` is not earlier than `created` (when both are well-formed timestamps).
fn check_modified_after_created(map: &Map<String, Value>, reasons: &mut Reasons) {
    let timestamp = |key| map.get(key).and_then(Value::as_str).and_then(timestamp_key);
    if let (Some(created), Some(modified)) = (timestamp("created"), timestamp("modified"))
        && modified < created
    {
        reasons.push("/modified: is earlier than created".to_owned());
    }
}

/// An indicator's `pattern` is a valid STIX pattern when its `pattern_type` is `stix` (the
/// spec's vocabulary value, lower case); other pattern languages (sigma, snort, yara, …) are not
/// parsed. A missing or non-string `pattern` is left to the schema.
fn check_pattern(map: &Map<String, Value>, reasons: &mut Reasons) {
    if map.get("pattern_type").and_then(Value::as_str) != Some("stix") {
        return;
    }
    if let Some(text) = map.get("pattern").and_then(Value::as_str)
        && let Err(error) = pattern::validate(text)
    {
        reasons.push(format!("/pattern: invalid STIX pattern {error}"));
    }
}

/// A key that orders `YYYY-MM-DDTHH:MM:SS[.fff…]Z` timestamps by time whatever their precision:
/// the seconds, then the fraction digits without trailing zeros.
fn timestamp_key(timestamp: &str) -> Option<(&str, &str)> {
    let body = timestamp.strip_suffix('Z')?;
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, ""));
    (seconds.len() == 19 && fraction.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (seconds, fraction.trim_end_matches('0')))
}

fn version(map: &Map<String, Value>) -> &str {
    ["modified", "created"]
        .into_iter()
        .find_map(|key| map.get(key).and_then(Value::as_str))
        .unwrap_or(UNVERSIONED)
}

/// 8-4-4-4-12 hexadecimal digits (the schemas further require an RFC 4122 version and variant).
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

/// The JSON text of a scalar, or the kind of an array or object.
fn short_json(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => json_kind(value).to_owned(),
        scalar => scalar.to_string(),
    }
}

/// `text` cut to at most `max` characters, marked with `…` when cut.
fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Reasons in the order found, without duplicates, at most [`MAX_REASONS`].
#[derive(Default)]
struct Reasons(Vec<String>);

impl Reasons {
    fn push(&mut self, reason: String) {
        let reason = shortened(&reason, MAX_REASON_CHARS);
        if self.0.len() < MAX_REASONS && !self.0.contains(&reason) {
            self.0.push(reason);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn into_invalid(self) -> Invalid {
        Invalid { reasons: self.0 }
    }

    /// One schema error as `<path>: <message>`, unless its path was `checked` already. A failed
    /// `oneOf`/`anyOf` reports the errors of its closest branch when that branch has few.
    fn push_schema_error(&mut self, error: &ValidationError<'_>, checked: &[&str]) {
        let path = error.instance_path().as_str();
        if checked.contains(&path) {
            return;
        }
        let shown_path = if path.is_empty() { "/" } else { path };
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let mut full = path.to_owned();
                full.push('/');
                match property.as_str() {
                    Some(name) => full.push_str(name),
                    None => {
                        let _ = write!(full, "{property}");
                    }
                }
                if !checked.contains(&full.as_str()) {
                    self.push(format!("{full}: missing required property"));
                }
            }
            ValidationErrorKind::OneOfNotValid { context }
            | ValidationErrorKind::AnyOf { context } => {
                let closest = context
                    .iter()
                    .filter(|branch| !branch.is_empty())
                    .min_by_key(|branch| branch.len());
                match closest {
                    Some(branch) if branch.len() <= 3 => {
                        for error in branch {
                            self.push_schema_error(error, checked);
                        }
                    }
                    _ => self.push(format!(
                        "{shown_path}: is not valid under any of the schemas in '{}'",
                        error.kind().keyword()
                    )),
                }
            }
            ValidationErrorKind::Custom { keyword, message } if keyword == properties::KEYWORD => {
                // `message` is `<property>: <why>`.
                let full = format!("{path}/{message}");
                if !checked
                    .iter()
                    .any(|field| full.starts_with(&format!("{field}:")))
                {
                    self.push(full);
                }
            }
            ValidationErrorKind::Pattern { pattern } => {
                let value = short_json(error.instance());
                self.push(format!(
                    "{shown_path}: {} does not match \"{}\"",
                    shortened(&value, 80),
                    shortened(pattern, 80)
                ));
            }
            ValidationErrorKind::Not { schema } => self.push(format!(
                "{shown_path}: must not match {}",
                shortened(&schema.to_string(), 120)
            )),
            _ if matches!(
                error.instance().as_ref(),
                Value::Array(_) | Value::Object(_)
            ) =>
            {
                let message = error.masked_with(json_kind(error.instance())).to_string();
                self.push(format!("{shown_path}: {message}"));
            }
            _ => self.push(format!("{shown_path}: {error}")),
        }
    }
}
