//! `#[session_error_handlers]` over real HTTP: each callback custom and default, for the four session errors
//! raised by real session flows; what a callback cannot undo; panics; the status policy.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::session::{
    ClaimValidationError, ManualClock, NewSession, RoleClaim, Session, SessionConfig,
    SessionFailure, Sessions, session_error_handlers,
};
use errorhandler::{HttpError, Recovered, errorhandler};
use errorhandler_tests::TestServer;
use serde_json::{Value, json};

const ACCESS_LIFETIME: Duration = Duration::from_secs(60);

/// Every callback custom, each reading something of the request.
struct CustomCallbacks;

#[session_error_handlers]
impl CustomCallbacks {
    async fn on_unauthorised(message: &str, uri: Uri) -> impl IntoResponse {
        Json(json!({ "custom": "unauthorised", "message": message, "path": uri.path() }))
    }

    fn on_try_refresh_token(message: String, headers: HeaderMap) -> Json<Value> {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        Json(json!({ "custom": "try refresh token", "message": message, "agent": agent }))
    }

    // Answers with an explicit success on purpose: the cookies are still cleared and the session revoked.
    fn on_token_theft_detected(session_handle: &str, user_id: &str) -> Recovered<Html<String>> {
        Recovered(Html(format!(
            "<p>{user_id} lost session {session_handle}</p>"
        )))
    }

    async fn on_invalid_claim(claims: &[ClaimValidationError]) -> (StatusCode, Json<Vec<String>>) {
        (
            StatusCode::IM_A_TEAPOT,
            Json(claims.iter().map(|claim| claim.id.clone()).collect()),
        )
    }
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Only two callbacks; one of them panics.
struct PartialCallbacks;

#[session_error_handlers]
impl PartialCallbacks {
    fn on_unauthorised(_message: String) -> (StatusCode, &'static str) {
        (
            StatusCode::from_u16(440).unwrap_or(StatusCode::UNAUTHORIZED),
            "please sign in",
        )
    }

    fn on_try_refresh_token(_message: &str) -> &'static str {
        PANICS.fetch_add(1, Ordering::SeqCst);
        panic!("the refresh callback panicked")
    }
}

errorhandler! {
    /// A set that joins the partial callbacks and has a 401 handler of its own.
    struct JoinedErrors;

    #[errorhandler(401)]
    fn unauthorized_page(e: &HttpError) -> String {
        format!("401 handler: {}", e.description())
    }

    session => PartialCallbacks;
}

/// A running app: its server, recipe and clock.
struct App {
    server: TestServer,
    sessions: Sessions,
    clock: ManualClock,
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
) -> Result<(NewSession, &'static str), SessionFailure> {
    Ok((
        sessions
            .create_new_session(user, json!({ "st-role": ["user"] }))
            .await?,
        "signed in",
    ))
}

async fn me(session: Session) -> String {
    session.user_id().to_owned()
}

async fn admin(session: Session) -> Result<&'static str, errorhandler::Error> {
    session.assert_claims(&[
        &RoleClaim::new("st-role").includes("admin"),
        &RoleClaim::new("st-team").includes("ops"),
    ])?;
    Ok("welcome")
}

