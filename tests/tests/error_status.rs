//! Errors that declare their status (`#[errorhandler::status]`), driven over real HTTP: with no layer, through
//! the handlers of their type, of their status and of their class, and as the source of another error.

use std::borrow::Cow;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use errorhandler::{Error, ErrorStatus, HttpError, abort, errorhandler, status};
use errorhandler_tests::{TestServer, client};
use serde_json::{Value, json};

#[status(404)]
#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
struct CheeseNotFound(String);

/// A 503 whose answers all say when to come back, whoever builds them.
#[derive(Debug, thiserror::Error)]
#[error("the kitchen is closed for {0} s")]
struct KitchenClosed(u32);

#[status]
impl ErrorStatus for KitchenClosed {
    fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn enforced_headers(&self) -> HeaderMap {
        HeaderMap::from_iter([(header::RETRY_AFTER, HeaderValue::from(self.0))])
    }
}

/// A 422 with an answer of its own and a detail the built-in page would show.
#[derive(Debug, thiserror::Error)]
#[error("{field} is invalid: internal note")]
struct Invalid {
    field: &'static str,
}

#[status]
impl ErrorStatus for Invalid {
    fn status(&self) -> StatusCode {
        StatusCode::UNPROCESSABLE_ENTITY
    }

    fn detail(&self) -> Option<Cow<'_, str>> {
        Some(format!("{} is invalid", self.field).into())
    }

    fn default_answer(&self) -> Option<Response> {
        Some(Json(json!({ "invalid": self.field })).into_response())
    }
}

/// An error that says nothing of its status, whose source is an `HttpError`: Flask's subclass of `Forbidden`.
#[derive(Debug, thiserror::Error)]
#[error("the cellar is locked")]
struct CellarLocked(#[source] HttpError);

/// Two levels above the `HttpError`.
#[derive(Debug, thiserror::Error)]
#[error("the tasting failed")]
struct TastingFailed(#[source] CellarLocked);

/// A declared error between two `HttpError`s: the nearest declaration wins.
#[derive(Debug, thiserror::Error)]
#[error("the order failed")]
struct OrderFailed(#[source] HttpError);

async fn cheese() -> Result<&'static str, Error> {
    Err(CheeseNotFound("brie".into()))?
}

async fn kitchen() -> Result<&'static str, Error> {
    Err(KitchenClosed(120))?
}

async fn invalid() -> Result<&'static str, Error> {
    Err(Invalid { field: "age" })?
}

async fn cellar() -> Result<&'static str, Error> {
    Err(TastingFailed(CellarLocked(abort!(403, "members only"))))?
}

async fn order() -> Result<&'static str, Error> {
    Err(OrderFailed(
        abort!(409).with_source(HttpError::new(StatusCode::GONE)),
    ))?
}

fn routes() -> Router {
    Router::new()
        .route("/cheese", get(cheese))
        .route("/kitchen", get(kitchen))
        .route("/invalid", get(invalid))
        .route("/cellar", get(cellar))
        .route("/order", get(order))
}

async fn fetch(server: &TestServer, path: &str) -> (StatusCode, HeaderMap, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn without_a_layer_a_declared_error_answers_its_status() {
    let server = TestServer::start(routes()).await;

    let (status, headers, body) = fetch(&server, "/cheese").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body.starts_with("404 Not Found: The requested URL was not found"),
        "{body}"
    );
    // The page is written only when sent, with its length known up front.
    assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string());
    assert!(body.ends_with('\n'), "{body:?}");
    assert!(
        !body.contains("brie"),
        "the error's own text is not the page's: {body}"
    );

    let (status, headers, _) = fetch(&server, "/kitchen").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::RETRY_AFTER], "120");

    let (status, headers, body) = fetch(&server, "/invalid").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "invalid": "age" })
    );

    // The nearest `HttpError` of the chain gives the status, two sources down, with its description.
    let (status, _, body) = fetch(&server, "/cellar").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, "403 Forbidden: members only\n")
    );
    let (status, _, _) = fetch(&server, "/order").await;
    assert_eq!(status, StatusCode::CONFLICT);
}

