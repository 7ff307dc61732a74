//! Where sessions live: the `SessionStore` trait, whose state-changing operations are atomic.

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use super::error::SessionStoreError;
use super::rotation::{CommitStep, RefreshState, RefreshStep};
use super::tokens::TokenHash;

/// A session as the store keeps it; the refresh tokens only as hashes.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The rotation state of its refresh tokens.
    pub refresh: RefreshState,
}

/// The outcome of [`SessionStore::rotate`].
#[derive(Debug, Clone)]
pub enum Rotation {
    /// A child was minted; the access token to issue names `parent` and carries the session's payload.
    Rotated {
        /// The session after the rotation.
        session: SessionRecord,
        /// The hash of the refresh token the child descends from.
        parent: TokenHash,
    },
    /// The token was superseded: the store has revoked the session in the same atomic operation.
    TheftDetected {
        /// The revoked session.
        handle: String,
        /// Its user.
        user_id: String,
    },
    /// No live session knows the token.
    Unknown,
}

/// Storage for sessions, shared by every instance of an app; `Arc<S>` is a store when `S` is.
///
/// `rotate`, `commit` and `revoke` each change a session in one atomic operation, so that a networked store
/// (SQL in a transaction with `SELECT ... FOR UPDATE`, Redis with `WATCH` or a script) is as correct as
/// [`MemoryStore`](super::MemoryStore) under concurrent requests. `rotate` and `commit` apply
/// [`RefreshState::refresh`] and [`RefreshState::use_access_token`] inside that operation: the rules of
/// rotation live there, not in each store. A session whose `expires_at` is not after `now` counts as absent.
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session.
    fn create(
        &self,
        session: SessionRecord,
    ) -> impl Future<Output = Result<(), SessionStoreError>> + Send;

    /// The live session `handle`, if there is one.
    fn get(
        &self,
        handle: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<SessionRecord>, SessionStoreError>> + Send;

    /// Atomically: finds the live session that knows `presented`, applies [`RefreshState::refresh`] with
    /// `child`, sets its `expires_at` on a rotation, and deletes the session on theft.
    fn rotate(
        &self,
        presented: &TokenHash,
        child: TokenHash,
        now: u64,
        expires_at: u64,
    ) -> impl Future<Output = Result<Rotation, SessionStoreError>> + Send;

    /// Atomically: applies [`RefreshState::use_access_token`] with `own` to the live session `handle`;
    /// `None` when there is no such session.
    fn commit(
        &self,
        handle: &str,
        own: &TokenHash,
        now: u64,
    ) -> impl Future<Output = Result<Option<CommitStep>, SessionStoreError>> + Send;

    /// Deletes the session `handle`; whether it existed.
    fn revoke(&self, handle: &str) -> impl Future<Output = Result<bool, SessionStoreError>> + Send;

    /// Deletes every session of `user_id`; their handles.
    fn revoke_all_for_user(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, SessionStoreError>> + Send;

    /// The handles of the live sessions of `user_id`.
    fn handles_for_user(
        &self,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<String>, SessionStoreError>> + Send;

    /// Replaces the payload of the live session `handle`; whether it existed.
    fn update_payload(
        &self,
        handle: &str,
        payload: serde_json::Value,
        now: u64,
    ) -> impl Future<Output = Result<bool, SessionStoreError>> + Send;
}

/// Applies a refresh to a session found by one of its hashes: the body of every store's `rotate`.
///
/// On [`Rotation::TheftDetected`] the caller deletes the session within the same atomic operation.
pub fn apply_refresh(
    session: &mut SessionRecord,
    presented: &TokenHash,
    child: TokenHash,
    expires_at: u64,
) -> Rotation {
    match session.refresh.refresh(presented, child) {
        RefreshStep::Rotated { parent } => {
            session.expires_at = expires_at;
            Rotation::Rotated {
                session: session.clone(),
                parent,
            }
        }
        RefreshStep::TheftDetected => Rotation::TheftDetected {
            handle: session.handle.clone(),
            user_id: session.user_id.clone(),
        },
        RefreshStep::Unknown => Rotation::Unknown,
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`SessionStore`] with boxed futures, so that the recipe can hold any store behind one pointer.
pub(crate) trait DynStore: Send + Sync + 'static {
    fn create(&self, session: SessionRecord) -> BoxFuture<'_, Result<(), SessionStoreError>>;
    fn get<'a>(
        &'a self,
        handle: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>>;
    fn rotate<'a>(
        &'a self,
        presented: &'a TokenHash,
        child: TokenHash,
        now: u64,
        expires_at: u64,
    ) -> BoxFuture<'a, Result<Rotation, SessionStoreError>>;
    fn commit<'a>(
        &'a self,
        handle: &'a str,
        own: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<CommitStep>, SessionStoreError>>;
    fn revoke<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<bool, SessionStoreError>>;
    fn revoke_all_for_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>>;
    fn handles_for_user<'a>(
        &'a self,
        user_id: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>>;
    fn update_payload<'a>(
        &'a self,
        handle: &'a str,
        payload: serde_json::Value,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>>;
}

impl<S: SessionStore> DynStore for S {
    fn create(&self, session: SessionRecord) -> BoxFuture<'_, Result<(), SessionStoreError>> {
        Box::pin(SessionStore::create(self, session))
    }
    fn get<'a>(
        &'a self,
        handle: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>> {
        Box::pin(SessionStore::get(self, handle, now))
    }
    fn rotate<'a>(
        &'a self,
        presented: &'a TokenHash,
        child: TokenHash,
        now: u64,
        expires_at: u64,
    ) -> BoxFuture<'a, Result<Rotation, SessionStoreError>> {
        Box::pin(SessionStore::rotate(
            self, presented, child, now, expires_at,
        ))
    }
    fn commit<'a>(
        &'a self,
        handle: &'a str,
        own: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<CommitStep>, SessionStoreError>> {
        Box::pin(SessionStore::commit(self, handle, own, now))
    }
    fn revoke<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(SessionStore::revoke(self, handle))
    }
    fn revoke_all_for_user<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>> {
        Box::pin(SessionStore::revoke_all_for_user(self, user_id))
    }
    fn handles_for_user<'a>(
        &'a self,
        user_id: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Vec<String>, SessionStoreError>> {
        Box::pin(SessionStore::handles_for_user(self, user_id, now))
    }
    fn update_payload<'a>(
        &'a self,
        handle: &'a str,
        payload: serde_json::Value,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(SessionStore::update_payload(self, handle, payload, now))
    }
}

