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
    init_logging(cli.global.quiet);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(quiet: bool) {
    let default = if quiet { "error" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MERIDIAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
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
        Command::Remote(cmd) => commands::federation::run_remote(&config, cmd),
        Command::Sync(args) => commands::federation::sync(&config, &args),
        Command::Bundle(cmd) => commands::bundle::run(&config, cmd),
    }
}
