//! `assets.csv` and `dependencies.csv` (PRODUCT.md §1).
//!
//! The header is mapped to fields once; rows are read into one reused [`csv::ByteRecord`] and
//! each cell is checked for UTF-8 on its own, so a bad byte is reported with its line.

use std::collections::BTreeSet;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use model::{Asset, Atlas, Dependency};

use crate::record::{Record, check_attribute};
use crate::{ExportError, ImportError, Origin, Parsed, sorted, write_file};

/// Which of the two CSV files a header belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvKind {
    Assets,
    Dependencies,
}

impl CsvKind {
    /// `id` and `country` make an assets file, `dependent` and `provider` a dependencies file.
    /// A header with both pairs (one file's attribute named like the other's key column) is
    /// the kind whose key column comes first (exports put the key columns first). With neither
    /// pair, an `id` column still means assets and `dependent` or `provider` dependencies, so
    /// the missing column is then reported by name.
    pub fn of_header<'a>(columns: impl IntoIterator<Item = &'a str>) -> Option<CsvKind> {
        let columns: Vec<&str> = columns.into_iter().map(str::trim).collect();
        let position = |name: &str| columns.iter().position(|c| *c == name);
        let assets = position("id").zip(position("country")).map(|(i, _)| i);
        let dependencies = position("dependent")
            .zip(position("provider"))
            .map(|(d, p)| d.min(p));
        match (assets, dependencies) {
            (Some(a), Some(d)) if d < a => Some(CsvKind::Dependencies),
            (Some(_), _) => Some(CsvKind::Assets),
            (None, Some(_)) => Some(CsvKind::Dependencies),
            (None, None) if position("id").is_some() => Some(CsvKind::Assets),
            (None, None) if position("dependent").or(position("provider")).is_some() => {
                Some(CsvKind::Dependencies)
            }
            (None, None) => None,
        }
    }
}

/// Parses `assets.csv` or `dependencies.csv`, telling which from the header. Collects every
/// error of the file.
pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    let mut header = reader(bytes);
    let kind = match header.byte_headers() {
        Ok(h) => CsvKind::of_header(h.iter().filter_map(|c| std::str::from_utf8(c).ok())),
        Err(e) => return Err(vec![csv_error(file, &e)]),
    };
    // One record per line at most: reserving avoids regrowing vectors of millions of records.
    let rows = bytes.iter().filter(|&&b| b == b'\n').count();
    let mut parsed = Parsed::default();
    let errors = match kind {
        Some(CsvKind::Assets) => {
            collect(CsvReader::<Asset, _>::new(file, bytes)?, rows, &mut parsed)
        }
        Some(CsvKind::Dependencies) => collect(
            CsvReader::<Dependency, _>::new(file, bytes)?,
            rows,
            &mut parsed,
        ),
        None => vec![ImportError::new(
            file,
            Some(1),
            None,
            "header has neither an `id` column (assets) nor `dependent` and `provider` columns \
             (dependencies)",
        )],
    };
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

fn collect<T: Record, R: Read>(
    reader: CsvReader<T, R>,
    rows: usize,
    parsed: &mut Parsed,
) -> Vec<ImportError> {
    T::reserve(parsed, rows);
    let file = reader.file.clone();
    let mut errors = Vec::new();
    for row in reader {
        match row {
            Ok((record, line)) => record.push_into(
                parsed,
                Origin {
                    file: file.clone(),
                    line,
                },
            ),
            Err(e) => errors.extend(e),
        }
    }
    errors
}

fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new().flexible(true).from_reader(input)
}

fn csv_error(file: &str, e: &csv::Error) -> ImportError {
    let line = e.position().map(|p| p.line() as usize);
    ImportError::new(file, line, None, format!("malformed CSV: {e}"))
}

/// What a header position holds.
enum Column<F> {
    Known { field: F, name: &'static str },
    Attribute(String),
}

/// A streaming reader of one CSV file of assets (`T = Asset`) or dependencies
/// (`T = Dependency`): yields each row as a validated record with its line, or the row's
/// errors. Memory stays flat whatever the file size.
pub struct CsvReader<T: Record, R> {
    file: Arc<str>,
    reader: csv::Reader<R>,
    columns: Vec<Column<T::Field>>,
    row: csv::ByteRecord,
    done: bool,
}

impl<T: Record, R: Read> CsvReader<T, R> {
    /// Reads and checks the header: every name once, the required columns present.
    pub fn new(file: &str, input: R) -> Result<CsvReader<T, R>, Vec<ImportError>> {
        let mut reader = reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| vec![csv_error(file, &e)])?;
        let error = |message: String| ImportError::new(file, Some(1), None, message);
        let mut errors = Vec::new();
        let mut columns = Vec::with_capacity(header.len());
        let mut seen = BTreeSet::new();
        for (i, raw) in header.iter().enumerate() {
            let Ok(name) = std::str::from_utf8(raw) else {
                errors.push(error(format!("column {} name: invalid UTF-8", i + 1)));
                continue;
            };
            let name = name.trim();
            if name.is_empty() {
                errors.push(error(format!("column {} has no name", i + 1)));
            } else if !seen.insert(name) {
                errors.push(error(format!("duplicate column `{name}`")));
            }
            columns.push(match T::field_named(name) {
                Some(f) => Column::Known {
                    field: f.field,
                    name: f.name,
                },
                None => Column::Attribute(name.to_owned()),
            });
        }
        for required in T::REQUIRED {
            if !seen.contains(required) {
                errors.push(error(format!("missing required column `{required}`")));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CsvReader {
            file: file.into(),
            reader,
            columns,
            row: csv::ByteRecord::new(),
            done: false,
        })
    }

