//! What can be wrong with a TNTP file, each naming the file and, where there is one,
//! the line and the field.

/// A problem reading a TNTP file.
#[derive(Debug, thiserror::Error)]
pub enum TntpError {
    /// The file could not be read, or is not valid gzip data.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file (or what it decompresses to) is larger than [`crate::MAX_FILE_BYTES`].
    #[error("{file}: more than {max} bytes (decompressed); a TNTP file may have at most that")]
    TooLarge { file: String, max: u64 },
    /// No file of the kind in a folder.
    #[error("{dir}: no file matching *{suffix}.tntp or *{suffix}.tntp.gz")]
    Missing { dir: String, suffix: String },
    /// A value that is not a number, or not in its range.
    #[error("{file}:{line}: {field} is `{value}`; expected {expected}")]
    Field {
        file: String,
        line: usize,
        /// The field, e.g. `capacity (field 3)` or `<NUMBER OF NODES>`.
        field: String,
        /// The text found, shortened and escaped.
        value: String,
        expected: String,
    },
    /// A count in the header that the file does not match (a truncated or padded file).
    #[error("{file}:{line}: {what}: the header says {declared}, the file has {found}")]
    Count {
        file: String,
        /// The line of the header entry.
        line: usize,
        what: String,
        declared: String,
        found: String,
    },
    /// A line that does not have the shape of its kind, or a missing header entry.
    #[error("{file}:{line}: {message}")]
    Format {
        file: String,
        line: usize,
        message: String,
    },
    /// A setting given with the instance (not read from a file) is out of its range.
    #[error("{name} is {value}; expected {expected}")]
    Setting {
        name: &'static str,
        value: f64,
        expected: String,
    },
}

impl TntpError {
    /// The file (or folder) the problem is in; `None` for a setting.
    pub fn file(&self) -> Option<&str> {
        match self {
            TntpError::Io { file, .. }
            | TntpError::TooLarge { file, .. }
            | TntpError::Field { file, .. }
            | TntpError::Count { file, .. }
            | TntpError::Format { file, .. } => Some(file),
            TntpError::Missing { dir, .. } => Some(dir),
            TntpError::Setting { .. } => None,
        }
    }

    /// The 1-based line the problem is on, when it is on one.
    pub fn line(&self) -> Option<usize> {
        match self {
            TntpError::Field { line, .. }
            | TntpError::Count { line, .. }
            | TntpError::Format { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// A token as it may be shown in a message: at most 40 characters, escaped.
pub(crate) fn shown(token: &str) -> String {
    let mut s: String = token.chars().take(40).collect();
    if s.len() < token.len() {
        s.push('…');
    }
    s.escape_debug().to_string()
}
