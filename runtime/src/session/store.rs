//! Where sessions live: the `SessionStore` trait of record operations, and the bound the recipe puts on them.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::SessionStoreError;
use super::tokens::TokenHash;

/// A session as the store keeps it; of its refresh tokens, only the hashes of the current one and of the one the
/// last rotation superseded.
///
/// A store keeps every field and gives each back unchanged from [`load`](SessionStore::load) and
/// [`list_by_user`](SessionStore::list_by_user), `version` included: the recipe compares versions, hashes and
/// times exactly as it wrote them. How it keeps them is the store's choice (columns, a document, the record's
/// serde form); a store of its own columns rebuilds the record with [`new`](Self::new) and sets the other fields
/// after it.
///
/// Fields may be added: [`new`](Self::new) gives each new one a value of its own, and a store that keeps
/// the serde form keeps the new ones too, while a store of columns needs a column for each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionRecord {
    /// The session's public identifier.
    pub handle: String,
    /// The user the session belongs to.
    pub user_id: String,
    /// The access-token payload, copied into every access token the session's refreshes mint.
    pub payload: serde_json::Value,
    /// When the session was created, Unix seconds.
    pub created_at: u64,
    /// When the session ends unless it is refreshed, Unix seconds.
    pub expires_at: u64,
    /// The hash of the session's current refresh token.
    pub current_refresh_hash: TokenHash,
    /// The hash of the refresh token the last rotation superseded, presented again within the grace period by
    /// a retry or a second tab; `None` until the first refresh.
    #[serde(default)]
    pub previous_refresh_hash: Option<TokenHash>,
    /// When the last rotation happened, Unix milliseconds; `None` until the first refresh.
    #[serde(default)]
    pub rotated_at_ms: Option<u64>,
    /// Changed by every update of the record: what [`SessionStore::compare_and_swap`] compares.
    pub version: u64,
}

impl SessionRecord {
    /// The session `handle` of `user_id` from its required fields: no rotation yet (`previous_refresh_hash` and
    /// `rotated_at_ms` are `None`) and version 0, as the recipe creates sessions. A store reading a session back
    /// sets those fields afterwards to what it kept.
    ///
    /// ```
    /// use errorhandler::session::{SessionRecord, TokenHash};
    ///
    /// // The columns of a stored session, as a database gives them back.
    /// let (handle, user_id, payload) = ("6b1f…", "alice", r#"{"st-role":["user"]}"#);
    /// let (created_at, expires_at, version) = (1_700_000_000, 1_700_086_400, 3);
    /// let (current, previous, rotated_at_ms) = ([7; 32], Some([6; 32]), Some(1_700_000_100_000));
    ///
    /// let mut record = SessionRecord::new(
    ///     handle,
    ///     user_id,
    ///     serde_json::from_str(payload)?,
    ///     created_at,
    ///     expires_at,
    ///     TokenHash::from_bytes(current),
    /// );
    /// record.previous_refresh_hash = previous.map(TokenHash::from_bytes);
    /// record.rotated_at_ms = rotated_at_ms;
    /// record.version = version;
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new(
        handle: impl Into<String>,
        user_id: impl Into<String>,
        payload: serde_json::Value,
        created_at: u64,
        expires_at: u64,
        current_refresh_hash: TokenHash,
    ) -> Self {
        Self {
            handle: handle.into(),
            user_id: user_id.into(),
            payload,
            created_at,
            expires_at,
            current_refresh_hash,
            previous_refresh_hash: None,
            rotated_at_ms: None,
            version: 0,
        }
    }
}

