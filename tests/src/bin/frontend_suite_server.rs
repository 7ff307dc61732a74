//! The app server that SuperTokens' frontend SDK test suite (`supertokens-website`, folder `test/`) drives, built
//! on this crate's session recipe instead of supertokens-node and a SuperTokens core.
//!
//! The suite talks to two app servers, `http://localhost:8080` and the cross-domain one at `:8082`, and through
//! them to a core (`/test/setup/app` creates an app in it, `/test/setup/st` points a server at that app). This
//! binary is all three: it listens on both ports, each port with the hooks and routes of the suite's own
//! `test/server/index.js`, and an in-process "core" keeps, per app, the access-token lifetime, the session store
//! and the signing secret that both ports share, so that a session made on one port is valid on the other, as
//! with one core behind two node servers. A hook that reconfigures the backend (`/test/setup/st`,
//! `/reinitialiseBackendConfig`) builds a new [`Sessions`] and swaps the port's routes, without a restart; a
//! request that arrives while it does waits for the new routes, as node, which runs `SuperTokens.init` before it
//! reads the next request, serves it. The suite relies on that: its `setupST` does not wait for its
//! `/test/setup/st` calls (the `map` callback in `test/utils.js` returns nothing to `Promise.all`), so the test's
//! first request follows them within milliseconds, and building a [`Sessions`] (its signing keys) takes longer.
//!
//! ```text
//! cargo run -p errorhandler-tests --bin frontend_suite_server -- --suite /tmp/stweb
//! ```
//!
//! `--suite` is the extracted suite, whose `test/server/index.html` it serves as `/index.html`; `--port` (twice,
//! or more) replaces the ports 8080 and 8082. It binds the loopback addresses only. `RUST_LOG` (such as
//! `tower_http=debug,errorhandler=debug`) logs the requests to stderr. `tests/frontend-suite/run.sh` starts it
//! and runs the suite.
//!
//! What it must never do: answer anything of the session protocol itself. Sign-in, verification, refresh,
//! sign-out, cookies, the `front-token`, anti-CSRF and CORS are the recipe's, through its public API only; this
//! file adds the suite's test hooks (counters, setup, feature flags, the test page) and the app endpoints its
//! tests call, as `index.js` does around supertokens-node. The one thing it changes in a recipe response is the
//! refresh endpoint's body, `refresh success` (or `refresh failed` without `rid`), which is what `index.js`'s own
//! refresh route writes and what the suite reads; and, as `index.js`'s last error handler, it answers a 500 with
//! the error's message. It is a test fixture: its signing secrets are not secret.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use errorhandler::session::{
    AntiCsrf, ClaimValidator, MemoryStore, NewSession, Session, SessionConfig, SessionError,
    SessionFailure, SessionStore, Sessions, cors, session_error_handlers,
};
use errorhandler::{HttpError, errorhandler};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// The ports of the suite's two app servers (`BASE_URL`, `CROSS_DOMAIN_NODE_URL` in `test/utils.js`).
const DEFAULT_PORTS: [u16; 2] = [8080, 8082];

/// The page origin the suite's server allows with CORS (`websiteDomain` in `index.js`).
const WEBSITE_ORIGIN: &str = "http://localhost:8080";

/// The access-token lifetime of an app created without one: the core's default `access_token_validity`.
const DEFAULT_ACCESS_TOKEN_VALIDITY: u64 = 3600;

/// The app a server uses before `/test/setup/st` names one, as `index.js` starts on the core's default app.
const DEFAULT_APP: &str = "public";

