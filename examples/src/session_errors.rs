//! SuperTokens' "Custom Error Handling", both generations in one server:
//!
//! - under `/legacy`, the older SDK: session expired is 440, and custom handlers answer
//!   `{"error_msg": "unauthorised"}`, `{"error_msg": "try refresh token"}` and `{"error_msg": "token theft"}`;
//! - at the root, the newer SDK's defaults: 401 `{"message": ...}`, 403 with `claimValidationErrors`, and the
//!   session revoked on theft; its one custom callback logs the theft and keeps the default answer.
//!
//! Both use the real session recipe: rotating refresh tokens with theft detection, access tokens as JWTs whose
//! keys are served at `/auth/jwt/jwks.json`. `POST /demo/expire-access-tokens` moves the recipes' clock past the
//! access-token lifetime, so that expiry can be tried without waiting, and `POST /demo/rotate-signing-keys` by the
//! signing-key interval (a week), so that a new key signs.
//!
//! Sessions live in memory, or, with [`Backing::from_env`], in the Redis server at `REDIS_URL`, signed with the
//! secret in `SESSION_SECRET`: several instances of the example then share their sessions.
//!
//! `GET /` serves a page that loads SuperTokens' official frontend SDK (`supertokens-web-js` 0.16, installed by
//! `npm ci` at the repository root) and drives both halves in cookie or header mode; [`frontend`] serves the same
//! page on another origin, for an API set up with [`Options::cors_origins`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::session::{
    AntiCsrf, BooleanClaim, Clock, MemoryStore, NewSession, RedisStore, RoleClaim, Session,
    SessionConfig, SessionFailure, SessionStore, SessionStoreError, Sessions, cors,
    session_error_handlers,
};
use errorhandler::{HttpError, errorhandler};
use serde_json::{Value, json};

/// How long an access token lives in this example.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// How often a new key signs access tokens: SuperTokens' default, a week.
pub const SIGNING_KEY_UPDATE_INTERVAL: Duration = Duration::from_secs(168 * 60 * 60);

/// The `iss` of the access tokens: where the example's API answers by default, and its auth base path.
pub const ISSUER: &str = "http://127.0.0.1:3001/auth";

/// The `iss` of the older SDK's half, under `/legacy`.
const LEGACY_ISSUER: &str = "http://127.0.0.1:3001/legacy/auth";

/// The older SDK's callbacks: the configured session-expired status (440) with `error_msg` bodies.
pub struct LegacyAuthErrors;

#[session_error_handlers]
impl LegacyAuthErrors {
    // The response keeps the configured 440: SuperTokens asks custom handlers to answer with the
    // session-expired status, and the status policy makes it so.
    fn on_unauthorised(_message: &str) -> Json<Value> {
        Json(json!({ "error_msg": "unauthorised" }))
    }

    fn on_try_refresh_token(_message: &str) -> Json<Value> {
        Json(json!({ "error_msg": "try refresh token" }))
    }

    fn on_token_theft_detected(_session_handle: &str, _user_id: &str) -> Json<Value> {
        Json(json!({ "error_msg": "token theft" }))
    }
}

/// The newer SDK: every callback keeps its default but the theft one, which logs before answering as the
/// default does. The session is already revoked and the cookies cleared whatever it returns.
pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    // The recipe has revoked the session and logged the theft (at `WARN`, with the handle and the user id); the
    // app decides what the client reads, and could alert the user here.
    async fn on_token_theft_detected(_session_handle: &str, _user_id: &str) -> impl IntoResponse {
        Json(json!({ "message": "token theft detected" }))
    }
}

errorhandler! {
    /// The errors of the newer API: JSON everywhere, and its session callbacks.
    pub struct ApiErrors;

    #[errorhandler(404)]
    fn not_found(e: &HttpError) -> Json<Value> {
        Json(json!({ "message": e.to_string() }))
    }

    session => AuthErrors;
}

/// The system clock plus an offset that `POST /demo/expire-access-tokens` moves forward.
#[derive(Clone, Default)]
pub struct DemoClock {
    offset_seconds: Arc<AtomicU64>,
}

impl Clock for DemoClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_secs(self.offset_seconds.load(Ordering::Relaxed))
    }
}

impl DemoClock {
    fn expire_access_tokens(&self) {
        self.offset_seconds
            .fetch_add(ACCESS_TOKEN_LIFETIME.as_secs() + 1, Ordering::Relaxed);
    }

