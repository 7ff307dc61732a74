//! `RedisStore`: sessions shared by app instances through one Redis server.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};

use super::cookies::REDACTED;
use super::error::SessionStoreError;
use super::store::{SessionRecord, SessionStore};

/// Sessions in Redis, shared by every app instance that connects to the same server.
///
/// Each session is a hash at `{prefix}session:{handle}` holding its version and its record as JSON, with a
/// Redis TTL at its expiry; a set at `{prefix}user:{user_id}` indexes the sessions of a user. Every operation
/// that touches more than one key, and the compare-and-swap, is one Lua script, which Redis runs atomically.
/// The connection is re-established on its own after Redis restarts or the network fails; until then, calls
/// fail after the configured timeouts and the recipe answers 503. The scripts address keys they compute, so
/// use a single Redis server (with replicas if you like), not Redis Cluster.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    session_prefix: String,
    user_prefix: String,
}

/// The settings of a [`RedisStore`].
///
/// Its `Debug` output leaves out the credentials of the URL (`redis://[redacted]@host:6379/0`).
#[derive(Clone)]
#[must_use = "pass it to RedisStore::connect_with"]
pub struct RedisStoreConfig {
    url: String,
    key_prefix: String,
    connection_timeout: Duration,
    response_timeout: Duration,
}

impl RedisStoreConfig {
    /// The settings for the server at `url` (`redis://127.0.0.1:6379/0`; `rediss://` with TLS is not built in).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            key_prefix: "errorhandler:".to_owned(),
            connection_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(2),
        }
    }

    /// The prefix of every key; `errorhandler:` by default. Apps that share a server keep apart by it.
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
}

impl fmt::Debug for RedisStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreConfig")
            .field("url", &fmt::from_fn(|f| redacted_url(&self.url, f)))
            .field("key_prefix", &self.key_prefix)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish()
    }
}

impl RedisStore {
    /// Connects to the server at `url` with the default settings.
    pub async fn connect(url: &str) -> Result<Self, SessionStoreError> {
        Self::connect_with(RedisStoreConfig::new(url)).await
    }

    /// Connects with `config`.
    pub async fn connect_with(config: RedisStoreConfig) -> Result<Self, SessionStoreError> {
        let client = redis::Client::open(config.url.as_str()).map_err(failure)?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connection_timeout))
            .set_response_timeout(Some(config.response_timeout))
            // Few quick retries per reconnection: the recipe's own timeout bounds each request anyway, and a
            // later command triggers the next reconnection.
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection = client
            .get_connection_manager_with_config(manager)
            .await
            .map_err(failure)?;
        Ok(Self {
            connection,
            session_prefix: format!("{}session:", config.key_prefix),
            user_prefix: format!("{}user:", config.key_prefix),
        })
    }

    fn session_key(&self, handle: &str) -> String {
        format!("{}{handle}", self.session_prefix)
    }

    fn user_key(&self, user_id: &str) -> String {
        format!("{}{user_id}", self.user_prefix)
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("session_prefix", &self.session_prefix)
            .field("user_prefix", &self.user_prefix)
            .finish_non_exhaustive()
    }
}

/// KEYS: session, user index. ARGV: version, record, user id, ttl in ms, handle.
const CREATE_LUA: &str = r"
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'r', ARGV[2], 'u', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1
";

/// KEYS: session, user index. ARGV: expected version, new version, record, ttl in ms.
const COMPARE_AND_SWAP_LUA: &str = r"
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1
";

/// KEYS: session. ARGV: user index prefix, handle.
const DELETE_LUA: &str = r"
local user = redis.call('HGET', KEYS[1], 'u')
if not user then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. user, ARGV[2])
return 1
";

/// KEYS: user index. ARGV: session prefix. Drops the handles of sessions Redis has expired.
const LIST_BY_USER_LUA: &str = r"
local records = {}
for _, handle in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local record = redis.call('HGET', ARGV[1] .. handle, 'r')
  if record then table.insert(records, record) else redis.call('SREM', KEYS[1], handle) end
end
return records
";

/// KEYS: user index. ARGV: session prefix.
const DELETE_BY_USER_LUA: &str = r"
local deleted = {}
for _, handle in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('DEL', ARGV[1] .. handle) == 1 then table.insert(deleted, handle) end
end
redis.call('DEL', KEYS[1])
return deleted
";

// Each script is hashed once; Redis runs it by its hash after the first call.
static CREATE: LazyLock<Script> = LazyLock::new(|| Script::new(CREATE_LUA));
static COMPARE_AND_SWAP: LazyLock<Script> = LazyLock::new(|| Script::new(COMPARE_AND_SWAP_LUA));
static DELETE: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_LUA));
static LIST_BY_USER: LazyLock<Script> = LazyLock::new(|| Script::new(LIST_BY_USER_LUA));
static DELETE_BY_USER: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_BY_USER_LUA));

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        let _: i64 = CREATE
            .key(self.session_key(&record.handle))
            .key(self.user_key(&record.user_id))
            .arg(record.version)
            .arg(to_json(record)?)
            .arg(&record.user_id)
            .arg(millis(ttl))
            .arg(&record.handle)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failure)?;
        Ok(())
    }

    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        let json: Option<String> = redis::cmd("HGET")
            .arg(self.session_key(handle))
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
        let swapped: i64 = COMPARE_AND_SWAP
            .key(self.session_key(&record.handle))
            .key(self.user_key(&record.user_id))
            .arg(expected_version)
            .arg(record.version)
            .arg(to_json(record)?)
            .arg(millis(ttl))
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failure)?;
        Ok(swapped == 1)
    }

    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        let deleted: i64 = DELETE
            .key(self.session_key(handle))
            .arg(&self.user_prefix)
            .arg(handle)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failure)?;
        Ok(deleted == 1)
    }

    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        let records: Vec<String> = LIST_BY_USER
            .key(self.user_key(user_id))
            .arg(&self.session_prefix)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failure)?;
        records.iter().map(|json| from_json(json)).collect()
    }

    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        DELETE_BY_USER
            .key(self.user_key(user_id))
            .arg(&self.session_prefix)
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(failure)
    }
}

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

fn failure(error: RedisError) -> SessionStoreError {
    SessionStoreError::new("the Redis session store failed").with_source(error)
}