#[tokio::main]
async fn main() {
    let options = Options::from_args().unwrap_or_else(|message| {
        eprintln!("frontend_suite_server: {message}");
        eprintln!("usage: frontend_suite_server --suite DIR [--port PORT]...");
        std::process::exit(2)
    });
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let core = Arc::new(Core::default());
    let mut servers = Vec::new();
    for port in &options.ports {
        let server = AppServer::new(Arc::clone(&core), options.suite.clone(), *port).await;
        let app = server.router();
        for address in [
            SocketAddr::from((Ipv4Addr::LOCALHOST, *port)),
            SocketAddr::from((Ipv6Addr::LOCALHOST, *port)),
        ] {
            match tokio::net::TcpListener::bind(address).await {
                Ok(listener) => {
                    let app = app.clone();
                    servers.push(tokio::spawn(async move {
                        axum::serve(listener, app).await.expect("serve");
                    }));
                }
                // `localhost` is 127.0.0.1 for the suite's node side; [::1] only serves Chromium where it has it.
                Err(error) if address.is_ipv6() => {
                    eprintln!("frontend_suite_server: not listening on {address}: {error}");
                }
                Err(error) => {
                    eprintln!("frontend_suite_server: cannot listen on {address}: {error}");
                    std::process::exit(1)
                }
            }
        }
        eprintln!("frontend_suite_server: listening on port {port}");
    }
    for server in servers {
        server.await.expect("server task");
    }
}

/// The command line.
struct Options {
    suite: PathBuf,
    ports: Vec<u16>,
}

impl Options {
    fn from_args() -> Result<Self, String> {
        let mut suite = None;
        let mut ports = Vec::new();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--suite" => suite = Some(PathBuf::from(value()?)),
                "--port" => {
                    let port = value()?;
                    ports.push(port.parse().map_err(|_| format!("not a port: {port}"))?);
                }
                _ => return Err(format!("unknown argument `{arg}`")),
            }
        }
        let suite = suite.ok_or("--suite is required")?;
        if !suite.join("test/server/index.html").is_file() {
            return Err(format!(
                "{} has no test/server/index.html; --suite is the extracted supertokens-website",
                suite.display()
            ));
        }
        if ports.is_empty() {
            ports = DEFAULT_PORTS.to_vec();
        }
        Ok(Self { suite, ports })
    }
}

/// The stand-in for the SuperTokens core: its apps, shared by every port.
#[derive(Default)]
struct Core {
    apps: Mutex<HashMap<String, Arc<CoreApp>>>,
}

/// One app of the core: what the sessions of every server pointed at it share.
struct CoreApp {
    access_token_validity: u64,
    store: Arc<MemoryStore>,
    signing_secret: String,
}

impl Core {
    /// `PUT /recipe/multitenancy/app/v2` of the core: a new app with `coreConfig`, named by the URL returned.
    fn create_app(&self, app_id: &str, core_config: &Value) -> String {
        let access_token_validity = match &core_config["access_token_validity"] {
            Value::Number(seconds) => seconds.as_u64(),
            Value::String(seconds) => seconds.parse().ok(),
            _ => None,
        }
        .unwrap_or(DEFAULT_ACCESS_TOKEN_VALIDITY);
        let app = Arc::new(CoreApp::new(app_id, access_token_validity));
        self.apps().insert(app_id.to_owned(), Arc::clone(&app));
        core_url(app_id)
    }

    /// The app a core URL names; an unknown or missing URL is the default app, as for a fresh core.
    fn app(&self, core_url: Option<&str>) -> Arc<CoreApp> {
        let app_id = core_url
            .and_then(|url| url.rsplit_once("/appid-"))
            .map_or(DEFAULT_APP, |(_, id)| id);
        let mut apps = self.apps();
        if let Some(app) = apps.get(app_id) {
            return Arc::clone(app);
        }
        Arc::clone(
            apps.entry(DEFAULT_APP.to_owned()).or_insert_with(|| {
                Arc::new(CoreApp::new(DEFAULT_APP, DEFAULT_ACCESS_TOKEN_VALIDITY))
            }),
        )
    }

