//! CVE JSON 5.x records (`CVEProject/cve-schema`), including CISA ADP "vulnrichment" containers.
//!
//! A record is refused (`Err`) when it is not a `CVE_RECORD` of data version 5.x or its shape
//! breaks the schema where Meridian reads it; the error names the JSON path. Inside, metrics and
//! CPEs that cannot be read are reported as diagnostics and skipped.
//!
//! What is kept: `affected[]` from the CNA and every ADP (each tagged with its provider), the
//! CISA ADP SSVC vote (Exploitation, Automatable, Technical Impact; `poc` normalised to
//! `public poc`), the ADP `kev` metric, CWE ids and CVSS base scores.

use serde::Deserialize;
use serde_json::Value;

use ident::{IdentError, VersionRange};

use crate::ssvc::{Automatable, Exploitation, TechnicalImpact};
use crate::{Diagnostic, IntelError, parse_json, typed};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CveState {
    Published,
    Rejected,
}

/// A version entry's or product's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionStatus {
    Affected,
    Unaffected,
    Unknown,
}

/// One `versions[]` entry, values as written (trimming happens in [`AffectedVersion::range`]).
/// `changes[]` is not kept (see `ident::VersionRange::from_cve`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedVersion {
    pub version: String,
    pub status: VersionStatus,
    #[serde(default)]
    pub version_type: Option<String>,
    #[serde(default)]
    pub less_than: Option<String>,
    #[serde(default)]
    pub less_than_or_equal: Option<String>,
}

impl AffectedVersion {
    /// The entry as written (`version`, `< lessThan`, `<= lessThanOrEqual`), to name a range
    /// that cannot be read.
    pub fn written(&self) -> String {
        let mut text = self.version.clone();
        if let Some(v) = &self.less_than {
            text.push_str(&format!(" < {v}"));
        }
        if let Some(v) = &self.less_than_or_equal {
            text.push_str(&format!(" <= {v}"));
        }
        text
    }

    /// True for an entry that names no version at all: a bare `-`, `n/a`, `unknown` or
    /// `unspecified` without `lessThan`/`lessThanOrEqual` (CISA's ADP writes `-` for a CPE
    /// whose version is "not applicable"). It says the product is affected, not in which
    /// versions: never "every version".
    pub fn names_no_version(&self) -> bool {
        self.less_than.is_none()
            && self.less_than_or_equal.is_none()
            && ["", "-", "n/a", "na", "unknown", "unspecified"]
                .iter()
                .any(|p| self.version.trim().eq_ignore_ascii_case(p))
    }

    pub fn range(&self) -> Result<VersionRange, IdentError> {
        VersionRange::from_cve(
            &self.version,
            self.less_than.as_deref(),
            self.less_than_or_equal.as_deref(),
            self.version_type.as_deref(),
        )
    }
}

/// One `affected[]` product.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affected {
    /// `shortName` of the container's provider (`palo_alto`, `CISA-ADP`); filled in after parsing.
    #[serde(skip)]
    pub provider: String,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default, rename = "collectionURL")]
    pub collection_url: Option<String>,
    #[serde(default)]
    pub package_name: Option<String>,
    #[serde(default)]
    pub cpes: Vec<String>,
    #[serde(default)]
    pub default_status: Option<VersionStatus>,
    #[serde(default)]
    pub versions: Vec<AffectedVersion>,
    #[serde(default)]
    pub platforms: Vec<String>,
}

/// The CISA ADP SSVC decision points for this CVE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsvcVote {
    pub exploitation: Exploitation,
    pub automatable: Automatable,
    pub technical_impact: TechnicalImpact,
    pub role: Option<String>,
    pub version: Option<String>,
    pub timestamp: Option<String>,
}

/// The ADP `kev` metric.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdpKev {
    pub date_added: String,
    #[serde(default)]
    pub reference: Option<String>,
}

/// A CVSS base score from any container.
#[derive(Clone, Debug, PartialEq)]
pub struct CvssScore {
    pub provider: String,
    /// `cvssV3_1`, `cvssV4_0`…
    pub kind: String,
    pub base_score: f64,
    pub vector: Option<String>,
}

