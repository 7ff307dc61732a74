//! Helpers of the code `errorhandler!` and `abort!` generate; not a public API.
//!
//! The traits here carry `#[diagnostic::on_unimplemented]` so that a type mistake in a handler is reported
//! under the user's own token with a sentence of explanation.

mod abort;
mod handlers;
mod head;
mod keys;
mod named;
mod params;
mod registered;
mod response;

pub use self::abort::{abort_with, declared_status};
pub use self::handlers::{ErrorHandlers, HandlerCall, HandlerFuture, HandlerId};
pub use self::head::{HeadParts, RequestHead};
pub use self::keys::{
    ByStatus, ByType, ErrorKey, ErrorType, KeyOfErrorType, KeyOfOtherType, NotAnErrorType,
    TypeProbe, assert_error_type,
};
pub use self::named::NamedState;
pub use self::params::{
    ErrorParam, HeadExtractor, HeadProbe, ReadsAnyPart, borrow_error, extract_head, hold_error,
    take_error,
};
pub use self::registered::{AsyncRefFn, ErrorHandlerFn, Registered, registered};
pub use self::response::{HandlerResponse, respond};
pub use crate::error_status::{Declaration, Declared};
pub use axum::response::Response;
pub use errorhandler_macros::errorhandler_resolved;
pub use http::StatusCode;
pub use inventory;

/// The layer of the set `H`, whose handlers' extractors read `state`: the body of the `layer()` and `with_state`
/// constructors the macros generate.
pub fn layer<H: ErrorHandlers>(state: H::State) -> crate::ErrorLayer<H> {
    crate::ErrorLayer::new(state)
}
