#![doc = include_str!("../docs/session.md")]

#[doc(hidden)]
pub mod __private;
mod anti_csrf;
mod claims;
mod clock;
mod config;
mod cookies;
pub mod cors;
mod error;
mod extract;
mod headers;
mod keys;
mod memory;
mod payload;
#[cfg(feature = "redis")]
mod redis;
mod require;
mod rotation;
mod routes;
mod store;
mod tokens;
mod transfer;
mod transfer_method;
mod verified;

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use axum::response::{IntoResponseParts, ResponseParts};

pub use claims::{BooleanClaim, ClaimValidator, MaxAgeClaim, RoleClaim};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AntiCsrf, ConfigError, SameSite, SessionCapPolicy, SessionConfig, SessionConfigBuilder,
    TokenReuseBehaviour,
};
pub use cookies::SessionTokens;
pub use error::{
    ClaimValidationError, DuplicateSessionCookiesError, RandomnessError, SessionCapError,
    SessionError, SessionErrorKind, SessionFailure, SessionLimitError, SessionStoreError,
    TokenReuse,
};
pub use extract::Session;
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::{RedisStore, RedisStoreConfig};
pub use require::{RequireSession, RequireSessionService};
pub use store::{SessionRecord, SessionStore};
pub use tokens::TokenHash;
pub use transfer_method::TokenTransferMethod;

/// Implements [`SessionStore`] with `async fn`s (the `async-trait` crate, re-exported).
pub use async_trait::async_trait;

/// Declares SuperTokens-style callbacks for the four session errors on an `impl` block.
///
/// ```
/// use axum::{http::StatusCode, response::IntoResponse, Json};
/// use errorhandler::session::session_error_handlers;
///
/// pub struct AuthErrors;
///
/// #[session_error_handlers]
/// impl AuthErrors {
///     async fn on_unauthorised(message: &str) -> impl IntoResponse {
///         (StatusCode::UNAUTHORIZED, Json(serde_json::json!({ "error_msg": message })))
///     }
/// }
///
/// let app: axum::Router = axum::Router::new().layer(AuthErrors::layer());
/// ```
pub use errorhandler_macros::session_error_handlers;

use store::BoundedStore;
use tokens::AccessClaims;

/// The session recipe: configuration and store, cheap to clone; give it to the router as state.
///
/// [`Session`] and the endpoints read it from the router's state: `.with_state(sessions)` when it is the only
/// state, or `impl FromRef<AppState> for Sessions` (or `#[derive(FromRef)]`) when the app has its own.
#[derive(Clone)]
pub struct Sessions {
    inner: Arc<Recipe>,
}

struct Recipe {
    config: SessionConfig,
    store: BoundedStore,
    verified: verified::VerifiedTokens,
}

/// A session just created: its handle, and the cookies (or token headers) to return with the response.
///
/// Its `Debug` output shows the handle, the user and the cookies' attributes, never a token.
#[derive(Debug, Clone)]
#[must_use = "the session cookies are only set when returned with the response"]
pub struct NewSession {
    handle: String,
    user_id: String,
    tokens: SessionTokens,
}

impl Sessions {
    /// The recipe with `config` and a [`MemoryStore`].
    pub fn new(config: SessionConfig) -> Self {
        Self::with_store(config, MemoryStore::new())
    }

