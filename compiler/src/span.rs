//! Source positions. Every datum, core expression and instruction carries one, so that errors at
//! any stage (reading, expanding, running) can name `file:line:col`.

use serde::{Deserialize, Serialize};

/// Index of a source file in a [`SourceFiles`] registry (or in a code unit's file table).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct FileId(pub u32);

/// A range of source text. `line` and `col` are 1-based and describe `start`; `col` counts
/// characters, not bytes. Offsets are byte offsets into the file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
}

impl Span {
    /// A span for code that has no source (built-in expansions, tests).
    pub const SYNTHETIC: Span = Span {
        file: FileId(u32::MAX),
        start: 0,
        end: 0,
        line: 0,
        col: 0,
    };

    pub fn is_synthetic(&self) -> bool {
        self.file == FileId(u32::MAX)
    }
}

/// The files a compilation has seen: their names (as shown in messages) and text (for carets).
#[derive(Clone, Debug, Default)]
pub struct SourceFiles {
    files: Vec<(String, String)>,
}

impl SourceFiles {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 source files"));
        self.files.push((name.into(), text.into()));
        id
    }

    pub fn name(&self, id: FileId) -> &str {
        self.files
            .get(id.0 as usize)
            .map_or("<unknown>", |f| f.0.as_str())
    }

    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map_or("", |f| f.1.as_str())
    }
}
