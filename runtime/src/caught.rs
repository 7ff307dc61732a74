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
    /// How many of the layer's catching scopes this thread is in.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic caught in a scope happened, until `Panic::from_payload` takes it.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` (a route's or handler's code, whose panic a layer catches) so that the panic hook records where a
/// panic happens instead of printing it: the layer logs it, with that location, in the request's span.
pub(crate) fn catching<R>(f: impl FnOnce() -> R) -> R {
    struct Scope;
    impl Drop for Scope {
        fn drop(&mut self) {
            CATCHING.set(CATCHING.get() - 1);
        }
    }
    CATCHING.set(CATCHING.get() + 1);
    let _scope = Scope;
    f()
}

/// Installs, once, the panic hook that records where a caught panic happened. It wraps the hook in place when it
/// is first called: panics outside a layer's scope still reach that hook (the default one prints them), and a
/// hook set later replaces this one, after which caught panics are logged without their location.
pub(crate) fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if CATCHING.get() == 0 {
                return previous(info);
            }
            LOCATION.set(info.location().map(ToString::to_string));
        }));
    });
}
