//! A benchmark program and what it must print, read from its header.
//!
//! The header uses the format of the Scheme test corpus (`tests/scheme/README.md`):
//!
//! ```text
//! ;;; One line saying what the program exercises.
//! ;; pscheme only: why other Schemes cannot run it      (optional)
//! ;; --- expected stdout
//! ;; 832040
//! ;; --- end
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

const EXPECTED_START: &str = ";; --- expected stdout";
const EXPECTED_END: &str = ";; --- end";
const PSCHEME_ONLY: &str = ";; pscheme only:";

/// One program of the fixed set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Program {
    /// The file name without `.scm`.
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    /// The exact standard output a correct run prints.
    pub(crate) expected: String,
    /// Set when only pscheme can run the program, with the reason shown in the report.
    pub(crate) pscheme_only: Option<String>,
}

/// Why a program's header cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeaderError {
    MissingExpected,
    UnterminatedExpected,
    NotAComment { line: usize },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingExpected => write!(f, "no `{EXPECTED_START}` header"),
            Self::UnterminatedExpected => write!(f, "`{EXPECTED_START}` without `{EXPECTED_END}`"),
            Self::NotAComment { line } => {
                write!(
                    f,
                    "line {line} of the expected output does not start with `;;`"
                )
            }
        }
    }
}

/// What the header of `source` says: the expected output and the pscheme-only reason.
pub(crate) fn parse_header(source: &str) -> Result<(String, Option<String>), HeaderError> {
    let pscheme_only = source
        .lines()
        .find_map(|l| l.strip_prefix(PSCHEME_ONLY))
        .map(|reason| reason.trim().to_owned());
    let mut lines = source.lines().enumerate();
    lines
        .by_ref()
        .find(|(_, l)| l.trim_end() == EXPECTED_START)
        .ok_or(HeaderError::MissingExpected)?;
    let mut expected = String::new();
    for (index, line) in lines {
        if line.trim_end() == EXPECTED_END {
            return Ok((expected, pscheme_only));
        }
        let text = line
            .strip_prefix(";;")
            .ok_or(HeaderError::NotAComment { line: index + 1 })?;
        // ";; 42" holds "42"; a bare ";;" is an empty line.
        expected.push_str(text.strip_prefix(' ').unwrap_or(text));
        expected.push('\n');
    }
    Err(HeaderError::UnterminatedExpected)
}

/// Every `*.scm` in `dir`, sorted by name.
pub(crate) fn load_all(dir: &Path) -> Result<Vec<Program>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut programs = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.extension().is_none_or(|ext| ext != "scm") {
            continue;
        }
        let source =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (expected, pscheme_only) =
            parse_header(&source).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        programs.push(Program {
            name,
            path,
            expected,
            pscheme_only,
        });
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(programs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_gives_expected_lines_in_order() {
        let src =
            ";;; fib\n;; --- expected stdout\n;; 832040\n;;\n;;  x\n;; --- end\n(display 1)\n";
        assert_eq!(parse_header(src), Ok(("832040\n\n x\n".to_owned(), None)));
    }

    #[test]
    fn pscheme_only_reason_is_kept() {
        let src = ";; pscheme only: needs spawn\n;; --- expected stdout\n;; 1\n;; --- end\n";
        assert_eq!(
            parse_header(src),
            Ok(("1\n".to_owned(), Some("needs spawn".to_owned())))
        );
    }

    #[test]
    fn malformed_headers_are_errors() {
        assert_eq!(
            parse_header("(display 1)"),
            Err(HeaderError::MissingExpected)
        );
        assert_eq!(
            parse_header(";; --- expected stdout\n;; 1\n"),
            Err(HeaderError::UnterminatedExpected)
        );
        assert_eq!(
            parse_header(";; --- expected stdout\n1\n;; --- end\n"),
            Err(HeaderError::NotAComment { line: 2 })
        );
    }

    #[test]
    fn every_shipped_program_has_a_header() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
        let programs = load_all(&dir).expect("programs load");
        assert!(programs.len() >= 12, "the fixed set has shrunk");
        assert!(programs.iter().all(|p| !p.expected.is_empty()));
    }
}
