//! When an input is complete, and tab completion of global names. Pure functions over text,
//! used by the line editor's helper (`editor.rs`) and tested here.

use pscheme_compiler::reader::input_is_complete;

use super::command::is_command;

/// True when `text` is a whole input: a command line, blank, or Scheme whose lists, strings
/// and comments are all closed. An error more text cannot fix (a stray `)`) is complete, so it
/// gets reported instead of waiting forever.
pub(crate) fn is_complete(text: &str) -> bool {
    is_command(text) || text.trim().is_empty() || input_is_complete(text)
}

/// Collects lines until they make a complete input (for terminals the line editor cannot
/// drive, where each line arrives on its own).
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    text: String,
}

impl Accumulator {
    /// True when no line of an unfinished input is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Adds a line; returns the whole input once it is complete.
    pub(crate) fn push_line(&mut self, line: &str) -> Option<String> {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
        is_complete(&self.text).then(|| std::mem::take(&mut self.text))
    }

    /// Drops an unfinished input (Ctrl-C).
    pub(crate) fn clear(&mut self) {
        self.text.clear();
    }
}

/// Characters that end an identifier: whitespace, parentheses, quotes, string and comment
/// starts. Everything else (`-`, `!`, `?`, `*`, `%`, `->`, ...) can be part of a Scheme name.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')' | '[' | ']' | '\'' | '`' | ',' | '@' | '"' | ';' | '#' | '|'
        )
}

/// The byte offset where the identifier under the cursor starts (`pos` is a byte offset).
pub(crate) fn word_start(line: &str, pos: usize) -> usize {
    let pos = pos.min(line.len());
    let before = line.get(..pos).unwrap_or(line);
    before
        .char_indices()
        .rev()
        .find(|&(_, c)| is_delimiter(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The names in `names` (sorted) that start with `prefix`, in order. An empty prefix offers
/// nothing: listing every global on a Tab in an empty line helps nobody.
pub(crate) fn candidates<'n>(names: &'n [String], prefix: &str) -> Vec<&'n str> {
    if prefix.is_empty() {
        return Vec::new();
    }
    let first = names.partition_point(|n| n.as_str() < prefix);
    names[first..]
        .iter()
        .take_while(|n| n.starts_with(prefix))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_text_and_commands_are_complete() {
        assert!(is_complete("(+ 1 2)"));
        assert!(is_complete("42"));
        assert!(is_complete(",ps"));
        assert!(is_complete("   "));
        assert!(is_complete("(define (f x)\n  (* x 2))"));
        assert!(is_complete(")"));
    }

    #[test]
    fn open_lists_strings_and_comments_are_not() {
        assert!(!is_complete("(define (f x)"));
        assert!(!is_complete("(display \"a (b"));
        assert!(!is_complete("#| comment"));
        assert!(!is_complete("'"));
        assert!(!is_complete("(f #;"));
        assert!(is_complete("(display \"a (b\")"));
        assert!(is_complete("; (not code"));
    }

    #[test]
    fn accumulator_joins_lines_until_complete() {
        let mut acc = Accumulator::default();
        assert_eq!(acc.push_line("(define (f x)"), None);
        assert!(!acc.is_empty());
        assert_eq!(acc.push_line("  (* x"), None);
        assert_eq!(
            acc.push_line("  2))").as_deref(),
            Some("(define (f x)\n  (* x\n  2))")
        );
        assert!(acc.is_empty());
        assert_eq!(acc.push_line("(car").as_deref(), None);
        acc.clear();
        assert_eq!(acc.push_line("1").as_deref(), Some("1"));
    }

    #[test]
    fn word_start_stops_at_delimiters() {
        assert_eq!(word_start("(vector-ref v", 13), 12);
        assert_eq!(word_start("(vector-r", 9), 1);
        assert_eq!(word_start("call/c", 6), 0);
        assert_eq!(word_start("'(a b", 5), 4);
        assert_eq!(word_start("(f ", 3), 3);
        assert_eq!(word_start("(λx", "(λx".len()), 1);
        assert_eq!(word_start("(string->sym", 12), 1);
        assert_eq!(word_start("(a", 99), 1);
    }

    #[test]
    fn candidates_are_the_names_with_the_prefix() {
        let names: Vec<String> = ["car", "cdr", "char?", "vector", "vector-ref", "vector-set!"]
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(candidates(&names, "vector-"), ["vector-ref", "vector-set!"]);
        assert_eq!(candidates(&names, "c"), ["car", "cdr", "char?"]);
        assert_eq!(candidates(&names, "ch"), ["char?"]);
        assert!(candidates(&names, "zz").is_empty());
        assert!(candidates(&names, "").is_empty());
    }
}
