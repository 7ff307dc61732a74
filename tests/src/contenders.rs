//! The scenarios of the benchmarks and the allocation test: the same answers served by our layer and by what
//! users would write instead (bare axum, `middleware::from_fn` with a `match`, a `HashMap` registry as actix-web's
//! `ErrorHandlers`, tower-http's `CatchPanicLayer`, a hand-written `IntoResponse`).
//!
//! Every contender of a scenario answers with the same status, headers and bytes; `tests/tests/contenders.rs`
//! checks it over HTTP, so the figures compare like with like.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use errorhandler::{ErrorStatus, HttpError, errorhandler};
use serde_json::json;

/// One scenario: a request, and the routers that answer it, by name; the first is the baseline.
pub struct Scenario {
    /// What it measures.
    pub name: &'static str,
    /// The path requested.
    pub path: &'static str,
    /// The contenders, by name.
    pub contenders: Vec<(&'static str, Router)>,
}

/// Every scenario, in the order of the benchmark tables, each router prepared as `axum::serve` serves it.
pub fn scenarios() -> Vec<Scenario> {
    let mut scenarios = vec![
        Scenario {
            name: "2xx, set without extractors",
            path: "/ok",
            contenders: vec![
                ("bare axum", routes()),
                (
                    "errorhandler",
                    routes_raising_error().layer(PageErrors::layer()),
                ),
                (
                    "CatchPanicLayer",
                    routes().layer(tower_http::catch_panic::CatchPanicLayer::new()),
                ),
                ("HashMap registry", routes().layer(registry())),
                (
                    "from_fn match",
                    routes().layer(middleware::from_fn(not_found_by_hand)),
                ),
            ],
        },
        Scenario {
            name: "2xx, set whose handler takes Uri",
            path: "/ok",
            contenders: vec![
                ("bare axum", routes()),
                (
                    "errorhandler",
                    routes_raising_error().layer(HeadReadingErrors::layer()),
                ),
            ],
        },
        Scenario {
            name: "unknown route, custom 404 page",
            path: "/nowhere",
            contenders: vec![
                (
                    "from_fn match",
                    routes().layer(middleware::from_fn(not_found_by_hand)),
                ),
                (
                    "errorhandler",
                    routes_raising_error().layer(PageErrors::layer()),
                ),
                ("HashMap registry", routes().layer(registry())),
                (
                    "bare axum fallback",
                    routes().fallback(|| async { (StatusCode::NOT_FOUND, Html(NOT_FOUND_PAGE)) }),
                ),
                ("bare axum (empty 404)", routes()),
            ],
        },
        Scenario {
            name: "typed error, type handler",
            path: "/cheese",
            contenders: vec![
                ("hand-written IntoResponse", routes()),
                (
                    "errorhandler",
                    routes_raising_error().layer(PageErrors::layer()),
                ),
            ],
        },
        Scenario {
            name: "declared error, its own answer",
            path: "/closed",
            contenders: vec![
                ("hand-written IntoResponse", routes()),
                (
                    "errorhandler",
                    routes_raising_error().layer(PageErrors::layer()),
                ),
            ],
        },
        Scenario {
            name: "status in the middle of a 50-key set",
            path: "/too-early",
            contenders: vec![
                (
                    "from_fn 50-arm match",
                    routes().layer(middleware::from_fn(fifty_by_hand)),
                ),
                (
                    "errorhandler",
                    routes_raising_error().layer(FiftyErrors::layer()),
                ),
            ],
        },
        Scenario {
            name: "panicking route, 500 page",
            path: "/panic",
            contenders: vec![
                (
                    "CatchPanicLayer",
                    routes().layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_page)),
                ),
                (
                    "errorhandler",
                    routes_raising_error().layer(PageErrors::layer()),
                ),
            ],
        },
    ];
    // `axum::serve` (through `into_make_service`) turns a router's handlers into routes once; a router called
    // as it is would build them again for every request, layers included, which no server does.
    for scenario in &mut scenarios {
        for (_, app) in &mut scenario.contenders {
            *app = app.clone().with_state(());
        }
    }
    scenarios
}

/// The path of the scenario named `scenario`, and its contender named `contender`, prepared as every scenario is.
///
/// # Panics
/// When there is no such scenario or contender.
pub fn contender(scenario: &str, contender: &str) -> (&'static str, Router) {
    let scenario = scenarios()
        .into_iter()
        .find(|candidate| candidate.name == scenario)
        .unwrap_or_else(|| panic!("no scenario named {scenario:?}"));
    let app = scenario
        .contenders
        .into_iter()
        .find(|(name, _)| *name == contender)
        .map(|(_, app)| app)
        .unwrap_or_else(|| panic!("no contender named {contender:?}"));
    (scenario.path, app)
}

/// Sends `GET path` to `app` in-process and reads the whole body, as the benchmarks and the allocation test count
/// a request.
pub async fn serve_once(app: &Router, path: &str) {
    let request = Request::builder()
        .uri(path)
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .expect("infallible");
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
}

/// No cheese of that name.
#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
pub struct CheeseNotFound(pub String);