errorhandler! {
    /// A handler of the declared type that returns a bare body, and a handler of 503 that forgets Retry-After.
    struct TypeHandlers;

    #[errorhandler(CheeseNotFound)]
    fn cheese_missing(e: &CheeseNotFound) -> Html<String> {
        Html(format!("<h1>{e}</h1>"))
    }

    #[errorhandler(503)]
    fn unavailable() -> (StatusCode, HeaderMap, &'static str) {
        let headers = HeaderMap::from_iter([(header::RETRY_AFTER, HeaderValue::from_static("1"))]);
        (StatusCode::SERVICE_UNAVAILABLE, headers, "come back later")
    }
}

#[tokio::test]
async fn a_type_handler_returning_a_bare_body_answers_with_the_declared_status() {
    let server = TestServer::start(routes().layer(TypeHandlers::layer())).await;
    let (status, _, body) = fetch(&server, "/cheese").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "<h1>no cheese called brie</h1>")
    );

    // The enforced header replaces the handler's own.
    let (status, headers, body) = fetch(&server, "/kitchen").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "come back later")
    );
    assert_eq!(
        headers
            .get_all(header::RETRY_AFTER)
            .iter()
            .collect::<Vec<_>>(),
        ["120"]
    );

    // No handler takes it: its own answer.
    let (status, _, body) = fetch(&server, "/invalid").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "invalid": "age" })
    );
}

errorhandler! {
    /// Handlers of statuses only: a declared error reaches them when no handler of its type does.
    struct StatusHandlers;

    #[errorhandler(404)]
    fn not_found(e: &HttpError) -> String {
        let source = std::error::Error::source(e).map(ToString::to_string).unwrap_or_default();
        format!("404 handler: {} ({source})", e.status().as_u16())
    }

    #[errorhandler(403)]
    fn forbidden(e: &HttpError) -> String {
        format!("403 handler: {}", e.description())
    }

    #[errorhandler(422)]
    fn unprocessable(e: &HttpError) -> String {
        format!("422 handler: {}", e.description())
    }

    #[errorhandler(5xx)]
    fn server_error(e: &HttpError) -> String {
        format!("5xx handler: {}", e.status().as_u16())
    }
}

#[tokio::test]
async fn without_a_type_handler_a_declared_error_reaches_its_status_and_class_handlers() {
    let server = TestServer::start(routes().layer(StatusHandlers::layer())).await;
    let (status, _, body) = fetch(&server, "/cheese").await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::NOT_FOUND,
            "404 handler: 404 (no cheese called brie)"
        )
    );
    let (status, headers, body) = fetch(&server, "/kitchen").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "5xx handler: 503")
    );
    assert_eq!(headers[header::RETRY_AFTER], "120");
    // The handler of its status sees the detail it declares as the description.
    let (status, _, body) = fetch(&server, "/invalid").await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "422 handler: age is invalid"
        )
    );
}

#[tokio::test]
async fn an_error_whose_source_is_an_http_error_reaches_that_statuss_handler() {
    let server = TestServer::start(routes().layer(StatusHandlers::layer())).await;
    let (status, _, body) = fetch(&server, "/cellar").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, "403 handler: members only")
    );
}

errorhandler! {
    /// A class handler alone.
    struct ClientErrors;

    #[errorhandler(4xx)]
    fn client_error(e: &HttpError) -> String {
        format!("4xx handler: {}", e.status().as_u16())
    }
}

#[tokio::test]
async fn the_nearest_declaration_of_the_chain_gives_the_status_to_the_class_handler() {
    let server = TestServer::start(routes().layer(ClientErrors::layer())).await;
    let (status, _, body) = fetch(&server, "/cheese").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "4xx handler: 404")
    );
    // 409 is nearer than the 410 it wraps.
    let (status, _, body) = fetch(&server, "/order").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::CONFLICT, "4xx handler: 409")
    );
}

errorhandler! {
    /// A handler of the store failure's type.
    struct StoreFailureHandler;

    #[errorhandler(errorhandler::session::SessionStoreError)]
    fn store_failed(e: &errorhandler::session::SessionStoreError) -> String {
        format!("store handler: {}", e.message())
    }
}

