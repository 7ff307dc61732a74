//! `RedisStore` as operators run it, on real `redis-server`s of the tests' own: the key layout and the trimming of
//! a user's index, a Redis Cluster, a primary and a replica failing over with and without `WAIT`, and TLS. (A user
//! with 100,000 sessions: `redis_many_sessions.rs`.)

use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use errorhandler::session::{
    ManualClock, NewSession, RedisStore, RedisStoreConfig, SessionConfig, SessionFailure,
    SessionStore, Sessions,
};
use errorhandler::{HttpError, errorhandler};
use errorhandler_tests::{
    RedisCluster, RedisServer, TestCertificates, TestServer, Tokens, refresh_with,
};
use serde_json::{Value, json};

/// The most sessions one command of `RedisStore` works on, as its docs say.
const BATCH: usize = 1000;

const REFRESH: &str = "/auth/session/refresh";
const SECRET: &str = "a secret shared by every instance, 32+ bytes";
/// SuperTokens core's default `refresh_token_rotation_grace_period`, and one millisecond.
const PAST_GRACE_PERIOD: Duration = Duration::from_millis(30_001);

errorhandler! {
    /// Store failures show their cause, so that the tests can tell a failed `WAIT`.
    pub struct StoreErrors;

    #[errorhandler(503)]
    fn unavailable(e: &HttpError) -> Json<Value> {
        let cause = std::error::Error::source(e).map(ToString::to_string);
        let sources = std::iter::successors(std::error::Error::source(e), |error| error.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        Json(json!({ "error": "sessions are unavailable", "cause": cause, "sources": sources }))
    }
}

/// An app instance on a store of its own; the instances of a test share the signing secret and the clock.
struct Instance {
    server: TestServer,
    sessions: Sessions,
}

impl Instance {
    async fn start(store: RedisStore, clock: &ManualClock) -> Self {
        let config = SessionConfig::builder()
            .cookie_secure(false)
            .signing_secret(SECRET)
            .store_timeout(Duration::from_secs(2))
            .clock(clock.clone())
            .build()
            .unwrap();
        let sessions = Sessions::with_store(config, store);
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .merge(sessions.router())
            .with_state(sessions.clone())
            .layer(StoreErrors::layer());
        Self {
            server: TestServer::start(app).await,
            sessions,
        }
    }

    /// Signs `user` in; the session's handle and tokens.
    async fn sign_in(&self, user: &str) -> (String, Tokens) {
        let response = reqwest::Client::new()
            .post(self.server.url(&format!("/sign-in/{user}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let tokens = Tokens::of(&response);
        let handle = response.json::<Value>().await.unwrap()["handle"]
            .as_str()
            .unwrap()
            .to_owned();
        (handle, tokens)
    }

    async fn refresh(&self, refresh: &str) -> reqwest::Response {
        refresh_with(self.server.url(REFRESH), refresh).await
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

async fn body_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// The slot of Redis Cluster that `key` belongs to, as `node` computes it.
fn slot_of(node: &RedisServer, key: &str) -> i64 {
    redis::from_redis_value(node.command("CLUSTER", &["KEYSLOT", key])).unwrap()
}

#[tokio::test]
async fn a_session_is_a_hash_tagged_by_its_handle_and_its_user_index_a_sorted_set_scored_by_expiry()
{
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let clock = ManualClock::new(std::time::SystemTime::now());
    let app = Instance::start(RedisStore::connect(&redis.url()).await.unwrap(), &clock).await;
    let (handle, _) = app.sign_in("alice").await;

    let session = format!("errorhandler:session:{{{handle}}}");
    let index = "errorhandler:user:{alice}";
    let mut keys: Vec<String> = redis::from_redis_value(redis.command("KEYS", &["*"])).unwrap();
    keys.sort();
    assert_eq!(keys, [session.clone(), index.to_owned()]);
    let mut fields: Vec<String> =
        redis::from_redis_value(redis.command("HKEYS", &[&session])).unwrap();
    fields.sort();
    assert_eq!(fields, ["r", "u", "v"]);
    let ttl: i64 = redis::from_redis_value(redis.command("PTTL", &[&session])).unwrap();
    // The refresh token's lifetime: 100 days by default.
    let lifetime = 100 * 24 * 3600 * 1000;
    assert!(lifetime - 60_000 < ttl && ttl <= lifetime, "{ttl}");

    let members: Vec<(String, f64)> =
        redis::from_redis_value(redis.command("ZRANGE", &[index, "0", "-1", "WITHSCORES"]))
            .unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, handle);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;
    let expiry = members[0].1 - now_ms;
    assert!(
        (lifetime as f64 - 60_000.0) < expiry && expiry <= lifetime as f64 + 1000.0,
        "{expiry}"
    );
    let index_ttl: i64 = redis::from_redis_value(redis.command("PTTL", &[index])).unwrap();
    assert!(
        index_ttl > lifetime,
        "a minute after its last session: {index_ttl}"
    );
}

#[tokio::test]
async fn an_index_drops_handles_expired_over_a_minute_ago_a_batch_per_write_and_all_when_listed() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = RedisStore::connect(&redis.url()).await.unwrap();
    let clock = ManualClock::new(std::time::SystemTime::now());
    let app = Instance::start(store.clone(), &clock).await;
    let index = "errorhandler:user:{alice}";
    // 2,500 handles of sessions long gone (expired two minutes ago), as an index without trimming kept them.
    let expired = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        - 120_000)
        .to_string();
    for chunk in (0..2500).collect::<Vec<_>>().chunks(500) {
        let mut arguments = vec![index.to_owned()];
        for n in chunk {
            arguments.extend([expired.clone(), format!("gone-{n}")]);
        }
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        redis.command("ZADD", &arguments);
    }
    // And one whose session vanished while it should still live, as a crash between two steps leaves it.
    redis.command("ZADD", &[index, "99999999999999", "dangling"]);
    let size = || -> i64 { redis::from_redis_value(redis.command("ZCARD", &[index])).unwrap() };
    assert_eq!(size(), 2501);

    // A creation writes the index twice (before and after the session), dropping a batch each time.
    let (first, _) = app.sign_in("alice").await;
    assert_eq!(size(), 2501 - 2 * BATCH as i64 + 1);
    let (second, _) = app.sign_in("alice").await;
    assert_eq!(
        size(),
        3,
        "the last 500 dropped, and the dangling handle is kept until listed"
    );

    let mut listed: Vec<String> = store
        .list_by_user("alice")
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.handle)
        .collect();
    listed.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        size(),
        2,
        "the listing dropped the rest, the dangling handle too"
    );

    let mut revoked = app
        .sessions
        .revoke_all_sessions_for_user("alice")
        .await
        .unwrap();
    revoked.sort();
    assert_eq!(revoked, expected);
    assert_eq!(size(), 0);
    let keys: Vec<String> = redis::from_redis_value(redis.command("KEYS", &["*"])).unwrap();
    assert!(keys.is_empty(), "{keys:?}");
}

#[tokio::test]
async fn a_key_prefix_with_a_brace_is_refused() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let error = RedisStore::connect_with(RedisStoreConfig::new(redis.url()).key_prefix("app{1}:"))
        .await
        .unwrap_err();
    assert!(error.message().contains("hash tags"), "{error}");
}

