//! Flask-style error handlers for axum, declared with macros and checked at compile time.
//!
//! `errorhandler!` binds handlers to status codes and error types, as Flask's `@app.errorhandler` does, and
//! compiles them into a tower layer with static dispatch. Route handlers return [`Error`] (any error type
//! converts with `?`) or [`HttpError`] (`abort!(404, "...")`); the layer hands each error to the most specific
//! handler, answers panics with a 500, and negotiates a built-in page when no handler applies.
//!
//! See the README for the dispatch rules and the status policy.

extern crate self as errorhandler;

mod defaults;
mod error;
mod handlers;
mod http_error;
mod layer;
pub mod session;

pub use error::{Error, ErrorBody, Panic};
pub use handlers::{ErrorHandlers, HandlerFuture, HandlerId, RequestHead};
pub use http_error::{HttpError, NotAnErrorStatus, abort};
pub use layer::{ErrorLayer, ErrorService, Recovered, ResponseFuture};

/// Returns an [`HttpError`] whose status code is checked at compile time: `abort!(404)`,
/// `abort!(404, "Resource not found")`, `abort!(404, "no cheese called {name}")`.
///
/// Unlike Flask's `abort`, it does not unwind: use it as a value, `return Err(abort!(410, "gone"))`.
pub use errorhandler_macros::abort;

/// Declares a set of error handlers and the tower layer that serves them.
///
/// ```
/// use axum::response::Html;
/// use errorhandler::{errorhandler, HttpError};
///
/// errorhandler! {
///     /// Error pages of the site.
///     pub struct SiteErrors;
///
///     #[errorhandler(404)]
///     fn page_not_found(e: &HttpError, uri: axum::http::Uri) -> Html<String> {
///         Html(format!("<h1>Page Not Found</h1><p>{uri}: {}</p>", e.description()))
///     }
/// }
///
/// let app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
/// ```
///
/// Keys are a status code in 400..=599, `4xx`, `5xx`, `default`, an error type, or `session` (for a
/// `#[session_error_handlers]` type, `session => AuthErrors;`). Handlers are declared in the block with
/// `#[errorhandler(key)]` or registered with `key => path;`. A set whose handlers take `State<S>` is served by
/// `SiteErrors::with_state(state)`; `#[errorhandler(state = S)]` on the struct declares `S` when only registered
/// functions or session callbacks read it. The README has the dispatch rules and the status policy.
pub use errorhandler_macros::errorhandler;

#[doc(hidden)]
pub mod __private;

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