    fn apps(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<CoreApp>>> {
        self.apps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CoreApp {
    fn new(app_id: &str, access_token_validity: u64) -> Self {
        Self {
            access_token_validity,
            store: Arc::new(MemoryStore::new()),
            signing_secret: format!(
                "frontend suite app {app_id}: a fixture's secret, not a secret"
            ),
        }
    }
}

fn core_url(app_id: &str) -> String {
    format!("in-process-core/appid-{app_id}")
}

/// One of the suite's app servers: its counters, its backend settings and its current routes.
struct AppServer {
    core: Arc<Core>,
    suite: PathBuf,
    /// The `iss` of its access tokens: supertokens-node's `apiDomain` and `apiBasePath`, which `index.js` sets to
    /// `0.0.0.0:` and its port (normalised to `http://0.0.0.0:8080`) and leaves at `/auth`.
    issuer: String,
    refresh_called: AtomicU64,
    refresh_attempted: AtomicU64,
    get_session_called: AtomicU64,
    /// Locked by a hook while it builds the next backend, so that requests after it wait for it.
    backend: futures_util::lock::Mutex<Backend>,
}

/// What `/test/setup/st` last set, and the routes built from it.
#[derive(Clone)]
struct Backend {
    core_url: Option<String>,
    anti_csrf: bool,
    jwt: bool,
    routes: Router,
}

/// The state of the session routes: the recipe, the app's store (the core's session information), and the
/// server for its counters and settings.
#[derive(Clone)]
struct AppState {
    sessions: Sessions,
    store: Arc<MemoryStore>,
    server: Arc<AppServer>,
    jwt: bool,
}

impl FromRef<AppState> for Sessions {
    fn from_ref(state: &AppState) -> Self {
        state.sessions.clone()
    }
}

impl AppServer {
    async fn new(core: Arc<Core>, suite: PathBuf, port: u16) -> Arc<Self> {
        let server = Arc::new(Self {
            core,
            suite,
            issuer: format!("http://0.0.0.0:{port}/auth"),
            refresh_called: AtomicU64::new(0),
            refresh_attempted: AtomicU64::new(0),
            get_session_called: AtomicU64::new(0),
            backend: futures_util::lock::Mutex::new(Backend {
                core_url: None,
                anti_csrf: true,
                jwt: false,
                routes: Router::new(),
            }),
        });
        // `index.js` starts with `getConfig(getCoreUrl(), true, false)`.
        let backend = server.backend_for(None, true, false);
        *server.backend.lock().await = backend;
        server
    }

    /// The hooks, the routes that need no session, and the current session routes behind them; CORS outermost,
    /// as `index.js` puts `cors()` before everything.
    fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/test/setup/app", post(setup_app))
            .route("/test/setup/st", post(setup_st))
            .route(
                "/reinitialiseBackendConfig",
                post(reinitialise_backend_config),
            )
            .route("/beforeeach", post(before_each))
            .route("/after", post(ok))
            .route("/stopst", post(ok))
            .route("/testUserConfig", post(ok))
            .route("/featureFlags", get(feature_flags))
            .route("/refreshCalledTime", get(refresh_called_time))
            .route("/refreshAttemptedTime", get(refresh_attempted_time))
            .route("/getSessionCalledTime", get(get_session_called_time))
            .route("/index.html", get(index_html))
            .route("/ping", get(|| async { "success" }))
            .route("/testHeader", get(test_header))
            .route("/checkAllowCredentials", post(check_allow_credentials))
            .route("/multipleInterceptors", post(multiple_interceptors))
            .route("/check-rid-no-session", get(check_rid_no_session))
            .route(
                "/403-without-body",
                post(|| async { StatusCode::FORBIDDEN }),
            )
            .route("/testing", any(testing))
            .route("/testError", get(test_error))
            .fallback(session_routes)
            .with_state(Arc::clone(self))
            .layer(cors::cors_layer(HeaderValue::from_static(WEBSITE_ORIGIN)))
            .layer(tower_http::trace::TraceLayer::new_for_http())
    }

    /// The backend for the app of `core_url` with these settings: a new [`Sessions`] and new routes.
    fn backend_for(
        self: &Arc<Self>,
        core_url: Option<String>,
        anti_csrf: bool,
        jwt: bool,
    ) -> Backend {
        let app = self.core.app(core_url.as_deref());
        let mut config = SessionConfig::builder()
            // `index.js` runs on plain http with `websiteDomain` and `apiDomain` on one site: not `Secure`, `Lax`.
            .cookie_secure(false)
            .access_token_lifetime(Duration::from_secs(app.access_token_validity))
            .anti_csrf(if anti_csrf {
                AntiCsrf::ViaToken
            } else {
                AntiCsrf::None
            })
            .signing_secret(app.signing_secret.clone())
            .issuer(self.issuer.clone())
            // The page origin `index.js` lets call it with CORS may send it the session cookies too.
            .allowed_origin(WEBSITE_ORIGIN);
        if jwt {
            // As `index.js`, whose `exposeAccessTokenToFrontendInCookieBasedAuth: true` is in the configuration of
            // `enableJWT` alone: the other tests expect no access token in the page in cookie mode.
            config = config.expose_access_token_to_frontend_in_cookie_based_auth();
        }
        let config = config.build().unwrap_or_else(|error| {
            panic!("the suite's session configuration is not valid: {error}")
        });
        let sessions = Sessions::with_store(config, app.store.clone());
        let state = AppState {
            sessions: sessions.clone(),
            store: Arc::clone(&app.store),
            server: Arc::clone(self),
            jwt,
        };
        let routes = Router::new()
            .route("/login", post(login))
            .route("/", get(get_session))
            .route("/check-rid", get(check_rid))
            .route("/update-jwt", get(get_payload).post(update_payload))
            .route("/update-jwt-with-handle", post(update_payload_by_handle))
            .route("/session-claims-error", post(session_claims_error))
            .route("/logout", post(logout))
            .merge(sessions.router())
            .fallback(|| async { StatusCode::NOT_FOUND })
            .layer(middleware::from_fn_with_state(
                state.clone(),
                count_refreshes,
            ))
            .with_state(state)
            .layer(AppErrors::layer());
        Backend {
            core_url,
            anti_csrf,
            jwt,
            routes,
        }
    }

    /// The current backend, once the hook building the next one (if any) has swapped it in.
    async fn backend(&self) -> Backend {
        self.backend.lock().await.clone()
    }
}

/// `index.js`'s `onUnauthorised`: 401 with `{}`. The recipe clears the tokens whatever the body.
struct SessionCallbacks;

#[session_error_handlers]
impl SessionCallbacks {
    fn on_unauthorised(_message: &str) -> Json<Value> {
        Json(json!({}))
    }
}

errorhandler! {
    /// `index.js`'s error handlers: supertokens-node's `errorHandler()` for the session errors, then its last
    /// one, `res.status(500).send(err.message)`, for the errors supertokens-node throws as plain `Error`s (such
    /// as duplicate session cookies at the refresh), whose message the suite reads.
    struct AppErrors;

    session => SessionCallbacks;

    #[errorhandler(500)]
    fn error_message(e: &HttpError) -> String {
        std::error::Error::source(e).map_or_else(|| e.description().to_owned(), ToString::to_string)
    }
}

/// The claim of `/session-claims-error`, which always fails with the reason `testReason`.
struct FailingClaim;

impl ClaimValidator for FailingClaim {
    fn id(&self) -> &str {
        "test-claim-failing"
    }

    fn validate(&self, _payload: &Value, _now: u64) -> Result<(), Option<Value>> {
        Err(Some(json!({ "message": "testReason" })))
    }
}

async fn setup_app(State(server): State<Arc<AppServer>>, body: Bytes) -> String {
    let body = json_body(&body);
    let app_id = match body["appId"].as_str() {
        Some(id) => id.to_owned(),
        None => format!("app-{}", server.core.apps().len()),
    };
    server.core.create_app(&app_id, &body["coreConfig"])
}

/// `setupST`: `coreUrl`, `enableAntiCsrf` (VIA_TOKEN or NONE), `enableJWT`.
async fn setup_st(State(server): State<Arc<AppServer>>, body: Bytes) {
    let body = json_body(&body);
    let mut backend = server.backend.lock().await;
    *backend = server.backend_for(
        body["coreUrl"].as_str().map(str::to_owned),
        body["enableAntiCsrf"].as_bool().unwrap_or(false),
        body["enableJWT"].as_bool().unwrap_or(false),
    );
}

/// The same settings on the app of another `coreUrl`.
async fn reinitialise_backend_config(State(server): State<Arc<AppServer>>, body: Bytes) {
    let body = json_body(&body);
    let mut backend = server.backend.lock().await;
    *backend = server.backend_for(
        body["coreUrl"]
            .as_str()
            .map(str::to_owned)
            .or(backend.core_url.take()),
        backend.anti_csrf,
        backend.jwt,
    );
}

async fn before_each(State(server): State<Arc<AppServer>>) {
    for counter in [
        &server.refresh_called,
        &server.refresh_attempted,
        &server.get_session_called,
    ] {
        counter.store(0, Ordering::Relaxed);
    }
}

async fn ok() {}

/// What the backend supports, which the suite reads to choose its expectations: v3 access-token payloads,
/// claims and duplicate-cookie handling, as supertokens-node 17.1 and later; and `sessionJwt` as `index.js`
/// computes it on supertokens-node 8.3 and later, `enableJWT` of the last `/test/setup/st`. With v3 access tokens
/// the flag no longer stands for supertokens-node's old JWT inside the payload (the two tests of that return
/// early when `v3AccessToken` is set): the tests decode the access token itself (`sub`, `iss`, `customClaim`)
/// and verify it through OpenID discovery and the JWKS. The recipe's access tokens are such JWTs; what it does
/// not offer (the token exposed to the frontend in cookie mode, the discovery document) fails those tests
/// instead of skipping them.
async fn feature_flags(State(server): State<Arc<AppServer>>) -> Json<Value> {
    Json(json!({
        "sessionJwt": server.backend().await.jwt,
        "sessionClaims": true,
        "v3AccessToken": true,
        "duplicateCookieHandling": true,
    }))
}

async fn refresh_called_time(State(server): State<Arc<AppServer>>) -> String {
    server.refresh_called.load(Ordering::Relaxed).to_string()
}

async fn refresh_attempted_time(State(server): State<Arc<AppServer>>) -> String {
    server.refresh_attempted.load(Ordering::Relaxed).to_string()
}

async fn get_session_called_time(State(server): State<Arc<AppServer>>) -> String {
    server
        .get_session_called
        .load(Ordering::Relaxed)
        .to_string()
}

/// The suite's test page, read from the extracted suite on every request.
async fn index_html(State(server): State<Arc<AppServer>>) -> Result<impl IntoResponse, StatusCode> {
    let page = tokio::fs::read(server.suite.join("test/server/index.html"))
        .await
        .map_err(|_| StatusCode::NOT_FOUND)?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page))
}

