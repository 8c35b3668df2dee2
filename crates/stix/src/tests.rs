use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use model::Tlp;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::tlp::{
    Definitions, EXTENSION_ID, extension_definition, label, marking_definition, marking_id,
    set_marking, tlp_of, tlp_of_marking,
};

static VALIDATOR: LazyLock<Validator> = LazyLock::new(Validator::new);

fn indicator() -> Value {
    json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2016-04-06T20:03:48.000Z",
        "modified": "2016-04-06T20:03:48.000Z",
        "indicator_types": ["malicious-activity"],
        "name": "Poison Ivy Malware",
        "pattern": "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
        "pattern_type": "stix",
        "valid_from": "2016-01-01T00:00:00Z"
    })
}

/// `object` after `edit`.
fn edited(mut object: Value, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    if let Some(map) = object.as_object_mut() {
        edit(map);
    }
    object
}

/// `object` is refused, and some reason starts with `path` and contains `words`.
fn check_refused(object: &Value, path: &str, words: &str) {
    let reasons = match VALIDATOR.validate(object) {
        Ok(meta) => panic!("accepted {meta:?}, expected a reason at {path}"),
        Err(invalid) => invalid.reasons,
    };
    assert!(
        reasons
            .iter()
            .any(|reason| reason.starts_with(&format!("{path}:")) && reason.contains(words)),
        "no reason at {path} containing {words:?} in {reasons:#?}"
    );
    assert!(reasons.len() <= 10, "{reasons:#?}");
}

#[test]
fn a_valid_indicator_gives_its_identity_and_version() {
    let meta = VALIDATOR.validate(&indicator()).expect("valid");
    assert_eq!(
        meta,
        ObjectMeta {
            id: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f".to_owned(),
            object_type: "indicator".to_owned(),
            spec_version: "2.1".to_owned(),
            version: "2016-04-06T20:03:48.000Z".to_owned(),
        }
    );
}

#[test]
fn version_is_modified_else_created_else_the_fixed_version() {
    let marking = marking_definition(Tlp::Green);
    assert_eq!(
        VALIDATOR.validate(&marking).map(|meta| meta.version),
        Ok("2022-10-01T00:00:00.000Z".to_owned())
    );
    let sco = json!({
        "type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        "value": "198.51.100.3"
    });
    let meta = VALIDATOR.validate(&sco).expect("valid SCO");
    assert_eq!(
        (meta.spec_version.as_str(), meta.version.as_str()),
        ("2.1", UNVERSIONED)
    );
}

#[test]
fn invalid_objects_are_refused_with_a_reason_naming_the_field() {
    check_refused(&json!([1, 2]), "/", "is not an object");
    check_refused(&json!("indicator"), "/", "is not an object");
    check_refused(
        &edited(indicator(), |m| {
            m.remove("type");
        }),
        "/type",
        "missing",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("type".into(), json!(7));
        }),
        "/type",
        "not a string",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("type".into(), json!("indicatr"));
        }),
        "/type",
        "not a STIX 2.1 object type",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert(
                "id".into(),
                json!("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            );
        }),
        "/id",
        "must start with \"indicator--\"",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("id".into(), json!("indicator--8e2e2d2b-17d4"));
        }),
        "/id",
        "<UUID>",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.remove("id");
        }),
        "/id",
        "missing",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("created".into(), json!("2016-13-06T20:03:48.000Z"));
        }),
        "/created",
        "does not match",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("modified".into(), json!("2016-04-06 20:03:48"));
        }),
        "/modified",
        "does not match",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("modified".into(), json!("2016-04-05T20:03:48.000Z"));
        }),
        "/modified",
        "earlier than created",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.remove("pattern");
        }),
        "/pattern",
        "missing required property",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("pattern".into(), json!(42));
        }),
        "/pattern",
        "is not of type \"string\"",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("spec_version".into(), json!("2.0"));
        }),
        "/spec_version",
        "must be \"2.1\"",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.remove("spec_version");
        }),
        "/spec_version",
        "missing",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("confidence".into(), json!(101));
        }),
        "/confidence",
        "maximum",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("Bad-Name".into(), json!(1));
        }),
        "/Bad-Name",
        "property name not allowed",
    );
    check_refused(
        &edited(indicator(), |m| {
            m.insert("x_payload_bin".into(), json!("not base64!"));
        }),
        "/x_payload_bin",
        "base64",
    );
}