    fn rotate_signing_keys(&self) {
        self.offset_seconds
            .fetch_add(SIGNING_KEY_UPDATE_INTERVAL.as_secs(), Ordering::Relaxed);
    }
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Result<(NewSession, Json<Value>), SessionFailure> {
    // A real app checks a password first; the payload is what the claims of `/admin` read. The request's
    // `st-auth-mode` chooses cookies or headers for the tokens.
    let session = sessions
        .create_new_session_for(
            &headers,
            user.clone(),
            json!({ "st-role": ["user"], "st-ev": false }),
        )
        .await?;
    Ok((session, Json(json!({ "status": "OK", "user": user }))))
}

async fn me(session: Session) -> Json<Value> {
    Json(json!({ "user": session.user_id(), "session": session.handle() }))
}

async fn admin(session: Session) -> Result<Json<Value>, errorhandler::Error> {
    let is_admin = RoleClaim::new("st-role").includes("admin");
    let email_verified = BooleanClaim::new("st-ev");
    session.assert_claims(&[&is_admin, &email_verified])?;
    Ok(Json(json!({ "welcome": session.user_id() })))
}

/// Where the example's sessions live and what signs them.
#[derive(Clone)]
pub struct Backing {
    store: Arc<dyn SessionStore>,
    secret: Option<Vec<u8>>,
}

impl Backing {
    /// Sessions in this process's memory, signed with a random secret.
    pub fn memory() -> Self {
        Self {
            store: Arc::new(MemoryStore::new()),
            secret: None,
        }
    }

    /// Sessions in `store`, signed with a random secret: a store the caller keeps a handle to, such as a
    /// [`MemoryStore`] whose size it watches.
    pub fn store(store: Arc<dyn SessionStore>) -> Self {
        Self {
            store,
            secret: None,
        }
    }

    /// Sessions in the Redis server at `url`, signed with `secret`, which every instance must share.
    pub async fn redis(url: &str, secret: impl Into<Vec<u8>>) -> Result<Self, SessionStoreError> {
        Ok(Self {
            store: Arc::new(RedisStore::connect(url).await?),
            secret: Some(secret.into()),
        })
    }