#[test]
fn the_debug_output_of_a_configuration_shows_no_credential() {
    let config = RedisStoreConfig::cluster([
        "rediss://:s3cret-password@10.0.0.1:6379",
        "rediss://alice:s3cret-password@10.0.0.2:6379",
    ])
    .wait_for_replicas(1, Duration::from_millis(100))
    .tls_root_certificates("-----BEGIN CERTIFICATE-----")
    .tls_client_certificate(
        "-----BEGIN CERTIFICATE-----",
        "-----BEGIN PRIVATE KEY----- s3cret",
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(
        debug.contains(
            r#"cluster: ["rediss://[redacted]@10.0.0.1:6379", "rediss://[redacted]@10.0.0.2:6379"]"#
        ),
        "{debug}"
    );
    assert!(
        debug.contains("wait_for_replicas: Some(WaitForReplicas { replicas: 1, timeout: 100ms })"),
        "{debug}"
    );
    assert!(
        debug.contains(r#"tls_client_certificate: Some("[redacted]")"#),
        "{debug}"
    );
}

#[tokio::test]
async fn on_a_cluster_two_sessions_of_one_user_in_slots_of_different_nodes_are_revoked_together() {
    let Some(cluster) = RedisCluster::start() else {
        return;
    };
    let store = RedisStore::connect_with(RedisStoreConfig::cluster(cluster.urls()))
        .await
        .unwrap();
    let clock = ManualClock::new(std::time::SystemTime::now());
    let app = Instance::start(store.clone(), &clock).await;
    let node = &cluster.nodes()[0];
    // Each node serves a third of the slots: sign in until two sessions sit on different nodes.
    let third = |slot: i64| slot / 5461;
    let mut signed_in = vec![app.sign_in("alice").await];
    let first_node = third(slot_of(
        node,
        &format!("errorhandler:session:{{{}}}", signed_in[0].0),
    ));
    loop {
        let (handle, tokens) = app.sign_in("alice").await;
        let slot = slot_of(node, &format!("errorhandler:session:{{{handle}}}"));
        if third(slot) != first_node {
            signed_in.push((handle, tokens));
            break;
        }
        signed_in.push((handle, tokens));
        assert!(signed_in.len() < 40, "sessions spread over the slots");
    }
    // The session's keys are in the slot of its handle; the index in the slot of its user.
    for (handle, _) in &signed_in {
        assert_eq!(
            slot_of(node, &format!("errorhandler:session:{{{handle}}}")),
            slot_of(node, handle)
        );
    }
    assert_eq!(
        slot_of(node, "errorhandler:user:{alice}"),
        slot_of(node, "alice")
    );

    let mut handles: Vec<String> = signed_in.iter().map(|(handle, _)| handle.clone()).collect();
    handles.sort();
    let mut listed = app
        .sessions
        .get_all_session_handles_for_user("alice")
        .await
        .unwrap();
    listed.sort();
    assert_eq!(listed, handles);

    let mut revoked = app
        .sessions
        .revoke_all_sessions_for_user("alice")
        .await
        .unwrap();
    revoked.sort();
    assert_eq!(revoked, handles);
    for (_, tokens) in &signed_in {
        let response = app.refresh(&tokens.refresh).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(body_of(response).await["message"], "unauthorised");
    }
    assert!(store.list_by_user("alice").await.unwrap().is_empty());
}

#[tokio::test]
async fn on_a_cluster_with_replicas_revocations_and_rotations_wait_for_a_replica_of_their_slots_primary()
 {
    let Some(cluster) = RedisCluster::start_with_replicas() else {
        return;
    };
    let waiting = |replicas, timeout| {
        RedisStore::connect_with(
            RedisStoreConfig::cluster(cluster.urls()).wait_for_replicas(replicas, timeout),
        )
    };
    let clock = ManualClock::new(std::time::SystemTime::now());
    let app = Instance::start(waiting(1, Duration::from_secs(2)).await.unwrap(), &clock).await;
    let signed_in = [app.sign_in("alice").await, app.sign_in("alice").await];
    let refreshed = app.refresh(&signed_in[0].1.refresh).await;
    assert_eq!(
        refreshed.status(),
        StatusCode::OK,
        "the rotation's WAIT was acknowledged"
    );
    let mut handles: Vec<String> = signed_in.iter().map(|(handle, _)| handle.clone()).collect();
    handles.sort();
    let mut revoked = app
        .sessions
        .revoke_all_sessions_for_user("alice")
        .await
        .unwrap();
    revoked.sort();
    assert_eq!(revoked, handles);

    // Each primary has one replica: a revocation that asks for two fails after the timeout, revoked all the same.
    let (handle, _) = app.sign_in("bob").await;
    let demanding = waiting(2, Duration::from_millis(300)).await.unwrap();
    let error = demanding.delete(&handle).await.unwrap_err();
    let cause = std::error::Error::source(&error).map(ToString::to_string);
    assert!(
        error.message().contains("reached 1 of the 2 replicas"),
        "{error}: {cause:?}"
    );
    assert!(demanding.load(&handle).await.unwrap().is_none());
}

/// The theft of SuperTokens' docs: a thief refreshes a copy of the victim's refresh token first; the victim's
/// refresh with it after the grace period is theft, and revokes the session. The thief's tokens.
async fn thief_detected(
    primary: &Instance,
    clock: &ManualClock,
) -> (String, Tokens, reqwest::Response) {
    let (handle, victim) = primary.sign_in("alice").await;
    let response = primary.refresh(&victim.refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    let thief = Tokens::of(&response);
    clock.advance(PAST_GRACE_PERIOD);
    let detected = primary.refresh(&victim.refresh).await;
    (handle, thief, detected)
}

/// Waits until `replica` holds version `version` of the session `handle`.
fn replicated(replica: &RedisServer, handle: &str, version: &str) {
    replica.wait_until(
        "HGET",
        &[&format!("errorhandler:session:{{{handle}}}"), "v"],
        version,
    );
}

/// The replica made the primary, as Sentinel or an operator does once the primary is gone.
fn promote(replica: &RedisServer) {
    replica.command("REPLICAOF", &["NO", "ONE"]);
    replica.wait_until("INFO", &["replication"], "role:master");
}

#[tokio::test]
async fn a_theft_revocation_acknowledged_by_a_replica_survives_the_primary_failing_over_to_it() {
    let Some(mut primary) = RedisServer::start() else {
        return;
    };
    let replica = RedisServer::start_replica_of(&primary);
    let clock = ManualClock::new(std::time::SystemTime::now());
    let config = RedisStoreConfig::new(primary.url()).wait_for_replicas(1, Duration::from_secs(1));
    let on_primary = Instance::start(RedisStore::connect_with(config).await.unwrap(), &clock).await;

    let (_, thief, detected) = thief_detected(&on_primary, &clock).await;
    assert_eq!(detected.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_of(detected).await["message"], "token theft detected");

    primary.stop();
    promote(&replica);
    let on_replica =
        Instance::start(RedisStore::connect(&replica.url()).await.unwrap(), &clock).await;
    let response = on_replica.refresh(&thief.refresh).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_of(response).await["message"], "unauthorised");
    assert!(
        on_replica
            .sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn without_wait_a_theft_revocation_the_replica_missed_is_lost_in_a_failover_and_the_thief_refreshes()
 {
    let Some(mut primary) = RedisServer::start() else {
        return;
    };
    let replica = RedisServer::start_replica_of(&primary);
    let clock = ManualClock::new(std::time::SystemTime::now());
    let on_primary =
        Instance::start(RedisStore::connect(&primary.url()).await.unwrap(), &clock).await;

    let (handle, victim) = on_primary.sign_in("alice").await;
    let thief = Tokens::of(&on_primary.refresh(&victim.refresh).await);
    replicated(&replica, &handle, "1");
    // The replica stops following the primary, as across a network partition (and is promoted on its side).
    promote(&replica);
    clock.advance(PAST_GRACE_PERIOD);
    let detected = on_primary.refresh(&victim.refresh).await;
    assert_eq!(detected.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_of(detected).await["message"], "token theft detected");

    primary.stop();
    let on_replica =
        Instance::start(RedisStore::connect(&replica.url()).await.unwrap(), &clock).await;
    let response = on_replica.refresh(&thief.refresh).await;
    assert_eq!(response.status(), StatusCode::OK, "the revocation was lost");
}

#[tokio::test]
async fn with_wait_a_theft_revocation_no_replica_acknowledges_answers_503_stands_on_the_primary_and_holds_up_nothing_else()
 {
    let Some(primary) = RedisServer::start() else {
        return;
    };
    let replica = RedisServer::start_replica_of(&primary);
    let clock = ManualClock::new(std::time::SystemTime::now());
    let config = RedisStoreConfig::new(primary.url()).wait_for_replicas(1, Duration::from_secs(1));
    let on_primary = Instance::start(RedisStore::connect_with(config).await.unwrap(), &clock).await;

    let (handle, victim) = on_primary.sign_in("alice").await;
    let thief = Tokens::of(&on_primary.refresh(&victim.refresh).await);
    replicated(&replica, &handle, "1");
    promote(&replica);
    clock.advance(PAST_GRACE_PERIOD);
    let started = Instant::now();
    // Meanwhile another user signs in: the store's other calls do not queue behind the `WAIT`.
    let ((detected, detected_at), (_, signed_in_at)) = tokio::join!(
        async { (on_primary.refresh(&victim.refresh).await, Instant::now()) },
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            (on_primary.sign_in("bob").await, Instant::now())
        },
    );
    assert!(signed_in_at < detected_at);
    assert_eq!(detected.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(detected.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "WAIT waited its timeout"
    );
    let body = body_of(detected).await;
    assert!(
        body["sources"][0]
            .as_str()
            .unwrap()
            .contains("the write reached 0 of the 1 replicas asked for within 1s"),
        "{body}"
    );
    // Revoked on the primary all the same: the thief's retry finds no session.
    let response = on_primary.refresh(&thief.refresh).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_of(response).await["message"], "unauthorised");
    assert!(
        on_primary
            .sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn rediss_urls_connect_over_tls_with_the_given_authority_and_client_certificate() {
    let Some(certificates) = RedisServer::is_installed()
        .then(TestCertificates::generate)
        .flatten()
    else {
        return;
    };
    let redis = RedisServer::start_tls(&certificates);
    assert!(redis.url().starts_with("rediss://127.0.0.1:"));
    let config = RedisStoreConfig::new(redis.url())
        .tls_root_certificates(certificates.pem("ca.crt"))
        .tls_client_certificate(
            certificates.pem("client.crt"),
            certificates.pem("client.key"),
        );
    let debug = format!("{config:?}");
    assert!(
        debug.contains(r#"tls_client_certificate: Some("[redacted]")"#),
        "{debug}"
    );
    let store = RedisStore::connect_with(config).await.unwrap();
    let clock = ManualClock::new(std::time::SystemTime::now());
    let app = Instance::start(store, &clock).await;
    let (handle, tokens) = app.sign_in("alice").await;
    let refreshed = app.refresh(&tokens.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(
        app.sessions
            .get_all_session_handles_for_user("alice")
            .await
            .unwrap(),
        [handle.as_str()]
    );
    assert!(app.sessions.revoke_session(&handle).await.unwrap());

    // The web's roots do not vouch for the test authority; a server that asks for a client certificate refuses a
    // client without one.
    for config in [
        RedisStoreConfig::new(redis.url()).tls_client_certificate(
            certificates.pem("client.crt"),
            certificates.pem("client.key"),
        ),
        RedisStoreConfig::new(redis.url()).tls_root_certificates(certificates.pem("ca.crt")),
    ] {
        let config = config.connection_timeout(Duration::from_secs(2));
        assert!(RedisStore::connect_with(config).await.is_err());
    }
}

#[tokio::test]
async fn a_cluster_whose_nodes_speak_tls_only_serves_sessions_over_rediss() {
    let Some(certificates) = RedisServer::is_installed()
        .then(TestCertificates::generate)
        .flatten()
    else {
        return;
    };
    let cluster = RedisCluster::start_tls(&certificates).unwrap();
    let urls = cluster.urls();
    assert!(
        urls.iter().all(|url| url.starts_with("rediss://")),
        "{urls:?}"
    );
    let store = RedisStore::connect_with(
        RedisStoreConfig::cluster(urls)
            .tls_root_certificates(certificates.pem("ca.crt"))
            .tls_client_certificate(
                certificates.pem("client.crt"),
                certificates.pem("client.key"),
            ),
    )
    .await
    .unwrap();
    let clock = ManualClock::new(std::time::SystemTime::now());
    let app = Instance::start(store, &clock).await;
    let signed_in = [
        app.sign_in("alice").await,
        app.sign_in("alice").await,
        app.sign_in("alice").await,
    ];
    for (_, tokens) in &signed_in {
        assert_eq!(app.refresh(&tokens.refresh).await.status(), StatusCode::OK);
    }
    assert_eq!(
        app.sessions
            .revoke_all_sessions_for_user("alice")
            .await
            .unwrap()
            .len(),
        3
    );
}