async fn test_header(headers: HeaderMap) -> String {
    json!({ "success": headers.contains_key("st-custom-header") }).to_string()
}

async fn check_allow_credentials(headers: HeaderMap) -> Json<bool> {
    Json(headers.contains_key("allow-credentials"))
}

async fn multiple_interceptors(headers: HeaderMap) -> &'static str {
    if headers.contains_key("interceptorheader1") && headers.contains_key("interceptorheader2") {
        "success"
    } else {
        "failure"
    }
}

async fn check_rid_no_session(headers: HeaderMap) -> &'static str {
    rid_check(&headers)
}

/// Echoes the `testing` header.
async fn testing(headers: HeaderMap) -> impl IntoResponse {
    let mut echoed = HeaderMap::new();
    if let Some(value) = headers.get("testing") {
        echoed.insert("testing", value.clone());
    }
    (echoed, "success")
}

async fn test_error(Query(query): Query<HashMap<String, String>>) -> impl IntoResponse {
    let status = query
        .get("code")
        .and_then(|code| code.parse().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, "test error message")
}

/// Everything else: the session routes of the current backend.
async fn session_routes(State(server): State<Arc<AppServer>>, request: Request) -> Response {
    let routes = server.backend().await.routes;
    match routes.oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    }
}

/// `POST /login {"userId"}`: a session whose tokens travel as the request's `st-auth-mode` asks.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(NewSession, String), SessionFailure> {
    let body = json_body(&body);
    let user_id = body["userId"].as_str().unwrap_or_default().to_owned();
    // With `enableJWT`, `index.js` adds a claim to every new session.
    let payload = if state.jwt {
        json!({ "customClaim": "customValue" })
    } else {
        json!({})
    };
    let session = state
        .sessions
        .create_new_session_for(&headers, user_id.clone(), payload)
        .await?;
    Ok((session, user_id))
}

