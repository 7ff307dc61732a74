//! The dispatch rules of the crate docs, driven over real HTTP.

use std::error::Error as _;
use std::sync::Mutex;

use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::{Error, HttpError, Panic, Recovered, abort, errorhandler};
use errorhandler_tests::{TestServer, client};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
struct CheeseNotFound(String);

#[derive(Debug, thiserror::Error)]
#[error("the cheese shop failed")]
struct ShopFailed(#[source] CheeseNotFound);

#[derive(Debug, thiserror::Error)]
#[error("the shelf is empty")]
struct ShelfEmpty;

#[derive(Debug, thiserror::Error)]
#[error("the aisle is closed")]
struct AisleClosed(#[source] ShelfEmpty);

#[derive(Debug, thiserror::Error)]
#[error("the store is closed")]
struct StoreClosed(#[source] AisleClosed);

#[derive(Debug, thiserror::Error)]
#[error("database password is hunter2")]
struct DatabaseDown;

#[derive(Debug, thiserror::Error)]
#[error("owned")]
struct OwnedOnly;

#[derive(Debug, thiserror::Error)]
#[error("wraps owned")]
struct WrapsOwned(#[source] OwnedOnly);

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

errorhandler! {
    /// The handlers under test.
    pub struct SiteErrors;

    #[errorhandler(404)]
    async fn page_not_found(e: &HttpError, uri: Uri) -> Html<String> {
        Html(format!("<h1>Page Not Found</h1><p>{uri}: {}</p>", e.description()))
    }

    #[errorhandler(CheeseNotFound)]
    fn cheese_missing(e: &CheeseNotFound) -> impl IntoResponse {
        (StatusCode::NOT_FOUND, Json(json!({ "error": e.to_string() })))
    }

    #[errorhandler(AisleClosed)]
    fn aisle_closed(e: &AisleClosed) -> String {
        format!("aisle: {e}")
    }

    #[errorhandler(ShelfEmpty)]
    fn shelf_empty() -> &'static str {
        "shelf"
    }

    #[errorhandler(OwnedOnly)]
    fn owned_only(e: OwnedOnly) -> String {
        format!("owned: {e}")
    }

    #[errorhandler(500)]
    fn internal(e: &HttpError) -> Json<Value> {
        // A panic reaches a 500 handler as a cause of its `HttpError`.
        let mut panic = None;
        let mut cause = e.source();
        while let Some(error) = cause {
            panic = panic.or_else(|| error.downcast_ref::<Panic>().map(|p| p.message().to_owned()));
            cause = error.source();
        }
        *LAST_PANIC.lock().unwrap() = panic;
        Json(json!({ "error": "internal", "cause": e.source().map(|cause| cause.to_string()).is_some() }))
    }

    #[errorhandler(4xx)]
    fn client_error(e: HttpError, method: Method) -> String {
        format!("client error on {method}: {e}")
    }

    #[errorhandler(405)]
    fn method_not_allowed(e: &HttpError) -> String {
        format!("{} is not allowed here", e.status())
    }

    #[errorhandler(401)]
    fn unauthorized() -> Response {
        (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer realm=\"handler\"")], "log in").into_response()
    }

    #[errorhandler(503)]
    fn unavailable() -> &'static str {
        "come back later"
    }

    #[errorhandler(418)]
    fn teapot() -> Recovered<&'static str> {
        Recovered("recovered with a 200")
    }

    #[errorhandler(409)]
    fn conflict() -> (StatusCode, &'static str) {
        (StatusCode::UNPROCESSABLE_ENTITY, "the handler chose 422")
    }

    #[errorhandler(400)]
    fn bad_request(e: &HttpError) -> String {
        format!("bad request: {}", e.description())
    }

    #[errorhandler(502)]
    fn bad_gateway(_e: &HttpError, Extension(missing): Extension<MissingExtension>) -> String {
        missing.0
    }

    #[errorhandler(504)]
    fn gateway_timeout() -> String {
        panic!("the 504 handler panicked")
    }

    410 => gone;
    507 => storage_full;
}

