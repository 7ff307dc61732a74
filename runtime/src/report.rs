//! `ErrorReport`: what answered an error response, for outer layers, and the one log event of each answer.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;
use tracing::Level;

use crate::caught::Panic;
use crate::error::Error;
use crate::http_error::{HTTP_ERROR_TYPE, HttpError};

/// What an error response of a handler set's layer answered, put in the response's extensions for the layers
/// outside it (tracing, Sentry, metrics): the status, the error's type, message and causes, and what answered it.
///
/// It is for the server side only: the body a client sees never holds a 5xx error's text. Its texts are the
/// error's and its causes' `Display`; the session recipe's errors never put a token there.
///
/// ```
/// use axum::response::Response;
/// use errorhandler::ErrorReport;
///
/// // In an outer `map_response` layer, a `TraceLayer::on_response` callback, or a metrics middleware:
/// fn record(response: &Response) {
///     if let Some(report) = response.extensions().get::<ErrorReport>() {
///         eprintln!("{} {} ({})", report.status(), report.message(), report.answered_by());
///     }
/// }
/// ```
#[derive(Clone)]
pub struct ErrorReport {
    status: StatusCode,
    error_status: StatusCode,
    answered_by: AnsweredBy,
    facts: ErrorFacts,
    failure: Option<HandlerFailure>,
}

/// Why the handler chosen for an error gave no answer, so that its default answered instead.
#[derive(Clone, Debug)]
pub(crate) struct HandlerFailure {
    text: Box<str>,
    // A panic is a bug of the server's, whatever the error's class: it is logged at the level of server errors.
    panicked: bool,
}

impl HandlerFailure {
    /// The handler `key` gave no answer: an extractor rejected the request, or the error did not fit its parameter.
    pub(crate) fn no_answer(key: &str) -> Self {
        Self {
            text: format!("the {key} handler gave no answer (an extractor rejected the request, or the error did not fit its parameter)")
                .into_boxed_str(),
            panicked: false,
        }
    }

    /// The handler `key` panicked.
    pub(crate) fn panicked(key: &str, panic: &Panic) -> Self {
        let text = match panic.location() {
            Some(location) => format!(
                "the {key} handler panicked at {location}: {}",
                panic.message()
            ),
            None => format!("the {key} handler panicked: {}", panic.message()),
        };
        Self {
            text: text.into_boxed_str(),
            panicked: true,
        }
    }
}

/// What answered an error: a handler of the set (by its key), or the error's default answer when none did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnsweredBy {
    /// The handler of this key, as the set declares it: `404`, `4xx`, `5xx`, `default`, `CheeseNotFound`,
    /// `session`.
    Handler(&'static str),
    /// The error's own answer, declared by its type ([`ErrorStatus::default_answer`](crate::ErrorStatus)).
    Declared,
    /// The built-in page, negotiated from `Accept`.
    BuiltIn,
}

impl fmt::Display for AnsweredBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handler(key) => f.write_str(key),
            Self::Declared => f.write_str("declared answer"),
            Self::BuiltIn => f.write_str("built-in default"),
        }
    }
}

impl ErrorReport {
    /// The status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The status of the error, which the response keeps unless its handler chose another.
    pub fn error_status(&self) -> StatusCode {
        self.error_status
    }

    /// The type of the error value, such as `errorhandler::HttpError` or `my_app::CheeseNotFound`.
    pub fn error_type(&self) -> &'static str {
        match &self.facts.0 {
            Some(facts) => facts.error_type,
            None => HTTP_ERROR_TYPE,
        }
    }

    /// The error's message: its `Display`.
    pub fn message(&self) -> Cow<'_, str> {
        match &self.facts.0 {
            Some(Facts {
                message: Some(message),
                ..
            }) => Cow::Borrowed(message),
            _ => Cow::Owned(self.message_text().to_string()),
        }
    }

    /// The messages of its `source()` chain, nearest first (the error's own message not included).
    pub fn causes(&self) -> impl ExactSizeIterator<Item = &str> {
        let causes: &[String] = match &self.facts.0 {
            Some(facts) => &facts.causes,
            None => &[],
        };
        causes.iter().map(String::as_str)
    }

    /// What answered it.
    pub fn answered_by(&self) -> AnsweredBy {
        self.answered_by
    }

    /// Why the handler chosen for the error gave no answer (it panicked, or one of its extractors rejected the
    /// request), when the error's default answered instead.
    pub fn handler_failure(&self) -> Option<&str> {
        self.failure.as_ref().map(|failure| &*failure.text)
    }

    /// Where the route (or handler) panicked, `file:line:column`, when the answer is to a panic and the panic hook
    /// the layer installs saw it.
    pub fn panic_location(&self) -> Option<&str> {
        self.facts.0.as_ref()?.panic_location.as_deref()
    }

    /// The message as `Display`, which writes a bare status's without allocating.
    fn message_text(&self) -> MessageText<'_> {
        MessageText(self)
    }
}

struct MessageText<'a>(&'a ErrorReport);

impl fmt::Display for MessageText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.facts.0 {
            Some(Facts {
                message: Some(message),
                ..
            }) => f.write_str(message),
            _ => fmt::Display::fmt(&HttpError::new(self.0.error_status), f),
        }
    }
}

/// A report's causes as a `Debug` list.
struct Causes<'a>(&'a ErrorReport);

impl fmt::Debug for Causes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.causes()).finish()
    }
}