    fn decode(&self) -> Result<(T, usize), Vec<ImportError>> {
        let line = self.row.position().map_or(0, |p| p.line() as usize);
        let error = |field: Option<&str>, message: String| {
            ImportError::new(&self.file, Some(line), field, message)
        };
        if self.row.len() != self.columns.len() {
            return Err(vec![error(
                None,
                format!(
                    "expected {} fields, found {}",
                    self.columns.len(),
                    self.row.len()
                ),
            )]);
        }
        let mut record = T::default();
        let mut errors = Vec::new();
        for (column, raw) in self.columns.iter().zip(self.row.iter()) {
            if raw.is_empty() {
                continue;
            }
            let name = match column {
                Column::Known { name, .. } => name,
                Column::Attribute(name) => name.as_str(),
            };
            let Ok(text) = std::str::from_utf8(raw) else {
                errors.push(error(Some(name), "invalid UTF-8".to_owned()));
                continue;
            };
            match column {
                Column::Known { field, .. } => {
                    if let Err(message) = record.set(*field, text) {
                        errors.push(error(Some(name), message));
                    }
                }
                Column::Attribute(name) => {
                    record
                        .attributes_mut()
                        .insert(name.clone(), text.to_owned());
                }
            }
        }
        errors.extend(
            record
                .validate()
                .into_iter()
                .map(|e| error(Some(e.field), e.message)),
        );
        if errors.is_empty() {
            Ok((record, line))
        } else {
            Err(errors)
        }
    }
}

impl<T: Record, R: Read> Iterator for CsvReader<T, R> {
    type Item = Result<(T, usize), Vec<ImportError>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.row) {
            Ok(true) => Some(self.decode()),
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(vec![csv_error(&self.file, &e)]))
            }
        }
    }
}

/// Writes `assets.csv` and `dependencies.csv` into `dir` (which must exist) in canonical order
/// and returns their paths.
pub fn write_csv(atlas: &Atlas, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let (assets, dependencies) = sorted(atlas);
    Ok(vec![
        write_file(&dir.join("assets.csv"), |w| write_records(&assets, w))?,
        write_file(&dir.join("dependencies.csv"), |w| {
            write_records(&dependencies, w)
        })?,
    ])
}

/// Writes assets as `assets.csv` in the given order: the 13 spec columns, then `operator`,
/// `recovery_hours` and `tags` if some asset uses them, then attribute columns sorted by name.
pub fn write_assets_csv<W: Write>(assets: &[Asset], out: W) -> Result<(), ExportError> {
    write_records(&assets.iter().collect::<Vec<_>>(), out)
}

/// Writes dependencies as `dependencies.csv` in the given order: the 6 spec columns, then
/// attribute columns sorted by name.
pub fn write_dependencies_csv<W: Write>(
    dependencies: &[Dependency],
    out: W,
) -> Result<(), ExportError> {
    write_records(&dependencies.iter().collect::<Vec<_>>(), out)
}

fn write_records<T: Record, W: Write>(records: &[&T], out: W) -> Result<(), ExportError> {
    let unrepresentable = |record: &T, field: &str, message: String| ExportError::Unrepresentable {
        record: record.label(),
        field: field.to_owned(),
        message,
    };
    let mut cell = String::new();
    let mut used = |field: T::Field| {
        records.iter().any(|r| {
            cell.clear();
            r.get(field, &mut cell).is_err() || !cell.is_empty()
        })
    };
    let fields: Vec<_> = T::FIELDS
        .iter()
        .filter(|f| !f.only_when_used || used(f.field))
        .collect();
    let mut attributes = BTreeSet::new();
    for record in records {
        for (name, value) in record.attributes() {
            check_attribute::<T>(name, value)
                .map_err(|message| unrepresentable(record, name, message))?;
            attributes.insert(name.as_str());
        }
    }

    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    let header = fields
        .iter()
        .map(|f| f.name)
        .chain(attributes.iter().copied());
    writer.write_record(header).map_err(io::Error::from)?;
    for record in records {
        for f in &fields {
            cell.clear();
            record
                .get(f.field, &mut cell)
                .map_err(|m| unrepresentable(record, f.name, m))?;
            writer.write_field(&cell).map_err(io::Error::from)?;
        }
        for name in &attributes {
            let value = record.attributes().get(*name).map_or("", String::as_str);
            writer.write_field(value).map_err(io::Error::from)?;
        }
        writer
            .write_record(None::<&[u8]>)
            .map_err(io::Error::from)?;
    }
    writer.flush()?;
    Ok(())
}
