//! Compiling source text for this VM: the compiler's driver with the VM's expansion environment
//! (macros and globals of the units loaded so far) and source registry (for diagnostics).

use pscheme_compiler::diagnostic::Severity;
use pscheme_compiler::driver::{self, Compiled};
use pscheme_compiler::render::render;

use crate::value::ObjId;
use crate::{RunError, Vm};

impl Vm {
    /// Compiles `text` (named `file_name` in messages). Warnings are rendered into the result;
    /// errors make it fail with every diagnostic rendered.
    ///
    /// # Errors
    /// [`RunError::Compile`] with the rendered diagnostics.
    pub fn compile(&mut self, text: &str, file_name: &str) -> Result<Compiled, RunError> {
        let heap = &self.heap;
        let builtins = |name: &str| heap.global_named(name).is_some();
        driver::compile_source(
            text,
            file_name,
            &mut self.expand_env,
            &mut self.files,
            &builtins,
        )
        .map_err(|diagnostics| {
            let text: String = diagnostics.iter().map(|d| render(d, &self.files)).collect();
            RunError::Compile(text)
        })
    }

    /// Rendered text of the warnings of a compilation.
    pub fn render_warnings(&self, compiled: &Compiled) -> String {
        compiled
            .warnings
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| render(d, &self.files))
            .collect()
    }

    /// Compiles and loads `text`, and starts a process running it. The process is pinned (it
    /// stays inspectable after it ends); [`Vm::unpin`] it when done.
    ///
    /// # Errors
    /// If it does not compile or load.
    pub fn start(&mut self, text: &str, file_name: &str) -> Result<ObjId, RunError> {
        let compiled = self.compile(text, file_name)?;
        let main = self.load(compiled.unit)?;
        let pid = self.spawn(main);
        self.pin(pid);
        Ok(pid)
    }
}
