//! The session recipe over real HTTP: sign-in, expiry, refresh, theft detection, claims, sign-out, store failures.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::session::{
    BooleanClaim, ClaimValidator, ManualClock, MaxAgeClaim, MemoryStore, NewSession, RedisStore,
    RedisStoreConfig, RoleClaim, Session, SessionConfig, SessionConfigBuilder, SessionError,
    SessionFailure, SessionRecord, SessionStore, SessionStoreError, Sessions, TokenHash,
    TokenReuseBehaviour,
};
use errorhandler::{HttpError, errorhandler};
use errorhandler_tests::faulty_store::{Faults, FaultyStore};
use errorhandler_tests::row_store::RowStore;
use errorhandler_tests::{
    RedisCluster, RedisServer, TestServer, Tokens, client, get_with_access, refresh_with,
    set_cookies,
};
use serde_json::{Value, json};

const REFRESH: &str = "/auth/session/refresh";
const SIGN_OUT: &str = "/auth/signout";
const ACCESS_LIFETIME: Duration = Duration::from_secs(60);
const REFRESH_LIFETIME: Duration = Duration::from_secs(600);
/// SuperTokens core's default `refresh_token_rotation_grace_period`.
const GRACE_PERIOD: Duration = Duration::from_secs(30);

/// Where the sessions of a test live: the suite runs once on each store.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Memory,
    Redis,
    Cluster,
    Rows,
}

thread_local! {
    /// The store of the test running on this thread, set by `each_store!`.
    static BACKEND: std::cell::Cell<Backend> = const { std::cell::Cell::new(Backend::Memory) };
}

/// Runs each test once with a `MemoryStore`, once with a `RedisStore` on a `redis-server` of its own, once with a
/// `RedisStore` on a Redis Cluster of three primaries (shared by the tests that run at the same time, each with keys
/// of its own), and once with a `RowStore`, written outside the crate against its public API.
macro_rules! each_store {
    ($($(#[$attribute:meta])* async fn $name:ident() $body:block)*) => {
        mod memory_store {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$attribute])*
                async fn $name() {
                    BACKEND.with(|backend| backend.set(Backend::Memory));
                    $body
                }
            )*
        }
        mod redis_store {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$attribute])*
                async fn $name() {
                    if !RedisServer::is_installed() {
                        return;
                    }
                    BACKEND.with(|backend| backend.set(Backend::Redis));
                    $body
                }
            )*
        }
        mod cluster_store {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$attribute])*
                async fn $name() {
                    if !RedisServer::is_installed() {
                        return;
                    }
                    BACKEND.with(|backend| backend.set(Backend::Cluster));
                    $body
                }
            )*
        }
        mod row_store {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$attribute])*
                async fn $name() {
                    BACKEND.with(|backend| backend.set(Backend::Rows));
                    $body
                }
            )*
        }
    };
}

/// What keeps the Redis behind a test's store running until the test ends: its server, or its share of a cluster.
type RedisGuard = Box<dyn std::any::Any + Send + Sync>;

/// A fresh store of the running test's backend, and the Redis behind it, if any.
async fn fresh_store() -> (Arc<dyn SessionStore>, Option<RedisGuard>) {
    match BACKEND.with(std::cell::Cell::get) {
        Backend::Memory => (Arc::new(MemoryStore::new()), None),
        Backend::Redis => {
            let server = RedisServer::start().expect("redis-server is installed");
            let store = RedisStore::connect(&server.url())
                .await
                .expect("connect to redis-server");
            (Arc::new(store), Some(Box::new(server)))
        }
        Backend::Cluster => {
            static TESTS: AtomicU32 = AtomicU32::new(0);
            let cluster = RedisCluster::shared().expect("redis-server is installed");
            let prefix = format!("test-{}:", TESTS.fetch_add(1, Ordering::Relaxed));
            let store = RedisStore::connect_with(
                RedisStoreConfig::cluster(cluster.urls()).key_prefix(prefix),
            )
            .await
            .expect("connect to the cluster");
            (Arc::new(store), Some(Box::new(cluster)))
        }
        Backend::Rows => (Arc::new(RowStore::new()), None),
    }
}

/// A server of the test app, its recipe and the clock the recipe reads.
struct App {
    server: TestServer,
    sessions: Sessions,
    clock: ManualClock,
    _redis: Option<RedisGuard>,
}

impl App {
    async fn start() -> Self {
        Self::start_with(|config| config).await
    }

    async fn start_with(
        configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
    ) -> Self {
        Self::start_wrapping(configure, |store| store).await
    }

