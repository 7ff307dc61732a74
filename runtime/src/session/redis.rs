//! `RedisStore`: sessions shared by app instances through Redis: one server (with replicas if you like) or a
//! Redis Cluster, over TLS if asked.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use futures_util::future::try_join_all;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{
    ClientTlsConfig, Cmd, FromRedisValue, Pipeline, RedisError, RedisFuture, Script,
    ScriptInvocation, TlsCertificates, Value,
};

use super::cookies::REDACTED;
use super::error::SessionStoreError;
use super::store::{SessionRecord, SessionStore};

/// Sessions in Redis, shared by every app instance that connects to it: one server (a primary, with replicas if
/// you like) or a Redis Cluster, over TLS with `rediss://` URLs. [`RedisStoreConfig`] chooses.
///
/// # Keys
///
/// | key | type | holds | expires |
/// | --- | --- | --- | --- |
/// | `{prefix}session:{HANDLE}` | hash | `v` the record's version, `r` the record as JSON, `u` its user id | at the session's expiry (a Redis TTL) |
/// | `{prefix}user:{USER_ID}` | sorted set | the handles of the user's sessions, scored by their expiry (Unix milliseconds by Redis's clock) | a minute after the last of its sessions |
///
/// The prefix is `errorhandler:` unless [configured](RedisStoreConfig::key_prefix). The braces are hash tags:
/// Redis Cluster places a key by the text between them, so a session's key lives in the session's slot and a user's
/// index in the user's slot. Every command and every script the store sends touches one key, so each runs on one
/// node of a cluster, and work across a session and its user's index is done as a few steps, one key each:
///
/// - **create**: the handle is added to the user's index, the session is written, and the handle is added to the
///   index again (a listing or a revocation of the user's sessions that ran in between may have dropped it as
///   pointing at nothing).
/// - **compare-and-swap**: the handle's score in the index is raised to the new expiry (never added), then the
///   session is compared and swapped by a script.
/// - **delete**: the session is deleted by a script that answers its user, then its handle leaves the index.
/// - **delete by user**: in rounds, the first 1,000 handles of the index (`ZRANGE 0 999`), their
///   sessions deleted, then those handles removed from the index.
/// - **list by user**: the index is read in pages (`ZSCAN ... COUNT 1000`), then the sessions of each page;
///   handles whose session is gone are removed from the index.
///
/// Every write to an index also drops up to 1,000 handles whose sessions expired over a minute
/// ago (the minute covers the clocks of a cluster's nodes, which score and expire them), so an index holds the
/// user's live sessions and never grows without bound; the index itself expires a minute after the last of them.
///
/// The steps are ordered so that a crash or a lost connection between two of them leaves at worst a handle in the
/// index whose session is gone, which the next listing drops, or else its expiry: never a session that its user's
/// index lacks, so revoking all of a user's sessions reaches every session created before the revocation began.
///
/// # Bounded work
///
/// No command or script works on more than 1,000 handles of an index, so however many sessions a
/// user has, listing or revoking them is a series of short round trips rather than one long command during which
/// Redis serves nobody else. With 100,000 sessions of one user (`tests/tests/redis_many_sessions.rs` times every
/// command with `SLOWLOG`; Redis 7.0 on a shared, loaded two-core machine), the longest commands were a page of
/// [`list_by_user`](SessionStore::list_by_user) (a script around `ZSCAN ... COUNT 1000`: 2.3 to 3.9 ms at the
/// median, 4 to 11 ms at most) and a batch of [`delete_by_user`](SessionStore::delete_by_user) leaving the index
/// (`ZREM` of 1,000 handles: 0.5 to 0.7 ms at the median, 1.3 ms at most), except when the machine stalled Redis,
/// as it did now and then whatever the command (up to 108 ms, one-key commands too). Listing took 2.6 to 4 s in
/// all, revoking 1.2 to 1.7 s. Before batches, one script read every handle: 1.4 s for 300,000 sessions.
///
/// # Failures
///
/// A single server's connection is re-established on its own after Redis restarts or the network fails; a
/// cluster's connection finds the cluster's nodes and slots again on its own. Until then, calls fail after the
/// configured timeouts and the recipe answers 503.
///
/// Replication is asynchronous: a write acknowledged by a primary that then fails may be missing from the replica
/// promoted in its place, and a revoked session (a theft, a sign-out) may then come back. With
/// [`wait_for_replicas`](RedisStoreConfig::wait_for_replicas), revocations and compare-and-swaps are followed by
/// `WAIT`; see there for what that buys and what it does not.
#[derive(Clone)]
pub struct RedisStore {
    connection: Connection,
    keys: Keys,
    wait: Option<Waiting>,
}

