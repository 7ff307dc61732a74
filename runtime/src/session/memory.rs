//! `MemoryStore`: the embedded store, one process's sessions in a map.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::error::SessionStoreError;
use super::rotation::CommitStep;
use super::store::{Rotation, SessionRecord, SessionStore, apply_refresh};
use super::tokens::TokenHash;

/// Sessions in the memory of one process; the default store.
///
/// Every operation holds one lock for a few map operations and never across an `.await`, which makes each
/// operation atomic. Expired sessions are swept at most once a minute, on a write, so memory holds only live
/// sessions (and each keeps a bounded number of hashes). Sessions do not survive a restart and are not shared
/// between processes: use a networked [`SessionStore`] for that.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, SessionRecord>,
    /// Every hash a session answers to (current, pending, superseded), to find it from a refresh token.
    by_token: HashMap<TokenHash, String>,
    next_sweep: u64,
}

/// Seconds between two sweeps of expired sessions.
const SWEEP_INTERVAL: u64 = 60;

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
        // Every operation leaves the maps consistent before it can panic, so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn live(&self, handle: &str, now: u64) -> Option<&SessionRecord> {
        self.sessions
            .get(handle)
            .filter(|session| session.expires_at > now)
    }

    fn insert(&mut self, session: SessionRecord) {
        for hash in session.refresh.hashes() {
            self.by_token.insert(*hash, session.handle.clone());
        }
        self.sessions.insert(session.handle.clone(), session);
    }

    fn remove(&mut self, handle: &str) -> Option<SessionRecord> {
        let session = self.sessions.remove(handle)?;
        for hash in session.refresh.hashes() {
            self.by_token.remove(hash);
        }
        Some(session)
    }

    fn sweep(&mut self, now: u64) {
        if now < self.next_sweep {
            return;
        }
        self.next_sweep = now.saturating_add(SWEEP_INTERVAL);
        let expired: Vec<String> = self
            .sessions
            .values()
            .filter(|session| session.expires_at <= now)
            .map(|session| session.handle.clone())
            .collect();
        for handle in expired {
            self.remove(&handle);
        }
    }
}

impl SessionStore for MemoryStore {
    async fn create(&self, session: SessionRecord) -> Result<(), SessionStoreError> {
        let mut inner = self.lock();
        inner.sweep(session.created_at);
        inner.insert(session);
        Ok(())
    }

    async fn get(
        &self,
        handle: &str,
        now: u64,
    ) -> Result<Option<SessionRecord>, SessionStoreError> {
        Ok(self.lock().live(handle, now).cloned())
    }

    async fn rotate(
        &self,
        presented: &TokenHash,
        child: TokenHash,
        now: u64,
        expires_at: u64,
    ) -> Result<Rotation, SessionStoreError> {
        let mut inner = self.lock();
        inner.sweep(now);
        let Some(handle) = inner.by_token.get(presented).cloned() else {
            return Ok(Rotation::Unknown);
        };
        if inner.live(&handle, now).is_none() {
            inner.remove(&handle);
            return Ok(Rotation::Unknown);
        }
        // Re-indexed whole: a rotation may forget siblings and old superseded hashes.
        let Some(mut session) = inner.remove(&handle) else {
            return Ok(Rotation::Unknown);
        };
        let rotation = apply_refresh(&mut session, presented, child, expires_at);
        if !matches!(rotation, Rotation::TheftDetected { .. }) {
            inner.insert(session);
        }
        Ok(rotation)
    }

    async fn commit(
        &self,
        handle: &str,
        own: &TokenHash,
        now: u64,
    ) -> Result<Option<CommitStep>, SessionStoreError> {
        let mut inner = self.lock();
        if inner.live(handle, now).is_none() {
            return Ok(None);
        }
        let Some(mut session) = inner.remove(handle) else {
            return Ok(None);
        };
        let step = session.refresh.use_access_token(own);
        inner.insert(session);
        Ok(Some(step))
    }

    async fn revoke(&self, handle: &str) -> Result<bool, SessionStoreError> {
        Ok(self.lock().remove(handle).is_some())
    }

    async fn revoke_all_for_user(&self, user_id: &str) -> Result<Vec<String>, SessionStoreError> {
        let mut inner = self.lock();
        let handles: Vec<String> = inner
            .sessions
            .values()
            .filter(|session| session.user_id == user_id)
            .map(|session| session.handle.clone())
            .collect();
        for handle in &handles {
            inner.remove(handle);
        }
        Ok(handles)
    }

    async fn handles_for_user(
        &self,
        user_id: &str,
        now: u64,
    ) -> Result<Vec<String>, SessionStoreError> {
        let inner = self.lock();
        Ok(inner
            .sessions
            .values()
            .filter(|session| session.user_id == user_id && session.expires_at > now)
            .map(|session| session.handle.clone())
            .collect())
    }

    async fn update_payload(
        &self,
        handle: &str,
        payload: serde_json::Value,
        now: u64,
    ) -> Result<bool, SessionStoreError> {
        let mut inner = self.lock();
        if inner.live(handle, now).is_none() {
            return Ok(false);
        }
        Ok(match inner.sessions.get_mut(handle) {
            Some(session) => {
                session.payload = payload;
                true
            }
            None => false,
        })
    }
}
