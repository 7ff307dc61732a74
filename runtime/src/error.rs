//! `Error`: what route handlers return, carrying a typed error value to the handlers of a set.

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Mutex;

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};

use crate::caught::{in_route, outside};
use crate::defaults::{BuiltInPage, Format};
use crate::error_status::{
    Declaration, ErrorStatus, declaration_of, declaration_of_type, enforce, status_of,
};
use crate::http_error::{HTTP_ERROR, HTTP_ERROR_TYPE, HttpError};
use crate::problem::ProblemDetails;

/// The error type of route handlers: `Result<T, errorhandler::Error>`.
///
/// Any `std::error::Error + Send + Sync + 'static` converts into it with `?` (so do boxed errors, and `anyhow` and
/// `eyre` errors: see its `From` implementation), and the typed value is kept, so
/// the layer of a handler set can dispatch it to the handler of its type (or of a type in its `source()`
/// chain). Its status is the one the nearest error of its chain declares ([`ErrorStatus`]: an [`HttpError`],
/// a type marked `#[errorhandler::status]`), and 500 Internal Server Error when none does. The chain is read
/// once, when the `Error` is made: an error whose `source()` changes afterwards keeps what its chain declared then.
///
/// Without a layer, it still answers with its own status: the declared error's own answer, or a plain-text
/// body that never contains the text of an internal error.
pub struct Error {
    value: Value,
    status: StatusCode,
    // Found once, when the error is made: dispatch and the terms of its answer both ask for it.
    nearest: Option<Nearest>,
    // Known only where the value's type is: `?`'s conversion. The log and the `ErrorReport` name it.
    type_name: &'static str,
}

/// The error value: an `HttpError` is kept inline, so that the errors the layer builds for untyped responses
/// and panics, and those raised with `abort!`, allocate nothing of their own.
enum Value {
    Http(HttpError),
    Boxed(Box<dyn StdError + Send + Sync + 'static>),
    /// Kept as it is, so that its own error (the one `anyhow!` or `.context()` wraps) stays visible to dispatch:
    /// boxed as `dyn Error`, an `anyhow::Error` shows its messages but not the type of the error it wraps.
    #[cfg(feature = "anyhow")]
    Anyhow(anyhow::Error),
    /// As `Anyhow`, for `eyre::Report`.
    #[cfg(feature = "eyre")]
    Eyre(eyre::Report),
}

/// Where the nearest declared error of a chain stands, and its declaration.
#[derive(Clone, Copy)]
struct Nearest {
    depth: usize,
    declaration: &'static Declaration,
}

impl Error {
    /// Wraps an already boxed error (what `?` does with one).
    pub fn from_boxed(inner: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        let nearest = nearest_in(chain(&*inner).enumerate());
        // The box hides its value's type; a declared one is known by its declaration.
        let type_name = match nearest {
            Some(Nearest {
                depth: 0,
                declaration,
            }) => declaration.type_name(),
            _ => "Box<dyn std::error::Error + Send + Sync>",
        };
        Self::with_nearest(Value::Boxed(inner), nearest, type_name)
    }

    /// An `anyhow::Error`, seen through: the error it wraps heads the chain.
    #[cfg(feature = "anyhow")]
    fn from_anyhow(error: anyhow::Error) -> Self {
        let nearest = nearest_in(chain(&*error).enumerate());
        Self::with_nearest(Value::Anyhow(error), nearest, "anyhow::Error")
    }

    /// An `eyre::Report`, seen through: the error it wraps heads the chain.
    #[cfg(feature = "eyre")]
    fn from_eyre(error: eyre::Report) -> Self {
        let nearest = nearest_in(chain(&*error).enumerate());
        Self::with_nearest(Value::Eyre(error), nearest, "eyre::Report")
    }

