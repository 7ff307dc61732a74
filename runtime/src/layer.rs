//! The tower layer that serves a handler set: the layer, its service, and the response future that runs the route,
//! then the handler that [dispatch](crate::dispatch) chose for its error.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Level;

use crate::__private::{ErrorHandlers, HandlerFuture, HandlerId};
use crate::answer::Answer;
use crate::caught::{Panic, Scope, catch, install_panic_hook};
use crate::dispatch::{Step, read_body_panicked, route_answered, route_failed, route_panicked};
use crate::report::LogLevels;
use crate::request_head::RequestContext;

/// The layer of a handler set `H`; built by `H::layer()` or `H::with_state(state)`.
///
/// Every error it answers is logged once, with `tracing` (5xx at `ERROR`, 4xx at `DEBUG` unless set otherwise
/// here), and reported to the layers outside it by an [`ErrorReport`](crate::ErrorReport) in the response's
/// extensions.
pub struct ErrorLayer<H: ErrorHandlers> {
    state: Arc<H::State>,
    levels: LogLevels,
}

/// The service [`ErrorLayer`] wraps around a router or route.
///
/// Errors the wrapped service returns (those of tower middleware inside the layer, such as a timeout's `Elapsed`
/// or load shedding's `Overloaded`) are dispatched to the set's handlers like a route's errors, so it never fails:
/// no `HandleErrorLayer` is needed.
pub struct ErrorService<Inner, H: ErrorHandlers> {
    inner: Inner,
    state: Arc<H::State>,
    levels: LogLevels,
    // The error the wrapped service gave when asked whether it was ready, answered by the next call.
    not_ready: Option<axum::BoxError>,
}

impl<H: ErrorHandlers> ErrorLayer<H> {
    /// A layer whose handlers' extractors read `state`: what `SiteErrors::layer()` and `with_state` return.
    pub(crate) fn new(state: H::State) -> Self {
        // The hook records where a caught panic happened, for the log; see `Panic::location`.
        install_panic_hook();
        Self {
            state: Arc::new(state),
            levels: LogLevels::default(),
        }
    }

    /// The level its answers to client errors (4xx) are logged at; `None` logs none. `DEBUG` by default, so that a
    /// flood of 404s does not fill the logs.
    pub fn client_error_level(mut self, level: Option<Level>) -> Self {
        self.levels.client_errors = level;
        self
    }

    /// The level its answers to server errors (5xx) are logged at; `None` logs none. `ERROR` by default.
    pub fn server_error_level(mut self, level: Option<Level>) -> Self {
        self.levels.server_errors = level;
        self
    }
}

impl<H: ErrorHandlers> Clone for ErrorLayer<H> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
            levels: self.levels,
        }
    }
}

impl<Inner, H: ErrorHandlers> Layer<Inner> for ErrorLayer<H> {
    type Service = ErrorService<Inner, H>;

    fn layer(&self, inner: Inner) -> Self::Service {
        ErrorService {
            inner,
            state: Arc::clone(&self.state),
            levels: self.levels,
            not_ready: None,
        }
    }
}

impl<Inner: Clone, H: ErrorHandlers> Clone for ErrorService<Inner, H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            state: Arc::clone(&self.state),
            levels: self.levels,
            not_ready: None,
        }
    }
}

