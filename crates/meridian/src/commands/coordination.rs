//! `activity …`, `record …`, `deconflict …` and `measures …`: the coordination register, its
//! deconfliction and the Measures of Effectiveness (§5); the use cases are
//! `app::coordination` and `app::measures`.

use std::path::PathBuf;

use anyhow::Context as _;
use app::Actor;
use app::coordination::deconflict::{self, Resolution};
use app::coordination::{self, Record};
use app::measures::report::{self, Format};
use app::measures::{self, Quarter};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::config::Config;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum ActivityCommand {
    /// Add one international activity (deconfliction runs after it).
    Add(Box<ActivityArgs>),
    /// List activities, by start date.
    List(ActivityFilter),
    /// Show one activity.
    Show {
        /// The activity id, e.g. `ACT-000053`.
        id: String,
    },
    /// Change fields of an activity: `--set status=completed --set partners="cert-fr;cert-de"`.
    Edit(EditArgs),
    /// Import activities (and any other records) from CSV or JSON, all or nothing; see
    /// `meridian record import`.
    Import {
        /// A CSV file with a header, or a JSON array.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ActivityArgs {
    /// What the activity is, in a line.
    #[arg(long)]
    pub title: String,
    /// engagement, joint-operation, training, exercise, conference, capacity-building,
    /// policy-dialogue, technical-exchange.
    #[arg(long = "type")]
    pub activity_type: String,
    /// The lead office.
    #[arg(long)]
    pub office: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub start: String,
    /// YYYY-MM-DD (default: the start).
    #[arg(long)]
    pub end: Option<String>,
    /// A supporting office; repeat for several.
    #[arg(long = "supporting-office", value_name = "OFFICE")]
    pub supporting_offices: Vec<String>,
    /// A partner organisation; repeat for several.
    #[arg(long = "partner", value_name = "ID")]
    pub partners: Vec<String>,
    /// A country (ISO 3166-1 alpha-2); repeat for several.
    #[arg(long = "country", value_name = "CC")]
    pub countries: Vec<String>,
    /// A plan objective, 1.1 to 3.3; repeat for several.
    #[arg(long = "objective", value_name = "N.N", required = true)]
    pub objectives: Vec<String>,
    /// planned, ongoing, completed, cancelled.
    #[arg(long, default_value = "planned")]
    pub status: String,
    /// What it achieved.
    #[arg(long, default_value = "")]
    pub outcomes: String,
    /// What to do differently next time.
    #[arg(long, default_value = "")]
    pub lessons_learned: String,
}

#[derive(Debug, Args)]
pub struct ActivityFilter {
    /// Only activities this office leads or supports.
    #[arg(long)]
    pub office: Option<String>,
    /// Only activities with this partner.
    #[arg(long)]
    pub partner: Option<String>,
    /// Only activities in this country.
    #[arg(long)]
    pub country: Option<String>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The record's id (an activity's `ACT-…`, a survey's `SUR-…`; see `record kinds`).
    pub id: String,
    /// `field=value` (lists separated by `;`, an empty value for the default); repeat.
    #[arg(long = "set", value_name = "FIELD=VALUE", value_parser = parse_assignment, required = true)]
    pub set: Vec<(String, String)>,
}

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// The kinds of record and their id prefixes.
    Kinds,
    /// Add one record: `meridian record add survey --set office=capacity --set start=2026-05-02
    /// --set partner=cert-fr --set before=2 --set after=4`.
    Add {
        /// The kind of record (see `record kinds`), e.g. `survey`.
        kind: String,
        /// `field=value` (lists separated by `;`); repeat.
        #[arg(long = "set", value_name = "FIELD=VALUE", value_parser = parse_assignment, required = true)]
        set: Vec<(String, String)>,
    },
    /// List records, by start date.
    List {
        /// Only records of this kind.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Show one record as JSON.
    Show {
        /// The record's id.
        id: String,
    },
    /// Change fields of a record.
    Edit(EditArgs),
    /// Delete a record (an activity's open deconfliction flags go with it).
    Delete {
        /// The record's id.
        id: String,
    },
    /// Import records, all or nothing: CSV with a header (`kind`, `office`, `start`, `end` and
    /// the kind's fields; lists separated by `;`) or a JSON array of objects with the same
    /// fields. Every problem is reported as file:line:field.
    Import {
        /// A CSV file with a header, or a JSON array.
        file: PathBuf,
    },
}

/// `meridian deconflict`: run deconfliction and list the flags, or resolve one.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DeconflictArgs {
    /// Flag activities within this many days of each other (kept for later runs; default 30).
    #[arg(long, value_name = "DAYS")]
    pub window: Option<i64>,
    /// Also list resolved flags.
    #[arg(long)]
    pub all: bool,
    #[command(subcommand)]
    pub command: Option<DeconflictCommand>,
}

