//! Embeds the Scheme prelude: every `stdlib/*.scm`, in file-name order, as `PRELUDE` in
//! `$OUT_DIR/prelude.rs`. A file added to `stdlib/` is picked up without editing the VM.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time, not with `env!`: a build-script binary reused from another checkout
    // must not embed that checkout's prelude.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("../stdlib");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "scm"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// The prelude files as `(name, text)`, in load order.\npub(crate) const PRELUDE: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("stdlib/{name}"),
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("prelude.rs"), out).expect("OUT_DIR is writable");
}
