//! Dev-dependency only: paths to shared fixtures and the PostgreSQL test switch.

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/test-support sits two levels below the workspace root")
        .to_path_buf()
}

/// A file of the real-world corpus in `../shared/data/`, beside the checkout.
/// Panics with a clear message when the corpus is missing.
pub fn shared_data(relative: &str) -> PathBuf {
    let root = workspace_root();
    let candidates = [root.join("../shared/data").join(relative), root.join("shared/data").join(relative)];
    candidates.iter().find(|p| p.exists()).cloned().unwrap_or_else(|| {
        panic!("shared test data {relative} not found (looked in {candidates:?}); the corpus lives in ../shared/data beside the checkout")
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
