//! The tower layer that serves a handler set: it watches responses for errors and dispatches them.

use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::body::{Body, Bytes};
use axum::response::Response;
use futures_util::FutureExt as _;
use futures_util::future::CatchUnwind;
use http::{Extensions, HeaderMap, HeaderValue, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::caught::{ErrorBody, Panic};
use crate::defaults::{DefaultPage, Fallback, Format};
use crate::error::{CarriedError, Error};
use crate::error_status::enforce;
use crate::handlers::{
    ErrorHandlers, HandlerCall, HandlerFuture, HandlerId, HeadParts, RequestHead,
};
use crate::http_error::HttpError;

/// The layer of a handler set `H`; built by `H::layer()` or `H::with_state(state)`.
pub struct ErrorLayer<H: ErrorHandlers> {
    state: Arc<H::State>,
}

/// The service [`ErrorLayer`] wraps around a router or route.
pub struct ErrorService<Inner, H: ErrorHandlers> {
    inner: Inner,
    state: Arc<H::State>,
}

/// Wraps a handler's response so that it may answer an error with a 2xx status.
///
/// Without it, a handler that returns a success status (`Html(...)` alone is a 200) answers with the error's
/// status instead, so a handler never turns an error into a success by accident.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recovered<T>(pub T);

impl<T: axum::response::IntoResponse> axum::response::IntoResponse for Recovered<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.extensions_mut().insert(RecoveredMarker);
        response
    }
}

impl<H: ErrorHandlers> ErrorLayer<H> {
    /// A layer whose handlers' extractors read `state`.
    pub fn new(state: H::State) -> Self {
        Self {
            state: Arc::new(state),
        }
    }
}

impl<H: ErrorHandlers> Clone for ErrorLayer<H> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
        }
    }
}

impl<Inner, H: ErrorHandlers> Layer<Inner> for ErrorLayer<H> {
    type Service = ErrorService<Inner, H>;

    fn layer(&self, inner: Inner) -> Self::Service {
        ErrorService {
            inner,
            state: Arc::clone(&self.state),
        }
    }
}

impl<Inner: Clone, H: ErrorHandlers> Clone for ErrorService<Inner, H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            state: Arc::clone(&self.state),
        }
    }
}

impl<Inner, H, ReqBody, ResBody> Service<Request<ReqBody>> for ErrorService<Inner, H>
where
    Inner: Service<Request<ReqBody>, Response = Response<ResBody>>,
    H: ErrorHandlers,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Inner::Error;
    type Future = ResponseFuture<Inner::Future, H>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let context = RequestContext::capture::<H, _>(&request, &self.state);
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => ResponseFuture {
                phase: Phase::Route {
                    future: AssertUnwindSafe(future).catch_unwind(),
                },
                context: Some(context),
                handlers: PhantomData,
            },
            Err(payload) => ResponseFuture {
                phase: handle_panic::<H>(payload, context).into_phase(),
                context: None,
                handlers: PhantomData,
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`ErrorService`].
    pub struct ResponseFuture<F, H: ErrorHandlers> {
        #[pin]
        phase: Phase<F>,
        context: Option<RequestContext<H::State>>,
        handlers: PhantomData<fn() -> H>,
    }
}

pin_project_lite::pin_project! {
    #[project = PhaseProjection]
    enum Phase<F> {
        // The route runs.
        Route { #[pin] future: CatchUnwind<AssertUnwindSafe<F>> },
        // A handler runs, then `finish` completes its answer: no future of the layer's own is boxed.
        Handler { future: CatchUnwind<AssertUnwindSafe<HandlerFuture>>, finish: Option<Finish> },
        // The rare answer that first reads the error response's body (axum's plain-text rejections).
        Boxed { future: Pin<Box<dyn Future<Output = Response> + Send>> },
        // An answer known at once.
        Ready { response: Option<Response> },
    }
}

impl<F, H, ResBody, E> Future for ResponseFuture<F, H>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    H: ErrorHandlers,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let handling = match this.phase.as_mut().project() {
                PhaseProjection::Handler { future, finish } => {
                    let outcome = ready!(future.poll_unpin(cx));
                    let finish = finish
                        .take()
                        .expect("ResponseFuture polled after completion");
                    return Poll::Ready(Ok(finish.answer(outcome)));
                }
                PhaseProjection::Boxed { future } => return future.as_mut().poll(cx).map(Ok),
                PhaseProjection::Ready { response } => {
                    let response = response
                        .take()
                        .expect("ResponseFuture polled after completion");
                    return Poll::Ready(Ok(response));
                }
                PhaseProjection::Route { future } => {
                    let outcome = ready!(future.poll(cx));
                    let context = this
                        .context
                        .take()
                        .expect("ResponseFuture polled after completion");
                    match outcome {
                        Ok(Ok(response)) => on_response::<H>(response.map(Body::new), context),
                        Ok(Err(error)) => return Poll::Ready(Err(error)),
                        Err(payload) => handle_panic::<H>(payload, context),
                    }
                }
            };
            // The new phase's future is polled at once, on the next turn of the loop.
            this.phase.set(handling.into_phase());
        }
    }
}