/// A registered plain `fn` without extractors (called at once, with no future) that panics.
fn storage_full(_: &HttpError) -> String {
    panic!("the 507 handler panicked")
}

#[derive(Clone)]
struct MissingExtension(String);

async fn gone(e: &HttpError, uri: Uri) -> String {
    format!("{uri} is gone: {}", e.description())
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Page {
    n: u32,
}

fn app() -> Router {
    Router::new()
        .route(
            "/cheese/{name}",
            get(
                |axum::extract::Path(name): axum::extract::Path<String>| async move {
                    Err::<(), Error>(CheeseNotFound(name).into())
                },
            ),
        )
        .route(
            "/shop",
            get(|| async { Err::<(), Error>(ShopFailed(CheeseNotFound("brie".into())).into()) }),
        )
        .route(
            "/store",
            get(|| async { Err::<(), Error>(StoreClosed(AisleClosed(ShelfEmpty)).into()) }),
        )
        .route(
            "/owned",
            get(|| async { Err::<(), Error>(OwnedOnly.into()) }),
        )
        .route(
            "/wraps-owned",
            get(|| async { Err::<(), Error>(WrapsOwned(OwnedOnly).into()) }),
        )
        .route(
            "/db",
            get(|| async { Err::<(), Error>(DatabaseDown.into()) }),
        )
        .route(
            "/old",
            get(|| async { Err::<(), HttpError>(abort!(410, "deleted for all eternity")) }),
        )
        .route(
            "/teapot",
            get(|| async { Err::<(), HttpError>(abort!(418)) }),
        )
        .route(
            "/conflict",
            get(|| async { Err::<(), HttpError>(abort!(409)) }),
        )
        .route(
            "/unprocessable",
            get(|| async { StatusCode::UNPROCESSABLE_ENTITY }),
        )
        .route("/bare-400", get(|| async { StatusCode::BAD_REQUEST }))
        .route("/page", get(|Query(_page): Query<Page>| async { "page" }))
        .route("/json", post(|Json(_body): Json<Value>| async { "json" }))
        .route("/only-post", post(|| async { "posted" }))
        .route(
            "/login",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Basic realm=\"route\"")],
                    "",
                )
            }),
        )
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "120")],
                    "busy",
                )
            }),
        )
        .route("/bad-gateway", get(|| async { StatusCode::BAD_GATEWAY }))
        .route("/timeout", get(|| async { StatusCode::GATEWAY_TIMEOUT }))
        .route("/full", get(|| async { StatusCode::INSUFFICIENT_STORAGE }))
        .route(
            "/panic",
            get(|| async {
                panic!("secret panic message");
                #[allow(unreachable_code)]
                ()
            }),
        )
        .route(
            "/teapot-untyped",
            get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }),
        )
        .route("/ok", get(|| async { "fine" }))
        .layer(SiteErrors::layer())
}

async fn get_text(server: &TestServer, path: &str) -> (StatusCode, HeaderMap, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn an_error_goes_to_the_handler_of_its_exact_type() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/cheese/brie").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "error": "no cheese called brie" })
    );
}

#[tokio::test]
async fn an_error_without_a_handler_of_its_own_goes_to_the_handler_of_its_nearest_source() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/shop").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the CheeseNotFound handler chose 404"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "error": "no cheese called brie" })
    );

    // StoreClosed -> AisleClosed -> ShelfEmpty: both sources have handlers; the nearest wins.
    let (status, _, body) = get_text(&server, "/store").await;
    assert_eq!(body, "aisle: the aisle is closed");
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "an untyped error keeps its 500"
    );
}

#[tokio::test]
async fn a_handler_taking_its_error_by_value_handles_only_the_error_itself() {
    let server = TestServer::start(app()).await;
    let (_, _, body) = get_text(&server, "/owned").await;
    assert_eq!(body, "owned: owned");
    let (status, _, body) = get_text(&server, "/wraps-owned").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "error": "internal", "cause": true })
    );
}