    /// An error whose value is `boxed`, an `E` boxed: its own declaration is looked up by type (a declared type is
    /// an error type, which boxes as itself; any other `E` is not declared), its sources' by value.
    fn from_value<E: 'static>(boxed: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        let nearest = match declaration_of_type(TypeId::of::<E>()) {
            Some(declaration) => Some(Nearest {
                depth: 0,
                declaration,
            }),
            None => nearest_in(chain(&*boxed).enumerate().skip(1)),
        };
        Self::with_nearest(Value::Boxed(boxed), nearest, std::any::type_name::<E>())
    }

    fn with_nearest(value: Value, nearest: Option<Nearest>, type_name: &'static str) -> Self {
        let mut error = Self {
            value,
            status: StatusCode::INTERNAL_SERVER_ERROR,
            nearest,
            type_name,
        };
        if let Some(declared) = error.declared() {
            error.status = status_of(declared);
        }
        error
    }

    /// An `HttpError` whose status is known: no look-up of the declarations its chain holds.
    pub(crate) fn from_http_error(error: HttpError) -> Self {
        let status = error.status();
        Self {
            value: Value::Http(error),
            status,
            nearest: Some(Nearest {
                depth: 0,
                declaration: &HTTP_ERROR,
            }),
            type_name: HTTP_ERROR_TYPE,
        }
    }

    /// The type of the error value, as `std::any::type_name` writes it.
    pub(crate) fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The status this error answers with when no handler sets another.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error value itself.
    pub fn get_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        match &self.value {
            Value::Http(error) => error,
            Value::Boxed(error) => &**error,
            #[cfg(feature = "anyhow")]
            Value::Anyhow(error) => &**error,
            #[cfg(feature = "eyre")]
            Value::Eyre(error) => &**error,
        }
    }

    /// Whether the error value is an `E`.
    pub fn is<E: StdError + 'static>(&self) -> bool {
        self.get_ref().is::<E>()
    }

    /// The error value as an `E`, if it is one.
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.get_ref().downcast_ref::<E>()
    }

    /// The error value as an `E`, or the error back if it is another type.
    pub fn downcast<E: StdError + Send + Sync + 'static>(self) -> Result<E, Self> {
        let Self {
            value,
            status,
            nearest,
            type_name,
        } = self;
        let value = match value {
            Value::Http(error) => match take_as::<HttpError, E>(error) {
                Ok(error) => return Ok(error),
                Err(error) => Value::Http(error),
            },
            Value::Boxed(error) => match error.downcast::<E>() {
                Ok(error) => return Ok(*error),
                Err(error) => Value::Boxed(error),
            },
            #[cfg(feature = "anyhow")]
            Value::Anyhow(error) => match error.downcast::<E>() {
                Ok(error) => return Ok(error),
                Err(error) => Value::Anyhow(error),
            },
            #[cfg(feature = "eyre")]
            Value::Eyre(error) => match error.downcast::<E>() {
                Ok(error) => return Ok(error),
                Err(error) => Value::Eyre(error),
            },
        };
        Err(Self {
            value,
            status,
            nearest,
            type_name,
        })
    }

    /// The error value followed by its `source()` chain, nearest first.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        chain(self.get_ref())
    }

    /// The nearest `E` in the chain: the error value itself or one of its sources.
    pub fn find<E: StdError + 'static>(&self) -> Option<&E> {
        self.chain().find_map(|error| error.downcast_ref::<E>())
    }

    /// This error as an [`HttpError`]: the value itself if it is one, else its status, with the detail its
    /// declared error gives, and this error as cause.
    pub fn into_http_error(self) -> HttpError {
        let inner = match self.value {
            Value::Http(error) => return error,
            Value::Boxed(error) => error,
            #[cfg(feature = "anyhow")]
            Value::Anyhow(error) => match error.downcast::<HttpError>() {
                Ok(http_error) => return http_error,
                Err(error) => error.into(),
            },
            #[cfg(feature = "eyre")]
            Value::Eyre(error) => match error.downcast::<HttpError>() {
                Ok(http_error) => return http_error,
                Err(error) => error.into(),
            },
        };
        let status = self.status;
        let detail = declared_in(&*inner, self.nearest)
            .and_then(ErrorStatus::detail)
            .map(Cow::into_owned);
        match inner.downcast::<HttpError>() {
            Ok(http_error) => *http_error,
            Err(inner) => {
                let error = HttpError::new(status).with_source(inner);
                match detail {
                    Some(detail) => error.with_description(detail),
                    None => error,
                }
            }
        }
    }

    /// The nearest error of its chain that declares its status.
    fn declared(&self) -> Option<&dyn ErrorStatus> {
        declared_in(self.get_ref(), self.nearest)
    }

    /// What every answer to it owes it: its status, the headers it enforces, and its default answer, the
    /// built-in page rendered in `format` when it has no declared answer.
    pub(crate) fn terms(&self) -> (HeaderMap, Result<Response, BuiltInPage>) {
        let declared = self.declared();
        let default = match declared.and_then(ErrorStatus::default_answer) {
            Some(mut response) => {
                // As for a handler's answer: an error is never answered with a success by accident.
                if !(response.status().is_client_error() || response.status().is_server_error()) {
                    *response.status_mut() = self.status;
                }
                Ok(response)
            }
            None => {
                let detail = declared
                    .and_then(ErrorStatus::detail)
                    .map(|detail| Cow::Owned(detail.into_owned()));
                Err(BuiltInPage::new(self.status, detail))
            }
        };
        (self.enforced_headers(), default)
    }

    /// The headers every answer to this error must carry, whatever a handler returns: those each declared error
    /// of its chain enforces, the nearest one's winning a name two enforce (`Set-Cookie` values add up).
    fn enforced_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        // The errors before the nearest declared one declare nothing; with none declared, nothing is enforced.
        let Some(nearest) = self.nearest else {
            return headers;
        };
        let mut causes = self.chain().skip(nearest.depth);
        let first = causes
            .next()
            .and_then(|cause| nearest.declaration.find(cause));
        let further = causes.filter_map(|cause| declaration_of(cause)?.find(cause));
        for declared in first.into_iter().chain(further) {
            let own = declared.enforced_headers();
            for name in own.keys() {
                if name == http::header::SET_COOKIE || !headers.contains_key(name) {
                    for value in own.get_all(name) {
                        headers.append(name.clone(), value.clone());
                    }
                }
            }
        }
        headers
    }
}

