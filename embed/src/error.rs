//! The errors of the embedding API: one enum, with Scheme errors carrying what Scheme knows.

use std::fmt;

/// Anything that can go wrong when a host uses an [`Engine`](crate::Engine).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The source text did not compile; the diagnostics, rendered with their source lines.
    Compile(String),
    /// Scheme code raised an exception nobody caught.
    Scheme(Box<SchemeError>),
    /// A value could not be converted between Scheme and Rust.
    Convert(ConvertError),
    /// No global of this name is defined.
    Unbound(String),
    /// The value called is not a procedure (its written form).
    NotAProcedure(String),
    /// The value a message was sent to is not a process (its written form).
    NotAProcess(String),
    /// The call can never finish: it waits for a message no process can send.
    Blocked,
    /// A process called `exit` while the host waited for a call: the program is over.
    Exited(i32),
    /// A host function has the name of one of the VM's own primitives.
    Builtin(String),
    /// A [`Handle`](crate::Handle) was used with an engine other than the one that made it.
    ForeignHandle,
    /// The store could not be opened or read: not found, a wrong passphrase, corruption, a
    /// format of another version.
    Store(pscheme_persist::PersistError),
    /// A wave could not be committed; the store keeps the last durable state, as after a
    /// crash, and output of the lost wave was never shown.
    Commit {
        /// The wave that failed.
        wave: u64,
        /// Why.
        error: String,
    },
    /// Reading a source file failed.
    Io(std::io::Error),
    /// The VM could not start (its Scheme prelude failed: a bug in pscheme).
    Internal(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile(text) => write!(f, "compile error:\n{text}"),
            Error::Scheme(e) => write!(f, "{e}"),
            Error::Convert(e) => write!(f, "{e}"),
            Error::Unbound(name) => write!(f, "unbound variable: {name}"),
            Error::NotAProcedure(v) => write!(f, "not a procedure: {v}"),
            Error::NotAProcess(v) => write!(f, "not a process: {v}"),
            Error::Blocked => f.write_str("the call waits for a message no process can send"),
            Error::Exited(code) => write!(f, "the program called exit with status {code}"),
            Error::Builtin(name) => {
                write!(
                    f,
                    "`{name}` is a primitive of the VM and cannot be replaced"
                )
            }
            Error::ForeignHandle => f.write_str("a handle was used with another engine"),
            Error::Store(e) => write!(f, "store: {e}"),
            Error::Commit { wave, error } => write!(f, "could not commit wave {wave}: {error}"),
            Error::Io(e) => write!(f, "{e}"),
            Error::Internal(e) => write!(f, "internal error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Store(e) => Some(e),
            Error::Convert(e) => Some(e),
            Error::Scheme(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<pscheme_persist::PersistError> for Error {
    fn from(e: pscheme_persist::PersistError) -> Self {
        Error::Store(e)
    }
}

impl From<ConvertError> for Error {
    fn from(e: ConvertError) -> Self {
        Error::Convert(e)
    }
}

/// An uncaught Scheme exception, as the host sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemeError {
    /// The message: `error-object-message` of an error object, or a description of the value
    /// raised when it is not one (`(raise 42)`).
    pub message: String,
    /// The irritants, each in its written form (`write`): `"foo"` for a string.
    pub irritants: Vec<String>,
    /// `file:line:col` of the call that raised it, when known.
    pub location: Option<String>,
    /// Scheme-level backtrace, innermost frame first.
    pub backtrace: Vec<String>,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "error: {}", self.message)?;
        for irritant in &self.irritants {
            write!(f, " {irritant}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemeError {}

/// A value that does not fit the type asked for, or a Rust value Scheme cannot represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    message: String,
}

impl ConvertError {
    pub(crate) fn new(message: impl Into<String>) -> ConvertError {
        ConvertError {
            message: message.into(),
        }
    }

    /// What went wrong, e.g. `expected an integer, found "abc"`.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conversion error: {}", self.message)
    }
}

impl std::error::Error for ConvertError {}

impl serde::ser::Error for ConvertError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvertError::new(msg.to_string())
    }
}

impl serde::de::Error for ConvertError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvertError::new(msg.to_string())
    }
}