async fn get_session(State(state): State<AppState>, session: Session) -> String {
    state
        .server
        .get_session_called
        .fetch_add(1, Ordering::Relaxed);
    session.user_id().to_owned()
}

async fn check_rid(_session: Session, headers: HeaderMap) -> &'static str {
    rid_check(&headers)
}

/// The whole access-token payload, as supertokens-node's `getAccessTokenPayload()`.
async fn get_payload(session: Session) -> Json<Value> {
    Json(session.access_token_payload())
}

/// Replaces the payload with the body (`index.js` clears every key that is not protected and merges the body).
async fn update_payload(
    mut session: Session,
    body: Bytes,
) -> Result<impl IntoResponse, SessionFailure> {
    let tokens = session.update_payload(json_body(&body)).await?;
    Ok((tokens, Json(session.access_token_payload())))
}

/// Replaces the payload of the request's session by its handle, outside the request: as `index.js`, the
/// session's stored claims (`getSessionInformation`'s `customClaimsInAccessTokenPayload`) each set to `null`,
/// then the body, merged with `mergeIntoAccessTokenPayload(handle, ..)`; it answers the request's access-token
/// payload, which the merge does not change.
async fn update_payload_by_handle(
    State(state): State<AppState>,
    session: Session,
    body: Bytes,
) -> Result<Json<Value>, errorhandler::Error> {
    let stored = state.store.load(session.handle()).await?;
    let mut update = serde_json::Map::new();
    if let Some(Value::Object(claims)) = stored.map(|record| record.payload) {
        update.extend(claims.into_iter().map(|(key, _)| (key, Value::Null)));
    }
    if let Value::Object(body) = json_body(&body) {
        update.extend(body);
    }
    state
        .sessions
        .merge_into_access_token_payload(session.handle(), Value::Object(update))
        .await?;
    Ok(Json(session.access_token_payload()))
}

