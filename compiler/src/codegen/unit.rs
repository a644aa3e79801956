//! The unit-wide tables a code unit shares between its blocks: constant pool (deduplicated),
//! globals, source files, and the list of blocks, some reserved before their code exists.

use std::collections::HashMap;

use crate::bytecode::{Block, BlockIdx, ConstIdx, Constant, GlobalIdx, SourceLoc};
use crate::span::{FileId, SourceFiles, Span};

pub(crate) struct UnitBuilder<'f> {
    sources: &'f SourceFiles,
    files: Vec<String>,
    file_index: HashMap<FileId, u32>,
    pub(crate) constants: Vec<Constant>,
    /// Constants by their postcard encoding: exact, and NaN-safe unlike `PartialEq`.
    const_index: HashMap<Vec<u8>, u32>,
    /// Reused buffer for encoding a constant to look it up.
    key: Vec<u8>,
    pub(crate) globals: Vec<String>,
    global_index: HashMap<String, u32>,
    blocks: Vec<Option<Block>>,
}

impl<'f> UnitBuilder<'f> {
    pub(crate) fn new(sources: &'f SourceFiles) -> Self {
        UnitBuilder {
            sources,
            files: Vec::new(),
            file_index: HashMap::new(),
            constants: Vec::new(),
            const_index: HashMap::new(),
            key: Vec::new(),
            globals: Vec::new(),
            global_index: HashMap::new(),
            blocks: Vec::new(),
        }
    }

    pub(crate) fn constant(&mut self, c: &Constant) -> ConstIdx {
        self.key.clear();
        let key = postcard::to_extend(c, std::mem::take(&mut self.key))
            .expect("constants always serialize");
        self.key = key;
        if let Some(&i) = self.const_index.get(self.key.as_slice()) {
            return ConstIdx(i);
        }
        let key = self.key.clone();
        let i = index_u32(self.constants.len(), "constants");
        self.constants.push(c.clone());
        self.const_index.insert(key, i);
        ConstIdx(i)
    }

    pub(crate) fn global(&mut self, name: &str) -> GlobalIdx {
        if let Some(&i) = self.global_index.get(name) {
            return GlobalIdx(i);
        }
        let i = index_u32(self.globals.len(), "globals");
        self.globals.push(name.to_owned());
        self.global_index.insert(name.to_owned(), i);
        GlobalIdx(i)
    }

    pub(crate) fn loc(&mut self, span: Span) -> SourceLoc {
        if span.is_synthetic() {
            return SourceLoc {
                file: u32::MAX,
                line: 0,
                col: 0,
            };
        }
        let next = index_u32(self.files.len(), "files");
        let file = *self.file_index.entry(span.file).or_insert_with(|| {
            self.files.push(self.sources.name(span.file).to_owned());
            next
        });
        SourceLoc {
            file,
            line: span.line,
            col: span.col,
        }
    }

    /// A block index whose block is filled in later with [`UnitBuilder::set_block`].
    pub(crate) fn reserve(&mut self) -> BlockIdx {
        let i = index_u32(self.blocks.len(), "blocks");
        self.blocks.push(None);
        BlockIdx(i)
    }

    pub(crate) fn set_block(&mut self, idx: BlockIdx, block: Block) {
        self.blocks[idx.0 as usize] = Some(block);
    }

    /// `(files, globals, constants, blocks)`; every reserved block must have been set.
    pub(crate) fn finish(self) -> (Vec<String>, Vec<String>, Vec<Constant>, Vec<Block>) {
        let blocks = self
            .blocks
            .into_iter()
            .map(|b| b.expect("every reserved block is generated"))
            .collect();
        (self.files, self.globals, self.constants, blocks)
    }
}

fn index_u32(len: usize, what: &str) -> u32 {
    u32::try_from(len).unwrap_or_else(|_| panic!("a code unit holds fewer than 2^32 {what}"))
}
