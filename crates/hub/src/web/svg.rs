//! The pictures, drawn on the server as SVG: they work without JavaScript, print, and carry
//! `<title>`s for screen readers. Only presentation attributes (no `style`), so the strict
//! Content-Security-Policy holds.

use app::atlas::Neighbourhood;
use maud::{Markup, html};

use super::layout::segment;

/// Line colours, told apart by their labels too (colour never carries meaning alone).
const PALETTE: [&str; 8] = [
    "#1f5fa8", "#b3261e", "#2e7d32", "#8e4b10", "#6a1b9a", "#00695c", "#ad1457", "#455a64",
];

/// Shortens a label to `max` characters.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A node of the neighbourhood drawing: where, what it shows and where it links.
struct Node {
    id: String,
    label: String,
    title: String,
    x: f64,
    y: f64,
    href: Option<String>,
    kind: &'static str,
}

const GRAPH_WIDTH: f64 = 1100.0;
const ROW: f64 = 84.0;
const BOX_W: f64 = 150.0;
const BOX_H: f64 = 34.0;
/// NCF boxes per row at the bottom of the neighbourhood graph.
const NCFS_PER_ROW: usize = 7;

fn row_of(
    items: Vec<(String, String, String, Option<String>)>,
    y: f64,
    kind: &'static str,
) -> Vec<Node> {
    let n = items.len().max(1) as f64;
    items
        .into_iter()
        .enumerate()
        .map(|(i, (id, label, title, href))| Node {
            id,
            label,
            title,
            x: (i as f64 + 0.5) * GRAPH_WIDTH / n,
            y,
            href,
            kind,
        })
        .collect()
}

/// The dependency neighbourhood, layered: the providers on top, the asset, the assets that
/// depend on it down to those supporting NCFs directly, and the NCFs at the bottom.
pub fn neighbourhood(n: &Neighbourhood, subject: &str) -> Markup {
    let asset_row = |assets: &[model::Asset]| -> Vec<(String, String, String, Option<String>)> {
        assets
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    short(&a.id, 22),
                    format!("{} — {} ({}, {})", a.id, a.name, a.kind, a.country),
                    Some(format!("/atlas/{}", segment(&a.id))),
                )
            })
            .collect()
    };
    let mut nodes: Vec<Node> = Vec::new();
    let mut y = 30.0;
    if !n.providers.is_empty() {
        nodes.extend(row_of(asset_row(&n.providers), y, "provider"));
        y += ROW;
    }
    for (i, layer) in n.layers.iter().enumerate() {
        nodes.extend(row_of(
            asset_row(layer),
            y,
            if i == 0 { "subject" } else { "dependent" },
        ));
        y += ROW;
    }
    let mut ncfs: Vec<&str> = n
        .layers
        .iter()
        .flatten()
        .flat_map(|a| a.ncfs.iter().map(String::as_str))
        .collect();
    ncfs.sort_unstable();
    ncfs.dedup();
    let ncf_items: Vec<(String, String, String, Option<String>)> = ncfs
        .iter()
        .map(|id| {
            let name = model::ncf(id).map_or("", |x| x.name);
            (
                format!("ncf:{id}"),
                (*id).to_owned(),
                format!("{id} — {name}"),
                None,
            )
        })
        .collect();
    for row in ncf_items.chunks(NCFS_PER_ROW) {
        nodes.extend(row_of(row.to_vec(), y, "ncf"));
        y += BOX_H + 12.0;
    }
    let height = y + 10.0;
    let at = |id: &str| nodes.iter().find(|x| x.id == id);
    let mut lines: Vec<(f64, f64, f64, f64, bool)> = n
        .edges
        .iter()
        .filter_map(|(p, d)| Some((at(p)?, at(d)?)))
        .map(|(p, d)| (p.x, p.y + BOX_H / 2.0, d.x, d.y - BOX_H / 2.0, false))
        .collect();
    for a in n.layers.iter().flatten() {
        for ncf in &a.ncfs {
            if let (Some(from), Some(to)) = (at(&a.id), at(&format!("ncf:{ncf}"))) {
                lines.push((from.x, from.y + BOX_H / 2.0, to.x, to.y - BOX_H / 2.0, true));
            }
        }
    }
    html! {
        svg.graph aria-labelledby="graph-title graph-desc" viewBox={ "0 0 " (GRAPH_WIDTH) " " (height) } width="100%" {
            title #graph-title { "Dependency neighbourhood of " (subject) }
            desc #graph-desc {
                (n.providers.len()) " providers above, the asset, "
                (n.layers.len().saturating_sub(1)) " layers of dependents on the paths to "
                (ncfs.len()) " National Critical Functions at the bottom."
            }
            defs {
                marker #arrow viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#555" {}
                }
            }
            @for (x1, y1, x2, y2, ncf) in &lines {
                line x1=(x1) y1=(y1) x2=(x2) y2=(y2) stroke=(if *ncf { "#2e7d32" } else { "#777" }) stroke-width="1.4" marker-end="url(#arrow)" {}
            }
            @for node in &nodes {
                @let (fill, stroke) = match node.kind {
                    "subject" => ("#fff3c4", "#8a6d00"),
                    "provider" => ("#e8eef7", "#1f5fa8"),
                    "ncf" => ("#e6f4ea", "#2e7d32"),
                    _ => ("#ffffff", "#555555"),
                };
                @let body = html! {
                    title { (node.title) }
                    rect x=(node.x - BOX_W / 2.0) y=(node.y - BOX_H / 2.0) width=(BOX_W) height=(BOX_H) rx="4" fill=(fill) stroke=(stroke) stroke-width=(if node.kind == "subject" { "2.5" } else { "1" }) {}
                    text x=(node.x) y=(node.y + 4.0) text-anchor="middle" font-size="11" font-family="monospace" fill="#111" { (node.label) }
                };
                @match &node.href {
                    Some(href) => { a href=(href) { (body) } }
                    None => { g { (body) } }
                }
            }
        }
    }
}

