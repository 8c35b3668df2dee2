#![no_main]
//! STIX objects as the hub takes them in (TAXII POST, federation pulls, bundle imports): the
//! body as an envelope (or bundle) whose `objects` are each parsed and passed to
//! `app::sharing::Checked::new` (`stix::Validator` + `stix::tlp::tlp_of`); a body that is not an
//! envelope is tried as one object.

use libfuzzer_sys::fuzz_target;
use meridian_fuzz::VALIDATOR;
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    objects: Option<Vec<&'a RawValue>>,
}

fn check(object: &Value) {
    if let Ok(checked) = app::sharing::Checked::new(&VALIDATOR, object) {
        // The hub keys objects by their id in lowercase (STIX ids compare case-insensitively).
        let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
        assert!(checked.meta.id.eq_ignore_ascii_case(id), "{id}");
        assert_eq!(
            Some(checked.meta.object_type.as_str()),
            object.get("type").and_then(Value::as_str)
        );
        assert!(!checked.meta.version.is_empty());
        // What is stored is what was validated.
        let stored: Value = serde_json::from_str(&checked.json).expect("stored JSON parses");
        assert_eq!(&stored, object);
    }
}

fuzz_target!(|data: &[u8]| {
    match serde_json::from_slice::<Envelope<'_>>(data) {
        Ok(Envelope {
            objects: Some(objects),
        }) => {
            for raw in objects {
                if let Ok(object) = serde_json::from_str::<Value>(raw.get()) {
                    check(&object);
                }
            }
        }
        _ => {
            if let Ok(object) = serde_json::from_slice::<Value>(data) {
                check(&object);
            }
        }
    }
});