/// The settings of a [`RedisStore`]: one server ([`new`](Self::new)) or a Redis Cluster
/// ([`cluster`](Self::cluster)), and how it is used.
///
/// ```no_run
/// use std::time::Duration;
/// use errorhandler::session::{RedisStore, RedisStoreConfig};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // A primary with one replica at least, over TLS trusting the web's root authorities; revocations and rotations
/// // wait until a replica has them, for 100 ms at most.
/// let store = RedisStore::connect_with(
///     RedisStoreConfig::new("rediss://:password@redis.internal:6380/0")
///         .wait_for_replicas(1, Duration::from_millis(100)),
/// )
/// .await?;
///
/// // A Redis Cluster, found from any of its nodes, over TLS with a private certificate authority and a client
/// // certificate (Redis asks for one unless `tls-auth-clients no`).
/// let store = RedisStore::connect_with(
///     RedisStoreConfig::cluster(["rediss://10.0.0.1:6379", "rediss://10.0.0.2:6379"])
///         .tls_root_certificates(std::fs::read("ca.crt")?)
///         .tls_client_certificate(std::fs::read("client.crt")?, std::fs::read("client.key")?),
/// )
/// .await?;
/// # Ok(()) }
/// ```
///
/// Its `Debug` output leaves out the credentials of the URLs (`redis://[redacted]@host:6379/0`) and the client
/// certificate.
///
/// # TLS
///
/// A `rediss://` URL connects over TLS (rustls, redis-rs's `tokio-rustls-comp`). The server's certificate is
/// checked against the web's root authorities (webpki-roots), or only against those given to
/// [`tls_root_certificates`](Self::tls_root_certificates); a client certificate for Redis's `tls-auth-clients` is
/// given to [`tls_client_certificate`](Self::tls_client_certificate). rustls uses the process's default crypto
/// provider: ring's, unless the build also enables another one (aws-lc-rs, through another crate), in which case
/// the app installs its choice (`rustls::crypto::CryptoProvider::install_default`) before connecting, as rustls
/// asks.
///
/// For a cluster over TLS, every node URL is `rediss://`, and the nodes must announce their TLS ports to the
/// store, as Redis does with `tls-port` and `tls-cluster yes` (as the tests run it).
#[derive(Clone)]
#[must_use = "pass it to RedisStore::connect_with"]
pub struct RedisStoreConfig {
    target: Target,
    key_prefix: String,
    connection_timeout: Duration,
    response_timeout: Duration,
    wait: Option<WaitForReplicas>,
    tls_root_certificates: Option<Vec<u8>>,
    tls_client_certificate: Option<ClientTlsConfig>,
}

/// Where the sessions are.
#[derive(Clone)]
enum Target {
    Server(String),
    Cluster(Vec<String>),
}

/// `WAIT numreplicas timeout` after revocations and compare-and-swaps.
#[derive(Clone, Copy, Debug)]
struct WaitForReplicas {
    replicas: u32,
    timeout: Duration,
}

/// The writes that `WAIT`: on a connection of their own, followed by `WAIT`.
#[derive(Clone)]
struct Waiting {
    replicas: WaitForReplicas,
    connection: Connection,
}

