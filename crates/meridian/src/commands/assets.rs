//! `assets list|show` and `stats`.

use serde::Serialize;

use crate::cli::{AssetsCommand, ListArgs};
use crate::config::Config;
use crate::output;

pub fn run(config: &Config, command: AssetsCommand) -> anyhow::Result<()> {
    match command {
        AssetsCommand::List(args) => list(config, &args),
        AssetsCommand::Show { id } => show(config, &id),
    }
}

fn list(config: &Config, args: &ListArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let query = app::atlas::Query {
        text: args.search.clone(),
        country: args.country.clone(),
        sector: args.sector.clone(),
        ncf: args.ncf.clone(),
        product: args.product.clone(),
        kind: args.kind.clone(),
        foreign: args.foreign,
        after: None,
    };
    let assets = app::atlas::search(
        &mut store,
        &config.home_country(),
        &query,
        args.limit,
        args.offset,
    )?;
    if config.json {
        return output::json(&assets);
    }
    let home = config.home_country();
    output::table(
        &["id", "name", "kind", "country", "sectors", "ncfs"],
        assets.iter().map(|a| {
            vec![
                a.id.clone(),
                a.name.clone(),
                a.kind.clone(),
                output::origin(&a.country, a.is_foreign(&home), a.is_foreign_owned(&home)),
                a.sectors.join(";"),
                a.ncfs.join(";"),
            ]
        }),
    );
    if !config.quiet {
        let total = app::atlas::count(&mut store, &home, &query)?;
        let skipped = usize::try_from(args.offset).unwrap_or(usize::MAX);
        let total = usize::try_from(total).unwrap_or(usize::MAX);
        let remaining = total.saturating_sub(skipped);
        let more = format!(
            "--limit, or --offset {} for the next page",
            skipped.saturating_add(assets.len())
        );
        output::shown(config.quiet, assets.len(), remaining, "assets", &more);
    }
    Ok(())
}

#[derive(Serialize)]
struct AssetView {
    asset: model::Asset,
    foreign: bool,
    foreign_owned: bool,
    depends_on: Vec<model::Dependency>,
    dependents: Vec<model::Dependency>,
    /// Why it ranks where it does: the factors of its priority and what is behind each.
    explanation: app::analysis::Explanation,
}

fn show(config: &Config, id: &str) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let detail = app::atlas::show(
        &mut store,
        &config.home_country(),
        id,
        app::atlas::Window::ALL,
    )?;
    let progress = crate::progress::Bars::new(config.quiet);
    let engine = app::analysis::Engine::load(&mut store, config.home, &progress)?;
    let explanation = app::analysis::explain_asset(&mut store, &engine, &progress, id)?;
    let view = AssetView {
        explanation,
        foreign: detail.foreign,
        foreign_owned: detail.foreign_owned,
        depends_on: detail.depends_on,
        dependents: detail.dependents,
        asset: detail.asset,
    };
    if config.json {
        return output::json(&view);
    }
    let a = &view.asset;
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    output::table(
        &["field", "value"],
        [
            ("id", a.id.clone()),
            ("name", a.name.clone()),
            ("kind", a.kind.clone()),
            (
                "country",
                output::origin(&a.country, view.foreign, view.foreign_owned),
            ),
            ("owner", a.owner.clone()),
            ("operator", a.operator.clone()),
            ("owner_country", a.owner_country.clone().unwrap_or_default()),
            ("sectors", a.sectors.join(";")),
            ("ncfs", a.ncfs.join(";")),
            ("lat, lon", format!("{}, {}", opt(a.lat), opt(a.lon))),
            ("products", a.products.join("\n")),
            ("weight", opt(a.weight)),
            (
                "exposure",
                a.exposure
                    .map(|e| e.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            ("recovery_hours", opt(a.recovery_hours)),
            ("tags", a.tags.join(";")),
        ]
        .into_iter()
        .chain(a.attributes.iter().map(|(k, v)| (k.as_str(), v.clone())))
        .map(|(k, v)| vec![k.to_owned(), v]),
    );
    let deps = |title: &str, other: fn(&model::Dependency) -> &str, list: &[model::Dependency]| {
        outln!("{title} ({})", list.len());
        if !list.is_empty() {
            output::table(
                &["asset", "kind", "group", "strength", "tolerance_hours"],
                list.iter().map(|d| {
                    vec![
                        other(d).to_owned(),
                        d.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
                        d.effective_group().to_owned(),
                        d.effective_strength().to_string(),
                        d.effective_tolerance_hours().to_string(),
                    ]
                }),
            );
        }
    };
    deps("depends on", |d| &d.provider, &view.depends_on);
    deps("depended on by", |d| &d.dependent, &view.dependents);
    outln!("");
    super::analyze::print_explanation(&view.explanation);
    Ok(())
}

pub fn stats(config: &Config) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let stats = app::atlas::stats(&mut store, &config.home_country())?;
    if config.json {
        let counts = |m: &std::collections::BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, n)| serde_json::json!({ "id": k, "assets": n }))
                .collect::<Vec<_>>()
        };
        return output::json(&serde_json::json!({
            "assets": stats.assets,
            "dependencies": stats.dependencies,
            "foreign": stats.foreign,
            "foreign_owned": stats.foreign_owned,
            "by_kind": counts(&stats.by_kind),
            "by_country": counts(&stats.by_country),
            "by_sector": counts(&stats.by_sector),
            "by_ncf": counts(&stats.by_ncf),
        }));
    }
    outln!(
        "{} assets ({} foreign, {} domestic but foreign-owned), {} dependencies",
        stats.assets,
        stats.foreign,
        stats.foreign_owned,
        stats.dependencies
    );
    let section = |title: &str,
                   rows: &std::collections::BTreeMap<String, u64>,
                   name: &dyn Fn(&str) -> String| {
        outln!("\nassets by {title}");
        output::table(
            &[title, "name", "assets"],
            rows.iter()
                .map(|(k, n)| vec![k.clone(), name(k), n.to_string()]),
        );
    };
    // Kinds are free text (facility, network, …): they are their own name.
    outln!("\nassets by kind");
    output::table(
        &["kind", "assets"],
        stats
            .by_kind
            .iter()
            .map(|(k, n)| vec![k.clone(), n.to_string()]),
    );
    section("country", &stats.by_country, &|c| {
        model::country(c)
            .map(|c| c.name.to_owned())
            .unwrap_or_default()
    });
    section("sector", &stats.by_sector, &|s| {
        model::sector(s)
            .map(|s| s.name.to_owned())
            .unwrap_or_default()
    });
    section("NCF", &stats.by_ncf, &|n| {
        model::ncf(n).map(|n| n.name.to_owned()).unwrap_or_default()
    });
    Ok(())
}
