//! OSV records (Open Source Vulnerability format, schema 1.x): the Go vulnerability database,
//! GitHub advisories, PyPI, npm, Maven, RubyGems, Red Hat, Alpine, Debian… records.
//!
//! A record is refused when it is not a JSON object with a non-empty `id` and a `modified`
//! timestamp, or when a member has the wrong shape (the error names the JSON path). Problems that
//! leave the rest usable are diagnostics naming their path:
//! - an event that is not exactly one of `introduced`, `fixed`, `last_affected`, `limit`
//!   (`affected[2].ranges[0].events[1]`);
//! - a `GIT` range: commits cannot be ordered without the repository, so it is never evaluated
//!   against a package version. Its package's versions that no other range decides are left
//!   unchecked (candidates), never matched nor ruled out silently;
//! - a range type other than `SEMVER`, `ECOSYSTEM`, `GIT`;
//! - an ecosystem Meridian does not know, or one without a package URL type
//!   (`affected[0].package.ecosystem`), and an `affected[]` entry without a package: they match
//!   nothing.
//!
//! # Ranges ([`OsvRecord::packages`])
//! As the OSV specification evaluates them: the events of a range sorted in the ecosystem's
//! version order (`introduced: "0"` first), each `introduced` opens an interval, `fixed` closes it
//! before the version and `last_affected` at it; an interval still open is unbounded above. With
//! `limit` events, a version must also be below one of them. `versions[]` lists affected
//! versions exactly. A `SEMVER` range uses semver (Go's variant for the Go ecosystem), an
//! `ECOSYSTEM` range the ecosystem's ordering ([`ecosystem`]).
//!
//! # Identity ([`OsvRecord::vulnerability_id`])
//! The record's findings carry the CVE id among its `aliases` (then `upstream`) when there is
//! one, else its GHSA id, else its own id; the other ids are its [`OsvRecord::aliases_of`]. So a
//! CVE 5 record and an OSV record about CVE-X make one finding per item.

use std::cmp::Ordering;

use ident::{Bound, Interval, Purl, Scheme, VersionRange, clean_version, compare_versions};
use serde::Deserialize;
use serde_json::Value;

use crate::{Diagnostic, IntelError, is_cve_id, parse_json, typed};

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct OsvRecord {
    pub id: String,
    pub modified: String,
    #[serde(default)]
    pub schema_version: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub upstream: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub database_specific: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<Package>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub database_specific: Option<Value>,
    #[serde(default)]
    pub ecosystem_specific: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub repo: Option<String>,
    pub events: Vec<Event>,
    #[serde(default)]
    pub database_specific: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

/// What an event says, once checked to say exactly one thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

impl Event {
    fn kind(&self) -> Option<(EventKind, &str)> {
        let all = [
            (EventKind::Introduced, &self.introduced),
            (EventKind::Fixed, &self.fixed),
            (EventKind::LastAffected, &self.last_affected),
            (EventKind::Limit, &self.limit),
        ];
        let mut set = all
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)));
        let first = set.next()?;
        set.next().is_none().then_some(first)
    }
}

/// An ecosystem Meridian matches: its package URL type, purl namespace for distributions, and
/// version ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ecosystem {
    pub purl_type: &'static str,
    pub namespace: Option<&'static str>,
    pub scheme: Scheme,
}

/// OSV ecosystems that name packages no package URL type identifies (the schema's list).
const UNMATCHED: [&str; 27] = [
    "Alpaquita",
    "Android",
    "Azure Linux",
    "BellSoft Hardened Containers",
    "Bioconductor",
    "Bitnami",
    "Chainguard",
    "CleanStart",
    "ConanCenter",
    "CRAN",
    "Docker Hardened Images",
    "Echo",
    "FreeBSD",
    "GHC",
    "GitHub Actions",
    "Hackage",
    "Julia",
    "Kubernetes",
    "Linux",
    "MinimOS",
    "opam",
    "OSS-Fuzz",
    "Photon OS",
    "Root",
    "TuxCare",
    "VSCode",
    "Wolfi",
];

