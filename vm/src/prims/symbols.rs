//! Primitives for symbols. Owned by the library helper.

use crate::prim::Registry;

pub(crate) fn register(_registry: &mut Registry) {}
