//! What commands print: a human table on stdout, or stable JSON with `--json`.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

/// Prints `value` as pretty JSON.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A table with a header row; numbers are right-aligned by the caller's formatting.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(header.iter().copied());
    for row in rows {
        t.add_row(row);
    }
    println!("{t}");
}

/// Summary lines go to stderr so stdout stays clean for pipes; `--quiet` silences them.
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        eprintln!("{message}");
    }
}
