//! Meridian JSON: `{"assets": [...], "dependencies": [...]}` with exactly the model's fields
//! (serde). Each record is decoded on its own from the raw document, so errors carry the
//! record's JSON path and line and a bad record does not hide the next one.

use std::io::{BufWriter, Write};
use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use model::{Atlas, FieldError};

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

/// A decoding failure inside one record: the path below the record (`strength`,
/// `sectors[2]`, empty for the record itself), the message, and the line within the record's
/// text when the decoder knows it.
pub(crate) struct DecodeError {
    pub path: String,
    pub message: String,
    pub line: Option<usize>,
}

/// Deserializes one record, reporting the failing field's path, and rejecting fields the type
/// does not know (a typo must not silently become a default).
pub(crate) fn decode<'de, T, D>(deserializer: D) -> Result<T, DecodeError>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    let mut unknown = Vec::new();
    let mut ignored = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
    let deserializer = serde_ignored::Deserializer::new(deserializer, &mut ignored);
    let value = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line = (inner.line() > 0).then_some(inner.line());
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) if line.is_some() => message[..at].to_owned(),
            _ => message,
        };
        DecodeError {
            path: if path == "." { String::new() } else { path },
            message,
            line,
        }
    })?;
    match unknown.into_iter().next() {
        Some(path) => Err(DecodeError {
            path,
            message: "unknown field".to_owned(),
            line: None,
        }),
        None => Ok(value),
    }
}

/// Joins a record path (`assets[3]`) and a field path below it (`strength`).
pub(crate) fn join_path(record: &str, field: &str) -> String {
    match field {
        "" => record.to_owned(),
        f if f.starts_with('[') => format!("{record}{f}"),
        f => format!("{record}.{f}"),
    }
}

/// Where a raw value borrowed from `text` starts.
pub(crate) fn offset_in(text: &str, raw: &RawValue) -> usize {
    raw.get().as_ptr() as usize - text.as_ptr() as usize
}

/// Converts a top-level `serde_json` error (syntax, wrong shape) into an import error.
pub(crate) fn document_error(file: &str, e: &serde_json::Error) -> ImportError {
    let line = (e.line() > 0).then_some(e.line());
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) if line.is_some() => &message[..at],
        _ => &message,
    };
    ImportError::new(file, line, None, format!("malformed JSON: {message}"))
}

/// Reports model validation errors of one record under its path.
pub(crate) fn field_errors(
    file: &str,
    line: usize,
    record: &str,
    prefix: &str,
    errors: Vec<FieldError>,
) -> impl Iterator<Item = ImportError> {
    errors.into_iter().map(move |e| {
        let field = join_path(record, &format!("{prefix}{}", e.field));
        ImportError::new(file, Some(line), Some(&field), e.message)
    })
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
    let mut reader = Reader {
        file,
        origin_file: file.into(),
        text,
        lines: LineCounter::new(text.as_bytes()),
        parsed: Parsed::default(),
        errors: Vec::new(),
    };
    reader.records::<model::Asset>("assets", &document.assets);
    reader.records::<model::Dependency>("dependencies", &document.dependencies);
    if reader.errors.is_empty() {
        Ok(reader.parsed)
    } else {
        Err(reader.errors)
    }
}

struct Reader<'a> {
    file: &'a str,
    origin_file: Arc<str>,
    text: &'a str,
    lines: LineCounter<'a>,
    parsed: Parsed,
    errors: Vec<ImportError>,
}

impl Reader<'_> {
    fn records<T: Record + DeserializeOwned>(&mut self, name: &str, raws: &[&RawValue]) {
        for (i, raw) in raws.iter().enumerate() {
            let line = self.lines.line_at(offset_in(self.text, raw));
            let record = format!("{name}[{i}]");
            match decode::<T, _>(&mut serde_json::Deserializer::from_str(raw.get())) {
                Ok(value) => {
                    let invalid = value.validate();
                    if invalid.is_empty() {
                        let origin = Origin {
                            file: self.origin_file.clone(),
                            line,
                        };
                        value.push_into(&mut self.parsed, origin);
                    } else {
                        self.errors
                            .extend(field_errors(self.file, line, &record, "", invalid));
                    }
                }
                Err(e) => self.errors.push(ImportError::new(
                    self.file,
                    Some(line + e.line.map_or(0, |l| l - 1)),
                    Some(&join_path(&record, &e.path)),
                    e.message,
                )),
            }
        }
    }
}

/// Writes Meridian JSON (pretty-printed, canonical order, every field present).
pub fn write_json_to<W: Write>(atlas: &Atlas, out: W) -> Result<(), ExportError> {
    #[derive(serde::Serialize)]
    struct View<'a> {
        assets: Vec<&'a model::Asset>,
        dependencies: Vec<&'a model::Dependency>,
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