#[test]
fn custom_types_follow_the_common_rules() {
    let custom = json!({
        "type": "x-acme-sensor", "spec_version": "2.1",
        "id": "x-acme-sensor--1c1d4fc4-2d2a-4a4f-9c8a-2f5e3c1a0b9d",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-02T00:00:00.000Z",
        "x_acme_location": "hall 3"
    });
    assert_eq!(
        VALIDATOR.validate(&custom).map(|meta| meta.object_type),
        Ok("x-acme-sensor".to_owned())
    );
    check_refused(
        &edited(custom.clone(), |m| {
            m.remove("created");
        }),
        "/created",
        "missing",
    );
    check_refused(
        &edited(custom, |m| {
            m.insert(
                "id".into(),
                json!("x-acme--1c1d4fc4-2d2a-4a4f-9c8a-2f5e3c1a0b9d"),
            );
        }),
        "/id",
        "must start with \"x-acme-sensor--\"",
    );
}

#[test]
fn the_invalid_error_displays_its_reasons() {
    let invalid = VALIDATOR
        .validate(&edited(indicator(), |m| {
            m.remove("pattern");
            m.insert("spec_version".into(), json!("2.0"));
        }))
        .expect_err("invalid");
    assert_eq!(invalid.to_string(), invalid.reasons.join("; "));
    assert!(invalid.reasons.len() >= 2, "{invalid}");
}

#[test]
fn reasons_are_capped_and_short() {
    let mut object = indicator();
    if let Some(map) = object.as_object_mut() {
        for i in 0..30 {
            map.insert(format!("Bad{i}"), json!(null));
        }
        map.insert("description".into(), json!(["x".repeat(5000)]));
    }
    let invalid = VALIDATOR.validate(&object).expect_err("invalid");
    assert_eq!(invalid.reasons.len(), 10);
    assert!(invalid.reasons.iter().all(|r| r.chars().count() <= 241));
}

#[test]
fn the_validator_is_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Validator>();
}

// --- TLP -------------------------------------------------------------------------------------

#[test]
fn the_five_tlp2_marking_definitions_validate() {
    for tlp in Tlp::ALL {
        let marking = marking_definition(tlp);
        let meta = VALIDATOR
            .validate(&marking)
            .expect("official TLP 2.0 marking");
        assert_eq!(meta.id, marking_id(tlp));
        assert_eq!(tlp_of_marking(&meta.id), Some(tlp));
        assert_eq!(marking["name"], json!(format!("TLP:{}", tlp.as_str())));
        assert_eq!(
            marking["extensions"][tlp::EXTENSION_ID]["tlp_2_0"],
            json!(tlp.as_str().to_ascii_lowercase())
        );
    }
}

#[test]
fn the_tlp2_files_on_disk_validate() {
    let dir = test_support::shared_data("stix/tlp2");
    let mut markings = 0;
    for path in json_files(&dir) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("marking-definition--") || name.starts_with("extension-definition--") {
            for object in objects_of(&path) {
                VALIDATOR
                    .validate(&object)
                    .unwrap_or_else(|invalid| panic!("{}: {invalid}", path.display()));
                markings += 1;
            }
        }
    }
    assert_eq!(markings, 6);
}

#[test]
fn the_tlp2_green_example_has_one_bad_timestamp() {
    // The OASIS TLP 2.0 example bundle: its relationship's `created` is "2022-101-27…".
    let objects = objects_of(&test_support::shared_data(
        "stix/tlp2/example-using-tlp2.0-green.json",
    ));
    let results: Vec<_> = objects.iter().map(|o| VALIDATOR.validate(o)).collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok(), "{results:?}");
    assert_eq!(tlp_of(&objects[2]), Some(Tlp::Green));
    check_refused(&objects[2], "/created", "does not match");
}

