//! What commands print: a human table on stdout, or stable JSON with `--json`.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use std::io::Write;

/// Writes one block of output to stdout. A closed pipe (`meridian … | head`) ends the process
/// quietly and successfully, as for any Unix filter.
pub fn print(text: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout: {e}");
        std::process::exit(1);
    }
}

/// Prints `value` as pretty JSON.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    print(serde_json::to_string_pretty(value)?);
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
    print(t);
}

/// Summary lines go to stderr so stdout stays clean for pipes; `--quiet` silences them.
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        eprintln!("{message}");
    }
}

/// `println!` to stdout through [`print`] (quiet exit on a closed pipe).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::print(format_args!($($arg)*))
    };
}
