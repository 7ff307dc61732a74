//! Two app instances on two ports sharing sessions through one real `redis-server` and one signing secret.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use errorhandler::session::{
    ManualClock, NewSession, RedisStore, Session, SessionConfig, SessionFailure, SessionStore,
    Sessions, TokenHash,
};
use errorhandler::{HttpError, errorhandler};
use errorhandler_tests::{RedisServer, TestServer, Tokens, get_with_access, refresh_with};
use serde_json::{Value, json};

const REFRESH: &str = "/auth/session/refresh";
const SECRET: &str = "a secret shared by every instance, 32+ bytes";

errorhandler! {
    /// Store failures get the app's own page.
    pub struct StoreErrors;

    #[errorhandler(503)]
    fn unavailable(e: &HttpError) -> Json<Value> {
        let cause = std::error::Error::source(e).map(ToString::to_string);
        Json(json!({ "error": "sessions are unavailable", "cause": cause }))
    }
}

/// One app instance: its own recipe and its own connection to the shared Redis.
struct Instance {
    server: TestServer,
    store: RedisStore,
}

impl Instance {
    /// An instance on `redis` whose recipe reads `clock`, which the instances of a test share as servers share
    /// the time.
    async fn start(redis: &RedisServer, clock: &ManualClock) -> Self {
        let config = SessionConfig::builder()
            .cookie_secure(false)
            .signing_secret(SECRET)
            .store_timeout(Duration::from_secs(1))
            .clock(clock.clone())
            .build()
            .unwrap();
        let store = RedisStore::connect(&redis.url()).await.unwrap();
        let sessions = Sessions::with_store(config, store.clone());
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/me", get(me))
            .route("/me/live", get(me_live))
            .merge(sessions.router())
            .with_state(sessions)
            .layer(StoreErrors::layer());
        Self {
            server: TestServer::start(app).await,
            store,
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

    async fn me(&self, access: &str) -> reqwest::Response {
        get_with_access(self.url("/me"), access).await
    }

    /// `GET /me/live`, whose route checks the session in the store.
    async fn live(&self, access: &str) -> reqwest::Response {
        get_with_access(self.url("/me/live"), access).await
    }

    async fn refresh(&self, refresh: &str) -> reqwest::Response {
        refresh_with(self.url(REFRESH), refresh).await
    }
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
) -> Result<(NewSession, Json<Value>), SessionFailure> {
    let session = sessions.create_new_session(user, json!({})).await?;
    let body = Json(json!({ "handle": session.handle() }));
    Ok((session, body))
}

async fn me(session: Session) -> Json<Value> {
    Json(json!({ "user": session.user_id(), "handle": session.handle() }))
}

async fn me_live(session: Session) -> Result<Json<Value>, SessionFailure> {
    session.check_database().await?;
    Ok(me(session).await)
}

async fn message(response: reqwest::Response) -> Value {
    response.json::<Value>().await.unwrap()["message"].clone()
}

#[tokio::test]
async fn a_session_created_on_one_instance_verifies_and_refreshes_on_the_other() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = ManualClock::new(std::time::SystemTime::now());
    let (a, b) = tokio::join!(
        Instance::start(&redis, &clock),
        Instance::start(&redis, &clock)
    );
    let on_a = a.sign_in("alice").await;

    let me = b.me(&on_a.access).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["user"], "alice");

