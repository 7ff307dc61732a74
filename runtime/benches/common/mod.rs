//! The routes and handler sets both benchmarks measure, so that their figures compare.

use axum::Router;
use axum::http::Uri;
use axum::routing::get;
use errorhandler::{HttpError, abort, errorhandler};

errorhandler! {
    /// Handlers that read nothing of the request: the happy path does no extra work.
    pub struct HeadlessErrors;

    #[errorhandler(404)]
    fn not_found(e: &HttpError) -> String {
        e.to_string()
    }
}

errorhandler! {
    /// Handlers that read the request head, so the layer keeps a copy of it on every request.
    pub struct HeadReadingErrors;

    #[errorhandler(404)]
    fn not_found_at(e: &HttpError, uri: Uri) -> String {
        format!("{uri}: {e}")
    }
}

/// `/ok` succeeds; `/missing` is `abort!(404, ..)`.
pub fn routes() -> Router {
    Router::new().route("/ok", get(|| async { "fine" })).route(
        "/missing",
        get(|| async { Err::<(), HttpError>(abort!(404, "no such thing")) }),
    )
}
