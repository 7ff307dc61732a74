//! SuperTokens' current session protocol over real HTTP, beyond rotation (`session.rs`) and the auth-modes tables
//! (`session_auth_modes.rs`): the v3 access-token payload in the token and in the `front-token`, the keys the
//! recipe owns, the payload merged offline by session handle, the legacy `sIdRefreshToken` cookie in a cookie
//! jar's round trip, and duplicate session cookies.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use errorhandler::session::{
    ManualClock, MemoryStore, NewSession, RedisStore, Session, SessionConfig, SessionConfigBuilder,
    SessionFailure, SessionStore, Sessions,
};
use errorhandler_tests::row_store::RowStore;
use errorhandler_tests::{RedisServer, TestServer, Tokens, client, set_cookies};
use serde_json::{Value, json};

const REFRESH: &str = "/auth/session/refresh";
const ISSUER: &str = "https://api.example.test/auth";

/// The keys of SuperTokens' v3 access-token payload, in core's order, with `iss` (configured here).
const V3_KEYS: [&str; 8] = [
    "sub",
    "exp",
    "iat",
    "sessionHandle",
    "refreshTokenHash1",
    "parentRefreshTokenHash1",
    "antiCsrfToken",
    "iss",
];

struct App {
    server: TestServer,
    sessions: Sessions,
    clock: ManualClock,
    _redis: Option<RedisServer>,
}

