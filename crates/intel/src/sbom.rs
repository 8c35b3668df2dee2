//! SBOMs: CycloneDX JSON (1.2–1.6) and SPDX 2.x JSON, read into one [`Sbom`] shape.
//!
//! # CycloneDX validation
//! Rather than a full JSON Schema engine, [`parse_cyclonedx`] checks the constraints of the
//! bundled 1.6 schema (`shared/data/sbom/cyclonedx-schema/bom-1.6.schema.json`) that decide
//! whether a BOM can be used for matching, and refuses the document at the first violation, naming
//! its path. These are exactly what the official `invalid-*-1.6` conformance vectors exercise:
//! `bomFormat` is `CycloneDX`; `specVersion` is a known version; `serialNumber` matches
//! `^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`;
//! `metadata.timestamp` is an RFC 3339 date-time; every component (nested ones too, and
//! `metadata.component`) has a `name` and a `type` from the schema's enumeration; every hash has a
//! known `alg` and a `content` of 32/40/64/96/128 hex digits; every dependency has a non-empty
//! `ref`; every vulnerability `analysis.state` / `justification` is from the enumeration.
//! Identifier problems that do not stop matching (an unreadable purl or CPE) are diagnostics.
//!
//! # CycloneDX VEX
//! Each `vulnerabilities[]` entry with an `id` becomes a [`VexStatement`]. An `affects[].ref` is a
//! `bom-ref`, or a BOM-Link `urn:cdx:<serial>/<version>#<bom-ref>` naming this BOM's serial number
//! (the `bom-ref` percent-decoded). A BOM-Link to another BOM is kept as written with a
//! diagnostic: it matches nothing until resolved against that BOM ([`Refs::product`], which the
//! application does when a BOM of that serial number is stored). A ref to a component of a BOM
//! whose subject (`metadata.component`) has a purl or CPE is about that component *inside the
//! subject* ([`VexProduct::subcomponents`]); a ref to the subject, or to a component of a BOM
//! without one, is about the component itself. A ref that names no component is kept as written
//! (often a purl).
//!
//! # SPDX
//! [`parse_spdx`] reads `packages[]` with `versionInfo`, `supplier` and `externalRefs` of type
//! `purl`, `cpe23Type` and `cpe22Type`. `spdxVersion` must be `SPDX-2.x` and every package needs
//! `name` and `SPDXID`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::vex::{VexProduct, VexStatement, VexStatus};
use crate::{Diagnostic, IntelError, is_date_time, parse_json};

/// Which format a BOM came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SbomFormat {
    CycloneDx { spec_version: String },
    Spdx { spdx_version: String },
}

/// A hash of a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentHash {
    pub alg: String,
    pub content: String,
}

/// A component (CycloneDX) or package (SPDX).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Component {
    /// CycloneDX `bom-ref` or SPDX `SPDXID`.
    pub bom_ref: Option<String>,
    /// CycloneDX `type` (`library`, `firmware`, `device`…); `package` for SPDX.
    pub kind: String,
    pub group: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    /// Supplier, manufacturer or publisher name: the vendor for name matching.
    pub supplier: Option<String>,
    pub hashes: Vec<ComponentHash>,
    /// Index of the enclosing component in [`Sbom::components`] for nested CycloneDX components.
    pub parent: Option<usize>,
}

/// A BOM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sbom {
    pub format: SbomFormat,
    pub serial_number: Option<String>,
    /// What the BOM describes (`metadata.component`), when given.
    pub subject: Option<Component>,
    /// Every component, nested ones flattened after their parent.
    pub components: Vec<Component>,
    /// CycloneDX vulnerabilities as VEX statements ([`parse_cyclonedx`] says how `affects[].ref`
    /// is resolved).
    pub vulnerabilities: Vec<VexStatement>,
}

