//! [`Builder`]: how an engine is opened.

use std::path::PathBuf;
use std::time::Duration;

use pscheme_persist::{HeapStore, KdfParams};
use pscheme_vm::Vm;
use zeroize::Zeroizing;

use crate::engine::Engine;
use crate::error::Error;
use crate::output::{Output, OutputSink};
use crate::persist::ResumeInfo;

/// Options for opening an [`Engine`]. In memory unless [`Builder::store`] is given.
///
/// ```no_run
/// use std::time::Duration;
/// use pscheme_embed::{Engine, Output};
/// let engine = Engine::builder()
///     .store("app.pdb", "correct horse battery staple")
///     .commit_interval(Duration::from_millis(50))
///     .output(Output::Capture)
///     .open()?;
/// # Ok::<(), pscheme_embed::Error>(())
/// ```
pub struct Builder {
    store: Option<(PathBuf, Zeroizing<Vec<u8>>)>,
    kdf: KdfParams,
    commit_interval: Duration,
    unbuffered_output: bool,
    output: Output,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the passphrase.
        f.debug_struct("Builder")
            .field("store", &self.store.as_ref().map(|(path, _)| path))
            .field("kdf", &self.kdf)
            .field("commit_interval", &self.commit_interval)
            .field("unbuffered_output", &self.unbuffered_output)
            .field("output", &self.output)
            .finish()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            store: None,
            kdf: KdfParams::RECOMMENDED,
            commit_interval: Duration::from_millis(20),
            unbuffered_output: false,
            output: Output::Inherit,
        }
    }
}

impl Builder {
    /// Persist into the store file at `path` (created if missing), encrypted under a key
    /// derived from `passphrase`. The engine keeps the passphrase only while opening and
    /// wipes its copy (see `docs/security.md`).
    #[must_use]
    pub fn store(mut self, path: impl Into<PathBuf>, passphrase: impl AsRef<[u8]>) -> Builder {
        self.store = Some((path.into(), Zeroizing::new(passphrase.as_ref().to_vec())));
        self
    }

    /// The cost of deriving the key from the passphrase when a store is created
    /// ([`KdfParams::RECOMMENDED`] by default). An existing store keeps the cost it was
    /// created with.
    #[must_use]
    pub fn kdf(mut self, kdf: KdfParams) -> Builder {
        self.kdf = kdf;
        self
    }

    /// A wave is committed this long after the previous commit when anything changed
    /// (default 20 ms). `(sync)` and [`Engine::sync`] commit sooner.
    #[must_use]
    pub fn commit_interval(mut self, interval: Duration) -> Builder {
        self.commit_interval = interval;
        self
    }

    /// Where Scheme's output goes (default: this process's stdout and stderr).
    #[must_use]
    pub fn output(mut self, output: Output) -> Builder {
        self.output = output;
        self
    }

    /// Release output as soon as it is written instead of when the state that produced it is
    /// durable. A crash may then show output whose state was lost, and a resume repeat it.
    #[must_use]
    pub fn unbuffered_output(mut self, unbuffered: bool) -> Builder {
        self.unbuffered_output = unbuffered;
        self
    }

    /// Opens the engine: a fresh VM in memory; or the store, resuming the heap it holds (see
    /// [`Engine::resumed`]) or starting a fresh one.
    ///
    /// # Errors
    /// [`Error::Store`] if the store cannot be opened or read (a wrong passphrase is reported
    /// before anything is written); [`Error::Internal`] if the VM cannot start.
    pub fn open(self) -> Result<Engine, Error> {
        let output = OutputSink::new(self.output);
        let Some((path, passphrase)) = self.store else {
            let vm = Vm::new().map_err(|e| Error::Internal(e.to_string()))?;
            return Ok(Engine::from_vm(vm, output));
        };
        let store = HeapStore::open_or_create(&path, &passphrase, self.kdf)?;
        drop(passphrase);
        let (vm, resumed) = match store.load()? {
            Some(saved) => {
                let info = ResumeInfo {
                    txn_counter: saved.commit.txn_counter,
                    wave: saved.wave,
                };
                (saved.vm, Some(info))
            }
            None => {
                let mut vm = Vm::new().map_err(|e| Error::Internal(e.to_string()))?;
                vm.enable_durability();
                (vm, None)
            }
        };
        let mut engine = Engine::from_vm(vm, output);
        engine.resumed = resumed;
        engine.persist_to(
            store.into_writer(),
            self.commit_interval,
            self.unbuffered_output,
        );
        Ok(engine)
    }
}