/// The answer users write by hand for a missing cheese, and the one the type handler gives.
fn cheese_page(error: &CheeseNotFound) -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": error.to_string() })),
    )
}

impl IntoResponse for CheeseNotFound {
    fn into_response(self) -> Response {
        cheese_page(&self).into_response()
    }
}

/// The kitchen is closed: an error that declares its status, its own answer and a header every answer to it
/// carries, as the session recipe's errors do; no handler of [`PageErrors`] takes it.
#[derive(Debug, thiserror::Error)]
#[error("the kitchen is closed")]
pub struct KitchenClosed;

/// The answer users write by hand for a closed kitchen, and the one `KitchenClosed` declares.
fn closed_page() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "120")],
        Json(json!({ "message": "the kitchen is closed" })),
    )
        .into_response()
}

#[errorhandler::status]
impl ErrorStatus for KitchenClosed {
    fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn default_answer(&self) -> Option<Response> {
        Some(closed_page())
    }

    fn enforced_headers(&self) -> HeaderMap {
        HeaderMap::from_iter([(header::RETRY_AFTER, HeaderValue::from_static("120"))])
    }
}

impl IntoResponse for KitchenClosed {
    fn into_response(self) -> Response {
        closed_page()
    }
}

const NOT_FOUND_PAGE: &str = "<h1>Not Found</h1><p>Nothing lives here.</p>";
const PANIC_PAGE: &str = "<h1>Internal Server Error</h1><p>Something broke; it was not you.</p>";

/// `/ok`, `/cheese` and `/closed` (typed errors that are their own `IntoResponse`, as users write them by hand),
/// `/too-early` (425) and `/panic`.
pub fn routes() -> Router {
    common_routes()
        .route(
            "/cheese",
            get(|| async { Err::<&str, _>(CheeseNotFound("stilton".to_owned())) }),
        )
        .route("/closed", get(|| async { Err::<&str, _>(KitchenClosed) }))
}

/// [`routes`] whose `/cheese` and `/closed` raise the same errors through `errorhandler::Error`, for a handler set.
pub fn routes_raising_error() -> Router {
    common_routes()
        .route(
            "/cheese",
            get(|| async {
                Err::<&str, errorhandler::Error>(CheeseNotFound("stilton".to_owned()).into())
            }),
        )
        .route(
            "/closed",
            get(|| async { Err::<&str, errorhandler::Error>(KitchenClosed.into()) }),
        )
}

fn common_routes() -> Router {
    Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route("/too-early", get(|| async { StatusCode::TOO_EARLY }))
        .route("/panic", get(panicking))
}

async fn panicking() -> &'static str {
    panic!("the database exploded")
}

errorhandler! {
    /// A site's pages: a 404 page, a 500 page, and the cheese handler; no handler reads the request.
    pub struct PageErrors;

    #[errorhandler(404)]
    fn not_found() -> Html<&'static str> {
        Html(NOT_FOUND_PAGE)
    }

    #[errorhandler(500)]
    fn internal() -> Html<&'static str> {
        Html(PANIC_PAGE)
    }

    #[errorhandler(CheeseNotFound)]
    fn cheese_missing(e: &CheeseNotFound) -> (StatusCode, Json<serde_json::Value>) {
        cheese_page(e)
    }
}

errorhandler! {
    /// A set whose handler reads the request head, so the layer keeps what it needs of it on every request.
    pub struct HeadReadingErrors;

    #[errorhandler(404)]
    fn not_found_at(uri: Uri) -> String {
        format!("{uri} is not here")
    }
}

fn status_page(e: &HttpError) -> String {
    format!("{} {}", e.status().as_u16(), e.name())
}

errorhandler! {
    /// Fifty status keys, 400 to 449, each registered to the same page.
    pub struct FiftyErrors;

    400 => status_page;
    401 => status_page;
    402 => status_page;
    403 => status_page;
    404 => status_page;
    405 => status_page;
    406 => status_page;
    407 => status_page;
    408 => status_page;
    409 => status_page;
    410 => status_page;
    411 => status_page;
    412 => status_page;
    413 => status_page;
    414 => status_page;
    415 => status_page;
    416 => status_page;
    417 => status_page;
    418 => status_page;
    419 => status_page;
    420 => status_page;
    421 => status_page;
    422 => status_page;
    423 => status_page;
    424 => status_page;
    425 => status_page;
    426 => status_page;
    427 => status_page;
    428 => status_page;
    429 => status_page;
    430 => status_page;
    431 => status_page;
    432 => status_page;
    433 => status_page;
    434 => status_page;
    435 => status_page;
    436 => status_page;
    437 => status_page;
    438 => status_page;
    439 => status_page;
    440 => status_page;
    441 => status_page;
    442 => status_page;
    443 => status_page;
    444 => status_page;
    445 => status_page;
    446 => status_page;
    447 => status_page;
    448 => status_page;
    449 => status_page;
}

/// The 404 page as users write it with `from_fn`.
async fn not_found_by_hand(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    match response.status() {
        StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, Html(NOT_FOUND_PAGE)).into_response(),
        _ => response,
    }
}

