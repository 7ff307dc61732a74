//! `MemoryStore`: the embedded store, one process's sessions in a map.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::SessionStoreError;
use super::store::{SessionRecord, SessionStore};
use super::tokens::TokenHash;

/// Sessions in the memory of one process; the default store.
///
/// Every operation holds one lock for a few map operations and never across an `.await`, which makes the
/// compare-and-swap atomic. A queue ordered by time to live lets every write drop the sessions whose time has
/// come, so memory holds live sessions only, and the map gives its room back once it is mostly empty. An index by
/// user makes listing and revoking a user's sessions cost their number, not a scan of the store. Sessions do not
/// survive a restart and are not shared between processes: use a networked [`SessionStore`] (such as
/// `RedisStore`, feature `redis`) for that.
///
/// A session with a small payload (`{"st-role":["user"],"st-ev":false}`) costs 428 bytes of allocations and about
/// 480 bytes of resident memory when every session is another user's (its place in the expiry queue and in the
/// user index, and the previous refresh token's hash and rotation time that the grace period needs, included),
/// measured over 100,000 sessions by `tests/tests/memory.rs`; a larger payload adds its length as JSON. The payload
/// is kept as compact JSON text and parsed back when a session is loaded (a `serde_json::Value` map costs over 600
/// bytes even for two keys), and the handle and the user id are allocated once and shared.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<Arc<str>, Entry>,
    /// The handles of each user's sessions, so that listing or revoking a user's sessions costs their number, not
    /// the store's.
    by_user: HashMap<Arc<str>, Vec<Arc<str>>>,
    /// One entry per session stored: when to look at it again, earliest first. A session whose time to live was
    /// extended since is queued again for its new time when its old one comes, so updates add no entries.
    expiring: BinaryHeap<Reverse<(u64, Arc<str>)>>,
    /// What `keep_until` counts from.
    epoch: Option<Instant>,
}

/// A [`SessionRecord`] without its handle (the map's key), in as few bytes as it takes.
#[derive(Debug)]
struct Entry {
    /// Shared with the user's index.
    user_id: Arc<str>,
    /// The payload as compact JSON.
    payload: Box<str>,
    created_at: u64,
    expires_at: u64,
    current_refresh_hash: TokenHash,
    previous_refresh_hash: Option<TokenHash>,
    rotated_at_ms: Option<u64>,
    version: u64,
    /// When the store may drop the record, in seconds since the store's epoch.
    keep_until: u64,
}

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
    /// Seconds since the store's epoch: rounded down to judge expiry and up to set it, so that a record is never
    /// dropped before its time to live.
    fn elapsed(&mut self) -> (u64, u64) {
        let epoch = *self.epoch.get_or_insert_with(Instant::now);
        let elapsed = epoch.elapsed();
        let down = elapsed.as_secs();
        (down, down + u64::from(elapsed.subsec_nanos() > 0))
    }

    /// Drops the sessions whose time to live is over: the cost of a write is the sessions it finds expired.
    fn expire(&mut self, now: u64) {
        let mut dropped = false;
        while let Some(Reverse((due, _))) = self.expiring.peek()
            && *due <= now
        {
            let Some(Reverse((_, handle))) = self.expiring.pop() else {
                break;
            };
            match self.sessions.get(&handle).map(|entry| entry.keep_until) {
                Some(keep_until) if keep_until <= now => {
                    self.remove(&handle);
                    dropped = true;
                }
                // Extended since it was queued: look again at its new time.
                Some(keep_until) => self.expiring.push(Reverse((keep_until, handle))),
                // Deleted since.
                None => {}
            }
        }
        // A map keeps its largest size; give the room back once most of it is empty.
        if dropped
            && self.sessions.capacity() > 64
            && self.sessions.len() < self.sessions.capacity() / 4
        {
            self.sessions.shrink_to_fit();
            self.expiring.shrink_to_fit();
            self.by_user.shrink_to_fit();
        }
    }

    /// Removes the session `handle` and its place in its user's index.
    fn remove(&mut self, handle: &str) -> Option<Entry> {
        let entry = self.sessions.remove(handle)?;
        if let Some(handles) = self.by_user.get_mut(&*entry.user_id) {
            if let Some(position) = handles.iter().position(|indexed| &**indexed == handle) {
                handles.swap_remove(position);
            }
            if handles.is_empty() {
                self.by_user.remove(&*entry.user_id);
            }
        }
        Some(entry)
    }

    fn put(&mut self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        let (now, now_rounded_up) = self.elapsed();
        self.expire(now);
        let payload = serde_json::to_string(&record.payload).map_err(|error| {
            SessionStoreError::new("the payload cannot be written as JSON").with_source(error)
        })?;
        let keep_until = now_rounded_up.saturating_add(ttl.as_secs().max(1));
        if let Some(stored) = self.sessions.get_mut(record.handle.as_str()) {
            // An update: the session keeps its place in the index (its user never changes).
            stored.update(record, payload.into_boxed_str(), keep_until);
            return Ok(());
        }
        // One allocation of the handle, shared by the map, the expiry queue and the user's index; one of the user
        // id, shared by the user's sessions and the index.
        let handle: Arc<str> = record.handle.as_str().into();
        let user_id = match self.by_user.get_key_value(record.user_id.as_str()) {
            Some((user_id, _)) => Arc::clone(user_id),
            None => record.user_id.as_str().into(),
        };
        self.by_user
            .entry(Arc::clone(&user_id))
            .or_insert_with(|| Vec::with_capacity(1))
            .push(Arc::clone(&handle));
        self.expiring
            .push(Reverse((keep_until, Arc::clone(&handle))));
        let mut entry = Entry {
            user_id,
            payload: Box::default(),
            created_at: record.created_at,
            expires_at: 0,
            current_refresh_hash: record.current_refresh_hash,
            previous_refresh_hash: None,
            rotated_at_ms: None,
            version: 0,
            keep_until,
        };
        entry.update(record, payload.into_boxed_str(), keep_until);
        self.sessions.insert(handle, entry);
        Ok(())
    }
}