/// The ecosystem of an OSV `package.ecosystem` (its part before `:`, as in `Alpine:v3.18` or
/// `Red Hat:rhel_aus:8.6::appstream`). `Err(true)`: a known ecosystem without a package URL
/// type; `Err(false)`: unknown.
pub fn ecosystem(name: &str) -> Result<Ecosystem, bool> {
    let base = name.split(':').next().unwrap_or_default().trim();
    let e = |purl_type, namespace, scheme| {
        Ok(Ecosystem {
            purl_type,
            namespace,
            scheme,
        })
    };
    match base {
        "Go" => e("golang", None, Scheme::Go),
        "PyPI" => e("pypi", None, Scheme::Pep440),
        "Maven" => e("maven", None, Scheme::Maven),
        "npm" => e("npm", None, Scheme::Semver),
        "crates.io" => e("cargo", None, Scheme::Semver),
        "Hex" => e("hex", None, Scheme::Semver),
        "Pub" => e("pub", None, Scheme::Semver),
        "SwiftURL" => e("swift", None, Scheme::Semver),
        "RubyGems" => e("gem", None, Scheme::Generic),
        "NuGet" => e("nuget", None, Scheme::Generic),
        "Packagist" => e("composer", None, Scheme::Generic),
        "Red Hat" => e("rpm", Some("redhat"), Scheme::Rpm),
        "Rocky Linux" => e("rpm", Some("rocky-linux"), Scheme::Rpm),
        "AlmaLinux" => e("rpm", Some("almalinux"), Scheme::Rpm),
        "SUSE" => e("rpm", Some("suse"), Scheme::Rpm),
        "openSUSE" => e("rpm", Some("opensuse"), Scheme::Rpm),
        "Mageia" => e("rpm", Some("mageia"), Scheme::Rpm),
        "openEuler" => e("rpm", Some("openeuler"), Scheme::Rpm),
        "Debian" => e("deb", Some("debian"), Scheme::Generic),
        "Ubuntu" => e("deb", Some("ubuntu"), Scheme::Generic),
        "Alpine" => e("apk", Some("alpine"), Scheme::Generic),
        b => Err(UNMATCHED.iter().any(|u| u.eq_ignore_ascii_case(b))),
    }
}

/// A package's purl (without version) from its ecosystem and name: Go module paths split as
/// purl does, Maven `group:artifact`, npm scopes, Packagist `vendor/package`.
pub fn package_purl(eco: &Ecosystem, name: &str) -> Option<Purl> {
    let name = name.trim();
    let path = match eco.purl_type {
        "maven" => name.replacen(':', "/", 1),
        _ => name.to_owned(),
    };
    let encoded = path
        .replace('%', "%25")
        .replace('@', "%40")
        .replace('?', "%3F")
        .replace('#', "%23");
    let full = match eco.namespace {
        Some(ns) => format!("pkg:{}/{ns}/{encoded}", eco.purl_type),
        None => format!("pkg:{}/{encoded}", eco.purl_type),
    };
    Purl::parse(&full).ok()
}

/// One affected package, ready to match.
#[derive(Clone, Debug, PartialEq)]
pub struct AffectedPackage {
    /// Its position in `affected[]`.
    pub position: usize,
    /// Without version: what items are matched by ([`Purl::key`]).
    pub purl: Purl,
    pub ecosystem: String,
    pub scheme: Scheme,
    /// The affected versions: one range per `ranges[]` entry read, one exact version per
    /// `versions[]` entry.
    pub ranges: Vec<VersionRange>,
    /// Ranges that cannot be evaluated against a package version (`GIT`, unknown types), as
    /// `type repo`.
    pub unread: Vec<String>,
}

