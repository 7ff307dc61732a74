//! `ProblemDetails` (RFC 9457) over real HTTP: a route's own problem with extension members, and the problem of
//! an `HttpError` and of an `Error`, which is the built-in default's body for JSON clients, byte for byte.

use std::borrow::Cow;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use errorhandler::{Error, ErrorStatus, HttpError, ProblemDetails, abort, errorhandler, status};
use errorhandler_tests::{TestServer, client};
use serde_json::{Value, json};

#[status(404)]
#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
struct CheeseNotFound(String);

/// A 422 whose declared detail is what the client may see.
#[derive(Debug, thiserror::Error)]
#[error("{0} is invalid: internal note")]
struct Invalid(&'static str);

#[status]
impl ErrorStatus for Invalid {
    fn status(&self) -> StatusCode {
        StatusCode::UNPROCESSABLE_ENTITY
    }

    fn detail(&self) -> Option<Cow<'_, str>> {
        Some(format!("{} is invalid", self.0).into())
    }
}

/// An error that declares nothing: a 500 whose message is internal.
#[derive(Debug, thiserror::Error)]
#[error("the password is hunter2")]
struct Internal;

/// The error each name stands for.
fn error_of(name: &str) -> Error {
    match name {
        "abort" => abort!(410, "deleted <for> all \"eternity\"").into(),
        "cheese" => CheeseNotFound("brie".into()).into(),
        "invalid" => Invalid("age").into(),
        "internal" => Internal.into(),
        "maintenance" => abort!(503, "back at noon").into(),
        _ => abort!(404).into(),
    }
}

const NAMES: [&str; 5] = ["abort", "cheese", "invalid", "internal", "maintenance"];

/// RFC 9457's own example, with extension members.
async fn out_of_credit() -> ProblemDetails {
    ProblemDetails::new(StatusCode::FORBIDDEN)
        .with_type("https://example.com/probs/out-of-credit")
        .with_title("You do not have enough credit.")
        .with_detail("Your current balance is 30, but that costs 50.")
        .with_instance("/account/12345/msgs/abc")
        .with_extension("balance", 30)
        .with_extension("accounts", json!(["/account/12345", "/account/67890"]))
}

fn routes() -> Router {
    Router::new()
        .route("/credit", get(out_of_credit))
        .route(
            "/error/{name}",
            get(|Path(name): Path<String>| async move { Err::<(), Error>(error_of(&name)) }),
        )
        .route(
            "/problem/{name}",
            get(|Path(name): Path<String>| async move { ProblemDetails::from(&error_of(&name)) }),
        )
        .route(
            "/http-problem",
            get(|| async { ProblemDetails::from(&abort!(410, "deleted <for> all \"eternity\"")) }),
        )
        .route("/teapot", get(teapot))
}

/// A problem in a response a handler builds further.
async fn teapot() -> Response {
    let mut response = ProblemDetails::new(StatusCode::IM_A_TEAPOT)
        .with_detail("short and stout")
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
    response
}

errorhandler! {
    /// A set with no handler that takes the errors above: they get the built-in default.
    struct TeapotOnly;

    #[errorhandler(418)]
    fn teapot_page() -> &'static str {
        "short and stout"
    }
}

errorhandler! {
    /// A set that answers every error with its problem.
    struct Problems;

    #[errorhandler(default)]
    fn problem(e: &HttpError) -> ProblemDetails {
        ProblemDetails::from(e)
    }
}

/// Status, content type and body of `path`, asking for JSON.
async fn fetch(server: &TestServer, path: &str) -> (StatusCode, String, String) {
    let response = client()
        .get(server.url(path))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn a_route_answers_with_a_problem_of_its_own_and_its_extension_members() {
    let server = TestServer::start(routes()).await;
    let (status, content_type, body) = fetch(&server, "/credit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(
        body,
        concat!(
            r#"{"detail":"Your current balance is 30, but that costs 50.","#,
            r#""instance":"/account/12345/msgs/abc","status":403,"title":"You do not have enough credit.","#,
            r#""type":"https://example.com/probs/out-of-credit","#,
            r#""balance":30,"accounts":["/account/12345","/account/67890"]}"#
        )
    );

    let response = client().get(server.url("/teapot")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "type": "about:blank", "title": "I'm a teapot", "status": 418, "detail": "short and stout" })
    );
}

#[tokio::test]
async fn the_problem_of_an_http_error_is_the_built_in_defaults_body_byte_for_byte() {
    let expected = r#"{"detail":"deleted <for> all \"eternity\"","status":410,"title":"Gone","type":"about:blank"}"#;
    let server = TestServer::start(routes().layer(TeapotOnly::layer())).await;
    let built_in = fetch(&server, "/error/abort").await;
    assert_eq!(
        built_in,
        (
            StatusCode::GONE,
            "application/problem+json".to_owned(),
            expected.to_owned()
        )
    );
    assert_eq!(fetch(&server, "/http-problem").await, built_in);
    assert_eq!(fetch(&server, "/problem/abort").await, built_in);

    let server = TestServer::start(routes().layer(Problems::layer())).await;
    assert_eq!(fetch(&server, "/error/abort").await, built_in);
}

#[tokio::test]
async fn the_problem_of_an_error_shows_its_declared_detail_and_never_its_message() {
    let built_in = TestServer::start(routes().layer(TeapotOnly::layer())).await;
    let handled = TestServer::start(routes().layer(Problems::layer())).await;
    for name in NAMES {
        let expected = fetch(&built_in, &format!("/error/{name}")).await;
        assert_eq!(expected.1, "application/problem+json", "{name}");
        assert_eq!(
            fetch(&built_in, &format!("/problem/{name}")).await,
            expected,
            "{name}"
        );
        assert_eq!(
            fetch(&handled, &format!("/error/{name}")).await,
            expected,
            "{name}"
        );
    }

    let detail = |body: &str| serde_json::from_str::<Value>(body).unwrap()["detail"].clone();
    let (status, _, body) = fetch(&built_in, "/problem/cheese").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        detail(&body),
        HttpError::new(StatusCode::NOT_FOUND).description()
    );
    assert!(!body.contains("brie"), "{body}");
    let (status, _, body) = fetch(&built_in, "/problem/invalid").await;
    assert_eq!(
        (status, detail(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("age is invalid"))
    );
    let (status, _, body) = fetch(&built_in, "/problem/internal").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        detail(&body),
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).description()
    );
    assert!(!body.contains("hunter2"), "{body}");
    let (status, _, body) = fetch(&built_in, "/problem/maintenance").await;
    assert_eq!(
        (status, detail(&body)),
        (StatusCode::SERVICE_UNAVAILABLE, json!("back at noon"))
    );
}

#[tokio::test]
async fn a_problem_from_an_error_keeps_the_text_of_a_client_rejection() {
    async fn order(
        payload: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
    ) -> Response {
        match payload {
            Ok(Json(value)) => Json(value).into_response(),
            Err(rejection) => ProblemDetails::from(&Error::from(rejection)).into_response(),
        }
    }
    let server =
        TestServer::start(Router::new().route("/orders", axum::routing::post(order))).await;
    let response = client()
        .post(server.url("/orders"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({
            "type": "about:blank",
            "title": "Unsupported Media Type",
            "status": 415,
            "detail": "Expected request with `Content-Type: application/json`",
        })
    );
}
