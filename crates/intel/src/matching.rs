//! Inventory items against affected products, with every finding explained.
//!
//! [`Index`] holds the affected (and not-affected) products of CVE 5 records, CSAF advisories,
//! the KEV catalog and VEX statements under normalised keys:
//!
//! | key | from | rule when it matches |
//! |---|---|---|
//! | purl `type/namespace/name` | CVE 5 `collectionURL`+`packageName`, CSAF/VEX purl helpers, OSV packages | [`Rule::Purl`] |
//! | CPE (vendor, product) | CVE 5 `cpes[]` (CNA and ADP), CSAF cpe helpers, VEX CPEs | [`Rule::Cpe`] |
//! | model number | CSAF `model_numbers` (CISA ICS advisories) | [`Rule::ModelNumber`] |
//! | (vendor, product) names | CVE 5 `vendor`/`product`, CSAF vendor/product_name branches, KEV `vendorProject`/`product` | [`Rule::Name`] |
//! | vendor | entries whose product is a placeholder (`n/a`, `*`, CPE product ANY) | [`Rule::VendorOnly`] |
//!
//! Matching an item is a handful of hash lookups followed by range checks on the few candidates,
//! never a scan of the index. Model numbers are compared by [`ident::name_key`] (letters and
//! digits, lowercase), vendors by [`ident::vendor_key`] (also without `Inc`, `AG`,
//! `Corporation`…, and under one name when they have several: `php_group` is `php`, also in
//! CPEs), and product names by [`ident::ProductKey`]: without the vendor's name in front (`ABB
//! Automation Builder`), and with a trailing generation or range word (`… Series`, `… Firmware`,
//! `… V3`) matching the name without it but not another generation. The words are tables kept as
//! data with their sources in `crates/ident/data`. A CSAF product under a `product_family`
//! branch is also known by family and name together (`P3` / `D24M`: `P3 D24M`).
//!
//! OSV records ([`Index::add_osv`]) are indexed under the CVE id among their aliases (else the
//! GHSA id, else their own; [`crate::osv::OsvRecord::vulnerability_id`]), with their versions
//! checked in their ecosystem's order; withdrawn records are not indexed. A finding's
//! [`Finding::aliases`] are the other ids of every source behind it, so a CVE 5 record and an
//! OSV record about one CVE make one finding. "CVE" below means this vulnerability id.
//!
//! Per (item, CVE) the best-ranked match is the finding: purl above CPE above model number above
//! product name above vendor only, and, within a rule, a version checked against a range above an
//! item without a version ([`Finding::confidence`]).
//!
//! # Statements
//! CSAF `product_status` entries and VEX statements (OpenVEX, CycloneDX analyses) are
//! *statements*: a status for a product and CVE at a time. Of the statements that apply to an item
//! and CVE (matched by anything stronger than vendor only), the latest decides: ordered by
//! timestamp (the VEX statement's, else its document's; a CSAF advisory's
//! `current_release_date`), a missing timestamp oldest, ties by document id, then position in
//! the document, then the order documents were added. The latest one:
//! - `not_affected` / `fixed` (CSAF `known_not_affected`, `fixed`, `first_fixed`) moves the
//!   finding to [`Matches::suppressed`] with the statement's justification (or `fixed`) and
//!   impact statement, apart;
//! - `under_investigation` keeps the finding, marked [`Finding::under_investigation`];
//! - `affected` keeps the finding: an older not-affected statement no longer counts.
//!
//! `affected` statements are findings' sources too; the other statuses never are. A statement
//! about a product's subcomponent (OpenVEX `products[].subcomponents`, a CycloneDX analysis of a
//! component of a BOM with a subject) applies only to an item inside that product
//! ([`Item::within`]: an SBOM component inside the BOM's subject), never to the same component
//! elsewhere; a product that is neither purl nor CPE scopes nothing, so such statements apply to
//! no subcomponent.
//!
//! A CSAF `fixed` (or `first_fixed`) product whose purl is an rpm with a version (Red Hat's
//! advisories list only the fixed builds) also makes every earlier build of that package, in
//! RPM order, affected: in the stream of the product it is a component of, when the item's purl
//! has a `distro` qualifier (`rhel-8.6` is stream 8, as is `cpe:/a:redhat:rhel_aus:8.6`). An
//! rpm purl's `epoch` qualifier is part of its version.
//!
//! Version semantics for a CVE 5 `affected[]` product: a version inside an `unaffected` entry is
//! not affected; inside an `affected` entry it is; otherwise `defaultStatus: affected` makes it
//! affected. A product with neither versions nor a default is taken as affected in every
//! version. An item without a version matches any product that is affected in some version, at
//! the lower "unversioned" confidence.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use ident::{
    Cpe, CpeValue, ProductKey, Purl, Scheme, VersionRange, clean_version, name_key, vendor_key,
};
use model::Asset;

use crate::csaf::{CsafDocument, CsafProduct};
use crate::cve::{Affected, CveRecord, VersionStatus};
use crate::epss::EpssScores;
use crate::kev::{KevCatalog, KevEntry};
use crate::osv::OsvRecord;
use crate::sbom::{Component, Sbom};
use crate::vex::{VexStatement, VexStatus};
use crate::{Diagnostic, Instant};

/// Where an index entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Cve5,
    Csaf,
    Kev,
    Vex,
    Osv,
}

/// A source document: kind and id (CVE id, CSAF tracking id, KEV catalog version, VEX document
/// id, OSV id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Source {
    pub kind: SourceKind,
    pub document: String,
}

/// Which identifier matched, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Purl,
    Cpe,
    ModelNumber,
    Name,
    VendorOnly,
}

impl Rule {
    /// Confidence with a version checked against a range, and without one (the item has no
    /// version). Vendor-only guesses never check versions.
    fn confidence(self, version_checked: bool) -> f32 {
        match (self, version_checked) {
            (Rule::Purl, true) => 0.95,
            (Rule::Purl, false) => 0.6,
            (Rule::Cpe, true) => 0.85,
            (Rule::Cpe, false) => 0.5,
            (Rule::ModelNumber, true) => 0.8,
            (Rule::ModelNumber, false) => 0.55,
            (Rule::Name, true) => 0.65,
            (Rule::Name, false) => 0.4,
            (Rule::VendorOnly, _) => 0.15,
        }
    }
}

