//! Session throughput on the two stores, side by side in one run: `MemoryStore` in the process against
//! `RedisStore` on a `redis-server` of its own on loopback (skipped, with a note, where it is not installed).
//!
//! `cargo bench -p errorhandler-tests --bench sessions`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{HeaderMap, HeaderValue, Method, header};
use errorhandler::session::{
    MemoryStore, RedisStore, SessionConfig, SessionStore, SessionTokens, Sessions,
};
use errorhandler_tests::RedisServer;

fn main() {
    divan::main();
}

/// The stores, by name: `memory`, and `redis` where `redis-server` is installed.
const STORES: &[&str] = &["memory", "redis"];

/// A recipe on the named store, a runtime to drive it, and the Redis server behind it.
struct Bench {
    runtime: tokio::runtime::Runtime,
    sessions: Sessions,
    _redis: Option<RedisServer>,
}

impl Bench {
    fn new(store: &str) -> Option<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (store, redis): (Arc<dyn SessionStore>, _) = match store {
            "memory" => (Arc::new(MemoryStore::new()), None),
            _ => {
                let server = RedisServer::start()?;
                let store = runtime
                    .block_on(RedisStore::connect(&server.url()))
                    .expect("connect to redis-server");
                (Arc::new(store), Some(server))
            }
        };
        let config = SessionConfig::builder()
            .signing_secret("the benchmark's secret, of 32 bytes or more")
            .build()
            .expect("configuration");
        Some(Self {
            runtime,
            sessions: Sessions::with_store(config, store),
            _redis: redis,
        })
    }

    /// A new session's cookies, as the request headers that send them back.
    fn sign_in(&self, user: &str) -> HeaderMap {
        let new = self
            .runtime
            .block_on(
                self.sessions
                    .create_new_session(user, serde_json::json!({})),
            )
            .expect("sign in");
        cookie_headers(new.tokens())
    }
}

fn cookie_headers(cookies: &SessionTokens) -> HeaderMap {
    let pairs: Vec<String> = cookies
        .set_cookies()
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().to_owned())
        .filter(|pair| !pair.ends_with('='))
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&pairs.join("; ")).expect("cookie header"),
    );
    headers
}

/// Verifies an access token this process has verified before, as every request of a client but its first does:
/// a lookup in the cache of verified tokens, with no store call.
#[divan::bench(args = STORES)]
fn verify(bencher: divan::Bencher, store: &str) {
    let Some(bench) = Bench::new(store) else {
        return;
    };
    let headers = bench.sign_in("alice");
    bencher.bench_local(|| {
        bench
            .runtime
            .block_on(bench.sessions.get_session(&Method::GET, &headers))
            .expect("verified")
    });
}

/// Verifies an access token this process has not seen yet (its ES256 signature), as the first request with each
/// new token does: each sample is a fresh session.
#[divan::bench(args = STORES)]
fn verify_new_token(bencher: divan::Bencher, store: &str) {
    let Some(bench) = Bench::new(store) else {
        return;
    };
    let users = AtomicUsize::new(0);
    bencher
        .with_inputs(|| bench.sign_in(&format!("user-{}", users.fetch_add(1, Ordering::Relaxed))))
        .bench_local_refs(|headers| {
            bench
                .runtime
                .block_on(bench.sessions.get_session(&Method::GET, headers))
                .expect("verified")
        });
}

/// Verifies an access token and confirms the session in the store (`Session::check_database`).
#[divan::bench(args = STORES)]
fn verify_with_store_check(bencher: divan::Bencher, store: &str) {
    let Some(bench) = Bench::new(store) else {
        return;
    };
    let headers = bench.sign_in("alice");
    bencher.bench_local(|| {
        bench.runtime.block_on(async {
            let session = bench
                .sessions
                .get_session(&Method::GET, &headers)
                .await
                .expect("verified");
            session.check_database().await.expect("live")
        })
    });
}

/// A client refreshing in a chain: each refresh presents the token the previous one minted, which rotates (a load
/// and a compare-and-swap) and mints the next.
#[divan::bench(args = STORES)]
fn refresh(bencher: divan::Bencher, store: &str) {
    let Some(bench) = Bench::new(store) else {
        return;
    };
    let mut headers = bench.sign_in("alice");
    bencher.bench_local(|| {
        let cookies = bench
            .runtime
            .block_on(bench.sessions.refresh_session(&Method::POST, &headers))
            .expect("refreshed");
        headers = cookie_headers(&cookies);
    });
}

/// A sign-in: a new session stored.
#[divan::bench(args = STORES)]
fn create_session(bencher: divan::Bencher, store: &str) {
    let Some(bench) = Bench::new(store) else {
        return;
    };
    let users = AtomicUsize::new(0);
    bencher.bench_local(|| {
        let user = format!("user-{}", users.fetch_add(1, Ordering::Relaxed));
        bench
            .runtime
            .block_on(
                bench
                    .sessions
                    .create_new_session(user, serde_json::json!({})),
            )
            .expect("created")
    });
}
