//! Product identifiers and versions, pure and panic-free on any input.
//!
//! - [`ProductId`]: an asset's product string: purl, CPE or `vendor:product[:version]`.
//! - [`Purl`]: package URLs (parse, normalise per type, format, a matching key without version).
//! - [`Cpe`]: CPE 2.3 formatted strings (and 2.2 URIs read leniently): parse, format, match with
//!   the logical values ANY (`*`) and NA (`-`), quoted characters and embedded wildcards.
//! - [`compare_versions`] / [`Scheme`]: semver, the PEP 440, Maven, RPM and Go orderings
//!   ([`orderings`]), and a tolerant "generic" dotted comparison for vendor strings
//!   (`V2.1 SP1`, `1.2.3a`, `R4.02`).
//! - [`vendor_key`] / [`ProductKey`]: vendor and product names reduced to keys by tables kept
//!   as data with their sources (corporate suffixes, vendor aliases, generation words).
//! - [`VersionRange`]: CVE 5 `versions[]` entries, `vers:` ranges and CSAF's loose range strings.
//! - [`stix_timestamp_problem`]: STIX 2.1 timestamps (RFC 3339 in UTC, real dates).

mod cpe;
mod names;
pub mod orderings;
mod product;
mod purl;
mod range;
mod timestamp;
mod version;

pub use cpe::{Cpe, CpePart, CpeValue, percent_decode};
pub use names::{ProductKey, vendor_key};
pub use product::ProductId;
pub use purl::Purl;
pub use range::{Bound, Interval, VersionRange};
pub use timestamp::stix_timestamp_problem;
pub use version::{Scheme, clean_version, compare_versions};

/// Why an identifier could not be read. Messages name the offending part.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    #[error("not a package URL: {0}")]
    Purl(String),
    #[error("not a CPE name: {0}")]
    Cpe(String),
    #[error("not a version range: {0}")]
    Range(String),
    #[error("not a product identifier (pkg:…, cpe:… or vendor:product[:version]): {0}")]
    Product(String),
}

/// Lowercase and keep only letters and digits, so `SIMATIC S7-1500`, `simatic_s7-1500` and
/// `Simatic S7 1500` share one key. Used for vendor, product and model-number lookups.
pub fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests;
