//! Access tokens as JWTs over real HTTP: the JWKS endpoint, keys that rotate on a schedule (the next one published
//! before it signs, the previous one verifying until its last token expires), a static key, a root secret replaced
//! without signing anyone out, and tokens of unknown or retired keys (*unauthorised*, never a 500). The tokens are
//! checked against the JWKS with RustCrypto's p256, another ES256 implementation than the recipe's (ring);
//! `jwt_verifier.rs` checks them with `jose`, the JWT library SuperTokens' docs use.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use errorhandler::session::{
    ManualClock, NewSession, Session, SessionConfig, SessionConfigBuilder, SessionFailure, Sessions,
};
use errorhandler_tests::{TestServer, Tokens, get_with_access, refresh_with};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{Value, json};

const REFRESH: &str = "/auth/session/refresh";
const JWKS: &str = "/auth/jwt/jwks.json";
const ACCESS_LIFETIME: Duration = Duration::from_secs(60);
const INTERVAL: Duration = Duration::from_secs(600);
const SECRET: &str = "the root secret of these tests, 32 bytes or more";

struct App {
    server: TestServer,
    clock: ManualClock,
}

impl App {
    async fn start(
        clock: &ManualClock,
        configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
    ) -> Self {
        let config = configure(
            SessionConfig::builder()
                .cookie_secure(false)
                .access_token_lifetime(ACCESS_LIFETIME)
                .access_token_signing_key_update_interval(INTERVAL)
                .signing_secret(SECRET)
                .clock(clock.clone()),
        )
        .build()
        .expect("valid configuration");
        // Both instances of a test share one store, as instances behind one Redis do.
        let sessions = Sessions::with_store(config, shared_store());
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/me", get(me))
            .merge(sessions.router())
            .with_state(sessions);
        Self {
            server: TestServer::start(app).await,
            clock: clock.clone(),
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    async fn sign_in(&self, user: &str) -> Tokens {
        let response = reqwest::Client::new()
            .post(self.url(&format!("/sign-in/{user}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        Tokens::of(&response)
    }

    async fn jwks(&self) -> (HeaderMap, Value) {
        let response = reqwest::get(self.url(JWKS)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        (headers, response.json().await.unwrap())
    }

    async fn me(&self, access: &str) -> (StatusCode, Value) {
        let response = get_with_access(self.url("/me"), access).await;
        (response.status(), response.json().await.unwrap())
    }
}

thread_local! {
    static STORE: std::sync::Arc<dyn errorhandler::session::SessionStore> =
        std::sync::Arc::new(errorhandler::session::MemoryStore::new());
}

fn shared_store() -> std::sync::Arc<dyn errorhandler::session::SessionStore> {
    STORE.with(std::sync::Arc::clone)
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
) -> Result<(NewSession, &'static str), SessionFailure> {
    let session = sessions.create_new_session(user, json!({})).await?;
    Ok((session, "signed in"))
}

async fn me(session: Session) -> Json<Value> {
    Json(json!({ "user": session.user_id() }))
}

/// The `kid` in an access token's header.
fn kid_of(token: &str) -> String {
    let header = URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    let header: Value = serde_json::from_slice(&header).unwrap();
    assert_eq!(header["alg"], "ES256");
    header["kid"].as_str().unwrap().to_owned()
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether `token` verifies with a key of `jwks`, as another service would check it: ES256 over
/// `header.payload`, with the key its `kid` names, built from the JWK's `x` and `y`.
fn verifies_with(token: &str, jwks: &Value) -> bool {
    let kid = kid_of(token);
    let Some(jwk) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == kid.as_str())
    else {
        return false;
    };
    assert_eq!(
        (&jwk["kty"], &jwk["crv"], &jwk["alg"], &jwk["use"]),
        (
            &json!("EC"),
            &json!("P-256"),
            &json!("ES256"),
            &json!("sig")
        )
    );
    let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    let mut point = vec![4];
    point.extend(coordinate("x"));
    point.extend(coordinate("y"));
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let key = VerifyingKey::from_sec1_bytes(&point).unwrap();
    let Ok(signature) = Signature::from_slice(&signature) else {
        return false;
    };
    key.verify(signed.as_bytes(), &signature).is_ok()
}

#[tokio::test]
async fn the_jwks_endpoint_serves_the_keys_that_verify_the_access_tokens_with_a_short_cache() {
    let clock = ManualClock::new(SystemTime::now());
    let app = App::start(&clock, |config| config).await;
    let tokens = app.sign_in("alice").await;
    let (headers, jwks) = app.jwks().await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    assert!(kids(&jwks).contains(&kid_of(&tokens.access)));
    assert!(verifies_with(&tokens.access, &jwks));
    // A token whose payload was changed does not.
    let parts: Vec<&str> = tokens.access.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = json!("mallory");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    assert!(!verifies_with(&forged, &jwks));
    assert_eq!(app.me(&forged).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_verifier_holding_the_key_set_keeps_verifying_across_a_rotation() {
    // Ten seconds before a rotation.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let boundary = (now / INTERVAL.as_secs() + 1) * INTERVAL.as_secs();
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(boundary - 10));
    let app = App::start(&clock, |config| config).await;
    let before = app.sign_in("alice").await;
    let (_, cached) = app.jwks().await;
    assert!(verifies_with(&before.access, &cached));

    // Ten seconds into the next interval: a new key signs, the one published with the set fetched before.
    app.clock.advance(Duration::from_secs(20));
    let after = app.sign_in("bob").await;
    assert_ne!(kid_of(&after.access), kid_of(&before.access));
    assert!(
        verifies_with(&after.access, &cached),
        "the cached set has it"
    );
    assert_eq!(app.me(&after.access).await.0, StatusCode::OK);
    // The previous key is still published while its last token may live.
    let (_, fresh) = app.jwks().await;
    assert!(kids(&fresh).contains(&kid_of(&before.access)));

    // Once its last token has expired, the previous key retires: a token it signed (forged or kept) is
    // unauthorised, never a 500.
    app.clock.advance(ACCESS_LIFETIME);
    let (_, fresh) = app.jwks().await;
    assert!(!kids(&fresh).contains(&kid_of(&before.access)));
    let (status, body) = app.me(&before.access).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "unauthorised" })
        )
    );
    // The session itself is fine: its refresh token mints a token of the current key.
    let refreshed = refresh_with(app.url(REFRESH), &before.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed = Tokens::of(&refreshed);
    assert_eq!(kid_of(&refreshed.access), kid_of(&after.access));
}

#[tokio::test]
async fn two_instances_with_one_secret_agree_on_the_ring_at_every_rotation() {
    let clock = ManualClock::new(SystemTime::now());
    let (a, b) = tokio::join!(
        App::start(&clock, |config| config),
        App::start(&clock, |config| config)
    );
    for _ in 0..3 {
        let on_a = a.sign_in("alice").await;
        let on_b = b.sign_in("bob").await;
        assert_eq!(kid_of(&on_a.access), kid_of(&on_b.access));
        assert_eq!(a.jwks().await.1, b.jwks().await.1);
        assert_eq!(a.me(&on_b.access).await.0, StatusCode::OK);
        assert_eq!(b.me(&on_a.access).await.0, StatusCode::OK);
        clock.advance(INTERVAL);
    }
}

#[tokio::test]
async fn a_static_key_never_rotates() {
    let clock = ManualClock::new(SystemTime::now());
    let app = App::start(
        &clock,
        SessionConfigBuilder::static_access_token_signing_key,
    )
    .await;
    let first = app.sign_in("alice").await;
    clock.advance(Duration::from_secs(365 * 86_400));
    let later = app.sign_in("bob").await;
    assert_eq!(kid_of(&first.access), kid_of(&later.access));
    assert_eq!(kids(&app.jwks().await.1), [kid_of(&later.access)]);
}

#[tokio::test]
async fn a_replaced_root_secret_signs_no_one_out() {
    let clock = ManualClock::new(SystemTime::now());
    let old = App::start(&clock, |config| config).await;
    let tokens = old.sign_in("alice").await;

    // The new deployment: a new root secret, the old one kept as previous.
    let new = App::start(&clock, |config| {
        config
            .signing_secret("a brand new root secret, 32 bytes or more")
            .previous_signing_secret(SECRET)
    })
    .await;
    assert_eq!(
        new.me(&tokens.access).await.0,
        StatusCode::OK,
        "old access tokens verify"
    );
    let (_, jwks) = new.jwks().await;
    assert!(kids(&jwks).contains(&kid_of(&tokens.access)));
    let refreshed = refresh_with(new.url(REFRESH), &tokens.refresh).await;
    assert_eq!(
        refreshed.status(),
        StatusCode::OK,
        "refresh tokens the old secret sealed refresh"
    );
    let refreshed = Tokens::of(&refreshed);
    assert_ne!(kid_of(&refreshed.access), kid_of(&tokens.access));
    assert!(verifies_with(&refreshed.access, &jwks));
    // An instance on the old secret alone does not know the new keys.
    assert_eq!(old.me(&refreshed.access).await.0, StatusCode::UNAUTHORIZED);

    // Without the previous secret, the old tokens are forged.
    let dropped = App::start(&clock, |config| {
        config.signing_secret("a brand new root secret, 32 bytes or more")
    })
    .await;
    assert_eq!(dropped.me(&tokens.access).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_naming_no_key_or_another_algorithm_are_unauthorised() {
    let clock = ManualClock::new(SystemTime::now());
    let app = App::start(&clock, |config| config).await;
    let tokens = app.sign_in("alice").await;
    let parts: Vec<&str> = tokens.access.split('.').collect();
    let header = |json: &str| URL_SAFE_NO_PAD.encode(json);
    let kid = kid_of(&tokens.access);
    for forged in [
        // alg none, no signature.
        format!("{}.{}.", header(r#"{"alg":"none","typ":"JWT"}"#), parts[1]),
        // HS256 "signed" with the public key, the classic confusion.
        format!(
            "{}.{}.{}",
            header(&format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#)),
            parts[1],
            parts[2]
        ),
        // A kid no one has.
        format!(
            "{}.{}.{}",
            header(r#"{"alg":"ES256","kid":"es256-nobodyknowsit"}"#),
            parts[1],
            parts[2]
        ),
        // No kid.
        format!("{}.{}.{}", header(r#"{"alg":"ES256"}"#), parts[1], parts[2]),
    ] {
        let (status, body) = app.me(&forged).await;
        assert_eq!(
            (status, body),
            (
                StatusCode::UNAUTHORIZED,
                json!({ "message": "unauthorised" })
            ),
            "{forged}"
        );
    }
}

#[tokio::test]
async fn the_openid_discovery_document_names_the_issuer_and_the_jwks() {
    let clock = ManualClock::new(SystemTime::now());
    let app = App::start(&clock, |config| {
        config.issuer("https://api.example.test/auth")
    })
    .await;
    let response = reqwest::get(app.url("/auth/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({
            "issuer": "https://api.example.test/auth",
            "jwks_uri": "https://api.example.test/auth/jwt/jwks.json",
        })
    );
    // Without an issuer there is nothing to discover.
    let plain = App::start(&clock, |config| config).await;
    let response = reqwest::get(plain.url("/auth/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn in_cookie_mode_the_access_token_is_exposed_to_the_page_only_when_asked() {
    let clock = ManualClock::new(SystemTime::now());
    let exposed = App::start(&clock, |config| {
        config.expose_access_token_to_frontend_in_cookie_based_auth()
    })
    .await;
    let response = reqwest::Client::new()
        .post(exposed.url("/sign-in/alice"))
        .send()
        .await
        .unwrap();
    let header = response.headers()["st-access-token"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        header,
        Tokens::of(&response).access,
        "the cookie's token, readable by the page"
    );
    assert!(
        response.headers().get("st-refresh-token").is_none(),
        "never the refresh token"
    );

    let hidden = App::start(&clock, |config| config).await;
    let response = reqwest::Client::new()
        .post(hidden.url("/sign-in/bob"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("st-access-token").is_none());
}
