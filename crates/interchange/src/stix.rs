//! STIX 2.1 bundles: assets as `infrastructure` objects, dependencies as `relationship` objects
//! of type `depends-on` (source = dependent, target = provider). Every model field travels in
//! an `x_meridian_<field>` custom property; ids are UUIDv5 of the asset id (or of dependent and
//! provider) in a fixed namespace and timestamps are fixed, so export is deterministic.
//!
//! Bundles written by other tools: an `infrastructure` without `x_meridian_id` takes its STIX id
//! as asset id and its `name`, and must carry `x_meridian_country`; relationship ends without
//! `x_meridian_dependent`/`x_meridian_provider` are resolved through the bundle's infrastructure
//! objects (else the STIX id is the asset id). Other object and relationship types are ignored.
//!
//! Every object must be a STIX object: a `type`, an `id` `<type>--<RFC 4122 UUID>` (compared
//! case-insensitively: STIX ids are kept in lower case) and STIX timestamps (`created` and
//! `modified` are required on infrastructure and relationship objects); a problem is an error
//! with the object's path (`objects[3].id`) and line, and then nothing is imported.

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use model::{Asset, Atlas, Dependency};

use crate::json::{Records, document_error, join_path, offset_in};
use crate::text::{LineCounter, utf8};
use crate::{ExportError, ImportError, Parsed, sorted};

/// Namespace of Meridian's UUIDv5 STIX ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x6d3c_1f0e_9b7a_4e52_8c41_0a2f_5e6d_7b90);
/// `created` and `modified` of every exported object.
const TIMESTAMP: &str = "2020-01-01T00:00:00.000Z";
const PREFIX: &str = "x_meridian_";

/// The STIX id of an asset's `infrastructure` object (UUID v5 of its id).
pub fn infrastructure_id(asset_id: &str) -> String {
    format!(
        "infrastructure--{}",
        Uuid::new_v5(&NAMESPACE, asset_id.as_bytes())
    )
}

/// Ids cannot contain control characters (model validation), so `\n` separates them safely.
fn relationship_id(dependent: &str, provider: &str) -> String {
    let name = format!("{dependent}\n{provider}");
    format!(
        "relationship--{}",
        Uuid::new_v5(&NAMESPACE, name.as_bytes())
    )
}

/// STIX `infrastructure-type-ov` for an asset kind, and back for objects of other tools.
fn infrastructure_type(kind: &str) -> &'static str {
    match kind {
        "network" => "routers-switches",
        _ => "unknown",
    }
}

fn kind_of_infrastructure_type(ty: &str) -> &str {
    match ty {
        "routers-switches" => "network",
        "unknown" => "",
        other => other,
    }
}

/// A STIX identifier `<type>--<UUID>`: the UUID in RFC 4122 form (8-4-4-4-12 hex digits, the
/// RFC 4122 variant, a defined version), the type `expected_type` when given. Returns the id in
/// lower case, the form ids are compared in (STIX ids compare case-insensitively).
fn stix_identifier(id: &str, expected_type: Option<&str>) -> Result<String, String> {
    let Some((ty, uuid)) = id.split_once("--") else {
        return Err(format!("{id:?} is not a STIX identifier (<type>--<UUID>)"));
    };
    if let Some(expected) = expected_type
        && !ty.eq_ignore_ascii_case(expected)
    {
        return Err(format!(
            "{id:?} is not an identifier of a {expected:?} object (<type>--<UUID>)"
        ));
    }
    let valid_type = !ty.is_empty() && ty.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let hyphenated = uuid.len() == 36
        && uuid.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let rfc4122 = hyphenated
        && Uuid::parse_str(uuid).is_ok_and(|u| {
            u.get_variant() == uuid::Variant::RFC4122 && (1..=8).contains(&u.get_version_num())
        });
    if !valid_type || !rfc4122 {
        return Err(format!(
            "{id:?} is not a STIX identifier: <type>--<UUID> with an RFC 4122 UUID \
             (xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx, version M in 1..8, variant N in 8, 9, a, b)"
        ));
    }
    Ok(id.to_ascii_lowercase())
}

/// A STIX timestamp: RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.s+]Z`, with a real date and time.
fn is_stix_timestamp(s: &str) -> bool {
    ident::stix_timestamp_problem(s).is_none()
}

/// Timestamp properties of the STIX 2.1 objects a bundle may carry.
const TIMESTAMPS: [&str; 8] = [
    "created",
    "modified",
    "first_seen",
    "last_seen",
    "start_time",
    "stop_time",
    "valid_from",
    "valid_until",
];

#[derive(Deserialize)]
struct Bundle<'a> {
    #[serde(rename = "type")]
    ty: String,
    #[serde(borrow, default)]
    objects: Vec<&'a RawValue>,
}

