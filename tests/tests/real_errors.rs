//! The errors a real axum app raises, over real HTTP: `anyhow` and `eyre` errors and boxed errors through `?`,
//! seen through by dispatch; tower middleware's errors (a timeout, load shedding) answered by the set's handlers
//! without a `HandleErrorLayer`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use errorhandler::{Error, ErrorReport, errorhandler, status};
use errorhandler_tests::{TestServer, client};
use eyre::WrapErr as _;
use tower::ServiceBuilder;
use tower::timeout::error::Elapsed;

/// No cheese of that name: a 404.
#[status(404)]
#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
struct CheeseNotFound(String);

fn find(name: &str) -> Result<&'static str, CheeseNotFound> {
    Err(CheeseNotFound(name.to_owned()))
}

/// A route using anyhow for its errors, as most axum applications do.
async fn anyhow_context() -> Result<&'static str, Error> {
    let cheese = anyhow::Context::context(find("brie"), "looking in the cellar")?;
    Ok(cheese)
}

async fn anyhow_bare() -> Result<&'static str, Error> {
    let cheese: anyhow::Result<&str> = find("stilton").map_err(anyhow::Error::from);
    Ok(cheese?)
}

async fn anyhow_message() -> Result<&'static str, Error> {
    Err(anyhow::anyhow!("the cellar door is stuck"))?
}

async fn eyre_context() -> Result<&'static str, Error> {
    let cheese = find("gouda").wrap_err("looking in the attic")?;
    Ok(cheese)
}

async fn boxed() -> Result<&'static str, Error> {
    let error: Box<dyn std::error::Error + Send + Sync> = Box::new(CheeseNotFound("feta".into()));
    Err(error)?
}

errorhandler! {
    /// A cheese page, taking the error by reference wherever it is in the chain.
    struct CheesePages;

    #[errorhandler(CheeseNotFound)]
    fn cheese_missing(e: &CheeseNotFound) -> String {
        format!("handled: {e}")
    }
}

errorhandler! {
    /// A cheese handler that takes the error by value: only an error that is a `CheeseNotFound` itself.
    struct OwnedCheese;

    #[errorhandler(CheeseNotFound)]
    fn cheese_owned(e: CheeseNotFound) -> String {
        format!("owned: {}", e.0)
    }
}

fn routes() -> Router {
    Router::new()
        .route("/anyhow", get(anyhow_context))
        .route("/anyhow-bare", get(anyhow_bare))
        .route("/anyhow-message", get(anyhow_message))
        .route("/eyre", get(eyre_context))
        .route("/boxed", get(boxed))
}

async fn get_text(server: &TestServer, path: &str) -> (StatusCode, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn an_anyhow_error_is_seen_through_to_the_declared_error_it_wraps() {
    let server = TestServer::start(routes().layer(CheesePages::layer())).await;
    for (path, expected) in [
        ("/anyhow", "handled: no cheese called brie"),
        ("/anyhow-bare", "handled: no cheese called stilton"),
        ("/eyre", "handled: no cheese called gouda"),
        ("/boxed", "handled: no cheese called feta"),
    ] {
        assert_eq!(
            get_text(&server, path).await,
            (StatusCode::NOT_FOUND, expected.to_owned()),
            "{path}"
        );
    }
    // An anyhow error that wraps no declared error is a 500, its message kept from the client.
    let (status, body) = get_text(&server, "/anyhow-message").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("cellar"), "{body}");
}

#[tokio::test]
async fn the_context_and_every_cause_reach_the_log_and_the_report() {
    let app = routes()
        .layer(CheesePages::layer())
        .layer(axum::middleware::map_response(
            |response: axum::response::Response| async move {
                let report = response.extensions().get::<ErrorReport>().cloned();
                let mut response = response;
                if let Some(report) = report {
                    let causes = report.causes().collect::<Vec<_>>().join(" | ");
                    response.headers_mut().insert(
                        "x-report",
                        format!("{} / {causes}", report.message()).parse().unwrap(),
                    );
                }
                response
            },
        ));
    let server = TestServer::start(app).await;
    let response = client().get(server.url("/anyhow")).send().await.unwrap();
    assert_eq!(
        response.headers()["x-report"],
        "looking in the cellar / no cheese called brie"
    );
    let response = client().get(server.url("/eyre")).send().await.unwrap();
    assert_eq!(
        response.headers()["x-report"],
        "looking in the attic / no cheese called gouda"
    );
    let events = server.errorhandler_events();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0].field("error"), Some("looking in the cellar"));
    assert_eq!(events[0].field("error.type"), Some("anyhow::Error"));
    assert_eq!(
        events[0].field("error.sources"),
        Some("[\"no cheese called brie\"]")
    );
}