impl RedisStoreConfig {
    /// The settings for the server at `url`: `redis://127.0.0.1:6379/0`, `rediss://` over TLS,
    /// `redis://user:password@host`, `redis+unix:///run/redis.sock`.
    pub fn new(url: impl Into<String>) -> Self {
        Self::for_target(Target::Server(url.into()))
    }

    /// The settings for the Redis Cluster that the nodes at `nodes` belong to (`redis://10.0.0.1:6379`, or
    /// `rediss://` over TLS; the same credentials for each). Any of its nodes will do: the store asks them for the
    /// others and for the slots each serves, and sends every command to the node of its key's slot.
    ///
    /// Through redis-rs's cluster connection (its feature `cluster-async`): it follows the cluster's `MOVED` and
    /// `ASK` redirections, and finds the slots again when a node fails over. Each script runs on the node of the
    /// one key it touches (see [`RedisStore`]'s keys).
    pub fn cluster<I>(nodes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self::for_target(Target::Cluster(nodes.into_iter().map(Into::into).collect()))
    }

    fn for_target(target: Target) -> Self {
        Self {
            target,
            key_prefix: "errorhandler:".to_owned(),
            connection_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(2),
            wait: None,
            tls_root_certificates: None,
            tls_client_certificate: None,
        }
    }

    /// The prefix of every key; `errorhandler:` by default. Apps that share a server keep apart by it. It may not
    /// hold `{` or `}`, which would change the keys' hash tags.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How long one attempt to connect may take; two seconds by default.
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long Redis may take to answer a command; two seconds by default.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// After every revocation (a deletion of a session: a sign-out, a theft, [`revoke_session`], each round of
    /// [`revoke_all_sessions_for_user`]) and every compare-and-swap (a refresh's rotation, a payload update), sends
    /// `WAIT replicas timeout`, so that the write is known to have reached `replicas` replicas before the recipe
    /// answers. Off by default. These writes and their `WAIT`s go through a second connection that the store opens
    /// for them (`WAIT` counts the writes of its own connection), so that the store's other calls never queue
    /// behind a `WAIT`.
    ///
    /// When fewer replicas acknowledge within `timeout`, the call fails: the recipe answers 503 with `Retry-After`,
    /// and the client retries, rather than being told a revocation succeeded that a failover could undo. The write
    /// itself stands on the primary (`WAIT` does not roll back): a retried sign-out or revocation then finds the
    /// session gone, and a retried refresh presents the token the rotation superseded, which the grace period
    /// accepts. A theft detected while replicas lag answers 503 rather than *token theft detected*; the session is
    /// revoked all the same and the reuse logged.
    ///
    /// `WAIT` does not make Redis strongly consistent: a failover may still promote a replica that was not among
    /// those that acknowledged, and a write that failed its `WAIT` may or may not survive one. Ask for as many
    /// replicas as a failover could choose from (and let Sentinel or the cluster prefer the most up-to-date one),
    /// and keep `timeout` well below the [response timeout](Self::response_timeout) and the recipe's store
    /// timeout. Writes that wait queue behind each other's `WAIT` on their connection (in a cluster, on their
    /// node's): revoking all of a user's sessions waits once per batch on a single server and once per session in
    /// a cluster, where they are spread over the slots.
    ///
    /// A `timeout` of zero is taken as one millisecond (`WAIT` with 0 would wait for ever).
    ///
    /// [`revoke_session`]: super::Sessions::revoke_session
    /// [`revoke_all_sessions_for_user`]: super::Sessions::revoke_all_sessions_for_user
    pub fn wait_for_replicas(mut self, replicas: u32, timeout: Duration) -> Self {
        self.wait = Some(WaitForReplicas { replicas, timeout });
        self
    }

