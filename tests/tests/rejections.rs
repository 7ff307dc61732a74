//! axum's extractor rejections through `?` into `errorhandler::Error`, driven over real HTTP: each route takes
//! its extractor wrapped in a `Result` (`/typed/...`) and has a twin that takes the extractor alone
//! (`/plain/...`), so that what `?` answers is compared with what axum answers, with no layer, behind a set
//! without a handler of it, through a `4xx` handler, and through a handler keyed by the rejection type.

use std::error::Error as _;

use axum::extract::rejection::{
    ExtensionRejection, JsonRejection, PathRejection, QueryRejection, RawFormRejection,
    StringRejection,
};
use axum::extract::{Extension, Path, Query, RawForm};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::{Error, HttpError, errorhandler};
use errorhandler_tests::{TestServer, client};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Serialize, Deserialize)]
struct Order {
    cheese: String,
    quantity: u32,
}

#[derive(Debug, Deserialize)]
struct Search {
    page: u32,
}

/// An extension no layer adds: its rejection is a 500.
#[derive(Debug, Clone)]
struct Config;

async fn order(payload: Result<Json<Order>, JsonRejection>) -> Result<Json<Order>, Error> {
    let Json(order) = payload?;
    Ok(Json(order))
}

async fn search(query: Result<Query<Search>, QueryRejection>) -> Result<String, Error> {
    let Query(search) = query?;
    Ok(format!("page {}", search.page))
}

async fn cheese(id: Result<Path<u32>, PathRejection>) -> Result<String, Error> {
    let Path(id) = id?;
    Ok(format!("cheese {id}"))
}

async fn note(text: Result<String, StringRejection>) -> Result<String, Error> {
    Ok(text?)
}

async fn order_form(form: Result<RawForm, RawFormRejection>) -> Result<String, Error> {
    let RawForm(form) = form?;
    Ok(format!("{} bytes", form.len()))
}

async fn config(config: Result<Extension<Config>, ExtensionRejection>) -> Result<String, Error> {
    let Extension(config) = config?;
    Ok(format!("{config:?}"))
}

fn routes() -> Router {
    let typed = Router::new()
        .route("/orders", post(order))
        .route("/search", get(search))
        .route("/cheese/{id}", get(cheese))
        .route("/note", post(note))
        .route("/form", post(order_form))
        .route("/config", get(config));
    let plain = Router::new()
        .route(
            "/orders",
            post(|Json(order): Json<Order>| async { Json(order) }),
        )
        .route(
            "/search",
            get(|Query(search): Query<Search>| async move { format!("page {}", search.page) }),
        )
        .route(
            "/cheese/{id}",
            get(|Path(id): Path<u32>| async move { format!("cheese {id}") }),
        )
        .route("/note", post(|text: String| async { text }))
        .route(
            "/form",
            post(|RawForm(form): RawForm| async move { format!("{} bytes", form.len()) }),
        );
    Router::new().nest("/typed", typed).nest("/plain", plain)
}

/// A request that an extractor rejects with a client error, and the status axum gives it.
struct Case {
    name: &'static str,
    post: bool,
    path: &'static str,
    content_type: Option<&'static str>,
    body: &'static [u8],
    status: StatusCode,
}