/// Plot area of the charts.
const CHART_W: f64 = 900.0;
const CHART_H: f64 = 300.0;
const LEFT: f64 = 56.0;
const TOP: f64 = 16.0;
const LABELS: f64 = 130.0;

/// NCF degradation over hours as step lines, one per NCF, labelled at their end; `id` names the
/// chart on its page.
pub fn cascade(id: &str, ncfs: &[app::analysis::NcfDegradation]) -> Markup {
    let end = ncfs
        .iter()
        .flat_map(|n| n.timeline.iter().map(|p| p[0]))
        .fold(1.0_f64, f64::max)
        * 1.1;
    let x = |t: f64| LEFT + t / end * CHART_W;
    let y = |d: f64| TOP + (1.0 - d) * CHART_H;
    html! {
        svg.chart role="img" aria-labelledby={ (id) "-title" } viewBox={ "0 0 " (LEFT + CHART_W + LABELS) " " (TOP + CHART_H + 44.0) } width="100%" {
            title id={ (id) "-title" } { "Degradation of " (ncfs.len()) " National Critical Functions over " (super::layout::fixed(end / 1.1, 1)) " hours" }
            (axes(Some(end), "hours after the failure", "degradation", &[0.0, 0.25, 0.5, 0.75, 1.0], |v| super::layout::fixed(v, 2), y))
            @for (i, n) in ncfs.iter().enumerate() {
                @let colour = PALETTE[i % PALETTE.len()];
                @let d = steps(&n.timeline, end, &x, &y);
                path d=(d) fill="none" stroke=(colour) stroke-width="2" {
                    title { (n.ncf) ": " (super::layout::fixed(n.degradation, 3)) " at the end" }
                }
                text x=(x(end) + 4.0) y=(y(n.degradation) + 4.0 + (i % 3) as f64 * 10.0) font-size="11" fill=(colour) { (n.ncf) }
            }
        }
    }
}

