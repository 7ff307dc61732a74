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
use http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::caught::{ErrorBody, Panic};
use crate::defaults::Format;
use crate::error::{CarriedError, Error};
use crate::error_status::enforce;
use crate::handlers::{ErrorHandlers, HandlerId, RequestHead};
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
                phase: Phase::Handling {
                    future: handle_panic::<H>(payload, context),
                },
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
        Route { #[pin] future: CatchUnwind<AssertUnwindSafe<F>> },
        Handling { future: Pin<Box<dyn Future<Output = Response> + Send>> },
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
                PhaseProjection::Handling { future } => return future.as_mut().poll(cx).map(Ok),
                PhaseProjection::Route { future } => {
                    let outcome = ready!(future.poll(cx));
                    let context = this
                        .context
                        .take()
                        .expect("ResponseFuture polled after completion");
                    match outcome {
                        Ok(Ok(response)) => {
                            match on_response::<H>(response.map(Body::new), context) {
                                Outcome::PassThrough(response) => return Poll::Ready(Ok(response)),
                                Outcome::Handle(future) => future,
                            }
                        }
                        Ok(Err(error)) => return Poll::Ready(Err(error)),
                        Err(payload) => handle_panic::<H>(payload, context),
                    }
                }
            };
            this.phase.set(Phase::Handling { future: handling });
        }
    }
}

/// What the layer needs of a request once its response is known.
struct RequestContext<S> {
    accept: Option<HeaderValue>,
    head: Option<RequestHead<S>>,
}

impl<S> RequestContext<S> {
    fn capture<H: ErrorHandlers<State = S>, B>(request: &Request<B>, state: &Arc<S>) -> Self {
        let accept = request.headers().get(header::ACCEPT).cloned();
        let head = H::needs_request_head().then(|| RequestHead {
            parts: snapshot(request),
            state: Some(Arc::clone(state)),
        });
        Self { accept, head }
    }
}

fn snapshot<B>(request: &Request<B>) -> http::request::Parts {
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.method = request.method().clone();
    parts.uri = request.uri().clone();
    parts.version = request.version();
    parts.headers = request.headers().clone();
    parts.extensions = request.extensions().clone();
    parts
}

fn empty_head<S>() -> RequestHead<S> {
    RequestHead {
        parts: Request::new(()).into_parts().0,
        state: None,
    }
}

type Handling = Pin<Box<dyn Future<Output = Response> + Send>>;

enum Outcome {
    PassThrough(Response),
    Handle(Handling),
}

fn on_response<H: ErrorHandlers>(
    mut response: Response,
    context: RequestContext<H::State>,
) -> Outcome {
    // An inner layer (a nested router's) already answered this error: outer layers leave its answer alone.
    if response.extensions().get::<Handled>().is_some() {
        return Outcome::PassThrough(response);
    }
    if let Some(error) = response
        .extensions_mut()
        .remove::<CarriedError>()
        .and_then(CarriedError::take)
    {
        let kept = take_protocol_headers(response.headers_mut());
        return match H::select(&error) {
            Some(handler) => Outcome::Handle(Box::pin(run::<H>(handler, error, kept, context))),
            None => {
                let mut response = default_answer(&error, &context);
                restore_protocol_headers(response.headers_mut(), kept);
                response.extensions_mut().insert(Handled);
                Outcome::PassThrough(response)
            }
        };
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Outcome::PassThrough(response);
    }
    match H::select(&Error::from(HttpError::new(status))) {
        Some(handler) => Outcome::Handle(Box::pin(run_untyped::<H>(handler, response, context))),
        None => Outcome::PassThrough(response),
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
    let error = Error::from(HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).with_source(panic));
    match H::select(&error) {
        Some(handler) => Box::pin(run::<H>(handler, error, HeaderMap::new(), context)),
        None => {
            let mut response = default_answer(&error, &context);
            response.extensions_mut().insert(Handled);
            Box::pin(std::future::ready(response))
        }
    }
}

/// The longest text body of an untyped error response that becomes the error's description.
const DESCRIPTION_LIMIT: usize = 16 * 1024;

async fn run_untyped<H: ErrorHandlers>(
    handler: HandlerId,
    response: Response,
    context: RequestContext<H::State>,
) -> Response {
    let (mut head, body) = response.into_parts();
    let kept = take_protocol_headers(&mut head.headers);
    let mut error = HttpError::new(head.status);
    if let Some(text) = body_text(&head.headers, body).await {
        error = if head.status.is_client_error() {
            error.with_description(text)
        } else {
            error.with_source(ErrorBody(text))
        };
    }
    run::<H>(handler, Error::from(error), kept, context).await
}

/// The body of an error response as text, when it is short plain text (axum's rejections are).
async fn body_text(headers: &HeaderMap, body: Body) -> Option<String> {
    let is_text = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"));
    if !is_text {
        return None;
    }
    let bytes = http_body_util::Limited::new(body, DESCRIPTION_LIMIT)
        .collect()
        .await
        .ok()?
        .to_bytes();
    let text = String::from_utf8(bytes.into()).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

async fn run<H: ErrorHandlers>(
    handler: HandlerId,
    error: Error,
    kept: HeaderMap,
    context: RequestContext<H::State>,
) -> Response {
    let status = error.status();
    let fallback = error.fallback();
    let enforced_headers = error.enforced_headers();
    let head = context.head.unwrap_or_else(empty_head);
    let outcome = AssertUnwindSafe(async move { H::call(handler, error, head).await })
        .catch_unwind()
        .await;
    let mut response = match outcome {
        Ok(Ok(response)) => apply_status_policy(response, status),
        Ok(Err(_rejected)) => {
            tracing::warn!(
                handler = handler.index(),
                "an extractor of the error handler rejected the request; answering the built-in default"
            );
            fallback.render(Format::negotiate(context.accept.as_ref()))
        }
        Err(payload) => {
            let panic = Panic::from_payload(payload);
            tracing::error!(
                handler = handler.index(),
                message = panic.message(),
                "error handler panicked; answering the built-in default"
            );
            fallback.render(Format::negotiate(context.accept.as_ref()))
        }
    };
    enforce(response.headers_mut(), &enforced_headers);
    restore_protocol_headers(response.headers_mut(), kept);
    response.extensions_mut().insert(Handled);
    response
}

/// The answer to an error that no handler takes: its default, with the headers it enforces.
fn default_answer<S>(error: &Error, context: &RequestContext<S>) -> Response {
    let mut response = error
        .fallback()
        .render(Format::negotiate(context.accept.as_ref()));
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

fn take_protocol_headers(headers: &mut HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in PROTOCOL_HEADERS {
        if let header::Entry::Occupied(entry) = headers.entry(name) {
            let (name, values) = entry.remove_entry_mult();
            for value in values {
                kept.append(name.clone(), value);
            }
        }
    }
    kept
}

fn restore_protocol_headers(headers: &mut HeaderMap, kept: HeaderMap) {
    let mut current = None;
    for (name, value) in kept {
        if let Some(name) = name {
            current = (!headers.contains_key(&name)).then_some(name);
        }
        if let Some(name) = &current {
            headers.append(name.clone(), value);
        }
    }
}
