//! Helpers of the integration tests and benchmarks: a real server on 127.0.0.1, a real client, a real
//! `redis-server`, and the contenders the benchmarks compare.

pub mod capture;
pub mod contenders;
pub mod faulty_store;

use std::net::SocketAddr;

use axum::Router;

/// A server running `app` on an ephemeral port of 127.0.0.1, stopped when dropped.
///
/// Its requests run in a span of their own (see [`capture`]), so its events can be told from those of the
/// servers of other tests; when it stops, it fails the test if any event captured so far held a session token.
pub struct TestServer {
    address: SocketAddr,
    id: u64,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Binds 127.0.0.1:0 and serves `app` in the background.
    pub async fn start(app: Router) -> Self {
        capture::install();
        let id = capture::next_server_id();
        let app = capture::traced(app, id);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self { address, id, task }
    }

    /// The events its requests logged so far (their request span names this server).
    pub fn events(&self) -> Vec<capture::Event> {
        capture::events_of(self.id)
    }

    /// The events of [`events`](Self::events) that the crate under test logged.
    pub fn errorhandler_events(&self) -> Vec<capture::Event> {
        let mut events = self.events();
        events.retain(capture::Event::is_errorhandler);
        events
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
        if !std::thread::panicking() {
            capture::assert_no_secret_logged();
        }
    }
}

/// A client that keeps cookies, as a browser would.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// A `redis-server` of its own on a free port of 127.0.0.1, without persistence, killed when dropped.
pub struct RedisServer {
    port: u16,
    process: Option<std::process::Child>,
}

impl RedisServer {
    /// Whether `redis-server` is installed; when it is not, says the test is skipped, or fails when
    /// `ERRORHANDLER_REQUIRE_REDIS` is set, as CI sets it.
    pub fn is_installed() -> bool {
        let installed = std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok();
        if !installed {
            assert!(
                std::env::var_os("ERRORHANDLER_REQUIRE_REDIS").is_none(),
                "redis-server is not installed, and ERRORHANDLER_REQUIRE_REDIS asks for it"
            );
            eprintln!("skipped: redis-server is not installed (apt-get install redis-server)");
        }
        installed
    }

    /// Starts one, or `None` when `redis-server` is not installed (see [`is_installed`](Self::is_installed)).
    pub fn start() -> Option<Self> {
        if !Self::is_installed() {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            port,
            process: None,
        };
        server.restart();
        Some(server)
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server, as a crash or an outage would; its data is lost.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let process = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.process = Some(process);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not start on port {}",
                self.port
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The session tokens a response set in cookies.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The `sAccessToken` cookie's value.
    pub access: String,
    /// The `sRefreshToken` cookie's value.
    pub refresh: String,
}

impl Tokens {
    /// The tokens `response` set; panics when it set either not.
    pub fn of(response: &reqwest::Response) -> Self {
        let cookies = set_cookies(response);
        let tokens = Self {
            access: cookie_value(&cookies, "sAccessToken").expect("sAccessToken is set"),
            refresh: cookie_value(&cookies, "sRefreshToken").expect("sRefreshToken is set"),
        };
        capture::remember_secret(&tokens.access);
        capture::remember_secret(&tokens.refresh);
        tokens
    }
}

/// The `Set-Cookie` values of `response`.
///
/// Their values (session tokens among them) are remembered as secrets that no event may contain.
pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    let cookies: Vec<String> = response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().expect("ascii").to_owned())
        .collect();
    for cookie in &cookies {
        let (pair, _) = cookie.split_once(';').unwrap_or((cookie, ""));
        if let Some((_, value)) = pair.split_once('=') {
            capture::remember_secret(value);
        }
    }
    cookies
}

/// The value the `Set-Cookie` values give the cookie `name`.
pub fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|cookie| {
        let (pair, _) = cookie.split_once(';').unwrap_or((cookie, ""));
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

/// `GET url` with exactly this access token, by a client that keeps no cookies.
pub async fn get_with_access(url: String, access: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header(http::header::COOKIE, format!("sAccessToken={access}"))
        .send()
        .await
        .expect("response")
}

/// `POST url` (a refresh endpoint) with exactly this refresh token, by a client that keeps no cookies.
pub async fn refresh_with(url: String, refresh: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header(http::header::COOKIE, format!("sRefreshToken={refresh}"))
        .send()
        .await
        .expect("response")
}