errorhandler! {
    /// A handler of its status only.
    struct UnavailableHandler;

    #[errorhandler(503)]
    fn store_unavailable(e: &HttpError) -> String {
        format!("503 handler: {}", e.status().as_u16())
    }
}

/// A store failure is the bare `SessionStoreError` whichever way it leaves the route, so a handler keyed on its
/// type and a handler of 503 both take it either way.
#[tokio::test]
async fn a_store_failure_is_one_error_through_question_mark_and_through_session_failure() {
    use errorhandler::session::{SessionFailure, SessionStoreError};

    async fn through_error() -> Result<(), Error> {
        Err(SessionStoreError::new("disk on fire"))?
    }
    async fn through_failure() -> Result<(), SessionFailure> {
        Err(SessionFailure::Store(SessionStoreError::new(
            "disk on fire",
        )))
    }
    async fn through_failure_into_error() -> Result<(), Error> {
        Err(SessionFailure::Store(SessionStoreError::new(
            "disk on fire",
        )))?
    }
    let app = Router::new()
        .route("/error", get(through_error))
        .route("/failure", get(through_failure))
        .route("/failure-into-error", get(through_failure_into_error));
    let paths = ["/error", "/failure", "/failure-into-error"];

    let server = TestServer::start(app.clone()).await;
    for path in paths {
        let (status, _, body) = fetch(&server, path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(!body.contains("disk on fire"), "{path}: {body}");
    }
    let server = TestServer::start(app.clone().layer(StoreFailureHandler::layer())).await;
    for path in paths {
        let (status, _, body) = fetch(&server, path).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "store handler: disk on fire"
            ),
            "{path}"
        );
    }
    let server = TestServer::start(app.layer(UnavailableHandler::layer())).await;
    for path in paths {
        let (status, _, body) = fetch(&server, path).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "503 handler: 503"),
            "{path}"
        );
    }
}

/// A 401 with an answer of its own and a cookie every answer clears, as the session recipe's errors have.
#[derive(Debug, thiserror::Error)]
#[error("evicted")]
struct Evicted;

#[status]
impl ErrorStatus for Evicted {
    fn status(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    fn default_answer(&self) -> Option<Response> {
        Some(Json(json!({ "message": "evicted" })).into_response())
    }

    fn enforced_headers(&self) -> HeaderMap {
        HeaderMap::from_iter([(
            header::SET_COOKIE,
            HeaderValue::from_static("session=; Max-Age=0"),
        )])
    }
}

errorhandler! {
    /// A handler of `Evicted` that panics.
    struct EvictionHandlers;

    #[errorhandler(Evicted)]
    fn evicted_panics(_: &Evicted) -> String {
        panic!("the eviction handler panicked")
    }
}

errorhandler! {
    /// A handler of `Evicted` that answers.
    struct EvictionPage;

    #[errorhandler(Evicted)]
    fn evicted_page(_: &Evicted) -> &'static str {
        "please sign in again"
    }
}

#[tokio::test]
async fn a_declared_answer_carries_its_enforced_cookie_once_whoever_sends_it() {
    let app = || {
        Router::new().route(
            "/evicted",
            get(|| async { Err::<(), Error>(Evicted.into()) }),
        )
    };
    let cookies = |headers: &HeaderMap| {
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let declared = |status: StatusCode, headers: &HeaderMap, body: &str| {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            serde_json::from_str::<Value>(body).unwrap(),
            json!({ "message": "evicted" })
        );
        assert_eq!(cookies(headers), ["session=; Max-Age=0"]);
    };

    // Without a layer; through a layer with no handler of it (it sends the route's response as it is); and when
    // its handler panics (the route's response stands by): the declared answer, its cookie once.
    for server in [
        TestServer::start(app()).await,
        TestServer::start(app().layer(StatusHandlers::layer())).await,
        TestServer::start(app().layer(EvictionHandlers::layer())).await,
    ] {
        let (status, headers, body) = fetch(&server, "/evicted").await;
        declared(status, &headers, &body);
    }

    // A handler's answer gets the cookie too.
    let server = TestServer::start(app().layer(EvictionPage::layer())).await;
    let (status, headers, body) = fetch(&server, "/evicted").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, "please sign in again")
    );
    assert_eq!(cookies(&headers), ["session=; Max-Age=0"]);
}