    /// The app on the test's store as `wrap` wraps it.
    async fn start_wrapping(
        configure: impl FnOnce(SessionConfigBuilder) -> SessionConfigBuilder,
        wrap: impl FnOnce(Arc<dyn SessionStore>) -> Arc<dyn SessionStore>,
    ) -> Self {
        let (store, redis) = fresh_store().await;
        let clock = ManualClock::new(std::time::SystemTime::now());
        let config = configure(
            SessionConfig::builder()
                .cookie_secure(false)
                .access_token_lifetime(ACCESS_LIFETIME)
                .refresh_token_lifetime(REFRESH_LIFETIME)
                .clock(clock.clone()),
        )
        .build()
        .expect("valid configuration");
        let sessions = Sessions::with_store(config, wrap(store));
        let server = TestServer::start(routes(sessions.clone()).layer(StoreErrors::layer())).await;
        Self {
            server,
            sessions,
            clock,
            _redis: redis,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Signs `user` in with a client that keeps no cookies; the tokens of the response.
    async fn sign_in(&self, user: &str) -> Tokens {
        let response = reqwest::Client::new()
            .post(self.url(&format!("/sign-in/{user}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        Tokens::of(&response)
    }

    /// `GET path` with exactly this access token.
    async fn get_with(&self, path: &str, access: &str) -> reqwest::Response {
        get_with_access(self.url(path), access).await
    }

    /// `POST` to the refresh endpoint with exactly this refresh token.
    async fn refresh_with(&self, refresh: &str) -> reqwest::Response {
        refresh_with(self.url(REFRESH), refresh).await
    }

    /// The one pair of `candidates` (responses to refreshes with one token) whose refresh token is the session's
    /// current one, as `check_database` tells: every other one lost to a later refresh within the grace period.
    async fn current_of<'t>(&self, candidates: &'t [Tokens]) -> &'t Tokens {
        let mut current = Vec::new();
        for tokens in candidates {
            if self.get_with("/me/live", &tokens.access).await.status() == StatusCode::OK {
                current.push(tokens);
            }
        }
        assert_eq!(
            current.len(),
            1,
            "exactly one of {} is current",
            candidates.len()
        );
        current[0]
    }

    async fn handles(&self, user: &str) -> Vec<String> {
        self.sessions
            .get_all_session_handles_for_user(user)
            .await
            .unwrap()
    }
}

/// `POST` to the refresh endpoint of `app` with exactly this refresh token, on a shared client (its pool keeps
/// the number of connections of a burst of requests in bounds).
async fn refresh_via(client: &reqwest::Client, app: &App, refresh: &str) -> reqwest::Response {
    client
        .post(app.url(REFRESH))
        .header(header::COOKIE, format!("sRefreshToken={refresh}"))
        .send()
        .await
        .unwrap()
}

/// Asserts that the response clears both cookies with the attributes they were set with.
fn assert_clears_cookies(response: &reqwest::Response) {
    let cookies = set_cookies(response);
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(
        cookies.contains(
            &"sAccessToken=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
                .to_owned()
        ),
        "{cookies:?}"
    );
    assert!(
        cookies.contains(
            &"sRefreshToken=; HttpOnly; SameSite=Lax; Path=/auth/session/refresh; Max-Age=0; Expires=Thu, 01 \
              Jan 1970 00:00:00 GMT"
                .to_owned()
        ),
        "{cookies:?}"
    );
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json",
        "{response:?}"
    );
    response.json().await.unwrap()
}

errorhandler! {
    /// The app's handlers: store failures get a page of their own.
    pub struct StoreErrors;

    #[errorhandler(503)]
    fn unavailable(e: &HttpError) -> Json<Value> {
        let cause = std::error::Error::source(e).map(ToString::to_string);
        Json(json!({ "error": "sessions are unavailable, try again", "cause": cause }))
    }
}

fn routes(sessions: Sessions) -> Router {
    Router::new()
        .route("/sign-in/{user}", post(sign_in))
        .route("/me", get(me).post(me))
        .route("/me/live", get(me_live))
        .route("/admin", get(admin))
        .route("/payload", post(update_payload))
        .route("/users/{user}/revoke", post(revoke_user))
        .route("/via-error", get(via_error))
        .route("/store-error-via-error", get(store_error_via_error))
        .route("/claims-via-error", get(claims_via_error))
        .route("/sign-in-as", post(sign_in_as))
        .route("/claims-edge", get(claims_edge))
        .merge(
            Router::new()
                .route("/me/layered-live", get(me))
                .route_layer(sessions.require_session().check_database()),
        )
        .merge(
            Router::new().route("/admin/layered", get(me)).route_layer(
                sessions
                    .require_session()
                    .with_claim(RoleClaim::new("st-role").includes("admin"))
                    .with_claim(BooleanClaim::new("st-ev"))
                    .with_claim(MaxAgeClaim::new("auth_time", Duration::from_secs(300))),
            ),
        )
        .merge(sessions.router())
        .with_state(sessions)
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
) -> Result<(NewSession, Json<Value>), SessionFailure> {
    let payload = json!({ "st-role": ["reader"], "st-ev": false, "auth_time": 0 });
    let session = sessions.create_new_session(user, payload).await?;
    let body = Json(json!({ "handle": session.handle() }));
    Ok((session, body))
}

/// Signs in the user of the body with the payload of the body.
async fn sign_in_as(
    State(sessions): State<Sessions>,
    Json(body): Json<Value>,
) -> Result<(NewSession, Json<Value>), SessionFailure> {
    let user = body["user"].as_str().unwrap_or_default().to_owned();
    let session = sessions
        .create_new_session(user, body["payload"].clone())
        .await?;
    let body = Json(json!({ "handle": session.handle() }));
    Ok((session, body))
}

/// A validator that fails without giving a reason, as a SuperTokens validator returning `{ isValid: false }`.
struct NoReason;

impl ClaimValidator for NoReason {
    fn id(&self) -> &str {
        "beta"
    }

    fn validate(&self, _payload: &Value, _now: u64) -> Result<(), Option<Value>> {
        Err(None)
    }
}

/// A claim the payload lacks, and a validator without a reason.
async fn claims_edge(session: Session) -> Result<&'static str, SessionError> {
    session.assert_claims(&[&BooleanClaim::new("st-missing"), &NoReason])?;
    Ok("welcome")
}

async fn me(session: Session) -> Json<Value> {
    Json(json!({ "user": session.user_id(), "payload": session.payload() }))
}

async fn me_live(session: Session) -> Result<String, SessionFailure> {
    session.check_database().await?;
    Ok(session.user_id().to_owned())
}

async fn admin(session: Session) -> Result<&'static str, SessionError> {
    session.assert_claims(&[
        &RoleClaim::new("st-role").includes("admin"),
        &BooleanClaim::new("st-ev"),
        &MaxAgeClaim::new("auth_time", Duration::from_secs(300)),
    ])?;
    Ok("welcome")
}

async fn update_payload(
    mut session: Session,
    Json(payload): Json<Value>,
) -> Result<impl IntoResponse, SessionFailure> {
    let cookies = session.update_payload(payload).await?;
    Ok((cookies, Json(session.payload().clone())))
}

async fn revoke_user(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
) -> Result<Json<Vec<String>>, errorhandler::Error> {
    Ok(Json(sessions.revoke_all_sessions_for_user(&user).await?))
}

/// A route written against `errorhandler::Error`: `?` on a `SessionFailure` keeps the error inside.
async fn via_error(
    State(sessions): State<Sessions>,
) -> Result<Json<Vec<String>>, errorhandler::Error> {
    Ok(Json(
        sessions.get_all_session_handles_for_user("alice").await?,
    ))
}

async fn store_error_via_error() -> Result<(), errorhandler::Error> {
    Err(SessionStoreError::new("the database is down"))?
}

async fn claims_via_error(session: Session) -> Result<&'static str, errorhandler::Error> {
    session.assert_claims(&[&RoleClaim::new("st-role").includes("admin")])?;
    Ok("welcome")
}

/// Wraps the test's store in another, for `App::start_wrapping`.
type StoreWrapper = Box<dyn FnOnce(Arc<dyn SessionStore>) -> Arc<dyn SessionStore>>;

/// A wrapper for `App::start_wrapping` that makes the test's store a [`FaultyStore`], and the faults that steer it.
fn faulty_wrapper() -> (StoreWrapper, Arc<Faults>) {
    let faults = Arc::new(Faults::default());
    let steer = Arc::clone(&faults);
    let wrap = move |inner| -> Arc<dyn SessionStore> { Arc::new(FaultyStore::new(inner, faults)) };
    (Box::new(wrap), steer)
}