#[tokio::test]
async fn without_a_layer_the_wrapped_errors_status_answers() {
    let server = TestServer::start(routes()).await;
    for path in ["/anyhow", "/anyhow-bare", "/eyre", "/boxed"] {
        let (status, _) = get_text(&server, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_handler_taking_the_error_by_value_gets_it_out_of_anyhow() {
    let server = TestServer::start(routes().layer(OwnedCheese::layer())).await;
    assert_eq!(
        get_text(&server, "/anyhow-bare").await,
        (StatusCode::NOT_FOUND, "owned: stilton".to_owned())
    );
    // With context, the cheese error is a source: a by-value handler cannot take it, its status still answers.
    let (status, body) = get_text(&server, "/anyhow").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("owned"), "{body}");
}

/// A route slower than the timeouts of the tests.
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "done"
}

errorhandler! {
    /// What the set answers for tower's middleware errors.
    struct MiddlewareErrors;

    #[errorhandler(Elapsed)]
    fn too_slow(e: &Elapsed) -> String {
        format!("too slow: {e}")
    }

    #[errorhandler(503)]
    fn unavailable() -> &'static str {
        "busy, try again"
    }
}

#[tokio::test]
async fn a_timeout_reaches_the_handler_of_its_type_as_a_503() {
    let app = Router::new()
        .route("/slow", get(slow))
        .route("/fast", get(|| async { "done" }))
        .layer(
            ServiceBuilder::new()
                .layer(MiddlewareErrors::layer())
                .layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(50))),
        );
    let server = TestServer::start(app).await;
    assert_eq!(
        get_text(&server, "/slow").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "too slow: request timed out".to_owned()
        )
    );
    assert_eq!(
        get_text(&server, "/fast").await,
        (StatusCode::OK, "done".to_owned())
    );
    let events = server.errorhandler_events();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0].field("error.type"),
        Some("tower::timeout::error::Elapsed")
    );
    assert_eq!(events[0].field("answered_by"), Some("Elapsed"));
}

#[tokio::test]
async fn a_timeout_without_a_handler_gets_the_built_in_503() {
    let app = Router::new().route("/slow", get(slow)).layer(
        ServiceBuilder::new()
            .layer(CheesePages::layer())
            .layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(50))),
    );
    let server = TestServer::start(app).await;
    let (status, body) = get_text(&server, "/slow").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.starts_with("503 Service Unavailable"), "{body}");
}

#[tokio::test]
async fn load_shedding_answers_503_through_the_set() {
    let gate = Arc::new(tokio::sync::Notify::new());
    let entered = Arc::new(tokio::sync::Notify::new());
    let app = {
        let (gate, entered) = (Arc::clone(&gate), Arc::clone(&entered));
        Router::new()
            .route(
                "/hold",
                get(move || {
                    let (gate, entered) = (Arc::clone(&gate), Arc::clone(&entered));
                    async move {
                        entered.notify_one();
                        gate.notified().await;
                        "released"
                    }
                }),
            )
            .layer(
                ServiceBuilder::new()
                    .layer(MiddlewareErrors::layer())
                    .layer(tower::load_shed::LoadShedLayer::new())
                    .layer(tower::limit::ConcurrencyLimitLayer::new(1)),
            )
            // The routes made once, as `into_make_service` makes them, so that their requests share one limit
            // (a router served per connection would make its routes, and their limit, for each connection).
            .with_state(())
    };
    let server = TestServer::start(app).await;
    let first = tokio::spawn(client().get(server.url("/hold")).send());
    tokio::time::timeout(Duration::from_secs(5), entered.notified())
        .await
        .expect("the first request reaches the route");
    // The one permit is held: the next request is shed, and the set answers it.
    let shed = tokio::time::timeout(Duration::from_secs(5), get_text(&server, "/hold"))
        .await
        .expect("the second request is answered at once");
    assert_eq!(
        shed,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "busy, try again".to_owned()
        )
    );
    gate.notify_one();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.text().await.unwrap(), "released");
}
