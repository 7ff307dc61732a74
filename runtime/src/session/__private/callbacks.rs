//! The session callbacks declared with `#[session_error_handlers]`, and the handler set that serves them alone.

use std::marker::PhantomData;

use crate::__private::RequestHead;
use crate::__private::{ErrorHandlers, HandlerCall, HandlerId};
use crate::error::Error;

use crate::session::SessionError;

/// SuperTokens' `errorHandlers`: callbacks for the four session errors, implemented by
/// `#[session_error_handlers]`. A callback left out keeps SuperTokens' default.
///
/// `S` is the state the callbacks' extractors read; callbacks that read none serve any state.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not declare session callbacks for the state `{S}`",
    label = "not a `#[session_error_handlers]` type for this state",
    note = "declare the callbacks with `#[session_error_handlers] impl {Self} {{ ... }}`; callbacks that take `State<T>` serve only a handler set whose state is `T`, declared as `#[errorhandler(state = T)] pub struct SiteErrors;`"
)]
pub trait SessionErrorHandlers<S>: Send + Sync + 'static {
    /// Whether some callback reads the request head.
    const NEEDS_REQUEST_HEAD: bool;

    /// Whether a callback is declared for this error; the others keep SuperTokens' default.
    fn handles(error: &SessionError) -> bool;

    /// Runs the callback of `error`; it answers `None` when an extractor rejects the request.
    fn call(error: SessionError, request: Option<RequestHead<S>>) -> HandlerCall;
}

/// A handler set of session callbacks alone: `AuthErrors::layer()` serves it.
///
/// Errors other than session errors pass through it untouched, and so does a session error whose callback
/// is not declared, answered with SuperTokens' default.
pub struct SessionErrorSet<H, S = ()>(PhantomData<fn() -> (H, S)>);

impl<H, S> ErrorHandlers for SessionErrorSet<H, S>
where
    H: SessionErrorHandlers<S>,
    S: Send + Sync + 'static,
{
    type State = S;
    const KEYS: &'static [&'static str] = &["session"];

    fn needs_request_head() -> bool {
        H::NEEDS_REQUEST_HEAD
    }

    fn select(error: &Error) -> Option<HandlerId> {
        select_session::<H, S>(error, HandlerId::new(0))
    }

    fn select_status(_status: http::StatusCode) -> Option<HandlerId> {
        // A response without an error value is never a session error.
        None
    }

    fn call(_handler: HandlerId, error: Error, request: Option<RequestHead<S>>) -> HandlerCall {
        call_session::<H, S>(error, request)
    }
}

/// `handler` when `error` is a session error with a declared callback.
pub(crate) fn select_session<H: SessionErrorHandlers<S>, S>(
    error: &Error,
    handler: HandlerId,
) -> Option<HandlerId> {
    let session_error = error.downcast_ref::<SessionError>()?;
    H::handles(session_error).then_some(handler)
}

/// Runs the callback of a session error selected by [`select_session`].
pub(crate) fn call_session<H: SessionErrorHandlers<S>, S>(
    error: Error,
    request: Option<RequestHead<S>>,
) -> HandlerCall {
    match error.downcast::<SessionError>() {
        Ok(session_error) => H::call(session_error, request),
        Err(_) => HandlerCall::NONE,
    }
}