#[test]
fn a_forged_tlp2_marking_definition_is_refused() {
    let forged = edited(marking_definition(Tlp::Red), |m| {
        m.insert(
            "id".into(),
            json!("marking-definition--11111111-2222-4333-8444-555555555555"),
        );
    });
    check_refused(&forged, "/", "one of the five official TLP 2.0");
    let relabelled = edited(marking_definition(Tlp::Red), |m| {
        m.insert(
            "extensions".into(),
            json!({ tlp::EXTENSION_ID: { "extension_type": "property-extension", "tlp_2_0": "clear" } }),
        );
    });
    check_refused(&relabelled, "/", "one of the five official TLP 2.0");
}

#[test]
fn the_extension_definition_is_the_tlp2_one() {
    let extension = extension_definition();
    assert_eq!(extension["id"], json!(tlp::EXTENSION_ID));
    assert_eq!(
        VALIDATOR.validate(&extension).map(|meta| meta.object_type),
        Ok("extension-definition".to_owned())
    );
}

#[test]
fn tlp1_ids_map_to_tlp() {
    let check = |uuid: &str, expected: Tlp| {
        assert_eq!(
            tlp_of_marking(&format!("marking-definition--{uuid}")),
            Some(expected)
        );
    };
    check("613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::Clear);
    check("34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::Green);
    check("f88d31f6-486f-44da-b317-01333bde0b82", Tlp::Amber);
    check("5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::Red);
    assert_eq!(
        tlp_of_marking("marking-definition--00000000-0000-4000-8000-000000000000"),
        None
    );
}

#[test]
fn tlp1_ids_are_those_of_the_marking_definition_schema() {
    // `common/marking-definition.json` pins the four predefined TLP 1.0 objects by id.
    let text = schemas::SCHEMAS
        .iter()
        .find(|(path, _)| *path == "common/marking-definition.json")
        .map(|&(_, text)| text)
        .expect("embedded");
    let schema: Value = serde_json::from_str(text).expect("JSON");
    for (definition, expected) in [
        ("tlp_white", Tlp::Clear),
        ("tlp_green", Tlp::Green),
        ("tlp_amber", Tlp::Amber),
        ("tlp_red", Tlp::Red),
    ] {
        let id = schema["definitions"][definition]["properties"]["id"]["enum"][0]
            .as_str()
            .expect("an id");
        assert_eq!(tlp_of_marking(id), Some(expected), "{definition}");
    }
}

#[test]
fn tlp1_ids_are_those_of_the_examples() {
    // The TLP 1.0 marking definitions as the OASIS examples carry them.
    let mut seen = 0;
    for path in json_files(&test_support::shared_data("stix/examples")) {
        for object in objects_of(&path) {
            if object["type"] == json!("marking-definition")
                && object["definition_type"] == json!("tlp")
            {
                let id = object["id"].as_str().unwrap_or("");
                let label = object["definition"]["tlp"].as_str().unwrap_or("");
                let expected = match label {
                    "white" => Tlp::Clear,
                    other => Tlp::parse(other).expect("a TLP 1.0 label"),
                };
                assert_eq!(tlp_of_marking(id), Some(expected), "{id} ({label})");
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "the examples hold TLP 1.0 marking definitions");
}

#[test]
fn tlp_of_picks_the_most_restrictive_marking() {
    let marked = |refs: &[&str]| json!({ "type": "indicator", "object_marking_refs": refs });
    let statement = "marking-definition--11111111-2222-4333-8444-555555555555";
    assert_eq!(tlp_of(&indicator()), None);
    // A marking whose definition is not known cannot be read: RED, never the default.
    assert_eq!(tlp_of(&marked(&[statement])), Some(Tlp::Red));
    assert_eq!(
        tlp_of(&marked(&[marking_id(Tlp::Green), statement])),
        Some(Tlp::Red)
    );
    assert_eq!(
        tlp_of(&marked(&[
            marking_id(Tlp::AmberStrict),
            marking_id(Tlp::Clear),
            marking_id(Tlp::Amber)
        ])),
        Some(Tlp::AmberStrict)
    );
    // TLP 1.0 RED beats TLP 2.0 AMBER.
    assert_eq!(
        tlp_of(&marked(&[
            marking_id(Tlp::Amber),
            "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
        ])),
        Some(Tlp::Red)
    );
    assert_eq!(
        tlp_of(&json!({ "object_marking_refs": "nope" })),
        Some(Tlp::Red)
    );
    assert_eq!(
        tlp_of(&json!({ "object_marking_refs": [3] })),
        Some(Tlp::Red)
    );
    assert_eq!(tlp_of(&json!(3)), Some(Tlp::Red));
    assert_eq!(tlp_of(&json!({ "object_marking_refs": [] })), None);
}

#[test]
fn marking_ids_compare_as_stix_identifiers() {
    for tlp in Tlp::ALL {
        let upper = marking_id(tlp).to_ascii_uppercase();
        let mixed = format!(
            "marking-definition--{}",
            &marking_id(tlp)["marking-definition--".len()..].to_ascii_uppercase()
        );
        assert_eq!(tlp_of_marking(&upper), Some(tlp));
        assert_eq!(tlp_of_marking(&mixed), Some(tlp));
        assert_eq!(
            tlp_of(&json!({ "object_marking_refs": [mixed] })),
            Some(tlp)
        );
    }
    assert_eq!(
        tlp_of_marking("marking-definition--5E57C739-391A-4EB3-B6BE-7D15CA92D5ED"),
        Some(Tlp::Red)
    );
}

#[test]
fn granular_markings_restrict_the_whole_object() {
    let red = marking_id(Tlp::Red);
    let object = json!({
        "type": "indicator",
        "granular_markings": [{ "marking_ref": red, "selectors": ["pattern"] }],
    });
    assert_eq!(tlp_of(&object), Some(Tlp::Red));
    let object = json!({
        "object_marking_refs": [marking_id(Tlp::Green)],
        "granular_markings": [
            { "lang": "en", "selectors": ["name"] },
            { "marking_ref": marking_id(Tlp::Amber).to_ascii_uppercase(), "selectors": ["name"] },
        ],
    });
    assert_eq!(tlp_of(&object), Some(Tlp::Amber));
    // A language-only granular marking says nothing about sharing.
    let object = json!({ "granular_markings": [{ "lang": "de", "selectors": ["name"] }] });
    assert_eq!(tlp_of(&object), None);
    for malformed in [
        json!({ "granular_markings": "x" }),
        json!({ "granular_markings": [{ "selectors": ["name"] }] }),
        json!({ "granular_markings": [{ "marking_ref": 7, "selectors": ["name"] }] }),
    ] {
        assert_eq!(tlp_of(&malformed), Some(Tlp::Red), "{malformed}");
    }
}

#[test]
fn marking_definitions_are_read_when_known() {
    let custom = "marking-definition--0a2b1c1e-7d4d-4c1e-9a55-1f3d2b8f6e11";
    let object = json!({ "object_marking_refs": [custom, marking_id(Tlp::Green)] });
    let unknown = label(&object, &Definitions::new());
    assert_eq!(unknown.tlp, Some(Tlp::Red));
    assert_eq!(unknown.unknown, vec![custom.to_owned()]);
    let definition = |body: Value| {
        let mut definitions = Definitions::new();
        let mut object = json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": custom.to_ascii_uppercase(),
            "created": "2024-01-01T00:00:00.000Z",
        });
        for (k, v) in body.as_object().expect("an object") {
            object[k] = v.clone();
        }
        definitions.add(&object);
        label(&json!({ "object_marking_refs": [custom] }), &definitions).tlp
    };
    let statement =
        |text: &str| json!({ "definition_type": "statement", "definition": { "statement": text } });
    assert_eq!(
        definition(statement("Copyright 2024, The MITRE Corporation")),
        None
    );
    assert_eq!(definition(statement("tlp:amber")), Some(Tlp::Amber));
    assert_eq!(
        definition(statement("TLP: AMBER+STRICT, then TLP:GREEN")),
        Some(Tlp::AmberStrict)
    );
    assert_eq!(
        definition(statement("not under TLP at all")),
        Some(Tlp::Red)
    );
    assert_eq!(
        definition(json!({ "definition_type": "tlp", "definition": { "tlp": "white" } })),
        Some(Tlp::Clear)
    );
    assert_eq!(
        definition(json!({ "definition_type": "tlp", "definition": { "tlp": "purple" } })),
        Some(Tlp::Red)
    );
    assert_eq!(
        definition(json!({ "extensions": { EXTENSION_ID: {
            "extension_type": "property-extension", "tlp_2_0": "amber+strict" } } })),
        Some(Tlp::AmberStrict)
    );
    assert_eq!(
        definition(json!({ "extensions": { "extension-definition--pap": { "pap": "red" } } })),
        Some(Tlp::Red)
    );
    assert_eq!(
        definition(json!({ "definition_type": "x-custom" })),
        Some(Tlp::Red)
    );
}

#[test]
fn set_marking_replaces_tlp_markings_and_keeps_others() {
    let statement = "marking-definition--11111111-2222-4333-8444-555555555555";
    let mut object = edited(indicator(), |m| {
        m.insert(
            "object_marking_refs".into(),
            json!([
                "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                statement,
                marking_id(Tlp::Red)
            ]),
        );
    });
    set_marking(&mut object, Tlp::Amber);
    assert_eq!(
        object["object_marking_refs"],
        json!([statement, marking_id(Tlp::Amber)])
    );
    let mut definitions = Definitions::new();
    definitions.add(&json!({
        "type": "marking-definition",
        "id": statement,
        "definition_type": "statement",
        "definition": { "statement": "Copyright 2026 Example" },
    }));
    assert_eq!(label(&object, &definitions).tlp, Some(Tlp::Amber));
    // Without the statement's definition, the label fails closed.
    assert_eq!(tlp_of(&object), Some(Tlp::Red));
    assert!(VALIDATOR.validate(&object).is_ok());

    let mut unmarked = indicator();
    set_marking(&mut unmarked, Tlp::Clear);
    assert_eq!(
        unmarked["object_marking_refs"],
        json!([marking_id(Tlp::Clear)])
    );

    let mut not_an_object = json!([1]);
    set_marking(&mut not_an_object, Tlp::Red);
    assert_eq!(not_an_object, json!([1]));
}

// --- the OASIS examples ----------------------------------------------------------------------

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The objects of a file: a bundle's objects, or the file's one object.
fn objects_of(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()));
    match value {
        Value::Object(mut map) if map.contains_key("objects") => match map.remove("objects") {
            Some(Value::Array(objects)) => objects,
            _ => panic!("{}: objects is not an array", path.display()),
        },
        other => vec![other],
    }
}

#[test]
fn the_oasis_examples_validate() {
    let dir = test_support::shared_data("stix/examples");
    let mut passed = 0;
    let mut failed = Vec::new();
    for path in json_files(&dir) {
        let file = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        for object in objects_of(&path) {
            match VALIDATOR.validate(&object) {
                Ok(_) => passed += 1,
                Err(invalid) => {
                    let id = object["id"].as_str().unwrap_or("?").to_owned();
                    failed.push((file.clone(), id, invalid.reasons));
                }
            }
        }
    }
    for (file, id, reasons) in &failed {
        eprintln!("{file} {id}: {reasons:?}");
    }
    eprintln!("{passed} passed, {} failed", failed.len());
    assert!(failed.is_empty());
}

// --- properties.json as a keyword --------------------------------------------------------------

/// `common/properties.json` compiled as published, with its regular expressions.
static PUBLISHED_PROPERTIES: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let text = schemas::SCHEMAS
        .iter()
        .find(|(path, _)| *path == "common/properties.json")
        .map(|&(_, text)| text)
        .expect("embedded");
    let mut schema: Value = serde_json::from_str(text).expect("JSON");
    // Resolve binary.json and hex.json locally by inlining them.
    if let Some(patterns) = schema["patternProperties"].as_object_mut() {
        for (suffix, file) in [("_bin$", "binary"), ("_hex$", "hex")] {
            let inlined: Value = serde_json::from_str(
                schemas::SCHEMAS
                    .iter()
                    .find(|(path, _)| *path == format!("common/{file}.json"))
                    .map(|&(_, text)| text)
                    .expect("embedded"),
            )
            .expect("JSON");
            for (pattern, sub) in patterns.iter_mut() {
                if pattern.ends_with(suffix) {
                    *sub = json!({ "type": inlined["type"], "pattern": inlined["pattern"] });
                }
            }
        }
    }
    jsonschema::options().build(&schema).expect("compiles")
});