async fn session_claims_error(session: Session) -> Result<Json<Value>, SessionError> {
    session.assert_claims(&[&FailingClaim])?;
    Ok(Json(json!({})))
}

async fn logout(session: Session) -> Result<impl IntoResponse, SessionFailure> {
    Ok((session.revoke().await?, "success"))
}

/// Around the recipe's refresh endpoint, what `index.js`'s refresh route adds: it counts the attempts and the
/// successful refreshes with `rid`, and answers `refresh success` (`refresh failed` without `rid`).
async fn count_refreshes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_refresh =
        request.method() == Method::POST && request.uri().path() == "/auth/session/refresh"; // the recipe's default refresh path
    if !is_refresh {
        return next.run(request).await;
    }
    let server = &state.server;
    server.refresh_attempted.fetch_add(1, Ordering::Relaxed);
    let has_rid = request.headers().contains_key("rid");
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let body = if has_rid {
        server.refresh_called.fetch_add(1, Ordering::Relaxed);
        "refresh success"
    } else {
        "refresh failed"
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(body))
}

fn rid_check(headers: &HeaderMap) -> &'static str {
    let rid = headers.get("rid").and_then(|rid| rid.to_str().ok());
    if rid.is_some_and(|rid| rid.starts_with("anti-csrf")) {
        "success"
    } else {
        "fail"
    }
}

/// A JSON body as `index.js`'s `bodyParser.json()` reads it; no body or not JSON is `{}`.
fn json_body(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| json!({}))
}