impl Sbom {
    /// What component `i` sits inside, nearest first: its enclosing components, then the
    /// BOM's subject.
    pub fn enclosing(&self, i: usize) -> impl Iterator<Item = &Component> {
        std::iter::successors(self.components[i].parent, |&p| self.components[p].parent)
            .map(|p| &self.components[p])
            .chain(self.subject.as_ref())
    }
}

const SPEC_VERSIONS: [&str; 8] = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];
const COMPONENT_TYPES: [&str; 13] = [
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];
const HASH_ALGS: [&str; 14] = [
    "MD5",
    "SHA-1",
    "SHA-256",
    "SHA-384",
    "SHA-512",
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
    "Streebog-256",
    "Streebog-512",
];
const ANALYSIS_STATES: [&str; 6] = [
    "resolved",
    "resolved_with_pedigree",
    "exploitable",
    "in_triage",
    "false_positive",
    "not_affected",
];
const JUSTIFICATIONS: [&str; 9] = [
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

fn is_serial_number(s: &str) -> bool {
    let Some(uuid) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn is_hash_content(s: &str) -> bool {
    [32, 40, 64, 96, 128].contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn array<'a>(o: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a [Value], IntelError> {
    match o.get(key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(IntelError::invalid(format!("{at}{key}"), "not an array")),
    }
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, IntelError> {
    v.as_object()
        .ok_or_else(|| IntelError::invalid(at, "not an object"))
}

fn hashes(o: &Map<String, Value>, at: &str) -> Result<Vec<ComponentHash>, IntelError> {
    let mut out = Vec::new();
    for (i, h) in array(o, "hashes", &format!("{at}."))?.iter().enumerate() {
        let hat = format!("{at}.hashes[{i}]");
        let h = object(h, &hat)?;
        let alg = text(h, "alg").unwrap_or_default();
        if !HASH_ALGS.contains(&alg.as_str()) {
            return Err(IntelError::invalid(
                format!("{hat}.alg"),
                format!("unknown hash algorithm {alg:?}"),
            ));
        }
        let content = text(h, "content").unwrap_or_default();
        if !is_hash_content(&content) {
            return Err(IntelError::invalid(
                format!("{hat}.content"),
                format!("not a {alg} hex digest: {content:?}"),
            ));
        }
        out.push(ComponentHash { alg, content });
    }
    Ok(out)
}

fn party(o: &Map<String, Value>) -> Option<String> {
    ["supplier", "manufacturer"]
        .iter()
        .find_map(|k| {
            o.get(*k)
                .and_then(Value::as_object)
                .and_then(|p| text(p, "name"))
        })
        .or_else(|| text(o, "publisher"))
        .or_else(|| text(o, "author"))
}

/// Validate and read one CycloneDX component, push it, then, depth first, its children.
fn cdx_component(
    v: &Value,
    at: &str,
    parent: Option<usize>,
    out: &mut Vec<Component>,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), IntelError> {
    let o = object(v, at)?;
    let kind = match o.get("type") {
        None => {
            return Err(IntelError::invalid(
                format!("{at}.type"),
                "missing (required)",
            ));
        }
        Some(Value::String(t)) if COMPONENT_TYPES.contains(&t.as_str()) => t.clone(),
        Some(t) => {
            return Err(IntelError::invalid(
                format!("{at}.type"),
                format!("not a component type: {t}"),
            ));
        }
    };
    let Some(name) = o.get("name").and_then(Value::as_str) else {
        return Err(IntelError::invalid(
            format!("{at}.name"),
            "missing (required) or not a string",
        ));
    };
    let purl = text(o, "purl");
    if let Some(Err(e)) = purl.as_deref().map(ident::Purl::parse) {
        diags.push(Diagnostic::new(format!("{at}.purl"), e.to_string()));
    }
    let cpe = text(o, "cpe");
    if let Some(Err(e)) = cpe.as_deref().map(ident::Cpe::parse) {
        diags.push(Diagnostic::new(format!("{at}.cpe"), e.to_string()));
    }
    let me = out.len();
    out.push(Component {
        bom_ref: text(o, "bom-ref"),
        kind,
        group: text(o, "group"),
        name: name.to_owned(),
        version: text(o, "version"),
        purl,
        cpe,
        supplier: party(o),
        hashes: hashes(o, at)?,
        parent,
    });
    for (i, child) in array(o, "components", &format!("{at}."))?
        .iter()
        .enumerate()
    {
        cdx_component(
            child,
            &format!("{at}.components[{i}]"),
            Some(me),
            out,
            diags,
        )?;
    }
    Ok(())
}

/// A BOM-Link `urn:cdx:<serial>/<version>#<bom-ref>`: the serial number as `urn:uuid:<serial>`
/// and the bom-ref, percent-decoded. `None` when `r` is not a BOM-Link or its bom-ref is empty or
/// unreadable. The version is not used: a BOM's versions keep their bom-refs.
pub fn bom_link(r: &str) -> Option<(String, String)> {
    let link = r.strip_prefix("urn:cdx:")?;
    let (bom, fragment) = link.split_once('#')?;
    let serial = bom.split_once('/').map_or(bom, |(serial, _version)| serial);
    // A BOM-Link fragment is percent-encoded.
    let bom_ref = ident::percent_decode(fragment).filter(|f| !f.is_empty())?;
    Some((format!("urn:uuid:{serial}"), bom_ref))
}

/// Why an `affects[].ref` names no product of a BOM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// A BOM-Link without a readable bom-ref.
    Unreadable,
    /// A BOM-Link to the BOM of this serial number (`urn:uuid:…`).
    OtherBom(String),
}

/// The `bom-ref`s of one BOM, to resolve `affects[].ref`s against (see the module docs).
pub struct Refs<'a> {
    serial_number: Option<&'a str>,
    by_ref: HashMap<&'a str, &'a Component>,
    subject: Option<&'a Component>,
}

impl<'a> Refs<'a> {
    fn new(
        serial_number: Option<&'a str>,
        components: &'a [Component],
        subject: Option<&'a Component>,
    ) -> Refs<'a> {
        let by_ref = components
            .iter()
            .chain(subject)
            .filter_map(|c| Some((c.bom_ref.as_deref()?, c)))
            .collect();
        Refs {
            serial_number,
            by_ref,
            subject,
        }
    }

    pub fn of(sbom: &'a Sbom) -> Refs<'a> {
        Refs::new(
            sbom.serial_number.as_deref(),
            &sbom.components,
            sbom.subject.as_ref(),
        )
    }

    /// The product a `bom-ref` or a BOM-Link to this BOM is about. A ref that names no component
    /// is kept as written.
    pub fn product(&self, r: &str) -> Result<VexProduct, Unresolved> {
        let local = if r.starts_with("urn:cdx:") {
            let (serial, bom_ref) = bom_link(r).ok_or(Unresolved::Unreadable)?;
            if self.serial_number != Some(serial.as_str()) {
                return Err(Unresolved::OtherBom(serial));
            }
            bom_ref
        } else {
            r.to_owned()
        };
        let identifier = |c: &Component| c.purl.clone().or_else(|| c.cpe.clone());
        let Some(c) = self.by_ref.get(local.as_str()) else {
            return Ok(VexProduct::whole(local));
        };
        let id = identifier(c).unwrap_or(local);
        let inside = self
            .subject
            .filter(|s| !std::ptr::eq(*s, *c))
            .and_then(identifier);
        Ok(match inside {
            Some(product) => VexProduct {
                id: product,
                subcomponents: vec![id],
            },
            None => VexProduct::whole(id),
        })
    }
}

/// Parse and validate a CycloneDX JSON BOM (see the module docs for what is checked).
pub fn parse_cyclonedx(bytes: &[u8]) -> Result<(Sbom, Vec<Diagnostic>), IntelError> {
    let root = parse_json(bytes)?;
    let o = object(&root, "$")?;
    match o.get("bomFormat").and_then(Value::as_str) {
        Some("CycloneDX") => {}
        other => {
            let found = other.map_or_else(|| "nothing".to_owned(), |f| format!("{f:?}"));
            return Err(IntelError::invalid(
                "bomFormat",
                format!("expected \"CycloneDX\", found {found}"),
            ));
        }
    }
    let spec_version = text(o, "specVersion").unwrap_or_default();
    if !SPEC_VERSIONS.contains(&spec_version.as_str()) {
        return Err(IntelError::invalid(
            "specVersion",
            format!("unknown CycloneDX version {spec_version:?}"),
        ));
    }
    let serial_number = text(o, "serialNumber");
    if let Some(s) = serial_number.as_deref().filter(|s| !is_serial_number(s)) {
        return Err(IntelError::invalid(
            "serialNumber",
            format!("not an RFC 4122 urn:uuid: {s:?}"),
        ));
    }
    let mut diags = Vec::new();
    let mut components = Vec::new();
    let mut subject = None;
    let bom_timestamp = o
        .get("metadata")
        .and_then(Value::as_object)
        .and_then(|m| text(m, "timestamp"));
    if let Some(meta) = o.get("metadata") {
        let meta = object(meta, "metadata")?;
        if let Some(ts) = meta.get("timestamp")
            && !ts.as_str().is_some_and(is_date_time)
        {
            return Err(IntelError::invalid(
                "metadata.timestamp",
                format!("not a date-time: {ts}"),
            ));
        }
        if let Some(c) = meta.get("component") {
            // The subject comes first; its own sub-components (if any) stay in the list as top-level ones.
            cdx_component(c, "metadata.component", None, &mut components, &mut diags)?;
            subject = Some(components.remove(0));
            for c in &mut components {
                c.parent = c.parent.and_then(|p| p.checked_sub(1));
            }
        }
    }
    for (i, c) in array(o, "components", "")?.iter().enumerate() {
        cdx_component(
            c,
            &format!("components[{i}]"),
            None,
            &mut components,
            &mut diags,
        )?;
    }
    for (i, d) in array(o, "dependencies", "")?.iter().enumerate() {
        let d = object(d, &format!("dependencies[{i}]"))?;
        if text(d, "ref").is_none() {
            return Err(IntelError::invalid(
                format!("dependencies[{i}].ref"),
                "missing or empty (required)",
            ));
        }
    }
    let refs = Refs::new(serial_number.as_deref(), &components, subject.as_ref());
    let mut vulnerabilities = Vec::new();
    for (i, v) in array(o, "vulnerabilities", "")?.iter().enumerate() {
        let at = format!("vulnerabilities[{i}]");
        let v = object(v, &at)?;
        let analysis = v.get("analysis").and_then(Value::as_object);
        let state = analysis.and_then(|a| text(a, "state"));
        if let Some(s) = state.as_deref().filter(|s| !ANALYSIS_STATES.contains(s)) {
            return Err(IntelError::invalid(
                format!("{at}.analysis.state"),
                format!("unknown state {s:?}"),
            ));
        }
        let justification = analysis.and_then(|a| text(a, "justification"));
        if let Some(j) = justification
            .as_deref()
            .filter(|j| !JUSTIFICATIONS.contains(j))
        {
            return Err(IntelError::invalid(
                format!("{at}.analysis.justification"),
                format!("unknown justification {j:?}"),
            ));
        }
        let Some(id) = text(v, "id") else {
            diags.push(Diagnostic::new(
                format!("{at}.id"),
                "missing: the vulnerability is skipped",
            ));
            continue;
        };
        let mut products = Vec::new();
        for (j, a) in array(v, "affects", &format!("{at}."))?.iter().enumerate() {
            let Some(r) = a.get("ref").and_then(Value::as_str) else {
                continue;
            };
            let here = format!("{at}.affects[{j}].ref");
            match refs.product(r) {
                Ok(p) => products.push(p),
                Err(Unresolved::Unreadable) => {
                    diags.push(Diagnostic::new(here, "BOM-Link without a readable bom-ref"));
                }
                Err(Unresolved::OtherBom(serial)) => {
                    diags.push(Diagnostic::new(
                        here,
                        format!(
                            "BOM-Link to another BOM ({serial}): applies only through that BOM \
                             once it is stored, never elsewhere"
                        ),
                    ));
                    products.push(VexProduct::whole(r));
                }
            }
        }
        vulnerabilities.push(VexStatement {
            vulnerability: id,
            aliases: Vec::new(),
            products,
            status: state
                .as_deref()
                .and_then(VexStatus::from_cyclonedx)
                .unwrap_or(VexStatus::Affected),
            timestamp: analysis
                .and_then(|a| text(a, "lastUpdated").or_else(|| text(a, "firstIssued")))
                .or_else(|| bom_timestamp.clone()),
            justification,
            impact_statement: analysis.and_then(|a| text(a, "detail")),
            action_statement: text(v, "recommendation"),
        });
    }
    Ok((
        Sbom {
            format: SbomFormat::CycloneDx { spec_version },
            serial_number,
            subject,
            components,
            vulnerabilities,
        },
        diags,
    ))
}

/// Parse an SPDX 2.x JSON document.
pub fn parse_spdx(bytes: &[u8]) -> Result<(Sbom, Vec<Diagnostic>), IntelError> {
    let root = parse_json(bytes)?;
    let o = object(&root, "$")?;
    let spdx_version = text(o, "spdxVersion").unwrap_or_default();
    if !spdx_version.starts_with("SPDX-2.") {
        return Err(IntelError::invalid(
            "spdxVersion",
            format!("expected SPDX-2.x, found {spdx_version:?}"),
        ));
    }
    let mut diags = Vec::new();
    let mut components = Vec::new();
    for (i, p) in array(o, "packages", "")?.iter().enumerate() {
        let at = format!("packages[{i}]");
        let p = object(p, &at)?;
        let (Some(name), Some(id)) = (text(p, "name"), text(p, "SPDXID")) else {
            return Err(IntelError::invalid(at, "a package needs name and SPDXID"));
        };
        let mut c = Component {
            bom_ref: Some(id),
            kind: "package".to_owned(),
            name,
            version: text(p, "versionInfo"),
            supplier: text(p, "supplier").map(|s| {
                s.trim_start_matches("Organization:")
                    .trim_start_matches("Person:")
                    .trim()
                    .to_owned()
            }),
            ..Component::default()
        };
        for (j, r) in array(p, "externalRefs", &format!("{at}."))?
            .iter()
            .enumerate()
        {
            let rat = format!("{at}.externalRefs[{j}]");
            let r = object(r, &rat)?;
            let locator = text(r, "referenceLocator").unwrap_or_default();
            match text(r, "referenceType").as_deref() {
                Some("purl") => match ident::Purl::parse(&locator) {
                    Ok(_) => c.purl = Some(locator),
                    Err(e) => diags.push(Diagnostic::new(
                        format!("{rat}.referenceLocator"),
                        e.to_string(),
                    )),
                },
                Some("cpe23Type" | "cpe22Type") => match ident::Cpe::parse(&locator) {
                    Ok(_) => c.cpe = c.cpe.or(Some(locator)),
                    Err(e) => diags.push(Diagnostic::new(
                        format!("{rat}.referenceLocator"),
                        e.to_string(),
                    )),
                },
                _ => {}
            }
        }
        for (j, h) in array(p, "checksums", &format!("{at}."))?.iter().enumerate() {
            let h = object(h, &format!("{at}.checksums[{j}]"))?;
            if let (Some(alg), Some(content)) = (text(h, "algorithm"), text(h, "checksumValue")) {
                c.hashes.push(ComponentHash { alg, content });
            }
        }
        components.push(c);
    }
    Ok((
        Sbom {
            format: SbomFormat::Spdx { spdx_version },
            serial_number: text(o, "documentNamespace"),
            subject: None,
            components,
            vulnerabilities: Vec::new(),
        },
        diags,
    ))
}