impl App {
    async fn start(configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> Self {
        Self::on(Box::new(MemoryStore::new()), None, configure).await
    }

    async fn on(
        store: Box<dyn SessionStore>,
        redis: Option<RedisServer>,
        configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
    ) -> Self {
        let clock = ManualClock::new(std::time::SystemTime::now());
        let config = configure(
            SessionConfig::builder()
                .cookie_secure(false)
                .access_token_lifetime(Duration::from_secs(60))
                .issuer(ISSUER)
                .clock(clock.clone()),
        )
        .build()
        .expect("valid configuration");
        let sessions =
            Sessions::with_store(config, std::sync::Arc::<dyn SessionStore>::from(store));
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/me", get(me))
            .route("/merge", post(merge))
            .merge(sessions.router())
            .with_state(sessions.clone());
        Self {
            server: TestServer::start(app).await,
            sessions,
            clock,
            _redis: redis,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    async fn sign_in(&self, user: &str, payload: Value) -> reqwest::Response {
        let response = reqwest::Client::new()
            .post(self.url(&format!("/sign-in/{user}")))
            .json(&payload)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response
    }

    /// `method path` with exactly these `Cookie` headers, each sent as it is.
    async fn with_cookies(&self, method: &str, path: &str, cookies: &[&str]) -> reqwest::Response {
        let mut request = reqwest::Client::new().request(method.parse().unwrap(), self.url(path));
        for cookie in cookies {
            request = request.header(header::COOKIE, *cookie);
        }
        request.send().await.unwrap()
    }
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
    headers: HeaderMap,
    Json(payload): Json<Value>,
) -> Result<(NewSession, &'static str), SessionFailure> {
    let session = sessions
        .create_new_session_for(&headers, user, payload)
        .await?;
    Ok((session, "signed in"))
}

/// The app's claims and the whole payload of the request's session.
async fn me(session: Session) -> Json<Value> {
    Json(json!({ "claims": session.payload(), "payload": session.access_token_payload() }))
}

async fn merge(
    mut session: Session,
    Json(update): Json<Value>,
) -> Result<(errorhandler::session::SessionTokens, Json<Value>), SessionFailure> {
    let tokens = session.merge_into_payload(update).await?;
    Ok((tokens, Json(session.payload().clone())))
}

/// The JSON text of the `front-token`'s `up`, as the SDK compares it, and its parsed value.
fn front_token_up(response: &reqwest::Response) -> (String, Value) {
    let front = response.headers()["front-token"].to_str().unwrap();
    let text = String::from_utf8(STANDARD.decode(front).unwrap()).unwrap();
    let start = text.find(r#""up":"#).unwrap() + 5;
    let up = text[start..text.len() - 1].to_owned();
    let value = serde_json::from_str(&up).unwrap();
    (up, value)
}

/// The JSON text of an access token's payload.
fn access_token_payload(token: &str) -> String {
    let body = token.split('.').nth(1).unwrap();
    String::from_utf8(URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap()
}

/// The keys of a JSON object's text, in the order the text has them.
fn keys_in_order(object: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(object).unwrap();
    let mut keys: Vec<(usize, String)> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|key| (object.find(&format!("\"{key}\":")).unwrap(), key.clone()))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, key)| key).collect()
}

#[tokio::test]
async fn the_front_token_and_the_access_token_carry_the_v3_payload_in_cores_order_with_nulls_kept()
{
    let app = App::start(|config| config).await;
    let signed_in = app
        .sign_in("alice", json!({ "st-role": ["admin"], "plan": "pro" }))
        .await;
    let tokens = Tokens::of(&signed_in);
    let (up_text, up) = front_token_up(&signed_in);

    let mut expected = V3_KEYS.map(str::to_owned).to_vec();
    expected.extend(["plan".to_owned(), "st-role".to_owned()]);
    assert_eq!(keys_in_order(&up_text), expected, "{up_text}");
    assert_eq!(up["sub"], "alice");
    assert_eq!(up["iss"], ISSUER);
    assert_eq!(up["parentRefreshTokenHash1"], Value::Null);
    assert_eq!(up["antiCsrfToken"], Value::Null);
    // The access token carries the same object, in the same text.
    assert_eq!(access_token_payload(&tokens.access), up_text);

    // A route reads the app's claims, and the whole payload as the frontend does.
    let me: Value = client()
        .get(app.url("/me"))
        .header(header::COOKIE, format!("sAccessToken={}", tokens.access))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["claims"], json!({ "st-role": ["admin"], "plan": "pro" }));
    assert_eq!(me["payload"], up);

    // A refresh of the same payload gives the same keys in the same order: the SDK compares the text.
    app.clock.advance(Duration::from_secs(61));
    let refreshed = errorhandler_tests::refresh_with(app.url(REFRESH), &tokens.refresh).await;
    let (refreshed_text, refreshed_up) = front_token_up(&refreshed);
    assert_eq!(keys_in_order(&refreshed_text), expected);
    assert_ne!(refreshed_up["refreshTokenHash1"], up["refreshTokenHash1"]);
}

#[tokio::test]
async fn the_keys_the_recipe_owns_are_dropped_from_an_apps_payload_at_sign_in_and_at_a_merge() {
    let app = App::start(|config| config).await;
    let forged = json!({
        "sub": "mallory", "exp": 1, "iat": 1, "sessionHandle": "h", "refreshTokenHash1": "x",
        "parentRefreshTokenHash1": "y", "antiCsrfToken": "z", "iss": "https://evil.test", "tId": "t",
        "rsub": "r", "stt": 0, "role": "user",
    });
    let signed_in = app.sign_in("alice", forged.clone()).await;
    let (_, up) = front_token_up(&signed_in);
    assert_eq!(up["sub"], "alice");
    assert_eq!(up["iss"], ISSUER);
    assert!(up.get("tId").is_none() && up.get("rsub").is_none() && up.get("stt").is_none());
    assert_eq!(up["role"], "user");

    let tokens = Tokens::of(&signed_in);
    let merged = client()
        .post(app.url("/merge"))
        .header(header::COOKIE, format!("sAccessToken={}", tokens.access))
        .json(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(merged.status(), StatusCode::OK);
    let (_, up) = front_token_up(&merged);
    assert_eq!(up["sub"], "alice");
    assert_eq!(
        up["sessionHandle"],
        front_token_up(&signed_in).1["sessionHandle"]
    );
    assert_eq!(
        merged.json::<Value>().await.unwrap(),
        json!({ "role": "user" })
    );
}

/// An offline merge, on the store of the test.
async fn an_offline_merge_shows_at_the_next_refresh(app: App) {
    let signed_in = app
        .sign_in("alice", json!({ "role": "user", "theme": "dark" }))
        .await;
    let tokens = Tokens::of(&signed_in);
    let handle = front_token_up(&signed_in).1["sessionHandle"]
        .as_str()
        .unwrap()
        .to_owned();

    let merged = app
        .sessions
        .merge_into_access_token_payload(&handle, json!({ "role": "admin", "theme": null }))
        .await
        .unwrap();
    assert!(merged);
    // The access token the client holds is trusted as it is until it expires.
    let me: Value = client()
        .get(app.url("/me"))
        .header(header::COOKIE, format!("sAccessToken={}", tokens.access))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["claims"], json!({ "role": "user", "theme": "dark" }));

    app.clock.advance(Duration::from_secs(61));
    let refreshed = errorhandler_tests::refresh_with(app.url(REFRESH), &tokens.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let (_, up) = front_token_up(&refreshed);
    assert_eq!(up["role"], "admin");
    assert!(up.get("theme").is_none(), "null removes a key");

    // A merge of a session that is gone says so, and an update that is not an object changes nothing.
    assert!(
        !app.sessions
            .merge_into_access_token_payload("no-such-session", json!({ "role": "admin" }))
            .await
            .unwrap()
    );
    let refused = app
        .sessions
        .merge_into_access_token_payload(&handle, json!(["not", "an", "object"]))
        .await;
    assert!(
        matches!(refused, Err(SessionFailure::Limit(_))),
        "{refused:?}"
    );
    let huge = json!({ "blob": "x".repeat(20_000) });
    let refused = app
        .sessions
        .merge_into_access_token_payload(&handle, huge)
        .await;
    assert!(
        matches!(refused, Err(SessionFailure::Limit(_))),
        "{refused:?}"
    );
    let again =
        errorhandler_tests::refresh_with(app.url(REFRESH), &Tokens::of(&refreshed).refresh).await;
    assert_eq!(front_token_up(&again).1["role"], "admin", "nothing changed");
}

#[tokio::test]
async fn an_offline_merge_by_handle_shows_at_the_next_refresh_in_memory() {
    an_offline_merge_shows_at_the_next_refresh(App::start(|config| config).await).await;
}

#[tokio::test]
async fn an_offline_merge_by_handle_shows_at_the_next_refresh_in_redis() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).await.unwrap();
    let app = App::on(Box::new(store), Some(redis), |config| config).await;
    an_offline_merge_shows_at_the_next_refresh(app).await;
}