/// Why an item is deemed affected by a CVE.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The inventory item's id (asset id, or asset id + component ref).
    pub item: String,
    /// The vulnerability id: a CVE id, or for an OSV record without one its GHSA or own id.
    pub cve: String,
    /// Its other ids (OSV, GHSA, distribution advisories) from every source that matched, sorted.
    pub aliases: Vec<String>,
    pub source: Source,
    /// The advisory's identifier that matched (purl key, CPE, `vendor / product`, `model …`).
    pub matched_identifier: String,
    /// The item's version, when it had one.
    pub version: Option<String>,
    /// The range the version fell into (`>=10.2.0|<10.2.9-h1`, `*` for every version); `None`
    /// when no version was checked.
    pub range: Option<String>,
    /// Why the item's version was not checked although it has one: the advisory's ranges that
    /// cannot be read, as written (`; ` between them).
    pub unread: Option<String>,
    pub rule: Rule,
    pub confidence: f32,
    /// The latest statement about the item and CVE says `under_investigation`.
    pub under_investigation: Option<Investigation>,
}

/// An `under_investigation` statement: its document and its impact (or action) statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Investigation {
    pub by: Source,
    pub note: Option<String>,
}

impl Finding {
    /// True when the item's version was checked against the advisory's range (or the advisory
    /// covers every version). Otherwise the finding is a *candidate*: a vendor-only or
    /// unversioned match (a KEV entry names no versions; an item without a version), not a
    /// decision until an analyst confirms it or an SBOM gives the version.
    pub fn version_checked(&self) -> bool {
        self.range.is_some()
    }
}

/// A finding withdrawn by a not-affected or fixed statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: Source,
    /// The VEX justification or CSAF flag label; failing one, the status (`not_affected`,
    /// `known_not_affected`, `fixed`).
    pub justification: String,
    /// The statement's impact statement (CycloneDX `analysis.detail`, CSAF impact threat).
    pub impact_statement: Option<String>,
}

/// The result of matching.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matches {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// One inventory item: whatever identifies a product an asset runs or an SBOM component.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item {
    pub id: String,
    pub purl: Option<Purl>,
    pub cpe: Option<Cpe>,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub model: Option<String>,
    pub version: Option<String>,
    /// The products the item is part of, nearest first: for an SBOM component, its enclosing
    /// components and the BOM's subject. Statements about subcomponents look here.
    pub within: Vec<Item>,
}

fn some_text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Item {
    /// An item from one product string: a purl (`pkg:…`), a CPE (`cpe:2.3:…`, `cpe:/…`), or a
    /// plain `vendor:product[:version]` (for hardware without purl or CPE, such as
    /// `Siemens:SIMATIC S7-1500:V2.8`). Vendor and product are taken from the purl namespace's
    /// last segment and name, or the CPE vendor and product, so name rules apply to them too.
    pub fn parse(id: &str, product: &str) -> Result<Item, ident::IdentError> {
        let mut item = Item {
            id: id.to_owned(),
            ..Item::default()
        };
        match ident::ProductId::parse(product)? {
            ident::ProductId::Purl(p) => {
                item.vendor = p
                    .namespace
                    .as_deref()
                    .and_then(|n| n.rsplit('/').next())
                    .map(str::to_owned);
                item.product = Some(p.name.clone());
                item.version = purl_version(&p);
                item.purl = Some(p);
            }
            ident::ProductId::Cpe(c) => {
                item.vendor = c.vendor.unquoted();
                item.product = c.product.unquoted();
                item.version = c.version.unquoted();
                item.cpe = Some(c);
            }
            ident::ProductId::Plain {
                vendor,
                product,
                version,
            } => {
                item.vendor = vendor;
                item.product = Some(product);
                item.version = version;
            }
        }
        Ok(item)
    }

    /// Every product string of an asset; unreadable ones are reported (`products[i]`).
    pub fn from_asset(asset: &Asset) -> (Vec<Item>, Vec<Diagnostic>) {
        let mut items = Vec::with_capacity(asset.products.len());
        let mut diags = Vec::new();
        for (i, p) in asset.products.iter().enumerate() {
            match Item::parse(&asset.id, p) {
                Ok(item) => items.push(item),
                Err(e) => diags.push(Diagnostic::new(
                    format!("{}.products[{i}]", asset.id),
                    e.to_string(),
                )),
            }
        }
        (items, diags)
    }

    /// Component `i` of `sbom` ([`Item::from_component`]) inside what encloses it
    /// ([`Sbom::enclosing`]).
    pub fn in_sbom(id: &str, sbom: &Sbom, i: usize) -> Item {
        Item {
            within: sbom
                .enclosing(i)
                .map(|c| Item::from_component(id, c))
                .collect(),
            ..Item::from_component(id, &sbom.components[i])
        }
    }

    /// An SBOM component: purl and CPE when readable, supplier (or group) as vendor, name, version.
    pub fn from_component(id: &str, c: &Component) -> Item {
        let purl = c.purl.as_deref().and_then(|p| Purl::parse(p).ok());
        let cpe = c.cpe.as_deref().and_then(|p| Cpe::parse(p).ok());
        let version = some_text(c.version.as_deref())
            .or_else(|| purl.as_ref().and_then(purl_version))
            .or_else(|| cpe.as_ref().and_then(|p| p.version.unquoted()));
        Item {
            id: id.to_owned(),
            vendor: some_text(c.supplier.as_deref()).or_else(|| some_text(c.group.as_deref())),
            product: some_text(Some(&c.name)),
            model: (c.kind == "device" || c.kind == "firmware").then(|| c.name.clone()),
            version,
            purl,
            cpe,
            within: Vec::new(),
        }
    }
}