impl<Inner, H, ReqBody, ResBody> Service<Request<ReqBody>> for ErrorService<Inner, H>
where
    Inner: Service<Request<ReqBody>, Response = Response<ResBody>>,
    Inner::Error: Into<axum::BoxError>,
    H: ErrorHandlers,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture<Inner::Future, H>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.not_ready.is_none()
            && let Err(error) = ready!(self.inner.poll_ready(cx))
        {
            self.not_ready = Some(error.into());
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let wanted = H::needs_request_head().then(H::request_head_parts);
        let context = RequestContext::capture(&request, &self.state, wanted);
        if let Some(error) = self.not_ready.take() {
            return ResponseFuture {
                kind: Kind::from(route_failed::<H>(error, context, self.levels)),
                context: None,
                levels: self.levels,
                handlers: PhantomData,
            };
        }
        match catch(Scope::Route, || self.inner.call(request)) {
            Ok(future) => ResponseFuture {
                kind: Kind::Route { future },
                context: Some(context),
                levels: self.levels,
                handlers: PhantomData,
            },
            Err(payload) => ResponseFuture {
                kind: Kind::from(route_panicked::<H>(
                    Panic::caught(payload),
                    context,
                    self.levels,
                )),
                context: None,
                levels: self.levels,
                handlers: PhantomData,
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`ErrorService`].
    pub struct ResponseFuture<F, H: ErrorHandlers> {
        #[pin]
        kind: Kind<F>,
        context: Option<RequestContext<H::State>>,
        levels: LogLevels,
        handlers: PhantomData<fn() -> H>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProjection]
    enum Kind<F> {
        // The route runs.
        Route { #[pin] future: F },
        // A handler runs, then its answer completes: no future of the layer's own is boxed.
        Handler {
            future: HandlerFuture,
            handler: HandlerId,
            answer: Option<Answer>,
        },
        // The rare answer that first reads the error response's body (axum's plain-text rejections).
        ReadBody { future: Pin<Box<dyn Future<Output = Response> + Send>> },
        // An answer known at once.
        Ready { response: Option<Response> },
    }
}

impl<F> From<Step> for Kind<F> {
    fn from(step: Step) -> Self {
        match step {
            Step::Send(response) => Self::Ready {
                response: Some(response),
            },
            Step::Handler(future, handler, answer) => Self::Handler {
                future,
                handler,
                answer: Some(answer),
            },
            Step::ReadBody(future) => Self::ReadBody { future },
        }
    }
}

impl<F, H, ResBody, E> Future for ResponseFuture<F, H>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    E: Into<axum::BoxError>,
    H: ErrorHandlers,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let step = match this.kind.as_mut().project() {
                KindProjection::Route { future } => {
                    let outcome = match catch(Scope::Route, || future.poll(cx)) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(outcome)) => Ok(outcome),
                        Err(payload) => Err(Panic::caught(payload)),
                    };
                    let context = this
                        .context
                        .take()
                        .expect("ResponseFuture polled after completion");
                    let step = match outcome {
                        Ok(Ok(response)) => {
                            route_answered::<H>(response.map(Body::new), context, *this.levels)
                        }
                        Ok(Err(error)) => route_failed::<H>(error.into(), context, *this.levels),
                        Err(panic) => route_panicked::<H>(panic, context, *this.levels),
                    };
                    // Most answers are known at once (a success, a handler without extractors): sent from here,
                    // without moving them into the future first. The context is gone: a later poll panics.
                    if let Step::Send(response) = step {
                        return Poll::Ready(Ok(response));
                    }
                    step
                }
                KindProjection::Handler {
                    future,
                    handler,
                    answer,
                } => {
                    let outcome = match catch(Scope::Handler, || future.as_mut().poll(cx)) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(outcome)) => Ok(outcome),
                        Err(payload) => Err(Panic::caught(payload)),
                    };
                    let answer = answer
                        .take()
                        .expect("ResponseFuture polled after completion");
                    return Poll::Ready(Ok(answer.finish(H::key(*handler), outcome)));
                }
                KindProjection::ReadBody { future } => {
                    return match catch(Scope::Handler, || future.as_mut().poll(cx)) {
                        Ok(poll) => poll.map(Ok),
                        Err(payload) => Poll::Ready(Ok(read_body_panicked(Panic::caught(payload)))),
                    };
                }
                KindProjection::Ready { response } => {
                    let response = response
                        .take()
                        .expect("ResponseFuture polled after completion");
                    return Poll::Ready(Ok(response));
                }
            };
            // The next step's future is polled at once, on the next turn of the loop.
            this.kind.set(Kind::from(step));
        }
    }
}