/// One object of the bundle, kept until the ids of all infrastructure objects are known.
struct Object {
    index: usize,
    line: usize,
    properties: Map<String, Value>,
}

impl Object {
    fn path(&self) -> String {
        format!("objects[{}]", self.index)
    }

    fn str(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(Value::as_str)
    }

    /// The `x_meridian_*` properties without the prefix: the model's fields.
    fn meridian_fields(&self) -> Map<String, Value> {
        self.properties
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(PREFIX).map(|k| (k.to_owned(), v.clone())))
            .collect()
    }
}

impl Records<'_> {
    /// Checks what every STIX object has: a `type`, an `id` of that type with an RFC 4122 UUID,
    /// and STIX timestamps (`created` and `modified` required on the infrastructure and
    /// relationship objects read here). Reports each problem; false when the object is bad.
    fn common_properties(&mut self, object: &Object) -> bool {
        let mut good = true;
        let ty = match object.properties.get("type") {
            Some(Value::String(ty)) if !ty.is_empty() => Some(ty.as_str()),
            Some(_) => {
                self.object_error(object, "type", "type is not a non-empty string");
                return false;
            }
            None => {
                self.object_error(object, "type", "STIX object has no type");
                good = false;
                None
            }
        };
        match object.properties.get("id") {
            Some(Value::String(id)) => {
                if let Err(message) = stix_identifier(id, ty) {
                    self.object_error(object, "id", message);
                    good = false;
                }
            }
            Some(_) => {
                self.object_error(object, "id", "id is not a string");
                good = false;
            }
            None => {
                let what = ty.map_or("STIX object".to_owned(), |t| format!("{t} object"));
                self.object_error(object, "id", format!("{what} has no id"));
                good = false;
            }
        }
        let ours = matches!(ty, Some("infrastructure" | "relationship"));
        for name in TIMESTAMPS {
            match object.properties.get(name) {
                Some(Value::String(t)) if is_stix_timestamp(t) => {}
                Some(value) => {
                    let message = format!(
                        "{value} is not a STIX timestamp (RFC 3339 in UTC: \
                         YYYY-MM-DDTHH:MM:SS[.s+]Z)"
                    );
                    self.object_error(object, name, message);
                    good = false;
                }
                None if ours && matches!(name, "created" | "modified") => {
                    let message = format!("{} object has no {name}", ty.unwrap_or_default());
                    self.object_error(object, name, message);
                    good = false;
                }
                None => {}
            }
        }
        if ty == Some("relationship") {
            for reference in ["source_ref", "target_ref"] {
                if let Some(value) = object.properties.get(reference) {
                    let checked = value
                        .as_str()
                        .ok_or_else(|| format!("{value} is not a string"))
                        .and_then(|r| stix_identifier(r, None));
                    if let Err(message) = checked {
                        self.object_error(object, reference, message);
                        good = false;
                    }
                }
            }
        }
        good
    }

    fn object_error(&mut self, object: &Object, property: &str, message: impl Into<String>) {
        self.error(object.line, &join_path(&object.path(), property), message);
    }

    /// Keeps the asset of an `infrastructure` object and returns (STIX id, asset id), for
    /// relationships to refer to.
    fn infrastructure(&mut self, object: &Object) -> Option<(String, String)> {
        let Some(stix_id) = object.str("id").map(str::to_ascii_lowercase) else {
            self.object_error(object, "id", "infrastructure object has no id");
            return None;
        };
        let stix_id = stix_id.as_str();
        let mut fields = object.meridian_fields();
        if !fields.contains_key("id") {
            fields.insert("id".to_owned(), stix_id.into());
            if let Some(name) = object.properties.get("name") {
                fields.entry("name").or_insert_with(|| name.clone());
            }
            let types = object
                .properties
                .get("infrastructure_types")
                .and_then(Value::as_array);
            if let Some(ty) = types.and_then(|t| t.first()).and_then(Value::as_str) {
                fields
                    .entry("kind")
                    .or_insert_with(|| kind_of_infrastructure_type(ty).into());
            }
        }
        if !fields.contains_key("country") {
            let message = format!("infrastructure {stix_id:?} has no x_meridian_country");
            self.object_error(object, "x_meridian_country", message);
            return None;
        }
        let asset_id = fields.get("id").and_then(Value::as_str).map(str::to_owned);
        self.keep::<Asset, _>(Value::Object(fields), object.line, &object.path(), PREFIX);
        asset_id.map(|asset_id| (stix_id.to_owned(), asset_id))
    }

    fn relationship(&mut self, object: &Object, asset_ids: &HashMap<String, String>) {
        let mut fields = object.meridian_fields();
        for (field, reference) in [("dependent", "source_ref"), ("provider", "target_ref")] {
            if fields.contains_key(field) {
                continue;
            }
            let Some(stix_id) = object.str(reference) else {
                self.object_error(
                    object,
                    reference,
                    format!("relationship has no {reference}"),
                );
                return;
            };
            let stix_id = stix_id.to_ascii_lowercase();
            let asset_id = asset_ids.get(&stix_id).cloned().unwrap_or(stix_id);
            fields.insert(field.to_owned(), asset_id.into());
        }
        self.keep::<Dependency, _>(Value::Object(fields), object.line, &object.path(), PREFIX);
    }
}