#[tokio::test]
async fn an_error_of_no_handled_type_goes_to_the_handler_of_its_status() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/db").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("hunter2"));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "error": "internal", "cause": true })
    );
}

#[tokio::test]
async fn abort_goes_to_a_registered_function_with_its_description_and_extractors() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/old").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body, "/old is gone: deleted for all eternity");
}

#[tokio::test]
async fn the_routers_404_goes_to_the_404_handler_with_the_request_uri() {
    let server = TestServer::start(app()).await;
    let (status, headers, body) = get_text(&server, "/nowhere?x=1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(
        body.starts_with("<h1>Page Not Found</h1><p>/nowhere?x=1: The requested URL was not found"),
        "{body}"
    );
}

#[tokio::test]
async fn the_routers_405_keeps_its_allow_header() {
    let server = TestServer::start(app()).await;
    let (status, headers, body) = get_text(&server, "/only-post").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, "405 Method Not Allowed is not allowed here");
    assert_eq!(headers[header::ALLOW], "POST");
}

#[tokio::test]
async fn an_untyped_status_without_a_code_handler_goes_to_its_class() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/unprocessable").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        "client error on GET: 422 Unprocessable Entity: The request was well-formed but was unable to be followed due to semantic errors."
    );
}

#[tokio::test]
async fn axum_rejections_reach_the_handlers_with_their_text_as_description() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/page?n=many").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.starts_with("bad request: Failed to deserialize query string"),
        "{body}"
    );

    let response = client()
        .post(server.url("/json"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body = response.text().await.unwrap();
    assert_eq!(
        body,
        "client error on POST: 415 Unsupported Media Type: Expected request with `Content-Type: application/json`"
    );

    let (_, _, body) = get_text(&server, "/bare-400").await;
    assert_eq!(
        body,
        "bad request: The browser (or proxy) sent a request that this server could not understand."
    );
}

#[tokio::test]
async fn a_panicking_route_is_a_500_whose_message_reaches_the_handler_but_not_the_client() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/panic").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("secret"));
    assert_eq!(
        LAST_PANIC.lock().unwrap().as_deref(),
        Some("secret panic message")
    );
    let (status, _, body) = get_text(&server, "/ok").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "fine"),
        "the server keeps serving"
    );
}

#[tokio::test]
async fn a_panicking_handler_yields_the_built_in_response_and_the_server_keeps_serving() {
    let server = TestServer::start(app()).await;
    for _ in 0..3 {
        let (status, headers, body) = get_text(&server, "/timeout").await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert_eq!(
            body,
            "504 Gateway Timeout: The connection to an upstream server timed out.\n"
        );
        let (status, _, _) = get_text(&server, "/ok").await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_panicking_registered_function_yields_the_built_in_response_and_the_server_keeps_serving()
{
    let server = TestServer::start(app()).await;
    for _ in 0..3 {
        let (status, headers, body) = get_text(&server, "/full").await;
        assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE);
        assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert!(body.starts_with("507 Insufficient Storage: "), "{body}");
        assert!(!body.contains("panicked"), "{body}");
        let (status, _, _) = get_text(&server, "/ok").await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_handler_whose_extractor_fails_yields_the_built_in_response() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/bad-gateway").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        body,
        "502 Bad Gateway: The proxy server received an invalid response from an upstream server.\n"
    );
}

#[tokio::test]
async fn the_status_policy_keeps_the_errors_status_unless_the_handler_sets_another_error() {
    let server = TestServer::start(app()).await;
    // `Html` alone is a 200: the error's 404 is kept.
    let (status, _, _) = get_text(&server, "/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The handler chose another error status.
    let (status, _, body) = get_text(&server, "/conflict").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "the handler chose 422")
    );
    // A 2xx takes the explicit wrapper.
    let (status, _, body) = get_text(&server, "/teapot").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "recovered with a 200")
    );
}