    /// Trusts only the certificate authorities in `pem` (PEM, one or more certificates) for `rediss://`
    /// connections, instead of the web's root authorities.
    pub fn tls_root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls_root_certificates = Some(pem.into());
        self
    }

    /// Presents the client certificate `certificate` (PEM, with its chain) and its private key `key` (PEM) on
    /// `rediss://` connections, as a Redis server with `tls-auth-clients yes` (its default) asks.
    pub fn tls_client_certificate(
        mut self,
        certificate: impl Into<Vec<u8>>,
        key: impl Into<Vec<u8>>,
    ) -> Self {
        self.tls_client_certificate = Some(ClientTlsConfig {
            client_cert: certificate.into(),
            client_key: key.into(),
        });
        self
    }

    fn tls_certificates(&self) -> Option<TlsCertificates> {
        (self.tls_root_certificates.is_some() || self.tls_client_certificate.is_some()).then(|| {
            TlsCertificates {
                client_tls: self.tls_client_certificate.clone(),
                root_cert: self.tls_root_certificates.clone(),
            }
        })
    }
}

impl fmt::Debug for RedisStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("RedisStoreConfig");
        match &self.target {
            Target::Server(url) => debug.field("url", &fmt::from_fn(|f| redacted_url(url, f))),
            Target::Cluster(nodes) => debug.field(
                "cluster",
                &fmt::from_fn(|f| {
                    f.debug_list()
                        .entries(
                            nodes
                                .iter()
                                .map(|url| fmt::from_fn(move |f| redacted_url(url, f))),
                        )
                        .finish()
                }),
            ),
        };
        debug
            .field("key_prefix", &self.key_prefix)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("wait_for_replicas", &self.wait)
            .field(
                "tls_root_certificates",
                &self.tls_root_certificates.as_ref().map(|pem| pem.len()),
            )
            .field(
                "tls_client_certificate",
                &self.tls_client_certificate.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

impl RedisStore {
    /// The most handles of a user's index that one command or script works on, and the most sessions one round
    /// trip of [`list_by_user`](SessionStore::list_by_user) or [`delete_by_user`](SessionStore::delete_by_user)
    /// reads or deletes.
    pub(crate) const BATCH: usize = 1000;

    /// Connects to the server at `url` with the default settings.
    pub async fn connect(url: &str) -> Result<Self, SessionStoreError> {
        Self::connect_with(RedisStoreConfig::new(url)).await
    }

    /// Connects with `config`: to its server, or to its cluster's nodes.
    pub async fn connect_with(config: RedisStoreConfig) -> Result<Self, SessionStoreError> {
        if config.key_prefix.contains(['{', '}']) {
            return Err(SessionStoreError::new(format!(
                "the key prefix {:?} holds a brace, which would change the hash tags of the keys; choose one \
                 without `{{` and `}}`",
                config.key_prefix
            )));
        }
        let connection = Connection::open(&config).await?;
        // A connection of its own, so that other calls do not queue behind a `WAIT`.
        let wait = match config.wait {
            Some(replicas) => Some(Waiting {
                replicas,
                connection: Connection::open(&config).await?,
            }),
            None => None,
        };
        Ok(Self {
            connection,
            keys: Keys {
                prefix: config.key_prefix,
            },
            wait,
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = match self.connection {
            Connection::Server(_) => "server",
            Connection::Cluster(_) => "cluster",
        };
        f.debug_struct("RedisStore")
            .field("target", &target)
            .field("key_prefix", &self.keys.prefix)
            .field(
                "wait_for_replicas",
                &self.wait.as_ref().map(|waiting| waiting.replicas),
            )
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        let index = self.keys.user(&record.user_id);
        let ttl = millis(ttl);
        self.index(&index, &record.handle, ttl, Indexing::Add)
            .await?;
        let json = to_json(record)?;
        let _: i64 = self
            .run(&CREATE, Wait::No, |call| {
                call.key(self.keys.session(&record.handle))
                    .arg(record.version)
                    .arg(&json)
                    .arg(&record.user_id)
                    .arg(ttl);
            })
            .await?;
        self.index(&index, &record.handle, ttl, Indexing::Add).await
    }

    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        let json: Option<String> = redis::cmd("HGET")
            .arg(self.keys.session(handle))
            .arg("r")
            .query_async(&mut self.connection.clone())
            .await
            .map_err(failure)?;
        json.as_deref().map(from_json).transpose()
    }

    async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<bool, SessionStoreError> {
        let ttl = millis(ttl);
        self.index(
            &self.keys.user(&record.user_id),
            &record.handle,
            ttl,
            Indexing::Raise,
        )
        .await?;
        let json = to_json(record)?;
        let swapped: i64 = self
            .run(&COMPARE_AND_SWAP, Wait::ForReplicas, |call| {
                call.key(self.keys.session(&record.handle))
                    .arg(expected_version)
                    .arg(record.version)
                    .arg(&json)
                    .arg(ttl);
            })
            .await?;
        Ok(swapped == 1)
    }

    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        let user: Option<String> = self
            .run(&DELETE, Wait::ForReplicas, |call| {
                call.key(self.keys.session(handle));
            })
            .await?;
        let Some(user) = user else {
            return Ok(false);
        };
        self.unindex(&self.keys.user(&user), &[handle]).await?;
        Ok(true)
    }

    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        let index = self.keys.user(user_id);
        let mut seen = HashSet::new();
        let mut records = Vec::new();
        let mut cursor = "0".to_owned();
        loop {
            let (next, handles): (String, Vec<String>) = self
                .run(&LIST_PAGE, Wait::No, |call| {
                    call.key(&index)
                        .arg(&cursor)
                        .arg(Self::BATCH)
                        .arg(INDEX_GRACE_MS);
                })
                .await?;
            // `ZSCAN` may return a handle twice.
            let handles: Vec<String> = handles
                .into_iter()
                .filter(|handle| seen.insert(handle.clone()))
                .collect();
            let reads = handles
                .iter()
                .map(|handle| {
                    redis::cmd("HGET")
                        .arg(self.keys.session(handle))
                        .arg("r")
                        .clone()
                })
                .collect();
            let mut gone = Vec::new();
            for (handle, json) in handles.iter().zip(self.per_session(reads, Wait::No).await?) {
                match Option::<String>::from_redis_value(json).map_err(failure)? {
                    Some(json) => records.push(from_json(&json)?),
                    None => gone.push(handle.as_str()),
                }
            }
            self.unindex(&index, &gone).await?;
            if next == "0" {
                return Ok(records);
            }
            cursor = next;
        }
    }

    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        let index = self.keys.user(user_id);
        let mut deleted = Vec::new();
        loop {
            let handles: Vec<String> = redis::cmd("ZRANGE")
                .arg(&index)
                .arg(0)
                .arg(Self::BATCH - 1)
                .query_async(&mut self.connection.clone())
                .await
                .map_err(failure)?;
            let deletions = handles
                .iter()
                .map(|handle| redis::cmd("DEL").arg(self.keys.session(handle)).clone())
                .collect();
            for (handle, existed) in handles
                .iter()
                .zip(self.per_session(deletions, Wait::ForReplicas).await?)
            {
                if i64::from_redis_value(existed).map_err(failure)? == 1 {
                    deleted.push(handle.clone());
                }
            }
            // After the sessions: a crash in between leaves handles pointing at nothing.
            self.unindex(&index, &handles).await?;
            if handles.len() < Self::BATCH {
                return Ok(deleted);
            }
        }
    }
}

