//! CSAF 2.0 (OASIS Standard, 18 Nov 2022): every profile, read into typed values.
//!
//! A document is refused when `csaf_version` is not `2.0` or its shape breaks the schema where
//! Meridian reads it (the error names the JSON path). Checks from the standard's mandatory tests
//! that matter for matching are reported as diagnostics: 6.1.1 (a referenced product id is not
//! defined), 6.1.2 (a product id defined twice), 6.1.6 (contradicting product status) and the
//! profile requirements of §4.4/§4.5 (security advisories and VEX need a product tree and
//! vulnerabilities; in VEX every `known_not_affected` needs a flag or an impact statement
//! (6.1.27.9) and every `known_affected` a remediation (6.1.27.10)).
//!
//! [`CsafDocument::products`] flattens the product tree: each product id with the vendor,
//! product name, family and version (or version range) of the branches above it, its
//! identification helper, and, for products defined by a relationship, the helper of the
//! component it refers to.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use crate::cve::CvssScore;
use crate::{Diagnostic, IntelError, parse_json, typed};

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CsafDocument {
    pub document: Document,
    #[serde(default)]
    pub product_tree: Option<ProductTree>,
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Document {
    pub category: String,
    pub csaf_version: String,
    pub title: String,
    pub publisher: Publisher,
    pub tracking: Tracking,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub distribution: Option<Value>,
    #[serde(default)]
    pub aggregate_severity: Option<Value>,
    #[serde(default)]
    pub references: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Publisher {
    pub category: String,
    pub name: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Tracking {
    pub id: String,
    pub status: String,
    pub version: String,
    pub current_release_date: String,
    pub initial_release_date: String,
    #[serde(default)]
    pub revision_history: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Note {
    pub category: String,
    pub text: String,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ProductTree {
    #[serde(default)]
    pub branches: Vec<Branch>,
    #[serde(default)]
    pub full_product_names: Vec<FullProductName>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    #[serde(default)]
    pub product_groups: Vec<ProductGroup>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Branch {
    pub category: String,
    pub name: String,
    #[serde(default)]
    pub branches: Vec<Branch>,
    #[serde(default)]
    pub product: Option<FullProductName>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct FullProductName {
    pub name: String,
    pub product_id: String,
    #[serde(default)]
    pub product_identification_helper: Option<Helper>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Helper {
    #[serde(default)]
    pub cpe: Option<String>,
    #[serde(default)]
    pub purl: Option<String>,
    #[serde(default)]
    pub model_numbers: Vec<String>,
    #[serde(default)]
    pub serial_numbers: Vec<String>,
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub hashes: Vec<Hashes>,
    #[serde(default)]
    pub sbom_urls: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Hashes {
    pub file_hashes: Vec<FileHash>,
    pub filename: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct FileHash {
    pub algorithm: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Relationship {
    pub category: String,
    pub full_product_name: FullProductName,
    pub product_reference: String,
    pub relates_to_product_reference: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ProductGroup {
    pub group_id: String,
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Vulnerability {
    #[serde(default)]
    pub cve: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub cwe: Option<Value>,
    #[serde(default)]
    pub ids: Vec<Value>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub product_status: ProductStatus,
    #[serde(default)]
    pub remediations: Vec<Remediation>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    #[serde(default)]
    pub threats: Vec<Threat>,
    #[serde(default)]
    pub scores: Vec<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ProductStatus {
    #[serde(default)]
    pub first_affected: Vec<String>,
    #[serde(default)]
    pub first_fixed: Vec<String>,
    #[serde(default)]
    pub fixed: Vec<String>,
    #[serde(default)]
    pub known_affected: Vec<String>,
    #[serde(default)]
    pub known_not_affected: Vec<String>,
    #[serde(default)]
    pub last_affected: Vec<String>,
    #[serde(default)]
    pub recommended: Vec<String>,
    #[serde(default)]
    pub under_investigation: Vec<String>,
}

impl ProductStatus {
    /// `(status name, product ids)` for each list, in the standard's order.
    pub fn lists(&self) -> [(&'static str, &[String]); 8] {
        [
            ("first_affected", &self.first_affected),
            ("first_fixed", &self.first_fixed),
            ("fixed", &self.fixed),
            ("known_affected", &self.known_affected),
            ("known_not_affected", &self.known_not_affected),
            ("last_affected", &self.last_affected),
            ("recommended", &self.recommended),
            ("under_investigation", &self.under_investigation),
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Remediation {
    pub category: String,
    pub details: String,
    #[serde(default)]
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub group_ids: Vec<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Flag {
    pub label: String,
    #[serde(default)]
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub group_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Threat {
    pub category: String,
    pub details: String,
    #[serde(default)]
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub group_ids: Vec<String>,
}

/// A product id with everything the tree says about it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsafProduct {
    pub product_id: String,
    /// The full product name.
    pub name: String,
    pub vendor: Option<String>,
    pub product_family: Option<String>,
    pub product_name: Option<String>,
    /// A `product_version` branch (one version).
    pub version: Option<String>,
    /// A `product_version_range` branch (`vers:` or loose).
    pub version_range: Option<String>,
    pub helper: Helper,
    /// For relationship products: `(category, relates_to_product_reference)`.
    pub relationship: Option<(String, String)>,
}

fn walk(branches: &[Branch], ctx: &CsafProduct, out: &mut Vec<CsafProduct>) {
    for b in branches {
        let mut here = ctx.clone();
        let name = Some(b.name.clone());
        match b.category.as_str() {
            "vendor" => here.vendor = name,
            "product_family" => here.product_family = name,
            "product_name" => here.product_name = name,
            "product_version" => here.version = name,
            "product_version_range" => here.version_range = name,
            _ => {}
        }
        if let Some(p) = &b.product {
            let mut leaf = here.clone();
            leaf.product_id = p.product_id.clone();
            leaf.name = p.name.clone();
            leaf.helper = p.product_identification_helper.clone().unwrap_or_default();
            out.push(leaf);
        }
        walk(&b.branches, &here, out);
    }
}

impl Vulnerability {
    /// Its CVSS base scores (`scores[].cvss_v4`, `cvss_v3`, `cvss_v2`), in the document's order,
    /// each named like CVE 5's metrics (`cvssV3_1`) and attributed to `publisher`. A score
    /// without a numeric `baseScore` is left out.
    pub fn cvss(&self, publisher: &str) -> Vec<CvssScore> {
        let mut out = Vec::new();
        for score in &self.scores {
            for key in ["cvss_v4", "cvss_v3", "cvss_v2"] {
                let Some(metric) = score.get(key) else {
                    continue;
                };
                let Some(base_score) = metric.get("baseScore").and_then(Value::as_f64) else {
                    continue;
                };
                let version = metric
                    .get("version")
                    .and_then(Value::as_str)
                    .unwrap_or(match key {
                        "cvss_v4" => "4.0",
                        "cvss_v3" => "3.0",
                        _ => "2.0",
                    });
                out.push(CvssScore {
                    provider: publisher.to_owned(),
                    kind: format!("cvssV{}", version.replace('.', "_")),
                    base_score,
                    vector: metric
                        .get("vectorString")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
        }
        out
    }

    /// Its CWE id (`cwe.id`, e.g. `CWE-79`), when it gives one.
    pub fn cwe_id(&self) -> Option<String> {
        self.cwe
            .as_ref()
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
    }
}

impl CsafDocument {
    /// Every product id defined by the tree (branches, full product names, relationships).
    pub fn products(&self) -> Vec<CsafProduct> {
        let mut out = Vec::new();
        let Some(tree) = &self.product_tree else {
            return out;
        };
        walk(&tree.branches, &CsafProduct::default(), &mut out);
        for p in &tree.full_product_names {
            out.push(CsafProduct {
                product_id: p.product_id.clone(),
                name: p.name.clone(),
                helper: p.product_identification_helper.clone().unwrap_or_default(),
                ..CsafProduct::default()
            });
        }
        let defined: HashMap<String, CsafProduct> = out
            .iter()
            .map(|p| (p.product_id.clone(), p.clone()))
            .collect();
        for r in &tree.relationships {
            let fp = &r.full_product_name;
            let mut p = defined
                .get(&r.product_reference)
                .cloned()
                .unwrap_or_default();
            p.product_id = fp.product_id.clone();
            p.name = fp.name.clone();
            if let Some(h) = &fp.product_identification_helper {
                p.helper = h.clone();
            }
            p.relationship = Some((r.category.clone(), r.relates_to_product_reference.clone()));
            out.push(p);
        }
        out
    }

    /// Product ids of each group.
    pub fn groups(&self) -> HashMap<&str, &[String]> {
        self.product_tree
            .iter()
            .flat_map(|t| &t.product_groups)
            .map(|g| (g.group_id.as_str(), g.product_ids.as_slice()))
            .collect()
    }

    /// The product ids named directly or through groups.
    pub fn expand<'a>(
        &'a self,
        product_ids: &'a [String],
        group_ids: &'a [String],
    ) -> Vec<&'a str> {
        let groups = self.groups();
        let mut ids: Vec<&str> = product_ids.iter().map(String::as_str).collect();
        for g in group_ids {
            ids.extend(
                groups
                    .get(g.as_str())
                    .into_iter()
                    .flat_map(|m| m.iter().map(String::as_str)),
            );
        }
        ids
    }

    /// Why a product is not affected by vulnerability `v`: its VEX flag label and its impact
    /// threat details, each `None` when the document does not give it.
    pub fn not_affected_reasons(
        &self,
        v: &Vulnerability,
        product_id: &str,
    ) -> (Option<String>, Option<String>) {
        let names =
            |pids: &[String], gids: &[String]| self.expand(pids, gids).contains(&product_id);
        let flag = v
            .flags
            .iter()
            .find(|f| names(&f.product_ids, &f.group_ids))
            .map(|f| f.label.clone());
        let impact = v
            .threats
            .iter()
            .find(|t| t.category == "impact" && names(&t.product_ids, &t.group_ids))
            .map(|t| t.details.clone());
        (flag, impact)
    }
}

/// Warns of every `product_version_range` branch under `at` whose range cannot be read: the
/// products under it are matched as candidates (their versions unchecked), never as covered.
fn unreadable_ranges(branches: &[Branch], at: &str, diags: &mut Vec<Diagnostic>) {
    for (i, b) in branches.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if b.category == "product_version_range"
            && let Err(e) = ident::VersionRange::parse(&b.name, ident::Scheme::Generic)
        {
            diags.push(Diagnostic::new(
                format!("{here}.name"),
                format!(
                    "version range {:?} cannot be read ({e}): its products are matched as \
                     candidates, their versions unchecked",
                    b.name
                ),
            ));
        }
        unreadable_ranges(&b.branches, &format!("{here}.branches"), diags);
    }
}

fn validate(doc: &CsafDocument, diags: &mut Vec<Diagnostic>) {
    if let Some(tree) = &doc.product_tree {
        unreadable_ranges(&tree.branches, "product_tree.branches", diags);
    }
    let products = doc.products();
    let mut defined = HashSet::new();
    for p in &products {
        if !defined.insert(p.product_id.as_str()) {
            diags.push(Diagnostic::new(
                "product_tree",
                format!("product id {} is defined twice (6.1.2)", p.product_id),
            ));
        }
        for (what, value) in [("cpe", &p.helper.cpe), ("purl", &p.helper.purl)] {
            let bad = match (what, value) {
                ("cpe", Some(c)) => ident::Cpe::parse(c).err().map(|e| e.to_string()),
                ("purl", Some(u)) => ident::Purl::parse(u).err().map(|e| e.to_string()),
                _ => None,
            };
            if let Some(msg) = bad {
                diags.push(Diagnostic::new(
                    format!(
                        "product_tree: {}.product_identification_helper.{what}",
                        p.product_id
                    ),
                    msg,
                ));
            }
        }
    }
    let groups = doc.groups();
    let check = |ids: &[String], at: &str, diags: &mut Vec<Diagnostic>| {
        for (i, id) in ids.iter().enumerate() {
            if !defined.contains(id.as_str()) {
                diags.push(Diagnostic::new(
                    format!("{at}[{i}]"),
                    format!("product id {id} is not defined (6.1.1)"),
                ));
            }
        }
    };
    for (g, group) in doc
        .product_tree
        .iter()
        .flat_map(|t| &t.product_groups)
        .enumerate()
    {
        check(
            &group.product_ids,
            &format!("product_tree.product_groups[{g}].product_ids"),
            diags,
        );
    }
    let check_groups = |ids: &[String], at: &str, diags: &mut Vec<Diagnostic>| {
        for (i, id) in ids.iter().enumerate() {
            if !groups.contains_key(id.as_str()) {
                diags.push(Diagnostic::new(
                    format!("{at}[{i}]"),
                    format!("group id {id} is not defined (6.1.4)"),
                ));
            }
        }
    };
    let vex = doc.document.category == "csaf_vex";
    for (n, v) in doc.vulnerabilities.iter().enumerate() {
        let at = format!("vulnerabilities[{n}]");
        for (name, ids) in v.product_status.lists() {
            check(ids, &format!("{at}.product_status.{name}"), diags);
        }
        for (i, r) in v.remediations.iter().enumerate() {
            check(
                &r.product_ids,
                &format!("{at}.remediations[{i}].product_ids"),
                diags,
            );
            check_groups(
                &r.group_ids,
                &format!("{at}.remediations[{i}].group_ids"),
                diags,
            );
        }
        for (i, f) in v.flags.iter().enumerate() {
            check(
                &f.product_ids,
                &format!("{at}.flags[{i}].product_ids"),
                diags,
            );
            check_groups(&f.group_ids, &format!("{at}.flags[{i}].group_ids"), diags);
        }
        for (i, t) in v.threats.iter().enumerate() {
            check(
                &t.product_ids,
                &format!("{at}.threats[{i}].product_ids"),
                diags,
            );
            check_groups(&t.group_ids, &format!("{at}.threats[{i}].group_ids"), diags);
        }
        let s = &v.product_status;
        let affected: HashSet<&str> = s
            .first_affected
            .iter()
            .chain(&s.known_affected)
            .chain(&s.last_affected)
            .map(String::as_str)
            .collect();
        let not_affected: HashSet<&str> = s.known_not_affected.iter().map(String::as_str).collect();
        let fixed: HashSet<&str> = s
            .first_fixed
            .iter()
            .chain(&s.fixed)
            .map(String::as_str)
            .collect();
        let under: HashSet<&str> = s.under_investigation.iter().map(String::as_str).collect();
        let sets = [
            ("affected", &affected),
            ("not affected", &not_affected),
            ("fixed", &fixed),
            ("under investigation", &under),
        ];
        for (i, (a_name, a)) in sets.iter().enumerate() {
            for (b_name, b) in &sets[i + 1..] {
                let mut both: Vec<&&str> = a.intersection(b).collect();
                both.sort();
                for id in both {
                    diags.push(Diagnostic::new(
                        format!("{at}.product_status"),
                        format!("product id {id} is both {a_name} and {b_name} (6.1.6)"),
                    ));
                }
            }
        }
        if vex {
            for (i, id) in s.known_affected.iter().enumerate() {
                let acted = v.remediations.iter().any(|r| {
                    doc.expand(&r.product_ids, &r.group_ids)
                        .contains(&id.as_str())
                });
                if !acted {
                    diags.push(Diagnostic::new(
                        format!("{at}.product_status.known_affected[{i}]"),
                        format!("product id {id} has no remediation (action statement, 6.1.27.10)"),
                    ));
                }
            }
            for (i, id) in s.known_not_affected.iter().enumerate() {
                if doc.not_affected_reasons(v, id) == (None, None) {
                    diags.push(Diagnostic::new(
                        format!("{at}.product_status.known_not_affected[{i}]"),
                        format!("product id {id} has no flag or impact statement (6.1.27.9)"),
                    ));
                }
            }
        }
    }
    let needs_tree = matches!(
        doc.document.category.as_str(),
        "csaf_security_advisory" | "csaf_vex"
    );
    if needs_tree && doc.product_tree.is_none() {
        diags.push(Diagnostic::new(
            "product_tree",
            format!("required by profile {}", doc.document.category),
        ));
    }
    if needs_tree && doc.vulnerabilities.is_empty() {
        diags.push(Diagnostic::new(
            "vulnerabilities",
            format!("required by profile {}", doc.document.category),
        ));
    }
    if doc.document.category == "csaf_informational_advisory" && !doc.vulnerabilities.is_empty() {
        diags.push(Diagnostic::new(
            "vulnerabilities",
            "must not exist in an informational advisory",
        ));
    }
}

/// Parse a CSAF 2.0 document.
pub fn parse_csaf(bytes: &[u8]) -> Result<(CsafDocument, Vec<Diagnostic>), IntelError> {
    let doc: CsafDocument = typed(parse_json(bytes)?, "")?;
    if doc.document.csaf_version != "2.0" {
        return Err(IntelError::invalid(
            "document.csaf_version",
            format!("expected \"2.0\", found {:?}", doc.document.csaf_version),
        ));
    }
    let mut diags = Vec::new();
    validate(&doc, &mut diags);
    Ok((doc, diags))
}