each_store! {
#[tokio::test]
async fn a_record_round_trips_unchanged_and_is_swapped_only_over_its_version() {
    let (store, _redis) = fresh_store().await;
    let ttl = Duration::from_secs(60);
    let payload = json!({ "st-role": ["admin"], "ratio": 1.5, "nested": { "list": [null, true, -3] } });
    let record = SessionRecord::new(
        "handle-1",
        "carol",
        payload,
        1_700_000_000,
        1_700_000_600,
        TokenHash::of("current"),
    );
    store.create(&record, ttl).await.unwrap();
    assert_eq!(store.load("handle-1").await.unwrap().as_ref(), Some(&record));

    let mut rotated = record.clone();
    rotated.previous_refresh_hash = Some(record.current_refresh_hash);
    rotated.current_refresh_hash = TokenHash::of("next");
    rotated.rotated_at_ms = Some(1_700_000_100_123);
    rotated.expires_at += 100;
    rotated.payload = json!({ "st-role": ["reader"] });
    rotated.version = 1;
    assert!(
        !store.compare_and_swap(7, &rotated, ttl).await.unwrap(),
        "not over another version"
    );
    assert_eq!(store.load("handle-1").await.unwrap().as_ref(), Some(&record));
    assert!(store.compare_and_swap(0, &rotated, ttl).await.unwrap());
    assert_eq!(store.load("handle-1").await.unwrap().as_ref(), Some(&rotated));

    // Versions wrap: the largest round-trips too.
    let mut last = rotated.clone();
    last.version = u64::MAX;
    assert!(store.compare_and_swap(1, &last, ttl).await.unwrap());
    assert_eq!(store.load("handle-1").await.unwrap().as_ref(), Some(&last));

    let missing = SessionRecord::new("nobody", "carol", json!({}), 0, 1, TokenHash::of("x"));
    assert!(
        !store.compare_and_swap(0, &missing, ttl).await.unwrap(),
        "a missing session is not created"
    );
    assert_eq!(store.load("nobody").await.unwrap(), None);

    let second = SessionRecord::new("handle-2", "carol", Value::Null, 5, 6, TokenHash::of("2"));
    let other = SessionRecord::new("handle-3", "dave", json!({}), 5, 6, TokenHash::of("3"));
    store.create(&second, ttl).await.unwrap();
    store.create(&other, ttl).await.unwrap();
    let mut listed = store.list_by_user("carol").await.unwrap();
    listed.sort_by(|a, b| a.handle.cmp(&b.handle));
    assert_eq!(listed, [last, second]);

    let mut deleted = store.delete_by_user("carol").await.unwrap();
    deleted.sort();
    assert_eq!(deleted, ["handle-1", "handle-2"]);
    assert!(store.list_by_user("carol").await.unwrap().is_empty());
    assert_eq!(store.load("handle-1").await.unwrap(), None);
    assert_eq!(store.list_by_user("dave").await.unwrap(), [other]);
    assert!(store.delete("handle-3").await.unwrap());
    assert!(!store.delete("handle-3").await.unwrap());
    assert!(store.list_by_user("dave").await.unwrap().is_empty());
}

#[tokio::test]
async fn an_expired_access_token_asks_for_a_refresh_which_restores_access() {
    let app = App::start().await;
    let client = client();
    let signed_in = client.post(app.url("/sign-in/alice")).send().await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);

    let me = client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["user"], "alice");

    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let expired = client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&expired).is_empty());
    assert_eq!(
        json_of(expired).await,
        json!({ "message": "try refresh token" })
    );

    let refreshed = client.post(app.url(REFRESH)).send().await.unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(set_cookies(&refreshed).len(), 2);

    let me = client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<Value>().await.unwrap()["payload"]["st-role"],
        json!(["reader"])
    );
    assert_eq!(app.handles("alice").await.len(), 1);
}

#[tokio::test]
async fn the_previous_refresh_token_replayed_after_the_grace_period_is_theft() {
    let app = App::start().await;
    let stolen = app.sign_in("alice").await;

    // The victim refreshes: the rotation is written at once.
    let refreshed = app.refresh_with(&stolen.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let victim = Tokens::of(&refreshed);
    assert_eq!(
        app.get_with("/me", &victim.access).await.status(),
        StatusCode::OK
    );

    // The thief replays the superseded refresh token once the grace period is over.
    app.clock.advance(GRACE_PERIOD + Duration::from_millis(1));
    let theft = app.refresh_with(&stolen.refresh).await;
    assert_eq!(theft.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&theft);
    assert_eq!(
        json_of(theft).await,
        json!({ "message": "token theft detected" })
    );

    // The session is gone: neither party's refresh token works, and the store knows no session.
    assert!(app.handles("alice").await.is_empty());
    for refresh in [&stolen.refresh, &victim.refresh] {
        let response = app.refresh_with(refresh).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_clears_cookies(&response);
        assert_eq!(
            json_of(response).await,
            json!({ "message": "unauthorised" })
        );
    }
    for access in [&stolen.access, &victim.access] {
        let response = app.get_with("/me/live", access).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            json_of(response).await,
            json!({ "message": "unauthorised" })
        );
    }
}

#[tokio::test]
async fn a_token_older_than_the_previous_one_is_theft_even_within_the_grace_period() {
    let app = App::start().await;
    let first = app.sign_in("alice").await;
    let second = Tokens::of(&app.refresh_with(&first.refresh).await);
    let third = app.refresh_with(&second.refresh).await;
    assert_eq!(third.status(), StatusCode::OK);

    let theft = app.refresh_with(&first.refresh).await;
    assert_eq!(theft.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(theft).await,
        json!({ "message": "token theft detected" })
    );
    assert!(app.handles("alice").await.is_empty());
}

