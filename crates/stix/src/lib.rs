//! STIX 2.1 objects: validation against the OASIS JSON schemas, identity and version of an
//! object, and TLP markings. Pure: no I/O.
//!
//! The OASIS `cti-stix2-json-schemas` (STIX 2.1, `schemas/`, with their licence) and the TLP 2.0
//! files of `cti-stix-common-objects` (`tlp2/`) are embedded; every `$ref` resolves from them.

mod properties;
mod schemas;
pub mod tlp;
mod validate;

pub use validate::{Invalid, ObjectMeta, UNVERSIONED, Validator};

#[cfg(test)]
mod tests;