#[tokio::test]
async fn protocol_headers_survive_unless_the_handler_sets_them() {
    let server = TestServer::start(app()).await;
    let (status, headers, body) = get_text(&server, "/busy").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "come back later")
    );
    assert_eq!(headers[header::RETRY_AFTER], "120");

    let (status, headers, body) = get_text(&server, "/login").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, "log in")
    );
    let challenges: Vec<_> = headers.get_all(header::WWW_AUTHENTICATE).iter().collect();
    assert_eq!(
        challenges,
        ["Bearer realm=\"handler\""],
        "the handler's own header wins"
    );
}

#[tokio::test]
async fn successful_responses_pass_through_untouched() {
    let server = TestServer::start(app()).await;
    let (status, _, body) = get_text(&server, "/ok").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "fine"));
}

#[tokio::test]
async fn head_requests_get_the_handlers_status_and_headers_without_a_body() {
    let server = TestServer::start(app()).await;
    let response = client().head(server.url("/nowhere")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(response.text().await.unwrap(), "");
}

errorhandler! {
    /// A set with a `default` handler only.
    struct DefaultOnly;

    #[errorhandler(default)]
    fn anything(e: &HttpError) -> String {
        format!("default: {}", e.status().as_u16())
    }
}

#[tokio::test]
async fn default_takes_whatever_nothing_else_handles() {
    let app = Router::new()
        .route(
            "/db",
            get(|| async { Err::<(), Error>(DatabaseDown.into()) }),
        )
        .route(
            "/teapot",
            get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }),
        )
        .layer(DefaultOnly::layer());
    let server = TestServer::start(app).await;
    assert_eq!(get_text(&server, "/db").await.2, "default: 500");
    assert_eq!(get_text(&server, "/teapot").await.2, "default: 418");
    let (status, _, body) = get_text(&server, "/missing").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "default: 404")
    );
}

errorhandler! {
    /// A set with nothing but a 404 handler: everything else falls to the built-in defaults.
    struct NotFoundOnly;

    #[errorhandler(404)]
    fn not_found() -> &'static str {
        "not here"
    }
}

#[tokio::test]
async fn without_a_handler_untyped_responses_pass_through_and_typed_errors_get_the_negotiated_default()
 {
    let app = Router::new()
        .route(
            "/teapot",
            get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }),
        )
        .route(
            "/db",
            get(|| async { Err::<(), Error>(DatabaseDown.into()) }),
        )
        .route(
            "/old",
            get(|| async { Err::<(), HttpError>(abort!(410, "deleted <for> all eternity")) }),
        )
        .layer(NotFoundOnly::layer());
    let server = TestServer::start(app).await;
    let (status, _, body) = get_text(&server, "/teapot").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::IM_A_TEAPOT, "short and stout")
    );

    let ask = |path: &'static str, accept: &'static str| {
        let request = client()
            .get(server.url(path))
            .header(header::ACCEPT, accept);
        async move {
            let response = request.send().await.unwrap();
            let content_type = response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_owned();
            (
                response.status(),
                content_type,
                response.text().await.unwrap(),
            )
        }
    };

    let (status, content_type, body) = ask("/old", "application/json").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::GONE, "application/problem+json")
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "type": "about:blank", "title": "Gone", "status": 410, "detail": "deleted <for> all eternity" })
    );

    let (status, content_type, body) = ask(
        "/old",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::GONE, "text/html; charset=utf-8")
    );
    assert_eq!(
        body,
        "<!doctype html>\n<html lang=en>\n<title>410 Gone</title>\n<h1>Gone</h1>\n<p>deleted &lt;for&gt; all eternity</p>\n"
    );

    let (status, content_type, body) = ask("/old", "*/*").await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::GONE, "text/plain; charset=utf-8")
    );
    assert_eq!(body, "410 Gone: deleted <for> all eternity\n");

    for accept in ["application/json", "text/html", "*/*"] {
        let (status, _, body) = ask("/db", accept).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            body.contains("The server encountered an internal error"),
            "{body}"
        );
        assert!(
            !body.contains("hunter2"),
            "a 5xx body never shows the internal error: {body}"
        );
    }
}

