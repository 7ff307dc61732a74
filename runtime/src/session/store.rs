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
/// ```
/// use std::time::Duration;
/// use errorhandler::session::{async_trait, SessionRecord, SessionStore, SessionStoreError};
///
/// /// A store that forwards to another and counts the loads.
/// struct Counting<S> { inner: S, loads: std::sync::atomic::AtomicUsize }
///
/// #[async_trait]
/// impl<S: SessionStore> SessionStore for Counting<S> {
///     async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
///         self.inner.create(record, ttl).await
///     }
///     async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
///         self.loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         self.inner.load(handle).await
///     }
///     async fn compare_and_swap(
///         &self, expected_version: u64, record: &SessionRecord, ttl: Duration,
///     ) -> Result<bool, SessionStoreError> {
///         self.inner.compare_and_swap(expected_version, record, ttl).await
///     }
///     async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
///         self.inner.delete(handle).await
///     }
///     async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
///         self.inner.list_by_user(user_id).await
///     }
///     async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
///         self.inner.delete_by_user(user_id).await
///     }
/// }
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
