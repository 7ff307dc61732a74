//! The tests' secret scan finds a token in a captured event, whether the event came before the token was seen or
//! after (its own binary: a leak it plants would fail the other tests of a shared one).

use axum::Router;
use axum::routing::get;
use errorhandler_tests::capture::{assert_no_secret_logged, remember_secret};
use errorhandler_tests::{TestServer, client};

const EARLY: &str = "eyJhbGciOiJSUzI1NiJ9.early-token-value.c2lnbmF0dXJl";
const LATE: &str = "late_token_value_0123456789abcdef";

#[tokio::test]
async fn a_token_in_an_event_is_found_before_and_after_it_is_remembered() {
    let app = Router::new()
        .route(
            "/early",
            get(|| async {
                tracing::warn!(target: "errorhandler_tests::probe", cookie = %format!("sAccessToken={EARLY}; Path=/"));
                "ok"
            }),
        )
        .route(
            "/late",
            get(|| async {
                tracing::warn!(target: "errorhandler_tests::probe", "refresh with {LATE}");
                "ok"
            }),
        );
    let server = TestServer::start(app).await;
    assert_no_secret_logged();

    client().get(server.url("/early")).send().await.unwrap();
    assert_no_secret_logged();
    remember_secret(EARLY);
    assert!(std::panic::catch_unwind(assert_no_secret_logged).is_err());

    remember_secret(LATE);
    client().get(server.url("/late")).send().await.unwrap();
    let leaks = std::panic::catch_unwind(assert_no_secret_logged)
        .expect_err("both tokens are found")
        .downcast::<String>()
        .map(|message| *message)
        .unwrap_or_default();
    assert!(leaks.contains("refresh with"), "{leaks}");
    // The server would fail this test when it stops: the leaks here are planted.
    std::mem::forget(server);
}
