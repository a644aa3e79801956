//! Every file under `tests/malformed/` is a program the reader must reject; the rendered message
//! (location, source line, caret, help) is pinned by an insta snapshot.

use pscheme_compiler::reader::read;
use pscheme_compiler::render::render;
use pscheme_compiler::span::SourceFiles;

#[test]
fn malformed_programs_get_located_messages() {
    insta::glob!("malformed/*.scm", |path| {
        let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
        let name = format!("malformed/{}", path.file_name().unwrap().to_string_lossy());
        let mut files = SourceFiles::new();
        let file = files.add(name.clone(), text.clone());
        match read(&text, file) {
            Ok(datums) => panic!("{name} was read without error: {datums:?}"),
            Err(diagnostic) => insta::assert_snapshot!(render(&diagnostic, &files)),
        }
    });
}

#[test]
fn nesting_beyond_the_limit_is_an_error_at_the_deepest_opener() {
    use pscheme_compiler::reader::MAX_NESTING;
    let within = format!("{}{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert!(read(&within, Default::default()).is_ok());
    let beyond = format!(
        "{}{}",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    let error = read(&beyond, Default::default()).unwrap_err();
    assert_eq!(error.message, "datum nested too deeply");
    assert_eq!(error.span.start as usize, MAX_NESTING);
    let quotes = format!("{}x", "'".repeat(MAX_NESTING + 1));
    assert_eq!(
        read(&quotes, Default::default()).unwrap_err().message,
        "datum nested too deeply"
    );
    let comments = format!("{}x", "#;".repeat(MAX_NESTING + 1));
    assert_eq!(
        read(&comments, Default::default()).unwrap_err().message,
        "datum nested too deeply"
    );
}