#[tokio::test]
async fn without_any_layer_errors_answer_with_their_status_and_a_plain_text_body() {
    let app = Router::new()
        .route(
            "/old",
            get(|| async { Err::<(), HttpError>(abort!(410, "deleted")) }),
        )
        .route(
            "/db",
            get(|| async { Err::<(), Error>(DatabaseDown.into()) }),
        );
    let server = TestServer::start(app).await;
    let (status, headers, body) = get_text(&server, "/old").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::GONE, "410 Gone: deleted\n")
    );
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let (status, _, body) = get_text(&server, "/db").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("hunter2"));
}

#[tokio::test]
async fn a_streamed_success_body_passes_through_intact() {
    let expected: String = (0..64).map(|i| format!("chunk {i}\n")).collect();
    let app = Router::new()
        .route(
            "/stream",
            get(|| async {
                let chunks = (0..64).map(|i| Ok::<_, std::io::Error>(format!("chunk {i}\n")));
                axum::body::Body::from_stream(futures_util::stream::iter(chunks))
            }),
        )
        .layer(SiteErrors::layer());
    let server = TestServer::start(app).await;
    let response = client().get(server.url("/stream")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get(header::CONTENT_LENGTH).is_none(),
        "still streamed, not buffered"
    );
    assert_eq!(response.text().await.unwrap(), expected);
}

#[derive(Clone)]
struct AppState {
    site_name: &'static str,
}

errorhandler! {
    /// Handlers that read the application's state.
    struct StatefulErrors;

    #[errorhandler(404)]
    async fn no_such_page(State(state): State<AppState>, headers: HeaderMap) -> String {
        let agent = headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok()).unwrap_or("?");
        format!("{} has no such page (asked by {agent})", state.site_name)
    }
}

#[tokio::test]
async fn a_handler_reads_the_state_given_to_the_layer() {
    let app = Router::new().layer(StatefulErrors::with_state(AppState {
        site_name: "The Cheese Shop",
    }));
    let server = TestServer::start(app).await;
    let response = client()
        .get(server.url("/x"))
        .header(header::USER_AGENT, "tests")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.text().await.unwrap(),
        "The Cheese Shop has no such page (asked by tests)"
    );
}

/// An existing function that reads the state; the macro cannot look into it, so the set declares the state.
async fn server_error_page(error: &HttpError, State(state): State<AppState>) -> String {
    format!("{} is having trouble: {}", state.site_name, error.status())
}

errorhandler! {
    /// Registered functions only, reading the state the set declares.
    #[errorhandler(state = AppState)]
    struct DeclaredStateErrors;

    500 => server_error_page;
}

#[tokio::test]
async fn a_registered_function_reads_the_state_the_set_declares() {
    let app = Router::new()
        .route("/boom", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .layer(DeclaredStateErrors::with_state(AppState {
            site_name: "The Cheese Shop",
        }));
    let server = TestServer::start(app).await;
    let response = client().get(server.url("/boom")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.text().await.unwrap(),
        "The Cheese Shop is having trouble: 500 Internal Server Error"
    );
}

errorhandler! {
    /// A set that answers panics by their type.
    struct PanicErrors;

    #[errorhandler(errorhandler::Panic)]
    fn on_panic(panic: &errorhandler::Panic) -> String {
        format!("panic handler saw {} characters", panic.message().len())
    }

    #[errorhandler(500)]
    fn on_internal() -> &'static str {
        "500 handler"
    }
}