/// What the layer needs of a request once its response is known.
struct RequestContext<S> {
    accept: Option<HeaderValue>,
    // Boxed: the response future of a set that reads no head (most sets) stays small, so moving it is cheap.
    head: Option<Box<RequestHead<S>>>,
}

impl<S> RequestContext<S> {
    fn capture<H: ErrorHandlers<State = S>, B>(request: &Request<B>, state: &Arc<S>) -> Self {
        let accept = request.headers().get(header::ACCEPT).cloned();
        let head = H::needs_request_head().then(|| {
            Box::new(RequestHead {
                parts: snapshot(request, H::request_head_parts()),
                state: Arc::clone(state),
            })
        });
        Self { accept, head }
    }
}

/// A copy of the parts of `request`'s head that the handlers read; the others are left empty.
fn snapshot<B>(request: &Request<B>, wanted: HeadParts) -> http::request::Parts {
    let (mut parts, ()) = Request::new(()).into_parts();
    if wanted.method {
        parts.method = request.method().clone();
    }
    if wanted.uri {
        parts.uri = request.uri().clone();
    }
    if wanted.version {
        parts.version = request.version();
    }
    if wanted.headers {
        parts.headers = request.headers().clone();
    }
    if wanted.extensions {
        parts.extensions = request.extensions().clone();
    }
    parts
}

