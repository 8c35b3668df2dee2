//! STIX 2.1 objects: validation against the OASIS JSON schemas, identity and version of an
//! object, and TLP markings. Pure: no I/O.
//!
//! The OASIS `cti-stix2-json-schemas` (STIX 2.1, `schemas/`, with their licence) and the TLP 2.0
//! files of `cti-stix-common-objects` (`tlp2/`) are embedded; every `$ref` resolves from them.
//!
//! [`Validator::new`] compiles one schema per object type (about 0.4 s); share the validator.
//! Validating a typical indicator takes a few microseconds: `properties.json`, whose three
//! regular expressions run on every property of every object, is evaluated by an equivalent
//! custom keyword (`properties.rs`), and patterns use the `regex` engine. Measure with
//! `cargo run --release -p stix --example validate_speed`.
//!
//! An `indicator` whose `pattern_type` is `stix` must have a valid STIX pattern: [`pattern`]
//! parses the STIX 2.1 patterning language (the OASIS grammar and value checks, the STIX name
//! rules) with the character offset of every error.

pub mod pattern;
mod properties;
mod schemas;
pub mod tlp;
mod validate;

pub use validate::{Invalid, ObjectMeta, UNVERSIONED, Validator};

#[cfg(test)]
mod tests;