/// Parses a STIX 2.1 bundle. Collects every error of the file.
pub fn parse_stix(file: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    let text =
        utf8(bytes).map_err(|(line, m)| vec![ImportError::new(file, Some(line), None, m)])?;
    let bundle: Bundle = serde_json::from_str(text).map_err(|e| vec![document_error(file, &e)])?;
    if bundle.ty != "bundle" {
        let message = format!("expected a STIX bundle, found type {:?}", bundle.ty);
        return Err(vec![ImportError::new(file, None, Some("type"), message)]);
    }
    let mut records = Records::new(file);
    let mut lines = LineCounter::new(text.as_bytes());
    let mut infrastructures = Vec::new();
    let mut relationships = Vec::new();
    for (index, raw) in bundle.objects.iter().enumerate() {
        let line = lines.line_at(offset_in(text, raw));
        let Ok(properties) = serde_json::from_str::<Map<String, Value>>(raw.get()) else {
            records.error(line, &format!("objects[{index}]"), "is not an object");
            continue;
        };
        let object = Object {
            index,
            line,
            properties,
        };
        if !records.common_properties(&object) {
            continue;
        }
        match (object.str("type"), object.str("relationship_type")) {
            (Some("infrastructure"), _) => infrastructures.push(object),
            (Some("relationship"), Some("depends-on")) => relationships.push(object),
            _ => {}
        }
    }
    let asset_ids: HashMap<String, String> = infrastructures
        .iter()
        .filter_map(|object| records.infrastructure(object))
        .collect();
    for object in &relationships {
        records.relationship(object, &asset_ids);
    }
    records.finish()
}

/// Adds a record's non-default model fields as `x_meridian_*` properties.
fn add_custom_properties(
    record: &impl serde::Serialize,
    object: &mut Map<String, Value>,
) -> Result<(), ExportError> {
    if let Value::Object(fields) = serde_json::to_value(record)? {
        for (name, value) in fields {
            let default = match &value {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                Value::Bool(_) | Value::Number(_) => false,
            };
            if !default {
                object.insert(format!("{PREFIX}{name}"), value);
            }
        }
    }
    Ok(())
}

/// The properties every exported object starts with.
fn common(ty: &str, id: String) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("type".to_owned(), ty.into());
    object.insert("spec_version".to_owned(), "2.1".into());
    object.insert("id".to_owned(), id.into());
    object.insert("created".to_owned(), TIMESTAMP.into());
    object.insert("modified".to_owned(), TIMESTAMP.into());
    object
}

fn infrastructure(asset: &Asset) -> Result<Value, ExportError> {
    let name = if asset.name.is_empty() {
        &asset.id
    } else {
        &asset.name
    };
    let mut object = common("infrastructure", infrastructure_id(&asset.id));
    object.insert("name".to_owned(), name.as_str().into());
    object.insert(
        "infrastructure_types".to_owned(),
        json!([infrastructure_type(&asset.kind)]),
    );
    add_custom_properties(asset, &mut object)?;
    Ok(Value::Object(object))
}

fn relationship(dependency: &Dependency) -> Result<Value, ExportError> {
    let id = relationship_id(&dependency.dependent, &dependency.provider);
    let mut object = common("relationship", id);
    object.insert("relationship_type".to_owned(), "depends-on".into());
    object.insert(
        "source_ref".to_owned(),
        infrastructure_id(&dependency.dependent).into(),
    );
    object.insert(
        "target_ref".to_owned(),
        infrastructure_id(&dependency.provider).into(),
    );
    add_custom_properties(dependency, &mut object)?;
    Ok(Value::Object(object))
}

/// Writes the atlas as a STIX 2.1 bundle (pretty-printed JSON, canonical order). The bundle id
/// is a UUIDv5 of its objects, so equal atlases give equal bytes.
pub fn write_stix_to<W: Write>(atlas: &Atlas, out: W) -> Result<(), ExportError> {
    let (assets, dependencies) = sorted(atlas);
    let mut objects = Vec::with_capacity(assets.len() + dependencies.len());
    for asset in assets {
        objects.push(infrastructure(asset)?);
    }
    for dependency in dependencies {
        objects.push(relationship(dependency)?);
    }
    let id = Uuid::new_v5(&NAMESPACE, &serde_json::to_vec(&objects)?);
    let bundle = json!({ "type": "bundle", "id": format!("bundle--{id}"), "objects": objects });
    let mut out = BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &bundle)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
