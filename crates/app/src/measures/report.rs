//! The quarterly review written out: JSON, CSV, Markdown, and one self-contained HTML file
//! (inline CSS, an SVG trend chart per measure, no external assets, prints on A4). Every format
//! prints the same numbers with [`number`].

use std::fmt::Write as _;

use super::{Review, ReviewRow, Unit, Value};

/// A review output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Json,
    Csv,
}

impl Format {
    /// `html`, `md` (or `markdown`), `json`, `csv`.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "html" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// A number as every format prints it: whole numbers without decimals, else one decimal.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn optional(x: Option<f64>) -> String {
    x.map(number).unwrap_or_default()
}

fn count(x: Option<u64>) -> String {
    x.map(|n| n.to_string()).unwrap_or_default()
}

fn unit(row: &ReviewRow) -> &'static str {
    match row.value.measure.unit {
        Unit::Count => "count",
        Unit::Percent => "percent",
    }
}

/// The review in `format`.
pub fn render(review: &Review, format: Format) -> String {
    match format {
        Format::Json => json(review),
        Format::Csv => csv(review),
        Format::Markdown => markdown(review),
        Format::Html => html(review),
    }
}

/// The review as a JSON document.
pub fn json(review: &Review) -> String {
    let rows: Vec<serde_json::Value> = review
        .rows
        .iter()
        .map(|r| {
            let v = &r.value;
            serde_json::json!({
                "measure": v.measure.id,
                "objective": v.measure.objective,
                "name": v.measure.name,
                "definition": v.measure.definition,
                "unit": unit(r),
                "value": v.value,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "previous": r.previous,
                "change": r.change,
                "direction": r.direction,
                "target": r.target,
                "status": r.status.as_str(),
                "trend": r.trend.iter().map(|(q, x)| serde_json::json!({"quarter": q.to_string(), "value": x})).collect::<Vec<_>>(),
                "records": v.records,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "quarter": review.quarter.to_string(),
        "previous_quarter": review.quarter.previous().to_string(),
        "measures": rows,
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value prints") + "\n"
}

/// The CSV header of [`csv`].
pub const CSV_HEADER: [&str; 12] = [
    "quarter",
    "measure",
    "objective",
    "name",
    "unit",
    "value",
    "numerator",
    "denominator",
    "previous",
    "change",
    "target",
    "status",
];

/// The review as CSV, one row per measure.
pub fn csv(review: &Review) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let quarter = review.quarter.to_string();
    let mut rows = vec![CSV_HEADER.map(str::to_owned).to_vec()];
    rows.extend(review.rows.iter().map(|r| {
        let v = &r.value;
        vec![
            quarter.clone(),
            v.measure.id.to_owned(),
            v.measure.objective.to_owned(),
            v.measure.name.to_owned(),
            unit(r).to_owned(),
            number(v.value),
            count(v.numerator),
            count(v.denominator),
            number(r.previous),
            number(r.change),
            optional(r.target),
            r.status.as_str().to_owned(),
        ]
    }));
    for row in rows {
        writer
            .write_record(&row)
            .expect("writing CSV to memory cannot fail");
    }
    String::from_utf8(writer.into_inner().expect("flushing CSV to memory"))
        .expect("CSV of UTF-8 fields is UTF-8")
}

/// A value as people read it: `42.9% (3/7)` for a percentage, the count otherwise.
pub fn shown(v: &Value) -> String {
    match (v.numerator, v.denominator) {
        (Some(n), Some(d)) => format!("{}% ({n}/{d})", number(v.value)),
        _ => number(v.value),
    }
}

fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

/// A previous value or a target as people read it: `75%` for a percentage measure.
fn level(row: &ReviewRow, x: f64) -> String {
    match row.value.measure.unit {
        Unit::Count => number(x),
        Unit::Percent => format!("{}%", number(x)),
    }
}

/// A change as people read it: `-25 pts` for a percentage measure (percentage points).
fn moved(row: &ReviewRow) -> String {
    match row.value.measure.unit {
        Unit::Count => signed(row.change),
        Unit::Percent => format!("{} pts", signed(row.change)),
    }
}

/// The review as Markdown: a table, then each measure's definition.
pub fn markdown(review: &Review) -> String {
    let mut out = format!(
        "# Quarterly review {}\n\nMeasures of Effectiveness, compared with {}.\n\n\
         | Measure | Name | Value | Previous | Change | Direction | Target | Status |\n\
         |---|---|---:|---:|---:|---|---:|---|\n",
        review.quarter,
        review.quarter.previous()
    );
    for r in &review.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.value.measure.id,
            r.value.measure.name,
            shown(&r.value),
            level(r, r.previous),
            moved(r),
            r.direction,
            r.target.map(|t| level(r, t)).unwrap_or_default(),
            r.status.as_str()
        );
    }
    out.push_str("\n## Definitions\n\n");
    for r in &review.rows {
        let _ = writeln!(
            out,
            "- **{}** {}: {}",
            r.value.measure.id, r.value.measure.name, r.value.measure.definition
        );
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG line chart of the trend, the target as a dashed line (classes `trend`, `target`).
pub fn chart(r: &ReviewRow) -> String {
    const W: f64 = 220.0;
    const H: f64 = 70.0;
    const PAD: f64 = 14.0;
    /// Room for the quarter labels at both ends.
    const PAD_X: f64 = 24.0;
    let top = r
        .trend
        .iter()
        .map(|(_, x)| *x)
        .chain(r.target)
        .fold(1.0_f64, f64::max);
    let n = r.trend.len().max(2) as f64 - 1.0;
    let x_at = |i: usize| PAD_X + (W - 2.0 * PAD_X) * i as f64 / n;
    let y_at = |v: f64| H - PAD - (H - 2.0 * PAD) * v / top;
    let points: Vec<String> = r
        .trend
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x_at(i), y_at(*v)))
        .collect();
    let said: Vec<String> = r
        .trend
        .iter()
        .map(|(q, v)| format!("{q} {}", level(r, *v)))
        .collect();
    let mut svg = format!(
        "<svg class=\"trend\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" \
         aria-label=\"trend of {}: {}\">",
        escape(r.value.measure.id),
        said.join(", ")
    );
    if let Some(t) = r.target {
        let _ = write!(
            svg,
            "<line class=\"target\" x1=\"{PAD_X}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            W - PAD_X,
            y_at(t),
            y_at(t)
        );
    }
    let _ = write!(svg, "<polyline points=\"{}\"/>", points.join(" "));
    for (i, (q, v)) in r.trend.iter().enumerate() {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\"><title>{q}: {v}</title></circle>\
             <text class=\"v\" x=\"{x:.1}\" y=\"{above:.1}\">{v}</text>\
             <text x=\"{x:.1}\" y=\"{bottom:.1}\">{q}</text>",
            x = x_at(i),
            y = y_at(*v),
            above = y_at(*v) - 5.0,
            bottom = H - 2.0,
            v = number(*v),
        );
    }
    svg.push_str("</svg>");
    svg
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1b1f24}\
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #d0d7de;padding:.4rem;text-align:left;vertical-align:top}\
td.n{text-align:right;white-space:nowrap}.def{color:#57606a;font-size:.85em}\
.met{color:#1a7f37}.improving{color:#9a6700}.behind{color:#cf222e}\
svg.trend polyline{fill:none;stroke:#0969da;stroke-width:2}svg.trend circle{fill:#0969da}\
svg.trend line.target{stroke:#8c959f;stroke-dasharray:4 3}\
svg.trend text{font-size:8px;text-anchor:middle;fill:#57606a}svg.trend text.v{fill:#1f2328}\
@media print{body{margin:0}tr{break-inside:avoid}@page{size:A4 landscape;margin:12mm}}";

/// The review as one self-contained HTML page.
pub fn html(review: &Review) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Quarterly review {q}</title><style>{STYLE}</style></head><body>\
         <h1>Quarterly review {q}</h1><p>Measures of Effectiveness of the plan, computed from \
         the coordination register, the exchange and the analysis; compared with {p}. Every \
         measure is to increase.</p><table><thead><tr><th>Measure</th><th>Value</th>\
         <th>Previous</th><th>Change</th><th>Target</th><th>Status</th><th>Trend</th></tr>\
         </thead><tbody>",
        q = review.quarter,
        p = review.quarter.previous()
    );
    for r in &review.rows {
        let m = r.value.measure;
        let _ = write!(
            out,
            "<tr data-measure=\"{id}\"><td><strong>{id}</strong> {name}<div class=\"def\">{def}</div></td>\
             <td class=\"n\" data-value=\"{value}\">{shown}</td><td class=\"n\">{prev}</td>\
             <td class=\"n\">{change}</td><td class=\"n\">{target}</td>\
             <td class=\"{class}\">{status}</td><td>{chart}</td></tr>",
            id = escape(m.id),
            name = escape(m.name),
            def = escape(m.definition),
            value = number(r.value.value),
            shown = escape(&shown(&r.value)),
            prev = level(r, r.previous),
            change = moved(r),
            target = r.target.map(|t| level(r, t)).unwrap_or_default(),
            class = r.status.as_str().replace(' ', "-"),
            status = r.status.as_str(),
            chart = chart(r),
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
