//! Which handler of a set answers a route's response, or none: the dispatch decision, and the start of the handler
//! it chose.

use std::future::Future;
use std::pin::Pin;

use axum::body::Body;
use axum::response::Response;
use http::{Extensions, HeaderMap, StatusCode, header};
use http_body_util::BodyExt as _;

use crate::__private::RequestHead;
use crate::__private::{ErrorHandlers, HandlerCall, HandlerFuture, HandlerId};
use crate::answer::{Answer, declared_as_is, is_answered};
use crate::caught::{Catching, ErrorBody, Panic, Scope, catch};
use crate::defaults::{BuiltInPage, Format};
use crate::error::{CarriedError, Error};
use crate::http_error::HttpError;
use crate::report::LogLevels;
use crate::request_head::RequestContext;

/// What the layer does next with a route's response.
// Moved once, into the response future; boxing the large variant would cost the allocation this saves.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Step {
    /// Sends this response.
    Send(Response),
    /// Runs the handler, then completes its answer.
    Handler(HandlerFuture, HandlerId, Answer),
    /// Reads the body of an error response without an error value, then runs its handler.
    ReadBody(Pin<Box<dyn Future<Output = Response> + Send>>),
}

/// Dispatches the route's `response`: the error value it carries, or its error status; anything else is sent on.
pub(crate) fn route_answered<H: ErrorHandlers>(
    mut response: Response,
    context: RequestContext<H::State>,
    levels: LogLevels,
) -> Step {
    // An inner layer (a nested router's) already answered this error: outer layers leave its answer alone.
    if is_answered(&response) {
        return Step::Send(response);
    }
    if let Some((error, enforced_headers, page)) = response
        .extensions_mut()
        .remove::<CarriedError>()
        .and_then(CarriedError::take)
    {
        let handler = H::select(&error);
        if handler.is_none() && page.is_none() {
            // Its declared answer depends on nothing of the request: the route's response is that answer.
            return Step::Send(declared_as_is(&error, response, levels));
        }
        // The route's response stands by as the default answer when it is the declared one.
        let answer = Answer::carried(
            &error,
            enforced_headers,
            page,
            response,
            context.accept,
            levels,
        );
        return answer_with::<H>(handler, error, answer, context.head);
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Step::Send(response);
    }
    // No handler for an error response without an error value: the route answered it, and it is sent as it is.
    let Some(handler) = H::select_status(status) else {
        return Step::Send(response);
    };
    if is_plain_text(response.headers()) {
        return Step::ReadBody(Box::pin(read_body_then_run::<H>(
            handler, response, context, levels,
        )));
    }
    let error = HttpError::new(status);
    let (mut head, _) = response.into_parts();
    let answer = Answer::made(
        &error,
        &mut head.headers,
        &mut head.extensions,
        context.accept,
        levels,
    );
    start::<H>(handler, Error::from_http_error(error), answer, context.head)
}

/// Dispatches a panic of the route as a 500 whose cause is the panic.
pub(crate) fn route_panicked<H: ErrorHandlers>(
    panic: Panic,
    context: RequestContext<H::State>,
    levels: LogLevels,
) -> Step {
    let error = HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).with_source(panic);
    let answer = Answer::made(
        &error,
        &mut HeaderMap::new(),
        &mut Extensions::new(),
        context.accept,
        levels,
    );
    let error = Error::from_http_error(error);
    answer_with::<H>(H::select(&error), error, answer, context.head)
}

/// Dispatches an error the wrapped service returned instead of a response: tower middleware's (a timeout's
/// `Elapsed`, load shedding's `Overloaded`), with the status its type declares (500 for an undeclared one).
pub(crate) fn route_failed<H: ErrorHandlers>(
    error: axum::BoxError,
    context: RequestContext<H::State>,
    levels: LogLevels,
) -> Step {
    let error = Error::from_boxed(error);
    let answer = Answer::failed(&error, context.accept, levels);
    answer_with::<H>(H::select(&error), error, answer, context.head)
}

/// Starts `handler` on `error`, or, when the set has none for it, sends its default answer.
fn answer_with<H: ErrorHandlers>(
    handler: Option<HandlerId>,
    error: Error,
    answer: Answer,
    head: Option<Box<RequestHead<H::State>>>,
) -> Step {
    match handler {
        Some(handler) => start::<H>(handler, error, answer, head),
        None => Step::Send(answer.by_default()),
    }
}

/// Calls `handler` on `error`: its answer at once, or the handler's future to run.
#[inline]
fn start<H: ErrorHandlers>(
    handler: HandlerId,
    error: Error,
    answer: Answer,
    head: Option<Box<RequestHead<H::State>>>,
) -> Step {
    // The head stays boxed until the call: the closure moves a pointer, not the head.
    match catch(Scope::Handler, || {
        H::call(handler, error, head.map(|head| *head))
    }) {
        Ok(HandlerCall::Ready(response)) => {
            Step::Send(answer.finish(H::key(handler), Ok(response)))
        }
        Ok(HandlerCall::Pending(future)) => Step::Handler(future, handler, answer),
        Err(payload) => Step::Send(answer.finish(H::key(handler), Err(Panic::caught(payload)))),
    }
}

/// The answer when reading the body of an error response (a stream of the route's) panicked: the built-in 500,
/// since the error the body would have described is not known yet.
pub(crate) fn read_body_panicked(panic: Panic) -> Response {
    tracing::error!(
        target: "errorhandler",
        status = 500_u16,
        panic.message = panic.message(),
        panic.location = panic.location(),
        "reading the body of an error response panicked; answered the built-in 500",
    );
    BuiltInPage::new(StatusCode::INTERNAL_SERVER_ERROR, None).render(Format::PlainText)
}

/// The longest text body of an untyped error response that becomes the error's description.
const DESCRIPTION_LIMIT: usize = 16 * 1024;

/// Runs `handler` on an error response without an error value whose text body (axum's rejections) is read as
/// the error's description (4xx) or cause (5xx).
async fn read_body_then_run<H: ErrorHandlers>(
    handler: HandlerId,
    response: Response,
    context: RequestContext<H::State>,
    levels: LogLevels,
) -> Response {
    let (mut head, body) = response.into_parts();
    let mut error = HttpError::new(head.status);
    if let Some(text) = body_text(body).await {
        error = if head.status.is_client_error() {
            error.with_description(text)
        } else {
            error.with_source(ErrorBody(text))
        };
    }
    let answer = Answer::made(
        &error,
        &mut head.headers,
        &mut head.extensions,
        context.accept,
        levels,
    );
    match start::<H>(handler, Error::from_http_error(error), answer, context.head) {
        Step::Send(response) => response,
        Step::Handler(future, handler, answer) => {
            let outcome = Catching::new(Scope::Handler, future).await;
            answer.finish(H::key(handler), outcome)
        }
        Step::ReadBody(future) => future.await,
    }
}

fn is_plain_text(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"))
}

/// The body of an error response as text, when it is short (axum's rejections are).
async fn body_text(body: Body) -> Option<String> {
    let bytes = http_body_util::Limited::new(body, DESCRIPTION_LIMIT)
        .collect()
        .await
        .ok()?
        .to_bytes();
    let text = String::from_utf8(bytes.into()).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
