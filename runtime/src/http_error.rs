//! `HttpError`: an HTTP error status with a description, like Werkzeug's `HTTPException`.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::error::Error;

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

/// Builds an [`HttpError`] from a status known only at run time; `abort!` checks a literal code at compile time.
///
/// A status outside 400..=599 is a bug in the caller: like Flask's `abort(200)`, it becomes a
/// 500 Internal Server Error whose cause names the code that was passed.
pub fn abort(status: StatusCode) -> HttpError {
    HttpError::new(status)
}

/// The cause of the 500 that [`abort`] returns when it is given a status that is not an error.
#[derive(Debug, thiserror::Error)]
#[error("abort was called with {0}, which is not an error status (400..=599)")]
pub struct NotAnErrorStatus(pub StatusCode);

impl HttpError {
    /// An error with `status` and its standard description; a non-error status becomes a 500 (see [`abort`]).
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
        self.status
            .canonical_reason()
            .unwrap_or(if self.status.is_client_error() {
                "Client Error"
            } else {
                "Server Error"
            })
    }

    /// The description given to this error, or the standard description of its status.
    pub fn description(&self) -> &str {
        self.description
            .as_deref()
            .unwrap_or_else(|| standard_description(self.status))
    }

    /// The description given to this error, if any.
    pub fn explicit_description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The message of the panic this error stands for, when a route panicked.
    pub fn panic_message(&self) -> Option<&str> {
        let mut cause = self.source();
        while let Some(error) = cause {
            if let Some(panic) = error.downcast_ref::<crate::Panic>() {
                return Some(panic.message());
            }
            cause = error.source();
        }
        None
    }

    pub(crate) fn explicit_description_cow(&self) -> Option<Cow<'static, str>> {
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

impl From<StatusCode> for HttpError {
    fn from(status: StatusCode) -> Self {
        Self::new(status)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

/// Werkzeug's description of each status, so a bare `abort!(404)` reads the way Flask's does.
pub(crate) fn standard_description(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The browser (or proxy) sent a request that this server could not understand.",
        401 => {
            "The server could not verify that you are authorized to access the URL requested. You either supplied \
             the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the \
             credentials required."
        }
        403 => {
            "You don't have the permission to access the requested resource. It is either read-protected or not \
             readable by the server."
        }
        404 => {
            "The requested URL was not found on the server. If you entered the URL manually please check your \
             spelling and try again."
        }
        405 => "The method is not allowed for the requested URL.",
        406 => {
            "The resource identified by the request is only capable of generating response entities which have \
             content characteristics not acceptable according to the accept headers sent in the request."
        }
        408 => {
            "The server closed the network connection because the browser didn't finish the request within the specified time."
        }
        409 => {
            "A conflict happened while processing the request. The resource might have been modified while the request was being processed."
        }
        410 => {
            "The requested URL is no longer available on this server and there is no forwarding address. If you \
             followed a link from a foreign page, please contact the author of this page."
        }
        411 => "A request with this method requires a valid Content-Length header.",
        412 => "The precondition on the request for the URL failed positive evaluation.",
        413 => "The data value transmitted exceeds the capacity limit.",
        414 => {
            "The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed."
        }
        415 => "The server does not support the media type transmitted in the request.",
        416 => "The server cannot provide the requested range.",
        417 => "The server could not meet the requirements of the Expect header",
        418 => "This server is a teapot, not a coffee machine",
        422 => "The request was well-formed but was unable to be followed due to semantic errors.",
        423 => "The resource that is being accessed is locked.",
        424 => {
            "The method could not be performed on the resource because the requested action depended on another action and that action failed."
        }
        428 => {
            "This request is required to be conditional; try using \"If-Match\" or \"If-Unmodified-Since\"."
        }
        429 => "This user has exceeded an allotted request count. Try again later.",
        431 => "One or more header fields exceeds the maximum size.",
        451 => "Unavailable for legal reasons.",
        500 => {
            "The server encountered an internal error and was unable to complete your request. Either the server \
             is overloaded or there is an error in the application."
        }
        501 => "The server does not support the action requested by the browser.",
        502 => "The proxy server received an invalid response from an upstream server.",
        503 => {
            "The server is temporarily unable to service your request due to maintenance downtime or capacity \
             problems. Please try again later."
        }
        504 => "The connection to an upstream server timed out.",
        505 => "The server does not support the HTTP protocol version used in the request.",
        code if code < 500 => {
            "The request could not be completed because of an error in the request."
        }
        _ => "The server could not complete the request because of an error on the server.",
    }
}
