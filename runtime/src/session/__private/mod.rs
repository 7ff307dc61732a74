//! Helpers of the code `#[session_error_handlers]` and `session =>` generate; not a public API.

use crate::__private::RequestHead;
use crate::__private::{HandlerCall, HandlerId};
use crate::error::Error;

mod callbacks;

pub use self::callbacks::{SessionErrorHandlers, SessionErrorSet};
use self::callbacks::{call_session, select_session};
use super::error::{ClaimValidationError, SessionError};

/// A session callback's string payload: the message, the session handle or the user id.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot receive a session callback's string payload (the message, session handle or user id)",
    label = "expected `&str` or `String`",
    note = "the payload parameters come first, in SuperTokens' order: `on_unauthorised(message: &str)`, `on_try_refresh_token(message: &str)`, `on_token_theft_detected(session_handle: &str, user_id: &str)`"
)]
pub trait StringPayload<'a>: Sized {
    fn from_payload(payload: &'a str) -> Self;
}

impl<'a> StringPayload<'a> for &'a str {
    fn from_payload(payload: &'a str) -> Self {
        payload
    }
}

impl StringPayload<'_> for String {
    fn from_payload(payload: &str) -> Self {
        payload.to_owned()
    }
}

/// A session callback's claims payload.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot receive the failing claims of `on_invalid_claim`",
    label = "expected `&[ClaimValidationError]` or `Vec<ClaimValidationError>`",
    note = "`on_invalid_claim(claims: &[ClaimValidationError], ...)` takes the failing claims first"
)]
pub trait ClaimsPayload<'a>: Sized {
    fn from_payload(payload: &'a [ClaimValidationError]) -> Self;
}

impl<'a> ClaimsPayload<'a> for &'a [ClaimValidationError] {
    fn from_payload(payload: &'a [ClaimValidationError]) -> Self {
        payload
    }
}

impl ClaimsPayload<'_> for Vec<ClaimValidationError> {
    fn from_payload(payload: &[ClaimValidationError]) -> Self {
        payload.to_vec()
    }
}

pub fn string_payload<'a, P: StringPayload<'a>>(payload: &'a str) -> P {
    P::from_payload(payload)
}

pub fn claims_payload<'a, P: ClaimsPayload<'a>>(payload: &'a [ClaimValidationError]) -> P {
    P::from_payload(payload)
}

/// The `session =>` callbacks of a handler set, resolved once where the set names them so that a type
/// that is not a `#[session_error_handlers]` type is reported once, not at every use.
pub struct SessionCallbacks<S> {
    pub needs_request_head: bool,
    pub select: fn(&Error, HandlerId) -> Option<HandlerId>,
    pub call: fn(Error, Option<RequestHead<S>>) -> HandlerCall,
}

impl<S: Send + Sync + 'static> SessionCallbacks<S> {
    /// The dispatch entry points of the callbacks `H`.
    pub const fn of<H: SessionErrorHandlers<S>>() -> Self {
        Self {
            needs_request_head: H::NEEDS_REQUEST_HEAD,
            select: select_session::<H, S>,
            call: call_session::<H, S>,
        }
    }
}

/// Whether `error` is a session error: the `session =>` callbacks answer every one, with SuperTokens'
/// default where they declare no callback.
pub fn is_session_error(error: &Error) -> bool {
    error.is::<SessionError>()
}