/// Storage for sessions, which several app instances may share: a few record operations, usable as
/// `dyn SessionStore`.
///
/// The rules of rotation and theft detection run in the recipe, not in the store: the recipe loads a record,
/// decides, and writes it back with [`compare_and_swap`](Self::compare_and_swap), which succeeds only if the
/// record was not changed in between (and otherwise the recipe loads it again). That compare-and-swap is the
/// only operation that must be atomic: a lock, `UPDATE ... WHERE version = $expected`, or a Redis script.
///
/// Expiry is the recipe's business (it compares `expires_at` with its clock); `ttl` tells the store how long it
/// must keep a record at least, so that it can drop it afterwards (a Redis TTL, a periodic sweep).
///
/// A store of table rows, each a session in plain columns, which gives records back through
/// [`SessionRecord::new`]:
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use std::time::Duration;
/// use errorhandler::session::{
///     async_trait, SessionConfig, SessionRecord, SessionStore, SessionStoreError, Sessions, TokenHash,
/// };
///
/// /// A session's columns; the handle is the table's key.
/// struct Row {
///     user_id: String,
///     payload: String,
///     created_at: u64,
///     expires_at: u64,
///     current_refresh_hash: [u8; 32],
///     previous_refresh_hash: Option<[u8; 32]>,
///     rotated_at_ms: Option<u64>,
///     version: u64,
/// }
///
/// impl Row {
///     fn of(record: &SessionRecord) -> Result<Self, SessionStoreError> {
///         Ok(Row {
///             user_id: record.user_id.clone(),
///             payload: serde_json::to_string(&record.payload)
///                 .map_err(|error| SessionStoreError::new("unwritable payload").with_source(error))?,
///             created_at: record.created_at,
///             expires_at: record.expires_at,
///             current_refresh_hash: *record.current_refresh_hash.as_bytes(),
///             previous_refresh_hash: record.previous_refresh_hash.map(|hash| *hash.as_bytes()),
///             rotated_at_ms: record.rotated_at_ms,
///             version: record.version,
///         })
///     }
///
///     fn record(&self, handle: &str) -> Result<SessionRecord, SessionStoreError> {
///         let payload = serde_json::from_str(&self.payload)
///             .map_err(|error| SessionStoreError::new("unreadable payload").with_source(error))?;
///         let mut record = SessionRecord::new(
///             handle,
///             self.user_id.as_str(),
///             payload,
///             self.created_at,
///             self.expires_at,
///             TokenHash::from_bytes(self.current_refresh_hash),
///         );
///         record.previous_refresh_hash = self.previous_refresh_hash.map(TokenHash::from_bytes);
///         record.rotated_at_ms = self.rotated_at_ms;
///         record.version = self.version;
///         Ok(record)
///     }
/// }
///
/// /// One table, under one lock. A database would keep `now + ttl` in a column too, and sweep by it.
/// #[derive(Default)]
/// struct Table(Mutex<HashMap<String, Row>>);
///
/// #[async_trait]
/// impl SessionStore for Table {
///     async fn create(&self, record: &SessionRecord, _ttl: Duration) -> Result<(), SessionStoreError> {
///         let row = Row::of(record)?;
///         self.0.lock().unwrap().insert(record.handle.clone(), row);
///         Ok(())
///     }
///     async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
///         self.0.lock().unwrap().get(handle).map(|row| row.record(handle)).transpose()
///     }
///     async fn compare_and_swap(
///         &self, expected_version: u64, record: &SessionRecord, _ttl: Duration,
///     ) -> Result<bool, SessionStoreError> {
///         // In SQL: `UPDATE sessions SET ... WHERE handle = $1 AND version = $2`, then whether a row changed.
///         let new = Row::of(record)?;
///         match self.0.lock().unwrap().get_mut(&record.handle) {
///             Some(row) if row.version == expected_version => {
///                 *row = new;
///                 Ok(true)
///             }
///             _ => Ok(false),
///         }
///     }
///     async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
///         Ok(self.0.lock().unwrap().remove(handle).is_some())
///     }
///     async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
///         let rows = self.0.lock().unwrap();
///         let mine = rows.iter().filter(|(_, row)| row.user_id == user_id);
///         mine.map(|(handle, row)| row.record(handle)).collect()
///     }
///     async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
///         let mut rows = self.0.lock().unwrap();
///         let handles: Vec<String> =
///             rows.iter().filter(|(_, row)| row.user_id == user_id).map(|(handle, _)| handle.clone()).collect();
///         for handle in &handles {
///             rows.remove(handle);
///         }
///         Ok(handles)
///     }
/// }
///
/// let sessions = Sessions::with_store(SessionConfig::default(), Table::default());
/// ```
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session, to be kept at least `ttl`.
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError>;

    /// The session `handle`, if the store has it.
    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError>;

    /// Atomically: if the stored session `record.handle` has the version `expected_version`, replaces it with
    /// `record` (whose version is another) and keeps it at least `ttl`; whether it did. A missing session is
    /// not replaced.
    async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<bool, SessionStoreError>;

    /// Deletes the session `handle`; whether it existed.
    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError>;

    /// The sessions of `user_id` the store has, expired ones possibly included.
    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError>;

    /// Deletes every session of `user_id`; their handles.
    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError>;
}