/// What the layer does with a route's response.
// Moved once, into the response future's phase; boxing the large variant would cost the allocation this saves.
#[allow(clippy::large_enum_variant)]
enum Handling {
    /// Sends this response.
    Answer(Response),
    /// Runs a handler, then finishes its answer.
    Handler(HandlerFuture, Finish),
    /// Reads the response's body, then runs a handler.
    Boxed(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl Handling {
    fn into_phase<F>(self) -> Phase<F> {
        match self {
            Self::Answer(response) => Phase::Ready {
                response: Some(response),
            },
            Self::Handler(future, finish) => Phase::Handler {
                future: AssertUnwindSafe(future).catch_unwind(),
                finish: Some(finish),
            },
            Self::Boxed(future) => Phase::Boxed { future },
        }
    }
}

fn on_response<H: ErrorHandlers>(
    mut response: Response,
    context: RequestContext<H::State>,
) -> Handling {
    // An inner layer (a nested router's) already answered this error: outer layers leave its answer alone.
    if response.extensions().get::<Handled>().is_some() {
        return Handling::Answer(response);
    }
    if let Some((error, declared_answer)) = response
        .extensions_mut()
        .remove::<CarriedError>()
        .and_then(CarriedError::take)
    {
        return on_error::<H>(response, error, declared_answer, context);
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Handling::Answer(response);
    }
    let Some(handler) = H::select_status(status) else {
        return Handling::Answer(response);
    };
    if is_plain_text(response.headers()) {
        return Handling::Boxed(Box::pin(run_untyped::<H>(handler, response, context)));
    }
    let kept = take_protocol_headers(response.headers_mut());
    let marks = spare_map(response.extensions_mut());
    start_with::<H>(
        handler,
        Error::from_http_error(HttpError::new(status)),
        Owed::bare(status),
        kept,
        marks,
        context,
    )
}

/// The route's `response` carried `error`; `declared_answer` when that response is the error's declared answer.
fn on_error<H: ErrorHandlers>(
    mut response: Response,
    error: Error,
    declared_answer: bool,
    context: RequestContext<H::State>,
) -> Handling {
    let handler = H::select(&error);
    if handler.is_none() && declared_answer {
        // Its declared answer depends on nothing of the request: the route's response is that answer already.
        let marks = spare_map(response.extensions_mut());
        mark_handled(&mut response, marks);
        return Handling::Answer(response);
    }
    let kept = take_protocol_headers(response.headers_mut());
    let marks = spare_map(response.extensions_mut());
    match handler {
        Some(handler) => {
            let owed = if declared_answer {
                // The route's response stands by in case the handler gives no answer, rather than a second one.
                Owed {
                    status: error.status(),
                    default: OwedDefault::Route(Box::new(response)),
                    enforced_headers: some_headers(error.enforced_headers()),
                }
            } else {
                Owed::of(&error)
            };
            start_with::<H>(handler, error, owed, kept, marks, context)
        }
        None => {
            let mut response = default_answer(&error, &context);
            restore_protocol_headers(response.headers_mut(), kept);
            mark_handled(&mut response, marks);
            Handling::Answer(response)
        }
    }
}

fn handle_panic<H: ErrorHandlers>(
    payload: Box<dyn std::any::Any + Send>,
    context: RequestContext<H::State>,
) -> Handling {
    let panic = Panic::from_payload(payload);
    tracing::error!(
        message = panic.message(),
        "route panicked; answering 500 Internal Server Error"
    );
    let error = Error::from_http_error(
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).with_source(panic),
    );
    match H::select(&error) {
        // What a bare 500 owes: `Panic` is the crate's own type, which no one can declare.
        Some(handler) => start_with::<H>(
            handler,
            error,
            Owed::bare(StatusCode::INTERNAL_SERVER_ERROR),
            None,
            Extensions::new(),
            context,
        ),
        None => {
            let mut response = default_answer(&error, &context);
            mark_handled(&mut response, Extensions::new());
            Handling::Answer(response)
        }
    }
}

/// The longest text body of an untyped error response that becomes the error's description.
const DESCRIPTION_LIMIT: usize = 16 * 1024;

/// An error response without an error value whose body is read as the error's description: axum's rejections.
async fn run_untyped<H: ErrorHandlers>(
    handler: HandlerId,
    response: Response,
    context: RequestContext<H::State>,
) -> Response {
    let (mut head, body) = response.into_parts();
    let kept = take_protocol_headers(&mut head.headers);
    let mut error = HttpError::new(head.status);
    if let Some(text) = body_text(body).await {
        error = if head.status.is_client_error() {
            error.with_description(text)
        } else {
            error.with_source(ErrorBody(text))
        };
    }
    let marks = spare_map(&mut head.extensions);
    match start::<H>(handler, Error::from_http_error(error), kept, marks, context) {
        Handling::Handler(future, finish) => {
            let outcome = AssertUnwindSafe(future).catch_unwind().await;
            finish.answer(outcome)
        }
        Handling::Answer(response) => response,
        Handling::Boxed(future) => future.await,
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

/// Starts `handler` on `error`; [`Finish`] completes its answer.
fn start<H: ErrorHandlers>(
    handler: HandlerId,
    error: Error,
    kept: Headers,
    marks: Extensions,
    context: RequestContext<H::State>,
) -> Handling {
    let owed = Owed::of(&error);
    start_with::<H>(handler, error, owed, kept, marks, context)
}

/// [`start`] with what the answer owes the error already known.
fn start_with<H: ErrorHandlers>(
    handler: HandlerId,
    error: Error,
    owed: Owed,
    kept: Headers,
    marks: Extensions,
    context: RequestContext<H::State>,
) -> Handling {
    let finish = Finish {
        handler,
        status: owed.status,
        default: owed.default,
        enforced_headers: owed.enforced_headers,
        kept,
        marks,
        accept: context.accept,
    };
    let head = context.head.map(|head| *head);
    match std::panic::catch_unwind(AssertUnwindSafe(|| H::call(handler, error, head))) {
        Ok(HandlerCall::Ready(response)) => Handling::Answer(finish.answer(Ok(response))),
        Ok(HandlerCall::Pending(future)) => Handling::Handler(future, finish),
        Err(payload) => Handling::Answer(finish.answer(Err(payload))),
    }
}

/// Headers carried beside an answer, boxed because most answers carry none: the response future stays small.
type Headers = Option<Box<HeaderMap>>;

fn some_headers(headers: HeaderMap) -> Headers {
    (!headers.is_empty()).then(|| Box::new(headers))
}

/// What an answer to an error owes it, taken before the error goes to its handler.
struct Owed {
    status: StatusCode,
    default: OwedDefault,
    enforced_headers: Headers,
}

/// What answers an error whose handler gives no answer.
enum OwedDefault {
    /// Its fallback, to render (the built-in page is negotiated); the enforced headers go on after.
    Fallback(Fallback),
    /// The route's response, which is the error's declared answer with its enforced headers on already.
    Route(Box<Response>),
}

impl OwedDefault {
    /// The answer, and whether it carries the enforced headers already.
    fn answer(self, accept: Option<&HeaderValue>) -> (Response, bool) {
        match self {
            Self::Fallback(fallback) => (fallback.render(Format::negotiate(accept)), false),
            Self::Route(response) => (*response, true),
        }
    }
}

impl Owed {
    fn of(error: &Error) -> Self {
        Self {
            status: error.status(),
            default: OwedDefault::Fallback(error.fallback()),
            enforced_headers: some_headers(error.enforced_headers()),
        }
    }

    /// What a bare `HttpError` of `status` owes, without looking it up: its status, the built-in page, and no
    /// enforced header (`HttpError` declares none, and a bare one has no source).
    fn bare(status: StatusCode) -> Self {
        Self {
            status,
            default: OwedDefault::Fallback(Fallback::Page(DefaultPage::new(status, None))),
            enforced_headers: None,
        }
    }
}

/// What completes a handler's answer once it is known: the status policy, the enforced and protocol headers,
/// the `Handled` mark; or the error's default when the handler failed.
struct Finish {
    handler: HandlerId,
    status: StatusCode,
    default: OwedDefault,
    enforced_headers: Headers,
    kept: Headers,
    marks: Extensions,
    accept: Option<HeaderValue>,
}

impl Finish {
    fn answer(self, outcome: Result<Option<Response>, Box<dyn std::any::Any + Send>>) -> Response {
        let handler = self.handler.index();
        let (mut response, enforced_already) = match outcome {
            Ok(Some(response)) => (apply_status_policy(response, self.status), false),
            Ok(None) => {
                tracing::warn!(
                    handler,
                    "the error handler gave no answer (an extractor rejected the request, or the error did not fit its parameter); answering the error's default"
                );
                self.default.answer(self.accept.as_ref())
            }
            Err(payload) => {
                let panic = Panic::from_payload(payload);
                tracing::error!(
                    handler,
                    message = panic.message(),
                    "error handler panicked; answering the error's default"
                );
                self.default.answer(self.accept.as_ref())
            }
        };
        // `Set-Cookie` values add up: enforcing them on an answer that has them already would send them twice.
        if let Some(enforced) = self.enforced_headers.as_ref().filter(|_| !enforced_already) {
            enforce(response.headers_mut(), enforced);
        }
        restore_protocol_headers(response.headers_mut(), self.kept);
        mark_handled(&mut response, self.marks);
        response
    }
}

/// The route's extension map when it holds nothing any more (it was allocated to carry the error value), to
/// carry the `Handled` mark without allocating another; an empty one otherwise, whose entries are not carried
/// over to the handler's answer.
fn spare_map(extensions: &mut Extensions) -> Extensions {
    if extensions.is_empty() {
        std::mem::take(extensions)
    } else {
        Extensions::new()
    }
}

/// Marks `response` as an answer to an error, in `marks`, a spare extension map when the route's response had
/// one, so that the mark costs no new map.
fn mark_handled(response: &mut Response, mut marks: Extensions) {
    marks.insert(Handled);
    response.extensions_mut().extend(marks);
}

/// The answer to an error that no handler takes: its default, with the headers it enforces.
fn default_answer<S>(error: &Error, context: &RequestContext<S>) -> Response {
    let mut response = error.default_answer(Format::negotiate(context.accept.as_ref()));
    enforce(response.headers_mut(), &error.enforced_headers());
    response
}

#[derive(Clone, Copy)]
struct RecoveredMarker;

/// Marks a response a handler (or the built-in default) produced for an error.
#[derive(Clone, Copy)]
struct Handled;

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

fn take_protocol_headers(headers: &mut HeaderMap) -> Headers {
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
