//! The located import error and the export error.

use std::fmt;

/// One problem with the input, located as precisely as the format allows. Displays as
/// `assets.csv:14: country: "XX" is not an ISO 3166-1 alpha-2 country code (or ZZ)` (or
/// `atlas.graphml:14:7: …` with a column); the line, column and field parts are left out when
/// unknown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportError {
    pub file: String,
    /// 1-based physical line of the file.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line, where the format locates it (GraphML
    /// syntax and structure errors).
    pub column: Option<usize>,
    /// Column (CSV), key name (GraphML) or path (`assets[3].strength` in JSON,
    /// `objects[2].x_meridian_country` in STIX).
    pub field: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn new(
        file: &str,
        line: Option<usize>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> ImportError {
        ImportError {
            file: file.to_owned(),
            line,
            column: None,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The same error located at a column of its line too.
    pub fn at_column(mut self, column: usize) -> ImportError {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ImportError {}

/// Why an atlas could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A value the format cannot carry so that import gives it back unchanged.
    #[error("{record}: {field}: {message}")]
    Unrepresentable {
        record: String,
        field: String,
        message: String,
    },
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> ExportError {
        ExportError::Io(e.into())
    }
}