/// `?` into `Error`: any error type, an already boxed error, and, with the crate's features of those names,
/// `anyhow::Error` and `eyre::Report`, seen through so that dispatch finds the error they wrap.
///
/// One conversion covers them all because it asks for what they have in common, a conversion into
/// `Box<dyn Error + Send + Sync>`: beside a conversion of every `E: std::error::Error`, a second one of
/// `anyhow::Error` (which is not an `Error`) would be refused by the compiler (E0119), since `anyhow` could make
/// it one in a later version. So `?` also takes a `String` or a `&str`, as an error with that message.
impl<E> From<E> for Error
where
    E: Into<Box<dyn StdError + Send + Sync + 'static>> + 'static,
{
    fn from(error: E) -> Self {
        let error = match take_as::<E, HttpError>(error) {
            Ok(error) => return Self::from_http_error(error),
            Err(error) => error,
        };
        #[cfg(feature = "anyhow")]
        let error = match take_as::<E, anyhow::Error>(error) {
            Ok(error) => return Self::from_anyhow(error),
            Err(error) => error,
        };
        #[cfg(feature = "eyre")]
        let error = match take_as::<E, eyre::Report>(error) {
            Ok(error) => return Self::from_eyre(error),
            Err(error) => error,
        };
        let error = match take_as::<E, Box<dyn StdError + Send + Sync + 'static>>(error) {
            Ok(error) => return Self::from_boxed(error),
            Err(error) => error,
        };
        Self::from_value::<E>(error.into())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.get_ref(), f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.get_ref(), f)
    }
}