#[tokio::test]
async fn a_handler_keyed_by_panic_takes_panics_before_the_500_handler() {
    let app = Router::new()
        .route(
            "/panic",
            get(|| async {
                panic!("twelve chars");
                #[allow(unreachable_code)]
                ()
            }),
        )
        .route(
            "/db",
            get(|| async { Err::<(), Error>(DatabaseDown.into()) }),
        )
        .layer(PanicErrors::layer());
    let server = TestServer::start(app).await;
    let (status, _, body) = get_text(&server, "/panic").await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "panic handler saw 12 characters"
        )
    );
    let (status, _, body) = get_text(&server, "/db").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "500 handler")
    );
}

errorhandler! {
    /// The handlers of a nested router.
    struct InnerErrors;

    #[errorhandler(404)]
    fn inner_not_found() -> &'static str {
        "inner 404"
    }
}

#[tokio::test]
async fn an_outer_layer_leaves_an_inner_handlers_answer_alone() {
    let inner = Router::new()
        .route(
            "/missing",
            get(|| async { Err::<(), HttpError>(abort!(404)) }),
        )
        .layer(InnerErrors::layer());
    let app = Router::new()
        .nest("/inner", inner)
        .layer(SiteErrors::layer());
    let server = TestServer::start(app).await;
    let (status, _, body) = get_text(&server, "/inner/missing").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "inner 404")
    );
    let (_, _, body) = get_text(&server, "/elsewhere").await;
    assert!(
        body.starts_with("<h1>Page Not Found</h1>"),
        "the outer set still answers its own: {body}"
    );
}

fn plain_gone() -> &'static str {
    "gone for good"
}

fn gone_at(uri: Uri) -> String {
    format!("{uri} is gone")
}

errorhandler! {
    /// A registered function without extractors: nothing of the request to keep.
    struct RegisteredHeadless;

    410 => plain_gone;
}

errorhandler! {
    /// A registered function with an extractor: the layer keeps the request head.
    struct RegisteredHeadReading;

    410 => gone_at;
}

#[tokio::test]
async fn the_layer_keeps_the_request_head_only_for_handlers_with_extractors() {
    use errorhandler::__private::ErrorHandlers; // white-box: what the set tells its layer
    assert!(!RegisteredHeadless::needs_request_head());
    assert!(RegisteredHeadReading::needs_request_head());

    let routes = || Router::new().route("/old", get(|| async { StatusCode::GONE }));
    for (app, expected) in [
        (routes().layer(RegisteredHeadless::layer()), "gone for good"),
        (
            routes().layer(RegisteredHeadReading::layer()),
            "/old is gone",
        ),
    ] {
        let server = TestServer::start(app).await;
        let response = client().get(server.url("/old")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::GONE);
        assert_eq!(response.text().await.unwrap(), expected);
    }
}

#[tokio::test]
async fn a_status_without_a_standard_name_has_one_name_in_display_and_body() {
    let error = abort!(499, "the client went away");
    assert_eq!(error.to_string(), "499 Client Error: the client went away");
    let app = Router::new()
        .route(
            "/499",
            get(|| async { Err::<(), HttpError>(abort!(499, "the client went away")) }),
        )
        .route("/599", get(|| async { Err::<(), HttpError>(abort!(599)) }));
    // Without a layer the body is plain text; behind one, it is negotiated.
    for (server, negotiated) in [
        (TestServer::start(app.clone()).await, false),
        (
            TestServer::start(app.layer(NotFoundOnly::layer())).await,
            true,
        ),
    ] {
        let (status, _, body) = get_text(&server, "/499").await;
        assert_eq!(status.as_u16(), 499);
        assert_eq!(body, "499 Client Error: the client went away\n");
        let (_, _, body) = get_text(&server, "/599").await;
        assert!(body.starts_with("599 Server Error: "), "{body}");
        if !negotiated {
            continue;
        }
        let response = client()
            .get(server.url("/499"))
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["title"], "Client Error");
    }
}