impl fmt::Debug for ErrorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ErrorReport");
        debug
            .field("status", &self.status)
            .field("error_type", &self.error_type())
            .field("message", &self.message())
            .field("causes", &Causes(self))
            .field("answered_by", &self.answered_by);
        if let Some(location) = self.panic_location() {
            debug.field("panic_location", &location);
        }
        if let Some(failure) = self.handler_failure() {
            debug.field("handler_failure", &failure);
        }
        debug.finish()
    }
}

/// What a report says of its error, read before the error goes to its handler (which may consume it): nothing
/// for a bare `HttpError`, whose message follows from its status, so the router's 404 costs no allocation.
// Inline rather than boxed: it waits beside a running handler, in a variant of the layer's response future that
// is smaller than the route's own.
#[derive(Clone)]
pub(crate) struct ErrorFacts(Option<Facts>);

#[derive(Clone)]
struct Facts {
    error_type: &'static str,
    // A `String` as written: shrinking it to a `Box<str>` would cost a reallocation. `None` for an `HttpError`
    // without a description, whose message follows from its status (a panic's 500).
    message: Option<String>,
    causes: Box<[String]>,
    panic_location: Option<String>,
}

impl ErrorFacts {
    /// The facts of `error`.
    pub(crate) fn of(error: &Error) -> Self {
        match error.downcast_ref::<HttpError>() {
            Some(http_error) => Self::of_http_error(http_error),
            None => Self::of_chain(error.type_name(), error.get_ref(), true),
        }
    }

    /// The facts of an `HttpError`.
    pub(crate) fn of_http_error(error: &HttpError) -> Self {
        if error.is_bare() {
            Self(None)
        } else {
            // Without a description, its message follows from its status, as a bare one's does.
            let described = error.given_description().is_some();
            Self::of_chain(HTTP_ERROR_TYPE, error, described)
        }
    }

    fn of_chain(
        error_type: &'static str,
        error: &(dyn std::error::Error + 'static),
        own_message: bool,
    ) -> Self {
        let mut panic_location = None;
        let causes = std::iter::successors(error.source(), |cause| cause.source())
            .map(|cause| {
                if let Some(panic) = cause.downcast_ref::<Panic>() {
                    panic_location = panic.location().map(str::to_owned);
                }
                message_of(cause)
            })
            .collect();
        Self(Some(Facts {
            error_type,
            message: own_message.then(|| message_of(error)),
            causes,
            panic_location,
        }))
    }

    /// The report of the answer of `status`, which `answered_by` gave, to an error of `error_status`.
    pub(crate) fn report(
        self,
        status: StatusCode,
        error_status: StatusCode,
        answered_by: AnsweredBy,
        failure: Option<HandlerFailure>,
    ) -> ErrorReport {
        ErrorReport {
            status,
            error_status,
            answered_by,
            facts: self,
            failure,
        }
    }
}

/// `error`'s `Display`, written once into room that most messages fit, rather than grown as it is written.
fn message_of(error: &dyn std::error::Error) -> String {
    use std::fmt::Write as _;
    let mut message = String::with_capacity(64);
    // Writing to a `String` fails only when the error's `Display` does.
    let _ = write!(message, "{error}");
    message
}

/// The levels a layer logs its answers at, by class; `None` logs nothing for that class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogLevels {
    pub(crate) client_errors: Option<Level>,
    pub(crate) server_errors: Option<Level>,
}

impl Default for LogLevels {
    /// 5xx at `ERROR`, 4xx at `DEBUG`: a flood of 404s does not fill the logs.
    fn default() -> Self {
        Self {
            client_errors: Some(Level::DEBUG),
            server_errors: Some(Level::ERROR),
        }
    }
}

impl LogLevels {
    /// The level of an answer of `status` to an error of `error_status`: the class of the answer's own status, or
    /// of the error's when the answer is not an error (a `Recovered` one).
    fn level(self, status: StatusCode, error_status: StatusCode) -> Option<Level> {
        let class = if status.is_client_error() || status.is_server_error() {
            status
        } else {
            error_status
        };
        if class.is_server_error() {
            self.server_errors
        } else {
            self.client_errors
        }
    }
}

/// The one event of an answer, logged where it is answered, in the request's span.
macro_rules! answer_event {
    ($level:expr, $report:expr) => {{
        let report: &ErrorReport = $report;
        tracing::event!(
            target: "errorhandler",
            $level,
            status = report.status.as_u16(),
            error = %report.message_text(),
            error.type = report.error_type(),
            error.sources = ?Causes(report),
            answered_by = %report.answered_by,
            panic.location = report.panic_location(),
            handler.failure = report.handler_failure(),
            "answered an error",
        )
    }};
}

/// Logs `report` at the level `levels` give its class.
pub(crate) fn log(report: &ErrorReport, levels: LogLevels) {
    // Each level is its own call site: `tracing` needs the level of an event to be a constant. An event nobody
    // listens to stops at the call site's interest, before its fields are written.
    let level = if report
        .failure
        .as_ref()
        .is_some_and(|failure| failure.panicked)
    {
        levels.server_errors
    } else {
        levels.level(report.status, report.error_status)
    };
    match level {
        Some(Level::ERROR) => answer_event!(Level::ERROR, report),
        Some(Level::WARN) => answer_event!(Level::WARN, report),
        Some(Level::INFO) => answer_event!(Level::INFO, report),
        Some(Level::DEBUG) => answer_event!(Level::DEBUG, report),
        Some(Level::TRACE) => answer_event!(Level::TRACE, report),
        None => {}
    }
}
