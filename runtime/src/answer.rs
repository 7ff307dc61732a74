//! The answer to an error: the status policy, the headers the protocol and the error's declaration require, the
//! default answer when no handler gives one, and the report and the log event of the answer, all in one place.

use axum::response::{IntoResponse, Response};
use http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};

use crate::caught::Panic;
use crate::defaults::{BuiltInPage, DefaultAnswer, Format};
use crate::error::{CarriedError, Error};
use crate::error_status::{Headers, enforce, some_headers};
use crate::http_error::HttpError;
use crate::report::{AnsweredBy, ErrorFacts, ErrorReport, HandlerFailure, LogLevels, log};

/// Wraps a handler's response so that it may answer an error with a 2xx status.
///
/// Without it, a handler that returns a success status (`Html(...)` alone is a 200) answers with the error's
/// status instead, so a handler never turns an error into a success by accident.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recovered<T>(pub T);

impl<T: IntoResponse> IntoResponse for Recovered<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.extensions_mut().insert(RecoveredMarker);
        response
    }
}

#[derive(Clone, Copy)]
struct RecoveredMarker;

/// Everything the answer to one error owes it, worked out before the error goes to its handler (which may consume
/// it): its status, the headers it enforces, its default answer, the protocol headers of the route's response,
/// and what its report will say.
pub(crate) struct Answer {
    status: StatusCode,
    enforced_headers: Headers,
    default: DefaultAnswer,
    protocol_headers: Headers,
    marks: Extensions,
    accept: Option<HeaderValue>,
    facts: ErrorFacts,
    levels: LogLevels,
    // Set when the handler chosen for the error gave no answer: the event and the report say so.
    failure: Option<HandlerFailure>,
}

impl Answer {
    /// The answer to `error`, carried by the route's response `route`, whose declaration asks for
    /// `enforced_headers` and, as its default answer, `page`, or the route's response when `page` is `None`.
    #[inline]
    pub(crate) fn carried(
        error: &Error,
        enforced_headers: HeaderMap,
        page: Option<BuiltInPage>,
        mut route: Response,
        accept: Option<HeaderValue>,
        levels: LogLevels,
    ) -> Self {
        let protocol_headers = take_protocol_headers(route.headers_mut());
        let marks = spare_map(route.extensions_mut());
        let default = match page {
            Some(page) => DefaultAnswer::BuiltIn(page),
            None => DefaultAnswer::Declared(Box::new(route)),
        };
        Self {
            status: error.status(),
            enforced_headers: some_headers(enforced_headers),
            default,
            protocol_headers,
            marks,
            accept,
            facts: ErrorFacts::of(error),
            levels,
            failure: None,
        }
    }

    /// The answer to `error`, which the wrapped service returned instead of a response.
    pub(crate) fn failed(error: &Error, accept: Option<HeaderValue>, levels: LogLevels) -> Self {
        let (enforced_headers, default) = error.terms();
        let default = match default {
            Ok(mut response) => {
                enforce(response.headers_mut(), &enforced_headers);
                DefaultAnswer::Declared(Box::new(response))
            }
            Err(page) => DefaultAnswer::BuiltIn(page),
        };
        Self {
            status: error.status(),
            enforced_headers: some_headers(enforced_headers),
            default,
            protocol_headers: None,
            marks: Extensions::new(),
            accept,
            facts: ErrorFacts::of(error),
            levels,
            failure: None,
        }
    }

    /// The answer to an `HttpError` the layer made (for a response without an error value, or a panic), whose
    /// route's response had `headers` and `extensions`: it owes its status, the built-in page with its
    /// description, and no enforced header (`HttpError` declares none).
    #[inline]
    pub(crate) fn made(
        error: &HttpError,
        headers: &mut HeaderMap,
        extensions: &mut Extensions,
        accept: Option<HeaderValue>,
        levels: LogLevels,
    ) -> Self {
        let status = error.status();
        Self {
            status,
            enforced_headers: None,
            default: DefaultAnswer::BuiltIn(BuiltInPage::new(status, error.given_description())),
            protocol_headers: take_protocol_headers(headers),
            marks: spare_map(extensions),
            accept,
            facts: ErrorFacts::of_http_error(error),
            levels,
            failure: None,
        }
    }

    /// Completes the answer of the handler `key`: its response under the status policy, or the error's default
    /// answer when it gave none (an extractor rejected the request, the error did not fit it, it panicked), which
    /// the answer's one event and report say.
    #[inline]
    pub(crate) fn finish(
        mut self,
        key: &'static str,
        outcome: Result<Option<Response>, Panic>,
    ) -> Response {
        match outcome {
            Ok(Some(response)) => {
                let response = apply_status_policy(response, self.status);
                self.complete(response, AnsweredBy::Handler(key))
            }
            Ok(None) => {
                self.failure = Some(HandlerFailure::no_answer(key));
                self.by_default()
            }
            Err(panic) => {
                self.failure = Some(HandlerFailure::panicked(key, &panic));
                self.by_default()
            }
        }
    }

