//! intel against the real corpus in `../shared/data/` and hand-made inputs.

mod corpus;
mod labelled;
mod matching;
mod names;
mod osv;
mod ssvc;
mod vex;

use std::path::{Path, PathBuf};

/// Every file under `shared/data/<dir>` whose name ends with `suffix`, sorted.
pub fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    fn walk(p: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                walk(&e, suffix, out);
            } else if e.to_string_lossy().ends_with(suffix) {
                out.push(e);
            }
        }
    }
    let mut out = Vec::new();
    walk(&test_support::shared_data(dir), suffix, &mut out);
    out
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
