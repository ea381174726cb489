//! The library's error type, and the typed markers the engine attaches to anyhow errors
//! where a limit, a verification or an unsupported format stops it, so that the
//! boundary ([`Error::from_anyhow`]) can tell a caller which one it was.

use std::fmt;

/// Why a document could not be cleaned. Match on the variant; `Display` gives the
/// message the CLI would print (never a secret).
///
/// ```
/// use harscrub::{clean_bytes, EngineBuilder, Error};
///
/// let engine = EngineBuilder::new().key(b"example key").now(1_700_000_000).build()?;
/// match clean_bytes(&engine, "upload.bin", b"\x00\x01\x02binary\x00data") {
///     Err(Error::Unsupported(msg)) => assert!(msg.contains("binary")),
///     other => panic!("unexpected: {other:?}"),
/// }
/// # Ok::<(), harscrub::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A limit was hit (archive bomb, nesting, member count, compression ratio, JSON
    /// depth). The message names the limit.
    Limit(String),
    /// The input is broken (not a readable archive, a truncated HAR, a corrupt body).
    Malformed(String),
    /// The input holds something this build cannot clean safely (unknown binary,
    /// encrypted archive members, zstd without the `zstd` feature).
    Unsupported(String),
    /// The redacted copy still showed a credential: no copy is given (fail closed).
    Verification(String),
    /// Reading the input or writing the copy failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Limit(m) => write!(f, "limit exceeded: {m}"),
            Error::Malformed(m) => write!(f, "malformed input: {m}"),
            Error::Unsupported(m) => write!(f, "unsupported input: {m}"),
            Error::Verification(m) => f.write_str(m),
            Error::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl Error {
    /// Classify an engine error by the markers in its chain; anything unmarked is a
    /// malformed input.
    #[doc(hidden)]
    pub fn from_anyhow(e: anyhow::Error) -> Error {
        let msg = format!("{e:#}");
        for cause in e.chain() {
            if cause.is::<LimitExceeded>() {
                return Error::Limit(msg);
            }
            if cause.is::<VerificationFailed>() {
                return Error::Verification(msg);
            }
            if cause.is::<Unsupported>() {
                return Error::Unsupported(msg);
            }
        }
        Error::Malformed(msg)
    }
}

/// Marker: a limit stopped the engine.
#[derive(Debug)]
pub(crate) struct LimitExceeded(pub(crate) String);

/// Marker: the redacted copy failed verification.
#[derive(Debug)]
pub(crate) struct VerificationFailed(pub(crate) String);

/// Marker: input this build cannot clean.
#[derive(Debug)]
pub(crate) struct Unsupported(pub(crate) String);

macro_rules! marker_display {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::error::Error for $t {}
    )*};
}
marker_display!(LimitExceeded, VerificationFailed, Unsupported);

/// An anyhow error carrying the [`LimitExceeded`] marker, formatted like `anyhow!`.
macro_rules! limit_error {
    ($($arg:tt)*) => {
        anyhow::Error::new($crate::error::LimitExceeded(format!($($arg)*)))
    };
}
pub(crate) use limit_error;