/// A shared store, so that the app keeps a handle to the store it gives the recipe.
#[async_trait::async_trait]
impl<S: SessionStore + ?Sized> SessionStore for Arc<S> {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        (**self).create(record, ttl).await
    }

    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        (**self).load(handle).await
    }

    async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<bool, SessionStoreError> {
        (**self)
            .compare_and_swap(expected_version, record, ttl)
            .await
    }

    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        (**self).delete(handle).await
    }

    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        (**self).list_by_user(user_id).await
    }

    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        (**self).delete_by_user(user_id).await
    }
}

/// The recipe's view of its store: every call bounded by the configured timeout, and records past their
/// `expires_at` treated as absent.
#[derive(Clone)]
pub(crate) struct BoundedStore {
    store: Arc<dyn SessionStore>,
    timeout: Duration,
    /// Updates of one session in this process wait for each other (sessions are spread over the stripes by
    /// handle), so that concurrent refreshes of one session, each of which writes, do not make each other's
    /// compare-and-swap fail over and over; the compare-and-swap alone keeps them correct, across instances too.
    stripes: Arc<[tokio::sync::Mutex<()>]>,
}

/// How many locks the updates of this process's sessions are spread over.
const STRIPES: usize = 256;

impl BoundedStore {
    pub(crate) fn new(store: Arc<dyn SessionStore>, timeout: Duration) -> Self {
        Self {
            store,
            timeout,
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }

    pub(crate) async fn create(
        &self,
        record: &SessionRecord,
        now: u64,
    ) -> Result<(), SessionStoreError> {
        self.bounded("create", self.store.create(record, ttl(record, now)))
            .await
    }

    /// The live session `handle`.
    pub(crate) async fn load_live(
        &self,
        handle: &str,
        now: u64,
    ) -> Result<Option<SessionRecord>, SessionStoreError> {
        let record = self.bounded("load", self.store.load(handle)).await?;
        Ok(record.filter(|record| record.expires_at > now))
    }

    /// Writes `record` over the version `expected_version`; whether no one changed it in between.
    pub(crate) async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        now: u64,
    ) -> Result<bool, SessionStoreError> {
        self.bounded(
            "compare_and_swap",
            self.store
                .compare_and_swap(expected_version, record, ttl(record, now)),
        )
        .await
    }

    /// Loads the live session `handle` and lets `decide` look at it and change it: a changed record is written
    /// back with a compare-and-swap, and decided again from a fresh load whenever another request changed it in
    /// between. The decision and the record as stored after it; `None` when there is no live session.
    pub(crate) async fn update<T>(
        &self,
        handle: &str,
        now: u64,
        mut decide: impl FnMut(&mut SessionRecord) -> Change<T>,
    ) -> Result<Option<(T, SessionRecord)>, SessionStoreError> {
        // Waited for no longer than a store call may take: past that, the update goes ahead without it, as the
        // lock only spares compare-and-swaps doomed to fail (a store that hangs under one update must not make
        // every update of the stripe wait for it in turn).
        let stripe = &self.stripes[stripe_of(handle)];
        let _turn = tokio::time::timeout(self.timeout, stripe.lock()).await.ok();
        for attempt in 0..MAX_UPDATE_ATTEMPTS {
            if attempt > 0 {
                // Another instance wrote in between. Waiting a random while, growing with each loss, keeps two
                // instances that keep updating one session from losing to each other in step.
                let spread = 250 * u64::from(attempt.min(8));
                let wait = u64::from(getrandom::u32().unwrap_or(0)) % spread;
                tokio::time::sleep(Duration::from_micros(wait)).await;
            }
            let Some(mut record) = self.load_live(handle, now).await? else {
                return Ok(None);
            };
            let expected_version = record.version;
            match decide(&mut record) {
                Change::Keep(decision) => return Ok(Some((decision, record))),
                Change::Write(decision) => {
                    record.version = expected_version.wrapping_add(1);
                    if self
                        .compare_and_swap(expected_version, &record, now)
                        .await?
                    {
                        return Ok(Some((decision, record)));
                    }
                }
            }
        }
        // Each lost compare-and-swap is another request's successful write, so this takes a burst of
        // writes to one session that no client makes.
        let error = SessionStoreError::new(format!(
            "the session changed under {MAX_UPDATE_ATTEMPTS} updates in a row"
        ));
        tracing::error!(
            session_handle = handle,
            error = %error,
            "a session could not be updated"
        );
        Err(error)
    }

