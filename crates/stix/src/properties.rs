//! `common/properties.json` (the rules for property names and values that every STIX object,
//! SCO and extension applies) as a custom keyword: the same rules without regular expressions.
//!
//! The schema states them as three `patternProperties` and `additionalProperties: false`:
//! - `^[a-z][a-z0-9_]{0,245}_bin$`: the value is `binary.json` (a base64 string);
//! - `^[a-z][a-z0-9_]{0,245}_hex$`: the value is `hex.json` (a hexadecimal string);
//! - `^([a-z][a-z0-9_]{2,249})|id$` (a name starting with three such characters, or ending with
//!   `id`): the value is a non-empty array, a string, a number, a boolean or an object;
//! - any other name is refused.
//!
//! Every property of every object runs through these three patterns, and the bounded repetitions
//! make them the slowest part of validation (more than half of the time of an indicator). When the
//! embedded `properties.json` holds exactly these rules, [`rewrite`] replaces them with the
//! keyword [`KEYWORD`]; otherwise the schema is used as it is. `tests.rs` checks that both agree.

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError};
use serde_json::{Map, Value, json};

/// The custom keyword that stands for the rules of `properties.json`.
pub(crate) const KEYWORD: &str = "stixPropertyRules";

/// Replaces the rules of `properties.json` with [`KEYWORD`] if they are the ones implemented here.
pub(crate) fn rewrite(schema: &mut Value) {
    let expected = json!({
        "^[a-z][a-z0-9_]{0,245}_bin$": { "$ref": "../common/binary.json" },
        "^[a-z][a-z0-9_]{0,245}_hex$": { "$ref": "../common/hex.json" },
        "^([a-z][a-z0-9_]{2,249})|id$": { "anyOf": [
            { "type": "array", "minItems": 1 }, { "type": "string" }, { "type": "integer" },
            { "type": "boolean" }, { "type": "number" }, { "type": "object" }
        ] }
    });
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if map.get("patternProperties") == Some(&expected)
        && map.get("additionalProperties") == Some(&Value::Bool(false))
    {
        map.remove("patternProperties");
        map.remove("additionalProperties");
        map.insert(KEYWORD.to_owned(), Value::Bool(true));
    }
}

/// The factory registered for [`KEYWORD`].
pub(crate) fn factory<'a>(
    _parent: &'a Map<String, Value>,
    _value: &'a Value,
    _path: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    Ok(Box::new(PropertyRules))
}

struct PropertyRules;

impl<'i> Keyword<'i> for PropertyRules {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match errors(instance).next() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_object().is_none_or(|map| {
            map.iter()
                .all(|(name, value)| problem(name, value).is_none())
        })
    }

    fn iter_errors(
        &self,
        instance: &'i Value,
    ) -> Box<dyn Iterator<Item = ValidationError<'i>> + 'i> {
        Box::new(errors(instance))
    }
}

/// One error per refused property; the message is `<escaped name>: <why>` (the name is a JSON
/// pointer segment below the error's instance path).
fn errors<'i>(instance: &'i Value) -> impl Iterator<Item = ValidationError<'i>> + 'i {
    instance
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| {
            let why = problem(name, value)?;
            let name = name.replace('~', "~0").replace('/', "~1");
            let error: ValidationError<'i> = ValidationError::custom(format!("{name}: {why}"));
            Some(error)
        })
}

/// Why the property `name` with `value` breaks the rules, if it does.
pub(crate) fn problem(name: &str, value: &Value) -> Option<&'static str> {
    let binary = is_suffixed_name(name, "_bin");
    let hex = is_suffixed_name(name, "_hex");
    let general = is_general_name(name);
    if !(binary || hex || general) {
        return Some(
            "property name not allowed (lowercase ASCII letters, digits and '_', \
             at least 3 characters, the first a letter)",
        );
    }
    if binary && !value.as_str().is_some_and(is_base64) {
        return Some("must be a base64 string (a *_bin property)");
    }
    if hex && !value.as_str().is_some_and(is_hex) {
        return Some("must be a hexadecimal string (a *_hex property)");
    }
    if general && (value.is_null() || value.as_array().is_some_and(Vec::is_empty)) {
        return Some("must not be null or an empty array");
    }
    None
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

/// `^[a-z][a-z0-9_]{0,245}<suffix>$` for a four-character suffix made of name characters.
fn is_suffixed_name(name: &str, suffix: &str) -> bool {
    let bytes = name.as_bytes();
    (5..=250).contains(&bytes.len())
        && name.ends_with(suffix)
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().copied().all(is_name_byte)
}

/// `^([a-z][a-z0-9_]{2,249})|id$`: unanchored at the end, so only the first three characters
/// count; or any name ending with `id`.
fn is_general_name(name: &str) -> bool {
    match name.as_bytes() {
        [first, second, third, ..] => {
            (first.is_ascii_lowercase() && is_name_byte(*second) && is_name_byte(*third))
                || name.ends_with("id")
        }
        _ => name.ends_with("id"),
    }
}

/// `binary.json`: `^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$`.
fn is_base64(text: &str) -> bool {
    let is_digit = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let bytes = text.as_bytes();
    let len = bytes.len();
    if len == 0 || !len.is_multiple_of(4) {
        return false;
    }
    let padding = match (bytes[len - 2], bytes[len - 1]) {
        (b'=', b'=') => 2,
        (_, b'=') => 1,
        _ => 0,
    };
    bytes[..len - padding].iter().copied().all(is_digit)
}

/// `hex.json`: `^([a-fA-F0-9]{2})+$`.
fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.len().is_multiple_of(2) && text.bytes().all(|b| b.is_ascii_hexdigit())
}
