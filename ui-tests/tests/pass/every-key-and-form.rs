//! Every kind of key, both registration forms, sync and async handlers, the error by reference, by value or
//! left out, and request-head extractors: all compile under strict lints.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::extract::Extension;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use axum::Json;
use errorhandler::{errorhandler, HttpError, Recovered};

#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
pub struct CheeseNotFound(String);

mod shop {
    #[derive(Debug, thiserror::Error)]
    #[error("the shop is closed")]
    pub struct Closed;

    #[derive(Debug, thiserror::Error)]
    #[error("the shop is out of stock")]
    pub struct OutOfStock;
}

#[derive(Clone)]
pub struct RequestId(pub u64);

errorhandler! {
    /// Every form.
    pub struct SiteErrors;

    #[errorhandler(404)]
    async fn page_not_found(e: &HttpError, uri: Uri) -> Html<String> {
        Html(format!("<h1>{}</h1><p>{uri}</p>", e.name()))
    }

    #[errorhandler(CheeseNotFound)]
    fn cheese_missing(e: &CheeseNotFound) -> impl IntoResponse {
        (StatusCode::NOT_FOUND, Json(serde_json::json!({ "error": e.to_string() })))
    }

    #[errorhandler(shop::Closed)]
    async fn closed(e: shop::Closed, method: Method, headers: HeaderMap) -> String {
        format!("{e} ({method}, {} headers)", headers.len())
    }

    #[errorhandler(4xx)]
    fn client_error(e: HttpError) -> String {
        e.to_string()
    }

    #[errorhandler(5xx)]
    fn server_error() -> &'static str {
        "sorry"
    }

    /// A handler may answer several keys.
    #[errorhandler(502)]
    #[errorhandler(504)]
    fn upstream(Extension(id): Extension<RequestId>) -> String {
        format!("request {}", id.0)
    }

    #[errorhandler(default)]
    fn anything_else(_: &HttpError) -> Recovered<()> {
        Recovered(())
    }

    410 => gone;
    418 => teapot;
    shop::OutOfStock => out_of_stock;
    503 => unavailable;
}

async fn gone(e: &HttpError, uri: Uri) -> String {
    format!("{uri}: {}", e.description())
}

fn teapot(e: HttpError) -> String {
    e.to_string()
}

fn unavailable() -> StatusCode {
    StatusCode::SERVICE_UNAVAILABLE
}

async fn out_of_stock(e: &shop::OutOfStock) -> String {
    e.to_string()
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
