//! The one `Config` of the binary. Precedence: flags > `MERIDIAN_*` environment (both through
//! clap) > defaults. Library crates receive explicit values from here and never read the
//! environment themselves.

use std::path::PathBuf;

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
    /// The largest file an import reads, in bytes (`--max-file-size`).
    pub max_file_size: u64,
}

impl Config {
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Config> {
        // Country codes are case-insensitive (`us` is `US`), as every other filter value.
        let home = args.home.trim().to_ascii_uppercase();
        let home = home.as_str();
        if model::country(home).is_none() {
            bail!(
                "--home / MERIDIAN_HOME: {:?} is not an ISO 3166-1 alpha-2 country code",
                args.home.trim()
            );
        }
        let home: [u8; 2] = home.as_bytes().try_into().context("home country code")?;
        let max_file_size = parse_size(&args.max_file_size)
            .map_err(|e| anyhow::anyhow!("--max-file-size / MERIDIAN_MAX_FILE_SIZE: {e}"))?;
        Ok(Config {
            db: args.db.clone(),
            home,
            json: args.json,
            quiet: args.quiet,
            max_file_size,
        })
    }

    /// Reads a whole input file, refusing one larger than `--max-file-size` before reading it;
    /// the error names the file.
    pub fn read_input(&self, path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
        interchange::read_limited(path, self.max_file_size)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
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

    /// The key that seals remote tokens: `MERIDIAN_SECRET_KEY` when set, else the key file
    /// `MERIDIAN_SECRET_KEY_FILE`, else `<database file>.key` beside a SQLite database, else
    /// `$XDG_CONFIG_HOME/meridian/secret.key` (`~/.config/meridian/secret.key`).
    pub fn secret_key(&self) -> anyhow::Result<app::federation::KeySource> {
        Ok(app::federation::KeySource {
            hex: std::env::var(app::federation::KEY_ENV)
                .ok()
                .filter(|h| !h.is_empty()),
            file: key_path(&self.db)?,
        })
    }
}

/// The key file for the database `db`.
fn key_path(db: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(app::federation::KEY_FILE_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let file = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    let server = db.starts_with("postgres://") || db.starts_with("postgresql://");
    let memory = matches!(db, "sqlite::memory:" | "sqlite://:memory:" | ":memory:");
    if !server && !memory && !file.is_empty() {
        let mut path = file.to_owned();
        path.push_str(".key");
        return Ok(PathBuf::from(path));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|p| !p.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .with_context(|| {
            format!(
                "no place for the secret key: set {} or {}",
                app::federation::KEY_ENV,
                app::federation::KEY_FILE_ENV
            )
        })?;
    Ok(config.join("meridian").join("secret.key"))
}

/// A database URL fit for messages: any password is replaced by `***`.
pub fn redact(url: &str) -> String {
    store::redact_url(url)
}

/// A size in bytes: a number, optionally followed by `B`, `K`/`KB` (1000), `KiB` (1024), and
/// likewise `M`, `MiB`, `G`, `GiB`, `T`, `TiB` (case-insensitive).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let bad = || format!("{text:?} is not a size (bytes, or a number with KB, MiB, GiB, …)");
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        _ => return Err(bad()),
    };
    let size = number.checked_mul(multiplier).ok_or_else(bad)?;
    if size == 0 {
        return Err(format!("{text:?}: the limit must be more than 0 bytes"));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("1 kb"), Ok(1000));
        assert_eq!(parse_size("3MiB"), Ok(3 << 20));
        for bad in ["", "x", "1.5GiB", "-1", "0", "99999999999TiB", "2 parsecs"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
