//! Every error a set answers is logged once, in the request's span, and reported to outer layers by an
//! `ErrorReport`: over real HTTP, with the events captured by the tests' subscriber.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use axum::routing::get;
use errorhandler::{AnsweredBy, Error, ErrorReport, HttpError, abort, errorhandler};
use errorhandler_tests::{TestServer, client};
use tracing::Level;

/// The database is down; its cause is the I/O error that says why.
#[derive(Debug, thiserror::Error)]
#[error("the database is down")]
struct DbDown(#[source] std::io::Error);

fn db_down() -> DbDown {
    DbDown(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "connection refused by 10.0.0.7:5432",
    ))
}

async fn database() -> Result<&'static str, Error> {
    Err(db_down())?
}

async fn missing() -> Result<&'static str, HttpError> {
    Err(abort!(404, "no such cheese"))
}

async fn crash() -> &'static str {
    panic!("the cheese shop crashed")
}

errorhandler! {
    /// A 500 page and a 404 page.
    struct Pages;

    #[errorhandler(500)]
    fn server_error() -> Html<&'static str> {
        Html("<h1>Sorry</h1>")
    }

    #[errorhandler(404)]
    fn not_found() -> Html<&'static str> {
        Html("<h1>Not here</h1>")
    }
}

errorhandler! {
    /// Only a 404 page: a typed 500 gets the built-in default.
    struct NotFoundOnly;

    #[errorhandler(404)]
    fn only_not_found() -> Html<&'static str> {
        Html("<h1>Not here</h1>")
    }
}

fn routes() -> Router {
    Router::new()
        .route("/db", get(database))
        .route("/missing", get(missing))
        .route("/crash", get(crash))
        .route("/ok", get(|| async { "fine" }))
}

async fn get_with_id(server: &TestServer, path: &str, request_id: &str) -> reqwest::Response {
    client()
        .get(server.url(path))
        .header("x-request-id", request_id)
        .send()
        .await
        .expect("response")
}

#[tokio::test]
async fn a_handled_500_is_logged_once_at_error_with_its_type_and_every_cause() {
    let server = TestServer::start(routes().layer(Pages::layer())).await;
    let response = get_with_id(&server, "/db", "req-db-1").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.text().await.unwrap(), "<h1>Sorry</h1>");

    let events = server.errorhandler_events();
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("status"), Some("500"));
    assert_eq!(event.field("error"), Some("the database is down"));
    assert!(
        event.field("error.type").unwrap().ends_with("DbDown"),
        "{event:?}"
    );
    assert!(
        event
            .field("error.sources")
            .unwrap()
            .contains("connection refused by 10.0.0.7:5432"),
        "{event:?}"
    );
    assert_eq!(event.field("answered_by"), Some("500"));
    // In the request's span, with what `TraceLayer` put there.
    assert_eq!(event.span_field("request_id"), Some("req-db-1"));
    assert_eq!(event.span_field("uri"), Some("/db"));
}

#[tokio::test]
async fn an_unhandled_typed_error_is_logged_as_answered_by_the_built_in_default() {
    let server = TestServer::start(routes().layer(NotFoundOnly::layer())).await;
    let response = client()
        .get(server.url("/db"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.text().await.unwrap();
    assert!(
        !body.contains("database") && !body.contains("10.0.0.7"),
        "a 5xx body never holds the error's text: {body}"
    );

    let events = server.errorhandler_events();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].level, Level::ERROR);
    assert_eq!(events[0].field("answered_by"), Some("built-in default"));
    assert!(
        events[0]
            .field("error.sources")
            .unwrap()
            .contains("connection refused")
    );
}

#[tokio::test]
async fn the_same_error_without_any_layer_is_still_answered_safely() {
    let server = TestServer::start(routes()).await;
    let response = client().get(server.url("/db")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!response.text().await.unwrap().contains("10.0.0.7"));
}