/// How long after its session's expiry a handle stays in its user's index: room for the clocks of a cluster's
/// nodes, one of which scores the handle while another expires the session.
const INDEX_GRACE_MS: u64 = 60_000;

/// How the index step of a write treats the session's handle.
#[derive(Clone, Copy)]
enum Indexing {
    /// Adds it, or raises its score to the session's expiry.
    Add,
    /// Raises its score to the session's expiry if it is there; never adds it.
    Raise,
}

/// Whether a write is followed by the configured `WAIT`.
#[derive(Clone, Copy, PartialEq)]
enum Wait {
    No,
    ForReplicas,
}

impl RedisStore {
    /// Adds `handle` to the user's `index` (or raises its score) with the expiry `ttl` milliseconds from now, and
    /// drops up to `BATCH` handles that expired over a minute ago.
    async fn index(
        &self,
        index: &str,
        handle: &str,
        ttl: u64,
        indexing: Indexing,
    ) -> Result<(), SessionStoreError> {
        let raise_only = match indexing {
            Indexing::Add => 0,
            Indexing::Raise => 1,
        };
        let _: i64 = self
            .run(&INDEX, Wait::No, |call| {
                call.key(index)
                    .arg(handle)
                    .arg(ttl)
                    .arg(raise_only)
                    .arg(INDEX_GRACE_MS)
                    .arg(Self::BATCH);
            })
            .await?;
        Ok(())
    }

