//! `#[handler]` functions named in a set, mixed with block and registered handlers, over real HTTP.

use axum::Router;
use axum::extract::State;
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
