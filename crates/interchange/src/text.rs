//! Small text helpers shared by the parsers and writers.

/// Maps byte offsets of one input to 1-based line numbers. Queries are cheapest in increasing
/// order (each byte is scanned once); a smaller offset restarts the count from the top.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    pub(crate) fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// 1-based (line, column) of a byte offset, the column counted in characters. For error
/// messages: it scans the input from the start.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    // Characters, not bytes: count the bytes that do not continue a UTF-8 sequence.
    let column = 1 + before[start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    (line, column)
}

/// Checks that the whole input is UTF-8, else an error message with the line of the first bad
/// byte. A leading byte order mark is dropped.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, (usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = LineCounter::new(bytes).line_at(e.valid_up_to());
        (line, "invalid UTF-8".to_owned())
    })
}

/// A list cell: `;`-separated, items trimmed, empty items dropped.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Joins list items with `;`, refusing items that [`split_list`] would not give back.
pub(crate) fn join_list(items: &[String], out: &mut String) -> Result<(), String> {
    for (i, item) in items.iter().enumerate() {
        if item.is_empty() || item.contains(';') || item.trim() != item {
            return Err(format!(
                "list item {item:?} is empty, contains ';' or has surrounding whitespace"
            ));
        }
        if i > 0 {
            out.push(';');
        }
        out.push_str(item);
    }
    Ok(())
}

/// A number cell; surrounding whitespace is allowed. Ranges are the model's business.
pub(crate) fn parse_number(text: &str) -> Result<f64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))
}

/// Writes a number with Rust's `{}`: the shortest digits that read back to the same `f64`.
pub(crate) fn push_number(value: f64, out: &mut String) {
    use std::fmt::Write;
    write!(out, "{value}").expect("writing to a String cannot fail");
}