    /// Removes `handles` (at most `BATCH`) from the user's `index`.
    async fn unindex(
        &self,
        index: &str,
        handles: &[impl AsRef<str>],
    ) -> Result<(), SessionStoreError> {
        if handles.is_empty() {
            return Ok(());
        }
        let mut command = redis::cmd("ZREM");
        command.arg(index);
        for handle in handles {
            command.arg(handle.as_ref());
        }
        let _: i64 = command
            .query_async(&mut self.connection.clone())
            .await
            .map_err(failure)?;
        Ok(())
    }

    /// The connection and the `WAIT` of the writes that `wait` for replicas, when replicas are configured.
    fn waiting(&self, wait: Wait) -> Option<&Waiting> {
        self.wait.as_ref().filter(|_| wait == Wait::ForReplicas)
    }

    /// Runs `script` with the keys and arguments `call` gives it; when `wait` asks for it and replicas are
    /// configured, on the connection of such writes and followed by `WAIT`.
    async fn run<T: FromRedisValue>(
        &self,
        script: &Script,
        wait: Wait,
        call: impl FnOnce(&mut ScriptInvocation<'_>),
    ) -> Result<T, SessionStoreError> {
        let mut invocation = script.prepare_invoke();
        call(&mut invocation);
        let Some(waiting) = self.waiting(wait) else {
            // By its hash, and by its source if Redis does not know it yet (a restart, another node).
            return invocation
                .invoke_async(&mut self.connection.clone())
                .await
                .map_err(failure);
        };
        // Loaded in the same pipeline (a hash lookup when Redis knows it): retrying after `NOSCRIPT` would wait
        // twice when replicas do not answer.
        let mut pipeline = redis::pipe();
        pipeline
            .load_script(script)
            .ignore()
            .invoke_script(&invocation);
        waiting.replicas.append_to(&mut pipeline);
        let (value, acknowledged): (T, u32) = pipeline
            .query_async(&mut waiting.connection.clone())
            .await
            .map_err(failure)?;
        waiting.replicas.check(acknowledged)?;
        Ok(value)
    }

    /// The replies to `commands`, each of which touches one session's key, followed by `WAIT` when `wait` asks for
    /// it and replicas are configured: one pipeline on a single server; on a cluster, each on the node of its key
    /// (sessions are spread over the slots).
    async fn per_session(
        &self,
        commands: Vec<Cmd>,
        wait: Wait,
    ) -> Result<Vec<Value>, SessionStoreError> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        let waiting = self.waiting(wait);
        let connection = waiting.map_or(&self.connection, |waiting| &waiting.connection);
        match connection {
            Connection::Server(_) => {
                let mut pipeline = redis::pipe();
                for command in commands {
                    pipeline.add_command(command);
                }
                if let Some(waiting) = waiting {
                    waiting.replicas.append_to(&mut pipeline);
                }
                let mut replies: Vec<Value> = pipeline
                    .query_async(&mut connection.clone())
                    .await
                    .map_err(failure)?;
                if let Some(waiting) = waiting {
                    let acknowledged = replies.pop().unwrap_or(Value::Nil);
                    let acknowledged = u32::from_redis_value(acknowledged).map_err(failure)?;
                    waiting.replicas.check(acknowledged)?;
                }
                Ok(replies)
            }
            Connection::Cluster(_) => {
                try_join_all(commands.into_iter().map(|command| async move {
                    let mut connection = connection.clone();
                    let Some(waiting) = waiting else {
                        return command.query_async(&mut connection).await.map_err(failure);
                    };
                    let mut pipeline = redis::pipe();
                    pipeline.add_command(command);
                    waiting.replicas.append_to(&mut pipeline);
                    let (reply, acknowledged): (Value, u32) = pipeline
                        .query_async(&mut connection)
                        .await
                        .map_err(failure)?;
                    waiting.replicas.check(acknowledged)?;
                    Ok(reply)
                }))
                .await
            }
        }
    }
}

