//! The `pscheme` command: `pscheme run program.scm` compiles a program and runs all its
//! processes; `pscheme disasm program.scm` prints the compiled bytecode; `pscheme repl` is an
//! interactive session (`repl/`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pscheme_vm::Vm;
use pscheme_vm::run::{EXIT_FAILURE, EXIT_INTERNAL};

mod passphrase;
mod persistence;
mod repl;

/// mimalloc rather than glibc's malloc: the VM allocates and frees small objects at a high
/// rate, and with persistence on the writer thread frees the encoded bytes of every object
/// the VM thread allocated, which glibc pays for in consolidation, arena growth and
/// cross-thread frees. Version 2 without transparent huge pages: with them, or with
/// version 3, small programs kept up to twice the resident memory of glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_destroy_on_exit` (`include/mimalloc.h` of mimalloc 2; the Rust bindings
/// name no constant for it). At 2 and above, mimalloc's exit handler does nothing.
const MI_OPTION_DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;

/// Skips mimalloc's work at process exit: it collects every heap, takes back the pages of
/// threads that ended (the writer's) and returns memory to the system one range at a time,
/// 15-35 ms after a run that persisted a large heap, all of which the system's reclaiming
/// of the address space does anyway. Must run before any other thread starts.
#[allow(
    unsafe_code,
    reason = "the one option mimalloc offers only through its C API"
)]
fn skip_allocator_cleanup_at_exit() {
    // SAFETY: `mi_option_set` takes any option number and value; it is not thread-safe,
    // and no other thread exists yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_DESTROY_ON_EXIT, 2) };
}

#[derive(Parser)]
#[command(name = "pscheme", version, about = "A persistent Scheme")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile and run a program until all its processes are done or blocked forever.
    Run {
        /// The program's source file.
        program: PathBuf,
        #[command(flatten)]
        options: persistence::RunOptions,
    },
    /// Check a store's integrity and print the report (exit status 1 if damaged).
    Fsck(persistence::StoreOptions),
    /// Show a store's transaction counter, time, object and process counts and size.
    Info(persistence::StoreOptions),
    /// Print the bytecode the compiler makes of a program.
    Disasm {
        /// The program's source file.
        program: PathBuf,
    },
    /// An interactive session: definitions, data and processes live in the VM between inputs.
    Repl(repl::Options),
}

fn main() -> ExitCode {
    skip_allocator_cleanup_at_exit();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run { program, options } => persistence::run(&program, &options),
        Command::Fsck(options) => persistence::fsck(&options),
        Command::Info(options) => persistence::info(&options),
        Command::Disasm { program } => disasm(&program),
        Command::Repl(options) => repl::main(&options),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Reads the program and creates a VM, or explains why not and gives the exit status.
fn prepare(path: &Path) -> Result<(Vm, String, String), i32> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("pscheme: cannot read {}: {e}", path.display());
        EXIT_INTERNAL
    })?;
    let vm = Vm::new().map_err(|e| {
        eprintln!("pscheme: internal error: {e}");
        EXIT_INTERNAL
    })?;
    Ok((vm, text, path.display().to_string()))
}

fn disasm(path: &Path) -> i32 {
    let (mut vm, text, name) = match prepare(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match vm.compile(&text, &name) {
        Ok(compiled) => {
            eprint!("{}", vm.render_warnings(&compiled));
            print!("{}", pscheme_compiler::disasm::disassemble(&compiled.unit));
            0
        }
        Err(e) => {
            eprint!("{e}");
            EXIT_FAILURE
        }
    }
}
