#![doc = include_str!("docs/crate.md")]
//!
// Without the `session` feature, the crate docs' links to the session recipe go to docs.rs.
#![cfg_attr(
    not(feature = "session"),
    doc = "[`session`]: https://docs.rs/errorhandler/latest/errorhandler/session/index.html"
)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as errorhandler;

mod answer;
mod caught;
mod defaults;
mod dispatch;
mod error;
mod error_status;
mod http_error;
mod layer;
mod middleware_errors;
mod problem;
pub mod rejections;
mod report;
mod request_head;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub mod session;
mod status_text;

pub use answer::Recovered;
pub use caught::{ErrorBody, Panic};
pub use error::Error;
pub use error_status::ErrorStatus;
pub use http_error::{HttpError, NotAnErrorStatus};
pub use layer::{ErrorLayer, ErrorService, ResponseFuture};
pub use problem::ProblemDetails;
pub use report::{AnsweredBy, ErrorReport};

/// Returns an [`HttpError`] whose status code is checked at compile time: `abort!(404)`,
/// `abort!(404, "Resource not found")`, `abort!(404, "no cheese called {name}")`.
///
/// Unlike Flask's `abort`, it does not unwind: use it as a value, `return Err(abort!(410, "gone"))`.
pub use errorhandler_macros::abort;

/// Declares the status of an error type, so that it answers with it through `?` into [`Error`], with or without
/// a layer: `#[status(404)]` on the type, or `#[status]` on an `impl ErrorStatus for T` block (see
/// [`ErrorStatus`]).
///
/// ```
/// use errorhandler::status;
///
/// #[status(404)]
/// #[derive(Debug, thiserror::Error)]
/// #[error("no cheese called {0}")]
/// struct CheeseNotFound(String);
///
/// let e = errorhandler::Error::from(CheeseNotFound("brie".into()));
/// assert_eq!(e.status(), http::StatusCode::NOT_FOUND);
/// ```
///
/// The code is checked at compile time (400..=599). The attribute registers the type, because stable Rust
/// cannot ask, inside `?`'s blanket conversion of any error, whether the error's type implements a trait; a
/// generic type cannot be registered, and an `impl ErrorStatus` without the attribute is a compile error.
pub use errorhandler_macros::status;

/// Declares a set of error handlers and the tower layer that serves them.
///
/// ```
/// use axum::response::Html;
/// use errorhandler::{errorhandler, handler, HttpError};
///
/// #[handler(404)]
/// fn page_not_found(e: &HttpError, uri: axum::http::Uri) -> Html<String> {
///     Html(format!("<h1>Page Not Found</h1><p>{uri}: {}</p>", e.description()))
/// }
///
/// errorhandler! {
///     /// Error pages of the site.
///     pub struct SiteErrors;
///
///     page_not_found;
/// }
///
/// let app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
/// ```
///
#[doc = include_str!("docs/errorhandler.md")]
pub use errorhandler_macros::errorhandler;

/// Declares an error handler as an ordinary function, for a key, to be named in an [`errorhandler!`] set: Flask's
/// `@app.errorhandler(404)`, Rocket's `#[catch(404)]`.
///
/// ```
/// use axum::http::{StatusCode, Uri};
/// use axum::response::{Html, IntoResponse};
/// use errorhandler::{errorhandler, handler, HttpError};
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("no cheese called {0}")]
/// pub struct CheeseNotFound(String);
///
/// #[handler(404)]
/// async fn page_not_found(e: &HttpError, uri: Uri) -> Html<String> {
///     Html(format!("<h1>{}</h1><p>{uri} is not here.</p>", e.name()))
/// }
///
/// #[handler(CheeseNotFound)]
/// #[handler(410)]
/// fn cheese_missing() -> impl IntoResponse {
///     (StatusCode::NOT_FOUND, "no such cheese")
/// }
///
/// errorhandler! {
///     pub struct SiteErrors;
///
///     page_not_found;
///     cheese_missing;
/// }
///
/// let app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
/// ```
///
/// The function is checked as one declared in a set's block with `#[errorhandler(key)]`: the same
/// [keys](macro@errorhandler#keys), one per attribute (stack `#[handler(..)]` attributes for several), and the same
/// [signature rules](macro@errorhandler#handler-signatures), each mistake one compile error under its token. It
/// stays an ordinary item, which rustfmt formats and editors analyse, and a set names it by its path
/// ([Handlers as items](macro@errorhandler#handlers-as-items-handler)).
///
/// The attribute goes on a free function of a module: an attribute cannot see where it is, and on an associated
/// function of an `impl` block the items it leaves beside the function are refused with several errors. Stacked
/// attributes are recognised by the name `handler`, so import it under that name.
pub use errorhandler_macros::handler;

#[doc(hidden)]
pub mod __private;

// The README's first program compiles, with or without the session recipe. `runtime/README.md` links to the
// workspace's README, so the path holds in the package.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
