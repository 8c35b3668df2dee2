//! TLP markings: the TLP 2.0 marking definitions (the FIRST/OASIS extension
//! `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`) and the four predefined
//! TLP 1.0 marking definitions of STIX 2.1 (TLP:WHITE reads as CLEAR).

use std::collections::HashMap;
use std::sync::LazyLock;

pub use model::Tlp;
use serde_json::Value;

use crate::schemas;

/// The id of the TLP 2.0 extension-definition carried by the TLP 2.0 marking definitions.
pub const EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// TLP 2.0 marking-definition ids, in the order of [`Tlp::ALL`].
const TLP2_IDS: [&str; 5] = [
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
];

/// The predefined TLP 1.0 marking definitions of STIX 2.1 (created 2017-01-20).
const TLP1_IDS: [(&str, Tlp); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        Tlp::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        Tlp::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        Tlp::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        Tlp::Red,
    ),
];

/// The object inside one of the embedded single-object bundles of `tlp2/`.
fn bundled_object(text: &str) -> Value {
    let mut bundle: Value = serde_json::from_str(text).expect("the embedded tlp2/ files are JSON");
    bundle
        .get_mut("objects")
        .and_then(|objects| objects.get_mut(0))
        .map(Value::take)
        .expect("each embedded tlp2/ file is a bundle holding one object")
}

static MARKINGS: LazyLock<[Value; 5]> =
    LazyLock::new(|| schemas::TLP2_MARKINGS.map(bundled_object));

static EXTENSION_DEFINITION: LazyLock<Value> =
    LazyLock::new(|| bundled_object(schemas::TLP2_EXTENSION_DEFINITION));

fn index(tlp: Tlp) -> usize {
    match tlp {
        Tlp::Clear => 0,
        Tlp::Green => 1,
        Tlp::Amber => 2,
        Tlp::AmberStrict => 3,
        Tlp::Red => 4,
    }
}

/// The id of the TLP 2.0 marking definition of `tlp`.
pub fn marking_id(tlp: Tlp) -> &'static str {
    TLP2_IDS[index(tlp)]
}

/// The TLP of a marking-definition id: the five TLP 2.0 ids and the four TLP 1.0 ids
/// (WHITE is CLEAR), compared as STIX compares identifiers (the UUID part is case-insensitive,
/// RFC 4122). `None` for any other marking.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    Tlp::ALL
        .into_iter()
        .find(|&tlp| marking_id(tlp).eq_ignore_ascii_case(id))
        .or_else(|| {
            TLP1_IDS
                .iter()
                .find(|(tlp1, _)| tlp1.eq_ignore_ascii_case(id))
                .map(|&(_, tlp)| tlp)
        })
}

/// What a marking definition says about sharing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A TLP label.
    Tlp(Tlp),
    /// A marking that restricts nothing this hub enforces: a `statement` (copyright, terms of
    /// use) that names no TLP label.
    NotTlp,
    /// A marking this hub cannot read: unknown id, unknown definition type or extension, a
    /// malformed definition, a statement that mentions TLP ambiguously. It counts as RED.
    Unreadable,
}

/// Reads a `marking-definition` object: TLP 2.0 (the FIRST/OASIS extension's `tlp_2_0`), TLP
/// 1.0 (`definition_type` `tlp`), or a `statement`, whose text is searched for TLP labels
/// (some tools, MISP among them, write TLP as statement markings with ids of their own).
pub fn read_definition(definition: &Value) -> Reading {
    if let Some(id) = definition.get("id").and_then(Value::as_str)
        && let Some(tlp) = tlp_of_marking(id)
    {
        return Reading::Tlp(tlp);
    }
    if let Some(extension) = definition
        .get("extensions")
        .and_then(|extensions| extensions.get(EXTENSION_ID))
    {
        return extension
            .get("tlp_2_0")
            .and_then(Value::as_str)
            .and_then(Tlp::parse)
            .map_or(Reading::Unreadable, Reading::Tlp);
    }
    let body = definition.get("definition");
    match definition.get("definition_type").and_then(Value::as_str) {
        Some("tlp") => body
            .and_then(|d| d.get("tlp"))
            .and_then(Value::as_str)
            .and_then(|label| match label {
                "white" => Some(Tlp::Clear),
                "green" => Some(Tlp::Green),
                "amber" => Some(Tlp::Amber),
                "red" => Some(Tlp::Red),
                _ => None,
            })
            .map_or(Reading::Unreadable, Reading::Tlp),
        Some("statement") => body
            .and_then(|d| d.get("statement"))
            .and_then(Value::as_str)
            .map_or(Reading::Unreadable, read_statement),
        _ => Reading::Unreadable,
    }
}

/// The TLP labels a free-text statement names: the most restrictive one; `NotTlp` when it
/// does not mention TLP (or the Traffic Light Protocol) at all; `Unreadable` when it does but
/// no label follows.
fn read_statement(text: &str) -> Reading {
    let upper = text.to_ascii_uppercase();
    if !upper.contains("TLP") && !upper.contains("TRAFFIC LIGHT") {
        return Reading::NotTlp;
    }
    let mut found: Option<Tlp> = None;
    for (at, _) in upper.match_indices("TLP") {
        let rest = upper[at + 3..].trim_start_matches([':', ' ', '-', '_', '\t']);
        let label = [
            ("AMBER+STRICT", Tlp::AmberStrict),
            ("AMBER STRICT", Tlp::AmberStrict),
            ("AMBER", Tlp::Amber),
            ("WHITE", Tlp::Clear),
            ("CLEAR", Tlp::Clear),
            ("GREEN", Tlp::Green),
            ("RED", Tlp::Red),
        ]
        .into_iter()
        .find(|(word, _)| rest.starts_with(word))
        .map(|(_, tlp)| tlp);
        let Some(label) = label else {
            return Reading::Unreadable;
        };
        found = found.max(Some(label));
    }
    found.map_or(Reading::Unreadable, Reading::Tlp)
}

