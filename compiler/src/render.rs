//! Renders a [`Diagnostic`] for a person:
//!
//! ```text
//! prog.scm:3:16: error: unterminated string
//!    3 | (display "hello)
//!      |          ^
//! help: expected a closing `"` for the string that starts here
//! ```

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{SourceFiles, Span};

/// Renders `diagnostic` with the location, the source line, a caret under the span and the help.
/// Diagnostics without a source location (synthetic spans) get the message and help only.
pub fn render(diagnostic: &Diagnostic, files: &SourceFiles) -> String {
    let mut out = String::new();
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let span = diagnostic.span;
    if span.is_synthetic() {
        let _ = writeln!(out, "{severity}: {}", diagnostic.message);
    } else {
        let _ = writeln!(
            out,
            "{}:{}:{}: {severity}: {}",
            files.name(span.file),
            span.line,
            span.col,
            diagnostic.message
        );
        if let Some(snippet) = snippet(files.text(span.file), span) {
            out.push_str(&snippet);
        }
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "help: {help}");
    }
    out
}

/// The source line of `span` with carets under the part of the span on that line, or `None` when
/// the span does not point into `text`.
fn snippet(text: &str, span: Span) -> Option<String> {
    let start = span.start as usize;
    if text.is_empty() || start > text.len() || !text.is_char_boundary(start) {
        return None;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let line = text[line_start..line_end].trim_end_matches('\r');
    // A span may start on the `\r` of a CRLF, past the end of the trimmed line.
    let end = (span.end as usize).clamp(start, (line_start + line.len()).max(start));
    let underlined = text.get(start..end).map_or(0, |s| s.chars().count()).max(1);
    let number = span.line.to_string();
    let gutter = " ".repeat(number.len());
    let mut out = String::new();
    let _ = writeln!(out, " {number} | {line}");
    // Keep tabs in the padding so the caret lines up under tab-indented code.
    let padding: String = text[line_start..start]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, " {gutter} | {padding}{}", "^".repeat(underlined));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn span_at(file: FileId, start: u32, end: u32, line: u32, col: u32) -> Span {
        Span {
            file,
            start,
            end,
            line,
            col,
        }
    }

    #[test]
    fn renders_location_line_caret_and_help() {
        let mut files = SourceFiles::new();
        let file = files.add("prog.scm", "(define x 1)\n(display \"hello)\n");
        let diagnostic = Diagnostic::error(span_at(file, 22, 23, 2, 10), "unterminated string")
            .with_help("expected a closing `\"`");
        assert_eq!(
            render(&diagnostic, &files),
            "prog.scm:2:10: error: unterminated string\n 2 | (display \"hello)\n   |          ^\nhelp: expected a closing `\"`\n"
        );
    }

    #[test]
    fn caret_spans_the_token_and_stops_at_the_line_end() {
        let mut files = SourceFiles::new();
        let file = files.add("a.scm", "(if a b c d)\n(next)");
        let diagnostic = Diagnostic::warning(span_at(file, 4, 20, 1, 5), "odd");
        assert_eq!(
            render(&diagnostic, &files),
            "a.scm:1:5: warning: odd\n 1 | (if a b c d)\n   |     ^^^^^^^^\n"
        );
    }

    #[test]
    fn synthetic_and_out_of_range_spans_render_without_a_snippet() {
        let mut files = SourceFiles::new();
        let file = files.add("a.scm", "x");
        assert_eq!(
            render(&Diagnostic::error(Span::SYNTHETIC, "boom"), &files),
            "error: boom\n"
        );
        let far = Diagnostic::error(span_at(file, 99, 100, 9, 9), "far");
        assert_eq!(render(&far, &files), "a.scm:9:9: error: far\n");
    }
}