    /// With `REDIS_URL` set, sessions in that Redis server, signed with the secret in `SESSION_SECRET` (at least 32
    /// bytes, the same for every instance); otherwise [`memory`](Self::memory).
    pub async fn from_env() -> Result<Self, SessionStoreError> {
        let Ok(url) = std::env::var("REDIS_URL") else {
            return Ok(Self::memory());
        };
        let secret = std::env::var("SESSION_SECRET").map_err(|_| {
            SessionStoreError::new(
                "REDIS_URL is set, so SESSION_SECRET must be too: the secret every instance signs tokens with",
            )
        })?;
        Self::redis(&url, secret).await
    }
}

impl Default for Backing {
    fn default() -> Self {
        Self::memory()
    }
}

impl std::fmt::Debug for Backing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("Backing")
            .field("shared_secret", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

fn recipe(
    mut config: errorhandler::session::SessionConfigBuilder,
    issuer: &str,
    clock: &DemoClock,
    options: &Options,
) -> Sessions {
    if let Some(anti_csrf) = options.anti_csrf {
        config = config.anti_csrf(anti_csrf);
    }
    if let Some(lifetime) = options.refresh_token_lifetime {
        config = config.refresh_token_lifetime(lifetime);
    }
    if let Some(secret) = &options.backing.secret {
        config = config.signing_secret(secret.clone());
    }
    // The origins CORS lets call the API may send it the session cookies too.
    for origin in &options.cors_origins {
        if let Ok(origin) = origin.to_str() {
            config = config.allowed_origin(origin);
        }
    }
    let config = config
        // The demo runs on plain http://127.0.0.1; a deployment keeps the default `Secure`.
        .cookie_secure(false)
        .access_token_lifetime(
            options
                .access_token_lifetime
                .unwrap_or(ACCESS_TOKEN_LIFETIME),
        )
        .access_token_signing_key_update_interval(SIGNING_KEY_UPDATE_INTERVAL)
        .issuer(issuer)
        .clock(clock.clone())
        .build()
        .unwrap_or_else(|error| {
            panic!("the example's session configuration is not valid: {error}")
        });
    Sessions::with_store(config, Arc::clone(&options.backing.store))
}

/// The older SDK's half: `/legacy/...`, session expired is 440.
fn legacy(clock: &DemoClock, options: &Options) -> Router {
    let sessions = recipe(
        SessionConfig::builder()
            .session_expired_status(440)
            .refresh_path("/legacy/auth/session/refresh")
            .sign_out_path("/legacy/auth/signout")
            .jwks_path("/legacy/auth/jwt/jwks.json"),
        LEGACY_ISSUER,
        clock,
        options,
    );
    Router::new()
        .route("/legacy/sign-in/{user}", post(sign_in))
        .route("/legacy/me", get(me))
        .merge(sessions.router())
        .with_state(sessions)
        .layer(LegacyAuthErrors::layer())
}

/// The newer SDK's half, at the root.
fn current(clock: &DemoClock, options: &Options) -> Router {
    let sessions = recipe(SessionConfig::builder(), ISSUER, clock, options);
    Router::new()
        .route("/sign-in/{user}", post(sign_in))
        .route("/me", get(me).post(me))
        .route("/admin", get(admin))
        .merge(sessions.router())
        .with_state(sessions)
        .layer(ApiErrors::layer())
}

/// How [`app_with`] sets the demo up.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The anti-CSRF check of both halves; the recipe's default (none with `SameSite=Lax`) when `None`.
    pub anti_csrf: Option<AntiCsrf>,
    /// Origins of pages on other origins (such as `http://127.0.0.1:3002`) that may call the API, through
    /// tower-http's `CorsLayer` set up by `errorhandler::session::cors`, and send it the session cookies (the
    /// recipe's `allowed_origin`).
    pub cors_origins: Vec<HeaderValue>,
    /// Where sessions live; in memory by default.
    pub backing: Backing,
    /// How long an access token lives; [`ACCESS_TOKEN_LIFETIME`] when `None`.
    pub access_token_lifetime: Option<Duration>,
    /// How long a session lives without a refresh; the recipe's default (100 days) when `None`.
    pub refresh_token_lifetime: Option<Duration>,
}

/// The whole server, with the page at `/`.
pub fn app() -> Router {
    app_with(Options::default())
}

/// The whole server, set up by `options`.
pub fn app_with(options: Options) -> Router {
    let clock = DemoClock::default();
    let demo_clock = clock.clone();
    let app = Router::new()
        .merge(legacy(&clock, &options))
        .merge(current(&clock, &options))
        .route(
            "/demo/expire-access-tokens",
            post({
                let demo_clock = demo_clock.clone();
                move || async move {
                    demo_clock.expire_access_tokens();
                    StatusCode::NO_CONTENT
                }
            }),
        )
        .route(
            "/demo/rotate-signing-keys",
            post(move || async move {
                demo_clock.rotate_signing_keys();
                StatusCode::NO_CONTENT
            }),
        )
        .merge(frontend_routes(None));
    if options.cors_origins.is_empty() {
        app
    } else {
        // Outermost, so that preflights are answered before routing and error responses carry CORS headers.
        app.layer(cors::cors_layer(options.cors_origins))
    }
}

/// The page alone, calling the API at `api_domain` (such as `http://127.0.0.1:3001`) from its own origin.
pub fn frontend(api_domain: &str) -> Router {
    frontend_routes(Some(api_domain))
}

/// Where the page finds `supertokens-web-js`'s script bundles: `SUPERTOKENS_WEB_JS_BUNDLE`, or the copy that
/// `npm ci` installs at the repository root.
pub fn sdk_bundle_dir() -> std::path::PathBuf {
    std::env::var_os("SUPERTOKENS_WEB_JS_BUNDLE")
        .map(Into::into)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../node_modules/supertokens-web-js/bundle")
        })
}

fn frontend_routes(api_domain: Option<&str>) -> Router {
    let config = json!({ "apiDomain": api_domain }).to_string();
    let page = include_str!("../static/session.html").replace("__DEMO_CONFIG__", &config);
    Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/sdk/{file}", get(sdk_file))
}

/// `website.js`, `supertokens.js` and `session.js`: the bundles of `supertokens-web-js`, whose file names carry
/// a content hash (`session.1e8cb79cef1389b3f612.js`).
async fn sdk_file(Path(file): Path<String>) -> Result<impl IntoResponse, StatusCode> {
    let prefix = match file.as_str() {
        "website.js" => "website.",
        "supertokens.js" => "supertokens.",
        "session.js" => "session.",
        _ => return Err(StatusCode::NOT_FOUND),
    };
    let dir = sdk_bundle_dir();
    let mut entries = tokio::fs::read_dir(&dir)
        .await
        .map_err(|_| StatusCode::NOT_FOUND)?;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && name.ends_with(".js") {
            let script = tokio::fs::read(entry.path())
                .await
                .map_err(|_| StatusCode::NOT_FOUND)?;
            return Ok(([(header::CONTENT_TYPE, "text/javascript")], script));
        }
    }
    Err(StatusCode::NOT_FOUND)
}
