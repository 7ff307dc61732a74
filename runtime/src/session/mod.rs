//! The session recipe: SuperTokens' sessions for axum, raising the four session errors from real flows.
//!
//! [`Sessions`] holds the configuration and the store. A sign-in route calls
//! [`create_new_session`](Sessions::create_new_session) and returns its cookies; protected routes take a
//! [`Session`], or sit behind [`Sessions::require_session`], a route layer that also requires claims;
//! [`Sessions::router`] adds the refresh and sign-out endpoints. Everything that goes wrong with a
//! session is a [`SessionError`], which answers in SuperTokens' wire form on its own and reaches the
//! `session =>` callbacks of a handler set; a failing store is a [`SessionStoreError`], a 503.
//!
//! ```
//! use axum::{routing::{get, post}, Router};
//! use errorhandler::session::{NewSession, Session, SessionConfig, SessionFailure, Sessions};
//! use axum::extract::State;
//!
//! async fn sign_in(State(sessions): State<Sessions>) -> Result<(NewSession, &'static str), SessionFailure> {
//!     // ... check the credentials ...
//!     let new = sessions.create_new_session("alice", serde_json::json!({ "st-role": ["admin"] })).await?;
//!     Ok((new, "signed in"))
//! }
//!
//! async fn me(session: Session) -> String {
//!     session.user_id().to_owned()
//! }
//!
//! let sessions = Sessions::new(SessionConfig::builder().build().unwrap());
//! let app: Router = Router::new()
//!     .route("/sign-in", post(sign_in))
//!     .route("/me", get(me))
//!     .merge(sessions.router())
//!     .with_state(sessions);
//! ```
//!
//! # Token lifecycle
//!
//! A session has two tokens, in `HttpOnly` cookies:
//!
//! - **`sAccessToken`** (path `/`): `base64url(claims) "." base64url(HMAC-SHA256)`, claims being the session
//!   handle, the user id, issue and expiry times, the user's payload and the hash of the refresh token minted
//!   with it. It lives for the access-token lifetime (one hour by default) and is verified by its signature
//!   alone, with no store lookup, except once after a refresh (below). A malformed or forged token is
//!   *unauthorised*; an expired one is *try refresh token*, which tells the frontend to call the refresh
//!   endpoint and retry. Being trusted until it expires, an access token outlives a revocation by at most its
//!   lifetime; [`Session::check_database`] asks the store for routes that cannot wait.
//! - **`sRefreshToken`** (path: the refresh endpoint only): 256 random bits from the OS with the session handle
//!   and the parent token's hash, sealed with HMAC-SHA256 under a key derived from the signing secret. The store
//!   keeps only the SHA-256 hash of the session's current one. Each refresh replaces it (rotation); each commit
//!   of a rotation extends the session by the refresh-token lifetime (100 days by default), and a session not
//!   refreshed for that long expires, its tokens then *unauthorised*.
//!
//! # Rotation and theft detection
//!
//! As in SuperTokens' core, a refresh token is sealed with the app's key and carries its session handle and the
//! hash of the token it was minted from (its parent). The store keeps, per session, only the hash of the
//! *current* refresh token, so any number of children of the current token coexist with nothing pending in the
//! store, and any app instance sharing the store and the secret can judge any token.
//!
//! | event | state | effect |
//! |---|---|---|
//! | refresh with token `T` | `T` is current | mint a child of `T`; the store is not written |
//! | refresh with token `T` | `T`'s parent is current | commit: `T` becomes current; then mint a child of `T` |
//! | first use of an access token minted with child `C` | `C`'s parent is current | commit `C` |
//! | refresh with token `T` of a live session | neither | **theft**: revoke the session, raise `TokenTheftDetected` |
//! | refresh with token `T` | no live session, or not sealed with the app's key | *unauthorised*, cookies cleared |
//!
//! A client that retries a refresh, loses responses, or refreshes any number of times with one token holds
//! children of the current token, which all work; the first one it uses (to refresh, or through its access
//! token) becomes current. A commit is a compare-and-swap on the session's record, retried from a fresh read
//! when another request changed it first, so concurrent requests on any number of instances see one order of
//! events. Once a child is committed, its parent and its siblings are theft. An access token minted by a
//! refresh is accepted whatever the commit finds (as in SuperTokens), and once committed it is verified without
//! the store again in this process; if the store fails during that commit, the token is accepted and the commit
//! deferred to its next use.
//!
//! The one race this cannot tell from theft is a refresh still in flight with a token that another tab's
//! refresh has already committed (by using its new access token): as in SuperTokens, whose frontend serialises
//! refreshes across tabs, the client must not refresh twice at once with the same token and then use one result
//! before the other returns.
//!
//! # Cookies and CSRF
//!
//! Both cookies are `HttpOnly`, with the configured `Secure`, `SameSite` and `Domain`, and are cleared with the
//! same attributes, an empty value, `Max-Age=0` and an `Expires` in the past: on theft, on *unauthorised* when
//! the tokens are of no further use, and at sign-out. With `SameSite=None`, requests whose method is not GET,
//! HEAD or OPTIONS must carry the header `rid` (SuperTokens' `VIA_CUSTOM_HEADER`), or they are *unauthorised*;
//! [`AntiCsrf::ViaToken`] asks for the `anti-csrf` token instead.
//!
//! # SuperTokens' frontends
//!
//! The official frontend SDK (`supertokens-web-js`, `supertokens-website`) drives the recipe: every response
//! that sets an access token carries the `front-token` header the SDK reads, every response that ends the
//! session carries `front-token: remove`, tokens travel in headers for a client that asks with
//! `st-auth-mode: header` ([`TokenTransferMethod`], [`Sessions::create_new_session_for`]), and [`cors`] sets up
//! tower-http's `CorsLayer` for a page on another origin. The README has the table of headers.
//!
//! # Logs
//!
//! The recipe logs with `tracing`, in structured fields, under the targets `errorhandler::session::*`:
//!
//! | event | level | fields |
//! |---|---|---|
//! | token theft detected | `WARN` | `session_handle`, `user_id`, hashes of the tokens involved |
//! | a store call failed or timed out | `ERROR` | `operation`, `timed_out`, `error`, `error.sources` |
//! | a session changed under too many updates at once | `ERROR` | `session_handle`, `error` |
//! | a refresh's commit deferred by a failing store | `WARN` | `session_handle`, `error` |
//!
//! The hashes of a theft (`refresh_token.hash`, `refresh_token.parent_hash`, `current_refresh_token.hash`) are
//! shortened to tell the tokens apart. No event holds a token, a signing secret or an anti-CSRF token, and neither
//! does the `Debug` output of the recipe's types ([`NewSession`], [`SessionTokens`], [`SessionConfig`], and
//! `RedisStoreConfig`, whose URL loses its credentials). The header values that carry tokens (the `sAccessToken`
//! and `sRefreshToken` cookies, `st-access-token`, `st-refresh-token`, `anti-csrf`) are marked
//! [sensitive](http::HeaderValue::set_sensitive): HTTP/2 keeps them out of its compression tables, and a layer
//! that logs headers (tower-http's `TraceLayer` with `include_headers(true)`) shows `Sensitive` in their place.