/// The versions an entry covers.
#[derive(Clone, Debug)]
struct Versions {
    /// The source names the product but says nothing about versions (KEV): never checked.
    unknown: bool,
    affected: Vec<VersionRange>,
    unaffected: Vec<VersionRange>,
    /// Every version not listed as unaffected is covered.
    default_covered: bool,
    /// Ranges the source gives that cannot be read, as written: a version none of the read
    /// ranges decides is left unchecked (a candidate), never ruled out or in by default.
    unread: Vec<String>,
}

enum Verdict<'a> {
    /// Covered by this range (`None`: by the default status).
    In(Option<&'a VersionRange>),
    /// The item has no version; the entry covers some version.
    Unversioned,
    Out,
}

/// A range "before X": unbounded below, X excluded (a CVE 5 `lessThan` from `0`).
fn is_before(r: &VersionRange) -> bool {
    matches!(
        r.intervals.as_slice(),
        [ident::Interval {
            lower: ident::Bound::Unbounded,
            upper: ident::Bound::Excluded(_),
        }]
    ) && r.excluded.is_empty()
}

/// A version's parts: `5.0.1-61` -> `5`, `0`, `1`, `61`.
fn parts(v: &str) -> impl Iterator<Item = &str> {
    v.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
}

impl Versions {
    /// True when `version` is at or past the fix X of one of these "before X" ranges on its
    /// own release line: X without its last part (`15.7` -> `15`, `5.0.1-61` -> `5.0.1`)
    /// starts `version` too. Records that list one "before X" per release line (Apple's,
    /// Mozilla's ESR, Acronis's) mean each line is fixed at its own X.
    fn fixed_on_its_line(&self, version: &str) -> bool {
        self.affected.iter().filter(|r| is_before(r)).any(|r| {
            let [
                ident::Interval {
                    upper: ident::Bound::Excluded(fix),
                    ..
                },
            ] = r.intervals.as_slice()
            else {
                return false;
            };
            let line = parts(fix).count().saturating_sub(1);
            line > 0
                && r.contains(version) == Some(false)
                && parts(version).take(line).eq(parts(fix).take(line))
        })
    }

    fn all() -> Versions {
        Versions {
            unknown: false,
            affected: Vec::new(),
            unaffected: Vec::new(),
            default_covered: true,
            unread: Vec::new(),
        }
    }

    fn unknown() -> Versions {
        Versions {
            unknown: true,
            ..Versions::all()
        }
    }

    fn of(ranges: Vec<VersionRange>) -> Versions {
        Versions {
            unknown: false,
            affected: ranges,
            unaffected: Vec::new(),
            default_covered: false,
            unread: Vec::new(),
        }
    }

    /// Only a range that cannot be read (`text`): every version is left unchecked.
    fn unread(text: &str) -> Versions {
        Versions {
            unread: vec![text.to_owned()],
            ..Versions::of(Vec::new())
        }
    }

    fn check(&self, version: Option<&str>) -> Verdict<'_> {
        if self.unknown {
            return Verdict::Unversioned;
        }
        let Some(v) = version.and_then(clean_version) else {
            return if self.default_covered || !self.affected.is_empty() || !self.unread.is_empty() {
                Verdict::Unversioned
            } else {
                Verdict::Out
            };
        };
        if self.unaffected.iter().any(|r| r.contains(v) == Some(true)) {
            return Verdict::Out;
        }
        if let Some(r) = self.affected.iter().find(|r| r.contains(v) == Some(true)) {
            return Verdict::In(Some(r));
        }
        if !self.unread.is_empty() {
            // Fail closed: a range that cannot be read may hold the version.
            Verdict::Unversioned
        } else if self.default_covered {
            Verdict::In(None)
        } else {
            Verdict::Out
        }
    }
}

/// What a CSAF `product_status` entry or a VEX statement says; see the module docs.
#[derive(Debug)]
struct Statement {
    status: VexStatus,
    /// The statement's time ([`crate::instant`]); `None` sorts oldest.
    instant: Option<Instant>,
    /// The statement's position in its document.
    position: usize,
    /// What a suppression by it shows: the justification or flag label, else the status.
    justification: String,
    impact_statement: Option<String>,
    /// For an `under_investigation` statement: its impact, else action, statement.
    note: Option<String>,
    /// For a subcomponent: the product the item must be inside.
    inside: Option<Enclosing>,
}

/// The product a subcomponent statement is about, at the version it names, if any.
#[derive(Debug)]
enum Enclosing {
    Purl(Purl),
    Cpe(Cpe),
}

impl Enclosing {
    /// A purl or CPE; `None` for anything else.
    fn parse(id: &str) -> Option<Enclosing> {
        match ident::ProductId::parse(id).ok()? {
            ident::ProductId::Purl(p) => Some(Enclosing::Purl(p)),
            ident::ProductId::Cpe(c) => Some(Enclosing::Cpe(c)),
            ident::ProductId::Plain { .. } => None,
        }
    }

    /// True when `item` is inside this product.
    fn holds(&self, item: &Item) -> bool {
        let same_version = |want: Option<&str>, have: Option<&str>| {
            want.and_then(clean_version)
                .is_none_or(|w| have.and_then(clean_version) == Some(w))
        };
        item.within.iter().any(|w| match self {
            Enclosing::Purl(p) => {
                w.purl.as_ref().is_some_and(|q| q.key() == p.key())
                    && same_version(p.version.as_deref(), w.version.as_deref())
            }
            Enclosing::Cpe(c) => {
                let version = c.version.unquoted().filter(|v| !v.contains(['*', '?']));
                w.cpe
                    .as_ref()
                    .is_some_and(|q| c.matches_ignoring_version(q))
                    && same_version(version.as_deref(), w.version.as_deref())
            }
        })
    }
}

#[derive(Clone, Debug)]
struct Entry {
    cve: Arc<str>,
    source: Arc<Source>,
    identifier: String,
    /// `None` for an advisory's affected product (CVE 5, KEV); a CSAF or VEX statement.
    statement: Option<Arc<Statement>>,
    versions: Arc<Versions>,
    /// For CPE entries: the whole name, whose other attributes must match too.
    cpe: Option<Cpe>,
    /// For model-number entries: the vendor, when known, must agree with the item's.
    vendor: Option<String>,
    /// The vulnerability's other ids (OSV records).
    aliases: Arc<[String]>,
    /// For a fixed rpm: the major version of its distribution, which an item's `distro`
    /// qualifier, when it has one, must agree with.
    stream: Option<String>,
    /// For name entries whose product names a generation (`… V3`, `… Series`): its exact key,
    /// which the item's must equal unless the item names none ([`ProductKey::same_product`]).
    generation: Option<Box<str>>,
}

