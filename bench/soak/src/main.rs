//! A bounded soak of the `session_errors` example over loopback: `cargo run --release -p errorhandler-soak`.
//!
//! The server runs in a child process (this binary with `serve`), so that its resident memory is its own. 256
//! connections, one client each, drive a mix of requests (sign-ins, verifies, refreshes, replays of superseded
//! refresh tokens, invalid claims, sign-outs, 404s, typed errors and panics; half the sessions are left to expire)
//! until `SOAK_REQUESTS` (200,000) are done. Every response's status is checked against the one the recipe
//! documents; the report gives the unexpected statuses and connection errors (both must be 0), the throughput,
//! and the server's resident memory at start, at every tenth of the run and after the sessions expired
//! (`SOAK_LIFETIME_SECS`, 20 s, then one write, which drops the sessions whose time has come).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use errorhandler::Error;
use errorhandler::session::{MemoryStore, SessionStore};
use errorhandler_examples::session_errors::{ApiErrors, Backing, Options, app_with};
use tokio::io::{AsyncBufReadExt, BufReader};

const CONNECTIONS: usize = 256;

#[derive(Debug, thiserror::Error)]
#[error("the soak's typed error")]
struct SoakError;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if std::env::args().nth(1).as_deref() == Some("serve") {
        runtime.block_on(serve());
    } else {
        runtime.block_on(drive());
    }
}

/// The server: the example, plus a typed error, a panic and the store's size.
async fn serve() {
    let store = Arc::new(MemoryStore::new());
    let lifetime = Duration::from_secs(env("SOAK_LIFETIME_SECS", 20));
    let app = app_with(Options {
        backing: Backing::store(Arc::clone(&store) as Arc<dyn SessionStore>),
        access_token_lifetime: Some(lifetime / 2),
        refresh_token_lifetime: Some(lifetime),
        ..Options::default()
    });
    let soak = Router::new()
        .route(
            "/soak/typed",
            get(|| async { Err::<(), Error>(SoakError.into()) }),
        )
        .route("/soak/panic", get(panicking))
        .route(
            "/soak/sessions",
            get(move || async move { store.len().to_string() }),
        )
        .layer(ApiErrors::layer());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    println!("{}", listener.local_addr().expect("local address").port());
    // A panic every few requests is the point; its message would only flood the output.
    std::panic::set_hook(Box::new(|_| {}));
    axum::serve(listener, app.merge(soak)).await.expect("serve");
}

async fn panicking() -> &'static str {
    panic!("the soak's panic")
}

/// What the workers count.
#[derive(Default)]
struct Counts {
    requests: AtomicUsize,
    unexpected: AtomicUsize,
    connection_errors: AtomicUsize,
    thefts: AtomicUsize,
    latency_micros: AtomicU64,
}

