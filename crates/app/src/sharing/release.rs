//! The release decision for one partner, the same on every path out: TAXII (the server),
//! signed bundles (`bundle export`) and federation (`sync` pushes). It wraps
//! [`exchange::policy::may_release`] with what the store knows: the partner's grants, the
//! installation's TLP of unmarked objects and the partners who asked to be anonymised.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use exchange::policy::{ObjectLabel, Path, Reader};
use model::Tlp;
use serde_json::Value;
use store::{Store, StoredObject};

use super::snapshot::Snapshot;

/// The identity that replaces an anonymised submitter's `created_by_ref` for other partners.
pub const ANONYMOUS_IDENTITY: &str = "identity--6f4d8f0e-3f57-5c59-9a3b-8c7a1e0d2a11";

/// What the release decision needs to know about a stored row.
pub(crate) fn label(row: &StoredObject) -> ObjectLabel<'_> {
    ObjectLabel {
        tlp: row.tlp,
        recipients: &row.recipients,
        submitter: row.submitter.as_deref(),
        source: row.source.as_deref(),
    }
}

#[derive(Clone, Debug)]
pub struct Release {
    pub reader: Reader,
    pub default_tlp: Tlp,
    pub(crate) anonymised: Arc<HashSet<String>>,
}

impl Release {
    /// Reads the current agreements and settings for `partner_id`.
    pub fn load(store: &mut Store, partner_id: &str) -> store::Result<Release> {
        Ok(Snapshot::load(store)?.release(partner_id))
    }

    pub fn can_read(&self, collection: &str) -> bool {
        self.reader.can_read(collection)
    }

    pub fn can_write(&self, collection: &str) -> bool {
        self.reader.can_write(collection)
    }

    /// Whether the partner may receive `row` on `path` (`forwarding_to`: the remote hub it
    /// would be pushed to).
    pub fn allows(&self, row: &StoredObject, path: Path, forwarding_to: Option<&str>) -> bool {
        exchange::policy::may_release(
            &self.reader,
            &row.collection_id,
            &label(row),
            self.default_tlp,
            path,
            forwarding_to,
        )
    }

    /// The object as the partner receives it: as stored, except that an unmarked object
    /// carries the TLP 2.0 marking of the installation's default (so the receiver never applies
    /// a more permissive default of its own), and an anonymised submitter's `created_by_ref` is
    /// replaced for everyone but the submitter.
    pub fn text<'a>(&self, row: &'a StoredObject) -> Cow<'a, str> {
        let hide = row
            .submitter
            .as_deref()
            .is_some_and(|s| s != self.reader.partner_id && self.anonymised.contains(s));
        let stamp = row.tlp.is_none();
        if !hide && !stamp {
            return row.json.as_str().into();
        }
        if !hide && !row.json.contains("\"object_marking_refs\"") {
            // The common case, without a parse: a compact JSON object gets one more member.
            if let Some(body) = row.json.strip_suffix('}') {
                let id = stix::tlp::marking_id(self.default_tlp);
                let separator = if body.trim_end().ends_with('{') {
                    ""
                } else {
                    ","
                };
                return format!("{body}{separator}\"object_marking_refs\":[\"{id}\"]}}").into();
            }
        }
        match serde_json::from_str::<Value>(&row.json) {
            Ok(mut object) => {
                if hide && let Some(by) = object.get_mut("created_by_ref") {
                    *by = Value::String(ANONYMOUS_IDENTITY.to_owned());
                }
                if stamp {
                    stix::tlp::set_marking(&mut object, self.default_tlp);
                }
                object.to_string().into()
            }
            // Unreachable for rows written by `Checked` (compact JSON objects).
            Err(_) => row.json.as_str().into(),
        }
    }
}