impl WaitForReplicas {
    fn append_to(self, pipeline: &mut Pipeline) {
        let timeout = u64::try_from(self.timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        pipeline.cmd("WAIT").arg(self.replicas).arg(timeout);
    }

    fn check(self, acknowledged: u32) -> Result<(), SessionStoreError> {
        if acknowledged >= self.replicas {
            return Ok(());
        }
        Err(SessionStoreError::new(format!(
            "the write reached {acknowledged} of the {} replicas asked for within {:?} (`WAIT`)",
            self.replicas, self.timeout
        )))
    }
}

/// The names of the keys (see [`RedisStore`]).
#[derive(Clone)]
struct Keys {
    prefix: String,
}

impl Keys {
    fn session(&self, handle: &str) -> String {
        format!("{}session:{{{handle}}}", self.prefix)
    }

    fn user(&self, user_id: &str) -> String {
        format!("{}user:{{{user_id}}}", self.prefix)
    }
}

/// A connection to one server or to a cluster; commands and pipelines go to the node of their key.
#[derive(Clone)]
enum Connection {
    Server(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    /// Connects to the server or to the cluster of `config`.
    async fn open(config: &RedisStoreConfig) -> Result<Self, SessionStoreError> {
        Ok(match &config.target {
            Target::Server(url) => {
                let client = match config.tls_certificates() {
                    Some(certificates) => redis::Client::build_with_tls(url.as_str(), certificates),
                    None => redis::Client::open(url.as_str()),
                }
                .map_err(failure)?;
                let manager = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(config.connection_timeout))
                    .set_response_timeout(Some(config.response_timeout))
                    // Few quick retries per reconnection: the recipe's own timeout bounds each request anyway,
                    // and a later command triggers the next reconnection.
                    .set_number_of_retries(2)
                    .set_max_delay(Duration::from_millis(500));
                Self::Server(
                    client
                        .get_connection_manager_with_config(manager)
                        .await
                        .map_err(failure)?,
                )
            }
            Target::Cluster(nodes) => {
                let mut builder = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                    .connection_timeout(config.connection_timeout)
                    .response_timeout(config.response_timeout)
                    .retries(3);
                if let Some(certificates) = config.tls_certificates() {
                    builder = builder.certs(certificates);
                }
                let client = builder.build().map_err(failure)?;
                Self::Cluster(client.get_async_connection().await.map_err(failure)?)
            }
        })
    }
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, command: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Server(connection) => connection.req_packed_command(command),
            Self::Cluster(connection) => connection.req_packed_command(command),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Server(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Server(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
        }
    }
}

/// KEYS: a user's index. ARGV: handle, ttl in ms, 1 to only raise an existing handle's score, grace in ms, batch.
/// Scores by Redis's clock; drops up to a batch of handles expired longer than the grace.
const INDEX_LUA: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
local grace = tonumber(ARGV[4])
local cutoff = string.format('(%d', now - grace)
local stale = redis.call('ZRANGE', KEYS[1], '-inf', cutoff, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[5]))
if #stale > 0 then redis.call('ZREM', KEYS[1], unpack(stale)) end
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], 'XX', 'GT', now + ttl, ARGV[1])
else
  redis.call('ZADD', KEYS[1], 'GT', now + ttl, ARGV[1])