impl OsvRecord {
    /// The id findings carry; see the module docs.
    pub fn vulnerability_id(&self) -> &str {
        let ids = || self.aliases.iter().chain(&self.upstream);
        let mut cves: Vec<&String> = ids().filter(|a| is_cve_id(a)).collect();
        cves.sort();
        if is_cve_id(&self.id) {
            return &self.id;
        }
        if let Some(c) = cves.first() {
            return c;
        }
        if self.id.starts_with("GHSA-") {
            return &self.id;
        }
        ids()
            .find(|a| a.starts_with("GHSA-"))
            .map_or(&self.id, |g| g.as_str())
    }

    /// Every id of the record but `vulnerability_id`: its own, `aliases` and `upstream`, sorted.
    pub fn aliases_of(&self) -> Vec<String> {
        let main = self.vulnerability_id();
        let mut out: Vec<String> = std::iter::once(&self.id)
            .chain(&self.aliases)
            .chain(&self.upstream)
            .filter(|a| a.as_str() != main && !a.trim().is_empty())
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The affected packages that can be matched, and what cannot be (see the module docs).
    pub fn packages(&self) -> (Vec<AffectedPackage>, Vec<Diagnostic>) {
        let mut out = Vec::new();
        let mut diags = Vec::new();
        for (i, a) in self.affected.iter().enumerate() {
            let base = format!("affected[{i}]");
            let Some(p) = &a.package else {
                diags.push(Diagnostic::new(
                    &base,
                    "no package: the entry matches no inventory item",
                ));
                continue;
            };
            let eco = match ecosystem(&p.ecosystem) {
                Ok(eco) => eco,
                Err(known) => {
                    let why = if known {
                        "has no package URL type"
                    } else {
                        "is not an OSV ecosystem Meridian knows"
                    };
                    diags.push(Diagnostic::new(
                        format!("{base}.package.ecosystem"),
                        format!("{:?} {why}: the package matches nothing", p.ecosystem),
                    ));
                    continue;
                }
            };
            let purl = match &p.purl {
                Some(u) => match Purl::parse(u) {
                    Ok(mut purl) => {
                        purl.version = None;
                        purl
                    }
                    Err(e) => {
                        diags.push(Diagnostic::new(
                            format!("{base}.package.purl"),
                            e.to_string(),
                        ));
                        continue;
                    }
                },
                None => match package_purl(&eco, &p.name) {
                    Some(purl) => purl,
                    None => {
                        diags.push(Diagnostic::new(
                            format!("{base}.package.name"),
                            format!("{:?} makes no package URL", p.name),
                        ));
                        continue;
                    }
                },
            };
            let mut ranges = Vec::new();
            let mut unread = Vec::new();
            for (j, r) in a.ranges.iter().enumerate() {
                let path = format!("{base}.ranges[{j}]");
                let scheme = match r.kind.as_str() {
                    "SEMVER" if eco.scheme == Scheme::Go => Scheme::Go,
                    "SEMVER" => Scheme::Semver,
                    "ECOSYSTEM" => eco.scheme,
                    other => {
                        let message = if other == "GIT" {
                            "a GIT range (commits) cannot be evaluated against package versions: \
                             versions no other range decides stay unchecked"
                                .to_owned()
                        } else {
                            format!("range type {other:?} is not SEMVER, ECOSYSTEM or GIT: ignored")
                        };
                        diags.push(Diagnostic::new(format!("{path}.type"), message));
                        unread.push(
                            format!("{other} {}", r.repo.as_deref().unwrap_or_default())
                                .trim()
                                .to_owned(),
                        );
                        continue;
                    }
                };
                if let Some(range) = evaluate(scheme, &r.events, &path, &mut diags) {
                    ranges.push(range);
                }
            }
            ranges.extend(
                a.versions
                    .iter()
                    .filter(|v| clean_version(v).is_some())
                    .map(|v| VersionRange::exact(eco.scheme, v)),
            );
            out.push(AffectedPackage {
                position: i,
                purl,
                ecosystem: p.ecosystem.clone(),
                scheme: eco.scheme,
                ranges,
                unread,
            });
        }
        (out, diags)
    }
}

/// A range's events as intervals (see the module docs); `None` when no event can be read.
fn evaluate(
    scheme: Scheme,
    events: &[Event],
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<VersionRange> {
    let mut read: Vec<(EventKind, &str)> = Vec::new();
    for (k, e) in events.iter().enumerate() {
        match e.kind() {
            Some((kind, v)) if clean_version(v).is_some() => read.push((kind, v.trim())),
            Some((kind, v)) => diags.push(Diagnostic::new(
                format!("{path}.events[{k}].{}", kind_name(kind)),
                format!("{v:?} is not a version: the event is ignored"),
            )),
            None => diags.push(Diagnostic::new(
                format!("{path}.events[{k}]"),
                "an event has exactly one of introduced, fixed, last_affected, limit: ignored",
            )),
        }
    }
    let zero = |kind: EventKind, v: &str| kind == EventKind::Introduced && v == "0";
    read.sort_by(|a, b| match (zero(a.0, a.1), zero(b.0, b.1)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare_versions(scheme, a.1, b.1).unwrap_or(Ordering::Equal),
    });
    let mut intervals = Vec::new();
    let mut open: Option<Bound> = None;
    let mut limits: Vec<&str> = Vec::new();
    for (kind, v) in read {
        match kind {
            EventKind::Introduced => {
                if open.is_none() {
                    open = Some(if v == "0" {
                        Bound::Unbounded
                    } else {
                        Bound::Included(v.to_owned())
                    });
                }
            }
            EventKind::Fixed | EventKind::LastAffected => {
                if let Some(lower) = open.take() {
                    let upper = if kind == EventKind::Fixed {
                        Bound::Excluded(v.to_owned())
                    } else {
                        Bound::Included(v.to_owned())
                    };
                    intervals.push(Interval { lower, upper });
                }
            }
            EventKind::Limit => limits.push(v),
        }
    }
    if let Some(lower) = open {
        intervals.push(Interval {
            lower,
            upper: Bound::Unbounded,
        });
    }
    // Below one of the limits (`*`: no limit): cap every interval at the highest.
    let cap = limits
        .iter()
        .all(|l| *l != "*")
        .then(|| {
            limits
                .iter()
                .max_by(|a, b| compare_versions(scheme, a, b).unwrap_or(Ordering::Equal))
        })
        .flatten();
    if let Some(cap) = cap {
        for i in &mut intervals {
            let above = match &i.upper {
                Bound::Unbounded => true,
                Bound::Included(u) | Bound::Excluded(u) => {
                    compare_versions(scheme, u, cap) != Some(Ordering::Less)
                }
            };
            if above {
                i.upper = Bound::Excluded((*cap).to_owned());
            }
        }
    }
    (!intervals.is_empty()).then_some(VersionRange {
        scheme,
        intervals,
        excluded: Vec::new(),
    })
}

fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Introduced => "introduced",
        EventKind::Fixed => "fixed",
        EventKind::LastAffected => "last_affected",
        EventKind::Limit => "limit",
    }
}

/// Parse and check one OSV record (see the module docs).
pub fn parse_osv(bytes: &[u8]) -> Result<(OsvRecord, Vec<Diagnostic>), IntelError> {
    let value = parse_json(bytes)?;
    if !value.is_object() {
        return Err(IntelError::invalid("$", "an OSV record is a JSON object"));
    }
    let record: OsvRecord = typed(value, "")?;
    if record.id.trim().is_empty() {
        return Err(IntelError::invalid("id", "empty"));
    }
    if record.modified.trim().is_empty() {
        return Err(IntelError::invalid("modified", "empty"));
    }
    let mut diags = Vec::new();
    for (field, value) in [
        ("modified", Some(&record.modified)),
        ("published", record.published.as_ref()),
        ("withdrawn", record.withdrawn.as_ref()),
    ] {
        if let Some(v) = value
            && !crate::is_date_time(v)
        {
            diags.push(Diagnostic::new(
                field,
                format!("{v:?} is not an RFC 3339 date-time"),
            ));
        }
    }
    let (_, more) = record.packages();
    diags.extend(more);
    Ok((record, diags))
}