/// A parsed record.
#[derive(Clone, Debug, PartialEq)]
pub struct CveRecord {
    pub cve_id: String,
    pub state: CveState,
    pub data_version: String,
    pub assigner: Option<String>,
    pub date_published: Option<String>,
    pub date_updated: Option<String>,
    pub title: Option<String>,
    /// The first English description of the CNA.
    pub description: Option<String>,
    pub affected: Vec<Affected>,
    pub ssvc: Option<SsvcVote>,
    pub kev: Option<AdpKev>,
    pub cwes: Vec<String>,
    pub cvss: Vec<CvssScore>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRecord {
    data_type: String,
    data_version: String,
    cve_metadata: RawMeta,
    #[serde(default)]
    containers: RawContainers,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    cve_id: String,
    state: String,
    #[serde(default)]
    assigner_short_name: Option<String>,
    #[serde(default)]
    date_published: Option<String>,
    #[serde(default)]
    date_updated: Option<String>,
}

#[derive(Default, Deserialize)]
struct RawContainers {
    #[serde(default)]
    cna: Option<RawContainer>,
    #[serde(default)]
    adp: Vec<RawContainer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainer {
    #[serde(default)]
    provider_metadata: Option<RawProvider>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    descriptions: Vec<RawDescription>,
    #[serde(default)]
    affected: Vec<Affected>,
    #[serde(default)]
    metrics: Vec<Value>,
    #[serde(default)]
    problem_types: Vec<RawProblemType>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    #[serde(default)]
    short_name: Option<String>,
}

#[derive(Deserialize)]
struct RawDescription {
    lang: String,
    value: String,
}

#[derive(Deserialize)]
struct RawProblemType {
    #[serde(default)]
    descriptions: Vec<RawProblemDescription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProblemDescription {
    #[serde(default)]
    cwe_id: Option<String>,
}

const CVSS_KINDS: [&str; 4] = ["cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"];

/// Read the SSVC options list: `[{"Exploitation": "poc"}, {"Automatable": "no"}, …]`.
fn ssvc_vote(content: &Value, at: &str, diags: &mut Vec<Diagnostic>) -> Option<SsvcVote> {
    let options = content.get("options").and_then(Value::as_array);
    let (mut e, mut a, mut t) = (None, None, None);
    for (i, opt) in options.into_iter().flatten().enumerate() {
        for (key, value) in opt.as_object().into_iter().flatten() {
            let value = value.as_str().unwrap_or_default();
            let ok = match key.to_ascii_lowercase().as_str() {
                "exploitation" => Exploitation::parse(value).map(|v| e = Some(v)),
                "automatable" => Automatable::parse(value).map(|v| a = Some(v)),
                "technical impact" => TechnicalImpact::parse(value).map(|v| t = Some(v)),
                _ => Some(()),
            };
            if ok.is_none() {
                diags.push(Diagnostic::new(
                    format!("{at}.options[{i}].{key}"),
                    format!("unknown value {value:?}"),
                ));
            }
        }
    }
    let text = |k: &str| content.get(k).and_then(Value::as_str).map(str::to_owned);
    match (e, a, t) {
        (Some(exploitation), Some(automatable), Some(technical_impact)) => Some(SsvcVote {
            exploitation,
            automatable,
            technical_impact,
            role: text("role"),
            version: text("version"),
            timestamp: text("timestamp"),
        }),
        _ => {
            diags.push(Diagnostic::new(
                format!("{at}.options"),
                "needs Exploitation, Automatable and Technical Impact",
            ));
            None
        }
    }
}

/// Parse one CVE JSON 5.x record.
pub fn parse_cve(bytes: &[u8]) -> Result<(CveRecord, Vec<Diagnostic>), IntelError> {
    let raw: RawRecord = typed(parse_json(bytes)?, "")?;
    if raw.data_type != "CVE_RECORD" {
        return Err(IntelError::invalid(
            "dataType",
            format!("expected \"CVE_RECORD\", found {:?}", raw.data_type),
        ));
    }
    if !raw.data_version.starts_with("5.") {
        return Err(IntelError::invalid(
            "dataVersion",
            format!("expected 5.x, found {:?}", raw.data_version),
        ));
    }
    let meta = raw.cve_metadata;
    if !crate::is_cve_id(&meta.cve_id) {
        return Err(IntelError::invalid(
            "cveMetadata.cveId",
            format!("not a CVE id: {:?}", meta.cve_id),
        ));
    }
    let state = match meta.state.as_str() {
        "PUBLISHED" => CveState::Published,
        "REJECTED" => CveState::Rejected,
        other => {
            return Err(IntelError::invalid(
                "cveMetadata.state",
                format!("unknown state {other:?}"),
            ));
        }
    };
    if state == CveState::Published && raw.containers.cna.is_none() {
        return Err(IntelError::invalid(
            "containers.cna",
            "a published record needs a CNA container",
        ));
    }
    let mut diags = Vec::new();
    let mut record = CveRecord {
        cve_id: meta.cve_id,
        state,
        data_version: raw.data_version,
        assigner: meta.assigner_short_name,
        date_published: meta.date_published,
        date_updated: meta.date_updated,
        title: None,
        description: None,
        affected: Vec::new(),
        ssvc: None,
        kev: None,
        cwes: Vec::new(),
        cvss: Vec::new(),
    };
    let containers = raw
        .containers
        .cna
        .into_iter()
        .map(|c| ("containers.cna".to_owned(), c))
        .chain(
            raw.containers
                .adp
                .into_iter()
                .enumerate()
                .map(|(i, c)| (format!("containers.adp[{i}]"), c)),
        );
    for (at, c) in containers {
        let is_cna = at == "containers.cna";
        let provider = c
            .provider_metadata
            .and_then(|p| p.short_name)
            .unwrap_or_else(|| at.clone());
        if is_cna {
            record.title = c.title;
            record.description = c
                .descriptions
                .into_iter()
                .find(|d| d.lang.starts_with("en"))
                .map(|d| d.value);
        }
        for (i, mut a) in c.affected.into_iter().enumerate() {
            a.provider = provider.clone();
            for (j, cpe) in a.cpes.iter().enumerate() {
                if let Err(e) = ident::Cpe::parse(cpe) {
                    diags.push(Diagnostic::new(
                        format!("{at}.affected[{i}].cpes[{j}]"),
                        e.to_string(),
                    ));
                }
            }
            for (j, v) in a.versions.iter().enumerate() {
                if let Err(e) = v.range()
                    && v.status != VersionStatus::Unknown
                {
                    diags.push(Diagnostic::new(
                        format!("{at}.affected[{i}].versions[{j}]"),
                        format!(
                            "version range {:?} cannot be read ({e}): the versions it would \
                             decide are matched as candidates, unchecked",
                            v.written()
                        ),
                    ));
                }
            }
            record.affected.push(a);
        }
        for pt in c.problem_types {
            for d in pt.descriptions {
                if let Some(cwe) = d.cwe_id.filter(|c| !record.cwes.contains(c)) {
                    record.cwes.push(cwe);
                }
            }
        }
        for (i, m) in c.metrics.iter().enumerate() {
            let mat = format!("{at}.metrics[{i}]");
            for kind in CVSS_KINDS {
                if let Some(cvss) = m.get(kind) {
                    match cvss.get("baseScore").and_then(Value::as_f64) {
                        Some(base_score) => record.cvss.push(CvssScore {
                            provider: provider.clone(),
                            kind: kind.to_owned(),
                            base_score,
                            vector: cvss
                                .get("vectorString")
                                .and_then(Value::as_str)
                                .map(str::to_owned),
                        }),
                        None => diags.push(Diagnostic::new(
                            format!("{mat}.{kind}.baseScore"),
                            "missing or not a number",
                        )),
                    }
                }
            }
            let Some(other) = m.get("other") else {
                continue;
            };
            let content = other.get("content").cloned().unwrap_or(Value::Null);
            match other.get("type").and_then(Value::as_str) {
                Some("ssvc") => {
                    if let Some(vote) =
                        ssvc_vote(&content, &format!("{mat}.other.content"), &mut diags)
                    {
                        record.ssvc = Some(vote);
                    }
                }
                Some("kev") => match typed::<AdpKev>(content, &format!("{mat}.other.content")) {
                    Ok(kev) if crate::is_date(&kev.date_added) => record.kev = Some(kev),
                    Ok(kev) => diags.push(Diagnostic::new(
                        format!("{mat}.other.content.dateAdded"),
                        format!("not a date: {:?}", kev.date_added),
                    )),
                    Err(d) => diags.push(d),
                },
                _ => {}
            }
        }
    }
    Ok((record, diags))
}
