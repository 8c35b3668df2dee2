//! Times the store on a synthetic atlas (`test_support::synthetic_atlas`), for BENCHMARKS.md.
//!
//! ```text
//! cargo run --release -p store --example load -- bulk    URL [ASSETS] [DEPS_PER_ASSET]
//! cargo run --release -p store --example load -- compact URL
//! cargo run --release -p store --example load -- import  URL [ASSETS] [DEPS_PER_ASSET]
//! ```
//!
//! `bulk` streams the atlas into an empty store, `compact` runs the graph load (run it as its own
//! process so the peak RSS is the load's), `import` builds the atlas in memory and imports it
//! twice (created, then unchanged). Defaults: 1,000,000 assets, 5 dependencies each. Each
//! line gives wall time and this process's CPU time (for PostgreSQL the server's is extra).

use std::error::Error;
use std::time::Instant;

use model::Atlas;
use store::Store;
use test_support::synthetic_atlas;

/// Peak resident set size of this process, from `/proc/self/status` (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat` (Linux, 100 Hz
/// ticks): on a shared machine this is the figure to compare, wall time depends on the load.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: load bulk|compact|import URL [ASSETS] [DEPS_PER_ASSET]";
    let (Some(mode), Some(url)) = (args.first(), args.get(1)) else {
        return Err(usage.into());
    };
    let assets: usize = args.get(2).map_or(Ok(1_000_000), |s| s.parse())?;
    let per_asset: usize = args.get(3).map_or(Ok(5), |s| s.parse())?;
    let mut store = Store::open(url)?;
    match mode.as_str() {
        "bulk" => {
            let (a, d) = synthetic_atlas(assets, per_asset);
            let (start, cpu) = (Instant::now(), cpu_seconds());
            let report = store.bulk_load(a, d, &|_| ())?;
            println!(
                "bulk_load: {} assets, {} dependencies in {:.2} s ({:.2} s CPU), peak RSS {:.0} MiB",
                report.assets.created,
                report.dependencies.created,
                start.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                peak_rss_mib()
            );
        }
        "compact" => {
            let (start, cpu) = (Instant::now(), cpu_seconds());
            let compact = store.load_compact()?;
            println!(
                "load_compact: {} assets, {} edges, {} groups in {:.2} s ({:.2} s CPU), peak RSS {:.0} MiB",
                compact.asset_count(),
                compact.edge_count(),
                compact.group_names.len(),
                start.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                peak_rss_mib()
            );
        }
        "import" => {
            let (a, d) = synthetic_atlas(assets, per_asset);
            let atlas = Atlas {
                assets: a.collect(),
                dependencies: d.collect(),
            };
            for round in ["first", "again"] {
                let (start, cpu) = (Instant::now(), cpu_seconds());
                let report = store.import(&atlas)?;
                println!(
                    "import ({round}): {:?} {:?} in {:.2} s ({:.2} s CPU), peak RSS {:.0} MiB",
                    report.assets,
                    report.dependencies,
                    start.elapsed().as_secs_f64(),
                    cpu_seconds() - cpu,
                    peak_rss_mib()
                );
            }
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
