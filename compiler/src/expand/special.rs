//! The syntactic keywords built into the expander, including auxiliary syntax (`else`, `=>`, ...).
//!
//! They are bound in the top-level environment like any other binding, so a program can shadow
//! them with a local variable (then `else` in that scope is no longer `cond`'s `else`, as R7RS
//! says), and a macro's use of `if` keeps meaning the built-in `if` wherever it is used.

use serde::{Deserialize, Serialize};

macro_rules! specials {
    ($($variant:ident => $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub(crate) enum Special {
            $($variant,)*
        }

        impl Special {
            pub(crate) fn from_name(name: &str) -> Option<Special> {
                match name {
                    $($name => Some(Special::$variant),)*
                    _ => None,
                }
            }

            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Special::$variant => $name,)*
                }
            }
        }
    };
}

specials! {
    Quote => "quote",
    Quasiquote => "quasiquote",
    Unquote => "unquote",
    UnquoteSplicing => "unquote-splicing",
    Lambda => "lambda",
    Define => "define",
    Set => "set!",
    If => "if",
    Begin => "begin",
    Let => "let",
    LetStar => "let*",
    Letrec => "letrec",
    LetrecStar => "letrec*",
    Do => "do",
    Cond => "cond",
    Case => "case",
    And => "and",
    Or => "or",
    When => "when",
    Unless => "unless",
    DefineRecordType => "define-record-type",
    LetValues => "let-values",
    LetStarValues => "let*-values",
    DefineValues => "define-values",
    Receive => "receive",
    Parameterize => "parameterize",
    Delay => "delay",
    DelayForce => "delay-force",
    CaseLambda => "case-lambda",
    Guard => "guard",
    DefineSyntax => "define-syntax",
    LetSyntax => "let-syntax",
    LetrecSyntax => "letrec-syntax",
    SyntaxRules => "syntax-rules",
    SyntaxError => "syntax-error",
    Import => "import",
    CondExpand => "cond-expand",
    Include => "include",
    IncludeCi => "include-ci",
    DefineLibrary => "define-library",
    Else => "else",
    Arrow => "=>",
    Ellipsis => "...",
    Underscore => "_",
}

impl Special {
    /// Auxiliary syntax only has meaning inside other forms.
    pub(crate) fn is_auxiliary(self) -> bool {
        matches!(
            self,
            Special::Else
                | Special::Arrow
                | Special::Ellipsis
                | Special::Underscore
                | Special::Unquote
                | Special::UnquoteSplicing
        )
    }
}