impl IntoResponse for Error {
    /// Its default answer, with the headers it enforces: the built-in page as plain text, or the answer its type
    /// declares. The response carries the error, and the terms of its answer worked out here, to the layer of a
    /// handler set, which hands the error to the set's handler for it.
    ///
    /// In a route under a layer, the built-in page is left for the layer to negotiate: the response has the page's
    /// text as its body but no content type, which the layer's answer sets (code between the route and the layer
    /// that reads the body, or drops the error from the extensions, gets that body).
    fn into_response(self) -> Response {
        // A declared answer is the error's own, whoever asks: one built from another error answers in full.
        let (enforced_headers, default) = outside(|| self.terms());
        let default = match default {
            // Under a layer, which answers the error (its handler's answer, or the page negotiated from the
            // request's `Accept`): no content type is set, which is what the page would cost most, and its text is
            // written only if the response is sent after all (code between the route and the layer that drops
            // the error from the extensions).
            Err(page) if in_route() => {
                let mut response = Response::new(page.clone().plain_text_body());
                *response.status_mut() = self.status;
                response.extensions_mut().insert(CarriedError {
                    slot: Mutex::new(Some(Carried {
                        error: self,
                        enforced_headers,
                        default: CarriedDefault::BuiltIn(page),
                    })),
                });
                return response;
            }
            default => default,
        };
        let (mut response, default) = match default {
            Ok(response) => (response, CarriedDefault::Route),
            Err(page) => (
                page.clone().render(Format::PlainText),
                CarriedDefault::BuiltIn(page),
            ),
        };
        enforce(response.headers_mut(), &enforced_headers);
        response.extensions_mut().insert(CarriedError {
            slot: Mutex::new(Some(Carried {
                error: self,
                enforced_headers,
                default,
            })),
        });
        response
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

impl From<&Error> for ProblemDetails {
    /// The problem the built-in default shows for it: its status, and as `detail` what the nearest declared
    /// error of its chain says ([`ErrorStatus::detail`], the description of an `HttpError`), or the standard
    /// description of its status. Never the message of an error.
    fn from(error: &Error) -> Self {
        if let Some(http_error) = error.downcast_ref::<HttpError>() {
            return Self::from(http_error);
        }
        let detail = error
            .declared()
            .and_then(ErrorStatus::detail)
            .map(|detail| Cow::Owned(detail.into_owned()));
        Self::described(error.status(), detail)
    }
}

/// The error value carried by a response from the route to the layer, with the terms of its answer.
///
/// Extensions must be `Clone + Sync`. An error value is `Sync` behind the mutex but cannot be cloned, so a clone
/// of the response carries no error (it answers with its default like any response without one); the value
/// lives inline in the extension's own box, and the layer takes it out exactly once.
pub(crate) struct CarriedError {
    slot: Mutex<Option<Carried>>,
}

struct Carried {
    error: Error,
    // Boxed only if a handler takes the error: a declared answer sent as it is needs no copy of them.
    enforced_headers: HeaderMap,
    default: CarriedDefault,
}

/// Where the default answer of a carried error is.
enum CarriedDefault {
    /// The response that carries it: the answer its type declares, which depends on nothing of the request.
    Route,
    /// The built-in page, which the layer negotiates from the request's `Accept`.
    BuiltIn(BuiltInPage),
}

impl Clone for CarriedError {
    fn clone(&self) -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }
}

impl CarriedError {
    /// The error and the terms of its answer: the headers it enforces, and its built-in page, or `None` when the
    /// response that carried it is its declared answer. `None` for a clone, which carries no error.
    pub(crate) fn take(self) -> Option<(Error, HeaderMap, Option<BuiltInPage>)> {
        let carried = match self.slot.into_inner() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        }?;
        let page = match carried.default {
            CarriedDefault::Route => None,
            CarriedDefault::BuiltIn(page) => Some(page),
        };
        Some((carried.error, carried.enforced_headers, page))
    }
}

