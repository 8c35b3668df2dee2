//! Dev-dependency only: paths to shared fixtures, the PostgreSQL test switch and temporary databases for both store backends.

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/test-support sits two levels below the workspace root")
        .to_path_buf()
}

/// A file of the real-world corpus: in `MERIDIAN_SHARED_DATA` when set, else in
/// `../shared/data/` beside the checkout. Panics with a clear message when the corpus is missing.
pub fn shared_data(relative: &str) -> PathBuf {
    let root = workspace_root();
    let from_env = std::env::var_os("MERIDIAN_SHARED_DATA").map(PathBuf::from);
    let candidates: Vec<PathBuf> = from_env
        .into_iter()
        .chain([root.join("../shared/data"), root.join("shared/data")])
        .map(|dir| dir.join(relative))
        .collect();
    candidates.iter().find(|p| p.exists()).cloned().unwrap_or_else(|| {
        panic!("shared test data {relative} not found (looked in {candidates:?}); the corpus lives in ../shared/data beside the checkout, or set MERIDIAN_SHARED_DATA")
    })
}

/// A test's own fixture file in `crates/<crate>/tests/data/`.
pub fn fixture(crate_dir: &str, relative: &str) -> PathBuf {
    Path::new(crate_dir).join("tests/data").join(relative)
}

/// The PostgreSQL server URL for tests, from `MERIDIAN_TEST_POSTGRES`. When unset, prints one loud
/// line naming the skipped suite and returns `None`; the caller returns early.
pub fn postgres_url(suite: &str) -> Option<String> {
    match std::env::var("MERIDIAN_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("SKIPPED: PostgreSQL tests (set MERIDIAN_TEST_POSTGRES) [{suite}]");
            None
        }
    }
}

/// One database for a test: a fresh SQLite file, or a fresh schema on the PostgreSQL test
/// server (dropped with the value). Open it with `store::Store::open(&db.url)`.
pub struct TestDb {
    /// `"sqlite"` or `"postgres"`, for assertion messages.
    pub name: &'static str,
    pub url: String,
    sqlite_dir: Option<tempfile::TempDir>,
    /// Server URL and schema to drop.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// The SQLite database file; `None` for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.sqlite_dir
            .as_ref()
            .map(|dir| dir.path().join("meridian.db"))
    }

    /// Runs `sql` (one or more statements) on the database directly, beside the store: for
    /// tests that tamper with stored rows. Panics naming the statements when they fail.
    pub fn execute(&self, sql: &str) {
        let outcome = match (&self.postgres, self.sqlite_path()) {
            (Some((server, schema)), _) => postgres::Client::connect(server, postgres::NoTls)
                .and_then(|mut client| {
                    client.batch_execute(&format!("SET search_path TO \"{schema}\"; {sql}"))
                })
                .map_err(|e| e.to_string()),
            (None, Some(path)) => rusqlite::Connection::open(path)
                .and_then(|conn| conn.execute_batch(sql))
                .map_err(|e| e.to_string()),
            (None, None) => Err("the test database has neither a file nor a schema".to_owned()),
        };
        if let Err(e) = outcome {
            panic!("[{}] {sql}: {e}", self.name);
        }
    }

    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("creating a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("meridian.db").display());
        TestDb {
            name: "sqlite",
            url,
            sqlite_dir: Some(dir),
            postgres: None,
        }
    }

    fn postgres(server: String, suite: &str) -> TestDb {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tag: String = suite
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(24)
            .collect();
        let schema = format!(
            "t_{tag}_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}schema={schema}");
        TestDb {
            name: "postgres",
            url,
            sqlite_dir: None,
            postgres: Some((server, schema)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.postgres
            && let Ok(mut client) = postgres::Client::connect(server, postgres::NoTls)
            && let Err(e) =
                client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        {
            eprintln!("test-support: could not drop schema {schema}: {e}");
        }
    }
}

/// The databases a store test runs against: always a temporary SQLite file, plus an isolated
/// PostgreSQL schema when `MERIDIAN_TEST_POSTGRES` is set (otherwise one SKIPPED line).
pub fn backends(suite: &str) -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite()];
    if let Some(server) = postgres_url(suite) {
        dbs.push(TestDb::postgres(server, suite));
    }
    dbs
}