impl Entry {
    /// Where its statement sorts among the statements about one item and CVE: the latest last.
    fn order(&self) -> Option<(Option<Instant>, &str, usize)> {
        let s = self.statement.as_deref()?;
        Some((s.instant, self.source.document.as_str(), s.position))
    }
}

/// Affected products under normalised keys; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    by_purl: HashMap<String, Vec<u32>>,
    by_cpe: HashMap<(String, String), Vec<u32>>,
    by_model: HashMap<String, Vec<u32>>,
    by_name: HashMap<(String, String), Vec<u32>>,
    by_vendor: HashMap<String, Vec<u32>>,
}

/// A product name that says nothing (`n/a`, `*`, `all products`…).
fn placeholder_product(p: &str) -> bool {
    let k = name_key(p);
    k.is_empty()
        || matches!(
            k.as_str(),
            "na" | "unknown"
                | "unspecified"
                | "all"
                | "allproducts"
                | "any"
                | "multiple"
                | "multipleproducts"
        )
}

/// The purl type of a CVE 5 `collectionURL`, for the ecosystems whose registries are well known.
fn purl_type(collection_url: &str) -> Option<&'static str> {
    let u = collection_url.to_ascii_lowercase();
    [
        ("npmjs", "npm"),
        ("pypi", "pypi"),
        ("maven", "maven"),
        ("crates.io", "cargo"),
        ("rubygems", "gem"),
        ("nuget", "nuget"),
        ("packagist", "composer"),
        ("golang", "golang"),
        ("pkg.go.dev", "golang"),
        ("hex.pm", "hex"),
        ("pub.dev", "pub"),
        ("github.com", "github"),
    ]
    .into_iter()
    .find(|(host, _)| u.contains(host))
    .map(|(_, ty)| ty)
}

/// `collectionURL` + `packageName` as a purl (Maven's `group:artifact` becomes namespace/name).
fn package_purl(collection_url: &str, package_name: &str) -> Option<Purl> {
    let ty = purl_type(collection_url)?;
    let name = package_name.trim();
    let path = if ty == "maven" {
        name.replacen(':', "/", 1)
    } else {
        name.to_owned()
    };
    let encoded = path.replace('@', "%40");
    Purl::parse(&format!("pkg:{ty}/{encoded}")).ok()
}

/// A purl's version; for an rpm, with the `epoch` qualifier in front (`1:1.0.2k-19.el7`).
fn purl_version(p: &Purl) -> Option<String> {
    let v = p.version.clone()?;
    match p.qualifiers.get("epoch") {
        Some(epoch) if p.ty == "rpm" && !v.contains(':') => Some(format!("{epoch}:{v}")),
        _ => Some(v),
    }
}

/// The first run of digits: a distribution's major version (`rhel-8.6`, `el8`, `8.6` -> `8`).
fn major(s: &str) -> Option<String> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = &s[start..];
    let len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    Some(rest[..len].trim_start_matches('0').to_owned())
}

/// The versions a purl names: its own version, or `otherwise` when it has none.
fn purl_versions(p: &Purl, otherwise: &Arc<Versions>) -> Arc<Versions> {
    match purl_version(p) {
        Some(v) => Arc::new(Versions::of(vec![VersionRange::exact(
            Scheme::from_purl_type(&p.ty),
            &v,
        )])),
        None => otherwise.clone(),
    }
}

/// The versions a CPE names: its version attribute when specific, or `otherwise` (ANY, NA, wildcards).
fn cpe_versions(c: &Cpe, otherwise: &Arc<Versions>) -> Arc<Versions> {
    match c.version.unquoted() {
        Some(v) if !v.contains(['*', '?']) => {
            Arc::new(Versions::of(vec![VersionRange::exact(Scheme::Generic, &v)]))
        }
        _ => otherwise.clone(),
    }
}

