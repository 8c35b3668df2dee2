//! `meridian serve`: the hub's HTTP server (TAXII 2.1 today; the REST API and web UI join it).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::{Config, redact};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "MERIDIAN_LISTEN")]
    pub listen: SocketAddr,
    /// PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// The name the server gives itself in TAXII discovery.
    #[arg(long, default_value = "Meridian")]
    pub title: String,
    /// A contact published in TAXII discovery.
    #[arg(long, default_value = "")]
    pub contact: String,
    /// The largest request body accepted, in bytes (TAXII max_content_length).
    #[arg(long, default_value_t = 64 << 20)]
    pub max_body: usize,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The largest STIX object accepted in a POST, in bytes of its JSON text; larger ones are
    /// refused one by one in the TAXII status (the rest of the envelope is stored).
    #[arg(long, default_value_t = 1 << 20)]
    pub max_object: usize,
    /// Connections served at once; further clients wait until one ends.
    #[arg(long, default_value_t = 512)]
    pub max_connections: usize,
    /// Failed authentications per client IP within a minute before its requests are answered
    /// 429 for the rest of that minute (0: no limit).
    #[arg(long, default_value_t = 10)]
    pub auth_failures: u32,
    /// Store connections: requests using the store at once (the others wait their turn); keep
    /// it under PostgreSQL's max_connections when several servers share one database.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub db_connections: u16,
    /// Build every page from the store instead of reusing served pages (for measuring).
    #[arg(long)]
    pub no_page_cache: bool,
    /// The signing key file written by `bundle keygen`: signs the bundles exported over REST
    /// (`POST /api/v1/bundles/export`; without it that route answers 503).
    #[arg(long, value_name = "FILE", env = "MERIDIAN_BUNDLE_KEY")]
    pub bundle_key: Option<PathBuf>,
    /// The CSAF provider's OpenPGP key file written by `intel cvd keygen`: signs the advisories
    /// served under `/.well-known/csaf/` (`.asc`) and publishes its public key.
    #[arg(long, value_name = "FILE", env = "MERIDIAN_CSAF_KEY")]
    pub csaf_key: Option<PathBuf>,
    /// Seconds a REST call of long work (a ranking, Monte Carlo, percolation, an import, a
    /// sync) is waited for before it becomes a job: answered 202 with `Location` of the job.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS", value_parser = wait_seconds)]
    pub sync_wait: f64,
    /// Long works running at once, synchronous calls and jobs alike; the others wait their
    /// turn (default: half the cores, at least one).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_jobs: Option<u16>,
}

/// A wait in seconds: 0 to one hour.
fn wait_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.0..=3600.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0 to 3600"
        )),
    }
}

pub fn run(config: &Config, args: ServeArgs) -> anyhow::Result<()> {
    let mut options = hub::ServeOptions::new(config.db.clone(), args.listen);
    options.tls = args.tls_cert.zip(args.tls_key);
    options.title = args.title;
    options.contact = args.contact;
    options.max_body = args.max_body;
    options.page_cache = !args.no_page_cache;
    options.max_object = args.max_object;
    options.max_connections = args.max_connections;
    options.auth_failures = args.auth_failures;
    options.home = config.home_country();
    options.pool_size = usize::from(args.db_connections);
    options.sync_wait = std::time::Duration::from_secs_f64(args.sync_wait);
    if let Some(n) = args.max_jobs {
        options.max_jobs = usize::from(n);
    }
    options.secret_key = Some(config.secret_key()?);
    options.bundle_key = match &args.bundle_key {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the signing key {}", path.display()))?,
        ),
        None => None,
    };
    options.csaf_key = match &args.csaf_key {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the CSAF signing key {}", path.display()))?;
            let key = app::cvd::openpgp::SigningKey::from_armored(&text)
                .with_context(|| format!("reading the CSAF signing key {}", path.display()))?;
            Some(std::sync::Arc::new(key))
        }
        None => None,
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(async move {
        let bound = hub::Bound::bind(&options).await?;
        let scheme = if options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let addr = bound.local_addr()?;
        tracing::info!(%addr, db = %redact(&options.db), "serving");
        if !config.quiet {
            eprintln!("meridian: serving TAXII 2.1 at {scheme}://{addr}/taxii2/ (Ctrl-C stops)");
        }
        bound.run(shutdown_signal()).await
    });
    // A long work still running (a job) does not hold the stop: each of its writes is one
    // transaction, and the next server fails its job as interrupted (`app::jobs::STALE`).
    runtime.shutdown_timeout(STOP_GRACE);
    served
}

/// How long a stopping server waits for the long works still running.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}
