//! The CPS bytecode: the contract between the compiler and the VM. `docs/bytecode.md` describes it
//! for people; this file is the definition.
//!
//! # Model
//! Every call is a tail call. A non-tail call in the source becomes: allocate a *continuation*
//! (a closure over a [`BlockKind::Continuation`] block, capturing the live variables and the outer
//! continuation), then tail-call the procedure, passing that continuation. A process is therefore
//! fully described, between any two instructions, by its running closure, its pc and its register
//! file: there is no hidden stack, and a continuation is ordinary heap data.
//!
//! # Calling convention
//! - A [`BlockKind::Lambda`] block starts with `r0` = its continuation, `r1..=rN` = the N required
//!   arguments, and, if `arity.rest`, `r(N+1)` = a fresh list of the remaining arguments. Every
//!   other register starts out unspecified.
//! - A [`BlockKind::Continuation`] block starts with `r0..rN-1` = the values returned to it (and
//!   `rN` = the list of further values if `arity.rest`). Ordinary continuations take exactly one
//!   value.
//! - Captured variables of the running closure or continuation are read with [`Instr::Free`].
//!   The VM checks arity when a block is entered and raises a Scheme error on mismatch.
//!
//! Operand lists (captures of [`Instr::Closure`]) live in the block's `operands` pool.
//!
//! An instruction reads all its operand registers before it writes `dst`, so `dst` may be one of
//! its operands (`MakeBox { dst: r1, src: r1 }`, `Prim2 { dst: r1, a: r1, .. }`).

use serde::{Deserialize, Serialize};

use crate::datum::Datum;

mod validate;

pub use validate::{ValidateError, decode, encode, validate};

/// Bumped whenever the encoding of a [`CodeUnit`] or the meaning of an instruction changes.
pub const FORMAT_VERSION: u32 = 1;

/// A register of the running frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reg(pub u16);

/// Index into [`CodeUnit::constants`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConstIdx(pub u32);

/// Index into [`CodeUnit::globals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GlobalIdx(pub u32);

/// Index into [`CodeUnit::blocks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlockIdx(pub u32);

