//! The "Custom Error Pages" example, driven as a browser and an API client would.

use axum::http::{StatusCode, header};
use errorhandler_examples::custom_error_pages::app;
use errorhandler_tests::{TestServer, client};
use serde_json::{Value, json};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn browse(server: &TestServer, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(server.url(path))
        .header(header::ACCEPT, BROWSER)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8",
        "{path}"
    );
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_missing_page_renders_the_404_template_with_a_link_back_to_the_index() {
    let server = TestServer::start(app()).await;
    for path in ["/no/such/page", "/cheese/venezuelan-beaver"] {
        let (status, body) = browse(&server, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body.contains("<title>Page Not Found - The Cheese Shop</title>"),
            "{body}"
        );
        assert!(body.contains("<h1>Page Not Found</h1>"));
        assert!(
            body.contains(r#"<a href="/">go somewhere nice</a>"#),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_index_links_somewhere_nice() {
    let server = TestServer::start(app()).await;
    let (status, body) = browse(&server, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>The Cheese Shop</h1>"));
    let (status, body) = browse(&server, "/cheese/wensleydale").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Crumbly, slightly sweet"));
}

#[tokio::test]
async fn a_forbidden_resource_is_a_403_page() {
    let server = TestServer::start(app()).await;
    let (status, body) = browse(&server, "/back-office").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("<h1>Forbidden</h1>"));
    assert!(body.contains("The back office is for staff only"));
}

#[tokio::test]
async fn a_deleted_resource_is_410_gone() {
    let server = TestServer::start(app()).await;
    let (status, body) = browse(&server, "/specials/camembert-runny").await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        body.contains("camembert-runny, deleted for all eternity"),
        "{body}"
    );
}

#[tokio::test]
async fn a_crash_is_the_500_page_without_the_panic_message_and_the_shop_stays_open() {
    let server = TestServer::start(app()).await;
    let (status, body) = browse(&server, "/crash").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("<h1>Something went wrong</h1>"));
    assert!(!body.contains("crashed"), "{body}");
    let (status, _) = browse(&server, "/").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_api_answers_errors_in_json_as_flask_jsonify_does() {
    let server = TestServer::start(app()).await;
    let response = client()
        .get(server.url("/api/cheese/limburger"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "error": "404 Not Found: Resource not found" })
    );

    let response = client()
        .get(server.url("/api/cheese/cheddar"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["name"], "cheddar");

    // The API's own handlers answer for its unknown paths, and the site's outer layer leaves their answer alone.
    let response = client()
        .get(server.url("/api/cheeses"))
        .header(header::ACCEPT, BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "error": "404 Not Found: No such endpoint" })
    );
}