    /// Answers with the error's default answer: no handler takes it, or its handler gave no answer.
    #[inline]
    pub(crate) fn by_default(mut self) -> Response {
        let default = std::mem::replace(
            &mut self.default,
            DefaultAnswer::BuiltIn(BuiltInPage::new(self.status, None)),
        );
        let answered_by = match default {
            DefaultAnswer::Declared(_) => AnsweredBy::Declared,
            DefaultAnswer::BuiltIn(_) => AnsweredBy::BuiltIn,
        };
        if let DefaultAnswer::Declared(_) = default {
            // The declared answer carries the enforced headers already: `Set-Cookie` values would add up.
            self.enforced_headers = None;
        }
        let response = default.render(Format::negotiate(self.accept.as_ref()));
        self.complete(response, answered_by)
    }

    /// Puts the enforced and protocol headers on `response`, and its report, which it logs.
    #[inline]
    fn complete(self, mut response: Response, answered_by: AnsweredBy) -> Response {
        let Self {
            status,
            enforced_headers,
            protocol_headers,
            mut marks,
            facts,
            levels,
            failure,
            ..
        } = self;
        if let Some(enforced) = &enforced_headers {
            enforce(response.headers_mut(), enforced);
        }
        restore_protocol_headers(response.headers_mut(), protocol_headers);
        let report = facts.report(response.status(), status, answered_by, failure);
        log(&report, levels);
        // The report also marks the response as answered: an outer layer leaves it alone.
        marks.insert(report);
        response.extensions_mut().extend(marks);
        response
    }
}

/// Sends the route's `response`, the declared answer of the error it carried, which no handler takes: it depends on
/// nothing of the request, so it is the answer as it stands.
pub(crate) fn declared_as_is(error: &Error, mut response: Response, levels: LogLevels) -> Response {
    let mut marks = spare_map(response.extensions_mut());
    let report = ErrorFacts::of(error).report(
        response.status(),
        error.status(),
        AnsweredBy::Declared,
        None,
    );
    log(&report, levels);
    marks.insert(report);
    response.extensions_mut().extend(marks);
    response
}

/// Whether `response` is an answer a layer gave to an error already (an inner set's): outer layers leave it alone.
pub(crate) fn is_answered(response: &Response) -> bool {
    response.extensions().get::<ErrorReport>().is_some()
}

/// The route's extension map when it holds nothing any more (it was allocated to carry the error value), to carry
/// the report without allocating another; an empty one otherwise, whose entries are not carried over to the
/// handler's answer.
fn spare_map(extensions: &mut Extensions) -> Extensions {
    if extensions.is_empty() {
        std::mem::take(extensions)
    } else {
        Extensions::new()
    }
}

/// A handler's response keeps the error's status unless the handler chose another non-2xx one.
fn apply_status_policy(mut response: Response, error_status: StatusCode) -> Response {
    // A handler's own error value is its response, not a new error: it is never dispatched again.
    response.extensions_mut().remove::<CarriedError>();
    if response
        .extensions_mut()
        .remove::<RecoveredMarker>()
        .is_some()
    {
        return response;
    }
    let own = response.status();
    if own.is_success() || own.is_informational() {
        *response.status_mut() = error_status;
    }
    response
}

/// The headers the protocol requires on an error response: `Allow` on 405, `WWW-Authenticate` on 401,
/// `Retry-After` on 503.
const PROTOCOL_HEADERS: [header::HeaderName; 3] =
    [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER];

/// Takes the protocol headers off the route's response, to put them back on the answer unless it sets them.
pub(crate) fn take_protocol_headers(headers: &mut HeaderMap) -> Headers {
    // Most error responses carry none of these: one pass over their few names costs less than three look-ups.
    if !headers.keys().any(|name| PROTOCOL_HEADERS.contains(name)) {
        return None;
    }
    let mut kept = HeaderMap::new();
    for name in PROTOCOL_HEADERS {
        // `entry` reserves room even for a name it does not find.
        if !headers.contains_key(&name) {
            continue;
        }
        if let header::Entry::Occupied(entry) = headers.entry(name) {
            let (name, values) = entry.remove_entry_mult();
            for value in values {
                kept.append(name.clone(), value);
            }
        }
    }
    Some(Box::new(kept))
}

fn restore_protocol_headers(headers: &mut HeaderMap, kept: Headers) {
    let Some(kept) = kept else {
        return;
    };
    let mut current = None;
    for (name, value) in *kept {
        if let Some(name) = name {
            current = (!headers.contains_key(&name)).then_some(name);
        }
        if let Some(name) = &current {
            headers.append(name.clone(), value);
        }
    }
}
