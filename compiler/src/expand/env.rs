//! Lexical environments: a tree of frames, each mapping identifiers to bindings.
//!
//! Frames live in an arena and are never freed during one expansion, so a macro can keep the
//! [`EnvId`] of the environment it was defined in. A body's frame is filled while the body is
//! scanned, which gives internal definitions their `letrec*` scope. The top level is not a frame:
//! it is [`TOP`], resolved by name in `Expander::resolve_top`.

use std::rc::Rc;

use crate::core::VarId;

use super::hash::FxHashMap;
use super::special::Special;
use super::syntax::IdentId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct EnvId(u32);

/// The top-level environment.
pub(crate) const TOP: EnvId = EnvId(0);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MacroId(pub(crate) u32);

/// What an identifier means. Two identifiers are `free-identifier=?` when their bindings are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    Var(VarId),
    Macro(MacroId),
    Special(Special),
    Global(Rc<str>),
}

/// Above this many bindings a frame also keeps a hash index (large bodies of internal defines).
const INDEX_THRESHOLD: usize = 12;

struct Frame {
    parent: EnvId,
    bindings: Vec<(IdentId, Binding)>,
    index: Option<FxHashMap<IdentId, usize>>,
}

pub(crate) struct Frames {
    frames: Vec<Frame>,
}

impl Frames {
    pub(crate) fn new() -> Self {
        // Slot 0 stands for TOP and never holds bindings.
        Frames {
            frames: vec![Frame {
                parent: TOP,
                bindings: Vec::new(),
                index: None,
            }],
        }
    }

    pub(crate) fn push(&mut self, parent: EnvId) -> EnvId {
        let id = EnvId(u32::try_from(self.frames.len()).expect("fewer than 2^32 frames"));
        self.frames.push(Frame {
            parent,
            bindings: Vec::new(),
            index: None,
        });
        id
    }

    /// Binds `ident` in frame `env` (a later binding of the same identifier in the same frame
    /// replaces the earlier one). Must not be called with [`TOP`].
    pub(crate) fn bind(&mut self, env: EnvId, ident: IdentId, binding: Binding) {
        debug_assert_ne!(env, TOP, "top-level bindings are kept by name");
        let frame = &mut self.frames[env.0 as usize];
        if let Some(pos) = frame.position(ident) {
            frame.bindings[pos].1 = binding;
            return;
        }
        frame.bindings.push((ident, binding));
        let len = frame.bindings.len();
        if let Some(index) = &mut frame.index {
            index.insert(ident, len - 1);
        } else if len > INDEX_THRESHOLD {
            frame.index = Some(
                frame
                    .bindings
                    .iter()
                    .enumerate()
                    .map(|(i, (id, _))| (*id, i))
                    .collect(),
            );
        }
    }

    /// Whether `ident` is bound directly in frame `env` (not in its parents).
    pub(crate) fn bound_here(&self, env: EnvId, ident: IdentId) -> bool {
        env != TOP && self.frames[env.0 as usize].position(ident).is_some()
    }

    /// The innermost binding of exactly `ident` between `env` and the top level (exclusive).
    pub(crate) fn lookup(&self, mut env: EnvId, ident: IdentId) -> Option<&Binding> {
        while env != TOP {
            let frame = &self.frames[env.0 as usize];
            if let Some(pos) = frame.position(ident) {
                return Some(&frame.bindings[pos].1);
            }
            env = frame.parent;
        }
        None
    }
}

impl Frame {
    fn position(&self, ident: IdentId) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(&ident).copied(),
            None => self.bindings.iter().rposition(|(id, _)| *id == ident),
        }
    }
}