/// Each NCF's degradation over Monte Carlo trials as a horizontal band: the bar is the mean,
/// the whisker runs from the 5th to the 95th percentile; `id` names the chart on its page.
pub fn bands(id: &str, ncfs: &[&app::analysis::NcfSpread]) -> Markup {
    const BAND: f64 = 22.0;
    let end = ncfs
        .iter()
        .map(|n| n.degradation.p95)
        .fold(0.01_f64, f64::max)
        .min(1.0);
    let x = |v: f64| LEFT + v.clamp(0.0, end) / end * CHART_W;
    let y = |i: usize| TOP + i as f64 * BAND;
    let height = ncfs.len() as f64 * BAND;
    let percent = |v: f64| format!("{:.2}%", v * 100.0);
    html! {
        svg.chart role="img" aria-labelledby={ (id) "-title" } viewBox={ "0 0 " (LEFT + CHART_W + LABELS) " " (TOP + height + 44.0) } width="100%" {
            title id={ (id) "-title" } { "Degradation of " (ncfs.len()) " National Critical Functions over the trials: mean, 5th and 95th percentile" }
            rect x=(LEFT) y=(TOP) width=(CHART_W) height=(height) fill="#fafafa" stroke="#999" {}
            @for k in 0..5 {
                @let v = end * f64::from(k) / 4.0;
                line x1=(x(v)) x2=(x(v)) y1=(TOP) y2=(TOP + height) stroke="#ddd" {}
                text x=(x(v)) y=(TOP + height + 16.0) text-anchor="middle" font-size="11" fill="#333" { (percent(v)) }
            }
            text x=(LEFT + CHART_W / 2.0) y=(TOP + height + 36.0) text-anchor="middle" font-size="12" fill="#111" { "degradation" }
            @for (i, n) in ncfs.iter().enumerate() {
                @let d = &n.degradation;
                @let middle = y(i) + BAND / 2.0;
                g {
                    title { (n.ncf) ": mean " (percent(d.mean)) ", 5th percentile " (percent(d.p5)) ", 95th percentile " (percent(d.p95)) }
                    text x=(LEFT - 6.0) y=(middle + 4.0) text-anchor="end" font-size="11" fill="#333" { (n.ncf) }
                    rect x=(LEFT) y=(middle - 6.0) width=(x(d.mean) - LEFT) height="12" fill=(PALETTE[0]) fill-opacity="0.8" {}
                    line x1=(x(d.p5)) x2=(x(d.p95)) y1=(middle) y2=(middle) stroke="#111" stroke-width="1.5" {}
                    line x1=(x(d.p5)) x2=(x(d.p5)) y1=(middle - 5.0) y2=(middle + 5.0) stroke="#111" stroke-width="1.5" {}
                    line x1=(x(d.p95)) x2=(x(d.p95)) y1=(middle - 5.0) y2=(middle + 5.0) stroke="#111" stroke-width="1.5" {}
                }
            }
        }
    }
}

/// The circles of a scenario on the world map (the equirectangular projection of the map
/// page: x = longitude, y = -latitude, in degrees), each with its centre marked.
pub fn circles(id: &str, circles: &[model::Circle]) -> Markup {
    let degrees = |km: f64| km / (model::EARTH_RADIUS_KM * std::f64::consts::PI / 180.0);
    html! {
        svg.map role="img" viewBox="-180 -90 360 180" width="100%" aria-labelledby={ (id) "-circles" } {
            title id={ (id) "-circles" } { "The scenario's " (circles.len()) " circle" @if circles.len() != 1 { "s" } " on the world map" }
            image href="/static/world.svg" x="-180" y="-90" width="360" height="180" {}
            @for c in circles {
                @let ry = degrees(c.radius_km);
                @let rx = ry / c.lat.to_radians().cos().max(0.05);
                g {
                    title { "Centre " (super::layout::fixed(c.lat, 2)) ", " (super::layout::fixed(c.lon, 2)) ", radius " (super::layout::fixed(c.radius_km, 0)) " km" }
                    ellipse cx=(super::layout::fixed(c.lon, 2)) cy=(super::layout::fixed(-c.lat, 2)) rx=(super::layout::fixed(rx, 2)) ry=(super::layout::fixed(ry, 2)) fill="#b3261e" fill-opacity="0.3" stroke="#b3261e" stroke-width="0.4" {}
                    circle cx=(super::layout::fixed(c.lon, 2)) cy=(super::layout::fixed(-c.lat, 2)) r="1" fill="#b3261e" {}
                }
            }
        }
    }
}

