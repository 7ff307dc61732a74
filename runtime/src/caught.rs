//! What the layer catches that is not an error value of the route's: a panic (with where it happened), the body of
//! a 5xx response.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::PanicHookInfo;
use std::sync::Once;

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

    /// The panic whose unwinding gave `payload`, on this thread, just caught.
    pub(crate) fn from_payload(payload: Box<dyn Any + Send>) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(message) => (*message).to_owned(),
                Err(_) => "Box<dyn Any>".to_owned(),
            },
        };
        let location = LOCATION.with(RefCell::take);
        Self { message, location }
    }
}

thread_local! {
    /// The innermost of the layer's scopes this thread is in.
    static SCOPE: Cell<Scope> = const { Cell::new(Scope::Outside) };
    /// Where the last panic caught in a scope happened, until `Panic::from_payload` takes it.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
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

/// Runs `f` (a route's or handler's code, whose panic a layer catches) in `scope`: the panic hook records where a
/// panic happens instead of printing it (the layer logs it, with that location, in the request's span).
pub(crate) fn catching<R>(scope: Scope, f: impl FnOnce() -> R) -> R {
    struct Restore(Scope);
    impl Drop for Restore {
        fn drop(&mut self) {
            SCOPE.set(self.0);
        }
    }
    let _restore = Restore(SCOPE.replace(scope));
    f()
}

/// Whether this thread runs a route's code under a layer, which answers the `Error`s it returns.
pub(crate) fn in_route() -> bool {
    SCOPE.get() == Scope::Route
}

/// Installs, once, the panic hook that records where a caught panic happened. It wraps the hook in place when it
/// is first called: panics outside a layer's scope still reach that hook (the default one prints them), and a
/// hook set later replaces this one, after which caught panics are logged without their location.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if SCOPE.get() == Scope::Outside {
                return previous(info);
            }
            LOCATION.set(info.location().map(ToString::to_string));
        }));
    });
}
