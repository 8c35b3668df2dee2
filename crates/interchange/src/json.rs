//! Meridian JSON: `{"assets": [...], "dependencies": [...]}` with exactly the model's fields
//! (serde). Each record is decoded on its own from the raw document, so errors carry the
//! record's JSON path and line and a bad record does not hide the next one.

use std::io::{BufWriter, Write};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use model::{Asset, Atlas, Dependency};

use crate::record::Record;
use crate::text::{LineCounter, utf8};
use crate::{ExportError, ImportError, Origin, Parsed, sorted};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document<'a> {
    #[serde(borrow, default)]
    assets: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    dependencies: Vec<&'a RawValue>,
}

/// A `serde_json` error's message without the " at line L column C" it appends when it knows
/// the position (which [`ImportError`] carries itself), and that line.
fn split_position(e: &serde_json::Error) -> (String, Option<usize>) {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(at) if e.line() > 0 => (message[..at].to_owned(), Some(e.line())),
        _ => (message, None),
    }
}

/// Converts a top-level `serde_json` error (syntax, wrong shape) into an import error.
pub(crate) fn document_error(file: &str, e: &serde_json::Error) -> ImportError {
    let (message, line) = split_position(e);
    ImportError::new(file, line, None, format!("malformed JSON: {message}"))
}

/// Where a raw value borrowed from `text` starts.
pub(crate) fn offset_in(text: &str, raw: &RawValue) -> usize {
    raw.get().as_ptr() as usize - text.as_ptr() as usize
}

/// Joins a record path (`assets[3]`) and a property below it (`strength`, `sectors[2]`).
pub(crate) fn join_path(record: &str, property: &str) -> String {
    match property {
        "" => record.to_owned(),
        p if p.starts_with('[') => format!("{record}{p}"),
        p => format!("{record}.{p}"),
    }
}

/// The records of one JSON-based file (Meridian JSON or STIX) and its errors so far.
pub(crate) struct Records<'a> {
    file: &'a str,
    origin_file: Arc<str>,
    parsed: Parsed,
    errors: Vec<ImportError>,
}

impl<'a> Records<'a> {
    pub(crate) fn new(file: &'a str) -> Records<'a> {
        Records {
            file,
            origin_file: file.into(),
            parsed: Parsed::default(),
            errors: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.errors.push(ImportError::new(
            self.file,
            Some(line),
            Some(field),
            message,
        ));
    }

    /// Decodes one record starting at `line`, validates it and keeps it, or reports its errors
    /// under `path` (`assets[3]`), each property name preceded by `prefix` (`x_meridian_`).
    /// Unknown properties are errors: a typo must not silently become a default.
    pub(crate) fn keep<'de, T, D>(&mut self, deserializer: D, line: usize, path: &str, prefix: &str)
    where
        T: Record + Deserialize<'de>,
        D: serde::Deserializer<'de, Error = serde_json::Error>,
    {
        let property = |name: &str| join_path(path, &format!("{prefix}{name}"));
        let mut unknown = Vec::new();
        let mut ignored = |p: serde_ignored::Path<'_>| unknown.push(p.to_string());
        let deserializer = serde_ignored::Deserializer::new(deserializer, &mut ignored);
        let record: T = match serde_path_to_error::deserialize(deserializer) {
            Ok(record) => record,
            Err(e) => {
                let (message, within) = split_position(e.inner());
                let name = e.path().to_string();
                let field = if name == "." {
                    path.to_owned()
                } else {
                    property(&name)
                };
                self.error(line + within.map_or(0, |l| l - 1), &field, message);
                return;
            }
        };
        if let Some(name) = unknown.first() {
            self.error(line, &property(name), "unknown field");
            return;
        }
        let invalid = record.validate();
        for e in &invalid {
            self.error(line, &property(e.field), e.message.clone());
        }
        if invalid.is_empty() {
            let origin = Origin {
                file: self.origin_file.clone(),
                line,
            };
            record.push_into(&mut self.parsed, origin);
        }
    }

    pub(crate) fn finish(self) -> Result<Parsed, Vec<ImportError>> {
        if self.errors.is_empty() {
            Ok(self.parsed)
        } else {
            Err(self.errors)
        }
    }
}

/// Parses Meridian JSON. Collects every error of the file.
pub fn parse_json(file: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    let text =
        utf8(bytes).map_err(|(line, m)| vec![ImportError::new(file, Some(line), None, m)])?;
    if !text
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with('{')
    {
        let message = "malformed JSON: expected an object with `assets` and `dependencies`";
        return Err(vec![ImportError::new(file, Some(1), None, message)]);
    }
    let document: Document =
        serde_json::from_str(text).map_err(|e| vec![document_error(file, &e)])?;
    let mut lines = LineCounter::new(text.as_bytes());
    let mut records = Records::new(file);
    for (i, raw) in document.assets.iter().enumerate() {
        let line = lines.line_at(offset_in(text, raw));
        let mut deserializer = serde_json::Deserializer::from_str(raw.get());
        records.keep::<Asset, _>(&mut deserializer, line, &format!("assets[{i}]"), "");
    }
    for (i, raw) in document.dependencies.iter().enumerate() {
        let line = lines.line_at(offset_in(text, raw));
        let mut deserializer = serde_json::Deserializer::from_str(raw.get());
        records.keep::<Dependency, _>(&mut deserializer, line, &format!("dependencies[{i}]"), "");
    }
    records.finish()
}

/// Writes Meridian JSON (pretty-printed, canonical order, every field present).
pub fn write_json_to<W: Write>(atlas: &Atlas, out: W) -> Result<(), ExportError> {
    #[derive(serde::Serialize)]
    struct View<'a> {
        assets: Vec<&'a Asset>,
        dependencies: Vec<&'a Dependency>,
    }
    let (assets, dependencies) = sorted(atlas);
    let mut out = BufWriter::new(out);
    serde_json::to_writer_pretty(
        &mut out,
        &View {
            assets,
            dependencies,
        },
    )?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
