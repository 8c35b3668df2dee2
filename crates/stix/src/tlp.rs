//! TLP markings: the TLP 2.0 marking definitions (the FIRST/OASIS extension
//! `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`) and the four predefined
//! TLP 1.0 marking definitions of STIX 2.1 (TLP:WHITE reads as CLEAR).

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
/// (WHITE is CLEAR). `None` for any other marking.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    Tlp::ALL
        .into_iter()
        .find(|&tlp| marking_id(tlp) == id)
        .or_else(|| {
            TLP1_IDS
                .iter()
                .find(|(tlp1, _)| *tlp1 == id)
                .map(|&(_, tlp)| tlp)
        })
}

/// The most restrictive TLP among the object's `object_marking_refs`; `None` when it carries
/// no TLP marking (or is not a JSON object).
pub fn tlp_of(object: &Value) -> Option<Tlp> {
    object
        .get("object_marking_refs")?
        .as_array()?
        .iter()
        .filter_map(|marking| tlp_of_marking(marking.as_str()?))
        .max()
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