/// A deterministic synthetic atlas of any size, streamed, for load tests and benchmarks (not the
/// demo world): `assets` assets `a0000000…` in 40 countries with 1-2 sectors and 1-3 NCFs each,
/// and `dependencies_per_asset` distinct providers per asset, a third of them in one of a few
/// hundred named redundancy groups.
pub fn synthetic_atlas(
    assets: usize,
    dependencies_per_asset: usize,
) -> (
    impl Iterator<Item = model::Asset>,
    impl Iterator<Item = model::Dependency>,
) {
    const COUNTRIES: [&str; 40] = [
        "US", "CA", "MX", "BR", "AR", "GB", "FR", "DE", "NL", "BE", "ES", "IT", "PL", "SE", "NO",
        "FI", "DK", "IE", "PT", "CH", "AT", "JP", "KR", "TW", "CN", "IN", "SG", "AU", "NZ", "ZA",
        "NA", "EG", "NG", "KE", "AE", "SA", "TR", "IL", "UA", "ZZ",
    ];
    const KINDS: [&str; 6] = [
        "facility", "network", "system", "service", "supply", "route",
    ];
    fn mix(mut x: u64) -> u64 {
        // splitmix64
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    let id = |i: usize| format!("a{i:07}");
    let asset_iter = (0..assets).map(move |i| {
        let h = mix(i as u64);
        let sectors = model::sectors();
        let ncfs = model::ncfs();
        let pick = |salt: u64, len: usize| (mix(h ^ salt) % len as u64) as usize;
        let mut asset_sectors = vec![sectors[pick(1, sectors.len())].id.to_owned()];
        if h & 1 == 1 {
            asset_sectors.push(sectors[pick(2, sectors.len())].id.to_owned());
        }
        let asset_ncfs = (0..1 + (h >> 8) % 3)
            .map(|k| ncfs[pick(10 + k, ncfs.len())].id.to_owned())
            .collect();
        let located = h & 2 == 0;
        model::Asset {
            id: id(i),
            name: format!("Synthetic asset {i}"),
            kind: KINDS[pick(3, KINDS.len())].to_owned(),
            country: COUNTRIES[pick(4, COUNTRIES.len())].to_owned(),
            owner: format!("Owner {}", pick(5, 1000)),
            sectors: asset_sectors,
            ncfs: asset_ncfs,
            lat: located.then(|| (pick(6, 180) as f64) - 90.0),
            lon: located.then(|| (pick(7, 360) as f64) - 180.0),
            weight: (h & 4 == 0).then(|| (pick(8, 100) as f64) / 100.0),
            owner_country: (h & 8 == 0).then(|| COUNTRIES[pick(9, COUNTRIES.len())].to_owned()),
            ..model::Asset::default()
        }
    });
    let dep_iter = (0..assets).flat_map(move |i| {
        let mut providers: Vec<usize> = Vec::with_capacity(dependencies_per_asset);
        let mut salt = 0u64;
        while assets > 1 && providers.len() < dependencies_per_asset.min(assets - 1) {
            salt += 1;
            let p =
                (i + 1 + (mix((i as u64) << 20 ^ salt) % (assets as u64 - 1)) as usize) % assets;
            if !providers.contains(&p) {
                providers.push(p);
            }
        }
        providers.into_iter().map(move |p| {
            let h = mix((i as u64) << 32 ^ p as u64);
            model::Dependency {
                dependent: id(i),
                provider: id(p),
                kind: (!h.is_multiple_of(5)).then(|| model::DependencyKind::ALL[(h % 4) as usize]),
                group: h
                    .is_multiple_of(3)
                    .then(|| format!("group-{}", (h >> 16) % 300)),
                strength: h
                    .is_multiple_of(2)
                    .then(|| ((h >> 8) % 100 + 1) as f64 / 100.0),
                tolerance_hours: h.is_multiple_of(7).then_some(((h >> 24) % 72) as f64),
                ..model::Dependency::default()
            }
        })
    });
    (asset_iter, dep_iter)
}