#[tokio::test]
async fn two_concurrent_refreshes_with_the_same_token_are_not_theft() {
    let app = App::start().await;
    let client = client();
    client.post(app.url("/sign-in/alice")).send().await.unwrap();
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));

    let (first, second) = tokio::join!(
        client.post(app.url(REFRESH)).send(),
        client.post(app.url(REFRESH)).send()
    );
    assert_eq!(first.unwrap().status(), StatusCode::OK);
    assert_eq!(second.unwrap().status(), StatusCode::OK);

    // Whichever pair the client kept works, now and through the next refresh.
    assert_eq!(
        client.get(app.url("/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    assert_eq!(
        client.post(app.url(REFRESH)).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        client.get(app.url("/me")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(app.handles("alice").await.len(), 1);
}

#[tokio::test]
async fn a_lost_refresh_response_followed_by_a_retry_within_the_grace_period_is_not_theft() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;

    let lost = app.refresh_with(&signed_in.refresh).await;
    assert_eq!(lost.status(), StatusCode::OK);
    let lost = Tokens::of(&lost);

    app.clock.advance(GRACE_PERIOD);
    let retry = app.refresh_with(&signed_in.refresh).await;
    assert_eq!(retry.status(), StatusCode::OK, "the last millisecond of the grace period");
    let retried = Tokens::of(&retry);
    assert_eq!(
        app.get_with("/me/live", &retried.access).await.status(),
        StatusCode::OK
    );

    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let next = app.refresh_with(&retried.refresh).await;
    assert_eq!(next.status(), StatusCode::OK);
    assert_eq!(app.handles("alice").await.len(), 1);

    // The lost token never reached the client; only someone who intercepted it can present it now that the
    // retry replaced it, and that is theft, as in SuperTokens.
    let stray = app.refresh_with(&lost.refresh).await;
    assert_eq!(stray.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(stray).await,
        json!({ "message": "token theft detected" })
    );
    assert!(app.handles("alice").await.is_empty());
}

#[tokio::test]
async fn each_reuse_class_revokes_and_answers_as_the_reuse_behaviour_says() {
    // TokenReuseBehaviour::Unauthorised reports a recent previous token and an orphaned branch as unauthorised;
    // a stale lineage is theft whatever the setting. Either way the session is revoked.
    let app = App::start_with(|config| {
        config.recent_token_reuse_behaviour(TokenReuseBehaviour::Unauthorised)
    })
    .await;
    let app = &app;
    let expect = |reuse: &'static str, message: &'static str| async move {
        let signed_in = app.sign_in("alice").await;
        let first = Tokens::of(&app.refresh_with(&signed_in.refresh).await);
        let presented = match reuse {
            "RECENT_PREV" => {
                app.clock.advance(GRACE_PERIOD + Duration::from_millis(1));
                signed_in.refresh
            }
            "ORPHANED_BRANCH" => {
                // A retry with the previous token replaces `first`'s branch.
                let retry = app.refresh_with(&signed_in.refresh).await;
                assert_eq!(retry.status(), StatusCode::OK);
                first.refresh
            }
            _ => {
                let second = app.refresh_with(&first.refresh).await;
                assert_eq!(second.status(), StatusCode::OK);
                signed_in.refresh
            }
        };
        let response = app.refresh_with(&presented).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{reuse}");
        assert_clears_cookies(&response);
        assert_eq!(json_of(response).await, json!({ "message": message }), "{reuse}");
        assert!(app.handles("alice").await.is_empty(), "{reuse}: revoked");
    };
    expect("RECENT_PREV", "unauthorised").await;
    expect("ORPHANED_BRANCH", "unauthorised").await;
    expect("STALE_LINEAGE", "token theft detected").await;
}

#[tokio::test]
async fn a_thief_refreshing_a_copy_of_the_current_token_is_locked_out_of_routes_that_check_the_database() {
    // The security review's probe: the thief refreshes with a copy of the current refresh token, the victim
    // refreshes with it too (within the grace period, which replaces the thief's branch), and the thief uses the
    // access token it got.
    let app = App::start().await;
    let stolen = app.sign_in("alice").await;
    let thief = Tokens::of(&app.refresh_with(&stolen.refresh).await);
    assert_eq!(
        app.get_with("/me/live", &thief.access).await.status(),
        StatusCode::OK
    );
    let victim = Tokens::of(&app.refresh_with(&stolen.refresh).await);

    let refused = app.get_with("/me/live", &thief.access).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&refused);
    assert_eq!(
        app.get_with("/me/live", &victim.access).await.status(),
        StatusCode::OK
    );
    // Its refresh token is an orphaned branch: presenting it revokes the session.
    let theft = app.refresh_with(&thief.refresh).await;
    assert_eq!(
        json_of(theft).await,
        json!({ "message": "token theft detected" })
    );
    assert!(app.handles("alice").await.is_empty());
}

#[tokio::test]
async fn no_cookies_is_unauthorised_and_only_the_refresh_call_clears() {
    let app = App::start().await;
    let me = reqwest::Client::new()
        .get(app.url("/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&me).is_empty());
    assert_eq!(json_of(me).await, json!({ "message": "unauthorised" }));
    // As supertokens-node's refresh API: a refresh call without a refresh token clears every token.
    let refresh = reqwest::Client::new()
        .post(app.url(REFRESH))
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&refresh);
    assert_eq!(json_of(refresh).await, json!({ "message": "unauthorised" }));
}

#[tokio::test]
async fn tampered_or_garbage_tokens_are_unauthorised_never_a_500() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    let parts: Vec<&str> = signed_in.access.split('.').collect();
    let (header, body, signature) = (parts[0], parts[1], parts[2]);

    // Bob's claims under Alice's signature.
    let bob = app.sign_in("bob").await;
    let bob_body = bob.access.split('.').nth(1).unwrap();
    let flipped_signature = {
        let mut signature = signature.to_owned().into_bytes();
        signature[3] = if signature[3] == b'x' { b'y' } else { b'x' };
        String::from_utf8(signature).unwrap()
    };
    let long = "a".repeat(3000);
    let garbage = [
        format!("{header}.{bob_body}.{signature}"),
        format!("{header}.{body}.{flipped_signature}"),
        format!("{header}.{body}."),
        format!("{header}..{signature}"),
        format!(".{body}.{signature}"),
        format!("{body}.{signature}"),
        "garbage".to_owned(),
        "a.b.c".to_owned(),
        "%00%ff".to_owned(),
        "eyJ9.eyJ9".to_owned(),
        long,
    ];
    for token in &garbage {
        let response = app.get_with("/me", token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(
            json_of(response).await,
            json!({ "message": "unauthorised" }),
            "{token}"
        );
        let response = app.refresh_with(token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token}");
    }
    // A well-formed but unknown refresh token is refused too, and clears the cookies.
    let unknown = app.refresh_with(&"A".repeat(43)).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&unknown);
}

#[tokio::test]
async fn mutated_and_random_cookies_are_never_a_500_and_the_server_keeps_serving() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    let plain = reqwest::Client::new();
    // xorshift64*: a fixed seed, so a failure replays exactly.
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for case in 0..300 {
        let base = if case % 2 == 0 {
            signed_in.access.as_bytes()
        } else {
            signed_in.refresh.as_bytes()
        };
        let mut value = base.to_vec();
        // Byte flips, cuts and insertions, including bytes that are not UTF-8 (header values may carry them).
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % (value.len() + 1);
            match next() % 3 {
                0 if at < value.len() => value[at] = 0x21 + (next() % 0xde) as u8,
                1 => value.truncate(at),
                _ => value.insert(at.min(value.len()), 0x21 + (next() % 0xde) as u8),
            }
        }
        value.retain(|byte| *byte != b';' && *byte != 0x7f);
        let name = if case % 2 == 0 {
            "sAccessToken"
        } else {
            "sRefreshToken"
        };
        let mut cookie = format!("{name}=").into_bytes();
        cookie.extend_from_slice(&value);
        let cookie = header::HeaderValue::from_bytes(&cookie).expect("visible bytes only");
        let path = if case % 2 == 0 { "/me" } else { REFRESH };
        let request = if case % 2 == 0 {
            plain.get(app.url(path))
        } else {
            plain.post(app.url(path))
        };
        let response = request.header(header::COOKIE, cookie).send().await.unwrap();
        assert!(
            matches!(response.status(), StatusCode::OK | StatusCode::UNAUTHORIZED),
            "case {case}: {:?} for {:?}",
            response.status(),
            String::from_utf8_lossy(&value)
        );
    }
    assert_eq!(
        app.get_with("/me", &signed_in.access).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_revoked_session_is_unauthorised() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    assert_eq!(
        app.get_with("/me/live", &signed_in.access).await.status(),
        StatusCode::OK
    );

    let revoked = reqwest::Client::new()
        .post(app.url("/users/alice/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(revoked.json::<Vec<String>>().await.unwrap().len(), 1);

    let live = app.get_with("/me/live", &signed_in.access).await;
    assert_eq!(live.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&live);
    assert_eq!(json_of(live).await, json!({ "message": "unauthorised" }));

    let refresh = app.refresh_with(&signed_in.refresh).await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&refresh);
}

#[tokio::test]
async fn verification_is_stateless_and_only_check_database_sees_a_revocation() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    let refreshed = Tokens::of(&app.refresh_with(&signed_in.refresh).await);
    let handles = app.handles("alice").await;
    assert!(app.sessions.revoke_session(&handles[0]).await.unwrap());

    assert_eq!(
        app.get_with("/me", &refreshed.access).await.status(),
        StatusCode::OK
    );
    let response = app.get_with("/me/live", &refreshed.access).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&response);
}