impl Entry {
    /// Takes what an update of the session may change.
    fn update(&mut self, record: &SessionRecord, payload: Box<str>, keep_until: u64) {
        self.payload = payload;
        self.created_at = record.created_at;
        self.expires_at = record.expires_at;
        self.current_refresh_hash = record.current_refresh_hash;
        self.previous_refresh_hash = record.previous_refresh_hash;
        self.rotated_at_ms = record.rotated_at_ms;
        self.version = record.version;
        self.keep_until = keep_until;
    }

    fn record(&self, handle: &str) -> Result<SessionRecord, SessionStoreError> {
        let payload = serde_json::from_str(&self.payload).map_err(|error| {
            SessionStoreError::new("a stored payload cannot be read back").with_source(error)
        })?;
        Ok(SessionRecord {
            handle: handle.to_owned(),
            user_id: self.user_id.as_ref().to_owned(),
            payload,
            created_at: self.created_at,
            expires_at: self.expires_at,
            current_refresh_hash: self.current_refresh_hash,
            previous_refresh_hash: self.previous_refresh_hash,
            rotated_at_ms: self.rotated_at_ms,
            version: self.version,
        })
    }
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, record: &SessionRecord, ttl: Duration) -> Result<(), SessionStoreError> {
        self.lock().put(record, ttl)
    }

    async fn load(&self, handle: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        self.lock()
            .sessions
            .get(handle)
            .map(|entry| entry.record(handle))
            .transpose()
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
            .get(record.handle.as_str())
            .is_some_and(|entry| entry.version == expected_version);
        if unchanged {
            inner.put(record, ttl)?;
        }
        Ok(unchanged)
    }

    async fn delete(&self, handle: &str) -> Result<bool, SessionStoreError> {
        Ok(self.lock().remove(handle).is_some())
    }

    async fn list_by_user(&self, user_id: &str) -> Result<Vec<SessionRecord>, SessionStoreError> {
        let inner = self.lock();
        let Some(handles) = inner.by_user.get(user_id) else {
            return Ok(Vec::new());
        };
        handles
            .iter()
            .filter_map(|handle| Some(inner.sessions.get(handle)?.record(handle)))
            .collect()
    }

    async fn delete_by_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        let mut inner = self.lock();
        let handles = inner.by_user.remove(user_id).unwrap_or_default();
        Ok(handles
            .into_iter()
            .filter(|handle| inner.sessions.remove(handle).is_some())
            .map(|handle| handle.to_string())
            .collect())
    }
}

#[cfg(test)]
mod expiry_tests {
    use super::*;

    fn record(handle: &str, version: u64) -> SessionRecord {
        SessionRecord {
            handle: handle.to_owned(),
            user_id: "alice".to_owned(),
            payload: serde_json::json!({}),
            created_at: 0,
            expires_at: 100,
            current_refresh_hash: TokenHash::of(handle),
            previous_refresh_hash: None,
            rotated_at_ms: None,
            version,
        }
    }

    #[test]
    fn a_write_drops_exactly_the_sessions_whose_time_has_come_and_an_extended_one_waits() {
        let mut inner = Inner::default();
        let secs = Duration::from_secs;
        inner.put(&record("short", 0), secs(10)).unwrap();
        inner.put(&record("long", 0), secs(30)).unwrap();
        inner.put(&record("extended", 0), secs(10)).unwrap();
        // An update extends "extended" without queueing it again.
        inner.put(&record("extended", 1), secs(40)).unwrap();
        assert_eq!(inner.expiring.len(), 3);

        inner.expire(5);
        assert_eq!(inner.sessions.len(), 3);
        inner.expire(12);
        assert!(!inner.sessions.contains_key("short"));
        assert!(
            inner.sessions.contains_key("extended"),
            "its time was extended"
        );
        assert!(inner.sessions.contains_key("long"));
        assert_eq!(
            inner.expiring.len(),
            2,
            "the extended session is queued again, once"
        );

        inner.sessions.remove("long");
        inner.expire(100);
        assert!(inner.sessions.is_empty());
        assert!(
            inner.expiring.is_empty(),
            "a deleted session's entry goes too"
        );
    }
}
