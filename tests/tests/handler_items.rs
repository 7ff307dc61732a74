//! `#[handler]` functions named in a set, mixed with block and registered handlers, imported with `use` and
//! `use ... as`, reading the set's state through `FromRef` or an extractor of that state, over real HTTP.

use std::convert::Infallible;

use axum::Router;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use errorhandler::{Error, HttpError, abort, errorhandler, handler};
use errorhandler_tests::{TestServer, client};

#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
struct CheeseNotFound(String);

#[derive(Debug, thiserror::Error)]
#[error("the cheese shop failed")]
struct ShopFailed(#[source] CheeseNotFound);

#[derive(Clone)]
pub struct AppState {
    pub site: &'static str,
}

#[handler(404)]
async fn page_not_found(e: &HttpError, uri: Uri) -> Html<String> {
    Html(format!("<h1>{}</h1><p>{uri} is not here.</p>", e.name()))
}

#[handler(CheeseNotFound)]
fn cheese_missing(e: &CheeseNotFound) -> impl IntoResponse {
    (StatusCode::NOT_FOUND, format!("cheese: {e}"))
}

#[handler(4xx)]
fn client_error(e: HttpError) -> String {
    format!("client error {}", e.status().as_u16())
}

#[handler(default)]
async fn anything_else(e: &HttpError) -> String {
    format!("default {}", e.status().as_u16())
}

mod pages {
    use axum::extract::State;
    use errorhandler::{HttpError, handler};

    use super::AppState;

    #[handler(500)]
    #[handler(502)]
    pub(crate) fn server_error(e: &HttpError, State(state): State<AppState>) -> String {
        format!("{} failed with {}", state.site, e.status().as_u16())
    }
}

async fn teapot(State(state): State<AppState>) -> String {
    format!("{} is a teapot", state.site)
}

errorhandler! {
    /// Named, declared and registered handlers in one set; its state is inferred from `pages::server_error`.
    pub struct SiteErrors;

    page_not_found;
    cheese_missing;
    client_error;
    anything_else;
    pages::server_error;

    #[errorhandler(410)]
    fn gone() -> &'static str {
        "gone for good"
    }

    418 => teapot;
}

async fn shop() -> Result<&'static str, Error> {
    Err(ShopFailed(CheeseNotFound("brie".into())).into())
}

async fn status(axum::extract::Path(code): axum::extract::Path<u16>) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

async fn broken() -> Result<&'static str, HttpError> {
    Err(abort!(500, "the oven is off"))
}

fn app() -> Router {
    Router::new()
        .route("/shop", get(shop))
        .route("/status/{code}", get(status))
        .route("/broken", get(broken))
        .layer(SiteErrors::with_state(AppState {
            site: "cheese.example",
        }))
}

async fn get_text(server: &TestServer, path: &str) -> (StatusCode, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_named_handler_answers_its_status_code_with_extractors() {
    let server = TestServer::start(app()).await;
    let (status, body) = get_text(&server, "/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, "<h1>Not Found</h1><p>/nowhere is not here.</p>");
}

#[tokio::test]
async fn a_named_handler_answers_its_error_type_found_through_the_source_chain() {
    let server = TestServer::start(app()).await;
    let (status, body) = get_text(&server, "/shop").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, "cheese: no cheese called brie");
}

#[tokio::test]
async fn a_named_handler_answers_its_class_and_default() {
    let server = TestServer::start(app()).await;
    let (status, body) = get_text(&server, "/status/409").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, "client error 409");
    let (status, body) = get_text(&server, "/status/503").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "default 503");
}

#[tokio::test]
async fn a_named_handler_in_another_module_reads_the_state_it_gave_the_set() {
    let server = TestServer::start(app()).await;
    let (status, body) = get_text(&server, "/broken").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "cheese.example failed with 500");
    let (status, body) = get_text(&server, "/status/502").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(body, "cheese.example failed with 502");
}

#[tokio::test]
async fn block_and_registered_handlers_answer_beside_named_ones() {
    let server = TestServer::start(app()).await;
    let (status, body) = get_text(&server, "/status/410").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body, "gone for good");
    let (status, body) = get_text(&server, "/status/418").await;
    assert_eq!(status, StatusCode::IM_A_TEAPOT);
    assert_eq!(body, "cheese.example is a teapot");
}

/// The state of `ShopErrors`, of which its handlers read a part (`Db`) or an extractor of it (`Owner`).
#[derive(Clone)]
pub struct Shop {
    db: Db,
    owner: &'static str,
}

#[derive(Clone)]
pub struct Db {
    name: &'static str,
}

impl FromRef<Shop> for Db {
    fn from_ref(shop: &Shop) -> Self {
        shop.db.clone()
    }
}

/// An extractor of `Shop` alone.
pub struct Owner(&'static str);

impl FromRequestParts<Shop> for Owner {
    type Rejection = Infallible;

    async fn from_request_parts(_parts: &mut Parts, shop: &Shop) -> Result<Self, Self::Rejection> {
        Ok(Self(shop.owner))
    }
}

mod shop_errors {
    use axum::extract::State;
    use errorhandler::{HttpError, handler};

    use super::{Db, Owner};

    #[handler(404)]
    pub fn missing(e: &HttpError) -> String {
        format!("imported {}", e.status().as_u16())
    }

    #[handler(410)]
    pub(crate) fn gone_for_good() -> &'static str {
        "renamed gone"
    }

    #[handler(500)]
    pub async fn db_failed(_: &HttpError, State(db): State<Db>) -> String {
        format!("{} failed", db.name)
    }

    #[handler(403)]
    pub async fn forbidden(Owner(owner): Owner) -> String {
        format!("only {owner} may")
    }
}

use shop_errors::gone_for_good as gone_renamed;
use shop_errors::missing;

errorhandler! {
    /// Named handlers imported with `use` and `use ... as`, in a set that declares its state.
    #[errorhandler(state = Shop)]
    pub struct ShopErrors;

    missing;
    gone_renamed;
    shop_errors::db_failed;
    shop_errors::forbidden;
}

fn shop_app() -> Router {
    Router::new()
        .route("/status/{code}", get(status))
        .layer(ShopErrors::with_state(Shop {
            db: Db { name: "cellar" },
            owner: "the cheesemonger",
        }))
}

#[tokio::test]
async fn a_handler_imported_with_use_or_renamed_with_use_as_answers() {
    let server = TestServer::start(shop_app()).await;
    let (status, body) = get_text(&server, "/status/404").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, "imported 404");
    let (status, body) = get_text(&server, "/status/410").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body, "renamed gone");
}

#[tokio::test]
async fn a_named_handler_reads_a_part_of_the_sets_declared_state_through_from_ref() {
    let server = TestServer::start(shop_app()).await;
    let (status, body) = get_text(&server, "/status/500").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "cellar failed");
}

#[tokio::test]
async fn a_named_handler_takes_an_extractor_of_the_sets_state_only() {
    let server = TestServer::start(shop_app()).await;
    let (status, body) = get_text(&server, "/status/403").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, "only the cheesemonger may");
}