impl<S: SessionStore> SessionStore for std::sync::Arc<S> {
    fn create(
        &self,
        session: SessionRecord,
    ) -> impl Future<Output = Result<(), SessionStoreError>> + Send {
        (**self).create(session)
    }
    fn get(
        &self,
        handle: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<SessionRecord>, SessionStoreError>> + Send {
        (**self).get(handle, now)
    }
    fn rotate(
        &self,
        presented: &TokenHash,
        child: TokenHash,
        now: u64,
        expires_at: u64,
    ) -> impl Future<Output = Result<Rotation, SessionStoreError>> + Send {
        (**self).rotate(presented, child, now, expires_at)
    }
    fn commit(
        &self,
        handle: &str,
        own: &TokenHash,
        now: u64,
    ) -> impl Future<Output = Result<Option<CommitStep>, SessionStoreError>> + Send {
        (**self).commit(handle, own, now)
    }
    fn revoke(&self, handle: &str) -> impl Future<Output = Result<bool, SessionStoreError>> + Send {
        (**self).revoke(handle)
    }
    fn revoke_all_for_user(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, SessionStoreError>> + Send {
        (**self).revoke_all_for_user(user_id)
    }
    fn handles_for_user(
        &self,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<String>, SessionStoreError>> + Send {
        (**self).handles_for_user(user_id, now)
    }
    fn update_payload(
        &self,
        handle: &str,
        payload: serde_json::Value,
        now: u64,
    ) -> impl Future<Output = Result<bool, SessionStoreError>> + Send {
        (**self).update_payload(handle, payload, now)
    }
}
