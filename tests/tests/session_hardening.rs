//! The recipe hardened past SuperTokens' defaults, over real HTTP: state-changing cookie requests from another
//! origin refused, `__Host-` cookies, an absolute session lifetime, a per-user session cap, sign-in revoking the
//! session the request carries, and the checks `build()` makes of risky settings.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::session::{
    AntiCsrf, ConfigError, ManualClock, NewSession, SameSite, Session, SessionCapPolicy,
    SessionConfig, SessionConfigBuilder, SessionFailure, Sessions,
};
use errorhandler_tests::{TestServer, refresh_with, set_cookies};
use serde_json::{Value, json};

const REFRESH: &str = "/auth/session/refresh";
const ACCESS_LIFETIME: Duration = Duration::from_secs(60);

struct App {
    server: TestServer,
    sessions: Sessions,
    clock: ManualClock,
}

impl App {
    async fn start(configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder) -> Self {
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
        let sessions = Sessions::new(config);
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/me", get(me).post(me))
            .merge(sessions.router())
            .with_state(sessions.clone());
        Self {
            server: TestServer::start(app).await,
            sessions,
            clock,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// The host and port the server answers at, as a browser puts them in `Host`.
    fn host(&self) -> String {
        self.url("")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    /// Signs `user` in with exactly these request headers; the response.
    async fn sign_in_with(&self, user: &str, headers: &[(&str, String)]) -> reqwest::Response {
        let mut request = reqwest::Client::new().post(self.url(&format!("/sign-in/{user}")));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send().await.unwrap()
    }

    /// Signs `user` in; the cookies to send back, as `name=value` pairs.
    async fn sign_in(&self, user: &str) -> Cookies {
        let response = self.sign_in_with(user, &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        Cookies::of(&response)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
    ) -> (StatusCode, Vec<String>, String) {
        let mut request = reqwest::Client::new().request(method.parse().unwrap(), self.url(path));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        let cookies = set_cookies(&response);
        (response.status(), cookies, response.text().await.unwrap())
    }
}

/// The session cookies a response set, by name, as a browser sends them back.
struct Cookies {
    access: String,
    refresh: String,
}

impl Cookies {
    fn of(response: &reqwest::Response) -> Self {
        let set = set_cookies(response);
        let pair = |suffix: &str| {
            set.iter()
                .map(|cookie| cookie.split(';').next().unwrap().to_owned())
                .find(|pair| pair.split('=').next().unwrap().ends_with(suffix))
                .unwrap_or_else(|| panic!("{suffix} is set: {set:?}"))
        };
        Self {
            access: pair("sAccessToken"),
            refresh: pair("sRefreshToken"),
        }
    }

    fn refresh_value(&self) -> &str {
        self.refresh.split_once('=').unwrap().1
    }
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Result<(NewSession, Json<Value>), SessionFailure> {
    let session = sessions
        .create_new_session_for(&headers, user, json!({}))
        .await?;
    let body = Json(json!({ "handle": session.handle() }));
    Ok((session, body))
}

async fn me(session: Session) -> String {
    session.user_id().to_owned()
}

#[tokio::test]
async fn state_changing_cookie_requests_from_another_origin_are_refused_with_403_and_clear_nothing()
{
    let app = App::start(|config| config).await;
    let cookies = app.sign_in("alice").await;
    let own = format!("http://{}", app.host());
    let cookie = || ("cookie", cookies.access.clone());
    let refused = |(status, set, body): (StatusCode, Vec<String>, String)| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(set.is_empty(), "nothing is cleared: {set:?}");
        assert_eq!(body, r#"{"message":"cross-origin request refused"}"#);
    };
    // Another site, a sibling subdomain, a sandboxed frame; Fetch Metadata without Origin.
    for origin in [
        "https://evil.example",
        "http://sub.127.0.0.1.nip.io",
        "null",
    ] {
        refused(
            app.send("POST", "/me", &[cookie(), ("origin", origin.to_owned())])
                .await,
        );
    }
    for site in ["cross-site", "same-site"] {
        refused(
            app.send(
                "POST",
                "/me",
                &[cookie(), ("sec-fetch-site", site.to_owned())],
            )
            .await,
        );
    }
    // The refresh and sign-out endpoints too: a cross-site form can neither rotate nor sign out the session.
    let refresh_cookie = ("cookie", cookies.refresh.clone());
    refused(
        app.send(
            "POST",
            REFRESH,
            &[
                refresh_cookie.clone(),
                ("origin", "https://evil.example".to_owned()),
            ],
        )
        .await,
    );
    refused(
        app.send(
            "POST",
            "/auth/signout",
            &[cookie(), ("origin", "https://evil.example".to_owned())],
        )
        .await,
    );

    // The app's own origin, a same-origin fetch, a request from no browser at all, and a safe method pass.
    let passes = |(status, _, body): (StatusCode, Vec<String>, String)| {
        assert_eq!(status, StatusCode::OK, "{body}");
    };
    passes(
        app.send("POST", "/me", &[cookie(), ("origin", own.clone())])
            .await,
    );
    passes(
        app.send(
            "POST",
            "/me",
            &[cookie(), ("sec-fetch-site", "same-origin".to_owned())],
        )
        .await,
    );
    passes(app.send("POST", "/me", &[cookie()]).await);
    passes(
        app.send(
            "GET",
            "/me",
            &[cookie(), ("origin", "https://evil.example".to_owned())],
        )
        .await,
    );
    // Behind a proxy that rewrites Host, the host it received.
    passes(
        app.send(
            "POST",
            "/me",
            &[
                cookie(),
                ("origin", "https://app.example".to_owned()),
                ("x-forwarded-host", "app.example".to_owned()),
            ],
        )
        .await,
    );
    // The session was never touched by the refused requests: it refreshes.
    assert_eq!(
        refresh_with(app.url(REFRESH), cookies.refresh_value())
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_allowed_origin_may_send_cookies_and_header_mode_is_not_checked() {
    let app = App::start(|config| config.allowed_origin("https://app.example.com/")).await;
    let cookies = app.sign_in("alice").await;
    let (status, _, _) = app
        .send(
            "POST",
            "/me",
            &[
                ("cookie", cookies.access.clone()),
                ("origin", "https://APP.example.com".to_owned()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .send(
            "POST",
            "/me",
            &[
                ("cookie", cookies.access.clone()),
                ("origin", "https://other.example.com".to_owned()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bearer token cannot be attached by another site: no check.
    let header_mode = app
        .sign_in_with("bob", &[("st-auth-mode", "header".to_owned())])
        .await;
    let access = header_mode.headers()["st-access-token"]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, _, _) = app
        .send(
            "POST",
            "/me",
            &[
                ("authorization", format!("Bearer {access}")),
                ("origin", "https://evil.example".to_owned()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn host_prefixed_cookies_are_secure_at_the_root_without_a_domain_and_refresh() {
    let app = App::start(|config| config.cookie_secure(true).host_prefixed_cookies()).await;
    let signed_in = app.sign_in_with("alice", &[]).await;
    let set = set_cookies(&signed_in);
    assert_eq!(set.len(), 2, "{set:?}");
    for (cookie, name) in set
        .iter()
        .zip(["__Host-sAccessToken=", "__Host-sRefreshToken="])
    {
        assert!(cookie.starts_with(name), "{cookie}");
        assert!(
            cookie.contains("; Secure")
                && cookie.contains("; Path=/;")
                && !cookie.contains("Domain"),
            "{cookie}"
        );
    }
    let cookies = Cookies::of(&signed_in);
    let (status, _, _) = app
        .send("GET", "/me", &[("cookie", cookies.access.clone())])
        .await;
    assert_eq!(status, StatusCode::OK);
    // SuperTokens' unprefixed name is not read.
    let unprefixed = cookies.access.replacen("__Host-", "", 1);
    let (status, _, _) = app.send("GET", "/me", &[("cookie", unprefixed)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, set, _) = app
        .send("POST", REFRESH, &[("cookie", cookies.refresh.clone())])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        set.iter()
            .any(|cookie| cookie.starts_with("__Host-sRefreshToken=")
                && cookie.contains("; Path=/;"))
    );

    let error = SessionConfig::builder()
        .host_prefixed_cookies()
        .cookie_secure(false)
        .build()
        .unwrap_err();
    assert_eq!(error, ConfigError::HostPrefixNeeds("cookie_secure(true)"));
    let error = SessionConfig::builder()
        .host_prefixed_cookies()
        .cookie_domain("example.com")
        .build()
        .unwrap_err();
    assert_eq!(error, ConfigError::HostPrefixNeeds("no cookie_domain"));
}

#[tokio::test]
async fn an_absolute_lifetime_ends_a_session_however_often_it_is_refreshed() {
    let app = App::start(|config| config.absolute_session_lifetime(Duration::from_secs(150))).await;
    let mut cookies = app.sign_in("alice").await;
    for _ in 0..2 {
        app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
        let refreshed = refresh_with(app.url(REFRESH), cookies.refresh_value()).await;
        assert_eq!(refreshed.status(), StatusCode::OK);
        cookies = Cookies::of(&refreshed);
    }
    // 150 seconds after sign-in, though it was refreshed 28 seconds ago and the refresh lifetime is 600.
    app.clock.advance(Duration::from_secs(28));
    let ended = refresh_with(app.url(REFRESH), cookies.refresh_value()).await;
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    assert!(
        set_cookies(&ended)
            .iter()
            .any(|cookie| cookie.starts_with("sRefreshToken=;"))
    );
    assert!(
        app.sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_session_cap_revokes_the_oldest_sessions_of_the_user_or_refuses_the_sign_in() {
    let app =
        App::start(|config| config.max_sessions_per_user(2, SessionCapPolicy::RevokeOldest)).await;
    let first = app.sign_in("alice").await;
    app.clock.advance(Duration::from_secs(1));
    let second = app.sign_in("alice").await;
    app.clock.advance(Duration::from_secs(1));
    let third = app.sign_in("alice").await;
    let _other_user = app.sign_in("bob").await;
    assert_eq!(
        app.sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        refresh_with(app.url(REFRESH), first.refresh_value())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    for kept in [&second, &third] {
        assert_eq!(
            refresh_with(app.url(REFRESH), kept.refresh_value())
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        app.sessions
            .get_all_session_handles_for_user("bob")
            .await
            .unwrap()
            .len(),
        1
    );

    let strict =
        App::start(|config| config.max_sessions_per_user(1, SessionCapPolicy::Refuse)).await;
    let only = strict.sign_in("alice").await;
    let refused = strict.sign_in_with("alice", &[]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(set_cookies(&refused).is_empty());
    assert_eq!(
        refresh_with(strict.url(REFRESH), only.refresh_value())
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        strict
            .sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        SessionConfig::builder()
            .max_sessions_per_user(0, SessionCapPolicy::Refuse)
            .build()
            .unwrap_err(),
        ConfigError::ZeroSessionCap
    );
}

#[tokio::test]
async fn a_sign_in_over_a_session_revokes_it_when_asked() {
    let app = App::start(SessionConfigBuilder::sign_in_revokes_current_session).await;
    let old = app.sign_in("alice").await;
    // Another user signs in on the same device, its access token expired or not.
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let new = app
        .sign_in_with("mallory", &[("cookie", old.access.clone())])
        .await;
    assert_eq!(new.status(), StatusCode::OK);
    assert_eq!(
        refresh_with(app.url(REFRESH), old.refresh_value())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .is_empty()
    );
    let new = Cookies::of(&new);
    assert_eq!(
        refresh_with(app.url(REFRESH), new.refresh_value())
            .await
            .status(),
        StatusCode::OK
    );

    // Without the setting, the old session stays.
    let lenient = App::start(|config| config).await;
    let old = lenient.sign_in("alice").await;
    assert_eq!(
        lenient
            .sign_in_with("alice", &[("cookie", old.access.clone())])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        lenient
            .sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn risky_settings_are_refused_at_build() {
    assert_eq!(
        SessionConfig::builder()
            .cookie_same_site(SameSite::None)
            .anti_csrf(AntiCsrf::None)
            .build()
            .unwrap_err(),
        ConfigError::SameSiteNoneWithoutAntiCsrf
    );
    // A hex secret of 32 characters holds 128 bits, not 256.
    let hex = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        SessionConfig::builder()
            .signing_secret(hex)
            .build()
            .unwrap_err(),
        ConfigError::SecretTooShort(32)
    );
    assert!(
        SessionConfig::builder()
            .signing_secret(hex.repeat(2))
            .build()
            .is_ok()
    );
    // So does base64 of 24 bytes; 32 bytes of base64 are 44 characters.
    assert_eq!(
        SessionConfig::builder()
            .signing_secret("QUJDREVGR0hJSktMTU5PUFFSU1RVVldY")
            .build()
            .unwrap_err(),
        ConfigError::SecretTooShort(32)
    );
    assert!(
        SessionConfig::builder()
            .signing_secret("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=")
            .build()
            .is_ok()
    );
    assert!(matches!(
        SessionConfig::builder()
            .allowed_origin("app.example.com")
            .build()
            .unwrap_err(),
        ConfigError::InvalidOrigin(_)
    ));
    assert!(matches!(
        SessionConfig::builder()
            .absolute_session_lifetime(Duration::from_secs(10))
            .build()
            .unwrap_err(),
        ConfigError::AbsoluteLifetimeTooShort { .. }
    ));
}