    pub(crate) async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        self.bounded("delete", self.store.delete(handle)).await
    }

    /// The handles of the live sessions of `user_id`.
    pub(crate) async fn live_handles_of_user(
        &self,
        user_id: &str,
        now: u64,
    ) -> Result<Vec<String>, SessionStoreError> {
        Ok(self
            .live_sessions_of_user(user_id, now)
            .await?
            .into_iter()
            .map(|record| record.handle)
            .collect())
    }

    /// The live sessions of `user_id`.
    pub(crate) async fn live_sessions_of_user(
        &self,
        user_id: &str,
        now: u64,
    ) -> Result<Vec<SessionRecord>, SessionStoreError> {
        let mut records = self
            .bounded("list_by_user", self.store.list_by_user(user_id))
            .await?;
        records.retain(|record| record.expires_at > now);
        Ok(records)
    }

    pub(crate) async fn delete_by_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<String>, SessionStoreError> {
        self.bounded("delete_by_user", self.store.delete_by_user(user_id))
            .await
    }

    async fn bounded<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, SessionStoreError>>,
    ) -> Result<T, SessionStoreError> {
        let (result, timed_out) = match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => (result, false),
            Err(_) => {
                let error = SessionStoreError::new(format!(
                    "the session store did not answer `{operation}` within {:?}",
                    self.timeout
                ));
                (Err(error), true)
            }
        };
        result.map_err(|error| {
            tracing::error!(
                operation,
                timed_out,
                error = %error,
                error.sources = ?Sources(&error),
                "a session store call failed"
            );
            // The store may be back within its timeout: clients retry after that long, at least a second.
            let seconds = self.timeout.as_secs() + u64::from(self.timeout.subsec_nanos() > 0);
            error.with_retry_after(seconds.max(1))
        })
    }
}

/// The causes of an error, outermost first, as a list of their messages (as the layer logs `error.sources`).
struct Sources<'e>(&'e SessionStoreError);

impl fmt::Debug for Sources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        let mut source = StdError::source(self.0);
        while let Some(error) = source {
            list.entry(&error.to_string());
            source = error.source();
        }
        list.finish()
    }
}

/// What [`BoundedStore::update`] does with the record its decision looked at.
pub(crate) enum Change<T> {
    /// Nothing to write.
    Keep(T),
    /// Write the changed record.
    Write(T),
}

/// The stripe of the session `handle`.
fn stripe_of(handle: &str) -> usize {
    use std::hash::{BuildHasher as _, BuildHasherDefault, DefaultHasher};
    // Handles are random, so a fixed hasher spreads them evenly; nothing depends on which stripe is which.
    let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(handle);
    // The remainder is below STRIPES, which fits in usize.
    usize::try_from(hash % STRIPES as u64).unwrap_or(0)
}

/// How many times an update is decided again after losing a compare-and-swap.
const MAX_UPDATE_ATTEMPTS: u32 = 16;

/// How long a store must keep `record`: until it expires by the recipe's clock, and at least a second.
fn ttl(record: &SessionRecord, now: u64) -> Duration {
    Duration::from_secs(record.expires_at.saturating_sub(now).max(1))
}