/// Index into the running block's `code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pc(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Instr {
    /// `dst <- constants[idx]`.
    Const {
        dst: Reg,
        idx: ConstIdx,
    },
    /// `dst <- src`.
    Move {
        dst: Reg,
        src: Reg,
    },
    /// `dst <-` captured value number `idx` of the running closure or continuation.
    Free {
        dst: Reg,
        idx: u16,
    },
    /// `dst <-` value of a global; raises "unbound variable" if it has none.
    Global {
        dst: Reg,
        name: GlobalIdx,
    },
    /// Assigns an existing global; raises "unbound variable" if it has no value yet.
    SetGlobal {
        name: GlobalIdx,
        src: Reg,
    },
    /// Defines (or redefines) a global.
    DefineGlobal {
        name: GlobalIdx,
        src: Reg,
    },
    /// `dst <-` a new closure over `block`, capturing `block.n_free` registers listed at
    /// `operands[captures..captures + n_free]`. If `block` is a continuation block, the result is
    /// a continuation frame rather than a procedure.
    Closure {
        dst: Reg,
        block: BlockIdx,
        captures: u32,
    },
    /// Captured value number `idx` of the closure just created in `closure` `<- src`. Emitted only
    /// right after the [`Instr::Closure`] that made it, to tie the knot of `letrec`-bound
    /// procedures that capture themselves or each other (a flat closure cannot capture a value
    /// that does not exist yet). Raises if `closure` holds no closure or `idx` is out of range.
    SetFree {
        closure: Reg,
        idx: u16,
        src: Reg,
    },
    /// `dst <-` a new mutable box holding `src` (for variables both captured and assigned).
    MakeBox {
        dst: Reg,
        src: Reg,
    },
    /// `dst <-` contents of the box in `bx`.
    BoxGet {
        dst: Reg,
        bx: Reg,
    },
    /// Contents of the box in `bx` `<- src`.
    BoxSet {
        bx: Reg,
        src: Reg,
    },
    Jump {
        target: Pc,
    },
    /// Jump if `cond` is `#f`; fall through on any other value.
    JumpIfFalse {
        cond: Reg,
        target: Pc,
    },
    /// `dst <- op(a)`. Primitives never capture the continuation or block; they may raise.
    Prim1 {
        op: PrimOp,
        dst: Reg,
        a: Reg,
    },
    Prim2 {
        op: PrimOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Prim3 {
        op: PrimOp,
        dst: Reg,
        a: Reg,
        b: Reg,
        c: Reg,
    },
    /// Tail call of the procedure in `f`. The continuation is in `base` and the `argc` arguments
    /// in the registers after it: the callee's `r0..=rargc` are this frame's `base..=base+argc`.
    /// Calling a reified continuation returns the arguments to it.
    Call {
        f: Reg,
        base: Reg,
        argc: u16,
    },
    /// Returns the `count` values in `base..base+count` to the continuation in `k`.
    Return {
        k: Reg,
        base: Reg,
        count: u16,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockKind {
    Lambda,
    Continuation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arity {
    pub required: u16,
    pub rest: bool,
}

/// A source location as stored in a code unit. `file` indexes [`CodeUnit::files`];
/// `u32::MAX` means "no source".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLoc {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Procedure name, for backtraces and the disassembler.
    pub name: Option<String>,
    pub kind: BlockKind,
    pub arity: Arity,
    /// Number of values a closure over this block captures.
    pub n_free: u16,
    /// Size of the register file this block needs (at least the entry registers).
    pub n_regs: u16,
    pub code: Vec<Instr>,
    /// Operand pool for variable-length operand lists.
    pub operands: Vec<Reg>,
    /// Source location of each instruction; same length as `code`.
    pub locs: Vec<SourceLoc>,
    /// Where the lambda (or the call that needed this continuation) is in the source.
    pub loc: SourceLoc,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Constant {
    Datum(Datum),
    Unspecified,
    /// The value of a `letrec` variable before its initializer has run.
    Uninitialized,
}

/// One compiled compilation unit (a file or a REPL input). Plain data: it serializes with
/// postcard and can be stored in the heap next to the processes that run it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeUnit {
    pub version: u32,
    pub files: Vec<String>,
    pub constants: Vec<Constant>,
    pub globals: Vec<String>,
    pub blocks: Vec<Block>,
    /// A lambda block of no parameters that runs the unit's top-level forms in order and returns
    /// the value of the last one to its continuation.
    pub entry: BlockIdx,
}

macro_rules! prim_ops {
    ($($variant:ident = $name:literal / $arity:literal,)*) => {
        /// Primitives the compiler may inline as [`Instr::Prim1`]..[`Instr::Prim3`] when the
        /// global of that name is not redefined by the unit being compiled. The VM also binds
        /// each one as an ordinary global procedure of the same name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum PrimOp { $($variant,)* }

        impl PrimOp {
            pub const ALL: &'static [PrimOp] = &[$(PrimOp::$variant,)*];

            /// The Scheme name of the global this primitive implements.
            pub fn name(self) -> &'static str {
                match self { $(PrimOp::$variant => $name,)* }
            }

            /// The exact number of arguments the inline form takes.
            pub fn arity(self) -> usize {
                match self { $(PrimOp::$variant => $arity,)* }
            }
        }
    };
}

prim_ops! {
    Car = "car" / 1,
    Cdr = "cdr" / 1,
    Cons = "cons" / 2,
    SetCar = "set-car!" / 2,
    SetCdr = "set-cdr!" / 2,
    IsNull = "null?" / 1,
    IsPair = "pair?" / 1,
    Not = "not" / 1,
    IsEq = "eq?" / 2,
    IsEqv = "eqv?" / 2,
    Add = "+" / 2,
    Sub = "-" / 2,
    Mul = "*" / 2,
    NumEq = "=" / 2,
    Lt = "<" / 2,
    Gt = ">" / 2,
    Le = "<=" / 2,
    Ge = ">=" / 2,
    IsZero = "zero?" / 1,
    Quotient = "quotient" / 2,
    Remainder = "remainder" / 2,
    Modulo = "modulo" / 2,
    VectorRef = "vector-ref" / 2,
    VectorSet = "vector-set!" / 3,
    VectorLength = "vector-length" / 1,
    StringRef = "string-ref" / 2,
    StringLength = "string-length" / 1,
    IsSymbol = "symbol?" / 1,
    IsString = "string?" / 1,
    IsVector = "vector?" / 1,
    IsProcedure = "procedure?" / 1,
    // Not a user-level procedure: the compiler wraps reads of a `letrec` variable that may run
    // before its initializer in it. Returns the value, or raises naming the variable (the
    // second argument, a symbol constant) if it is still `Uninitialized`.
    CheckInitialized = "%check-initialized" / 2,
}

impl PrimOp {
    /// The primitive that `(name arg ...)` with `argc` arguments may be inlined as.
    pub fn lookup(name: &str, argc: usize) -> Option<PrimOp> {
        PrimOp::ALL
            .iter()
            .copied()
            .find(|op| op.name() == name && op.arity() == argc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_small() {
        assert!(
            std::mem::size_of::<Instr>() <= 12,
            "{}",
            std::mem::size_of::<Instr>()
        );
    }

    #[test]
    fn prim_lookup_respects_arity() {
        assert_eq!(PrimOp::lookup("car", 1), Some(PrimOp::Car));
        assert_eq!(PrimOp::lookup("car", 2), None);
        assert_eq!(PrimOp::lookup("+", 2), Some(PrimOp::Add));
    }
}