impl App {
    async fn start(layer: impl FnOnce(Router) -> Router) -> Self {
        let clock = ManualClock::new(std::time::SystemTime::now());
        let config = SessionConfig::builder()
            .cookie_secure(false)
            .access_token_lifetime(ACCESS_LIFETIME)
            .clock(clock.clone())
            .build()
            .expect("valid configuration");
        let sessions = Sessions::new(config);
        let routes = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/me", get(me))
            .route("/admin", get(admin))
            .route("/plain-401", get(|| async { StatusCode::UNAUTHORIZED }))
            .merge(
                Router::new().route("/admin/layered", get(me)).route_layer(
                    sessions
                        .require_session()
                        .with_claim(RoleClaim::new("st-role").includes("admin"))
                        .with_claim(RoleClaim::new("st-team").includes("ops")),
                ),
            )
            .merge(sessions.router())
            .with_state(sessions.clone());
        Self {
            server: TestServer::start(layer(routes)).await,
            sessions,
            clock,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Vec<String>, String) {
        let response = request
            .header(header::USER_AGENT, "callback-tests")
            .send()
            .await
            .unwrap();
        let status = response.status();
        let cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect();
        (status, cookies, response.text().await.unwrap())
    }

    async fn sign_in(&self, user: &str) -> Tokens {
        let (status, cookies, _) = self
            .send(reqwest::Client::new().post(self.server.url(&format!("/sign-in/{user}"))))
            .await;
        assert_eq!(status, StatusCode::OK);
        Tokens {
            access: cookie(&cookies, "sAccessToken"),
            refresh: cookie(&cookies, "sRefreshToken"),
        }
    }

    async fn get(&self, path: &str, access: Option<&str>) -> (StatusCode, Vec<String>, String) {
        let mut request = reqwest::Client::new().get(self.server.url(path));
        if let Some(access) = access {
            request = request.header(header::COOKIE, format!("sAccessToken={access}"));
        }
        self.send(request).await
    }

    async fn refresh(&self, refresh: &str) -> (StatusCode, Vec<String>, String) {
        let request = reqwest::Client::new()
            .post(self.server.url("/auth/session/refresh"))
            .header(header::COOKIE, format!("sRefreshToken={refresh}"));
        self.send(request).await
    }

    /// Signs in, refreshes twice and uses the new access token, so that the first refresh token is stale; the
    /// stolen (first) tokens and the current ones.
    async fn superseded(&self, user: &str) -> (Tokens, Tokens) {
        let stolen = self.sign_in(user).await;
        let (status, cookies, _) = self.refresh(&stolen.refresh).await;
        assert_eq!(status, StatusCode::OK);
        // A second rotation: the first token is then older than the previous one, theft at once whatever the
        // grace period.
        let (status, cookies, _) = self.refresh(&cookie(&cookies, "sRefreshToken")).await;
        assert_eq!(status, StatusCode::OK);
        let current = Tokens {
            access: cookie(&cookies, "sAccessToken"),
            refresh: cookie(&cookies, "sRefreshToken"),
        };
        assert_eq!(
            self.get("/me", Some(&current.access)).await.0,
            StatusCode::OK
        );
        (stolen, current)
    }
}

struct Tokens {
    access: String,
    refresh: String,
}

fn cookie(cookies: &[String], name: &str) -> String {
    cookies
        .iter()
        .find_map(|cookie| {
            cookie
                .split(';')
                .next()?
                .strip_prefix(&format!("{name}="))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("{name} is set: {cookies:?}"))
}

fn assert_cleared(cookies: &[String]) {
    for (name, path) in [
        ("sAccessToken", "/"),
        ("sRefreshToken", "/auth/session/refresh"),
    ] {
        assert!(
            cookies
                .iter()
                .any(|cookie| cookie.starts_with(&format!("{name}=;"))
                    && cookie.contains(&format!("Path={path}"))
                    && cookie.contains("Max-Age=0")
                    && cookie.contains("HttpOnly")),
            "{name} is cleared at {path}: {cookies:?}"
        );
    }
}

#[tokio::test]
async fn custom_on_unauthorised_answers_a_request_without_a_session() {
    let app = App::start(|routes| routes.layer(CustomCallbacks::layer())).await;
    let (status, cookies, body) = app.get("/me", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session-expired status is kept"
    );
    assert!(cookies.is_empty(), "no tokens, nothing to clear");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (body["custom"].as_str(), body["path"].as_str()),
        (Some("unauthorised"), Some("/me"))
    );
}

#[tokio::test]
async fn custom_on_try_refresh_token_answers_an_expired_access_token() {
    let app = App::start(|routes| routes.layer(CustomCallbacks::layer())).await;
    let tokens = app.sign_in("alice").await;
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let (status, cookies, body) = app.get("/me", Some(&tokens.access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(cookies.is_empty(), "the client must keep its refresh token");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (body["custom"].as_str(), body["agent"].as_str()),
        (Some("try refresh token"), Some("callback-tests"))
    );
}

#[tokio::test]
async fn custom_on_token_theft_detected_cannot_undo_the_revocation_nor_the_cleared_cookies() {
    let app = App::start(|routes| routes.layer(CustomCallbacks::layer())).await;
    let (stolen, current) = app.superseded("alice").await;
    let (status, cookies, body) = app.refresh(&stolen.refresh).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the callback chose a 2xx explicitly, with Recovered"
    );
    assert_cleared(&cookies);
    let handle = body
        .strip_prefix("<p>alice lost session ")
        .and_then(|rest| rest.strip_suffix("</p>"))
        .expect(&body);
    assert!(
        app.sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .is_empty(),
        "{handle} revoked"
    );
    let (status, _, _) = app.refresh(&current.refresh).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the victim's refresh token is refused too"
    );
}

