//! End-to-end tests of the `meridian` binary: one integration binary, modules per area.

mod alert;
mod analyze;
mod atlas;
mod audit;
mod bundle;
mod coordination;
mod crash;
mod cvd;
mod demo;
mod federation;
mod intel;
mod leak_matrix;
mod sync;
mod user;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `meridian` against `db` with `args`; never panics on a non-zero exit.
fn meridian(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meridian"))
        .args(args)
        .env("MERIDIAN_DB", db)
        .env_remove("MERIDIAN_HOME")
        .output()
        .expect("the meridian binary runs")
}

/// Runs and asserts success, returning stdout.
fn ok(db: &str, args: &[&str]) -> String {
    let out = meridian(db, args);
    assert!(
        out.status.success(),
        "meridian {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
