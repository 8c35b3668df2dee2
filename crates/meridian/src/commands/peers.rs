//! `analyze peers`: the engine's answers to the four questions `bench/peers.py` asks
//! networkx, igraph and rustworkx, on the same CSV files, timed the same way. The answer-file
//! contract and its conventions are in `bench/README.md`.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use graph::csr::Graph;
use graph::scc::Condensation;
use sha2::{Digest, Sha256};

use super::analyze::PeersArgs;
use crate::config::Config;
use crate::output;

fn read(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Peak resident set size of this process, from /proc (Linux), in MiB.
fn max_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn run(config: &Config, args: &PeersArgs) -> anyhow::Result<()> {
    let mut timings = BTreeMap::new();
    let started = Instant::now();
    let (assets, deps) = (read(&args.assets)?, read(&args.deps)?);
    let read_s = started.elapsed().as_secs_f64();
    let atlas = interchange::read_compact(
        &args.assets.display().to_string(),
        &assets,
        &args.deps.display().to_string(),
        &deps,
    )
    .map_err(|errors| {
        let shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
        anyhow::anyhow!(
            "{} error(s) in the input:\n{}",
            errors.len(),
            shown.join("\n")
        )
    })?;
    drop((assets, deps));
    let parse_s = started.elapsed().as_secs_f64() - read_s;
    let g = Graph::new(&atlas, config.home);
    timings.insert("load", started.elapsed().as_secs_f64());
    let load_detail = serde_json::json!({
        "read_files": read_s,
        "parse_csv": parse_s,
        "build_graph": timings["load"] - read_s - parse_s,
    });

    // Every op below but wcc needs the condensation: its time is added to each of them.
    let started = Instant::now();
    let cond = Condensation::new(&g);
    let condensation = started.elapsed().as_secs_f64();

    let index: std::collections::HashMap<&str, u32> = atlas
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let sample_text = std::fs::read_to_string(&args.sample)
        .with_context(|| format!("reading {}", args.sample.display()))?;
    let sample: Vec<&str> = sample_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let sources = sample
        .iter()
        .map(|id| {
            index
                .get(id)
                .copied()
                .with_context(|| format!("{}: unknown asset {id:?}", args.sample.display()))
        })
        .collect::<anyhow::Result<Vec<u32>>>()?;
    let started = Instant::now();
    let sizes = graph::closure::closure_sizes(&g, &cond, &sources);
    timings.insert(
        "closure_sizes",
        condensation + started.elapsed().as_secs_f64(),
    );

    let started = Instant::now();
    let ancestors = graph::closure::ncf_dependent_counts(&g, &cond);
    let foreign: Vec<(u32, u64)> = (0..g.asset_count() as u32)
        .filter(|&a| g.is_foreign(a))
        .map(|a| (a, ancestors[a as usize]))
        .collect();
    timings.insert(
        "foreign_ncf_counts",
        condensation + started.elapsed().as_secs_f64(),
    );

    let started = Instant::now();
    let tree = graph::dominators::DominatorTree::new(&g, &cond);
    timings.insert("dominators", condensation + started.elapsed().as_secs_f64());
    let mut lines: Vec<String> = (0..g.asset_count() as u32)
        .map(|a| {
            let idom = tree.idom(a);
            let parent = if idom == graph::dominators::ROOT {
                "ROOT"
            } else {
                &atlas.ids[idom as usize]
            };
            format!("{} {parent}\n", atlas.ids[a as usize])
        })
        .collect();
    lines.sort_unstable();
    let mut hasher = Sha256::new();
    lines.iter().for_each(|l| hasher.update(l.as_bytes()));
    let dominators_sha256 = hex(hasher.finalize());

    let started = Instant::now();
    let wcc = graph::closure::weak_components(&g);
    timings.insert("wcc", started.elapsed().as_secs_f64());
    let mut hasher = Sha256::new();
    wcc.iter()
        .for_each(|s| hasher.update(format!("{s}\n").as_bytes()));

    let answers = serde_json::json!({
        "peer": "meridian",
        "version": env!("CARGO_PKG_VERSION"),
        "n_assets": g.asset_count(),
        "n_deps": atlas.edge_count(),
        "home": config.home_str(),
        "timings_s": timings,
        "closure_sizes": sample.iter().zip(&sizes).map(|(id, n)| ((*id).to_owned(), *n)).collect::<BTreeMap<_, _>>(),
        "foreign_ncf_counts": foreign.iter().map(|(a, n)| (atlas.ids[*a as usize].clone(), *n)).collect::<BTreeMap<_, _>>(),
        "dominators_sha256": dominators_sha256,
        "wcc": { "count": wcc.len(), "top10": wcc.iter().take(10).collect::<Vec<_>>(), "sizes_sha256": hex(hasher.finalize()) },
        "condensation_s": condensation,
        "load_detail_s": load_detail,
        "max_rss_mib": max_rss_mib(),
    });
    std::fs::write(&args.out, serde_json::to_vec_pretty(&answers)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    if config.json {
        return output::json(&answers["timings_s"]);
    }
    output::table(
        &["operation", "seconds"],
        timings
            .iter()
            .map(|(k, v)| vec![(*k).to_owned(), format!("{v:.3}")]),
    );
    Ok(())
}
