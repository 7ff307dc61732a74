//! `#[handler]` functions named in a set: every kind of key, stacked keys, sync and async, the error by
//! reference, by value or left out, extractors, `State<S>` inferred from a named handler, a handler in another
//! module named by path, mixed with block and registered handlers; all compile under strict lints.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use errorhandler::{errorhandler, handler, HttpError};

#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
pub struct CheeseNotFound(String);

#[derive(Clone)]
pub struct AppState(pub &'static str);

#[handler(404)]
async fn page_not_found(e: &HttpError, uri: Uri) -> Html<String> {
    Html(format!("<h1>{}</h1><p>{uri} is not here.</p>", e.name()))
}

#[handler(CheeseNotFound)]
#[handler(410)]
fn cheese_missing() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "no such cheese")
}

#[errorhandler::handler(4xx)]
fn client_error(e: HttpError, method: Method) -> String {
    format!("{method}: {e}")
}

mod pages {
    use axum::extract::State;
    use errorhandler::{handler, HttpError};

    use super::AppState;

    #[handler(500)]
    pub(crate) fn server_error(e: HttpError, State(state): State<AppState>) -> String {
        format!("{}: {e}", state.0)
    }

    /// What the attribute leaves beside a `pub(super)` function is as visible as the function.
    #[handler(super::CheeseNotFound)]
    pub(super) fn cheese_by_value(e: super::CheeseNotFound) -> String {
        e.to_string()
    }
}

fn teapot(State(state): State<AppState>) -> &'static str {
    state.0
}

errorhandler! {
    pub struct SiteErrors;

    page_not_found;
    crate::cheese_missing;
    client_error;
    pages::server_error;
    418 => teapot;

    #[errorhandler(default)]
    fn anything_else(State(state): State<AppState>) -> String {
        state.0.to_owned()
    }
}

errorhandler! {
    /// A second set names the same function.
    pub struct OtherErrors;

    pages::cheese_by_value;
}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .layer(SiteErrors::with_state(AppState("site")))
        .layer(OtherErrors::layer());
}