#[tokio::test]
async fn failing_claims_answer_403_listing_each() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    app.clock.advance(Duration::from_secs(1));

    let response = app.get_with("/admin", &signed_in.access).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookies(&response).is_empty());
    let body = json_of(response).await;
    assert_eq!(body["message"], "invalid claim");
    let errors = body["claimValidationErrors"].as_array().unwrap();
    assert_eq!(
        errors[0],
        json!({
            "id": "st-role",
            "reason": { "message": "wrong value", "expectedToInclude": "admin", "actualValue": ["reader"] },
        })
    );
    assert_eq!(
        errors[1],
        json!({
            "id": "st-ev",
            "reason": { "message": "wrong value", "expectedValue": true, "actualValue": false },
        })
    );
    assert_eq!(errors[2]["id"], "auth_time");
    assert_eq!(errors[2]["reason"]["message"], "expired");
    assert_eq!(errors.len(), 3);
}

#[tokio::test]
async fn a_payload_update_mints_an_access_token_that_satisfies_the_claims() {
    let app = App::start().await;
    let client = client();
    client.post(app.url("/sign-in/alice")).send().await.unwrap();
    assert_eq!(
        client.get(app.url("/admin")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let updated = client
        .post(app.url("/payload"))
        .json(&json!({ "st-role": ["reader", "admin"], "st-ev": true, "auth_time": now }))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(set_cookies(&updated).len(), 1);

    let admin = client.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    assert_eq!(admin.text().await.unwrap(), "welcome");

    // A refresh keeps the new payload, because the store has it too.
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    assert_eq!(
        client.post(app.url(REFRESH)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let me = client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.json::<Value>().await.unwrap()["payload"]["st-ev"], true);
}

#[tokio::test]
async fn a_route_layer_requires_the_session_and_its_claims_before_the_route_runs() {
    let app = App::start().await;
    let layered = "/admin/layered";

    let anonymous = reqwest::Client::new()
        .get(app.url(layered))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&anonymous).is_empty());
    assert_eq!(
        json_of(anonymous).await,
        json!({ "message": "unauthorised" })
    );

    let signed_in = app.sign_in("alice").await;
    app.clock.advance(Duration::from_secs(1));
    let refused = app.get_with(layered, &signed_in.access).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body = json_of(refused).await;
    assert_eq!(body["message"], "invalid claim");
    let ids: Vec<&str> = body["claimValidationErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["st-role", "st-ev", "auth_time"]);

    // With the claims in the payload, the route runs and its extractor gets the verified session.
    let client = client();
    client.post(app.url("/sign-in/alice")).send().await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let updated = client
        .post(app.url("/payload"))
        .json(&json!({ "st-role": ["admin"], "st-ev": true, "auth_time": now }))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    let admin = client.get(app.url(layered)).send().await.unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    assert_eq!(admin.json::<Value>().await.unwrap()["user"], "alice");

    // An expired access token asks for a refresh, as the extractor does.
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let expired = client.get(app.url(layered)).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(expired).await,
        json!({ "message": "try refresh token" })
    );

    // A path the layer does not wrap is still the router's 404.
    let missing = client
        .get(app.url("/admin/layered/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sign_out_clears_the_cookies_and_revokes_the_session() {
    let app = App::start().await;
    let client = client();
    client.post(app.url("/sign-in/alice")).send().await.unwrap();
    assert_eq!(app.handles("alice").await.len(), 1);

    let signed_out = client.post(app.url(SIGN_OUT)).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::OK);
    assert_clears_cookies(&signed_out);
    assert_eq!(json_of(signed_out).await, json!({ "status": "OK" }));
    assert!(app.handles("alice").await.is_empty());

    // The jar dropped the cleared cookies: the client has no session left.
    let me = client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let refresh = client.post(app.url(REFRESH)).send().await.unwrap();
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_out_clears_a_token_that_names_no_session_and_asks_for_a_refresh_of_an_expired_one() {
    let app = App::start().await;
    let plain = reqwest::Client::new();
    let sign_out_with = |access: String| {
        plain
            .post(app.url(SIGN_OUT))
            .header(header::COOKIE, format!("sAccessToken={access}"))
            .send()
    };

    // Garbage cannot be signed out of, but it must not stick in the browser either.
    let garbage = sign_out_with("not-a-token".to_owned()).await.unwrap();
    assert_eq!(garbage.status(), StatusCode::OK);
    assert_clears_cookies(&garbage);

    // A forged signature is cleared the same way.
    let signed_in = app.sign_in("carol").await;
    // A character inside the signature (not its last, whose low bits base64 may ignore) is changed.
    let mut forged = signed_in.access.clone().into_bytes();
    let inside = forged.len() - 5;
    forged[inside] = if forged[inside] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let response = sign_out_with(forged).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_clears_cookies(&response);
    assert_eq!(app.handles("carol").await.len(), 1, "nobody's session ends");

    // So is the token of a session revoked meanwhile, whose first use after a refresh finds it gone.
    let signed_in = app.sign_in("alice").await;
    let refreshed = app.refresh_with(&signed_in.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed = Tokens::of(&refreshed);
    app.sessions
        .revoke_all_sessions_for_user("alice")
        .await
        .unwrap();
    let response = sign_out_with(refreshed.access).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_clears_cookies(&response);

    // An expired access token asks for a refresh, so that the session itself gets signed out afterwards.
    let signed_in = app.sign_in("bob").await;
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    let expired = sign_out_with(signed_in.access).await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&expired).is_empty());
    assert_eq!(
        json_of(expired).await,
        json!({ "message": "try refresh token" })
    );
    assert_eq!(app.handles("bob").await.len(), 1);
}

#[tokio::test]
async fn an_expired_refresh_token_is_unauthorised() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    app.clock.advance(REFRESH_LIFETIME + Duration::from_secs(1));

    let response = app.refresh_with(&signed_in.refresh).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_clears_cookies(&response);
    assert_eq!(
        json_of(response).await,
        json!({ "message": "unauthorised" })
    );
    assert!(app.handles("alice").await.is_empty());
}

#[tokio::test]
async fn a_configured_440_is_the_session_expired_status() {
    let app = App::start_with(
|config| config.session_expired_status(440))
    .await;
    let signed_in = app.sign_in("alice").await;
    app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));

    let expired = app.get_with("/me", &signed_in.access).await;
    assert_eq!(expired.status().as_u16(), 440);
    assert_eq!(
        json_of(expired).await,
        json!({ "message": "try refresh token" })
    );
    let missing = reqwest::Client::new()
        .get(app.url("/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 440);
    // Claims keep their own status.
    let claims = app
        .get_with("/admin", &app.sign_in("bob").await.access)
        .await;
    assert_eq!(claims.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn with_same_site_none_state_changing_requests_must_carry_the_custom_header() {
    let app = App::start_with(
        |config| {
            config
                .cookie_secure(true)
                .cookie_same_site(errorhandler::session::SameSite::None)
        })
    .await;
    let signed_in = app.sign_in("alice").await;
    let cookie = format!("sAccessToken={}", signed_in.access);
    let plain = reqwest::Client::new();

    assert_eq!(
        app.get_with("/me", &signed_in.access).await.status(),
        StatusCode::OK
    );
    let forged = plain
        .post(app.url("/me"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookies(&forged).is_empty());
    let own = plain
        .post(app.url("/me"))
        .header(header::COOKIE, &cookie)
        .header("rid", "session")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);

    // A forged cross-site sign-out clears nothing, even with a token that names no session.
    for access in [signed_in.access.as_str(), "not-a-token"] {
        let forged = plain
            .post(app.url(SIGN_OUT))
            .header(header::COOKIE, format!("sAccessToken={access}"))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        assert!(set_cookies(&forged).is_empty());
    }
    assert_eq!(app.handles("alice").await.len(), 1);

    let refresh = app.refresh_with(&signed_in.refresh).await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    let refresh = plain
        .post(app.url(REFRESH))
        .header(
            header::COOKIE,
            format!("sRefreshToken={}", signed_in.refresh),
        )
        .header("rid", "session")
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), StatusCode::OK);
    assert!(
        set_cookies(&refresh)
            .iter()
            .all(|cookie| cookie.contains("SameSite=None; Secure"))
    );
}

#[tokio::test]
async fn store_failures_answer_503_through_the_handlers() {
    let (wrap, faults) = faulty_wrapper();
    let app = App::start_wrapping(|config| config, wrap).await;
    let signed_in = app.sign_in("alice").await;
    faults.failing.store(true, Ordering::SeqCst);

    let unavailable = json!({
        "error": "sessions are unavailable, try again",
        "cause": "the session store failed: the database is down",
    });
    let plain = reqwest::Client::new();
    for response in [
        plain.post(app.url("/sign-in/bob")).send().await.unwrap(),
        app.refresh_with(&signed_in.refresh).await,
        app.get_with("/me/live", &signed_in.access).await,
        plain
            .post(app.url("/users/alice/revoke"))
            .send()
            .await
            .unwrap(),
        plain.get(app.url("/via-error")).send().await.unwrap(),
        plain
            .post(app.url(SIGN_OUT))
            .header(header::COOKIE, format!("sAccessToken={}", signed_in.access))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{response:?}"
        );
        // The store timeout (five seconds by default), on user routes (`?`) and the recipe's own alike.
        assert_eq!(response.headers()[header::RETRY_AFTER], "5", "{response:?}");
        assert!(set_cookies(&response).is_empty());
        assert_eq!(response.json::<Value>().await.unwrap(), unavailable);
    }

    // The store is back: nothing was lost.
    faults.failing.store(false, Ordering::SeqCst);
    assert_eq!(
        app.refresh_with(&signed_in.refresh).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_failing_store_fails_refreshes_and_database_checks_but_not_verification() {
    let (wrap, faults) = faulty_wrapper();
    let app = App::start_wrapping(|config| config, wrap).await;
    let signed_in = app.sign_in("alice").await;
    let refreshed = Tokens::of(&app.refresh_with(&signed_in.refresh).await);

    faults.failing.store(true, Ordering::SeqCst);
    assert_eq!(
        app.get_with("/me", &refreshed.access).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_with("/me/live", &refreshed.access).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let refresh = app.refresh_with(&refreshed.refresh).await;
    assert_eq!(refresh.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(set_cookies(&refresh).is_empty(), "a failing store clears nothing");
    faults.failing.store(false, Ordering::SeqCst);

    // Nothing was written while it failed: the client's tokens still refresh.
    assert_eq!(
        app.refresh_with(&refreshed.refresh).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.handles("alice").await.len(), 1);
}

#[tokio::test]
async fn session_errors_without_a_handler_keep_their_own_response_under_the_layer() {
    let app = App::start().await;
    let response = reqwest::Client::new()
        .get(app.url("/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(response).await,
        json!({ "message": "unauthorised" })
    );
}

#[tokio::test]
async fn a_store_error_returned_with_question_mark_is_a_503() {
    let app = App::start().await;
    let response = reqwest::Client::new()
        .get(app.url("/store-error-via-error"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "sessions are unavailable, try again"
    );
}

#[tokio::test]
async fn a_session_error_returned_through_error_keeps_its_wire_form() {
    let app = App::start().await;
    let signed_in = app.sign_in("alice").await;
    let response = app.get_with("/claims-via-error", &signed_in.access).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = json_of(response).await;
    assert_eq!(body["message"], "invalid claim");
    assert_eq!(body["claimValidationErrors"][0]["id"], "st-role");
}

    #[tokio::test]
    async fn nine_refreshes_with_one_token_within_the_grace_period_all_succeed_and_the_last_one_is_current() {
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        let mut responses = Vec::new();
        for _ in 0..9 {
            let response = app.refresh_with(&signed_in.refresh).await;
            assert_eq!(response.status(), StatusCode::OK);
            responses.push(Tokens::of(&response));
        }
        let kept = responses.last().unwrap();
        assert_eq!(app.get_with("/me/live", &kept.access).await.status(), StatusCode::OK);
        let next = app.refresh_with(&kept.refresh).await;
        assert_eq!(next.status(), StatusCode::OK, "the client is not logged out");
        let next = Tokens::of(&next);
        assert_eq!(app.get_with("/me/live", &next.access).await.status(), StatusCode::OK);

        let replay = app.refresh_with(&signed_in.refresh).await;
        assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(json_of(replay).await, json!({ "message": "token theft detected" }));
        assert!(app.handles("alice").await.is_empty());
        assert_eq!(
            app.refresh_with(&next.refresh).await.status(),
            StatusCode::UNAUTHORIZED,
            "the session is revoked for both parties"
        );
    }

    #[tokio::test]
    async fn a_thief_refreshing_a_stolen_token_nine_times_is_caught_when_the_victim_refreshes_after_the_grace_period() {
        let app = App::start().await;
        let stolen = app.sign_in("alice").await;
        let mut thief = Vec::new();
        for _ in 0..9 {
            thief.push(Tokens::of(&app.refresh_with(&stolen.refresh).await));
        }
        assert_eq!(app.get_with("/me", &thief[8].access).await.status(), StatusCode::OK);
        // The victim still holds the first token and refreshes once its access token expires.
        app.clock.advance(ACCESS_LIFETIME);
        let victim = app.refresh_with(&stolen.refresh).await;
        assert_eq!(json_of(victim).await, json!({ "message": "token theft detected" }));
        for tokens in &thief {
            assert_eq!(
                app.refresh_with(&tokens.refresh).await.status(),
                StatusCode::UNAUTHORIZED
            );
            assert_eq!(
                app.get_with("/me/live", &tokens.access).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        assert!(app.handles("alice").await.is_empty());
    }

    #[tokio::test]
    async fn one_hundred_twenty_eight_concurrent_refreshes_of_one_token_all_succeed_and_exactly_one_is_current() {
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        let responses = futures_util::future::join_all(
            (0..128).map(|_| app.refresh_with(&signed_in.refresh)),
        )
        .await;
        let children: Vec<Tokens> = responses
            .iter()
            .map(|response| {
                assert_eq!(response.status(), StatusCode::OK);
                Tokens::of(response)
            })
            .collect();
        let current = app.current_of(&children).await;
        let next = app.refresh_with(&current.refresh).await;
        assert_eq!(next.status(), StatusCode::OK);
        assert_eq!(app.handles("alice").await.len(), 1);

        // The first token and every replaced branch are copies someone else holds.
        let replay = app.refresh_with(&signed_in.refresh).await;
        assert_eq!(json_of(replay).await, json!({ "message": "token theft detected" }));
        assert!(app.handles("alice").await.is_empty());
    }

    #[tokio::test]
    async fn concurrent_refreshes_with_a_rotated_token_and_uses_of_its_access_token_all_succeed() {
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        let child = Tokens::of(&app.refresh_with(&signed_in.refresh).await);
        // The same token presented by 32 concurrent refreshes, and 32 uses of its access token.
        let refreshes = futures_util::future::join_all((0..32).map(|_| app.refresh_with(&child.refresh)));
        let uses = futures_util::future::join_all((0..32).map(|_| app.get_with("/me", &child.access)));
        let (refreshes, uses) = tokio::join!(refreshes, uses);
        for response in refreshes.iter().chain(&uses) {
            assert_eq!(response.status(), StatusCode::OK);
        }
        let grandchildren: Vec<Tokens> = refreshes.iter().map(Tokens::of).collect();
        app.current_of(&grandchildren).await;
        assert_eq!(app.handles("alice").await.len(), 1);
    }

    #[tokio::test]
    async fn a_hanging_store_answers_503_within_the_store_timeout() {
        let (wrap, faults) = faulty_wrapper();
        let app = App::start_wrapping(
            |config| config.store_timeout(Duration::from_millis(300)),
            wrap,
        )
        .await;
        let signed_in = app.sign_in("alice").await;
        faults.hanging.store(true, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let plain = reqwest::Client::new();
        let (sign_in, refresh, live) = tokio::join!(
            plain.post(app.url("/sign-in/bob")).send(),
            app.refresh_with(&signed_in.refresh),
            app.get_with("/me/live", &signed_in.access),
        );
        for response in [sign_in.unwrap(), refresh, live] {
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            let body = response.json::<Value>().await.unwrap();
            assert_eq!(body["error"], "sessions are unavailable, try again");
            assert!(
                body["cause"].as_str().unwrap().contains("did not answer"),
                "{body}"
            );
        }
        // Bounded by the timeout, with room for a loaded machine; not a timing assertion of the path itself.
        assert!(started.elapsed() < Duration::from_secs(10));
        faults.hanging.store(false, Ordering::SeqCst);
        assert_eq!(
            app.refresh_with(&signed_in.refresh).await.status(),
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn a_slow_store_within_the_timeout_succeeds_and_beyond_it_answers_503_with_retry_after() {
        let (wrap, faults) = faulty_wrapper();
        let app = App::start_wrapping(
            |config| config.store_timeout(Duration::from_millis(400)),
            wrap,
        )
        .await;
        let signed_in = app.sign_in("alice").await;

        // Slower than usual but within the timeout: every store-backed path succeeds.
        faults.delay_ms.store(50, Ordering::SeqCst);
        let refreshed = app.refresh_with(&signed_in.refresh).await;
        assert_eq!(refreshed.status(), StatusCode::OK);
        let refreshed = Tokens::of(&refreshed);
        assert_eq!(app.get_with("/me/layered-live", &refreshed.access).await.status(), StatusCode::OK);
        app.sign_in("bob").await;

        // Slower than the timeout: 503 through the app's handler, with Retry-After on the recipe's own paths.
        faults.delay_ms.store(1_000, Ordering::SeqCst);
        let plain = reqwest::Client::new();
        let (sign_in, refresh, layered) = tokio::join!(
            plain.post(app.url("/sign-in/carol")).send(),
            app.refresh_with(&refreshed.refresh),
            app.get_with("/me/layered-live", &refreshed.access),
        );
        let sign_in = sign_in.unwrap();
        assert_eq!(sign_in.status(), StatusCode::SERVICE_UNAVAILABLE);
        for response in [refresh, layered] {
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{response:?}");
            assert_eq!(response.headers()[header::RETRY_AFTER], "1", "{response:?}");
            assert!(set_cookies(&response).is_empty());
            let body = response.json::<Value>().await.unwrap();
            assert!(body["cause"].as_str().unwrap().contains("did not answer"), "{body}");
        }

        faults.delay_ms.store(0, Ordering::SeqCst);
        assert_eq!(app.refresh_with(&refreshed.refresh).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_user_id_too_long_for_an_access_token_creates_no_session() {
        let app = App::start().await;
        let long_user = "u".repeat(60_000);
        let response = reqwest::Client::new()
            .post(app.url("/sign-in-as"))
            .json(&json!({ "user": long_user, "payload": {} }))
            .send()
            .await
            .unwrap();
        // The app's bug, not the client's: a 500 whose message stays in the logs, not a 401 that would send a
        // SuperTokens frontend into refreshing.
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(set_cookies(&response).is_empty(), "no token is issued");
        let body = response.text().await.unwrap();
        assert!(!body.contains("60000"), "the message is not the client's: {body}");
        assert!(app.handles(&long_user).await.is_empty(), "nothing is stored");

        // The same through a payload, at creation.
        let long_payload = json!({ "bio": "b".repeat(60_000) });
        let response = reqwest::Client::new()
            .post(app.url("/sign-in-as"))
            .json(&json!({ "user": "dave", "payload": long_payload }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(app.handles("dave").await.is_empty());

        // The error says what is too long, for the logs.
        let failure = app
            .sessions
            .create_new_session(long_user.clone(), json!({}))
            .await
            .unwrap_err();
        assert!(matches!(failure, SessionFailure::Limit(_)), "{failure}");
        let message = failure.to_string();
        assert!(message.contains("no session was created"), "{message}");
        assert!(message.contains("the user id has 60000 bytes"), "{message}");

        // A payload nested deeper than JSON is read back would make a token that is refused too.
        let mut deep = json!(true);
        for _ in 0..200 {
            deep = json!([deep]);
        }
        let failure = app
            .sessions
            .create_new_session("erin", json!({ "deep": deep }))
            .await
            .unwrap_err();
        assert!(failure.to_string().contains("nested deeper"), "{failure}");
        assert!(app.handles("erin").await.is_empty());

        // Just under the limit is accepted, and the token is accepted back.
        let response = reqwest::Client::new()
            .post(app.url("/sign-in-as"))
            .json(&json!({ "user": "u".repeat(8_000), "payload": {} }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let tokens = Tokens::of(&response);
        assert_eq!(app.get_with("/me", &tokens.access).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_payload_update_too_long_for_an_access_token_changes_nothing() {
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        let response = reqwest::Client::new()
            .post(app.url("/payload"))
            .header(header::COOKIE, format!("sAccessToken={}", signed_in.access))
            .json(&json!({ "bio": "b".repeat(60_000) }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(set_cookies(&response).is_empty());
        // The session and its payload are as they were: a refresh mints the old payload.
        let refreshed = Tokens::of(&app.refresh_with(&signed_in.refresh).await);
        let me = json_of(app.get_with("/me", &refreshed.access).await).await;
        assert_eq!(me["payload"]["st-role"], json!(["reader"]));
        assert!(me["payload"].get("bio").is_none());
    }

    #[tokio::test]
    async fn a_missing_claim_names_the_expected_and_actual_values_and_a_reasonless_one_only_its_id() {
        // supertokens-python tests/sessions/claims/test_verify_session.py: these exact bodies.
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        let response = app.get_with("/claims-edge", &signed_in.access).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body,
            json!({
                "message": "invalid claim",
                "claimValidationErrors": [
                    {
                        "id": "st-missing",
                        "reason": { "message": "value does not exist", "expectedValue": true, "actualValue": null },
                    },
                    { "id": "beta" },
                ],
            })
        );
        assert!(body["claimValidationErrors"][1].get("reason").is_none(), "no `reason` key at all");
    }

    #[tokio::test]
    async fn a_refresh_with_an_access_token_but_no_refresh_token_clears_both() {
        // supertokens-node issue 790: the client is not left with a session it cannot refresh.
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        let response = reqwest::Client::new()
            .post(app.url(REFRESH))
            .header(header::COOKIE, format!("sAccessToken={}", signed_in.access))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_clears_cookies(&response);
        assert_eq!(response.headers()["front-token"], "remove");
        assert_eq!(json_of(response).await, json!({ "message": "unauthorised" }));

        // Without any token, as supertokens-node (its auth-modes table): every token is cleared all the same.
        let response = reqwest::Client::new().post(app.url(REFRESH)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_clears_cookies(&response);
    }

    #[tokio::test]
    async fn sign_out_without_any_session_token_is_unauthorised() {
        // supertokens-python tests/test_session.py: the sign-out API verifies the session first.
        let app = App::start().await;
        let response = reqwest::Client::new().post(app.url(SIGN_OUT)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(set_cookies(&response).is_empty());
        assert_eq!(json_of(response).await, json!({ "message": "unauthorised" }));
    }

    #[tokio::test]
    async fn require_session_with_check_database_sees_a_revocation_at_the_next_request() {
        let app = App::start().await;
        let signed_in = app.sign_in("alice").await;
        assert_eq!(app.get_with("/me/layered-live", &signed_in.access).await.status(), StatusCode::OK);

        app.sessions.revoke_all_sessions_for_user("alice").await.unwrap();
        let response = app.get_with("/me/layered-live", &signed_in.access).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_clears_cookies(&response);
        assert_eq!(json_of(response).await, json!({ "message": "unauthorised" }));
        // A route without the option trusts the access token until it expires, as documented.
        assert_eq!(app.get_with("/me", &signed_in.access).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn concurrent_refreshes_of_one_token_by_2_8_32_and_128_never_accuse_nor_log_out() {
        let app = App::start().await;
        let shared = reqwest::Client::new();
        for n in [2, 8, 32, 128] {
            let user = format!("user-{n}");
            let signed_in = app.sign_in(&user).await;
            let responses = futures_util::future::join_all(
                (0..n).map(|_| refresh_via(&shared, &app, &signed_in.refresh)),
            )
            .await;
            let mut children = Vec::new();
            for response in &responses {
                assert_eq!(response.status(), StatusCode::OK, "n = {n}: no false theft, no logout");
                children.push(Tokens::of(response));
            }
            // The client keeps the pair of the refresh written last, as a browser whose responses arrive in
            // order keeps the last one.
            let kept = app.current_of(&children).await;
            let next = app.refresh_with(&kept.refresh).await;
            assert_eq!(next.status(), StatusCode::OK, "n = {n}");
            let next = Tokens::of(&next);
            assert_eq!(app.get_with("/me", &next.access).await.status(), StatusCode::OK);
            assert_eq!(app.handles(&user).await.len(), 1, "n = {n}: the session lives");
        }
    }

    #[tokio::test]
    async fn one_thousand_sessions_refreshing_at_once_all_succeed() {
        let app = App::start().await;
        let shared = reqwest::Client::new();
        let signed_in = futures_util::future::join_all((0..1000).map(|i| {
            let shared = &shared;
            let url = app.url(&format!("/sign-in/user-{i}"));
            async move { Tokens::of(&shared.post(url).send().await.unwrap()) }
        }))
        .await;
        let refreshed = futures_util::future::join_all(
            signed_in.iter().map(|tokens| refresh_via(&shared, &app, &tokens.refresh)),
        )
        .await;
        let refreshed: Vec<Tokens> = refreshed
            .iter()
            .map(|response| {
                assert_eq!(response.status(), StatusCode::OK);
                Tokens::of(response)
            })
            .collect();
        let uses = futures_util::future::join_all(refreshed.iter().map(|tokens| {
            shared
                .get(app.url("/me"))
                .header(header::COOKIE, format!("sAccessToken={}", tokens.access))
                .send()
        }))
        .await;
        for response in uses {
            assert_eq!(response.unwrap().status(), StatusCode::OK);
        }
        assert_eq!(app.handles("user-999").await.len(), 1);
    }

    #[tokio::test]
    async fn every_concurrent_replay_of_superseded_tokens_is_refused_and_the_session_revoked() {
        let app = App::start().await;
        let shared = reqwest::Client::new();
        for round in 0..4 {
            let user = format!("user-{round}");
            let signed_in = app.sign_in(&user).await;
            let siblings: Vec<Tokens> = futures_util::future::join_all(
                (0..4).map(|_| refresh_via(&shared, &app, &signed_in.refresh)),
            )
            .await
            .iter()
            .map(Tokens::of)
            .collect();
            // The client refreshes again with the current one.
            let kept = app.current_of(&siblings).await;
            assert_eq!(app.refresh_with(&kept.refresh).await.status(), StatusCode::OK);
            // The first token and the replaced siblings come back, many at once.
            let superseded: Vec<&str> = std::iter::once(signed_in.refresh.as_str())
                .chain(
                    siblings
                        .iter()
                        .filter(|tokens| tokens.refresh != kept.refresh)
                        .map(|tokens| tokens.refresh.as_str()),
                )
                .collect();
            let replays = futures_util::future::join_all(
                (0..32).map(|i| refresh_via(&shared, &app, superseded[i % superseded.len()])),
            )
            .await;
            let mut thefts = 0;
            for response in replays {
                assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "round {round}: no replay succeeds");
                assert_clears_cookies(&response);
                match json_of(response).await["message"].as_str().unwrap() {
                    "token theft detected" => thefts += 1,
                    // A replay that arrives after another one revoked the session finds no session.
                    "unauthorised" => {}
                    other => panic!("round {round}: {other}"),
                }
            }
            assert!(thefts >= 1, "round {round}: the theft is detected");
            assert!(app.handles(&user).await.is_empty(), "round {round}: the session is revoked");
            assert_eq!(
                app.refresh_with(&siblings[0].refresh).await.status(),
                StatusCode::UNAUTHORIZED,
                "round {round}: for both parties"
            );
        }
    }
}