async fn drive() {
    let total = env("SOAK_REQUESTS", 200_000) as usize;
    let lifetime = env("SOAK_LIFETIME_SECS", 20);
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("this binary"))
        .arg("serve")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server");
    let pid = child.id().expect("the server's pid");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let port = lines
        .next_line()
        .await
        .expect("the server's port")
        .expect("the server's port");
    let base = format!("http://127.0.0.1:{port}");
    println!("server pid {pid} at {base}; {total} requests over {CONNECTIONS} connections");
    let mut memory = vec![("start", rss_kib(pid))];

    let counts = Arc::new(Counts::default());
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|worker| {
            let counts = Arc::clone(&counts);
            let base = base.clone();
            tokio::spawn(async move { work(worker, &base, total, &counts).await })
        })
        .collect();
    let names = [
        "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%",
    ];
    let mut marks = names
        .iter()
        .enumerate()
        .map(|(tenth, name)| (total * (tenth + 1) / 10, *name))
        .peekable();
    while counts.requests.load(Ordering::Relaxed) < total {
        if let Some((at, name)) = marks.peek()
            && counts.requests.load(Ordering::Relaxed) >= *at
        {
            memory.push((name, rss_kib(pid)));
            marks.next();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let elapsed = started.elapsed();
    memory.push(("100%", rss_kib(pid)));
    let client = reqwest::Client::new();
    let sessions_at_end = sessions(&client, &base).await;

    // Every session expires after `lifetime` seconds without a refresh; the store drops expired sessions on
    // its next write, which the sign-in below is.
    println!(
        "waiting {} s for the sessions to expire and be dropped",
        lifetime + 2
    );
    tokio::time::sleep(Duration::from_secs(lifetime + 2)).await;
    let swept = client
        .post(format!("{base}/sign-in/sweeper"))
        .send()
        .await
        .expect("a sign-in");
    assert!(swept.status().is_success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    memory.push(("after expiry", rss_kib(pid)));
    let sessions_after = sessions(&client, &base).await;

    let requests = counts.requests.load(Ordering::Relaxed);
    println!();
    println!("requests              {requests}");
    println!("elapsed               {:.1} s", elapsed.as_secs_f64());
    println!(
        "throughput            {:.0} requests/s",
        requests as f64 / elapsed.as_secs_f64()
    );
    println!(
        "mean latency          {:.0} µs",
        counts.latency_micros.load(Ordering::Relaxed) as f64 / requests as f64
    );
    println!(
        "unexpected statuses   {}",
        counts.unexpected.load(Ordering::Relaxed)
    );
    println!(
        "connection errors     {}",
        counts.connection_errors.load(Ordering::Relaxed)
    );
    println!(
        "thefts detected       {} (one per replay)",
        counts.thefts.load(Ordering::Relaxed)
    );
    println!("sessions in the store {sessions_at_end} at the end, {sessions_after} after expiry");
    let figures: Vec<String> = memory
        .iter()
        .map(|(name, kib)| format!("{name} {:.1}", *kib as f64 / 1024.0))
        .collect();
    println!("server RSS, MiB       {}", figures.join(", "));

    let failed = counts.unexpected.load(Ordering::Relaxed)
        + counts.connection_errors.load(Ordering::Relaxed);
    let _ = child.kill().await;
    if failed > 0 {
        std::process::exit(1);
    }
}

async fn sessions(client: &reqwest::Client, base: &str) -> String {
    client
        .get(format!("{base}/soak/sessions"))
        .send()
        .await
        .expect("the store's size")
        .text()
        .await
        .expect("the store's size")
}

/// The server's resident memory, KiB, from `/proc/PID/status`.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A session's tokens, as cookies.
#[derive(Clone, Default)]
struct Tokens {
    access: String,
    refresh: String,
}

impl Tokens {
    fn update(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let Some((name, rest)) = value.to_str().unwrap_or("").split_once('=') else {
                continue;
            };
            let token = rest.split(';').next().unwrap_or("").to_owned();
            match name {
                "sAccessToken" => self.access = token,
                "sRefreshToken" => self.refresh = token,
                _ => {}
            }
        }
    }
}

/// One connection's loop: rounds of a session's life until the total is reached.
async fn work(worker: usize, base: &str, total: usize, counts: &Counts) {
    // One idle connection per worker: the workers hold `CONNECTIONS` keep-alive connections.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");
    let mut round = 0_usize;
    while counts.requests.load(Ordering::Relaxed) < total {
        round += 1;
        let mut tokens = Tokens::default();
        let step = |method: reqwest::Method, path: &str, cookie: Option<String>, expected: u16| {
            let request = client.request(method, format!("{base}{path}"));
            let request = match cookie {
                Some(cookie) => request.header("cookie", cookie),
                None => request,
            };
            async move {
                let started = Instant::now();
                let result = request.send().await;
                counts.requests.fetch_add(1, Ordering::Relaxed);
                counts
                    .latency_micros
                    .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                match result {
                    Ok(response) => {
                        if response.status().as_u16() != expected
                            && counts.unexpected.fetch_add(1, Ordering::Relaxed) < 10
                        {
                            eprintln!("unexpected: {} for {expected}", response.status());
                        }
                        Some(response)
                    }
                    Err(error) => {
                        if counts.connection_errors.fetch_add(1, Ordering::Relaxed) < 10 {
                            eprintln!("connection error: {error}");
                        }
                        None
                    }
                }
            }
        };
        use reqwest::Method as M;
        let access = |tokens: &Tokens| Some(format!("sAccessToken={}", tokens.access));
        let refresh = |tokens: &Tokens| Some(format!("sRefreshToken={}", tokens.refresh));

        let Some(signed_in) = step(M::POST, &format!("/sign-in/w{worker}"), None, 200).await else {
            continue;
        };
        tokens.update(&signed_in);
        let first = tokens.clone();
        step(M::GET, "/me", access(&tokens), 200).await;
        step(M::GET, "/me", access(&tokens), 200).await;
        step(M::GET, "/soak/missing", None, 404).await;
        step(M::GET, "/soak/typed", None, 500).await;
        step(M::GET, "/soak/panic", None, 500).await;
        if let Some(refreshed) = step(M::POST, "/auth/session/refresh", refresh(&tokens), 200).await
        {
            tokens.update(&refreshed);
        }
        // The new access token works at once: the refresh rotated the session.
        step(M::GET, "/me", access(&tokens), 200).await;
        step(M::GET, "/admin", access(&tokens), 403).await;
        if round.is_multiple_of(4) {
            // A second rotation, then a copy of the first refresh token comes back: older than the previous one,
            // it is theft whatever the grace period, and the session is revoked.
            if let Some(refreshed) =
                step(M::POST, "/auth/session/refresh", refresh(&tokens), 200).await
            {
                tokens.update(&refreshed);
            }
            if step(M::POST, "/auth/session/refresh", refresh(&first), 401)
                .await
                .is_some()
            {
                counts.thefts.fetch_add(1, Ordering::Relaxed);
            }
            step(M::POST, "/auth/session/refresh", refresh(&tokens), 401).await;
        } else {
            if let Some(refreshed) =
                step(M::POST, "/auth/session/refresh", refresh(&tokens), 200).await
            {
                tokens.update(&refreshed);
            }
            step(M::GET, "/me", access(&tokens), 200).await;
            // Every other session is signed out; the rest stay in the store until they expire.
            if round % 2 == 1 {
                step(M::POST, "/auth/signout", access(&tokens), 200).await;
            }
        }
    }
}