#[tokio::test]
async fn a_handled_404_is_logged_at_debug_only() {
    let server = TestServer::start(routes().layer(Pages::layer())).await;
    for path in ["/missing", "/nowhere"] {
        let response = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let events = server.errorhandler_events();
    assert_eq!(events.len(), 2, "{events:#?}");
    for event in &events {
        assert_eq!(event.level, Level::DEBUG, "{event:?}");
        assert_eq!(event.field("answered_by"), Some("404"));
        assert_eq!(event.field("status"), Some("404"));
    }
    assert_eq!(
        events[0].field("error"),
        Some("404 Not Found: no such cheese")
    );
    assert!(
        events[1]
            .field("error")
            .unwrap()
            .starts_with("404 Not Found: The requested URL was not found"),
        "the router's bare 404 is described by its status: {:?}",
        events[1]
    );
}

#[tokio::test]
async fn the_levels_are_set_per_set_and_per_class() {
    let app = routes().layer(
        Pages::layer()
            .client_error_level(Some(Level::WARN))
            .server_error_level(None),
    );
    let server = TestServer::start(app).await;
    client().get(server.url("/missing")).send().await.unwrap();
    client().get(server.url("/db")).send().await.unwrap();
    let events = server.errorhandler_events();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].level, Level::WARN);
    assert_eq!(events[0].field("status"), Some("404"));
}

#[tokio::test]
async fn nothing_is_logged_on_the_success_path() {
    let server = TestServer::start(routes().layer(Pages::layer())).await;
    let response = client().get(server.url("/ok")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.extensions().get::<ErrorReport>().is_none());
    let events = server.errorhandler_events();
    assert!(events.is_empty(), "{events:#?}");
}

errorhandler! {
    /// The handlers of a nested router: its own 500 page.
    struct InnerPages;

    #[errorhandler(5xx)]
    fn inner_server_error() -> &'static str {
        "inner 5xx"
    }
}

#[tokio::test]
async fn nested_sets_log_an_error_once_where_it_is_answered() {
    let inner = routes().layer(InnerPages::layer());
    let app = Router::new()
        .nest("/inner", inner)
        .merge(routes())
        .layer(Pages::layer());
    let server = TestServer::start(app).await;
    let response = client().get(server.url("/inner/db")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "inner 5xx");
    let response = client().get(server.url("/db")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "<h1>Sorry</h1>");

    let events = server.errorhandler_events();
    let answered_by: Vec<_> = events
        .iter()
        .map(|event| (event.span_field("uri"), event.field("answered_by")))
        .collect();
    assert_eq!(
        answered_by,
        [(Some("/inner/db"), Some("5xx")), (Some("/db"), Some("500"))],
        "{events:#?}"
    );
}

#[tokio::test]
async fn a_panic_is_logged_with_its_message_and_location() {
    let server = TestServer::start(routes().layer(Pages::layer())).await;
    let response = get_with_id(&server, "/crash", "req-crash").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.text().await.unwrap(), "<h1>Sorry</h1>");

    let events = server.errorhandler_events();
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event.level, Level::ERROR);
    assert!(
        event
            .field("error.sources")
            .unwrap()
            .contains("the cheese shop crashed"),
        "{event:?}"
    );
    let location = event.field("panic.location").expect("a location");
    assert!(
        location.starts_with("tests/tests/logging.rs:"),
        "{location}"
    );
    assert_eq!(event.span_field("request_id"), Some("req-crash"));
    // The server keeps serving.
    let response = client().get(server.url("/ok")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// An outer layer that reads the report, as a metrics or Sentry layer would, and says what it read in headers.
async fn report_in_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let Some(report) = response.extensions().get::<ErrorReport>().cloned() else {
        return response;
    };
    let headers = response.headers_mut();
    let mut put = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    };
    put("x-report-status", report.status().as_u16().to_string());
    put("x-report-type", report.error_type().to_owned());
    put("x-report-message", report.message().into_owned());
    put(
        "x-report-causes",
        report.causes().collect::<Vec<_>>().join(" | "),
    );
    put(
        "x-report-answered-by",
        match report.answered_by() {
            AnsweredBy::Handler(key) => format!("handler {key}"),
            other => other.to_string(),
        },
    );
    put(
        "x-report-location",
        report.panic_location().unwrap_or("none").to_owned(),
    );
    response
}

