//! Boot: compiles and runs the Scheme prelude (`stdlib/*.scm`, embedded at build time by
//! `build.rs`) when the VM is created.

use crate::sched::Idle;
use crate::{RunError, Vm};

include!(concat!(env!("OUT_DIR"), "/prelude.rs"));

/// Prelude file names start with this (see `build.rs`); error reports prefer user locations.
pub(crate) const PRELUDE_PREFIX: &str = "stdlib/";

/// Compiles and runs the prelude files in order; any error is a bug in `stdlib/`.
pub(crate) fn load_prelude(vm: &mut Vm) -> Result<(), RunError> {
    for (name, text) in PRELUDE {
        let pid = vm.start(text, name)?;
        let idle = vm.run_to_completion();
        vm.unpin(pid);
        if let Some(report) = vm.take_reports().into_iter().next() {
            return Err(RunError::Prelude(format!("{name}: {report}")));
        }
        if idle != Idle::AllDone {
            return Err(RunError::Prelude(format!(
                "{name}: did not finish ({idle:?})"
            )));
        }
    }
    // Number the program's processes from 1: the prelude's are an implementation detail.
    if let crate::Object::Scheduler(s) = vm.heap.get_mut(vm.scheduler) {
        s.next_number = 0;
    }
    Ok(())
}
