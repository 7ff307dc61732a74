//! What the session recipe logs and shows in `Debug`: its events carry structured fields (theft at `WARN`, a
//! failing store at `ERROR`), and no event or `Debug` output holds a token, a signing secret or a password.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::session::{
    AntiCsrf, ManualClock, MemoryStore, NewSession, RedisStoreConfig, Session, SessionConfig,
    SessionConfigBuilder, SessionFailure, SessionTokens, Sessions,
};
use errorhandler::{HttpError, errorhandler};
use errorhandler_tests::capture::{self, Event};
use errorhandler_tests::faulty_store::{Faults, FaultyStore};
use errorhandler_tests::{TestServer, Tokens, get_with_access, refresh_with};
use serde_json::{Value, json};
use tracing::Level;

const REFRESH: &str = "/auth/session/refresh";
const ACCESS_LIFETIME: Duration = Duration::from_secs(60);

/// A server of the test app on a store that fails or hangs on demand.
struct App {
    server: TestServer,
    clock: ManualClock,
    faults: Arc<Faults>,
}

impl App {
    async fn start() -> Self {
        Self::start_with(|config| config).await
    }

    async fn start_with(
        configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
    ) -> Self {
        let clock = ManualClock::new(std::time::SystemTime::now());
        let config = configure(
            SessionConfig::builder()
                .cookie_secure(false)
                .access_token_lifetime(ACCESS_LIFETIME)
                .refresh_token_lifetime(Duration::from_secs(600))
                .clock(clock.clone()),
        )
        .build()
        .expect("valid configuration");
        let faults = Arc::new(Faults::default());
        let store = FaultyStore::new(Arc::new(MemoryStore::new()), Arc::clone(&faults));
        let sessions = Sessions::with_store(config, store);
        let server = TestServer::start(routes(sessions).layer(StoreErrors::layer())).await;
        Self {
            server,
            clock,
            faults,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Signs `user` in with cookies; the session's handle and tokens.
    async fn sign_in(&self, user: &str) -> (String, Tokens) {
        let response = reqwest::Client::new()
            .post(self.url(&format!("/sign-in/{user}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let tokens = Tokens::of(&response);
        let body: Value = response.json().await.unwrap();
        (body["handle"].as_str().unwrap().to_owned(), tokens)
    }

    /// The events of the recipe (not of the layer or the trace) at `level` or more severe.
    fn session_events(&self, level: Level) -> Vec<Event> {
        self.server
            .events()
            .into_iter()
            .filter(|event| {
                event.target.starts_with("errorhandler::session") && event.level <= level
            })
            .collect()
    }
}

errorhandler! {
    /// The app's handlers: store failures get a page of their own.
    pub struct StoreErrors;

    #[errorhandler(503)]
    fn unavailable(_e: &HttpError) -> Json<Value> {
        Json(json!({ "error": "sessions are unavailable, try again" }))
    }
}

fn routes(sessions: Sessions) -> Router {
    Router::new()
        .route("/sign-in/{user}", post(sign_in))
        .route("/me", get(me).post(me))
        .merge(sessions.router())
        .with_state(sessions)
}

/// Signs in with the transfer method the request asks for with `st-auth-mode`.
async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Result<(NewSession, Json<Value>), SessionFailure> {
    let session = sessions
        .create_new_session_for(&headers, user, json!({ "st-role": ["reader"] }))
        .await?;
    let body = Json(json!({ "handle": session.handle() }));
    Ok((session, body))
}

async fn me(session: Session) -> String {
    session.user_id().to_owned()
}

/// The value of the header `name` of `response`, remembered as a secret no event may contain.
fn secret_header(response: &reqwest::Response, name: &str) -> String {
    let value = response.headers()[name].to_str().unwrap().to_owned();
    capture::remember_secret(&value);
    value
}

/// `request` with `Authorization: Bearer token`, by a client that keeps no cookies.
async fn with_bearer(request: reqwest::RequestBuilder, token: &str) -> reqwest::Response {
    request
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("st-auth-mode", "header")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn token_theft_is_one_warning_naming_the_session_and_its_user_without_a_token() {
    let app = App::start().await;
    let (handle, stolen) = app.sign_in("alice").await;

    // The victim refreshes, which rotates its tokens, and uses the new access token.
    let refreshed = refresh_with(app.url(REFRESH), &stolen.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let victim = Tokens::of(&refreshed);
    let me = get_with_access(app.url("/me"), &victim.access).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert!(app.session_events(Level::WARN).is_empty());

    // The thief replays the superseded refresh token, past the grace period.
    app.clock.advance(Duration::from_secs(31));
    let theft = refresh_with(app.url(REFRESH), &stolen.refresh).await;
    assert_eq!(theft.status(), StatusCode::UNAUTHORIZED);

    // One event at WARN or above of anyone's: the layer logs the 401 answer at DEBUG.
    let warnings: Vec<Event> = app
        .server
        .events()
        .into_iter()
        .filter(|event| event.level <= Level::WARN)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let event = &warnings[0];
    assert_eq!(event.level, Level::WARN);
    assert_eq!(event.target, "errorhandler::session::rotation");
    assert_eq!(event.field("session_handle"), Some(handle.as_str()));
    assert_eq!(event.field("user_id"), Some("alice"));
    assert!(
        event
            .field("message")
            .unwrap()
            .starts_with("refresh token reuse detected"),
        "{event}"
    );
    assert_eq!(event.field("reuse"), Some("RECENT_PREV"), "{event}");
    // The hashes of the presented and current refresh tokens, shortened, tell them apart.
    let presented = event.field("refresh_token.hash").unwrap();
    let current = event.field("current_refresh_token.hash").unwrap();
    assert!(presented.starts_with("TokenHash("), "{event}");
    assert_ne!(presented, current);
    for token in [
        &stolen.access,
        &stolen.refresh,
        &victim.access,
        &victim.refresh,
    ] {
        assert!(
            event
                .fields
                .values()
                .all(|value| !value.contains(token.as_str())),
            "{event}"
        );
    }
}

#[tokio::test]
async fn a_failing_store_call_is_an_error_event_with_its_operation_and_cause() {
    let app = App::start().await;
    let (_, tokens) = app.sign_in("alice").await;
    assert!(app.session_events(Level::WARN).is_empty());

    app.faults.failing.store(true, Ordering::SeqCst);
    let refresh = refresh_with(app.url(REFRESH), &tokens.refresh).await;
    assert_eq!(refresh.status(), StatusCode::SERVICE_UNAVAILABLE);

    let errors = app.session_events(Level::WARN);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let event = &errors[0];
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.target, "errorhandler::session::store");
    assert_eq!(event.field("operation"), Some("load"));
    assert_eq!(event.field("timed_out"), Some("false"));
    assert_eq!(
        event.field("error"),
        Some("the session store failed: the database is down")
    );
    assert_eq!(
        event.field("error.sources"),
        Some(r#"["connection refused"]"#)
    );

    // A sign-in fails at `create`, with the same cause.
    let sign_in = reqwest::Client::new()
        .post(app.url("/sign-in/bob"))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), StatusCode::SERVICE_UNAVAILABLE);
    let errors = app.session_events(Level::WARN);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[1].field("operation"), Some("create"));
    assert_eq!(
        errors[1].field("error"),
        Some("the session store failed: the database is down")
    );
}

#[tokio::test]
async fn a_store_call_that_times_out_is_an_error_event_saying_so() {
    let app = App::start_with(|config| config.store_timeout(Duration::from_millis(50))).await;
    let (_, tokens) = app.sign_in("alice").await;

    app.faults.hanging.store(true, Ordering::SeqCst);
    let refresh = refresh_with(app.url(REFRESH), &tokens.refresh).await;
    assert_eq!(refresh.status(), StatusCode::SERVICE_UNAVAILABLE);

    let errors = app.session_events(Level::WARN);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let event = &errors[0];
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("operation"), Some("load"));
    assert_eq!(event.field("timed_out"), Some("true"));
    assert_eq!(
        event.field("error"),
        Some("the session store failed: the session store did not answer `load` within 50ms")
    );
    assert_eq!(event.field("error.sources"), Some("[]"));
}

#[tokio::test]
async fn tokens_in_headers_never_reach_the_log_whatever_the_requests_do() {
    let app = App::start().await;
    let client = reqwest::Client::new();
    let signed_in = client
        .post(app.url("/sign-in/alice"))
        .header("st-auth-mode", "header")
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let access = secret_header(&signed_in, "st-access-token");
    let refresh = secret_header(&signed_in, "st-refresh-token");

    let me = with_bearer(client.get(app.url("/me")), &access).await;
    assert_eq!(me.status(), StatusCode::OK);
    let refreshed = with_bearer(client.post(app.url(REFRESH)), &refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let new_access = secret_header(&refreshed, "st-access-token");
    let new_refresh = secret_header(&refreshed, "st-refresh-token");
    let me = with_bearer(client.get(app.url("/me")), &new_access).await;
    assert_eq!(me.status(), StatusCode::OK);

    // A tampered token, an unknown one in a cookie, an expired one, a failing store, a theft.
    let mut tampered = new_access.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let forged = with_bearer(client.get(app.url("/me")), &tampered).await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let in_a_cookie = get_with_access(app.url("/me"), &refresh).await;
    assert_eq!(in_a_cookie.status(), StatusCode::UNAUTHORIZED);
    app.faults.failing.store(true, Ordering::SeqCst);
    let failing = with_bearer(client.post(app.url(REFRESH)), &new_refresh).await;
    assert_eq!(failing.status(), StatusCode::SERVICE_UNAVAILABLE);
    app.faults.failing.store(false, Ordering::SeqCst);
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let expired = with_bearer(client.get(app.url("/me")), &new_access).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let theft = with_bearer(client.post(app.url(REFRESH)), &refresh).await;
    assert_eq!(theft.status(), StatusCode::UNAUTHORIZED);
    let revoked = with_bearer(client.post(app.url(REFRESH)), &new_refresh).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);

    assert!(!app.session_events(Level::WARN).is_empty());
    assert!(app.server.events().len() > 10);
    capture::assert_no_secret_logged();
}

#[tokio::test]
async fn anti_csrf_tokens_never_reach_the_log() {
    let app = App::start_with(|config| config.anti_csrf(AntiCsrf::ViaToken)).await;
    let client = reqwest::Client::new();
    let signed_in = client.post(app.url("/sign-in/alice")).send().await.unwrap();
    let tokens = Tokens::of(&signed_in);
    let anti_csrf = secret_header(&signed_in, "anti-csrf");
    let cookie = format!("sAccessToken={}", tokens.access);

    let with_token = client
        .post(app.url("/me"))
        .header(header::COOKIE, &cookie)
        .header("anti-csrf", &anti_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::OK);
    let without = client
        .post(app.url("/me"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    let refresh_without = refresh_with(app.url(REFRESH), &tokens.refresh).await;
    assert_eq!(refresh_without.status(), StatusCode::UNAUTHORIZED);

    capture::assert_no_secret_logged();
}

/// Every value of `tokens` that carries a token: the cookies' values and the token headers.
fn token_values(tokens: &SessionTokens) -> Vec<String> {
    let cookies = tokens.set_cookies().iter().map(|value| {
        let text = value.to_str().unwrap();
        let pair = text.split(';').next().unwrap();
        pair.split_once('=').unwrap().1.to_owned()
    });
    let headers = tokens
        .headers()
        .iter()
        .filter(|(name, _)| *name != "front-token")
        .map(|(_, value)| value.to_str().unwrap().to_owned());
    cookies
        .chain(headers)
        .filter(|value| !value.is_empty())
        .collect()
}

/// Asserts that the values carrying tokens are sensitive, and that `debug` shows none of them.
fn assert_redacted(tokens: &SessionTokens, debug: &str, expected: usize) {
    let values = token_values(tokens);
    assert_eq!(values.len(), expected, "{values:?}");
    for value in &values {
        assert!(value.len() >= 32, "{value}");
        assert!(!debug.contains(value.as_str()), "{debug}");
    }
    for value in tokens.set_cookies() {
        assert!(value.is_sensitive(), "{value:?}");
    }
    for (name, value) in tokens.headers() {
        assert_eq!(value.is_sensitive(), *name != "front-token", "{name}");
    }
}

#[tokio::test]
async fn debug_of_new_sessions_and_their_tokens_shows_no_token() {
    let config = SessionConfig::builder()
        .anti_csrf(AntiCsrf::ViaToken)
        .build()
        .unwrap();
    let sessions = Sessions::new(config);

    // Cookies, with the anti-CSRF token.
    let new = sessions
        .create_new_session("alice", json!({ "st-role": ["reader"] }))
        .await
        .unwrap();
    let debug = format!("{new:?}");
    assert_redacted(new.tokens(), &debug, 3);
    assert!(debug.contains(new.handle()), "{debug}");
    assert!(debug.contains(r#"user_id: "alice""#), "{debug}");
    assert!(
        debug.contains(r#""sAccessToken=[redacted]; HttpOnly; SameSite=Lax; Secure; Path=/; "#),
        "{debug}"
    );
    assert!(
        debug.contains(r#""sRefreshToken=[redacted]; HttpOnly; SameSite=Lax; Secure; Path=/auth/session/refresh; "#),
        "{debug}"
    );
    assert!(debug.contains(r#""anti-csrf": "[redacted]""#), "{debug}");
    // The front token is what the frontend's scripts read anyway.
    assert!(debug.contains(r#""front-token": "ey"#), "{debug}");

    // Headers: a new session, then a refresh's tokens.
    let mut header_mode = HeaderMap::new();
    header_mode.insert("st-auth-mode", HeaderValue::from_static("header"));
    let new = sessions
        .create_new_session_for(&header_mode, "alice", json!({}))
        .await
        .unwrap();
    let debug = format!("{new:?}");
    assert_redacted(new.tokens(), &debug, 2);
    assert!(
        debug.contains(r#""st-access-token": "[redacted]""#),
        "{debug}"
    );
    assert!(
        debug.contains(r#""st-refresh-token": "[redacted]""#),
        "{debug}"
    );

    let refresh = &token_values(new.tokens())[1];
    let mut refresh_call = header_mode.clone();
    refresh_call.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {refresh}")).unwrap(),
    );
    refresh_call.insert("rid", HeaderValue::from_static("session"));
    let refreshed = sessions
        .refresh_session(&Method::POST, &refresh_call)
        .await
        .unwrap();
    assert_redacted(&refreshed, &format!("{refreshed:?}"), 2);
    assert!(!format!("{refreshed:#?}").contains(refresh.as_str()));
}

#[test]
fn debug_of_the_configurations_shows_no_secret_or_password() {
    let secret = "a signing secret of more than 32 bytes";
    let builder = SessionConfig::builder().signing_secret(secret);
    assert!(!format!("{builder:?}").contains(secret));
    let config = builder.build().unwrap();
    assert!(!format!("{config:?}").contains(secret));
    assert!(!format!("{:?}", Sessions::new(config)).contains(secret));

    for (url, shown) in [
        (
            "redis://alice:s3cret-password@redis.internal:6380/2",
            r#"url: "redis://[redacted]@redis.internal:6380/2""#,
        ),
        (
            "redis://:s3cret-password@127.0.0.1/0?protocol=resp3",
            r#"url: "redis://[redacted]@127.0.0.1/0?protocol=resp3""#,
        ),
        (
            "redis://:s3cret/pass?word@127.0.0.1",
            r#"url: "redis://[redacted]@127.0.0.1""#,
        ),
        (
            "redis+unix:///run/redis.sock?db=1&user=alice&pass=s3cret-password",
            r#"url: "redis+unix:///run/redis.sock?db=1&user=[redacted]&pass=[redacted]""#,
        ),
        (
            "redis://127.0.0.1:6379/0",
            r#"url: "redis://127.0.0.1:6379/0""#,
        ),
    ] {
        let debug = format!("{:?}", RedisStoreConfig::new(url).key_prefix("app:"));
        assert!(debug.contains(shown), "{debug}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains(r#"key_prefix: "app:""#), "{debug}");
    }
}