/// The fifty pages as users write them with `from_fn`: one arm per status.
async fn fifty_by_hand(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let page = match status.as_u16() {
        400 => status_page_for(StatusCode::from_u16(400).expect("a status")),
        401 => status_page_for(StatusCode::from_u16(401).expect("a status")),
        402 => status_page_for(StatusCode::from_u16(402).expect("a status")),
        403 => status_page_for(StatusCode::from_u16(403).expect("a status")),
        404 => status_page_for(StatusCode::from_u16(404).expect("a status")),
        405 => status_page_for(StatusCode::from_u16(405).expect("a status")),
        406 => status_page_for(StatusCode::from_u16(406).expect("a status")),
        407 => status_page_for(StatusCode::from_u16(407).expect("a status")),
        408 => status_page_for(StatusCode::from_u16(408).expect("a status")),
        409 => status_page_for(StatusCode::from_u16(409).expect("a status")),
        410 => status_page_for(StatusCode::from_u16(410).expect("a status")),
        411 => status_page_for(StatusCode::from_u16(411).expect("a status")),
        412 => status_page_for(StatusCode::from_u16(412).expect("a status")),
        413 => status_page_for(StatusCode::from_u16(413).expect("a status")),
        414 => status_page_for(StatusCode::from_u16(414).expect("a status")),
        415 => status_page_for(StatusCode::from_u16(415).expect("a status")),
        416 => status_page_for(StatusCode::from_u16(416).expect("a status")),
        417 => status_page_for(StatusCode::from_u16(417).expect("a status")),
        418 => status_page_for(StatusCode::from_u16(418).expect("a status")),
        419 => status_page_for(StatusCode::from_u16(419).expect("a status")),
        420 => status_page_for(StatusCode::from_u16(420).expect("a status")),
        421 => status_page_for(StatusCode::from_u16(421).expect("a status")),
        422 => status_page_for(StatusCode::from_u16(422).expect("a status")),
        423 => status_page_for(StatusCode::from_u16(423).expect("a status")),
        424 => status_page_for(StatusCode::from_u16(424).expect("a status")),
        425 => status_page_for(StatusCode::from_u16(425).expect("a status")),
        426 => status_page_for(StatusCode::from_u16(426).expect("a status")),
        427 => status_page_for(StatusCode::from_u16(427).expect("a status")),
        428 => status_page_for(StatusCode::from_u16(428).expect("a status")),
        429 => status_page_for(StatusCode::from_u16(429).expect("a status")),
        430 => status_page_for(StatusCode::from_u16(430).expect("a status")),
        431 => status_page_for(StatusCode::from_u16(431).expect("a status")),
        432 => status_page_for(StatusCode::from_u16(432).expect("a status")),
        433 => status_page_for(StatusCode::from_u16(433).expect("a status")),
        434 => status_page_for(StatusCode::from_u16(434).expect("a status")),
        435 => status_page_for(StatusCode::from_u16(435).expect("a status")),
        436 => status_page_for(StatusCode::from_u16(436).expect("a status")),
        437 => status_page_for(StatusCode::from_u16(437).expect("a status")),
        438 => status_page_for(StatusCode::from_u16(438).expect("a status")),
        439 => status_page_for(StatusCode::from_u16(439).expect("a status")),
        440 => status_page_for(StatusCode::from_u16(440).expect("a status")),
        441 => status_page_for(StatusCode::from_u16(441).expect("a status")),
        442 => status_page_for(StatusCode::from_u16(442).expect("a status")),
        443 => status_page_for(StatusCode::from_u16(443).expect("a status")),
        444 => status_page_for(StatusCode::from_u16(444).expect("a status")),
        445 => status_page_for(StatusCode::from_u16(445).expect("a status")),
        446 => status_page_for(StatusCode::from_u16(446).expect("a status")),
        447 => status_page_for(StatusCode::from_u16(447).expect("a status")),
        448 => status_page_for(StatusCode::from_u16(448).expect("a status")),
        449 => status_page_for(StatusCode::from_u16(449).expect("a status")),
        _ => return response,
    };
    (status, page).into_response()
}

fn status_page_for(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Client Error")
    )
}

/// actix-web's `ErrorHandlers` design: a map from status to a boxed function that rewrites the response.
fn registry() -> tower::util::MapResponseLayer<impl Fn(Response) -> Response + Clone> {
    let mut handlers: HashMap<StatusCode, Box<dyn Fn(Response) -> Response + Send + Sync>> =
        HashMap::new();
    handlers.insert(
        StatusCode::NOT_FOUND,
        Box::new(|_| (StatusCode::NOT_FOUND, Html(NOT_FOUND_PAGE)).into_response()),
    );
    let handlers = Arc::new(handlers);
    tower::util::MapResponseLayer::new(move |response: Response| {
        match handlers.get(&response.status()) {
            Some(handler) => handler(response),
            None => response,
        }
    })
}

fn panic_page(_: Box<dyn std::any::Any + Send>) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Html(PANIC_PAGE)).into_response()
}