    /// The recipe with `config` and `store`; an `Arc` of a store serves as one, so the caller can keep a handle.
    pub fn with_store(config: SessionConfig, store: impl SessionStore) -> Self {
        let store = BoundedStore::new(Arc::new(store), config.store_timeout());
        Self {
            inner: Arc::new(Recipe {
                config,
                store,
                verified: verified::VerifiedTokens::default(),
            }),
        }
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &SessionConfig {
        &self.inner.config
    }

    /// Creates a session for `user_id` whose access tokens carry `payload`.
    ///
    /// Its tokens travel in cookies, unless the configuration accepts headers only; use
    /// [`create_new_session_for`](Self::create_new_session_for) to follow the request's `st-auth-mode`.
    ///
    /// A user id and payload that would make an access token longer than the recipe accepts back (16 KiB), or a
    /// payload nested deeper than JSON is read back, fail here with a [`SessionLimitError`] (a 500; its message
    /// says which part is too large), and nothing is stored: such a session could never be used.
    pub async fn create_new_session(
        &self,
        user_id: impl Into<String>,
        payload: serde_json::Value,
    ) -> Result<NewSession, SessionFailure> {
        self.create_session(None, user_id.into(), payload).await
    }

    async fn create_session(
        &self,
        request: Option<&http::HeaderMap>,
        user_id: String,
        payload: serde_json::Value,
    ) -> Result<NewSession, SessionFailure> {
        let config = &self.inner.config.inner;
        if let Some(headers) = request
            && config.sign_in_revokes_current_session
        {
            self.revoke_current_session(headers).await?;
        }
        if let Some((max, SessionCapPolicy::Refuse)) = config.session_cap {
            let live = self
                .store()
                .live_handles_of_user(&user_id, config.now())
                .await?;
            if live.len() >= max {
                return Err(SessionCapError { user_id, max }.into());
            }
        }
        let payload = tokens::app_claims(payload)
            .map(serde_json::Value::Object)
            .map_err(|message| SessionLimitError(format!("no session was created: {message}")))?;
        let handle = tokens::new_session_handle()?;
        let (refresh_token, refresh_hash) =
            tokens::new_refresh_token(&handle, None, config.keys.refresh())?;
        let now = config.now();
        let transfer = transfer::for_new_session(config, request);
        let claims = self.access_claims(
            handle.clone(),
            user_id.clone(),
            payload.clone(),
            now,
            refresh_hash,
            transfer,
        );
        let access_token = self.sign_access_token(&claims)?;
        // Before anything is stored: a session whose access token the recipe refuses could never be used.
        if let Some(message) = tokens::refused_back(&access_token, &user_id, &payload) {
            return Err(SessionLimitError(format!("no session was created: {message}")).into());
        }
        let record = SessionRecord {
            handle: handle.clone(),
            user_id: user_id.clone(),
            payload,
            created_at: now,
            expires_at: config.session_expiry(now, now),
            current_refresh_hash: refresh_hash,
            previous_refresh_hash: None,
            rotated_at_ms: None,
            version: 0,
        };
        self.store().create(&record, now).await?;
        if let Some((max, SessionCapPolicy::RevokeOldest)) = config.session_cap {
            self.revoke_oldest_beyond(&user_id, max, now).await?;
        }
        let tokens = transfer::issue(
            config,
            transfer,
            &access_token,
            Some(&refresh_token),
            &claims,
        );
        Ok(NewSession {
            handle,
            user_id,
            tokens,
        })
    }

    /// Revokes the session whose access token the request carries, if it carries one this app signed.
    async fn revoke_current_session(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<(), SessionFailure> {
        let config = &self.inner.config.inner;
        let Some((token, _)) =
            transfer::read_access_token(config, headers, tokens::looks_like_access_token)
        else {
            return Ok(());
        };
        let keys = &config.keys;
        // Expired or not: a sign-in over a session whose access token expired leaves it behind all the same.
        if let Ok(claims) =
            tokens::verify_access_token(token, &keys.window(config.now()), keys.legacy_access())
        {
            self.store().delete(&claims.session_handle).await?;
        }
        Ok(())
    }

    /// Revokes the oldest live sessions of `user_id` (by creation) beyond the `max` newest.
    async fn revoke_oldest_beyond(
        &self,
        user_id: &str,
        max: usize,
        now: u64,
    ) -> Result<(), SessionFailure> {
        let mut live = self.store().live_sessions_of_user(user_id, now).await?;
        if live.len() <= max {
            return Ok(());
        }
        live.sort_by(|a, b| (a.created_at, &a.handle).cmp(&(b.created_at, &b.handle)));
        let excess = live.len() - max;
        for record in live.into_iter().take(excess) {
            self.store().delete(&record.handle).await?;
        }
        Ok(())
    }

    /// Revokes the session `handle`; whether it existed. Its access tokens stay valid until they expire.
    pub async fn revoke_session(&self, handle: &str) -> Result<bool, SessionFailure> {
        Ok(self.store().delete(handle).await?)
    }

    /// Revokes every session of `user_id`; their handles.
    pub async fn revoke_all_sessions_for_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<String>, SessionFailure> {
        Ok(self.store().delete_by_user(user_id).await?)
    }

    /// The handles of the live sessions of `user_id`.
    pub async fn get_all_session_handles_for_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<String>, SessionFailure> {
        let now = self.inner.config.inner.now();
        Ok(self.store().live_handles_of_user(user_id, now).await?)
    }

    pub(crate) fn store(&self) -> &BoundedStore {
        &self.inner.store
    }

    pub(crate) fn verified(&self) -> &verified::VerifiedTokens {
        &self.inner.verified
    }

    /// The access token of `claims`, signed with the key that signs now.
    pub(crate) fn sign_access_token(
        &self,
        claims: &AccessClaims,
    ) -> Result<String, RandomnessError> {
        let config = &self.inner.config.inner;
        let window = config.keys.window(config.now());
        tokens::sign_access_token(claims, window.signing()).map_err(|_| {
            RandomnessError::from_message("the OS random generator failed to sign an access token")
        })
    }

    /// The claims of an access token of the session `session_handle` issued `now` with the refresh token
    /// hashing to `refresh_hash`, for a client whose tokens travel by `transfer`.
    pub(crate) fn access_claims(
        &self,
        session_handle: String,
        user_id: String,
        payload: serde_json::Value,
        now: u64,
        refresh_hash: TokenHash,
        transfer: transfer_method::Transfer,
    ) -> AccessClaims {
        let config = &self.inner.config.inner;
        AccessClaims {
            anti_csrf_token: anti_csrf::token_to_issue(config, transfer, &session_handle),
            session_handle,
            user_id,
            iat: now,
            exp: now.saturating_add(config.access_lifetime),
            refresh_hash,
            parent_hash: None,
            issuer: config.issuer.clone(),
            payload,
        }
    }
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl NewSession {
    /// The new session's handle.
    pub fn handle(&self) -> &str {
        &self.handle
    }

    /// Its user.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The cookies, or in header mode the headers, that carry its tokens, with its `front-token`.
    pub fn tokens(&self) -> &SessionTokens {
        &self.tokens
    }
}

impl IntoResponseParts for NewSession {
    type Error = Infallible;

    fn into_response_parts(self, parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.tokens.into_response_parts(parts)
    }
}
