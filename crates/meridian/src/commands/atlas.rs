//! `init`, `demo`, `import`, `export`: getting an atlas in and out.

use std::time::Instant;

use anyhow::{Context, bail};
use app::atlas::Located;
use serde::Serialize;

use crate::cli::{DemoArgs, ExportArgs, ExportFormat, ImportArgs};
use crate::config::{Config, redact};
use crate::{output, progress};

pub fn init(config: &Config) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let version = app::atlas::init(&mut store)?;
    if config.json {
        return output::json(
            &serde_json::json!({ "db": redact(&config.db), "atlas_version": version }),
        );
    }
    outln!(
        "database {} ready (atlas version {version})",
        redact(&config.db)
    );
    Ok(())
}

#[derive(Serialize)]
struct Counts {
    created: u64,
    updated: u64,
    unchanged: u64,
}

impl From<store::Counts> for Counts {
    fn from(c: store::Counts) -> Counts {
        Counts {
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
        }
    }
}

#[derive(Serialize)]
struct ImportSummary {
    files: Vec<String>,
    assets: Counts,
    dependencies: Counts,
}

pub fn import(config: &Config, args: &ImportArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    // Phases of a large import (parse, check, write) each take seconds at a million rows.
    let spinner = progress::bar(config.quiet, None, "parsing");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let parsed = match app::atlas::read_files(&args.files, config.max_file_size) {
        Ok(parsed) => parsed,
        Err(e) => {
            spinner.finish_and_clear();
            return refuse(e);
        }
    };
    if args.check {
        spinner.set_message("checking");
        let checked = app::atlas::check(&mut store, &parsed, Located::Files);
        spinner.finish_and_clear();
        checked.or_else(refuse)?;
        output::note(
            config.quiet,
            format!(
                "valid: {} assets and {} dependencies; nothing was written",
                parsed.atlas.assets.len(),
                parsed.atlas.dependencies.len()
            ),
        );
        return Ok(());
    }
    spinner.set_message("checking and writing");
    let report = app::atlas::import(&mut store, &app::Actor::local(), &parsed, Located::Files);
    spinner.finish_and_clear();
    let report = report.or_else(refuse)?;
    let summary = ImportSummary {
        files: args.files.iter().map(|f| f.display().to_string()).collect(),
        assets: report.assets.into(),
        dependencies: report.dependencies.into(),
    };
    if config.json {
        return output::json(&summary);
    }
    outln!(
        "imported: assets {} created, {} updated, {} unchanged; dependencies {} created, {} updated, {} unchanged",
        summary.assets.created,
        summary.assets.updated,
        summary.assets.unchanged,
        summary.dependencies.created,
        summary.dependencies.updated,
        summary.dependencies.unchanged,
    );
    Ok(())
}

/// Prints every located problem on stderr and fails without having written anything; other
/// errors pass.
fn refuse<T>(error: app::Error) -> anyhow::Result<T> {
    let app::Error::Invalid(problems) = error else {
        return Err(error.into());
    };
    for p in &problems {
        eprintln!("{}: {}", p.pointer, p.message);
    }
    bail!(
        "import refused: {} error(s), nothing was stored",
        problems.len()
    )
}

pub fn export(config: &Config, args: &ExportArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let bars = progress::Bars::new(config.quiet);
    app::Progress::start(&bars, "reading", None);
    let atlas = app::atlas::export(&mut store)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    app::Progress::start(&bars, "writing", None);
    let format = match args.format {
        ExportFormat::Csv => interchange::Format::Csv,
        ExportFormat::Json => interchange::Format::Json,
        ExportFormat::Graphml => interchange::Format::GraphMl,
        ExportFormat::Stix => interchange::Format::Stix,
    };
    let written = interchange::export(&atlas, format, &args.out)
        .with_context(|| format!("writing to {}", args.out.display()))?;
    app::Progress::finish(&bars);
    if config.json {
        return output::json(&serde_json::json!({
            "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "assets": atlas.assets.len(),
            "dependencies": atlas.dependencies.len(),
        }));
    }
    for path in &written {
        outln!("{}", path.display());
    }
    output::note(
        config.quiet,
        format!(
            "exported {} assets and {} dependencies",
            atlas.assets.len(),
            atlas.dependencies.len()
        ),
    );
    Ok(())
}

/// A test hook of debug builds: `MERIDIAN_TEST_DEMO_HOOK=fail:STEP` fails the demo build after
/// STEP, `stall:STEP` prints `demo hook: stalled after STEP` on stderr and waits to be killed.
/// Release builds have no hook.
fn demo_hook(step: &str) -> anyhow::Result<()> {
    #[cfg(debug_assertions)]
    if let Ok(hook) = std::env::var("MERIDIAN_TEST_DEMO_HOOK") {
        match hook.split_once(':') {
            Some(("fail", at)) if at == step => bail!("demo hook: failing after {step}"),
            Some(("stall", at)) if at == step => {
                eprintln!("demo hook: stalled after {step}");
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            }
            _ => {}
        }
    }
    let _ = step;
    Ok(())
}

/// Builds the demo world (`app::demo::build`: one transaction, so an error or a killed process
/// leaves the database as it was) and prints what it built and the top foreign priorities.
pub fn demo(config: &Config, args: &DemoArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let started = Instant::now();
    let options = app::demo::DemoOptions {
        seed: args.seed,
        assets: args.assets,
        home: config.home,
        reset: args.reset,
    };
    let bars = progress::Bars::new(config.quiet);
    let built = app::demo::build(
        &mut store,
        &app::Actor::local(),
        &options,
        &bars,
        &demo_hook,
    );
    let app::demo::Built {
        report,
        advisories,
        exchange,
    } = built.context("the demo was not built; the database is unchanged")?;
    let elapsed = started.elapsed();
    if config.json {
        return output::json(&serde_json::json!({
            "seed": args.seed,
            "assets": report.assets.created,
            "dependencies": report.dependencies.created,
            "intel_documents": advisories,
            "exchange": exchange,
            "seconds": elapsed.as_secs_f64(),
        }));
    }
    outln!(
        "demo world (seed {}): {} assets, {} dependencies, {} demo intel documents (CVE records, KEV, EPSS, SBOMs) in {:.1} s into {}",
        args.seed,
        report.assets.created,
        report.dependencies.created,
        advisories,
        elapsed.as_secs_f64(),
        redact(&config.db)
    );
    match &exchange {
        Some(x) => output::note(
            config.quiet,
            format!(
                "exchange: {} partner CSIRTs, {} agreements, {} collections ({} objects), {} alerts, {} notifications, {} incidents; coordination: {} records, {} deconfliction flags (all synthetic)",
                x.partners,
                x.agreements,
                x.collections,
                x.objects,
                x.alerts,
                x.notifications,
                x.incidents,
                x.records,
                x.flags
            ),
        ),
        None => output::note(
            config.quiet,
            "exchange: partners are stored already; the demo's exchange data is left as it is",
        ),
    }
    if !config.quiet {
        super::analyze::print_top_foreign(config, &mut store, 10)?;
    }
    Ok(())
}
