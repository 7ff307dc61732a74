//! `Error`: what route handlers return, carrying a typed error value to the handlers of a set.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, Mutex};

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::defaults::{DefaultPage, Fallback, Format};
use crate::http_error::HttpError;
use crate::session::{SessionError, SessionStoreError};

/// The error type of route handlers: `Result<T, errorhandler::Error>`.
///
/// Any `std::error::Error + Send + Sync + 'static` converts into it with `?`, and the typed value is kept, so
/// the layer of a handler set can dispatch it to the handler of its type (or of a type in its `source()`
/// chain). Its status is the one of an [`HttpError`] and 500 Internal Server Error for any other type.
///
/// Without a layer, it still answers with its own status and a plain-text body; the text of an internal error
/// is never part of that body.
pub struct Error {
    inner: Box<dyn StdError + Send + Sync + 'static>,
    status: StatusCode,
}

/// A panic caught in a route, handled as a 500; its message reaches the handlers, never the client.
#[derive(Debug, thiserror::Error)]
#[error("the route panicked: {message}")]
pub struct Panic {
    message: String,
}

/// The text body of a 5xx response that carried no error value; kept for the handlers, never sent on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ErrorBody(pub String);

impl Error {
    /// Wraps an already boxed error, which `?` cannot convert because `Box<dyn Error>` is not itself an error.
    pub fn from_boxed(inner: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        let status = if let Some(http_error) = inner.downcast_ref::<HttpError>() {
            http_error.status()
        } else if let Some(session_error) = inner.downcast_ref::<SessionError>() {
            session_error.status()
        } else if let Some(store_error) = inner.downcast_ref::<SessionStoreError>() {
            store_error.status()
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Self { inner, status }
    }

    /// The status this error answers with when no handler sets another.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error value itself.
    pub fn get_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }

    /// Whether the error value is an `E`.
    pub fn is<E: StdError + 'static>(&self) -> bool {
        self.inner.is::<E>()
    }

    /// The error value as an `E`, if it is one.
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.inner.downcast_ref::<E>()
    }

    /// The error value as an `E`, or the error back if it is another type.
    pub fn downcast<E: StdError + 'static>(self) -> Result<E, Self> {
        let status = self.status;
        match self.inner.downcast::<E>() {
            Ok(value) => Ok(*value),
            Err(inner) => Err(Self { inner, status }),
        }
    }

    /// The error value followed by its `source()` chain, nearest first.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        std::iter::successors(
            Some(&*self.inner as &(dyn StdError + 'static)),
            |error: &&(dyn StdError + 'static)| (*error).source(),
        )
    }

    /// The nearest `E` in the chain: the error value itself or one of its sources.
    pub fn find<E: StdError + 'static>(&self) -> Option<&E> {
        self.chain().find_map(|error| error.downcast_ref::<E>())
    }

    /// This error as an [`HttpError`]: the value itself if it is one, else its status with this error as cause.
    pub fn into_http_error(self) -> HttpError {
        let status = self.status;
        match self.inner.downcast::<HttpError>() {
            Ok(http_error) => *http_error,
            Err(inner) => HttpError::new(status).with_source(inner),
        }
    }

    /// What answers this error when no handler does: its session default, or the built-in page.
    pub(crate) fn fallback(&self) -> Fallback {
        if let Some(session_error) = self.downcast_ref::<SessionError>() {
            return Fallback::Session(session_error.clone());
        }
        let description = self
            .downcast_ref::<HttpError>()
            .and_then(HttpError::explicit_description_cow);
        Fallback::Page(DefaultPage::new(self.status, description))
    }

    /// The headers every answer to this error must carry, whatever a handler returns: the clearing of the
    /// session (cookies, `front-token: remove`, token headers) on token theft and on an unauthorised session.
    pub(crate) fn enforced_headers(&self) -> Vec<(http::HeaderName, http::HeaderValue)> {
        self.find::<SessionError>()
            .map(SessionError::clearing_headers)
            .unwrap_or_default()
    }
}

impl<E> From<E> for Error
where
    E: StdError + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self::from_boxed(Box::new(error))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = self.fallback().render(Format::PlainText);
        response
            .extensions_mut()
            .insert(CarriedError(Arc::new(Mutex::new(Some(self)))));
        response
    }
}

impl Panic {
    /// The panic's message, or a placeholder when the payload was not a string.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn from_payload(payload: Box<dyn Any + Send>) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(message) => (*message).to_owned(),
                Err(_) => "Box<dyn Any>".to_owned(),
            },
        };
        Self { message }
    }
}

/// The error value riding in a response's extensions from the route to the layer.
///
/// Extensions must be `Clone + Sync`, which an error value is not; the layer takes the value out exactly once.
#[derive(Clone)]
pub(crate) struct CarriedError(Arc<Mutex<Option<Error>>>);

impl CarriedError {
    pub(crate) fn take(self) -> Option<Error> {
        match self.0.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}