end
if redis.call('PTTL', KEYS[1]) < ttl + grace then redis.call('PEXPIRE', KEYS[1], ttl + grace) end
return 1
";

/// KEYS: a user's index. ARGV: cursor, count, grace in ms. One `ZSCAN` page: the next cursor and the handles whose
/// sessions are live or expired within the grace; drops the others.
const LIST_PAGE_LUA: &str = r"
local time = redis.call('TIME')
local cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[3])
local page = redis.call('ZSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local entries, live, stale = page[2], {}, {}
for i = 1, #entries, 2 do
  if tonumber(entries[i + 1]) < cutoff then table.insert(stale, entries[i]) else table.insert(live, entries[i]) end
end
for i = 1, #stale, 500 do redis.call('ZREM', KEYS[1], unpack(stale, i, math.min(i + 499, #stale))) end
return {page[1], live}
";

/// KEYS: a session. ARGV: version, record, user id, ttl in ms.
const CREATE_LUA: &str = r"
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'r', ARGV[2], 'u', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
";

/// KEYS: a session. ARGV: expected version, new version, record, ttl in ms.
const COMPARE_AND_SWAP_LUA: &str = r"
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
";

/// KEYS: a session. Deletes it; its user id, or nil when there was none.
const DELETE_LUA: &str = r"
local user = redis.call('HGET', KEYS[1], 'u')
if user then redis.call('DEL', KEYS[1]) end
return user
";

// Each script is hashed once; Redis runs it by its hash after the first call.
static INDEX: LazyLock<Script> = LazyLock::new(|| Script::new(INDEX_LUA));
static LIST_PAGE: LazyLock<Script> = LazyLock::new(|| Script::new(LIST_PAGE_LUA));
static CREATE: LazyLock<Script> = LazyLock::new(|| Script::new(CREATE_LUA));
static COMPARE_AND_SWAP: LazyLock<Script> = LazyLock::new(|| Script::new(COMPARE_AND_SWAP_LUA));
static DELETE: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_LUA));

/// `url` for `Debug`, quoted, without its credentials: the user info of `redis://user:password@host`, and the
/// `user` and `pass` parameters of `redis+unix:///path?pass=password`.
fn redacted_url(url: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let start = url.find("://").map_or(0, |scheme| scheme + 3);
    f.write_str("\"")?;
    f.write_str(&url[..start])?;
    // The last `@` ends the user info, even when a password holds an unescaped `@`, `/` or `?`.
    let rest = match url.rfind('@') {
        Some(at) if at >= start => {
            f.write_str(REDACTED)?;
            &url[at..]
        }
        _ => &url[start..],
    };
    let (address, query) = match rest.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (rest, None),
    };
    f.write_str(address)?;
    if let Some(query) = query {
        for (index, parameter) in query.split('&').enumerate() {
            f.write_str(if index == 0 { "?" } else { "&" })?;
            match parameter.split_once('=') {
                Some((name, _)) if matches!(name, "user" | "pass" | "password") => {
                    write!(f, "{name}={REDACTED}")?;
                }
                _ => f.write_str(parameter)?,
            }
        }
    }
    f.write_str("\"")
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn to_json(record: &SessionRecord) -> Result<String, SessionStoreError> {
    serde_json::to_string(record).map_err(|error| {
        SessionStoreError::new("a session record could not be serialized").with_source(error)
    })
}

fn from_json(json: &str) -> Result<SessionRecord, SessionStoreError> {
    serde_json::from_str(json).map_err(|error| {
        SessionStoreError::new("Redis holds a session record this version cannot read")
            .with_source(error)
    })
}

fn failure(error: impl Into<RedisError>) -> SessionStoreError {
    SessionStoreError::new("the Redis session store failed").with_source(error.into())
}
