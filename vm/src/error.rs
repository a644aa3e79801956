//! Errors a primitive returns. The interpreter turns an [`Error`] into a Scheme condition (an
//! error object carrying the location of the failing call and a backtrace) and raises it through
//! the process's handler stack, so Scheme code can catch it with `guard` or
//! `with-exception-handler`.

use crate::object::ErrorKind;
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Raise an error object with this message and these irritants. The interpreter prefixes the
    /// message with the primitive's name (`"car: expected pair"`).
    Error {
        kind: ErrorKind,
        message: String,
        irritants: Vec<Value>,
    },
    /// Raise an error object with this message as is (what `(error message irritant ...)`
    /// raises: the message is the user's, not prefixed with a primitive's name).
    User {
        message: String,
        irritants: Vec<Value>,
    },
    /// Raise an arbitrary value, non-continuably, as `raise` does.
    Raise(Value),
}

impl Error {
    /// An error with a message and no irritants.
    pub fn msg(message: impl Into<String>) -> Error {
        Error::Error {
            kind: ErrorKind::Error,
            message: message.into(),
            irritants: Vec::new(),
        }
    }

    /// An error with a message and irritants, as `(error message irritant ...)` makes.
    pub fn with_irritants(message: impl Into<String>, irritants: Vec<Value>) -> Error {
        Error::Error {
            kind: ErrorKind::Error,
            message: message.into(),
            irritants,
        }
    }

    /// "expected <what>", with the offending value as irritant.
    pub fn wrong_type(expected: &str, got: Value) -> Error {
        Error::with_irritants(format!("expected {expected}"), vec![got])
    }

    /// A wrong-type error that also names the argument position (1-based).
    pub fn wrong_arg(expected: &str, position: usize, got: Value) -> Error {
        Error::with_irritants(
            format!("argument {position}: expected {expected}"),
            vec![got],
        )
    }

    /// An index or count out of its valid range.
    pub fn out_of_range(what: Value) -> Error {
        Error::with_irritants("index out of range", vec![what])
    }

    /// An error for which `file-error?` is true.
    pub fn file(message: impl Into<String>) -> Error {
        Error::Error {
            kind: ErrorKind::File,
            message: message.into(),
            irritants: Vec::new(),
        }
    }

    /// An error for which `read-error?` is true.
    pub fn read(message: impl Into<String>) -> Error {
        Error::Error {
            kind: ErrorKind::Read,
            message: message.into(),
            irritants: Vec::new(),
        }
    }
}
