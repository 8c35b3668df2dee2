//! `meridian`: one binary for the CLI (and, later, the server). Parses arguments, resolves the
//! configuration, installs logging and dispatches to `commands`.

#[macro_use]
mod output;
mod cli;
mod commands;
mod config;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_));
    init_logging(cli.global.quiet, serving);
    output::set_wide(cli.global.wide);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `MERIDIAN_LOG` (an `EnvFilter`) wins; otherwise warnings, and for the server one line per
/// request (method, path, status, latency; never headers, so never a token).
fn init_logging(quiet: bool, serving: bool) {
    let default = match (quiet, serving) {
        (true, _) => "error",
        (false, true) => "warn,meridian=info,hub=info,tower_http=info",
        (false, false) => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MERIDIAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colour only on a terminal, and never when NO_COLOR is set: a log written to a file or a
    // pipe carries no escape codes.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Completions { shell } => return commands::reference::completions(*shell),
        Command::Man { out } => return commands::reference::man_pages(out, cli.global.quiet),
        _ => {}
    }
    let config = Config::resolve(&cli.global)?;
    match cli.command {
        Command::Init => commands::atlas::init(&config),
        Command::Demo(args) => commands::atlas::demo(&config, &args),
        Command::Import(args) => commands::atlas::import(&config, &args),
        Command::Export(args) => commands::atlas::export(&config, &args),
        Command::Assets(cmd) => commands::assets::run(&config, cmd),
        Command::Stats => commands::assets::stats(&config),
        Command::Analyze(cmd) => commands::analyze::run(&config, cmd),
        Command::Intel(cmd) => commands::intel::run(&config, cmd),
        Command::Partner(cmd) => commands::partner::run_partner(&config, cmd),
        Command::Collection(cmd) => commands::partner::run_collection(&config, cmd),
        Command::Agreement(cmd) => commands::partner::run_agreement(&config, cmd),
        Command::Setting(cmd) => commands::partner::run_setting(&config, cmd),
        Command::Serve(args) => commands::serve::run(&config, args),
        Command::Alert(cmd) => commands::alert::run(&config, cmd),
        Command::Notify(cmd) => commands::notify::run(&config, cmd),
        Command::Incident(cmd) => commands::incident::run(&config, cmd),
        Command::Activity(cmd) => commands::coordination::run_activity(&config, cmd),
        Command::Record(cmd) => commands::coordination::run_record(&config, cmd),
        Command::Deconflict(args) => commands::coordination::run_deconflict(&config, args),
        Command::Measures(cmd) => commands::coordination::run_measures(&config, cmd),
        Command::Remote(cmd) => commands::federation::run_remote(&config, cmd),
        Command::Sync(args) => commands::federation::sync(&config, &args),
        Command::Bundle(cmd) => commands::bundle::run(&config, cmd),
        Command::Audit(cmd) => commands::audit::run(&config, cmd),
        Command::User(cmd) => commands::user::run(&config, cmd),
        Command::Completions { .. } | Command::Man { .. } => unreachable!("handled above"),
    }
}
