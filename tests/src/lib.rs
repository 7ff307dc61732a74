//! Helpers of the integration tests and benchmarks: a real server on 127.0.0.1, a real client, a real
//! `redis-server`, a session store of plain rows written as one outside the crate would be, and the contenders
//! the benchmarks compare.

pub mod capture;
pub mod contenders;
pub mod faulty_store;
pub mod row_store;

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

/// A `redis-server` of its own on a free port of 127.0.0.1, without persistence, killed when dropped: alone, a
/// replica of another, a node of a [`RedisCluster`], or serving TLS only.
pub struct RedisServer {
    port: u16,
    /// What follows `--port PORT`: the role's options.
    options: Vec<String>,
    /// Its working directory (a cluster node's `nodes.conf`), removed when dropped.
    directory: std::path::PathBuf,
    /// For one that listens with TLS only: the authority and client certificate the tests' commands present.
    tls: Option<redis::TlsCertificates>,
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
        Self::is_installed().then(|| Self::start_with(Vec::new(), None))
    }

    /// Starts a replica of `primary` and waits until it has copied the primary's data.
    pub fn start_replica_of(primary: &RedisServer) -> Self {
        let replica = Self::start_with(
            vec![
                "--replicaof".to_owned(),
                "127.0.0.1".to_owned(),
                primary.port.to_string(),
            ],
            None,
        );
        replica.wait_until("INFO", &["replication"], "master_link_status:up");
        replica
    }

    /// Starts one that listens with TLS only, presenting `tls`'s server certificate and asking clients for a
    /// certificate of `tls`'s authority (Redis's default `tls-auth-clients yes`).
    pub fn start_tls(tls: &TestCertificates) -> Self {
        Self::start_with(tls.server_options(), Some(tls.client_certificates()))
    }

    fn start_with(options: Vec<String>, tls: Option<redis::TlsCertificates>) -> Self {
        let port = free_port();
        let directory =
            std::env::temp_dir().join(format!("errorhandler-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("a directory for redis-server");
        let mut server = Self {
            port,
            options,
            directory,
            tls,
            process: None,
        };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT`, or `rediss://` for a server that listens with TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs `command` with `arguments` on it.
    pub fn command(&self, command: &str, arguments: &[&str]) -> redis::Value {
        let client = match &self.tls {
            Some(certificates) => redis::Client::build_with_tls(self.url(), certificates.clone()),
            None => redis::Client::open(self.url()),
        };
        let mut connection = client
            .and_then(|client| client.get_connection())
            .expect("connect to redis-server");
        redis::cmd(command)
            .arg(arguments)
            .query(&mut connection)
            .unwrap_or_else(|error| panic!("{command} {arguments:?}: {error}"))
    }

    /// Runs `command` with `arguments` until its answer contains `expected`, for at most ten seconds.
    pub fn wait_until(&self, command: &str, arguments: &[&str], expected: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let answer: String =
                redis::from_redis_value(self.command(command, arguments)).unwrap_or_default();
            if answer.contains(expected) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{command} {arguments:?} on port {} never answered {expected:?}; last: {answer}",
                self.port
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Kills the server, as a crash or an outage would (`SIGKILL`); its data is lost.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port.to_string();
        let listen: &[&str] = if self.tls.is_some() {
            &["--port", "0", "--tls-port", &port]
        } else {
            &["--port", &port]
        };
        let process = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1"])
            .args(listen)
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            // A replica's first copy starts at once, rather than after 5 s in case more replicas come.
            .args(["--repl-diskless-sync-delay", "0"])
            .arg("--dir")
            .arg(&self.directory)
            .args(&self.options)
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
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// A Redis Cluster of three primaries on free ports of 127.0.0.1, each serving a third of the slots, with or
/// without a replica each, stopped when dropped.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts one without replicas, or `None` when `redis-server` is not installed (see
    /// [`RedisServer::is_installed`]).
    pub fn start() -> Option<Self> {
        Self::start_nodes(false, None)
    }

    /// Starts one with a replica of each primary, or `None` when `redis-server` is not installed.
    pub fn start_with_replicas() -> Option<Self> {
        Self::start_nodes(true, None)
    }

    /// Starts one without replicas whose nodes listen, and speak to each other, with TLS only (as
    /// [`RedisServer::start_tls`]), or `None` when `redis-server` is not installed.
    pub fn start_tls(tls: &TestCertificates) -> Option<Self> {
        Self::start_nodes(false, Some(tls))
    }

    fn start_nodes(replicas: bool, tls: Option<&TestCertificates>) -> Option<Self> {
        if !RedisServer::is_installed() {
            return None;
        }
        let count = if replicas { 6 } else { 3 };
        let nodes: Vec<RedisServer> = (0..count)
            .map(|_| {
                let mut options = vec![
                    "--cluster-enabled".to_owned(),
                    "yes".to_owned(),
                    "--cluster-port".to_owned(),
                    free_port().to_string(),
                    "--cluster-node-timeout".to_owned(),
                    "2000".to_owned(),
                ];
                if let Some(tls) = tls {
                    options.extend(tls.server_options());
                    options.extend(
                        ["--tls-cluster", "yes", "--tls-replication", "yes"].map(String::from),
                    );
                }
                RedisServer::start_with(options, tls.map(TestCertificates::client_certificates))
            })
            .collect();
        for (node, (first, last)) in nodes.iter().zip([(0, 5460), (5461, 10922), (10923, 16383)]) {
            node.command(
                "CLUSTER",
                &["ADDSLOTSRANGE", &first.to_string(), &last.to_string()],
            );
        }
        for node in &nodes[1..] {
            let bus = node.options[3].clone();
            nodes[0].command(
                "CLUSTER",
                &["MEET", "127.0.0.1", &node.port.to_string(), &bus],
            );
        }
        let known = format!("cluster_known_nodes:{count}");
        for node in &nodes {
            node.wait_until("CLUSTER", &["INFO"], &known);
        }
        for (primary, replica) in nodes.iter().zip(nodes.iter().skip(3)) {
            let id: String =
                redis::from_redis_value(primary.command("CLUSTER", &["MYID"])).unwrap();
            replica.command("CLUSTER", &["REPLICATE", &id]);
            replica.wait_until("INFO", &["replication"], "master_link_status:up");
        }
        for node in &nodes {
            node.wait_until("CLUSTER", &["INFO"], "cluster_state:ok");
        }
        Some(Self { nodes })
    }

    /// The cluster the tests of this process share while any of them holds it: started by the first, stopped when
    /// the last lets go (and started again by a later one). Tests keep apart by their keys' prefixes.
    pub fn shared() -> Option<std::sync::Arc<Self>> {
        static SHARED: std::sync::Mutex<std::sync::Weak<RedisCluster>> =
            std::sync::Mutex::new(std::sync::Weak::new());
        let mut shared = SHARED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(cluster) = shared.upgrade() {
            return Some(cluster);
        }
        let cluster = std::sync::Arc::new(Self::start()?);
        *shared = std::sync::Arc::downgrade(&cluster);
        Some(cluster)
    }

    /// The URLs of its nodes.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// Its nodes: the three primaries, then their replicas in the same order.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }
}

/// A certificate authority, a server certificate for 127.0.0.1 and a client certificate it signed, made with
/// the `openssl` command in a directory of their own, removed when dropped.
pub struct TestCertificates {
    directory: std::path::PathBuf,
}

impl TestCertificates {
    /// Makes them, or `None` (saying the test is skipped) when `openssl` is not installed; fails instead when
    /// `ERRORHANDLER_REQUIRE_REDIS` is set.
    pub fn generate() -> Option<Self> {
        if std::process::Command::new("openssl")
            .arg("version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("ERRORHANDLER_REQUIRE_REDIS").is_none(),
                "openssl is not installed, and ERRORHANDLER_REQUIRE_REDIS asks for it"
            );
            eprintln!("skipped: openssl is not installed (apt-get install openssl)");
            return None;
        }
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let directory = std::env::temp_dir().join(format!(
            "errorhandler-tls-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&directory).expect("a directory for the certificates");
        let certificates = Self { directory };
        let key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        certificates.openssl(
            &[
                &["req", "-x509"],
                &key[..],
                &["-keyout", "ca.key", "-out", "ca.crt"],
                &["-days", "1", "-subj", "/CN=errorhandler test authority"],
            ]
            .concat(),
        );
        for (name, extensions) in [
            ("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
            ("client", "extendedKeyUsage=clientAuth"),
        ] {
            let (key_file, request, certificate) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.crt"),
            );
            std::fs::write(
                certificates.directory.join(format!("{name}.ext")),
                extensions,
            )
            .expect("write the extensions");
            certificates.openssl(
                &[
                    &["req"],
                    &key[..],
                    &["-keyout", &key_file, "-out", &request],
                    &["-subj", &format!("/CN=errorhandler test {name}")],
                ]
                .concat(),
            );
            certificates.openssl(&[
                "x509",
                "-req",
                "-in",
                &request,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-out",
                &certificate,
                "-extfile",
                &format!("{name}.ext"),
            ]);
        }
        Some(certificates)
    }

    /// The options of a `redis-server` that listens with TLS only, presenting the server certificate and asking
    /// clients for one of the authority.
    fn server_options(&self) -> Vec<String> {
        let file = |name: &str| self.directory.join(name).display().to_string();
        vec![
            "--tls-cert-file".to_owned(),
            file("server.crt"),
            "--tls-key-file".to_owned(),
            file("server.key"),
            "--tls-ca-cert-file".to_owned(),
            file("ca.crt"),
        ]
    }

    /// The authority and the client certificate, as a client presents them.
    fn client_certificates(&self) -> redis::TlsCertificates {
        redis::TlsCertificates {
            client_tls: Some(redis::ClientTlsConfig {
                client_cert: self.pem("client.crt"),
                client_key: self.pem("client.key"),
            }),
            root_cert: Some(self.pem("ca.crt")),
        }
    }

    fn openssl(&self, arguments: &[&str]) {
        let output = std::process::Command::new("openssl")
            .args(arguments)
            .current_dir(&self.directory)
            .output()
            .expect("run openssl");
        assert!(
            output.status.success(),
            "openssl {arguments:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The PEM file `name` of the directory: `ca.crt`, `client.crt`, `client.key`, `server.crt`, `server.key`.
    pub fn pem(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.directory.join(name)).expect("read a certificate")
    }
}

impl Drop for TestCertificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// A port of 127.0.0.1 that no one listened on a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
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
