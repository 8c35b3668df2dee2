//! The command line, as clap parses it. `main` resolves it into a [`crate::config::Config`] and
//! dispatches to `commands::*`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Meridian maps the foreign infrastructure a nation's critical functions depend on, ranks it,
/// and shares what matters with partner CSIRTs.
///
/// Start with `meridian demo` (builds a synthetic world into ./meridian.db), then
/// `meridian stats`, `meridian assets list --foreign` and `meridian analyze rank`.
#[derive(Debug, Parser)]
#[command(
    name = "meridian",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: `sqlite://PATH`, a plain file path, or `postgres://user@host/db`.
    #[arg(
        long,
        global = true,
        env = "MERIDIAN_DB",
        default_value = "sqlite://meridian.db"
    )]
    pub db: String,
    /// The installation's home country (ISO 3166-1 alpha-2): assets elsewhere are foreign.
    #[arg(long, global = true, env = "MERIDIAN_HOME", default_value = "US")]
    pub home: String,
    /// Print stable machine-readable JSON on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bars and no summaries on stderr; errors are still printed.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Draw tables as wide as their content instead of at most 100 columns (or the terminal's
    /// width), wrapping long cells.
    #[arg(long, global = true)]
    pub wide: bool,
    /// The largest file an import reads (atlas files, intel documents, bundle files), in bytes
    /// or with a unit: `500MiB`, `2GiB`, `1GB`. Larger files are refused before being read.
    #[arg(
        long,
        global = true,
        env = "MERIDIAN_MAX_FILE_SIZE",
        default_value = "2GiB",
        value_name = "SIZE"
    )]
    pub max_file_size: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or bring its schema up to date) and print where it is.
    Init,
    /// Generate the synthetic demo world into the database (deterministic from --seed).
    Demo(DemoArgs),
    /// Import atlas files (CSV, JSON, GraphML, STIX 2.1) in one all-or-nothing transaction.
    ///
    /// The format comes from the extension and, for CSV, the header: a file with an `id` column
    /// holds assets, one with `dependent` and `provider` columns holds dependencies. On any
    /// error nothing is stored and every error names file, line and field.
    Import(ImportArgs),
    /// Export the whole atlas.
    Export(ExportArgs),
    /// List or show assets.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Counts by kind, country, sector and National Critical Function.
    Stats,
    /// Analyses over the dependency graph: exposure, cascades, single points of failure, ranking, scenarios.
    #[command(subcommand)]
    Analyze(crate::commands::analyze::AnalyzeCommand),
    /// Vulnerability intelligence matched to the atlas: import, findings, SSVC, CVD cases, feeds.
    #[command(subcommand)]
    Intel(crate::commands::intel::IntelCommand),
    /// Partner CSIRTs: register, list, issue tokens, set bundle keys.
    #[command(subcommand)]
    Partner(crate::commands::partner::PartnerCommand),
    /// TAXII collections of the hub.
    #[command(subcommand)]
    Collection(crate::commands::partner::CollectionCommand),
    /// Sharing agreements: who receives which collections up to which TLP.
    #[command(subcommand)]
    Agreement(crate::commands::partner::AgreementCommand),
    /// Installation settings (`default_tlp`).
    #[command(subcommand)]
    Setting(crate::commands::partner::SettingCommand),
    /// Run the hub's HTTP server: TAXII 2.1 under /taxii2/.
    Serve(crate::commands::serve::ServeArgs),
    /// Alerts about a CVE from its Intel findings: STIX package, CSAF advisory, routing.
    #[command(subcommand)]
    Alert(crate::commands::alert::AlertCommand),
    /// Victim notifications: list, send, advance, report time to notify and to acknowledge.
    #[command(subcommand)]
    Notify(crate::commands::notify::NotifyCommand),
    /// Incident reports (cyber and physical) on assets: add, import, list.
    #[command(subcommand)]
    Incident(crate::commands::incident::IncidentCommand),
    /// International activities of the coordination register: add, list, show, edit, import.
    #[command(subcommand)]
    Activity(crate::commands::coordination::ActivityCommand),
    /// The register's other records (actions, services, training, surveys, workforce,
    /// governance, standards, Secure by Design, CSIRT engagements, …): add, list, import.
    #[command(subcommand)]
    Record(crate::commands::coordination::RecordCommand),
    /// Flag activities of different offices that collide, and likely duplicates; resolve flags.
    Deconflict(crate::commands::coordination::DeconflictArgs),
    /// The Measures of Effectiveness: values, drill-down, targets, the quarterly review.
    #[command(subcommand)]
    Measures(crate::commands::coordination::MeasuresCommand),
    /// Remote TAXII 2.1 servers (other hubs) that `sync` pulls from and pushes to.
    #[command(subcommand)]
    Remote(crate::commands::federation::RemoteCommand),
    /// Federate with the remotes: push what TLP allows, pull what is new (incremental).
    Sync(crate::commands::federation::SyncArgs),
    /// Signed offline bundles: keygen, export for a partner, import from a partner.
    #[command(subcommand)]
    Bundle(crate::commands::bundle::BundleCommand),
    /// The hash-chained audit log of every write: list entries, verify the chain.
    #[command(subcommand)]
    Audit(crate::commands::audit::AuditCommand),
    /// Users of the installation: add, list, show, disable, set passwords, issue API tokens.
    #[command(subcommand)]
    User(crate::commands::user::UserCommand),
    /// Print a shell completion script, e.g. `meridian completions bash > ~/.local/share/bash-completion/completions/meridian`.
    Completions {
        /// The shell: bash, elvish, fish, powershell or zsh.
        shell: clap_complete::Shell,
    },
    /// Write the manual pages (`meridian.1` and one page per command) into a directory.
    Man {
        /// The directory to write into (created when missing).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed gives the same world.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of assets (about 5 dependencies each at large sizes).
    #[arg(long, default_value_t = 2000)]
    pub assets: usize,
    /// Delete the existing atlas first (the demo refuses to write into a non-empty atlas).
    #[arg(long)]
    pub reset: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import together (assets.csv, dependencies.csv, atlas.json, atlas.graphml, bundle.json, ...).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Only validate the files against the database; write nothing.
    #[arg(long)]
    pub check: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// assets.csv + dependencies.csv
    Csv,
    /// atlas.json (Meridian's JSON)
    Json,
    /// atlas.graphml (Gephi, yEd)
    Graphml,
    /// bundle.json (STIX 2.1 infrastructure + depends-on relationships)
    Stix,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file format: csv (assets.csv + dependencies.csv), json, graphml or stix.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Output directory (created when missing).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AssetsCommand {
    /// List assets, filtered.
    #[command(
        after_help = "Examples:\n  $ meridian assets list --country tw --sector energy\n  $ meridian assets list --ncf NCF-M19 --foreign --limit 20\n  $ meridian assets list --product cpe:2.3:h:phoenixcontact"
    )]
    List(ListArgs),
    /// Show one asset with what it depends on and what depends on it.
    #[command(after_help = "Examples:\n  $ meridian assets show fgrid:tw:tainan-12")]
    Show {
        /// Asset id, e.g. `cable:transpacific-3`.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only assets in this country (ISO alpha-2).
    #[arg(long)]
    pub country: Option<String>,
    /// Only assets in this sector (e.g. ENERGY).
    #[arg(long)]
    pub sector: Option<String>,
    /// Only assets supporting this NCF (e.g. NCF-D01).
    #[arg(long)]
    pub ncf: Option<String>,
    /// Only assets of this kind (facility, network, ...).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only foreign assets (outside the home country).
    #[arg(long)]
    pub foreign: bool,
    /// Only assets whose id or name contains this text.
    #[arg(long)]
    pub search: Option<String>,
    /// Only assets running a product (purl, CPE or name) containing this text.
    #[arg(long)]
    pub product: Option<String>,
    /// Rows to print.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Rows to skip first (the next page starts at the previous offset + limit).
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every problem of the help texts of `cmd` and its subcommands, named by command path.
    fn help_problems(cmd: &clap::Command, path: &str, problems: &mut Vec<String>) {
        let here = format!("{path} {}", cmd.get_name());
        let about = cmd.get_about().map(|s| s.to_string()).unwrap_or_default();
        let long_about = cmd
            .get_long_about()
            .map(|s| s.to_string())
            .unwrap_or_default();
        if about.is_empty() && !cmd.is_hide_set() {
            problems.push(format!("{here}: no description"));
        }
        if about.contains('§') || long_about.contains('§') {
            problems.push(format!("{here}: cites a specification section"));
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") || arg.is_hide_set() {
                continue;
            }
            let help = arg.get_help().map(|s| s.to_string()).unwrap_or_default();
            if help.trim().is_empty() {
                problems.push(format!("{here}: argument `{id}` has no description"));
            }
            if help.contains('§') {
                problems.push(format!(
                    "{here}: argument `{id}` cites a specification section"
                ));
            }
        }
        for sub in cmd.get_subcommands() {
            help_problems(sub, &here, problems);
        }
    }

    #[test]
    fn every_command_and_argument_is_described_without_citing_the_specification() {
        let mut problems = Vec::new();
        help_problems(&Cli::command(), "", &mut problems);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