#[tokio::test]
async fn custom_on_invalid_claim_receives_every_failing_claim_and_may_choose_another_error_status()
{
    let app = App::start(|routes| routes.layer(CustomCallbacks::layer())).await;
    let tokens = app.sign_in("alice").await;
    // Whether the route asserts the claims or a route layer requires them, the callback answers.
    for path in ["/admin", "/admin/layered"] {
        let (status, _, body) = app.get(path, Some(&tokens.access)).await;
        assert_eq!(status, StatusCode::IM_A_TEAPOT, "{path}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!(["st-role", "st-team"]),
            "{path}"
        );
    }
}

#[tokio::test]
async fn callbacks_left_out_keep_supertokens_defaults() {
    let app = App::start(|routes| routes.layer(PartialCallbacks::layer())).await;
    let tokens = app.sign_in("bob").await;

    let (status, _, body) = app.get("/admin", Some(&tokens.access)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["message"], "invalid claim");
    assert_eq!(
        body["claimValidationErrors"].as_array().map(Vec::len),
        Some(2)
    );

    let (stolen, _) = app.superseded("erin").await;
    let (status, cookies, body) = app.refresh(&stolen.refresh).await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::UNAUTHORIZED,
            r#"{"message":"token theft detected"}"#
        )
    );
    assert_cleared(&cookies);
    assert!(
        app.sessions
            .get_all_session_handles_for_user("erin")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_custom_callback_may_answer_with_another_error_status_and_still_clears_cookies() {
    let app = App::start(|routes| routes.layer(PartialCallbacks::layer())).await;
    let (status, _, body) = app.get("/me", Some("garbage")).await;
    assert_eq!((status.as_u16(), body.as_str()), (440, "please sign in"));
    let (status, cookies, body) = app.refresh("not-a-refresh-token").await;
    assert_eq!((status.as_u16(), body.as_str()), (440, "please sign in"));
    assert_cleared(&cookies);
}

#[tokio::test]
async fn a_panicking_callback_yields_the_session_default_and_the_server_keeps_serving() {
    let app = App::start(|routes| routes.layer(PartialCallbacks::layer())).await;
    let tokens = app.sign_in("carol").await;
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let before = PANICS.load(Ordering::SeqCst);
    for _ in 0..2 {
        let (status, _, body) = app.get("/me", Some(&tokens.access)).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"message":"try refresh token"}"#
            )
        );
    }
    assert_eq!(
        PANICS.load(Ordering::SeqCst) - before,
        2,
        "the callback ran, and panicked, each time"
    );
    let (status, cookies, _) = app.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::OK, "still serving");
    let access = cookie(&cookies, "sAccessToken");
    assert_eq!(app.get("/me", Some(&access)).await.2, "carol");
}

#[tokio::test]
async fn joined_to_a_set_the_callbacks_own_session_errors_and_the_sets_handlers_the_rest() {
    let app = App::start(|routes| routes.layer(JoinedErrors::layer())).await;
    // A session error goes to its callback...
    let (status, _, body) = app.get("/me", None).await;
    assert_eq!((status.as_u16(), body.as_str()), (440, "please sign in"));
    // ...or keeps SuperTokens' default when it has none: the set's 401 handler does not take it.
    let tokens = app.sign_in("dave").await;
    let (status, _, body) = app.get("/admin", Some(&tokens.access)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("invalid claim"), "{body}");
    // A 401 that is not a session error goes to the set's handler.
    let (status, _, body) = app.get("/plain-401", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body.starts_with("401 handler: The server could not verify"),
        "{body}"
    );
}

#[tokio::test]
async fn without_callbacks_session_errors_answer_with_supertokens_defaults() {
    let app = App::start(|routes| routes).await;
    let (status, cookies, body) = app.get("/me", None).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"message":"unauthorised"}"#)
    );
    assert!(cookies.is_empty());
    // A forged access token is unauthorised; its refresh token may still be good, so nothing is cleared.
    let (status, _, body) = app.get("/me", Some("tampered.token")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"message":"unauthorised"}"#)
    );
    // A refresh token the store does not know is of no further use: both cookies are cleared.
    let (status, cookies, body) = app.refresh("not-a-refresh-token").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"message":"unauthorised"}"#)
    );
    assert_cleared(&cookies);
}