/// The SVG path of a step line through `timeline` (`[time, value]` at each change), from 0 to
/// `end`.
fn steps(
    timeline: &[[f64; 2]],
    end: f64,
    x: &dyn Fn(f64) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> String {
    let mut d = format!("M {:.1} {:.1}", x(0.0), y(0.0));
    for p in timeline {
        d.push_str(&format!(" H {:.1} V {:.1}", x(p[0]), y(p[1])));
    }
    d.push_str(&format!(" H {:.1}", x(end)));
    d
}

/// An asset's rank across the stored rankings (rank 1 at the top).
pub fn rank_history(points: &[app::analysis::RankHistoryPoint]) -> Markup {
    let ranked: Vec<(usize, u32)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.rank.map(|r| (i, r)))
        .collect();
    let worst = ranked.iter().map(|(_, r)| *r).max().unwrap_or(1).max(2) as f64;
    let span = points.len().saturating_sub(1).max(1) as f64;
    let x = |i: usize| LEFT + i as f64 / span * CHART_W;
    let y = |r: f64| TOP + (r - 1.0) / (worst - 1.0) * CHART_H;
    let d = ranked
        .iter()
        .enumerate()
        .map(|(k, (i, r))| {
            format!(
                "{} {:.1} {:.1}",
                if k == 0 { "M" } else { "L" },
                x(*i),
                y(f64::from(*r))
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        svg.chart role="img" aria-labelledby="history-title" viewBox={ "0 0 " (LEFT + CHART_W + LABELS) " " (TOP + CHART_H + 44.0) } width="100%" {
            title #history-title { "Rank across " (points.len()) " stored rankings, oldest left" }
            (axes(None, "stored rankings, oldest left", "rank", &[1.0, ((1.0 + worst) / 2.0).round(), worst], |v| format!("{v:.0}"), y))
            path d=(d) fill="none" stroke=(PALETTE[0]) stroke-width="2" {}
            @for (i, r) in &ranked {
                circle cx=(x(*i)) cy=(y(f64::from(*r))) r="4" fill=(PALETTE[0]) {
                    title { "ranking " (points[*i].run) " (" (points[*i].created_at) "): rank " (r) }
                }
            }
        }
    }
}

/// The frame of a chart: x ticks from 0 to `x_end` when given, the y ticks at `ticks` (values,
/// placed by `y`), the axis names.
fn axes(
    x_end: Option<f64>,
    x_name: &str,
    y_name: &str,
    ticks: &[f64],
    label: impl Fn(f64) -> String,
    y: impl Fn(f64) -> f64,
) -> Markup {
    html! {
        rect x=(LEFT) y=(TOP) width=(CHART_W) height=(CHART_H) fill="#fafafa" stroke="#999" {}
        @for t in ticks {
            line x1=(LEFT) x2=(LEFT + CHART_W) y1=(y(*t)) y2=(y(*t)) stroke="#ddd" {}
            text x=(LEFT - 6.0) y=(y(*t) + 4.0) text-anchor="end" font-size="11" fill="#333" { (label(*t)) }
        }
        @for k in x_end.map_or(0..0, |_| 0..5) {
            @let v = x_end.unwrap_or(0.0) * f64::from(k) / 4.0;
            text x=(LEFT + CHART_W * f64::from(k) / 4.0) y=(TOP + CHART_H + 16.0) text-anchor="middle" font-size="11" fill="#333" { (super::layout::fixed(v, 1)) }
        }
        text x=(LEFT + CHART_W / 2.0) y=(TOP + CHART_H + 36.0) text-anchor="middle" font-size="12" fill="#111" { (x_name) }
        text x="12" y=(TOP + CHART_H / 2.0) text-anchor="middle" font-size="12" fill="#111" transform={ "rotate(-90 12 " (TOP + CHART_H / 2.0) ")" } { (y_name) }
    }
}