errorhandler! {
    /// A 5xx handler, which the body of a route's own 500 reaches as `source()`.
    struct ServerErrorsOnly;

    #[errorhandler(5xx)]
    fn server_error(e: &HttpError) -> String {
        let hidden = e.source().map(ToString::to_string).unwrap_or_default();
        assert_eq!(hidden, "secret text");
        format!("{} {}", e.status().as_u16(), e.name())
    }
}

/// The crate docs' rule for a 5xx response a route builds itself: with a handler of its status, class or
/// `default`, its body reaches the handler only; without one, the route's answer is sent as it is (rule 3),
/// since the layer only rewrites what a handler takes.
#[tokio::test]
async fn a_routes_own_5xx_body_reaches_a_handler_but_passes_through_without_one() {
    let app = Router::new().route(
        "/secret",
        get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "secret text") }),
    );
    let server = TestServer::start(app.clone().layer(ServerErrorsOnly::layer())).await;
    let (status, _, body) = get_text(&server, "/secret").await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error"
        )
    );
    let server = TestServer::start(app.layer(NotFoundOnly::layer())).await;
    let (status, _, body) = get_text(&server, "/secret").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "secret text")
    );
}

#[derive(Debug, thiserror::Error)]
#[error("the printer is on fire")]
struct PrinterOnFire;

errorhandler! {
    /// A 404 handler that fails with an error of its own, which is its answer as it stands.
    struct FailingHandler;

    #[errorhandler(404)]
    fn not_found_failing() -> Result<&'static str, Error> {
        Err(PrinterOnFire.into())
    }
}

#[tokio::test]
async fn an_error_a_handler_returns_answers_for_itself_with_its_whole_default() {
    let app = Router::new()
        .route("/ok", get(|| async { "fine" }))
        .layer(FailingHandler::layer());
    let server = TestServer::start(app).await;
    let (status, headers, body) = get_text(&server, "/nowhere").await;
    // The handler's error is its answer: a 500 with the plain-text page, built in full, not left to a layer.
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert!(body.starts_with("500 Internal Server Error: "), "{body}");
    assert!(!body.contains("fire"), "{body}");
}

#[tokio::test]
async fn an_error_of_a_route_under_a_layer_without_its_handler_gets_the_negotiated_page() {
    let app = Router::new()
        .route(
            "/fire",
            get(|| async { Err::<(), Error>(PrinterOnFire.into()) }),
        )
        .layer(InnerErrors::layer());
    let server = TestServer::start(app).await;
    for (accept, content_type, start) in [
        ("text/html", "text/html; charset=utf-8", "<!doctype html>"),
        ("application/json", "application/problem+json", "{"),
        (
            "*/*",
            "text/plain; charset=utf-8",
            "500 Internal Server Error: ",
        ),
    ] {
        let response = client()
            .get(server.url("/fire"))
            .header(header::ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        let body = response.text().await.unwrap();
        assert!(body.starts_with(start), "{accept}: {body}");
        assert!(!body.contains("fire"), "{body}");
    }
}

/// A teapot: an error whose declared answer is another error's own answer.
#[derive(Debug, thiserror::Error)]
#[error("short and stout")]
struct Teapot;

#[errorhandler::status]
impl errorhandler::ErrorStatus for Teapot {
    fn status(&self) -> StatusCode {
        StatusCode::IM_A_TEAPOT
    }

    fn default_answer(&self) -> Option<Response> {
        Some(abort!(418, "short and stout").into_response())
    }
}

#[tokio::test]
async fn a_declared_answer_built_from_another_error_is_whole_under_a_layer() {
    let routes = || Router::new().route("/tea", get(|| async { Err::<(), Error>(Teapot.into()) }));
    for app in [routes(), routes().layer(InnerErrors::layer())] {
        let server = TestServer::start(app).await;
        let (status, headers, body) = get_text(&server, "/tea").await;
        assert_eq!(status, StatusCode::IM_A_TEAPOT);
        assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert_eq!(body, "418 I'm a teapot: short and stout\n");
    }
}
