//! Atlas import and export formats: CSV, JSON, GraphML, STIX 2.1 (PRODUCT.md §1).
//!
//! Bytes in, a typed [`model::Atlas`] plus located [`ImportError`]s out; atlas in, bytes out.
//! The only file system access is in [`read_files`] and the directory writers ([`export`],
//! [`write_csv`], [`write_json`], ...); everything else takes bytes or a writer.
//!
//! Import is two steps, so that a caller can import many files in one transaction:
//! 1. [`parse`] each file (format detected by [`Format::detect`]) into a [`Parsed`] batch, or use
//!    [`read_files`], which reads, parses and [merges](Parsed::merge) several files. Every parser
//!    reports all the errors of a file, each with file, line and field, and checks each record
//!    with [`model::validate_asset`] / [`model::validate_dependency`].
//! 2. [`check_batch`] the merged batch against itself and the stored atlas: duplicate ids,
//!    duplicate dependencies, unknown dependent/provider ids.
//!
//! Export writes the canonical order of [`model::Atlas::sort`] without changing the atlas. For
//! every format, export then import gives back the same (sorted) atlas; values a format cannot
//! carry (a `;` inside a CSV list item, a control character in XML) are an [`ExportError`].

mod batch;
mod compact;
mod csv_format;
mod error;
mod graphml;
mod json;
mod record;
mod stix;
mod text;

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use model::{Asset, Atlas, Dependency};

pub use batch::check_batch;
pub use compact::read_compact;
pub use csv_format::{
    CsvKind, CsvReader, parse_csv, write_assets_csv, write_csv, write_dependencies_csv,
};
pub use error::{ExportError, ImportError};
pub use graphml::{parse_graphml, write_graphml_to};
pub use json::{parse_json, write_json_to};
pub use record::Record;
pub use stix::{infrastructure_id, parse_stix, write_stix_to};

/// The file formats of PRODUCT.md §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `assets.csv` or `dependencies.csv`; which one is told by the header ([`CsvKind`]).
    Csv,
    /// Meridian JSON: `{"assets": [...], "dependencies": [...]}` with the model's fields.
    Json,
    GraphMl,
    /// A STIX 2.1 bundle of `infrastructure` and `depends-on` `relationship` objects.
    Stix,
}

impl Format {
    /// Detects the format from the file name's extension, sniffing `.json` files (a STIX bundle
    /// has `"type": "bundle"`) and, for unknown extensions, the first byte of the content.
    pub fn detect(file_name: &str, bytes: &[u8]) -> Option<Format> {
        let extension = Path::new(file_name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Some(Format::Csv),
            Some("graphml" | "xml") => Some(Format::GraphMl),
            Some("stix") => Some(Format::Stix),
            Some("json") => Some(sniff_json(bytes)),
            _ => {
                let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                match content.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'<') => Some(Format::GraphMl),
                    Some(b'{') => Some(sniff_json(bytes)),
                    _ => None,
                }
            }
        }
    }

    /// The file name [`export`] writes for this format (CSV writes two files).
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "assets.csv",
            Format::Json => "atlas.json",
            Format::GraphMl => "atlas.graphml",
            Format::Stix => "atlas.stix.json",
        }
    }
}

/// `Stix` when the document's top-level `type` is `bundle`, else `Json`. Malformed JSON is a
/// bundle when `"type": "bundle"` appears near the start, so that the right parser reports the
/// syntax error.
fn sniff_json(bytes: &[u8]) -> Format {
    #[derive(serde::Deserialize)]
    struct Sniff {
        #[serde(rename = "type")]
        ty: Option<String>,
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bundle = match serde_json::from_slice::<Sniff>(bytes) {
        Ok(Sniff { ty }) => ty.as_deref() == Some("bundle"),
        Err(_) => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
            head.match_indices("\"type\"").any(|(at, key)| {
                let rest = head[at + key.len()..].trim_start();
                rest.strip_prefix(':')
                    .is_some_and(|v| v.trim_start().starts_with("\"bundle\""))
            })
        }
    };
    if bundle { Format::Stix } else { Format::Json }
}

/// Where a record came from: file name and 1-based line (for JSON and STIX the line where the
/// record's object starts, for GraphML the line of its `<node>`/`<edge>`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Shared by all records of one file.
    pub file: Arc<str>,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A parsed batch: the records of one or more files, with where each came from.
/// `asset_origin[i]` is the origin of `atlas.assets[i]`, likewise for dependencies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub atlas: Atlas,
    pub asset_origin: Vec<Origin>,
    pub dependency_origin: Vec<Origin>,
}

impl Parsed {
    pub fn push_asset(&mut self, asset: Asset, origin: Origin) {
        self.atlas.assets.push(asset);
        self.asset_origin.push(origin);
    }

    pub fn push_dependency(&mut self, dependency: Dependency, origin: Origin) {
        self.atlas.dependencies.push(dependency);
        self.dependency_origin.push(origin);
    }

    /// Appends another file's records (one import call takes many files).
    pub fn merge(&mut self, other: Parsed) {
        self.atlas.assets.extend(other.atlas.assets);
        self.atlas.dependencies.extend(other.atlas.dependencies);
        self.asset_origin.extend(other.asset_origin);
        self.dependency_origin.extend(other.dependency_origin);
    }
}