#[derive(Debug, Subcommand)]
pub enum DeconflictCommand {
    /// Resolve a flag: merge the two activities, or keep both; with a note either way.
    Resolve {
        /// The flag id, e.g. `FLAG-8e685cc178` (see `meridian deconflict`).
        flag: String,
        /// Fold the second activity into the first.
        #[arg(long, conflicts_with = "keep", required_unless_present = "keep")]
        merge: bool,
        /// Keep both activities.
        #[arg(long)]
        keep: bool,
        /// Why: kept with the resolution and shown with the flag.
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeasuresCommand {
    /// Every measure's value for a quarter.
    List(QuarterArg),
    /// One measure with its definition and what it counted.
    Show {
        /// `1.1a`, `2.3b`, …
        id: String,
        #[command(flatten)]
        quarter: QuarterArg,
    },
    /// The annual plan's targets.
    #[command(subcommand)]
    Target(TargetCommand),
    /// The quarterly review: value, change, direction, target and status per measure.
    Review {
        #[command(flatten)]
        quarter: QuarterArg,
        /// html (one self-contained file), md, json or csv.
        #[arg(long, default_value = "md", value_parser = parse_format)]
        format: Format,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TargetCommand {
    /// Set a measure's target for a quarter.
    Set {
        /// The measure, e.g. `2.3b`.
        id: String,
        /// The quarter, e.g. `2026Q3`.
        #[arg(long, value_parser = parse_quarter)]
        quarter: Quarter,
        /// The value planned for that quarter (a percentage for percentage measures).
        target: f64,
    },
    /// Every target.
    List,
    /// Import the annual plan: targets per measure and quarter, all or nothing.
    ///
    /// CSV with the header `measure,quarter,target`, or a JSON array of `{measure, quarter,
    /// target}`. Each problem is named by file, line and field; targets the file does not name
    /// are left as they are.
    Import {
        /// The plan file (`.csv` or `.json`).
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct QuarterArg {
    /// `2026Q3` (default: the last complete quarter).
    #[arg(long, value_parser = parse_quarter)]
    pub quarter: Option<Quarter>,
}

impl QuarterArg {
    fn get(&self) -> Quarter {
        self.quarter
            .unwrap_or_else(|| Quarter::current().previous())
    }
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(f, v)| (f.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?}: expected FIELD=VALUE"))
}

fn parse_quarter(text: &str) -> Result<Quarter, String> {
    Quarter::parse(text).ok_or_else(|| format!("{text:?}: expected a quarter like 2026Q3"))
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| format!("{text:?}: expected html, md, json or csv"))
}

pub fn run_activity(config: &Config, command: ActivityCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let actor = Actor::local();
    match command {
        ActivityCommand::Add(a) => {
            let a = *a;
            let list = |items: Vec<String>| items.join(";");
            let fields = [
                ("title", a.title),
                ("type", a.activity_type),
                ("office", a.office),
                ("start", a.start),
                ("end", a.end.unwrap_or_default()),
                ("supporting_offices", list(a.supporting_offices)),
                ("partners", list(a.partners)),
                ("countries", list(a.countries)),
                ("objectives", list(a.objectives)),
                ("status", a.status),
                ("outcomes", a.outcomes),
                ("lessons_learned", a.lessons_learned),
            ]
            .map(|(f, v)| (f.to_owned(), v));
            let record = coordination::from_fields("activity", &fields)?;
            let stored = coordination::add(&mut store, &actor, record)?;
            print_stored(config, &[stored])
        }
        ActivityCommand::List(filter) => {
            let all = coordination::list(&mut store, Some("activity"))?;
            let filter = filter.filter();
            let picked: Vec<Record> = all.into_iter().filter(|r| filter.keeps(r)).collect();
            print_records(config, &picked)
        }
        ActivityCommand::Show { id } => show(config, &coordination::get(&mut store, &id)?),
        ActivityCommand::Edit(e) => {
            let stored = coordination::set_fields(&mut store, &actor, &e.id, &e.set)?;
            print_stored(config, &[stored])
        }
        ActivityCommand::Import { file } => import(config, &mut store, &file),
    }
}

impl ActivityFilter {
    fn filter(self) -> coordination::Filter {
        coordination::Filter {
            office: self.office,
            partner: self.partner,
            country: self.country,
            text: None,
        }
    }
}

pub fn run_record(config: &Config, command: RecordCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let actor = Actor::local();
    match command {
        RecordCommand::Kinds => {
            output::table(
                &["kind", "id prefix", "what"],
                coordination::KINDS
                    .iter()
                    .map(|(k, p, w)| vec![(*k).to_owned(), (*p).to_owned(), (*w).to_owned()]),
            );
            Ok(())
        }
        RecordCommand::Add { kind, set } => {
            let record = coordination::from_fields(&kind, &set)?;
            let stored = coordination::add(&mut store, &actor, record)?;
            print_stored(config, &[stored])
        }
        RecordCommand::List { kind } => {
            let kind = match kind {
                Some(k) => Some(
                    coordination::parse_kind(&k)
                        .with_context(|| format!("{k:?} is not a kind of record"))?,
                ),
                None => None,
            };
            print_records(config, &coordination::list(&mut store, kind)?)
        }
        RecordCommand::Show { id } => show(config, &coordination::get(&mut store, &id)?),
        RecordCommand::Edit(e) => {
            let stored = coordination::set_fields(&mut store, &actor, &e.id, &e.set)?;
            print_stored(config, &[stored])
        }
        RecordCommand::Delete { id } => {
            let removed = coordination::remove(&mut store, &actor, &id)?;
            output::note(config.quiet, format!("{} deleted", removed.id));
            Ok(())
        }
        RecordCommand::Import { file } => import(config, &mut store, &file),
    }
}

fn import(config: &Config, store: &mut store::Store, file: &std::path::Path) -> anyhow::Result<()> {
    let name = file.display().to_string();
    let bytes = config.read_input(file)?;
    let stored = coordination::import(store, &Actor::local(), &name, &bytes)?;
    print_stored(config, &stored)
}

fn show(config: &Config, record: &Record) -> anyhow::Result<()> {
    if config.json {
        return output::json(&record.to_json());
    }
    outln!("{}", serde_json::to_string_pretty(&record.to_json())?);
    Ok(())
}

fn print_stored(config: &Config, stored: &[Record]) -> anyhow::Result<()> {
    if config.json {
        let ids: Vec<&str> = stored.iter().map(|r| r.id.as_str()).collect();
        return output::json(&ids);
    }
    for r in stored {
        outln!("{}", r.id);
    }
    output::note(config.quiet, format!("{} record(s) stored", stored.len()));
    Ok(())
}

fn print_records(config: &Config, records: &[Record]) -> anyhow::Result<()> {
    if config.json {
        let all: Vec<serde_json::Value> = records.iter().map(Record::to_json).collect();
        return output::json(&all);
    }
    output::table(
        &coordination::LIST_COLUMNS,
        records.iter().map(Record::list_row),
    );
    output::note(config.quiet, format!("{} record(s)", records.len()));
    Ok(())
}

pub fn run_deconflict(config: &Config, args: DeconflictArgs) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let actor = Actor::local();
    if let Some(DeconflictCommand::Resolve {
        flag,
        merge,
        keep: _,
        note,
    }) = args.command
    {
        let how = if merge {
            Resolution::Merge
        } else {
            Resolution::Keep
        };
        let resolved = deconflict::resolve(&mut store, &actor, &flag, how, &note)?;
        output::note(
            config.quiet,
            format!(
                "{} resolved ({}): {} and {}",
                resolved.id,
                resolved.resolution.as_deref().unwrap_or_default(),
                resolved.activity_a,
                resolved.activity_b
            ),
        );
        return Ok(());
    }
    let sync = deconflict::run(&mut store, &actor, args.window)?;
    let window = deconflict::window(&mut store)?;
    let mut flags = deconflict::flags(&mut store, &actor)?;
    if !args.all {
        flags.retain(|f| f.status == "open");
    }
    #[derive(Serialize)]
    struct Row<'a> {
        id: &'a str,
        activity_a: &'a str,
        activity_b: &'a str,
        reason: &'a str,
        detail: &'a str,
        status: &'a str,
        resolution: Option<&'a str>,
        note: Option<&'a str>,
    }
    let rows: Vec<Row<'_>> = flags
        .iter()
        .map(|f| Row {
            id: &f.id,
            activity_a: &f.activity_a,
            activity_b: &f.activity_b,
            reason: &f.reason,
            detail: &f.detail,
            status: &f.status,
            resolution: f.resolution.as_deref(),
            note: f.note.as_deref(),
        })
        .collect();
    if config.json {
        return output::json(&rows);
    }
    output::table(
        &["flag", "activities", "reason", "status", "note"],
        rows.iter().map(|r| {
            vec![
                r.id.to_owned(),
                format!("{} / {}", r.activity_a, r.activity_b),
                r.detail.to_owned(),
                r.status.to_owned(),
                r.note.unwrap_or_default().to_owned(),
            ]
        }),
    );
    output::note(
        config.quiet,
        format!(
            "{} flag(s) shown; window {window} days; {} new, {} no longer found",
            rows.len(),
            sync.added,
            sync.removed
        ),
    );
    Ok(())
}

#[derive(Serialize)]
struct ValueRow<'a> {
    measure: &'a str,
    objective: &'a str,
    name: &'a str,
    quarter: String,
    value: f64,
    numerator: Option<u64>,
    denominator: Option<u64>,
    definition: &'a str,
    records: &'a [String],
}

fn value_row(v: &measures::Value) -> ValueRow<'_> {
    ValueRow {
        measure: v.measure.id,
        objective: v.measure.objective,
        name: v.measure.name,
        quarter: v.quarter.to_string(),
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        definition: v.measure.definition,
        records: &v.records,
    }
}

pub fn run_measures(config: &Config, command: MeasuresCommand) -> anyhow::Result<()> {
    let mut store = config.open_store()?;
    let actor = Actor::local();
    match command {
        MeasuresCommand::List(q) => {
            let values = measures::values(&mut store, &actor, q.get())?;
            if config.json {
                return output::json(&values.iter().map(value_row).collect::<Vec<_>>());
            }
            output::table(
                &["measure", "name", "value", "records"],
                values.iter().map(|v| {
                    vec![
                        v.measure.id.to_owned(),
                        v.measure.name.to_owned(),
                        report::shown(v),
                        v.records.len().to_string(),
                    ]
                }),
            );
            output::note(config.quiet, format!("quarter {}", q.get()));
            Ok(())
        }
        MeasuresCommand::Show { id, quarter } => {
            let v = measures::value(&mut store, &actor, &id, quarter.get())?;
            if config.json {
                return output::json(&value_row(&v));
            }
            outln!(
                "{} {} ({})\n{}\n\nvalue: {}\nrecords: {}",
                v.measure.id,
                v.measure.name,
                v.quarter,
                v.measure.definition,
                report::shown(&v),
                v.records.join(", ")
            );
            Ok(())
        }
        MeasuresCommand::Target(TargetCommand::Set {
            id,
            quarter,
            target,
        }) => {
            measures::set_target(&mut store, &actor, &id, quarter, target)?;
            output::note(
                config.quiet,
                format!("target of {id} for {quarter}: {target}"),
            );
            Ok(())
        }
        MeasuresCommand::Target(TargetCommand::Import { file }) => {
            let name = file.display().to_string();
            let bytes = config.read_input(&file)?;
            let set = measures::import_plan(&mut store, &actor, &name, &bytes)?;
            output::note(
                config.quiet,
                format!("{} target(s) of the annual plan set from {name}", set.len()),
            );
            Ok(())
        }
        MeasuresCommand::Target(TargetCommand::List) => {
            let targets = measures::targets(&mut store)?;
            if config.json {
                return output::json(&targets);
            }
            output::table(
                &["measure", "quarter", "target"],
                targets.iter().flat_map(|(m, per)| {
                    per.iter()
                        .map(move |(q, t)| vec![m.clone(), q.clone(), report::number(*t)])
                }),
            );
            Ok(())
        }
        MeasuresCommand::Review {
            quarter,
            format,
            out,
        } => {
            let review = measures::review(&mut store, &actor, quarter.get())?;
            let text = report::render(&review, format);
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    output::note(
                        config.quiet,
                        format!("review of {} written to {}", review.quarter, path.display()),
                    );
                }
                None => output::print(text.trim_end()),
            }
            Ok(())
        }
    }
}
