//! Primitives for vectors. Owned by the library helper.

use crate::prim::Registry;

pub(crate) fn register(_registry: &mut Registry) {}
