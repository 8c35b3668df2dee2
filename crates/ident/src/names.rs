//! Vendor and product names as advisories, CVE records, CPEs, the KEV catalog and inventories
//! write them, reduced to keys that compare equal when they name the same thing.
//!
//! The rules are code; the words they use are data, each with its source, in `crates/ident/data`:
//! - `vendor-suffixes.csv`: corporate forms (`AG`, `Inc.`, `Co., Ltd.`) and `Project`, dropped
//!   from the end of a vendor's name;
//! - `vendor-aliases.csv`: other names of one vendor (`PHP Group` and `php_group` are `php`,
//!   `Cloud Software Group` is `Citrix`);
//! - `product-suffixes.csv`: words that end a product's name to name a generation or a range of
//!   models (`Series`, `Firmware`, `V3`).
//!
//! A product's name also loses its vendor's name in front (`ABB Automation Builder` of `ABB` is
//! `Automation Builder`).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::name_key;

const VENDOR_SUFFIXES: &str = include_str!("../data/vendor-suffixes.csv");
const VENDOR_ALIASES: &str = include_str!("../data/vendor-aliases.csv");
const PRODUCT_SUFFIXES: &str = include_str!("../data/product-suffixes.csv");

/// The tables, read once.
struct Tables {
    vendor_suffixes: Vec<&'static str>,
    /// Alias key -> the vendor's key.
    vendor_aliases: HashMap<String, String>,
    product_suffixes: Vec<&'static str>,
}

/// The data rows of a table: comments, blank lines and the header skipped, each row split into
/// `columns` cells (the last one keeps its commas).
fn rows(table: &'static str, columns: usize) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(move |l| l.splitn(columns, ',').map(str::trim).collect())
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let vendor_suffixes: Vec<&'static str> = rows(VENDOR_SUFFIXES, 2).map(|r| r[0]).collect();
    let mut tables = Tables {
        vendor_suffixes,
        vendor_aliases: HashMap::new(),
        product_suffixes: rows(PRODUCT_SUFFIXES, 2).map(|r| r[0]).collect(),
    };
    let aliases = rows(VENDOR_ALIASES, 3)
        .map(|r| (tables.unaliased(r[0]), tables.unaliased(r[1])))
        .collect();
    tables.vendor_aliases = aliases;
    tables
});

/// Lowercase letters-and-digits words of a name: `Hakko Electronics Co., Ltd.` ->
/// `hakko electronics co ltd`, `EDR-G9010 Series` -> `edr g9010 series`. Dots inside a word
/// stay (`V2.3` -> `v2.3`) so a generation keeps its number whole.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map(|w| {
            w.trim_matches('.')
                .chars()
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The words of a key, joined as [`name_key`] would.
fn joined(words: &[String]) -> String {
    words.iter().map(|w| name_key(w)).collect()
}

impl Tables {
    /// A vendor name's words without the corporate suffixes at its end (never all of them).
    fn vendor_words(&self, s: &str) -> Vec<String> {
        let mut w = words(s);
        while w.len() > 1
            && self
                .vendor_suffixes
                .contains(&name_key(&w[w.len() - 1]).as_str())
        {
            w.pop();
        }
        w
    }

    /// [`vendor_key`] before aliases.
    fn unaliased(&self, s: &str) -> String {
        joined(&self.vendor_words(s))
    }

    /// True when `word` is a product suffix (`#` in a table word is a dotted number).
    fn product_suffix(&self, word: &str) -> bool {
        self.product_suffixes
            .iter()
            .any(|s| match s.split_once('#') {
                None => word == *s,
                Some((before, after)) => word
                    .strip_prefix(before)
                    .and_then(|rest| rest.strip_suffix(after))
                    .is_some_and(|n| {
                        !n.is_empty()
                            && n.split('.')
                                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    }),
            })
    }
}

/// [`name_key`] of a vendor name without its corporate suffixes, then under the vendor's own
/// name when it is an alias (`Siemens AG` -> `siemens`, `Schneider Electric SE` ->
/// `schneiderelectric`, `PHP Group` and `php_group` -> `php`).
pub fn vendor_key(s: &str) -> String {
    let tables = &*TABLES;
    let key = tables.unaliased(s);
    match tables.vendor_aliases.get(&key) {
        Some(vendor) => vendor.clone(),
        None => key,
    }
}

/// A product's name as keys: see [`ProductKey::new`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductKey {
    /// The name without its vendor's name in front: `ABB Automation Builder` of `ABB` ->
    /// `automationbuilder`, `CODESYS Development System V3` of `CODESYS` ->
    /// `developmentsystemv3`.
    pub exact: String,
    /// `exact` also without the generation or range words at its end
    /// (`developmentsystem`); equal to `exact` when there are none.
    pub base: String,
}

impl ProductKey {
    /// The keys of `product` made by `vendor` (when known).
    pub fn new(vendor: Option<&str>, product: &str) -> ProductKey {
        let tables = &*TABLES;
        let mut w = words(product);
        if let Some(vendor) = vendor {
            let v = tables.vendor_words(vendor);
            let full = words(vendor);
            for prefix in [&full, &v] {
                if !prefix.is_empty() && w.len() > prefix.len() && w.starts_with(prefix) {
                    w.drain(..prefix.len());
                    break;
                }
            }
        }
        let exact = joined(&w);
        while w.len() > 1 && tables.product_suffix(&w[w.len() - 1]) {
            w.pop();
        }
        ProductKey {
            base: joined(&w),
            exact,
        }
    }

    /// True when the name has generation or range words at its end.
    pub fn names_generation(&self) -> bool {
        self.exact != self.base
    }

    /// The same product: the same base, and the same exact name unless one of the two names
    /// no generation (`Lynx` is `Lynx Firmware`; `… V3` is not `… V2.3`).
    pub fn same_product(&self, other: &ProductKey) -> bool {
        self.base == other.base
            && (self.exact == other.exact || !self.names_generation() || !other.names_generation())
    }
}

#[cfg(test)]
mod tests;