/// The marking definitions a reader of labels knows besides the nine well-known TLP ones: those
/// that came with the objects (the same envelope or bundle) or were stored before them.
/// Identifiers are keyed in lower case, as STIX compares them.
#[derive(Clone, Debug, Default)]
pub struct Definitions {
    known: HashMap<String, Reading>,
}

impl Definitions {
    pub fn new() -> Definitions {
        Definitions::default()
    }

    /// Adds `object` if it is a marking definition with an id; anything else is ignored.
    pub fn add(&mut self, object: &Value) {
        if object.get("type").and_then(Value::as_str) != Some("marking-definition") {
            return;
        }
        if let Some(id) = object.get("id").and_then(Value::as_str) {
            self.known
                .insert(id.to_ascii_lowercase(), read_definition(object));
        }
    }

    /// What the marking `id` says: a well-known TLP id, a known definition, else unreadable.
    pub fn reading(&self, id: &str) -> Reading {
        if let Some(tlp) = tlp_of_marking(id) {
            return Reading::Tlp(tlp);
        }
        self.known
            .get(&id.to_ascii_lowercase())
            .copied()
            .unwrap_or(Reading::Unreadable)
    }

    /// Whether `id` is one of the well-known TLP ids or a definition added here.
    pub fn knows(&self, id: &str) -> bool {
        tlp_of_marking(id).is_some() || self.known.contains_key(&id.to_ascii_lowercase())
    }
}

/// An object's effective TLP label, failing closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The most restrictive label its markings give; `None` when it carries no marking that
    /// says anything about sharing (the installation's default applies). Any marking that
    /// cannot be read makes it RED.
    pub tlp: Option<Tlp>,
    /// Marking ids that were not known (each counted as RED): a caller that can look more
    /// definitions up (the store) may add them and label again.
    pub unknown: Vec<String>,
}

/// The label of `object` from its `object_marking_refs` and `granular_markings` (a granular
/// marking restricts the whole object: the hub does not redact parts). Fails closed: a value
/// that is not a JSON object, marking refs that are not an array of strings, a granular marking
/// without a `marking_ref` or `lang`, and every marking `definitions` cannot read give RED.
pub fn label(object: &Value, definitions: &Definitions) -> Label {
    let mut label = Label {
        tlp: None,
        unknown: Vec::new(),
    };
    let Some(object) = object.as_object() else {
        label.tlp = Some(Tlp::Red);
        return label;
    };
    let mut refs: Vec<Option<&str>> = Vec::new();
    match object.get("object_marking_refs") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => refs.extend(items.iter().map(Value::as_str)),
        Some(_) => refs.push(None),
    }
    match object.get("granular_markings") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item.get("marking_ref") {
                    Some(marking) => refs.push(marking.as_str()),
                    None if item.get("lang").is_some_and(Value::is_string) => {}
                    None => refs.push(None),
                }
            }
        }
        Some(_) => refs.push(None),
    }
    for marking in refs {
        let reading = match marking {
            None => Reading::Unreadable,
            Some(id) => {
                if !definitions.knows(id) {
                    label.unknown.push(id.to_ascii_lowercase());
                }
                definitions.reading(id)
            }
        };
        let tlp = match reading {
            Reading::Tlp(tlp) => tlp,
            Reading::NotTlp => continue,
            Reading::Unreadable => Tlp::Red,
        };
        label.tlp = label.tlp.max(Some(tlp));
    }
    label.unknown.sort_unstable();
    label.unknown.dedup();
    label
}

/// The label of `object` knowing only the well-known TLP markings: any other marking is RED.
/// `None` when it carries no marking at all.
pub fn tlp_of(object: &Value) -> Option<Tlp> {
    label(object, &Definitions::new()).tlp
}

/// The official TLP 2.0 marking-definition object of `tlp` (from `tlp2/`), for serving next to
/// the objects it marks.
pub fn marking_definition(tlp: Tlp) -> Value {
    MARKINGS[index(tlp)].clone()
}

/// The TLP 2.0 extension-definition object (from `tlp2/`).
pub fn extension_definition() -> Value {
    EXTENSION_DEFINITION.clone()
}

/// Marks `object` with the TLP 2.0 marking of `tlp`: every TLP marking ref (2.0 or 1.0) is
/// removed from `object_marking_refs`, other markings are kept, and the TLP 2.0 id is appended.
/// Does nothing if `object` is not a JSON object.
pub fn set_marking(object: &mut Value, tlp: Tlp) {
    let Some(object) = object.as_object_mut() else {
        return;
    };
    let id = Value::from(marking_id(tlp));
    match object.get_mut("object_marking_refs") {
        Some(Value::Array(refs)) => {
            refs.retain(|marking| marking.as_str().and_then(tlp_of_marking).is_none());
            refs.push(id);
        }
        // Absent or malformed: `insert` replaces a malformed value where it stands.
        _ => {
            object.insert("object_marking_refs".to_owned(), Value::Array(vec![id]));
        }
    }
}