/// Parses one file of any format; `file` names it in errors and origins and, with the content,
/// decides the format ([`Format::detect`]).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    match Format::detect(file, bytes) {
        Some(format) => parse_as(format, file, bytes),
        None => Err(vec![ImportError::new(
            file,
            None,
            None,
            "unknown format: expected a .csv, .json, .graphml or .xml file",
        )]),
    }
}

/// Parses one file in a known format.
pub fn parse_as(format: Format, file: &str, bytes: &[u8]) -> Result<Parsed, Vec<ImportError>> {
    match format {
        Format::Csv => parse_csv(file, bytes),
        Format::Json => parse_json(file, bytes),
        Format::GraphMl => parse_graphml(file, bytes),
        Format::Stix => parse_stix(file, bytes),
    }
}

/// The default of the largest file [`read_files`] reads: 2 GiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 << 30;

/// Reads a whole file of at most `max_bytes` bytes. A larger file is refused before anything
/// is read (by its length, and by stopping one byte past the limit for files whose length is
/// not known in advance, such as pipes), with a message naming the size and the limit.
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let too_large = |size: &str| {
        format!(
            "the file is {size}, larger than the limit of {max_bytes} bytes \
             (raise it with --max-file-size or MERIDIAN_MAX_FILE_SIZE)"
        )
    };
    let file = fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    if length > max_bytes {
        return Err(too_large(&format!("{length} bytes")));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(&format!("more than {max_bytes} bytes")));
    }
    Ok(bytes)
}

/// Reads and parses every file and merges them into one batch, in the order given. Errors of
/// all files are reported together. Files are named in errors as the path was given. The
/// caller still runs [`check_batch`] on the result. Files larger than
/// [`DEFAULT_MAX_FILE_SIZE`] are refused; [`read_files_limited`] sets another limit.
pub fn read_files<P: AsRef<Path>>(
    paths: impl IntoIterator<Item = P>,
) -> Result<Parsed, Vec<ImportError>> {
    read_files_limited(paths, DEFAULT_MAX_FILE_SIZE)
}

/// [`read_files`] refusing any file larger than `max_bytes` ([`read_limited`]) before
/// reading it.
pub fn read_files_limited<P: AsRef<Path>>(
    paths: impl IntoIterator<Item = P>,
    max_bytes: u64,
) -> Result<Parsed, Vec<ImportError>> {
    let mut batch = Parsed::default();
    let mut errors = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let name = path.display().to_string();
        match read_limited(path, max_bytes) {
            Ok(bytes) => match parse(&name, &bytes) {
                Ok(parsed) => batch.merge(parsed),
                Err(e) => errors.extend(e),
            },
            Err(message) => errors.push(ImportError::new(&name, None, None, message)),
        }
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        Err(errors)
    }
}

/// Writes the atlas into `dir` (which must exist) in one format and returns the files written:
/// CSV writes `assets.csv` and `dependencies.csv`, the others one file named by
/// [`Format::file_name`]. The `write_*_to` functions write to any [`Write`].
pub fn export(atlas: &Atlas, format: Format, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    match format {
        Format::Csv => write_csv(atlas, dir),
        Format::Json => write_json(atlas, dir),
        Format::GraphMl => write_graphml(atlas, dir),
        Format::Stix => write_stix(atlas, dir),
    }
}

/// Writes `dir/atlas.json` ([`write_json_to`]) and returns its path.
pub fn write_json(atlas: &Atlas, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    Ok(vec![write_file(
        &dir.join(Format::Json.file_name()),
        |w| write_json_to(atlas, w),
    )?])
}

/// Writes `dir/atlas.graphml` ([`write_graphml_to`]) and returns its path.
pub fn write_graphml(atlas: &Atlas, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    Ok(vec![write_file(
        &dir.join(Format::GraphMl.file_name()),
        |w| write_graphml_to(atlas, w),
    )?])
}

/// Writes `dir/atlas.stix.json` ([`write_stix_to`]) and returns its path.
pub fn write_stix(atlas: &Atlas, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    Ok(vec![write_file(
        &dir.join(Format::Stix.file_name()),
        |w| write_stix_to(atlas, w),
    )?])
}

fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> Result<(), ExportError>,
) -> Result<PathBuf, ExportError> {
    let mut out = BufWriter::new(fs::File::create(path)?);
    write(&mut out)?;
    out.flush()?;
    Ok(path.to_owned())
}

/// Assets sorted by id and dependencies by (dependent, provider), as [`Atlas::sort`] orders
/// them (both stable), without cloning the records.
fn sorted(atlas: &Atlas) -> (Vec<&Asset>, Vec<&Dependency>) {
    let mut assets: Vec<&Asset> = atlas.assets.iter().collect();
    assets.sort_by(|a, b| a.id.cmp(&b.id));
    let mut dependencies: Vec<&Dependency> = atlas.dependencies.iter().collect();
    dependencies.sort_by(|a, b| (&a.dependent, &a.provider).cmp(&(&b.dependent, &b.provider)));
    (assets, dependencies)
}

#[cfg(test)]
mod tests;
