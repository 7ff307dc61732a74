//! The headers SuperTokens' frontend SDK reads and sends, over real HTTP: `front-token`, header transfer
//! (`st-auth-mode`, `Authorization: Bearer`, `st-access-token` / `st-refresh-token`), the `anti-csrf` token, and
//! the CORS set-up. The browser test (`browser.rs`) runs the SDK itself against the same protocol.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use errorhandler::session::{
    AntiCsrf, ManualClock, NewSession, Session, SessionConfig, SessionConfigBuilder,
    SessionFailure, Sessions, TokenTransferMethod, cors, session_error_handlers,
};
use errorhandler_tests::TestServer;
use serde_json::{Value, json};

const REFRESH: &str = "/auth/session/refresh";
const SIGN_OUT: &str = "/auth/signout";
const FRONTEND: &str = "http://app.example.test";

/// Custom callbacks that answer with the older SDK's bodies: the clearing headers must come anyway.
pub struct LegacyBodies;

#[session_error_handlers]
impl LegacyBodies {
    fn on_unauthorised(_message: &str) -> Json<Value> {
        Json(json!({ "error_msg": "unauthorised" }))
    }

    fn on_token_theft_detected(_session_handle: &str, _user_id: &str) -> Json<Value> {
        Json(json!({ "error_msg": "token theft" }))
    }
}

struct App {
    server: TestServer,
    clock: ManualClock,
}