#[tokio::test]
async fn an_outer_layer_reads_the_report_without_the_error_value() {
    let app = routes()
        .layer(Pages::layer())
        .layer(middleware::from_fn(report_in_headers));
    let server = TestServer::start(app).await;

    let response = client().get(server.url("/db")).send().await.unwrap();
    let header = |name: &str| response.headers()[name].to_str().expect("ascii").to_owned();
    assert_eq!(header("x-report-status"), "500");
    assert!(header("x-report-type").ends_with("DbDown"));
    assert_eq!(header("x-report-message"), "the database is down");
    assert_eq!(
        header("x-report-causes"),
        "connection refused by 10.0.0.7:5432"
    );
    assert_eq!(header("x-report-answered-by"), "handler 500");
    assert_eq!(header("x-report-location"), "none");

    let response = client().get(server.url("/crash")).send().await.unwrap();
    let location = response.headers()["x-report-location"].to_str().unwrap();
    assert!(
        location.starts_with("tests/tests/logging.rs:"),
        "{location}"
    );

    let response = client().get(server.url("/nowhere")).send().await.unwrap();
    assert_eq!(response.headers()["x-report-status"], "404");
    assert_eq!(
        response.headers()["x-report-type"],
        "errorhandler::HttpError"
    );
    assert_eq!(response.headers()["x-report-answered-by"], "handler 404");

    let response = client().get(server.url("/ok")).send().await.unwrap();
    assert!(response.headers().get("x-report-status").is_none());
}

#[test]
fn the_report_debug_shows_what_answered() {
    let report_of = |response: Response| {
        response
            .extensions()
            .get::<ErrorReport>()
            .cloned()
            .expect("a report")
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let response = runtime.block_on(async {
        use tower::ServiceExt as _;
        routes()
            .layer(Pages::layer())
            .oneshot(
                Request::builder()
                    .uri("/db")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
    });
    let debug = format!("{:?}", report_of(response));
    for part in [
        "status: 500",
        "DbDown",
        "\"the database is down\"",
        "connection refused by 10.0.0.7:5432",
        "answered_by: Handler(\"500\")",
    ] {
        assert!(debug.contains(part), "{part} in {debug}");
    }
}

errorhandler! {
    /// A 404 handler that panics, and a 403 handler whose extractor rejects every request.
    struct FailingHandlers;

    #[errorhandler(404)]
    fn panicking_not_found() -> &'static str {
        panic!("the 404 page is on fire")
    }

    #[errorhandler(403)]
    fn needs_an_extension(axum::Extension(name): axum::Extension<String>) -> String {
        name
    }
}

#[tokio::test]
async fn a_failing_handler_is_said_in_the_one_event_of_its_answer() {
    let app = routes()
        .route("/forbidden", get(|| async { StatusCode::FORBIDDEN }))
        .layer(FailingHandlers::layer());
    let server = TestServer::start(app).await;
    let response = client().get(server.url("/nowhere")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response.text().await.unwrap().contains("fire"));
    let response = client().get(server.url("/forbidden")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let events = server.errorhandler_events();
    assert_eq!(events.len(), 2, "one event per answer: {events:#?}");
    // A panicking handler is a bug of the server's: logged at the level of server errors.
    assert_eq!(events[0].level, Level::ERROR);
    assert_eq!(events[0].field("answered_by"), Some("built-in default"));
    let failure = events[0].field("handler.failure").unwrap();
    assert!(
        failure.starts_with("the 404 handler panicked at tests/tests/logging.rs:")
            && failure.ends_with("the 404 page is on fire"),
        "{failure}"
    );
    assert_eq!(events[1].level, Level::DEBUG);
    assert!(
        events[1]
            .field("handler.failure")
            .unwrap()
            .starts_with("the 403 handler gave no answer")
    );
}

#[tokio::test]
async fn a_panic_caught_inside_the_layer_by_other_code_is_still_logged() {
    let app = routes()
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(NotFoundOnly::layer());
    let server = TestServer::start(app).await;
    let response = client().get(server.url("/crash")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let events = server.errorhandler_events();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].level, Level::ERROR);
    assert_eq!(
        events[0].field("panic.message"),
        Some("the cheese shop crashed")
    );
    assert!(
        events[0]
            .field("panic.location")
            .unwrap()
            .starts_with("tests/tests/logging.rs:")
    );
}
