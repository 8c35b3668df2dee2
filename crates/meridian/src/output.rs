//! What commands print: a human table on stdout, or stable JSON with `--json`.

use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Set once at startup from `--wide`: tables as wide as their content.
static WIDE: AtomicBool = AtomicBool::new(false);

/// The widest a table is drawn without `--wide` (narrower on a narrower terminal).
pub const TABLE_WIDTH: u16 = 100;

/// The longest single word a table keeps on one line (ids, numbers, dates).
const UNBROKEN_WIDTH: usize = 40;

/// True with `--wide`: commands add their wide columns.
pub fn wide() -> bool {
    WIDE.load(Ordering::Relaxed)
}

/// Lets every table be as wide as its content (`--wide`) instead of at most [`TABLE_WIDTH`]
/// columns.
pub fn set_wide(wide: bool) {
    WIDE.store(wide, Ordering::Relaxed);
}

/// A table with a header row; numbers are right-aligned by the caller's formatting. It fits
/// [`TABLE_WIDTH`] columns (or the terminal, when narrower) by wrapping its prose columns, unless
/// `--wide` was given; columns of short single words (ids, numbers) are never broken, so a table
/// of many ids can be wider.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    if wide() {
        t.set_content_arrangement(ContentArrangement::Disabled);
    } else {
        let terminal = t.width().unwrap_or(TABLE_WIDTH);
        t.set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(terminal.min(TABLE_WIDTH));
    }
    t.set_header(header.iter().copied());
    // A column whose cells are short single words (ids, numbers, dates) is never broken: an id
    // split over two lines cannot be copied. Prose and long strings (CPEs) wrap to fit.
    let mut unbreakable = vec![true; header.len()];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if (cell.contains(char::is_whitespace) || cell.chars().count() > UNBROKEN_WIDTH)
                && let Some(u) = unbreakable.get_mut(i)
            {
                *u = false;
            }
        }
        t.add_row(row);
    }
    for (i, unbreakable) in unbreakable.into_iter().enumerate() {
        if unbreakable && let Some(column) = t.column_mut(i) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    print(t);
}

/// Summary lines go to stderr so stdout stays clean for pipes; `--quiet` silences them.
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        eprintln!("{message}");
    }
}

/// Says on stderr how much of a list was printed: `50 of 1,083 assets shown; --limit for more`,
/// or `1,083 assets` when all were. `--quiet` silences it.
pub fn shown(quiet: bool, shown: usize, total: usize, what: &str, more: &str) {
    if shown < total {
        note(
            quiet,
            format!(
                "{} of {} {what} shown; {more}",
                thousands(shown),
                thousands(total)
            ),
        );
    } else {
        note(quiet, format!("{} {what}", thousands(total)));
    }
}

/// Prints the first `limit` of `rows` as a table, then [`shown`] with `--limit for more`.
pub fn limited_table<T>(
    quiet: bool,
    what: &str,
    header: &[&str],
    rows: &[T],
    limit: usize,
    row: impl Fn(&T) -> Vec<String>,
) {
    table(header, rows.iter().take(limit).map(row));
    shown(
        quiet,
        rows.len().min(limit),
        rows.len(),
        what,
        "--limit for more",
    );
}

/// An asset's country as every command shows it: `TW (foreign)`, `US (foreign-owned)` or `US`.
pub fn origin(country: &str, foreign: bool, foreign_owned: bool) -> String {
    match (foreign, foreign_owned) {
        (true, _) => format!("{country} (foreign)"),
        (false, true) => format!("{country} (foreign-owned)"),
        (false, false) => country.to_owned(),
    }
}

/// `1083` as `1,083`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `println!` to stdout through [`print`] (quiet exit on a closed pipe).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::print(format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1083), "1,083");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