const CASES: [Case; 7] = [
    Case {
        name: "JSON of the wrong shape",
        post: true,
        path: "/orders",
        content_type: Some("application/json"),
        body: br#"{"cheese":"brie","quantity":"lots"}"#,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    },
    Case {
        name: "JSON syntax error",
        post: true,
        path: "/orders",
        content_type: Some("application/json"),
        body: br#"{"cheese":"brie","#,
        status: StatusCode::BAD_REQUEST,
    },
    Case {
        name: "JSON without its content type",
        post: true,
        path: "/orders",
        content_type: None,
        body: br#"{"cheese":"brie","quantity":1}"#,
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
    },
    Case {
        name: "a bad query string",
        post: false,
        path: "/search?page=two",
        content_type: None,
        body: b"",
        status: StatusCode::BAD_REQUEST,
    },
    Case {
        name: "a path parameter that does not parse",
        post: false,
        path: "/cheese/brie",
        content_type: None,
        body: b"",
        status: StatusCode::BAD_REQUEST,
    },
    Case {
        name: "a String body that is not UTF-8",
        post: true,
        path: "/note",
        content_type: Some("text/plain"),
        body: b"\xff\xfe",
        status: StatusCode::BAD_REQUEST,
    },
    Case {
        name: "a form without its content type",
        post: true,
        path: "/form",
        content_type: Some("application/json"),
        body: b"cheese=brie&quantity=1",
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
    },
];

/// Status, content type and body of `case` sent to `/{twin}{path}`.
async fn send(
    server: &TestServer,
    twin: &str,
    case: &Case,
    accept: Option<&str>,
) -> (StatusCode, String, String) {
    let url = server.url(&format!("/{twin}{}", case.path));
    let mut request = if case.post {
        client().post(url).body(case.body)
    } else {
        client().get(url)
    };
    if let Some(content_type) = case.content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let content_type = content_type(response.headers());
    (status, content_type, response.text().await.unwrap())
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// What axum answers to `case`, from the twin that takes the extractor alone, with no layer.
async fn axums_answer(case: &Case) -> (StatusCode, String, String) {
    let server = TestServer::start(routes()).await;
    send(&server, "plain", case, None).await
}

#[tokio::test]
async fn without_a_layer_a_rejection_through_question_mark_answers_as_axum_does() {
    let server = TestServer::start(routes()).await;
    for case in &CASES {
        let ours = send(&server, "typed", case, None).await;
        let axums = send(&server, "plain", case, None).await;
        assert_eq!(ours.0, case.status, "{}: {}", case.name, ours.2);
        assert_eq!(ours, axums, "{}", case.name);
        assert_eq!(ours.1, "text/plain; charset=utf-8", "{}", case.name);
    }
    let (_, _, body) = send(&server, "typed", &CASES[0], None).await;
    assert!(
        body.starts_with("Failed to deserialize the JSON body into the target type: "),
        "{body}"
    );
    let (_, _, body) = send(&server, "typed", &CASES[1], None).await;
    assert!(
        body.starts_with("Failed to parse the request body as JSON: "),
        "{body}"
    );
    let (_, _, body) = send(&server, "typed", &CASES[2], None).await;
    assert_eq!(
        body,
        "Expected request with `Content-Type: application/json`"
    );
    let (_, _, body) = send(&server, "typed", &CASES[3], None).await;
    assert!(
        body.starts_with("Failed to deserialize query string: "),
        "{body}"
    );

    // What is well formed passes.
    let response = client()
        .post(server.url("/typed/orders"))
        .json(&json!({ "cheese": "brie", "quantity": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "cheese": "brie", "quantity": 2 })
    );
}

errorhandler! {
    /// A set with no handler that takes a rejection.
    struct GoneOnly;

    #[errorhandler(410)]
    fn gone() -> &'static str {
        "gone"
    }
}

#[tokio::test]
async fn behind_a_set_without_a_handler_of_it_a_rejection_answers_as_axum_does_whatever_the_client_accepts()
 {
    let server = TestServer::start(routes().layer(GoneOnly::layer())).await;
    for case in &CASES {
        for accept in [None, Some("application/json"), Some("text/html")] {
            let ours = send(&server, "typed", case, accept).await;
            assert_eq!(ours, axums_answer(case).await, "{} ({accept:?})", case.name);
        }
    }
}

errorhandler! {
    /// A handler of client errors that shows the description it is given, and one of server errors.
    struct ClassHandlers;

    #[errorhandler(4xx)]
    fn client_error(e: &HttpError) -> Json<Value> {
        Json(json!({ "status": e.status().as_u16(), "description": e.description() }))
    }

    #[errorhandler(5xx)]
    fn server_error(e: &HttpError) -> String {
        let source = e.source().map(ToString::to_string).unwrap_or_default();
        format!("{}|{}|{source}", e.status().as_u16(), e.description())
    }
}

#[tokio::test]
async fn a_4xx_handler_sees_axums_text_as_the_description_as_for_a_plain_extractor() {
    let server = TestServer::start(routes().layer(ClassHandlers::layer())).await;
    for case in &CASES {
        let (status, _, text) = axums_answer(case).await;
        let expected = json!({ "status": status.as_u16(), "description": text });
        for twin in ["typed", "plain"] {
            let (status, content_type, body) = send(&server, twin, case, None).await;
            assert_eq!(status, case.status, "{}: {twin}", case.name);
            assert_eq!(content_type, "application/json", "{}: {twin}", case.name);
            assert_eq!(
                serde_json::from_str::<Value>(&body).unwrap(),
                expected,
                "{}: {twin}",
                case.name
            );
        }
    }
}

errorhandler! {
    /// A handler keyed by `JsonRejection`, beside one of client errors.
    struct JsonHandlers;

    #[errorhandler(JsonRejection)]
    fn bad_json(e: &JsonRejection) -> String {
        let kind = match e {
            JsonRejection::JsonDataError(_) => "data",
            JsonRejection::JsonSyntaxError(_) => "syntax",
            JsonRejection::MissingJsonContentType(_) => "content type",
            _ => "other",
        };
        format!("{kind}: {}", e.body_text())
    }

    #[errorhandler(4xx)]
    fn other_client_error(e: &HttpError) -> String {
        format!("4xx: {}", e.description())
    }
}

#[tokio::test]
async fn a_handler_keyed_by_the_rejection_type_gets_the_typed_value_and_keeps_its_status() {
    let server = TestServer::start(routes().layer(JsonHandlers::layer())).await;
    for (case, kind) in CASES.iter().zip(["data", "syntax", "content type"]) {
        let (_, _, text) = axums_answer(case).await;
        let (status, _, body) = send(&server, "typed", case, None).await;
        assert_eq!(
            (status, body),
            (case.status, format!("{kind}: {text}")),
            "{}",
            case.name
        );
    }
    // Another rejection goes on to the handler of its class.
    let (_, _, text) = axums_answer(&CASES[3]).await;
    let (status, _, body) = send(&server, "typed", &CASES[3], None).await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, format!("4xx: {text}"))
    );
}

#[tokio::test]
async fn a_server_error_rejection_keeps_its_500_and_never_shows_its_text() {
    const TEXT: &str = "Missing request extension";
    let standard = HttpError::new(StatusCode::INTERNAL_SERVER_ERROR)
        .description()
        .to_owned();
    let get_config = |server: &TestServer, accept: &'static str| {
        let request = client()
            .get(server.url("/typed/config"))
            .header(header::ACCEPT, accept);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };

    // No layer, and a set without a handler of it: the built-in page, negotiated behind the set.
    let server = TestServer::start(routes()).await;
    let (status, body) = get_config(&server, "*/*").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains(TEXT), "{body}");
    let server = TestServer::start(routes().layer(GoneOnly::layer())).await;
    let (status, body) = get_config(&server, "application/json").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": standard,
        })
    );

    // The handler of its class: the standard description, and the rejection as the source.
    let server = TestServer::start(routes().layer(ClassHandlers::layer())).await;
    let (status, body) = get_config(&server, "*/*").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (code, rest) = body.split_once('|').unwrap();
    let (description, source) = rest.split_once('|').unwrap();
    assert_eq!((code, description), ("500", standard.as_str()));
    assert!(source.starts_with(TEXT), "{source}");
}