#[doc(hidden)]
pub mod __private;
mod anti_csrf;
mod callbacks;
mod claims;
mod clock;
mod config;
mod cookies;
pub mod cors;
mod error;
mod extract;
mod headers;
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

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use axum::response::{IntoResponseParts, ResponseParts};

pub use callbacks::{SessionErrorHandlers, SessionErrorSet};
pub use claims::{BooleanClaim, ClaimValidator, MaxAgeClaim, RoleClaim};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AntiCsrf, ConfigError, SameSite, SessionConfig, SessionConfigBuilder, TokenReuseBehaviour,
};
pub use cookies::{
    ACCESS_TOKEN_COOKIE, LEGACY_ID_REFRESH_TOKEN_COOKIE, REFRESH_TOKEN_COOKIE, SessionTokens,
};
pub use error::{
    ClaimValidationError, DuplicateSessionCookiesError, RandomnessError, SessionError,
    SessionErrorKind, SessionFailure, SessionLimitError, SessionStoreError, TokenReuse,
};
pub use extract::Session;
pub use headers::{
    ACCESS_TOKEN_HEADER, ANTI_CSRF_HEADER, AUTH_MODE_HEADER, FDI_VERSION_HEADER,
    FRONT_TOKEN_HEADER, REFRESH_TOKEN_HEADER, RID_HEADER,
};
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
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

    /// The recipe with `config` and `store`.
    pub fn with_store(config: SessionConfig, store: impl SessionStore) -> Self {
        Self::with_shared_store(config, Arc::new(store))
    }

    /// The recipe with `config` and a store the caller keeps a handle to.
    pub fn with_shared_store(config: SessionConfig, store: Arc<dyn SessionStore>) -> Self {
        let store = BoundedStore::new(store, config.store_timeout());
        Self {
            inner: Arc::new(Recipe { config, store }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
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
        let payload = tokens::app_claims(payload)
            .map(serde_json::Value::Object)
            .map_err(|message| SessionLimitError(format!("no session was created: {message}")))?;
        let handle = tokens::new_session_handle()?;
        let (refresh_token, refresh_hash) =
            tokens::new_refresh_token(&handle, None, &config.keys.refresh)?;
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
        let access_token = tokens::sign(&claims, &config.keys.access);
        // Before anything is stored: a session whose access token the recipe refuses could never be used.
        if let Some(message) = tokens::refused_back(&access_token, &user_id, &payload) {
            return Err(SessionLimitError(format!("no session was created: {message}")).into());
        }
        let record = SessionRecord {
            handle: handle.clone(),
            user_id: user_id.clone(),
            payload,
            created_at: now,
            expires_at: now.saturating_add(config.refresh_lifetime),
            current_refresh_hash: refresh_hash,
            previous_refresh_hash: None,
            rotated_at_ms: None,
            version: 0,
        };
        self.store().create(&record, now).await?;
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
