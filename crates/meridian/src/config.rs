//! The one `Config` of the binary. Precedence: flags > `MERIDIAN_*` environment (both through
//! clap) > defaults. Library crates receive explicit values from here and never read the
//! environment themselves.

use anyhow::{Context, bail};

use crate::cli::GlobalArgs;

#[derive(Clone, Debug)]
pub struct Config {
    /// Database URL as given (`sqlite://…`, a path, or `postgres://…`).
    pub db: String,
    /// Home country as two ASCII bytes: assets elsewhere are foreign.
    pub home: [u8; 2],
    pub json: bool,
    pub quiet: bool,
}

impl Config {
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Config> {
        let home = args.home.trim();
        if model::country(home).is_none() {
            bail!("--home / MERIDIAN_HOME: {home:?} is not an ISO 3166-1 alpha-2 country code");
        }
        let home: [u8; 2] = home.as_bytes().try_into().context("home country code")?;
        Ok(Config {
            db: args.db.clone(),
            home,
            json: args.json,
            quiet: args.quiet,
        })
    }

    pub fn home_str(&self) -> &str {
        std::str::from_utf8(&self.home).expect("validated ASCII country code")
    }

    pub fn home_country(&self) -> model::HomeCountry {
        model::HomeCountry(self.home_str().to_owned())
    }

    /// Opens the store named by `--db`, applying pending migrations.
    pub fn open_store(&self) -> anyhow::Result<store::Store> {
        store::Store::open(&self.db)
            .with_context(|| format!("opening database {}", redact(&self.db)))
    }
}

/// A database URL fit for messages: any password is replaced by `***`.
pub fn redact(url: &str) -> String {
    store::redact_url(url)
}