/// The nearest declared error among `causes`, with its depth in the chain.
fn nearest_in<'a>(
    mut causes: impl Iterator<Item = (usize, &'a (dyn StdError + 'static))>,
) -> Option<Nearest> {
    causes.find_map(|(depth, cause)| {
        declaration_of(cause).map(|declaration| Nearest { depth, declaration })
    })
}

/// The error `nearest` locates in `error`'s chain.
fn declared_in<'a>(
    error: &'a (dyn StdError + 'static),
    nearest: Option<Nearest>,
) -> Option<&'a dyn ErrorStatus> {
    let nearest = nearest?;
    let cause = chain(error).nth(nearest.depth)?;
    nearest.declaration.find(cause)
}

/// `value` as a `T` when it is one (a `T` is a `U` only when they are the same type), else `value` back.
fn take_as<U: 'static, T: 'static>(value: U) -> Result<T, U> {
    let mut slot = Some(value);
    if let Some(same) = (&mut slot as &mut dyn Any).downcast_mut::<Option<T>>()
        && let Some(value) = same.take()
    {
        return Ok(value);
    }
    match slot {
        Some(value) => Err(value),
        None => unreachable!("the value is taken only when it is returned"),
    }
}

fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |error: &&(dyn StdError + 'static)| {
        (*error).source()
    })
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue, StatusCode, header};

    use crate::ErrorStatus;

    #[derive(Debug, thiserror::Error)]
    #[error("busy for {seconds} s")]
    struct Busy {
        seconds: u32,
        #[source]
        cause: Option<Box<Busy>>,
    }

    #[crate::status]
    impl ErrorStatus for Busy {
        fn status(&self) -> StatusCode {
            StatusCode::SERVICE_UNAVAILABLE
        }

        fn enforced_headers(&self) -> HeaderMap {
            HeaderMap::from_iter([(header::RETRY_AFTER, HeaderValue::from(self.seconds))])
        }
    }

    #[test]
    fn the_nearest_declared_error_wins_a_header_its_sources_enforce_too() {
        let error = super::Error::from(Busy {
            seconds: 1,
            cause: Some(Box::new(Busy {
                seconds: 120,
                cause: None,
            })),
        });
        let headers = error.enforced_headers();
        assert_eq!(headers.get_all(header::RETRY_AFTER).iter().count(), 1);
        assert_eq!(headers[header::RETRY_AFTER], "1");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("the shelf fell")]
    struct ShelfFell;

    #[test]
    fn an_http_error_kept_inline_reads_and_converts_as_a_boxed_one_does() {
        let http_error =
            || crate::HttpError::new(StatusCode::GONE).with_description("no more stilton");
        let error = super::Error::from(http_error());
        assert_eq!(error.status(), StatusCode::GONE);
        assert!(error.is::<crate::HttpError>());
        assert_eq!(error.to_string(), http_error().to_string());
        assert_eq!(format!("{error:?}"), format!("{:?}", http_error()));
        assert_eq!(error.chain().count(), 1);
        assert_eq!(
            error
                .find::<crate::HttpError>()
                .map(crate::HttpError::description),
            Some("no more stilton")
        );
        let error = error.downcast::<ShelfFell>().unwrap_err();
        assert_eq!(error.status(), StatusCode::GONE);
        let taken = error.downcast::<crate::HttpError>().unwrap();
        assert_eq!(taken.description(), "no more stilton");
        assert_eq!(
            super::Error::from(http_error())
                .into_http_error()
                .description(),
            "no more stilton"
        );

        let with_source =
            super::Error::from(crate::HttpError::new(StatusCode::CONFLICT).with_source(ShelfFell));
        assert_eq!(with_source.status(), StatusCode::CONFLICT);
        assert_eq!(with_source.chain().count(), 2);
        assert!(with_source.find::<ShelfFell>().is_some());
    }
}