fn cpe_key(c: &Cpe) -> Option<(String, String)> {
    match (&c.vendor, &c.product) {
        (CpeValue::Value(_), CpeValue::Value(p)) if !p.contains(['*', '?']) => Some((
            vendor_key(&c.vendor.unquoted()?),
            name_key(&c.product.unquoted()?),
        )),
        _ => None,
    }
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// Number of entries (one per advisory product identifier and CVE).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn push(&mut self, entry: Entry) -> u32 {
        let id = u32::try_from(self.entries.len()).expect("fewer than 4 billion index entries");
        self.entries.push(entry);
        id
    }

    fn add_purl(&mut self, p: &Purl, entry: Entry) {
        let id = self.push(entry);
        self.by_purl.entry(p.key()).or_default().push(id);
    }

    fn add_cpe(&mut self, c: Cpe, mut entry: Entry) {
        match cpe_key(&c) {
            Some(key) => {
                entry.cpe = Some(c);
                let id = self.push(entry);
                self.by_cpe.entry(key).or_default().push(id);
            }
            None => {
                if let Some(v) = c.vendor.unquoted() {
                    let id = self.push(entry);
                    self.by_vendor.entry(vendor_key(&v)).or_default().push(id);
                }
            }
        }
    }

    fn add_name(&mut self, vendor: &str, product: &str, mut entry: Entry) {
        let v = vendor_key(vendor);
        if v.is_empty() {
            return;
        }
        if placeholder_product(product) {
            let id = self.push(entry);
            self.by_vendor.entry(v).or_default().push(id);
        } else {
            let key = ProductKey::new(Some(vendor), product);
            if key.names_generation() {
                entry.generation = Some(key.exact.into_boxed_str());
            }
            let id = self.push(entry);
            self.by_name.entry((v, key.base)).or_default().push(id);
        }
    }

    fn add_model(&mut self, model: &str, entry: Entry) {
        let key = name_key(model);
        if key.is_empty() || model.contains('*') {
            return;
        }
        let id = self.push(entry);
        self.by_model.entry(key).or_default().push(id);
    }

    /// Index a CVE 5 record's `affected[]` products (CNA and every ADP).
    pub fn add_cve(&mut self, record: &CveRecord) {
        let source = Arc::new(Source {
            kind: SourceKind::Cve5,
            document: record.cve_id.clone(),
        });
        let cve: Arc<str> = Arc::from(record.cve_id.as_str());
        for a in &record.affected {
            self.add_cve_affected(&cve, &source, a);
        }
    }

    fn add_cve_affected(&mut self, cve: &Arc<str>, source: &Arc<Source>, a: &Affected) {
        let mut versions = Versions {
            default_covered: a.default_status == Some(VersionStatus::Affected),
            ..Versions::of(Vec::new())
        };
        for v in a
            .versions
            .iter()
            .filter(|v| v.status != VersionStatus::Unknown)
        {
            // A range that cannot be read is kept as written (its import warned about it).
            match (v.range(), v.status) {
                (Ok(_), VersionStatus::Affected) if v.names_no_version() => {
                    versions.unread.push(v.written());
                }
                (Ok(range), VersionStatus::Affected) => versions.affected.push(range),
                (Ok(range), _) => versions.unaffected.push(range),
                (Err(_), _) => versions.unread.push(v.written()),
            }
        }
        if a.versions.is_empty() && a.default_status.is_none() {
            versions.default_covered = true;
        }
        if versions.affected.is_empty() && versions.unread.is_empty() && !versions.default_covered {
            return;
        }
        let versions = Arc::new(versions);
        let entry = |identifier: String, versions: Arc<Versions>| Entry {
            cve: cve.clone(),
            source: source.clone(),
            identifier,
            statement: None,
            versions,
            cpe: None,
            vendor: None,
            aliases: Arc::from([]),
            stream: None,
            generation: None,
        };
        if let (Some(url), Some(name)) = (&a.collection_url, &a.package_name)
            && let Some(p) = package_purl(url, name)
        {
            self.add_purl(&p, entry(p.to_string(), versions.clone()));
        }
        for c in a.cpes.iter().filter_map(|c| Cpe::parse(c).ok()) {
            // A CPE's own version is used only when the product lists no versions.
            let v = if a.versions.is_empty() {
                cpe_versions(&c, &versions)
            } else {
                versions.clone()
            };
            self.add_cpe(c.clone(), entry(c.to_string(), v));
        }
        if let Some(vendor) = &a.vendor {
            let product = a.product.as_deref().unwrap_or_default();
            self.add_name(
                vendor,
                product,
                entry(format!("{vendor} / {product}"), versions),
            );
        }
    }

    /// Index an OSV record's affected packages by purl, under its vulnerability id with its other
    /// ids as aliases ([`crate::osv`]). A withdrawn record is not indexed.
    pub fn add_osv(&mut self, record: &OsvRecord) {
        if record.withdrawn.is_some() {
            return;
        }
        let source = Arc::new(Source {
            kind: SourceKind::Osv,
            document: record.id.clone(),
        });
        let cve: Arc<str> = Arc::from(record.vulnerability_id());
        let aliases: Arc<[String]> = Arc::from(record.aliases_of());
        for p in record.packages().0 {
            if p.ranges.is_empty() && p.unread.is_empty() {
                continue;
            }
            let versions = Versions {
                unread: p.unread,
                ..Versions::of(p.ranges)
            };
            let entry = Entry {
                cve: cve.clone(),
                source: source.clone(),
                identifier: p.purl.to_string(),
                statement: None,
                versions: Arc::new(versions),
                cpe: None,
                vendor: None,
                aliases: aliases.clone(),
                stream: None,
                generation: None,
            };
            self.add_purl(&p.purl, entry);
        }
    }

    /// Index every KEV entry by vendor and product name. KEV names no versions, so these
    /// entries never check one: their findings carry the unversioned confidence, and they give
    /// way when a versioned source rules the item's version out for the same CVE.
    pub fn add_kev(&mut self, catalog: &KevCatalog) {
        let source = Arc::new(Source {
            kind: SourceKind::Kev,
            document: format!("KEV {}", catalog.catalog_version),
        });
        let unknown = Arc::new(Versions::unknown());
        for e in &catalog.vulnerabilities {
            let entry = Entry {
                cve: Arc::from(e.cve_id.as_str()),
                source: source.clone(),
                identifier: format!("{} / {}", e.vendor_project, e.product),
                statement: None,
                versions: unknown.clone(),
                cpe: None,
                vendor: None,
                aliases: Arc::from([]),
                stream: None,
                generation: None,
            };
            self.add_name(&e.vendor_project, &e.product, entry);
        }
    }

    /// Index a CSAF document's product statuses as statements dated by its
    /// `current_release_date`: affected (`known_affected`, `first_affected`, `last_affected`),
    /// not affected (`known_not_affected` with its flag label and impact statement), `fixed`
    /// (`fixed`, `first_fixed`) and `under_investigation`, by each helper and by name.
    /// Vulnerabilities without a `cve` are skipped.
    pub fn add_csaf(&mut self, doc: &CsafDocument) {
        let source = Arc::new(Source {
            kind: SourceKind::Csaf,
            document: doc.document.tracking.id.clone(),
        });
        let instant = crate::instant(&doc.document.tracking.current_release_date);
        let products: HashMap<String, CsafProduct> = doc
            .products()
            .into_iter()
            .map(|p| (p.product_id.clone(), p))
            .collect();
        for (position, v) in doc.vulnerabilities.iter().enumerate() {
            let Some(cve) = &v.cve else { continue };
            let cve: Arc<str> = Arc::from(cve.as_str());
            let s = &v.product_status;
            let statement = |status: VexStatus, justification: &str| Statement {
                status,
                instant,
                position,
                justification: justification.to_owned(),
                impact_statement: None,
                note: None,
                inside: None,
            };
            let affected = s
                .known_affected
                .iter()
                .chain(&s.first_affected)
                .chain(&s.last_affected)
                .map(|id| (id, statement(VexStatus::Affected, "known_affected")));
            let not_affected = s.known_not_affected.iter().map(|id| {
                let (flag, impact) = doc.not_affected_reasons(v, id);
                let mut st = statement(
                    VexStatus::NotAffected,
                    flag.as_deref().unwrap_or("known_not_affected"),
                );
                st.impact_statement = impact;
                (id, st)
            });
            let fixed = s
                .fixed
                .iter()
                .chain(&s.first_fixed)
                .map(|id| (id, statement(VexStatus::Fixed, "fixed")));
            let investigated = s.under_investigation.iter().map(|id| {
                (
                    id,
                    statement(VexStatus::UnderInvestigation, "under_investigation"),
                )
            });
            for (id, st) in affected
                .chain(not_affected)
                .chain(fixed)
                .chain(investigated)
            {
                if let Some(p) = products.get(id) {
                    self.add_csaf_product(&cve, &source, p, &Arc::new(st));
                }
            }
            for id in s.fixed.iter().chain(&s.first_fixed) {
                if let Some(p) = products.get(id) {
                    self.add_rpm_fixed(&cve, &source, p, &products);
                }
            }
        }
    }

    /// A fixed rpm (Red Hat's advisories list only the fixed builds): every earlier build of the
    /// package, in RPM order, is affected, in the stream of the product it is a component of
    /// (the major version of that product's CPE, `cpe:/a:redhat:rhel_aus:8.6::appstream` -> 8).
    fn add_rpm_fixed(
        &mut self,
        cve: &Arc<str>,
        source: &Arc<Source>,
        p: &CsafProduct,
        products: &HashMap<String, CsafProduct>,
    ) {
        let Some(purl) = p.helper.purl.as_deref().and_then(|u| Purl::parse(u).ok()) else {
            return;
        };
        let Some(fixed) = purl_version(&purl).filter(|_| purl.ty == "rpm") else {
            return;
        };
        let stream = p
            .relationship
            .as_ref()
            .and_then(|(_, parent)| products.get(parent))
            .and_then(|q| q.helper.cpe.as_deref())
            .and_then(|c| Cpe::parse(c).ok())
            .and_then(|c| c.version.unquoted())
            .and_then(|v| major(&v));
        let range = VersionRange {
            scheme: Scheme::Rpm,
            intervals: vec![ident::Interval {
                lower: ident::Bound::Unbounded,
                upper: ident::Bound::Excluded(fixed),
            }],
            excluded: Vec::new(),
        };
        let package = Purl {
            version: None,
            qualifiers: BTreeMap::new(),
            subpath: None,
            ..purl
        };
        let entry = Entry {
            cve: cve.clone(),
            source: source.clone(),
            identifier: package.to_string(),
            statement: None,
            versions: Arc::new(Versions::of(vec![range])),
            cpe: None,
            vendor: None,
            aliases: Arc::from([]),
            stream,
            generation: None,
        };
        self.add_purl(&package, entry);
    }

    fn add_csaf_product(
        &mut self,
        cve: &Arc<str>,
        source: &Arc<Source>,
        p: &CsafProduct,
        statement: &Arc<Statement>,
    ) {
        let branch_versions = match (&p.version, &p.version_range) {
            // A range that cannot be read covers no version for sure (its import warned).
            (_, Some(r)) => VersionRange::parse(r, Scheme::Generic)
                .map_or_else(|_| Versions::unread(r), |r| Versions::of(vec![r])),
            (Some(v), None) => Versions::of(vec![VersionRange::exact(Scheme::Generic, v)]),
            (None, None) => Versions::all(),
        };
        let branch_versions = Arc::new(branch_versions);
        let entry = |identifier: String, versions: Arc<Versions>| Entry {
            cve: cve.clone(),
            source: source.clone(),
            identifier,
            statement: Some(statement.clone()),
            versions,
            cpe: None,
            vendor: p.vendor.as_deref().map(vendor_key),
            aliases: Arc::from([]),
            stream: None,
            generation: None,
        };
        if let Some(purl) = p.helper.purl.as_deref().and_then(|u| Purl::parse(u).ok()) {
            let versions = purl_versions(&purl, &branch_versions);
            self.add_purl(&purl, entry(purl.to_string(), versions));
        }
        if let Some(c) = p.helper.cpe.as_deref().and_then(|c| Cpe::parse(c).ok()) {
            let versions = cpe_versions(&c, &branch_versions);
            self.add_cpe(c.clone(), entry(c.to_string(), versions));
        }
        for m in &p.helper.model_numbers {
            self.add_model(m, entry(format!("model {m}"), branch_versions.clone()));
        }
        if let Some(vendor) = &p.vendor {
            let product = p.product_name.as_deref().unwrap_or(&p.name);
            self.add_name(
                vendor,
                product,
                entry(format!("{vendor} / {product}"), branch_versions.clone()),
            );
            // A product-family branch above a product name (`P3` / `D24M`): the product is also
            // known by both (`P3 D24M`), unless its name already starts with the family's.
            if let Some(family) = &p.product_family
                && !name_key(product).starts_with(&name_key(family))
            {
                let named = format!("{family} {product}");
                self.add_name(
                    vendor,
                    &named,
                    entry(format!("{vendor} / {named}"), branch_versions.clone()),
                );
            }
        }
    }

    /// Index VEX statements (OpenVEX, or CycloneDX analyses via [`crate::sbom::Sbom::vulnerabilities`])
    /// of `document`, in document order: each product, and each of its subcomponents inside it;
    /// products and subcomponents are purls or CPEs, at the version they name (or every version
    /// when they name none). See the module docs for what the statements do.
    pub fn add_vex(&mut self, document: &str, statements: &[VexStatement]) {
        let source = Arc::new(Source {
            kind: SourceKind::Vex,
            document: document.to_owned(),
        });
        let every = Arc::new(Versions::all());
        for (position, s) in statements.iter().enumerate() {
            // What a suppression shows (only not_affected and fixed suppress).
            let justification = match s.status {
                VexStatus::Fixed => "fixed",
                _ => s.justification.as_deref().unwrap_or("not_affected"),
            };
            let statement = |inside: Option<Enclosing>| {
                Arc::new(Statement {
                    status: s.status,
                    instant: s.timestamp.as_deref().and_then(crate::instant),
                    position,
                    justification: justification.to_owned(),
                    impact_statement: s.impact_statement.clone(),
                    note: s
                        .impact_statement
                        .clone()
                        .or_else(|| s.action_statement.clone()),
                    inside,
                })
            };
            let cve: Arc<str> = Arc::from(s.vulnerability.as_str());
            for product in &s.products {
                self.add_vex_product(&cve, &source, &product.id, &statement(None), &every);
                if product.subcomponents.is_empty() {
                    continue;
                }
                // Subcomponents of a product that is neither purl nor CPE apply nowhere.
                let Some(inside) = Enclosing::parse(&product.id) else {
                    continue;
                };
                let scoped = statement(Some(inside));
                for sub in &product.subcomponents {
                    self.add_vex_product(&cve, &source, sub, &scoped, &every);
                }
            }
        }
    }

    fn add_vex_product(
        &mut self,
        cve: &Arc<str>,
        source: &Arc<Source>,
        product: &str,
        statement: &Arc<Statement>,
        every: &Arc<Versions>,
    ) {
        let entry = |versions: Arc<Versions>| Entry {
            cve: cve.clone(),
            source: source.clone(),
            identifier: product.to_owned(),
            statement: Some(statement.clone()),
            versions,
            cpe: None,
            vendor: None,
            aliases: Arc::from([]),
            stream: None,
            generation: None,
        };
        if let Ok(p) = Purl::parse(product) {
            self.add_purl(&p, entry(purl_versions(&p, every)));
        } else if let Ok(c) = Cpe::parse(product) {
            self.add_cpe(c.clone(), entry(cpe_versions(&c, every)));
        }
    }

    /// The candidate entries of an item with the rule that found each.
    fn candidates<'a>(&'a self, item: &Item) -> Vec<(Rule, &'a Entry)> {
        let mut out = Vec::new();
        let mut take = |rule: Rule, ids: Option<&Vec<u32>>, keep: &dyn Fn(&Entry) -> bool| {
            for &id in ids.into_iter().flatten() {
                let e = &self.entries[id as usize];
                if keep(e) {
                    out.push((rule, e));
                }
            }
        };
        let any = |_: &Entry| true;
        if let Some(p) = &item.purl {
            take(Rule::Purl, self.by_purl.get(&p.key()), &any);
        }
        if let Some(c) = &item.cpe
            && let Some(key) = cpe_key(c)
        {
            take(Rule::Cpe, self.by_cpe.get(&key), &any);
        }
        if let Some(m) = &item.model {
            take(Rule::ModelNumber, self.by_model.get(&name_key(m)), &any);
        }
        if let Some(product) = &item.product {
            take(
                Rule::ModelNumber,
                self.by_model.get(&name_key(product)),
                &any,
            );
        }
        if let Some(vendor) = item
            .vendor
            .as_deref()
            .map(vendor_key)
            .filter(|v| !v.is_empty())
        {
            if let Some(product) = &item.product {
                let key = ProductKey::new(item.vendor.as_deref(), product);
                let ids = self.by_name.get(&(vendor.clone(), key.base.clone()));
                let exact = |e: &Entry| e.generation.as_deref().unwrap_or(&key.base) == key.exact;
                // Vulnerabilities whose sources name this very product, generation and all:
                // for them, entries about its other generations do not count (an advisory
                // listing both `AFS670` and `AFS670-V2` gives each its own range).
                let named: Vec<&str> = ids
                    .into_iter()
                    .flatten()
                    .map(|&id| &self.entries[id as usize])
                    .filter(|e| exact(e))
                    .map(|e| &*e.cve)
                    .collect();
                let same_product = |e: &Entry| {
                    exact(e)
                        || (!named.contains(&&*e.cve)
                            && e.generation
                                .as_deref()
                                .is_none_or(|g| !key.names_generation() || key.exact == g))
                };
                take(Rule::Name, ids, &same_product);
            }
            take(Rule::VendorOnly, self.by_vendor.get(&vendor), &any);
        }
        out
    }

    /// Match one item. Findings and suppressions come one per CVE, in CVE order.
    pub fn match_item(&self, item: &Item) -> Matches {
        // Per CVE: the best (confidence, rule, entry, range), kept cheap until the end.
        let mut best: Vec<(f32, Rule, &Entry, Option<Option<&VersionRange>>)> = Vec::new();
        // Per CVE: the latest statement that applies.
        let mut latest: Vec<&Entry> = Vec::new();
        let mut ruled_out: Vec<&str> = Vec::new();
        // Every entry that could be the finding: their aliases are the finding's.
        let mut behind: Vec<&Entry> = Vec::new();
        // Per CVE and source: the item's version is past a fix on its own release line.
        let mut fixed_on_line: Vec<(&str, &str)> = Vec::new();
        let item_vendor = item.vendor.as_deref().map(vendor_key);
        for (rule, e) in self.candidates(item) {
            if let (Some(c), Some(target)) = (&e.cpe, &item.cpe)
                && !c.matches_ignoring_version(target)
            {
                continue;
            }
            if let (Some(stream), Some(distro)) = (
                &e.stream,
                item.purl
                    .as_ref()
                    .and_then(|p| p.qualifiers.get("distro"))
                    .and_then(|d| major(d)),
            ) && *stream != distro
            {
                continue;
            }
            if rule == Rule::ModelNumber
                && let (Some(a), Some(b)) = (&e.vendor, &item_vendor)
                && a != b
            {
                continue;
            }
            if let Some(inside) = e.statement.as_ref().and_then(|s| s.inside.as_ref())
                && !inside.holds(item)
            {
                continue;
            }
            let verdict = if rule == Rule::VendorOnly {
                Verdict::Unversioned
            } else {
                e.versions.check(item.version.as_deref())
            };
            let (range, checked) = match verdict {
                Verdict::Out => {
                    ruled_out.push(&e.cve);
                    if item
                        .version
                        .as_deref()
                        .is_some_and(|v| e.versions.fixed_on_its_line(v))
                    {
                        fixed_on_line.push((&e.cve, &e.source.document));
                    }
                    continue;
                }
                Verdict::In(r) => (Some(r), true),
                Verdict::Unversioned => (None, false),
            };
            if e.statement.is_some() && rule != Rule::VendorOnly {
                match latest.iter_mut().find(|l| l.cve == e.cve) {
                    Some(l) if l.order() > e.order() => {}
                    Some(l) => *l = e,
                    None => latest.push(e),
                }
            }
            if e.statement
                .as_ref()
                .is_some_and(|s| s.status != VexStatus::Affected)
            {
                continue;
            }
            let confidence = rule.confidence(checked);
            behind.push(e);
            match best.iter_mut().find(|b| b.2.cve == e.cve) {
                Some(b)
                    if (b.0, std::cmp::Reverse(b.1)) >= (confidence, std::cmp::Reverse(rule)) => {}
                Some(b) => *b = (confidence, rule, e, range),
                None => best.push((confidence, rule, e, range)),
            }
        }
        // A version checked and found outside a range outweighs a guess that checked none.
        best.retain(|b| b.3.is_some() || !ruled_out.contains(&&*b.2.cve));
        // A fix on the version's own release line outweighs another line's "before X" of the
        // same source (`iOS < 15.7` and `iOS < 16.6`: 15.7 is fixed).
        best.retain(|b| {
            !(b.3.flatten().is_some_and(is_before)
                && fixed_on_line.contains(&(&*b.2.cve, b.2.source.document.as_str())))
        });
        best.sort_by(|x, y| x.2.cve.cmp(&y.2.cve));
        let mut out = Matches::default();
        for (confidence, rule, e, range) in best {
            let finding = Finding {
                item: item.id.clone(),
                cve: e.cve.to_string(),
                aliases: {
                    let mut a: Vec<String> = behind
                        .iter()
                        .filter(|b| b.cve == e.cve)
                        .flat_map(|b| b.aliases.iter().cloned())
                        .collect();
                    a.sort();
                    a.dedup();
                    a
                },
                source: Source::clone(&e.source),
                matched_identifier: e.identifier.clone(),
                version: item.version.clone(),
                unread: (range.is_none() && item.version.is_some() && rule != Rule::VendorOnly)
                    .then(|| e.versions.unread.join("; "))
                    .filter(|u| !u.is_empty()),
                range: range.map(|r| r.map_or_else(|| "*".to_owned(), ToString::to_string)),
                rule,
                confidence,
                under_investigation: None,
            };
            let decided = latest
                .iter()
                .find(|l| l.cve == e.cve)
                .and_then(|l| Some((Source::clone(&l.source), l.statement.as_deref()?)));
            match decided {
                Some((by, s)) if matches!(s.status, VexStatus::NotAffected | VexStatus::Fixed) => {
                    out.suppressed.push(Suppressed {
                        finding,
                        by,
                        justification: s.justification.clone(),
                        impact_statement: s.impact_statement.clone(),
                    });
                }
                Some((by, s)) if s.status == VexStatus::UnderInvestigation => {
                    out.findings.push(Finding {
                        under_investigation: Some(Investigation {
                            by,
                            note: s.note.clone(),
                        }),
                        ..finding
                    });
                }
                _ => out.findings.push(finding),
            }
        }
        out
    }

    /// Match many items; findings in item order.
    /// Items are matched in parallel (rayon); the result does not depend on the thread count.
    pub fn match_items(&self, items: &[Item]) -> Matches {
        let mut out = Matches::default();
        for m in self.match_each(items) {
            out.findings.extend(m.findings);
            out.suppressed.extend(m.suppressed);
        }
        out
    }

    /// Match many items, each item's matches apart, in item order ([`Index::match_item`]).
    /// Items are matched in parallel (rayon); the result does not depend on the thread count.
    pub fn match_each(&self, items: &[Item]) -> Vec<Matches> {
        items.par_iter().map(|item| self.match_item(item)).collect()
    }
}

