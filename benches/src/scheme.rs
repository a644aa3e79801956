//! The Scheme implementations a benchmark run compares, and how each one runs a program.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One column of the report.
#[derive(Debug, Clone)]
pub(crate) struct Scheme {
    /// The column title.
    pub(crate) name: &'static str,
    kind: Kind,
    binary: PathBuf,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `pscheme run`, in memory when the binary knows `--no-persist`.
    Pscheme {
        no_persist: bool,
    },
    /// Guile with auto-compilation into a cache of the benchmark's own: the warm-up run
    /// compiles, so timed runs load compiled code and exclude compilation.
    GuileCompiled {
        cache: PathBuf,
    },
    /// Guile's evaluator (`--no-auto-compile`), pointed at a cache that stays empty: Guile
    /// loads a fresh compiled file from its cache even without auto-compilation, so the
    /// default cache (filled by any earlier `guile PROGRAM`) would silently measure compiled
    /// code.
    GuileInterpreted {
        empty_cache: PathBuf,
    },
    Chibi,
}

impl Scheme {
    /// pscheme from the given binary.
    pub(crate) fn pscheme(binary: PathBuf) -> Self {
        let no_persist = Command::new(&binary)
            .args(["run", "--help"])
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("--no-persist"));
        Self {
            name: "pscheme",
            kind: Kind::Pscheme { no_persist },
            binary,
        }
    }

    /// Guile (compiled, then interpreted) and chibi-scheme, each when found on `PATH`.
    pub(crate) fn others(cache: &Path) -> (Vec<Self>, Vec<&'static str>) {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        match find_on_path("guile") {
            Some(binary) => {
                found.push(Self {
                    name: "guile",
                    kind: Kind::GuileCompiled {
                        cache: cache.join("guile"),
                    },
                    binary: binary.clone(),
                });
                found.push(Self {
                    name: "guile-interp",
                    kind: Kind::GuileInterpreted {
                        empty_cache: cache.join("guile-empty"),
                    },
                    binary,
                });
            }
            None => missing.push("guile"),
        }
        match find_on_path("chibi-scheme") {
            Some(binary) => found.push(Self {
                name: "chibi",
                kind: Kind::Chibi,
                binary,
            }),
            None => missing.push("chibi-scheme"),
        }
        (found, missing)
    }

    pub(crate) fn is_pscheme(&self) -> bool {
        matches!(self.kind, Kind::Pscheme { .. })
    }

    /// How this implementation was run, for the report.
    pub(crate) fn describe(&self) -> String {
        let binary = self.binary.display();
        match &self.kind {
            Kind::Pscheme { no_persist: true } => format!("{binary} run --no-persist PROGRAM"),
            Kind::Pscheme { no_persist: false } => format!("{binary} run PROGRAM"),
            Kind::GuileCompiled { cache } => format!(
                "{binary} PROGRAM, auto-compiled into {}; the untimed warm-up run compiles",
                cache.display()
            ),
            Kind::GuileInterpreted { empty_cache } => format!(
                "{binary} --no-auto-compile PROGRAM, with the empty cache {}",
                empty_cache.display()
            ),
            Kind::Chibi => format!("{binary} PROGRAM"),
        }
    }

    /// The command that runs `program` once.
    pub(crate) fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(&self.binary);
        match &self.kind {
            Kind::Pscheme { no_persist } => {
                command.arg("run");
                if *no_persist {
                    command.arg("--no-persist");
                }
            }
            Kind::GuileCompiled { cache } => {
                command
                    .env("GUILE_AUTO_COMPILE", "1")
                    .env("XDG_CACHE_HOME", cache);
            }
            Kind::GuileInterpreted { empty_cache } => {
                command
                    .arg("--no-auto-compile")
                    .env("XDG_CACHE_HOME", empty_cache);
            }
            Kind::Chibi => {}
        }
        command.arg(program);
        command
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
