//! `HttpError`: an HTTP error status with a description, like Werkzeug's `HTTPException`.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use http::StatusCode;

use crate::error_status::{Declaration, Declared, ErrorStatus};
use crate::status_text::{standard_description, status_name};

/// An HTTP error: a 4xx or 5xx status, an optional description and an optional cause.
///
/// Its `Display` reads like Werkzeug's `str(e)`: `404 Not Found: Resource not found`. Without a description of
/// its own it uses the standard description of its status, so `e.to_string()` is always a full sentence.
///
/// ```
/// use errorhandler::{abort, HttpError};
/// use http::StatusCode;
///
/// let e: HttpError = abort!(404, "Resource not found");
/// assert_eq!(e.status(), StatusCode::NOT_FOUND);
/// assert_eq!(e.to_string(), "404 Not Found: Resource not found");
/// ```
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    description: Option<Cow<'static, str>>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// The cause of the 500 that [`HttpError::new`] returns when it is given a status that is not an error.
#[derive(Debug, thiserror::Error)]
#[error("abort was called with {0}, which is not an error status (400..=599)")]
pub struct NotAnErrorStatus(pub StatusCode);

impl HttpError {
    /// An error with `status`, known only at run time, and its standard description; `abort!` checks a literal
    /// code at compile time.
    ///
    /// A status outside 400..=599 is a bug in the caller: like Flask's `abort(200)`, it becomes a
    /// 500 Internal Server Error whose cause, [`NotAnErrorStatus`], names the code that was passed.
    pub fn new(status: StatusCode) -> Self {
        if status.is_client_error() || status.is_server_error() {
            Self {
                status,
                description: None,
                source: None,
            }
        } else {
            Self::new(StatusCode::INTERNAL_SERVER_ERROR).with_source(NotAnErrorStatus(status))
        }
    }

    /// Sets the description shown to the client, like Flask's `abort(404, description=...)`.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the underlying cause, returned by [`std::error::Error::source`] and never shown to the client.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The HTTP status, always in 400..=599.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The status's canonical name, such as `Not Found`.
    pub fn name(&self) -> &'static str {
        status_name(self.status)
    }

    /// The description given to this error, or the standard description of its status.
    pub fn description(&self) -> &str {
        self.description
            .as_deref()
            .unwrap_or_else(|| standard_description(self.status))
    }

    /// Whether it has no description and no cause of its own: its message follows from its status.
    pub(crate) fn is_bare(&self) -> bool {
        self.description.is_none() && self.source.is_none()
    }

    /// The description given to it, if any, without copying one given as a `&'static str`.
    pub(crate) fn given_description(&self) -> Option<Cow<'static, str>> {
        self.description.clone()
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.name(),
            self.description()
        )
    }
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

// Declared as a user's type would be (the attribute's expansion, written out: the core does not use its macros),
// so that an error whose `source()` chain holds an `HttpError` takes its status.
impl ErrorStatus for HttpError {
    fn status(&self) -> StatusCode {
        self.status
    }

    /// The description given to it, which the built-in page shows; `None` for the standard one.
    fn detail(&self) -> Option<Cow<'_, str>> {
        self.description.as_deref().map(Cow::Borrowed)
    }
}

impl Declared for HttpError {}

inventory::submit!(Declaration::of::<HttpError>());

/// `HttpError`'s name in the log and the `ErrorReport`, at the path users name it by.
pub(crate) const HTTP_ERROR_TYPE: &str = "errorhandler::HttpError";

/// `HttpError`'s declaration, for the errors the crate builds from one without looking it up.
pub(crate) static HTTP_ERROR: Declaration = Declaration::of::<HttpError>();