#[test]
fn the_properties_rewrite_applies_to_the_embedded_file() {
    let text = schemas::SCHEMAS
        .iter()
        .find(|(path, _)| *path == "common/properties.json")
        .map(|&(_, text)| text)
        .expect("embedded");
    let mut schema: Value = serde_json::from_str(text).expect("JSON");
    properties::rewrite(&mut schema);
    assert_eq!(schema[properties::KEYWORD], json!(true));
    assert!(schema.get("patternProperties").is_none());
}

fn property_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,6}(_bin|_hex|id)?",
        "[a-zA-Z0-9_ -]{0,5}(_bin|_hex|id)?",
        "[a-z][a-z0-9_]{240,250}(_bin|_hex)",
        "\\PC{0,6}",
    ]
}

fn property_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!([])),
        Just(json!([1])),
        Just(json!({})),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[A-Za-z0-9+/=]{0,9}".prop_map(Value::from),
        "[a-fA-F0-9g]{0,5}".prop_map(Value::from),
    ]
}

proptest! {
    #[test]
    fn the_properties_keyword_agrees_with_the_published_schema(
        name in property_name(),
        value in property_value(),
    ) {
        let object = json!({ name.clone(): value.clone() });
        prop_assert_eq!(
            properties::problem(&name, &value).is_none(),
            PUBLISHED_PROPERTIES.is_valid(&object),
            "{} = {}", name, value
        );
    }

    #[test]
    fn validate_never_panics(value in arbitrary_json()) {
        let _ = VALIDATOR.validate(&value);
    }

    #[test]
    fn validate_never_panics_on_near_valid_objects(
        key in prop_oneof![
            Just("type"), Just("id"), Just("spec_version"), Just("created"), Just("modified"),
            Just("pattern"), Just("object_marking_refs"), Just("extensions"), Just("x_bin"),
        ],
        value in arbitrary_json(),
        object_type in prop_oneof![
            Just("indicator"), Just("marking-definition"), Just("file"), Just("x-custom"),
            Just("relationship"), Just("bundle"), Just(""),
        ],
    ) {
        let mut object = indicator();
        object["type"] = json!(object_type);
        object[key] = value;
        // `key` may be "type" itself: the object's type is whatever it ends up holding.
        let expected = object["type"].as_str().unwrap_or_default().to_owned();
        if let Ok(meta) = VALIDATOR.validate(&object) {
            prop_assert_eq!(meta.object_type, expected);
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        Just(json!("indicator")),
        Just(json!("2.1")),
        Just(json!("2016-04-06T20:03:48.000Z")),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_owned()),
                        Just("id".to_owned()),
                        Just("spec_version".to_owned()),
                        Just("extensions".to_owned()),
                        "\\PC{0,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}
