//! FIRST EPSS scores as CSV.
//!
//! Two layouts are read: the daily bulk file (`#model_version:v2023.03.01,score_date:…` comment
//! line, then the header `cve,epss,percentile`, comma-separated) and the headerless
//! semicolon-separated per-year files (`CVE-2023-7346;0.001400000;0.038600000`). The delimiter is
//! taken from the header, or from the first data row when there is none. Rows with a malformed
//! CVE id or a score outside 0..=1 are reported (`line N`) and skipped.

use std::collections::HashMap;

use crate::{Diagnostic, IntelError, is_cve_id};

/// One score.
#[derive(Clone, Debug, PartialEq)]
pub struct EpssScore {
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days.
    pub epss: f64,
    pub percentile: f64,
}

/// A score file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EpssScores {
    pub model_version: Option<String>,
    pub score_date: Option<String>,
    pub scores: Vec<EpssScore>,
}

impl EpssScores {
    /// Scores by CVE id (the last row wins when a CVE repeats).
    pub fn by_cve(&self) -> HashMap<&str, &EpssScore> {
        self.scores.iter().map(|s| (s.cve.as_str(), s)).collect()
    }
}

/// Recognises an EPSS score file positively, before it is parsed: the first lines may be
/// `#model_version…` comments, then comes the header `cve,epss,percentile` (any order, `,` or
/// `;`) or, in the headerless per-year layout, a well-formed row `CVE-YYYY-NNNN;0.1;0.9`; after
/// a header, the first data row must be well-formed too. An empty file, a header without rows
/// or anything else is refused with the line and the reason.
pub fn recognise(bytes: &[u8]) -> Result<(), IntelError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| IntelError::invalid(format!("byte {}", e.valid_up_to()), "not UTF-8 text"))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(n, l)| (format!("line {}", n + 1), l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .skip_while(|(_, l)| l.starts_with("#model_version"));
    let Some((at, first)) = lines.next() else {
        return Err(IntelError::invalid(
            "line 1",
            "no EPSS header `cve,epss,percentile` and no score rows",
        ));
    };
    let delimiter = if first.contains(';') { ';' } else { ',' };
    let cells: Vec<String> = first
        .split(delimiter)
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let mut sorted = cells.clone();
    sorted.sort();
    if sorted == ["cve", "epss", "percentile"] {
        let find = |name: &str| cells.iter().position(|c| c == name).unwrap_or_default();
        let columns = (find("cve"), find("epss"), find("percentile"));
        let Some((at, row)) = lines.next() else {
            return Err(IntelError::invalid(
                at,
                "an EPSS header without any score row",
            ));
        };
        return well_formed(row, delimiter, columns).map_err(|m| IntelError::invalid(at, m));
    }
    if delimiter == ';' && well_formed(first, ';', (0, 1, 2)).is_ok() {
        return Ok(());
    }
    let shown: String = first.chars().take(60).collect();
    Err(IntelError::invalid(
        at,
        format!(
            "not an EPSS CSV: expected the header `cve,epss,percentile` (after an optional \
             `#model_version` line) or a row `CVE-YYYY-NNNN;epss;percentile`, found {shown:?}"
        ),
    ))
}

/// A data row with exactly three cells: a CVE id and two probabilities.
fn well_formed(row: &str, delimiter: char, (c, e, p): (usize, usize, usize)) -> Result<(), String> {
    let cells: Vec<&str> = row.split(delimiter).map(str::trim).collect();
    let ok = cells.len() == 3
        && is_cve_id(cells[c])
        && probability(cells[e]).is_some()
        && probability(cells[p]).is_some();
    if ok {
        Ok(())
    } else {
        let shown: String = row.chars().take(60).collect();
        Err(format!(
            "not an EPSS score row (CVE id, epss and percentile in 0..=1 separated by \
             {delimiter:?}): {shown:?}"
        ))
    }
}

fn probability(s: &str) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
}

/// Parse an EPSS CSV (either layout).
pub fn parse_epss(bytes: &[u8]) -> Result<(EpssScores, Vec<Diagnostic>), IntelError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| IntelError::invalid(format!("byte {}", e.valid_up_to()), "not UTF-8"))?;
    let mut out = EpssScores::default();
    let mut diags = Vec::new();
    let mut delimiter: Option<char> = None;
    let mut columns = (0, 1, 2);
    for (n, line) in text.lines().enumerate() {
        let at = format!("line {}", n + 1);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            for pair in comment.split(',') {
                match pair.split_once(':') {
                    Some(("model_version", v)) => out.model_version = Some(v.trim().to_owned()),
                    Some(("score_date", v)) => out.score_date = Some(v.trim().to_owned()),
                    _ => {}
                }
            }
            continue;
        }
        let d = *delimiter.get_or_insert(if line.contains(';') { ';' } else { ',' });
        let cells: Vec<&str> = line.split(d).map(str::trim).collect();
        if cells.iter().any(|c| c.eq_ignore_ascii_case("cve")) {
            let find = |name: &str| cells.iter().position(|c| c.eq_ignore_ascii_case(name));
            match (find("cve"), find("epss"), find("percentile")) {
                (Some(c), Some(e), Some(p)) => columns = (c, e, p),
                _ => {
                    return Err(IntelError::invalid(
                        at,
                        "header needs cve, epss and percentile",
                    ));
                }
            }
            continue;
        }
        let (c, e, p) = columns;
        let (Some(cve), Some(epss), Some(pct)) = (cells.get(c), cells.get(e), cells.get(p)) else {
            diags.push(Diagnostic::new(
                at,
                format!("expected 3 cells separated by {d:?}"),
            ));
            continue;
        };
        if !is_cve_id(cve) {
            diags.push(Diagnostic::new(at, format!("not a CVE id: {cve:?}")));
            continue;
        }
        match (probability(epss), probability(pct)) {
            (Some(epss), Some(percentile)) => out.scores.push(EpssScore {
                cve: (*cve).to_owned(),
                epss,
                percentile,
            }),
            (None, _) => diags.push(Diagnostic::new(
                at,
                format!("epss {epss:?} is not a number in 0..=1"),
            )),
            (_, None) => diags.push(Diagnostic::new(
                at,
                format!("percentile {pct:?} is not a number in 0..=1"),
            )),
        }
    }
    Ok((out, diags))
}
