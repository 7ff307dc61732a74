//! What the layer catches that is not an error value of the route's: a panic (with where it happened), the body of
//! a 5xx response; and the scope of the code a layer runs, which the panic hook and `Error::into_response` read.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};

/// A panic caught in a route, handled as a 500; its message reaches the handlers and the log, never the client.
#[derive(Debug, thiserror::Error)]
#[error("the route panicked: {message}")]
pub struct Panic {
    message: String,
    location: Option<String>,
}

/// The text body of a 5xx response that carried no error value; kept for the handlers, never sent on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ErrorBody(pub String);

impl Panic {
    /// The panic's message, or a placeholder when the payload was not a string.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where it panicked, `file:line:column`, when the panic hook the layer installs saw it.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The panic whose unwinding [`catch`] just caught on this thread, with where the hook saw it happen.
    pub(crate) fn caught(payload: Box<dyn Any + Send>) -> Self {
        let location = if PANICKED.replace(false) {
            SEEN.take().and_then(|seen| seen.location)
        } else {
            None
        };
        let message = match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(message) => (*message).to_owned(),
                Err(_) => "Box<dyn Any>".to_owned(),
            },
        };
        Self { message, location }
    }
}

/// Whose code a layer is running, so that its panic is caught, and what an `errorhandler::Error` made there is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// No layer's.
    Outside,
    /// The route's: an `Error` turned into a response here travels to the layer, which answers it.
    Route,
    /// A handler's: its answer is final, an `Error` in it answers for itself.
    Handler,
}

/// What the panic hook saw of a panic in a scope, until the scope's `catch` takes it.
struct Seen {
    message: Option<String>,
    location: Option<String>,
}

thread_local! {
    /// The innermost of the layer's scopes this thread is in.
    static SCOPE: Cell<Scope> = const { Cell::new(Scope::Outside) };
    /// Whether the hook saw a panic in a scope that no `catch` has taken yet: read on every poll, so a plain flag.
    static PANICKED: Cell<bool> = const { Cell::new(false) };
    /// What the hook saw of that panic.
    static SEEN: RefCell<Option<Seen>> = const { RefCell::new(None) };
}

/// Runs `f` (a route's or handler's code) in `scope`, and catches its panic ([`Panic::caught`] makes it).
///
/// In a scope, the panic hook records a panic instead of printing it: the layer logs it, once, in the request's
/// span. A panic that code inside `f` caught itself (a `CatchPanicLayer` inside the set, a `catch_unwind`) never
/// reaches the layer's answer, so it is logged here, at `ERROR`, as the hook would have printed it.
// Returns what `catch_unwind` returns, not a `Panic`: a result of another layout would copy the route's future,
// a few hundred bytes, on every request; `Panic::caught` makes the panic where one happened.
#[inline(always)]
pub(crate) fn catch<R>(scope: Scope, f: impl FnOnce() -> R) -> Result<R, Box<dyn Any + Send>> {
    let outer = SCOPE.replace(scope);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(f));
    SCOPE.set(outer);
    if outcome.is_ok() && PANICKED.replace(false) {
        caught_inside(SEEN.take());
    }
    outcome
}

/// Logs a panic that code inside a layer's scope caught itself, which the hook saw and did not print.
#[cold]
fn caught_inside(seen: Option<Seen>) {
    let Some(seen) = seen else {
        return;
    };
    tracing::error!(
        target: "errorhandler",
        message = "a panic inside the layer was caught before it reached the layer",
        panic.message = seen.message.as_deref().unwrap_or("Box<dyn Any>"),
        panic.location = seen.location.as_deref(),
    );
}

/// Runs `f` outside any layer's scope: what it builds answers for itself, as it would without a layer.
pub(crate) fn outside<R>(f: impl FnOnce() -> R) -> R {
    let outer = SCOPE.replace(Scope::Outside);
    struct Restore(Scope);
    impl Drop for Restore {
        fn drop(&mut self) {
            SCOPE.set(self.0);
        }
    }
    let _restore = Restore(outer);
    f()
}

/// Whether this thread runs a route's code under a layer, which answers the `Error`s it returns.
pub(crate) fn in_route() -> bool {
    SCOPE.get() == Scope::Route
}

pin_project_lite::pin_project! {
    /// A future polled in a scope, each poll caught as [`catch`] catches.
    pub(crate) struct Catching<F> {
        #[pin]
        future: F,
        scope: Scope,
    }
}

impl<F> Catching<F> {
    pub(crate) fn new(scope: Scope, future: F) -> Self {
        Self { future, scope }
    }
}

impl<F: Future> Future for Catching<F> {
    type Output = Result<F::Output, Panic>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let future = this.future;
        match catch(*this.scope, || future.poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(Panic::caught(payload))),
        }
    }
}

/// Installs, once, the panic hook that records a panic in a layer's scope (for the layer's log) instead of
/// printing it. It wraps the hook in place when it is first called: a panic outside a layer's scope reaches that
/// hook (the default one prints it), and so does every panic when panics abort, since no layer will log them then.
/// A hook set later replaces this one, after which caught panics are logged without their location and printed by
/// that hook.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if cfg!(panic = "abort") || SCOPE.get() == Scope::Outside {
                return previous(info);
            }
            SEEN.set(Some(Seen {
                message: info.payload_as_str().map(str::to_owned),
                location: info.location().map(ToString::to_string),
            }));
            PANICKED.set(true);
        }));
    });
}
