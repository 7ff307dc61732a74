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
//! - **`sAccessToken`** (path `/`): a JWT (a JWS in compact form) signed with ES256 by the key ring below, whose
//!   header names its `kid`, and whose payload is SuperTokens' v3 access-token payload: `sub` (the user id), `exp`,
//!   `iat`, `sessionHandle`, `refreshTokenHash1` (the hash of the refresh token minted with it),
//!   `parentRefreshTokenHash1` and `antiCsrfToken` (`null` unless set), `iss` when an
//!   [`issuer`](SessionConfigBuilder::issuer) is configured, then the app's claims. The recipe owns those keys: an
//!   app's payload loses them wherever it is given. It lives for the access-token lifetime (one hour by default)
//!   and is verified by its signature alone, with no store lookup. A malformed or forged token, or one whose key is
//!   unknown or retired, is *unauthorised*; an expired one is *try refresh token*, which tells the frontend to call
//!   the refresh endpoint and retry. Being trusted until it expires, an access token outlives a revocation by at
//!   most its lifetime; [`Session::check_database`] asks the store for routes that cannot wait, and also refuses an
//!   access token whose refresh token the session has rotated past.
//! - **`sRefreshToken`** (path: the refresh endpoint only): 256 random bits from the OS with the session handle
//!   and the parent token's hash, sealed with HMAC-SHA256 under a key derived from the root secret. The store
//!   keeps only the SHA-256 hashes of the session's current and previous ones. Each refresh replaces it
//!   (rotation) and extends the session by the refresh-token lifetime (100 days by default); a session not
//!   refreshed for that long expires, its tokens then *unauthorised*.
//!
//! # Keys, and other services verifying a session
//!
//! Every key is derived from the root secret ([`signing_secret`](SessionConfigBuilder::signing_secret)) with HKDF
//! (RFC 5869, SHA-256), one per purpose: the key that seals refresh tokens, the anti-CSRF key, and the access-token
//! signing key of each rotation interval (a P-256 scalar). Nothing is stored: every instance that shares the secret
//! computes the same keys at the same time, so instances behind one Redis (or none) agree on the ring without a
//! restart or a message. A new key signs every
//! [`access_token_signing_key_update_interval`](SessionConfigBuilder::access_token_signing_key_update_interval)
//! (168 hours by default, as SuperTokens core's), or never with
//! [`static_access_token_signing_key`](SessionConfigBuilder::static_access_token_signing_key).
//!
//! [`Sessions::router`] serves the public keys at `/auth/jwt/jwks.json`
//! ([`jwks_path`](SessionConfigBuilder::jwks_path)): the current key, the next one (published a whole interval
//! before it signs anything, so that a verifier that fetched the set once has it when it starts signing) and the
//! previous one until the last token it signed has expired, cached by clients for a minute. Another service (any
//! language, an API gateway) verifies a session with a standard JWT library:
//!
//! ```js
//! // Node, with jose (`tests/jwt/verify.mjs` runs this against the example in CI)
//! import { createRemoteJWKSet, jwtVerify } from "jose";
//! const keys = createRemoteJWKSet(new URL("https://api.example.com/auth/jwt/jwks.json"));
//! const { payload } = await jwtVerify(accessToken, keys, { algorithms: ["ES256"], issuer: "https://api.example.com/auth" });
//! // payload.sub is the user, payload.sessionHandle the session, the app's claims beside them
//! ```
//!
//! ```python
//! # Python, with PyJWT[crypto]
//! import jwt
//! keys = jwt.PyJWKClient("https://api.example.com/auth/jwt/jwks.json")
//! payload = jwt.decode(access_token, keys.get_signing_key_from_jwt(access_token).key,
//!                      algorithms=["ES256"], issuer="https://api.example.com/auth",
//!                      options={"verify_aud": False})
//! ```
//!
//! Such a verifier checks the signature and the expiry; it cannot see a revocation before the token expires, as
//! the recipe's own routes without `check_database` cannot.
//!
//! **ES256, not SuperTokens' RS256**: keys derived from a secret must come from a seed, which elliptic-curve keys
//! do and RSA keys do not (an RSA key is found by searching primes), and ES256 is, with RS256, the JWS algorithm
//! every JWT library and gateway supports. Signing costs about 20 µs (ring; about 1 ms with RSA-2048) and
//! verifying about 60 µs, once per token and process: the recipe keeps the tokens it verified until they expire, so
//! a client's later requests cost a hash and a lookup, about 2 µs (`bench/README.md`). Verifiers that accept RS256
//! only must be configured for ES256.
//!
//! **Replacing the root secret** without signing anyone out: deploy with the new secret as `signing_secret` and
//! the old one as [`previous_signing_secret`](SessionConfigBuilder::previous_signing_secret). The new secret's keys
//! sign at once and are published at once (verifiers that refetch the key set on an unknown `kid`, as jose and
//! PyJWT do, see them at once; others within the minute the set is cached); access tokens the old keys signed
//! verify until they expire, and refresh tokens the old secret sealed refresh, coming back sealed with the new
//! one. Once every session has refreshed since (one refresh-token lifetime, 100 days by default), drop the old
//! secret. If the old secret leaked, drop it at once instead: every session then signs in again, as it would in
//! SuperTokens after a key change.
//!
//! # Rotation and reuse detection
//!
//! As SuperTokens' core does it since CDI 5.6 (`Session.refreshSession`, its cases 1 to 4; `CoreConfig`'s
//! `refresh_token_rotation_grace_period` and `recent_token_reuse_behaviour`). The store keeps, per session, the
//! hash of the *current* refresh token, of the *previous* one and the time of the last rotation; every refresh is
//! one compare-and-swap on that record, decided again from a fresh read when another request changed it first, so
//! concurrent refreshes on any number of instances see one order of events.
//!
//! | core | refresh with token `T` | effect |
//! |---|---|---|
//! | case 1 | `T` is current | rotate: a new token becomes current, `T` previous, the grace period starts, the session is extended |
//! | case 2 | `T` is a child of current (minted by the recipe's earlier model, which wrote nothing at a refresh) | rotate, as case 1 |
//! | case 3 | `T` is previous, within the grace period (inclusive, to the millisecond) | rotate again: only the current token changes; the grace period does not start over |
//! | case 4 `RECENT_PREV` | `T` is previous, after the grace period | reuse: revoke, *token theft detected* |
//! | case 4 `ORPHANED_BRANCH` | `T` is a child of previous that case 3 replaced | reuse: revoke, *token theft detected* |
//! | case 4 `STALE_LINEAGE` | any other token of the session | reuse: revoke, *token theft detected* |
//! | (before the cases) | no live session, or not sealed with the app's key | *unauthorised*, tokens cleared |
//!
//! With [`TokenReuseBehaviour::Unauthorised`], `RECENT_PREV` and `ORPHANED_BRANCH` answer *unauthorised* (tokens
//! cleared) instead; `STALE_LINEAGE` is theft whatever the setting, and the session is revoked either way. The
//! class is in the error ([`TokenReuse`]) and in the log. Verification never writes: an access token is accepted
//! by its signature until it expires, and [`Session::check_database`] accepts it only while the refresh token it
//! was minted with (or that token's parent) is the session's current or previous one, else *unauthorised*
//! ("rotated-out token branch; refresh required").
//!
//! So a client retrying a refresh, or two tabs crossing, within the grace period are not accused; a thief who
//! refreshed with a copy of the current token loses its branch the moment the client refreshes within the grace
//! period (its access token then fails `check_database`, its refresh token revokes the session), and a copy
//! presented after the grace period revokes the session. Of several refreshes with one token, only the last one
//! written stays current: a client keeps the tokens of the last response, which SuperTokens' frontend guarantees
//! by serialising refreshes across tabs.
//!
//! # Where the recipe departs from SuperTokens
//!
//! - **Hashes**: core stores `sha256(sha256(token))` and puts `sha256(token)` in access tokens; the recipe keeps
//!   one SHA-256 for both. Neither lets anyone refresh: that takes the token itself.
//! - **Refresh tokens** are sealed with a MAC where core encrypts them: nothing in them is secret from their
//!   holder (the access token shows the session handle too, and the parent's hash is that of a token the holder
//!   had).
//! - **The anti-CSRF token** is derived from the session handle (see [`AntiCsrf::ViaToken`]) where core mints a
//!   random one per refresh; `antiCsrfToken` carries it all the same. The refresh call by cookie checks it for
//!   every session, where core checks it only for sessions minted with one.
//! - **Time**: token and session times are Unix seconds (core: milliseconds); the rotation time is in
//!   milliseconds, as core's, so that a grace period of zero accepts no reuse.
//! - **`iss`**: core sets none and supertokens-node its API domain and base path; the recipe sets the configured
//!   issuer, or none. **`tId`** and **`rsub`** (tenants, linked accounts) never appear: the recipe has neither.
//! - **Payload updates**: core's CDI 5.6 tells `checkDatabase` callers that a payload merged offline is available
//!   (`payloadUpdateAvailable`); the recipe's [`Sessions::merge_into_access_token_payload`] shows at the next
//!   refresh. Nor does the recipe re-issue tokens at the first use of a refreshed access token, as core's
//!   CDI ≤ 5.4 `getSession` did (the `ACCESS_TOKEN_PAYLOAD_UPDATED` some frontend tests still expect): CDI 5.6
//!   dropped it, and verification that never writes is what makes the lineage check sound.
//! - **Transactions**: core serialises a refresh in a database transaction; the recipe's compare-and-swap gives
//!   the same one order, and updates of one session in a process take turns so that they do not race each other.
//! - **Duplicate session cookies**, cleared with [`older_cookie_domain`](SessionConfigBuilder::older_cookie_domain):
//!   the refresh answers `{"status":"OK"}` where supertokens-node answers `{"message": ..}`; both are 200 with
//!   nothing minted.
//! - **Earlier tokens**: access tokens of the recipe's earlier formats (HMAC-signed, before the v3 payload) are
//!   read until they expire, refresh tokens sealed before the keys were derived with HKDF open, and refresh tokens
//!   of its earlier rotation model refresh as case 2, so an upgrade signs no one out. Anti-CSRF tokens of the
//!   earlier derivation are refused: the request answers *try refresh token*, and the refresh sends the new one.
//!
//! # Cookies and CSRF
//!
//! Both cookies are `HttpOnly`, with the configured `Secure`, `SameSite` and `Domain`, and are cleared with the
//! same attributes, an empty value, `Max-Age=0` and an `Expires` in the past: on theft, on *unauthorised* when
//! the tokens are of no further use, and at sign-out.
//! [`host_prefixed_cookies`](SessionConfigBuilder::host_prefixed_cookies) names them `__Host-…`, so that no
//! sibling subdomain can plant or shadow them (both then at `Path=/`). Two cookies of one name in a request are
//! never resolved by taking the first: see the protocol's edge cases above.
//!
//! Every state-changing request (not GET, HEAD or OPTIONS) whose tokens come by cookie, the refresh and sign-out
//! calls included, must come from the app's own origin or an
//! [`allowed_origin`](SessionConfigBuilder::allowed_origin): its `Origin` names the request's `Host` (or
//! `X-Forwarded-Host`), or, without `Origin`, its `Sec-Fetch-Site` is not `cross-site` nor `same-site`; a request
//! that sends neither comes from no browser and passes. Anything else is refused with 403
//! (`SessionErrorKind::CrossOriginRequest`), before any token is read, clearing nothing: 403 and not the
//! session-expired status, so that a frontend neither refreshes nor signs out over a forged request. This holds on
//! every `SameSite` setting (`Lax` lets a sibling subdomain's requests through, being same-site), needs no setting
//! for a same-origin app, and leaves header mode, whose tokens no other page can attach, unchecked. In addition,
//! with `SameSite=None` (which `build()` refuses without an anti-CSRF mode), requests must carry the header `rid`
//! (SuperTokens' `VIA_CUSTOM_HEADER`), or they are *unauthorised*; [`AntiCsrf::ViaToken`] asks for the
//! `anti-csrf` token instead. A failed anti-CSRF check clears nothing, on the refresh call too (SuperTokens
//! clears the tokens there, which lets a cross-site form sign a user out).
//!
//! # Lifetimes and limits
//!
//! An idle session ends after the refresh-token lifetime; an
//! [`absolute_session_lifetime`](SessionConfigBuilder::absolute_session_lifetime) (off by default, as in
//! SuperTokens) ends it however often it is refreshed.
//! [`max_sessions_per_user`](SessionConfigBuilder::max_sessions_per_user) caps a user's live sessions, revoking
//! the oldest or refusing the sign-in (409), and
//! [`sign_in_revokes_current_session`](SessionConfigBuilder::sign_in_revokes_current_session) lets a sign-in over
//! a session leave none behind. The root secret is judged by its alphabet (64 hex digits, 43 base64 characters,
//! else 32 bytes) and wiped from memory once the keys are derived; what remains in memory are the derived keys
//! (and, for tokens of the recipe's earlier format, HMAC states keyed with the secret).
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
//! | refresh token reuse detected (the session is revoked) | `WARN` | `session_handle`, `user_id`, `reuse`, hashes of the tokens involved |
//! | a store call failed or timed out | `ERROR` | `operation`, `timed_out`, `error`, `error.sources` |
//! | a session changed under too many updates at once | `ERROR` | `session_handle`, `error` |
//! | duplicate session cookies cleared at the older cookie domain | `DEBUG` | `cookies`, `older_cookie_domain` |
//!
//! The hashes of a reuse (`refresh_token.hash`, `refresh_token.parent_hash`, `current_refresh_token.hash`,
//! `previous_refresh_token.hash`) are shortened to tell the tokens apart. No event holds a token, a signing secret or an anti-CSRF token, and neither
//! does the `Debug` output of the recipe's types ([`NewSession`], [`SessionTokens`], [`SessionConfig`], and
//! `RedisStoreConfig`, whose URL loses its credentials). The header values that carry tokens (the `sAccessToken`
//! and `sRefreshToken` cookies, `st-access-token`, `st-refresh-token`, `anti-csrf`) are marked
//! [sensitive](http::HeaderValue::set_sensitive): HTTP/2 keeps them out of its compression tables, and a layer
//! that logs headers (tower-http's `TraceLayer` with `include_headers(true)`) shows `Sensitive` in their place.

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