    let refreshed = b.refresh(&on_a.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let on_b = Tokens::of(&refreshed);
    assert_eq!(a.me(&on_b.access).await.status(), StatusCode::OK);
    assert_eq!(a.refresh(&on_b.refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_on_one_instance_then_a_replay_of_the_old_token_on_the_other_after_the_grace_period_is_theft()
 {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = ManualClock::new(std::time::SystemTime::now());
    let (a, b) = tokio::join!(
        Instance::start(&redis, &clock),
        Instance::start(&redis, &clock)
    );
    let stolen = a.sign_in("alice").await;
    let victim = Tokens::of(&a.refresh(&stolen.refresh).await);
    assert_eq!(b.live(&victim.access).await.status(), StatusCode::OK);

    clock.advance(Duration::from_secs(31));
    let replay = b.refresh(&stolen.refresh).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(message(replay).await, "token theft detected");
    assert_eq!(
        message(a.refresh(&victim.refresh).await).await,
        "unauthorised"
    );
    assert!(a.store.list_by_user("alice").await.unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_spread_over_both_instances_all_succeed_and_leave_one_current()
 {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = ManualClock::new(std::time::SystemTime::now());
    let (a, b) = tokio::join!(
        Instance::start(&redis, &clock),
        Instance::start(&redis, &clock)
    );
    let signed_in = a.sign_in("alice").await;
    let child = Tokens::of(&a.refresh(&signed_in.refresh).await);
    let handle = a.store.list_by_user("alice").await.unwrap()[0]
        .handle
        .clone();
    let before = a.store.load(&handle).await.unwrap().unwrap();

    let responses = futures_util::future::join_all((0..64).map(|n| {
        let instance = if n % 2 == 0 { &a } else { &b };
        instance.refresh(&child.refresh)
    }))
    .await;
    let mut bodies = Vec::new();
    for response in responses {
        let status = response.status();
        if status != StatusCode::OK {
            panic!("{status}: {}", response.text().await.unwrap());
        }
        bodies.push(Tokens::of(&response));
    }
    let responses = bodies;
    let after = a.store.load(&handle).await.unwrap().unwrap();
    assert_eq!(
        after.version,
        before.version + 64,
        "each refresh wrote once: a rotation, then 63 rotations again within the grace period"
    );
    assert_eq!(
        after.previous_refresh_hash,
        Some(TokenHash::of(&child.refresh))
    );
    // Exactly one response holds the current token; the others lost to a later refresh.
    let mut current = Vec::new();
    for (n, tokens) in responses.into_iter().enumerate() {
        let instance = if n % 2 == 0 { &b } else { &a };
        if instance.live(&tokens.access).await.status() == StatusCode::OK {
            current.push(tokens);
        }
    }
    assert_eq!(current.len(), 1);
    assert_eq!(
        a.refresh(&current[0].refresh).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        message(b.refresh(&signed_in.refresh).await).await,
        "token theft detected"
    );
}

#[tokio::test]
async fn redis_stopped_mid_run_answers_503_and_the_service_resumes_when_it_is_back() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let a = Instance::start(&redis, &ManualClock::new(std::time::SystemTime::now())).await;
    let before = a.sign_in("alice").await;

    redis.stop();
    let plain = reqwest::Client::new();
    let started = std::time::Instant::now();
    for response in [
        plain.post(a.url("/sign-in/bob")).send().await.unwrap(),
        a.refresh(&before.refresh).await,
    ] {
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = response.json::<Value>().await.unwrap();
        assert_eq!(body["error"], "sessions are unavailable");
        assert!(
            body["cause"]
                .as_str()
                .unwrap()
                .starts_with("the session store failed"),
            "{body}"
        );
    }
    // Bounded by the store timeout of one second per call; generous for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(15));
    // A verified access token needs no store: it keeps working through the outage.
    assert_eq!(a.me(&before.access).await.status(), StatusCode::OK);

    // Redis comes back empty (no persistence): the app reconnects by itself and serves new sessions.
    redis.restart();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let after = loop {
        let response = plain.post(a.url("/sign-in/carol")).send().await.unwrap();
        if response.status() == StatusCode::OK {
            break Tokens::of(&response);
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            std::time::Instant::now() < deadline,
            "the store did not reconnect"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(a.refresh(&after.refresh).await.status(), StatusCode::OK);
    // The old session was lost with Redis's memory: unauthorised, not an error.
    assert_eq!(
        message(a.refresh(&before.refresh).await).await,
        "unauthorised"
    );
}

#[tokio::test]
async fn instances_with_different_secrets_refuse_each_others_tokens() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let a = Instance::start(&redis, &ManualClock::new(std::time::SystemTime::now())).await;
    let other = SessionConfig::builder()
        .cookie_secure(false)
        .signing_secret("another secret, also of at least 32 bytes")
        .build()
        .unwrap();
    let sessions = Sessions::with_store(other, RedisStore::connect(&redis.url()).await.unwrap());
    let stranger = TestServer::start(
        Router::new()
            .route("/me", get(me))
            .route("/me/live", get(me_live))
            .merge(sessions.router())
            .with_state(sessions),
    )
    .await;
    let tokens = a.sign_in("alice").await;
    let response = reqwest::Client::new()
        .get(stranger.url("/me"))
        .header(header::COOKIE, format!("sAccessToken={}", tokens.access))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = reqwest::Client::new()
        .post(stranger.url(REFRESH))
        .header(header::COOKIE, format!("sRefreshToken={}", tokens.refresh))
        .send()
        .await
        .unwrap();
    assert_eq!(message(response).await, "unauthorised");
}