#[tokio::test]
async fn an_offline_merge_by_handle_shows_at_the_next_refresh_in_rows() {
    let app = App::on(Box::new(RowStore::new()), None, |config| config).await;
    an_offline_merge_shows_at_the_next_refresh(app).await;
}

#[tokio::test]
async fn a_browser_with_a_legacy_session_cookie_refreshes_once_and_carries_on() {
    let app = App::start(|config| config).await;
    let browser = client();
    let signed_in = browser
        .post(app.url("/sign-in/alice"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    // What an older SuperTokens backend left in the browser, at the access token's path.
    let legacy = "sIdRefreshToken=legacy-value; Path=/".to_owned();
    let jar_url = app.url("/").parse().unwrap();
    // reqwest's jar takes the cookie as a response would set it.
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(&legacy, &jar_url);
    let tokens = Tokens::of(&signed_in);
    jar.add_cookie_str(&format!("sAccessToken={}; Path=/", tokens.access), &jar_url);
    jar.add_cookie_str(
        &format!("sRefreshToken={}; Path={REFRESH}", tokens.refresh),
        &jar_url,
    );
    let jar = std::sync::Arc::new(jar);
    let browser = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .unwrap();

    let me = browser.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&me).is_empty(), "verification clears nothing");
    assert_eq!(
        me.json::<Value>().await.unwrap(),
        json!({ "message": "try refresh token" })
    );

    let refreshed = browser.post(app.url(REFRESH)).send().await.unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert!(
        set_cookies(&refreshed)
            .iter()
            .any(|cookie| cookie.starts_with("sIdRefreshToken=;")
                && cookie.contains("Path=/;")
                && cookie.contains("Max-Age=0")),
        "{:?}",
        set_cookies(&refreshed)
    );
    // The jar dropped the legacy cookie: the session works from now on.
    assert_eq!(
        browser.get(app.url("/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn duplicate_session_cookies_ask_for_a_refresh_which_answers_500_naming_the_setting() {
    let app = App::start(|config| config).await;
    let first = Tokens::of(&app.sign_in("alice", json!({})).await);
    let second = Tokens::of(&app.sign_in("alice", json!({})).await);

    // Two access tokens in one Cookie header, as a browser sends cookies of two paths or domains.
    let me = app
        .with_cookies(
            "GET",
            "/me",
            &[&format!(
                "sAccessToken={}; sAccessToken={}",
                first.access, second.access
            )],
        )
        .await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        me.json::<Value>().await.unwrap(),
        json!({ "message": "try refresh token" })
    );
    // Across two Cookie headers too.
    let me = app
        .with_cookies(
            "GET",
            "/me",
            &[
                &format!("sAccessToken={}", first.access),
                &format!("sAccessToken={}", second.access),
            ],
        )
        .await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

    let refresh = app
        .with_cookies(
            "POST",
            REFRESH,
            &[&format!(
                "sRefreshToken={}; sRefreshToken={}",
                first.refresh, second.refresh
            )],
        )
        .await;
    assert_eq!(refresh.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        set_cookies(&refresh).is_empty(),
        "nothing is cleared or minted"
    );
    let body = refresh.text().await.unwrap();
    assert!(!body.contains(&first.refresh) && !body.contains(&second.refresh));
    // Both sessions are intact.
    for tokens in [&first, &second] {
        let response = errorhandler_tests::refresh_with(app.url(REFRESH), &tokens.refresh).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn with_an_older_cookie_domain_the_refresh_clears_its_duplicates_and_mints_nothing() {
    let app = App::start(|config| config.older_cookie_domain("old.example.test")).await;
    let first = Tokens::of(&app.sign_in("alice", json!({})).await);
    let second = Tokens::of(&app.sign_in("alice", json!({})).await);
    let refresh = app
        .with_cookies(
            "POST",
            REFRESH,
            &[&format!(
                "sAccessToken={}; sAccessToken={}; sRefreshToken={}; sRefreshToken={}",
                first.access, second.access, first.refresh, second.refresh
            )],
        )
        .await;
    assert_eq!(refresh.status(), StatusCode::OK);
    assert!(
        refresh.headers().get("front-token").is_none(),
        "nothing minted"
    );
    assert_eq!(
        set_cookies(&refresh),
        [
            "sAccessToken=; HttpOnly; SameSite=Lax; Path=/; Domain=old.example.test; Max-Age=0; Expires=Thu, 01 \
             Jan 1970 00:00:00 GMT",
            "sRefreshToken=; HttpOnly; SameSite=Lax; Path=/auth/session/refresh; Domain=old.example.test; \
             Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ]
    );
}