impl App {
    async fn start(configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> Self {
        let clock = ManualClock::new(std::time::SystemTime::now());
        let config = configure(
            SessionConfig::builder()
                .cookie_secure(false)
                .access_token_lifetime(Duration::from_secs(60))
                .clock(clock.clone()),
        )
        .build()
        .expect("valid configuration");
        let sessions = Sessions::new(config);
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/me", get(me).post(me))
            .route("/promote", post(promote))
            .merge(sessions.router())
            .with_state(sessions)
            .layer(LegacyBodies::layer())
            .layer(cors::cors_layer(HeaderValue::from_static(FRONTEND)));
        Self {
            server: TestServer::start(app).await,
            clock,
        }
    }

    async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request =
            reqwest::Client::new().request(method.parse().unwrap(), self.server.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Result<(NewSession, &'static str), SessionFailure> {
    let session = sessions
        .create_new_session_for(
            &headers,
            user,
            json!({ "st-role": ["user"], "name": "Zoë" }),
        )
        .await?;
    Ok((session, "signed in"))
}

async fn me(session: Session) -> String {
    session.user_id().to_owned()
}

async fn promote(mut session: Session) -> Result<impl IntoResponse, SessionFailure> {
    let cookies = session
        .update_payload(json!({ "st-role": ["admin"], "name": "Zoë" }))
        .await?;
    Ok((cookies, "promoted"))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// The `front-token`, decoded as the SDK's `parseFrontToken` does.
    fn front_token(&self) -> Value {
        let token = self.header("front-token").expect("a front-token header");
        let json = base64::engine::general_purpose::STANDARD
            .decode(token)
            .expect("standard base64");
        serde_json::from_slice(&json).expect("JSON")
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap())
            .find_map(|cookie| cookie.strip_prefix(&format!("{name}=")))
            .map(|rest| rest.split(';').next().unwrap().to_owned())
    }

    fn clears_the_session(&self) -> bool {
        self.header("front-token") == Some("remove")
            && self.cookie("sAccessToken").as_deref() == Some("")
            && self.cookie("sRefreshToken").as_deref() == Some("")
            && self.header("st-access-token") == Some("")
            && self.header("st-refresh-token") == Some("")
    }
}

#[tokio::test]
async fn every_response_that_sets_an_access_token_carries_the_front_token() {
    let app = App::start(|config| config).await;
    let signed_in = app.send("POST", "/sign-in/alice", &[]).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    let front = signed_in.front_token();
    let up = &front["up"];
    assert_eq!(front["uid"], "alice");
    assert_eq!(up["sub"], "alice");
    assert_eq!(
        (&up["st-role"], &up["name"]),
        (&json!(["user"]), &json!("Zoë"))
    );
    assert_eq!(
        up["exp"].as_u64().unwrap() - up["iat"].as_u64().unwrap(),
        60
    );
    assert_eq!(
        front["ate"].as_u64().unwrap(),
        up["exp"].as_u64().unwrap() * 1000
    );
    assert!(up["sessionHandle"].is_string());
    let access = signed_in.cookie("sAccessToken").unwrap();
    let refresh = signed_in.cookie("sRefreshToken").unwrap();

    let promoted = app
        .send(
            "POST",
            "/promote",
            &[("cookie", &format!("sAccessToken={access}"))],
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK);
    assert_eq!(promoted.front_token()["up"]["st-role"], json!(["admin"]));
    assert!(promoted.cookie("sAccessToken").is_some());

    app.clock.advance(Duration::from_secs(61));
    let refreshed = app
        .send(
            "POST",
            REFRESH,
            &[("cookie", &format!("sRefreshToken={refresh}"))],
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK);
    let front = refreshed.front_token();
    assert_eq!(front["up"]["sessionHandle"], up["sessionHandle"]);
    assert_eq!(
        front["up"]["st-role"],
        json!(["admin"]),
        "the updated payload"
    );
    assert!(front["up"]["iat"].as_u64() > up["iat"].as_u64());
}

#[tokio::test]
async fn responses_that_end_the_session_say_front_token_remove_whatever_the_callback_answers() {
    let app = App::start(|config| config).await;
    let signed_in = app.send("POST", "/sign-in/alice", &[]).await;
    let access = signed_in.cookie("sAccessToken").unwrap();
    let refresh = signed_in.cookie("sRefreshToken").unwrap();

    app.clock.advance(Duration::from_secs(61));
    let rotated = app
        .send(
            "POST",
            REFRESH,
            &[("cookie", &format!("sRefreshToken={refresh}"))],
        )
        .await;
    let new_access = rotated.cookie("sAccessToken").unwrap();
    assert_eq!(
        app.send(
            "GET",
            "/me",
            &[("cookie", &format!("sAccessToken={new_access}"))]
        )
        .await
        .status,
        StatusCode::OK
    );
    // Past the grace period, the superseded token is a copy someone else holds.
    app.clock.advance(Duration::from_secs(31));
    let theft = app
        .send(
            "POST",
            REFRESH,
            &[("cookie", &format!("sRefreshToken={refresh}"))],
        )
        .await;
    assert_eq!(
        (theft.status, theft.body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"error_msg":"token theft"}"#)
    );
    assert!(theft.clears_the_session());

    let unknown = app
        .send(
            "POST",
            REFRESH,
            &[("cookie", &format!("sRefreshToken={refresh}"))],
        )
        .await;
    assert_eq!(unknown.body, r#"{"error_msg":"unauthorised"}"#);
    assert!(unknown.clears_the_session(), "unauthorised with clearing");

    let expired = app
        .send(
            "GET",
            "/me",
            &[("cookie", &format!("sAccessToken={access}"))],
        )
        .await;
    assert_eq!(expired.body, r#"{"message":"try refresh token"}"#);
    assert_eq!(
        expired.header("front-token"),
        None,
        "try refresh token keeps the session"
    );

    let signed_out = app
        .send(
            "POST",
            SIGN_OUT,
            &[("cookie", &format!("sAccessToken={new_access}"))],
        )
        .await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert!(signed_out.clears_the_session());

    let refresh_without_refresh_token = app
        .send(
            "POST",
            REFRESH,
            &[("cookie", &format!("sAccessToken={new_access}"))],
        )
        .await;
    assert_eq!(
        refresh_without_refresh_token.body,
        r#"{"error_msg":"unauthorised"}"#
    );
    assert!(
        refresh_without_refresh_token.clears_the_session(),
        "an access token without a refresh token is cleared"
    );
}

#[tokio::test]
async fn header_mode_sends_tokens_in_headers_and_reads_them_from_authorization() {
    let app = App::start(|config| config).await;
    let header_mode = ("st-auth-mode", "header");
    let signed_in = app.send("POST", "/sign-in/alice", &[header_mode]).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert!(
        signed_in.headers.get(header::SET_COOKIE).is_none(),
        "no cookies"
    );
    let access = signed_in.header("st-access-token").unwrap().to_owned();
    let refresh = signed_in.header("st-refresh-token").unwrap().to_owned();
    assert_eq!(signed_in.front_token()["uid"], "alice");

    let bearer = |token: &str| format!("Bearer {token}");
    let me = app
        .send(
            "GET",
            "/me",
            &[("authorization", &bearer(&access)), header_mode],
        )
        .await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "alice"));

    let promoted = app
        .send("POST", "/promote", &[("authorization", &bearer(&access))])
        .await;
    assert!(
        promoted
            .header("st-access-token")
            .is_some_and(|token| token != access)
    );
    assert!(
        promoted.header("st-refresh-token").is_none(),
        "a payload update keeps the refresh token"
    );

    app.clock.advance(Duration::from_secs(61));
    let refreshed = app
        .send(
            "POST",
            REFRESH,
            &[("authorization", &bearer(&refresh)), header_mode],
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert!(refreshed.headers.get(header::SET_COOKIE).is_none());
    let new_access = refreshed.header("st-access-token").unwrap().to_owned();
    assert_ne!(refreshed.header("st-refresh-token").unwrap(), refresh);
    assert_eq!(
        app.send("GET", "/me", &[("authorization", &bearer(&new_access))])
            .await
            .status,
        StatusCode::OK
    );

    // Another scheme's bearer token leaves the session cookie to be read.
    let cookie_session = app.send("POST", "/sign-in/bob", &[]).await;
    let bob = cookie_session.cookie("sAccessToken").unwrap();
    let both = app
        .send(
            "GET",
            "/me",
            &[
                ("authorization", "Bearer some-api-key"),
                ("cookie", &format!("sAccessToken={bob}")),
            ],
        )
        .await;
    assert_eq!(both.body, "bob");
}

#[tokio::test]
async fn the_transfer_method_setting_refuses_the_other_method() {
    let cookies_only =
        App::start(|config| config.token_transfer_method(TokenTransferMethod::Cookie)).await;
    let signed_in = cookies_only
        .send("POST", "/sign-in/alice", &[("st-auth-mode", "header")])
        .await;
    assert!(signed_in.header("st-access-token").is_none());
    let access = signed_in.cookie("sAccessToken").unwrap();
    let by_header = cookies_only
        .send(
            "GET",
            "/me",
            &[("authorization", &format!("Bearer {access}"))],
        )
        .await;
    assert_eq!(by_header.status, StatusCode::UNAUTHORIZED);

    let headers_only =
        App::start(|config| config.token_transfer_method(TokenTransferMethod::Header)).await;
    let signed_in = headers_only.send("POST", "/sign-in/alice", &[]).await;
    assert!(signed_in.headers.get(header::SET_COOKIE).is_none());
    let access = signed_in.header("st-access-token").unwrap().to_owned();
    let by_cookie = headers_only
        .send(
            "GET",
            "/me",
            &[("cookie", &format!("sAccessToken={access}"))],
        )
        .await;
    assert_eq!(by_cookie.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn anti_csrf_by_token_guards_state_changing_cookie_requests_and_the_refresh() {
    let app = App::start(|config| config.anti_csrf(AntiCsrf::ViaToken)).await;
    let signed_in = app.send("POST", "/sign-in/alice", &[]).await;
    let token = signed_in
        .header("anti-csrf")
        .expect("an anti-csrf header")
        .to_owned();
    let access = format!("sAccessToken={}", signed_in.cookie("sAccessToken").unwrap());
    let refresh = format!(
        "sRefreshToken={}",
        signed_in.cookie("sRefreshToken").unwrap()
    );

    assert_eq!(
        app.send("GET", "/me", &[("cookie", &access)]).await.status,
        StatusCode::OK
    );
    let forged = app.send("POST", "/me", &[("cookie", &access)]).await;
    assert_eq!(
        (forged.status, forged.body.as_str()),
        (
            StatusCode::UNAUTHORIZED,
            r#"{"message":"try refresh token"}"#
        )
    );
    let wrong = app
        .send(
            "POST",
            "/me",
            &[("cookie", &access), ("anti-csrf", "guess")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let proven = app
        .send("POST", "/me", &[("cookie", &access), ("anti-csrf", &token)])
        .await;
    assert_eq!(proven.status, StatusCode::OK);

    // A forged refresh is refused without clearing anything: a cross-site form cannot sign the user out.
    let forged_refresh = app.send("POST", REFRESH, &[("cookie", &refresh)]).await;
    assert_eq!(forged_refresh.body, r#"{"error_msg":"unauthorised"}"#);
    assert_eq!(forged_refresh.header("front-token"), None);
    assert!(
        forged_refresh.cookie("sAccessToken").is_none()
            && forged_refresh.cookie("sRefreshToken").is_none()
    );
    let refreshed = app
        .send(
            "POST",
            REFRESH,
            &[("cookie", &refresh), ("anti-csrf", &token)],
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert!(refreshed.header("anti-csrf").is_some());

    // Header transfer needs no anti-CSRF token: no other site can set `Authorization`.
    let header_mode = app
        .send("POST", "/sign-in/bob", &[("st-auth-mode", "header")])
        .await;
    assert!(header_mode.header("anti-csrf").is_none());
    let bearer = format!("Bearer {}", header_mode.header("st-access-token").unwrap());
    assert_eq!(
        app.send("POST", "/me", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cors_lets_the_frontend_origin_send_the_sdk_headers_and_read_the_session_headers() {
    let app = App::start(|config| config).await;
    let preflight = app
        .send(
            "OPTIONS",
            REFRESH,
            &[
                ("origin", FRONTEND),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "rid,fdi-version,anti-csrf,st-auth-mode,authorization,content-type",
                ),
            ],
        )
        .await;
    assert_eq!(preflight.status, StatusCode::OK);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(FRONTEND)
    );
    assert_eq!(
        preflight.header("access-control-allow-credentials"),
        Some("true")
    );
    let allowed = preflight.header("access-control-allow-headers").unwrap();
    for name in [
        "rid",
        "fdi-version",
        "anti-csrf",
        "st-auth-mode",
        "authorization",
        "content-type",
    ] {
        assert!(allowed.contains(name), "{name} in {allowed}");
    }

    let signed_in = app
        .send("POST", "/sign-in/alice", &[("origin", FRONTEND)])
        .await;
    assert_eq!(
        signed_in.header("access-control-allow-origin"),
        Some(FRONTEND)
    );
    let exposed = signed_in.header("access-control-expose-headers").unwrap();
    for name in [
        "front-token",
        "anti-csrf",
        "st-access-token",
        "st-refresh-token",
    ] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
    let refused = app.send("GET", "/me", &[("origin", FRONTEND)]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some(FRONTEND),
        "error responses carry CORS headers too"
    );
}
