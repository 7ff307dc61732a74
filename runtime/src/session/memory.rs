//! `MemoryStore`: the embedded store, one process's sessions in a map.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::SessionStoreError;
use super::store::{SessionRecord, SessionStore};

/// Sessions in the memory of one process; the default store.
///
/// Every operation holds one lock for a few map operations and never across an `.await`, which makes the
/// compare-and-swap atomic. Sessions past their time to live are swept at most once a minute, on a write, so
/// memory holds only live sessions. Sessions do not survive a restart and are not shared between processes:
/// use a networked [`SessionStore`] (such as `RedisStore`, feature `redis`) for that.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, Entry>,
    next_sweep: Option<Instant>,
}

#[derive(Debug)]
struct Entry {
    record: SessionRecord,
    /// When the store may drop the record.
    keep_until: Instant,
}

/// Time between two sweeps of sessions past their time to live.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many sessions the store holds, expired ones not yet swept included.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Whether the store holds no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every operation leaves the map consistent before it can panic, so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn sweep(&mut self, now: Instant) {
        if self.next_sweep.is_some_and(|next| now < next) {
            return;
        }
        self.next_sweep = Some(now + SWEEP_INTERVAL);
        self.sessions.retain(|_, entry| entry.keep_until > now);
    }

    fn put(&mut self, record: &SessionRecord, ttl: Duration) {
        let now = Instant::now();
        self.sweep(now);
        self.sessions.insert(
            record.handle.clone(),
            Entry {
                record: record.clone(),
                keep_until: now + ttl,
            },
        );
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        self.lock().put(record, ttl);
        Ok(())
    }

    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        Ok(self
            .lock()
            .sessions
            .get(handle)
            .map(|entry| entry.record.clone()))
    }

    async fn compare_and_swap(
        &self,
        expected_version: u64,
        record: &SessionRecord,
        ttl: Duration,
    ) -> Result<bool, SessionStoreError> {
        let mut inner = self.lock();
        let unchanged = inner
            .sessions
            .get(&record.handle)
            .is_some_and(|entry| entry.record.version == expected_version);
        if unchanged {
            inner.put(record, ttl);
        }
        Ok(unchanged)
    }

    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        Ok(self.lock().sessions.remove(handle).is_some())
    }

    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        Ok(self
            .lock()
            .sessions
            .values()
            .filter(|entry| entry.record.user_id == user_id)
            .map(|entry| entry.record.clone())
            .collect())
    }

    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        let mut inner = self.lock();
        let mut deleted = Vec::new();
        inner.sessions.retain(|handle, entry| {
            let keep = entry.record.user_id != user_id;
            if !keep {
                deleted.push(handle.clone());
            }
            keep
        });
        Ok(deleted)
    }
}
