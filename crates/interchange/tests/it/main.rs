//! Integration tests of `interchange`: round trips through every format, fixtures on disk,
//! batch checks across files, and (with `RUN_SLOW_TESTS=1`) CSV throughput at scale.

mod files;
mod roundtrip;
mod scale;

use std::path::PathBuf;

/// A fixture under `crates/interchange/tests/data/`.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}
