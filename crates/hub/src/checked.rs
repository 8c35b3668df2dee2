//! A STIX 2.1 object that passed validation, ready to store: what every way in (TAXII POST,
//! federation pulls, bundle imports, the hub's own alerts and demo) keeps of it.

use model::Tlp;
use serde_json::Value;
use store::NewStixObject;

pub struct Checked {
    pub meta: stix::ObjectMeta,
    pub tlp: Option<Tlp>,
    /// The object as compact JSON.
    pub json: String,
}

impl Checked {
    /// Validates `object`; the error names the object's id (or says it has none) and why.
    pub fn new(validator: &stix::Validator, object: &Value) -> Result<Checked, String> {
        match validator.validate(object) {
            Ok(meta) => Ok(Checked {
                tlp: stix::tlp::tlp_of(object),
                json: object.to_string(),
                meta,
            }),
            Err(invalid) => {
                let id = object
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("(no id)");
                Err(format!("{id}: not valid STIX 2.1: {invalid}"))
            }
        }
    }

    /// The row to store: addressed to `recipients` (empty: every reader the TLP allows),
    /// submitted by a partner or not, with its provenance.
    pub fn row<'a>(
        &'a self,
        recipients: &'a [String],
        submitter: Option<&'a str>,
        source: Option<&'a str>,
    ) -> NewStixObject<'a> {
        NewStixObject {
            object_id: &self.meta.id,
            object_type: &self.meta.object_type,
            spec_version: &self.meta.spec_version,
            version: &self.meta.version,
            tlp: self.tlp,
            recipients,
            submitter,
            source,
            json: &self.json,
        }
    }
}