/// A finding with what prioritises it: the KEV entry (due date, ransomware use) and EPSS.
#[derive(Clone, Debug, PartialEq)]
pub struct Prioritised<'a> {
    pub finding: &'a Finding,
    pub kev: Option<&'a KevEntry>,
    /// KEV `dueDate` (`YYYY-MM-DD`), the remediation deadline for US federal agencies.
    pub kev_due_date: Option<&'a str>,
    pub epss: Option<f64>,
}

/// Attach KEV entries and EPSS scores to findings, in the findings' order.
pub fn prioritise<'a>(
    findings: &'a [Finding],
    kev: &'a KevCatalog,
    epss: &EpssScores,
) -> Vec<Prioritised<'a>> {
    let kev = kev.by_cve();
    let epss = epss.by_cve();
    findings
        .iter()
        .map(|f| {
            let entry = kev.get(f.cve.as_str()).copied();
            Prioritised {
                finding: f,
                kev: entry,
                kev_due_date: entry.map(|e| e.due_date.as_str()),
                epss: epss.get(f.cve.as_str()).map(|s| s.epss),
            }
        })
        .collect()
}

/// Per item id (an asset id for [`Item::from_asset`] items), the highest EPSS among its findings
/// and the CVE that has it. Items whose CVEs have no score are absent.
pub fn epss_max_per_item(
    findings: &[Finding],
    epss: &EpssScores,
) -> BTreeMap<String, (f64, String)> {
    let scores = epss.by_cve();
    let mut out: BTreeMap<String, (f64, String)> = BTreeMap::new();
    for f in findings {
        let Some(s) = scores.get(f.cve.as_str()) else {
            continue;
        };
        match out.get(&f.item) {
            Some((best, _)) if *best >= s.epss => {}
            _ => {
                out.insert(f.item.clone(), (s.epss, f.cve.clone()));
            }
        }
    }
    out
}
