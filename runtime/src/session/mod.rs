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
//! use axum::{extract::State, routing::{get, post}, Router};
//! use errorhandler::session::{
//!     BooleanClaim, NewSession, RoleClaim, Session, SessionConfig, SessionFailure, Sessions,
//! };
//!
//! async fn sign_in(State(sessions): State<Sessions>) -> Result<(NewSession, &'static str), SessionFailure> {
//!     // ... check the credentials, then:
//!     let session = sessions.create_new_session("alice", serde_json::json!({ "st-role": ["admin"] })).await?;
//!     Ok((session, "signed in")) // sets sAccessToken and sRefreshToken
//! }
//!
//! async fn admin(session: Session) -> Result<String, errorhandler::Error> {
//!     session.assert_claims(&[&RoleClaim::new("st-role").includes("admin")])?; // 403 invalid claim otherwise
//!     Ok(format!("hello {}", session.user_id()))
//! }
//!
//! async fn reports(session: Session) -> String {
//!     format!("reports for {}", session.user_id())
//! }
//!
//! let sessions = Sessions::new(SessionConfig::builder().build().expect("valid configuration"));
//! let app: Router = Router::new()
//!     .route("/admin", get(admin))
//!     .route("/reports", get(reports))
//!     // Before the routes above run: a session, with a verified email (403 invalid claim otherwise).
//!     .route_layer(sessions.require_session().with_claim(BooleanClaim::new("st-ev")))
//!     .route("/sign-in", post(sign_in))
//!     .merge(sessions.router()) // POST /auth/session/refresh and POST /auth/signout
//!     .with_state(sessions);
//! ```
//!
//! # Errors and their answers
//!
//! Session errors answer on their own in SuperTokens' wire form, and flow through a handler set's layer like any
//! typed error. [`SessionError`] declares its status, its default answer and the clearing of the session with
//! `#[status] impl ErrorStatus`, as an app's own error types can; its [`kind`](SessionError::kind) tells which
//! error it is ([`SessionErrorKind`]):
//!
//! | error | default answer |
//! | --- | --- |
//! | unauthorised | session-expired status (401), `{"message":"unauthorised"}`, cookies cleared when the tokens are of no further use |
//! | try refresh token | session-expired status (401), `{"message":"try refresh token"}` |
//! | token theft detected | session-expired status (401), `{"message":"token theft detected"}`, cookies cleared, session already revoked |
//! | invalid claim | invalid-claim status (403), `{"claimValidationErrors":[{"id":…,"reason":…}],"message":"invalid claim"}` (no `reason` key for a validator that gives none) |
//! | cross-origin request (not one of SuperTokens' four; no callback answers it) | 403, `{"message":"cross-origin request refused"}`, nothing cleared (see [Cookies and CSRF](#cookies-and-csrf)) |
//!
//! A route returns them with `?` into [`errorhandler::Error`](crate::Error) or as a [`SessionFailure`], which also
//! holds the recipe's other failures: a [`SessionStoreError`] (a failing or hanging store: 503, with `Retry-After`
//! set to the store timeout in whole seconds, which stays whatever a handler answers), a [`SessionLimitError`], a
//! [`DuplicateSessionCookiesError`] and a [`RandomnessError`] (500s), a [`SessionCapError`] (409). The handlers
//! of their types, of their statuses, of their classes or `default` take them, as they take any declared error.
//!
//! # Session callbacks
//!
//! `#[session_error_handlers]` declares the callbacks of the four session errors on an `impl` block, as
//! `errorHandlers: { onUnauthorised, onTryRefreshToken, onTokenTheftDetected, onInvalidClaim }` does in SuperTokens:
//!
//! ```
//! use axum::{http::{HeaderMap, StatusCode}, response::IntoResponse, Json};
//! use errorhandler::session::session_error_handlers;
//! use serde_json::json;
//!
//! pub struct AuthErrors;
//!
//! #[session_error_handlers]
//! impl AuthErrors {
//!     async fn on_unauthorised(message: &str) -> impl IntoResponse {
//!         (StatusCode::UNAUTHORIZED, Json(json!({ "error_msg": message })))
//!     }
//!
//!     async fn on_token_theft_detected(session_handle: &str, user_id: &str, headers: HeaderMap) -> impl IntoResponse {
//!         // The recipe has revoked the session and logged the theft already; alert the user here, say.
//!         let _ = (session_handle, user_id, headers);
//!         (StatusCode::UNAUTHORIZED, Json(json!({ "error_msg": "token theft" })))
//!     }
//!     // on_try_refresh_token and on_invalid_claim are not written: the defaults apply
//! }
//!
//! // Alone: `.layer(AuthErrors::layer())`; or joined to a set, one layer for both:
//! errorhandler::errorhandler! {
//!     pub struct SiteErrors;
//!     session => AuthErrors;
//! }
//! ```
//!
//! | callback | SuperTokens | payload (first) | default when left out |
//! | --- | --- | --- | --- |
//! | `on_unauthorised` | `onUnauthorised` | `message: &str` or `String` | 401 `{"message":"unauthorised"}` |
//! | `on_try_refresh_token` | `onTryRefreshToken` | `message: &str` or `String` | 401 `{"message":"try refresh token"}` |
//! | `on_token_theft_detected` | `onTokenTheftDetected` | `session_handle: &str, user_id: &str` (or `String`s) | 401 `{"message":"token theft detected"}` |
//! | `on_invalid_claim` | `onInvalidClaim` | `claims: &[ClaimValidationError]` or `Vec<ClaimValidationError>` | 403 with `claimValidationErrors` |
//!
//! After the payload, a callback takes extractors of the request head, like any handler; it is `fn` or `async fn`
//! and returns `impl IntoResponse`. Every callback is optional. A misspelt name is a compile error that suggests
//! the right one (`on_unauthorized`, `onUnauthorised`, `on_token_theft`, `on_invalid_claims`), and so is a missing,
//! extra or mistyped payload parameter.
//!
//! What a callback cannot undo: the stolen session is revoked before the callback runs, and the session cookies are
//! cleared (on theft, and on *unauthorised* when the error asks for it) whatever the callback returns. The callback
//! chooses the body and may choose another error status; otherwise the answer keeps the session-expired or
//! invalid-claim status. A callback that panics yields the default answer. In a set joined with `session =>`, the
//! callbacks answer every session error (the defaults those they leave out); the set's other handlers answer the
//! rest.
//!
//! # Configuration
//!
//! [`SessionConfig::builder`] sets the cookie domain, `Secure`, `SameSite`, both lifetimes, the refresh and sign-out
//! paths, the session-expired status (401, or 440 as older SuperTokens did) and the invalid-claim status (403), the
//! signing secret ([`signing_secret`](SessionConfigBuilder::signing_secret),
//! [`signing_secret_from_env`](SessionConfigBuilder::signing_secret_from_env),
//! [`signing_secret_from_file`](SessionConfigBuilder::signing_secret_from_file); random per process unless given),
//! the store timeout (5 s), the anti-CSRF mode, the accepted token transfer methods, the rotation grace period and
//! reuse behaviour, the `iss` of access tokens and the older cookie domain, and the hardening options below; a bad
//! combination is refused by [`build`](SessionConfigBuilder::build) with a [`ConfigError`] that says which.
//!
//! # Claims
//!
//! [`Session::assert_claims`] inside a route, or [`RequireSession::with_claim`] on the route layer before it: either
//! answers *invalid claim* listing every failing claim, and the route's [`Session`] extractor reuses the session the
//! layer verified. [`BooleanClaim`], [`RoleClaim`] and [`MaxAgeClaim`] are SuperTokens' validators, and
//! [`ClaimValidator`] is one of your own. Reasons are SuperTokens': a missing claim is
//! `{"message":"value does not exist","expectedValue":true,"actualValue":null}`, and a validator of your own may
//! fail without a reason (`Err(None)`), which lists only its `{"id":…}`.
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
//! # Revocation and sign-out
//!
//! [`Sessions::revoke_session`], [`Sessions::revoke_all_sessions_for_user`] and [`Session::revoke`] delete sessions
//! from the store; [`Sessions::get_all_session_handles_for_user`] lists them. A revocation reaches an access token
//! when it expires (one hour by default) or is refreshed, as in SuperTokens; a route that must see it at once asks
//! the store on every request with [`RequireSession::check_database`] (SuperTokens' `checkDatabase`), or calls
//! [`Session::check_database`]. [`Session::update_payload`] and [`Session::merge_into_payload`] change the payload
//! of the session a request carries (its new access token goes back with the response), and
//! [`Sessions::merge_into_access_token_payload`] that of any session, outside its requests: the client sees it at its
//! next refresh.
//!
//! The sign-out endpoint revokes the session and clears the cookies; a cookie that names no usable session
//! (malformed, forged, revoked) is cleared too, while an expired access token answers *try refresh token* so that
//! the frontend refreshes and signs the session out for real. As in SuperTokens, a sign-out without any access
//! token is *unauthorised*, and a refresh call without a refresh token is *unauthorised* and clears every token
//! (supertokens-node issue 790 and its auth-modes table), so that no client keeps a session it cannot refresh. A
//! malformed or forged cookie, or an expired session, is *unauthorised* (the session-expired status), never a 500.
//!
//! SuperTokens' edge cases: a request still carrying the legacy `sIdRefreshToken` cookie of older SuperTokens
//! backends is asked to refresh, and the refresh clears it. A request carrying two session cookies of one name (left
//! over from an earlier `cookie_domain`, or planted by a sibling subdomain) is asked to refresh, and the refresh
//! clears those of [`older_cookie_domain`](SessionConfigBuilder::older_cookie_domain) when it is configured, or
//! fails with a [`DuplicateSessionCookiesError`] (a 500 whose message names the setting) when it is not.
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
//! never resolved by taking the first: see [Revocation and sign-out](#revocation-and-sign-out).
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
//! The repository's `SECURITY.md` states the threat model, what is defended by default, what needs
//! `check_database`, and how to report a vulnerability.
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
//! A user id and payload whose access token would be longer than the recipe accepts back (16 KiB), or a payload
//! nested deeper than JSON is read back, are refused where they are given, by `create_new_session` or
//! `update_payload`, with a [`SessionLimitError`] (a 500: the app's data, not the client's fault, and not a 401 that
//! would send a SuperTokens frontend refreshing) whose message names the sizes; nothing is stored, so no session
//! exists that no request could use. Keep both small anyway: browsers keep cookies of at most 4 KiB.
//!
//! # Stores
//!
//! Sessions live behind the [`SessionStore`] trait of six record operations (create, load, compare-and-swap on a
//! version, delete, list and delete by user), implemented with [`#[async_trait]`](macro@async_trait) and held as
//! `dyn SessionStore`; the rules of rotation run once, in the recipe. [`MemoryStore`] is the default (its docs give
//! what a session costs it), kept until the session expires and dropped by the first write after that. Every store
//! call is bounded by the store timeout: a failing or hanging store is a [`SessionStoreError`], a 503.
//!
//! ## Sessions shared by several instances: `RedisStore`
//!
//! With the `redis` feature, [`RedisStore`](struct.RedisStore.html) keeps sessions in Redis for every instance of the app: one server (a
//! primary, with replicas if you like) or a Redis Cluster, over TLS with `rediss://` URLs. It is built on `redis`
//! (redis-rs): its `ConnectionManager` reconnects to a server on its own, its cluster connection follows the
//! cluster's slots; connection and response timeouts default to 2 s. While Redis is down, calls that need it answer
//! 503 through your handlers (access tokens keep verifying, since they need no store), and the app resumes by itself
//! when Redis is back. Every instance must sign with the same secret:
//!
//! ```no_run
//! # #[cfg(feature = "redis")] mod with_redis {
//! use errorhandler::session::{RedisStore, SessionConfig, Sessions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = SessionConfig::builder()
//!     .signing_secret_from_env("SESSION_SECRET") // the same 32+ bytes on every instance
//!     .build()?;
//! let sessions = Sessions::with_store(config, RedisStore::connect("redis://127.0.0.1:6379").await?);
//! # Ok(()) }
//! # }
//! ```
//!
//! `RedisStoreConfig` chooses the rest:
//!
//! ```no_run
//! # #[cfg(feature = "redis")] mod with_redis {
//! use std::time::Duration;
//! use errorhandler::session::{RedisStore, RedisStoreConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // A Redis Cluster, found from any of its nodes, over TLS with a private authority and a client certificate;
//! // revocations and rotations wait until a replica has them.
//! let store = RedisStore::connect_with(
//!     RedisStoreConfig::cluster(["rediss://10.0.0.1:6379", "rediss://10.0.0.2:6379"])
//!         .tls_root_certificates(std::fs::read("ca.crt")?)
//!         .tls_client_certificate(std::fs::read("client.crt")?, std::fs::read("client.key")?)
//!         .wait_for_replicas(1, Duration::from_millis(100)),
//! )
//! .await?;
//! # Ok(()) }
//! # }
//! ```
//!
//! - **Keys.** A session is a hash at `errorhandler:session:{HANDLE}` with a TTL at its expiry; a sorted set at
//!   `errorhandler:user:{USER_ID}` indexes a user's sessions by expiry. The braces are hash tags, so every command and
//!   script touches one slot of a cluster: creating, deleting or revoking a user's sessions are a few one-key steps,
//!   ordered so that a crash between two leaves at worst an index entry pointing at nothing, which the next listing
//!   drops.
//! - **Bounded work.** Expired entries leave an index as it is written, a batch at a time, so it cannot grow without
//!   bound; a user's sessions are listed and revoked in round trips of at most 1,000. With
//!   100,000 sessions of one user, the longest commands measured were a page of the listing (2.3 to 3.9 ms at the
//!   median, 11 ms at most) and a batch leaving the index during the revocation (0.5 to 0.7 ms at the median, 1.3 ms
//!   at most).
//! - **Replicas.** Replication is asynchronous: a revocation the primary acknowledged can be lost when it fails
//!   over, and a stolen session come back. `wait_for_replicas(n, timeout)` sends `WAIT n timeout` after every
//!   revocation and every committed rotation; when fewer replicas acknowledge in time, the call fails and the recipe
//!   answers 503 with `Retry-After` rather than claim a revocation a failover could undo. `WAIT` does not make Redis
//!   strongly consistent: it narrows the window, and a failover should promote the most up-to-date replica.
//! - **TLS.** `rediss://` URLs connect with rustls, trusting the web's root authorities or those given to
//!   `tls_root_certificates`, with a client certificate for `tls-auth-clients` if given.
//!
//! Changing the secret without [`previous_signing_secret`](SessionConfigBuilder::previous_signing_secret) signs
//! everyone out: tokens signed with the old one are *unauthorised*.
//!
//! # SuperTokens' frontends
//!
//! The official frontend SDK drives the recipe: `supertokens-web-js` (tested: 0.16.0, which embeds
//! `supertokens-website` 20.1.5), and so `supertokens-auth-react`, which is built on the same
//! `supertokens-website`. Every response that sets an access token carries the `front-token` header the SDK reads,
//! every response that ends the session carries `front-token: remove`, and tokens travel in headers for a client
//! that asks with `st-auth-mode: header` ([`TokenTransferMethod`], [`Sessions::create_new_session_for`]).
//!
//! **Same origin.** Serve the page and the API from one origin; the SDK needs nothing else. Its defaults match the
//! recipe's: `apiBasePath: "/auth"` calls `POST /auth/session/refresh` and `POST /auth/signout`, and it refreshes on
//! 401 (on 440 with `sessionExpiredStatusCode: 440` and
//! [`.session_expired_status(440)`](SessionConfigBuilder::session_expired_status)). Create sessions with
//! [`create_new_session_for(&headers, ..)`](Sessions::create_new_session_for), so that a frontend in header mode
//! gets its tokens in headers:
//!
//! ```js
//! supertokens.init({
//!   appInfo: { appName: "shop", apiDomain: "https://shop.example.com", apiBasePath: "/auth" },
//!   recipeList: [supertokensSession.init({ tokenTransferMethod: "cookie" /* or "header" */ })],
//! });
//! const response = await fetch("/me"); // the SDK adds its headers, refreshes on 401 and retries
//! ```
//!
//! **Another origin.** Wrap the router in [`cors::cors_layer(origins)`](cors::cors_layer), tower-http's `CorsLayer`
//! with credentials, the SDK's request headers allowed and the session headers exposed
//! ([`cors::allowed_headers`], like supertokens-node's `getAllCORSHeaders()`, and [`cors::exposed_headers`] to
//! compose your own). Put it outside the handler set's layer so that error responses carry it too, and give the
//! page's origin: credentials forbid `*`.
//!
//! ```
//! use axum::{http::{HeaderMap, HeaderValue}, extract::State, routing::{get, post}, Router};
//! use errorhandler::session::{cors, AntiCsrf, NewSession, Session, SessionConfig, SessionFailure, Sessions};
//!
//! async fn sign_in(State(sessions): State<Sessions>, headers: HeaderMap) -> Result<(NewSession, &'static str), SessionFailure> {
//!     // ... check the credentials, then: cookies, or st-access-token/st-refresh-token when the request says
//!     // `st-auth-mode: header`; `front-token` either way.
//!     let session = sessions.create_new_session_for(&headers, "alice", serde_json::json!({})).await?;
//!     Ok((session, "signed in"))
//! }
//!
//! async fn me(session: Session) -> String {
//!     session.user_id().to_owned()
//! }
//!
//! let sessions = Sessions::new(
//!     SessionConfig::builder()
//!         .anti_csrf(AntiCsrf::ViaToken) // optional: the `anti-csrf` token the SDK echoes
//!         .build()
//!         .expect("valid configuration"),
//! );
//! let app: Router = Router::new()
//!     .route("/sign-in", post(sign_in))
//!     .route("/me", get(me))
//!     .merge(sessions.router())
//!     .with_state(sessions)
//!     .layer(cors::cors_layer(HeaderValue::from_static("https://app.example.com")));
//! ```
//!
//! The page on `https://app.example.com` then sets `apiDomain: "https://api.example.com"`. Cookies need the two
//! origins to be one *site* (as `app.example.com` and `api.example.com`, with `.cookie_domain("example.com")` when the
//! page's own requests need them) or, across sites, `SameSite=None` with `Secure`, which turns on the `rid` check;
//! header mode (`tokenTransferMethod: "header"`) needs neither.
//!
//! [`token_transfer_method`](SessionConfigBuilder::token_transfer_method) says which transfer methods are accepted:
//! `Cookie`, `Header` or `Any` (the default). Under `Any` a new session follows the request's `st-auth-mode`
//! (cookies when it says nothing, where SuperTokens chooses headers), a bearer token is preferred to a cookie, and a
//! bearer token that is not shaped like the recipe's (an API key of another scheme) leaves the cookie to be read. An
//! answer that ends the session (sign-out, theft, *unauthorised* with clearing) clears every method at once, whatever
//! a custom callback returns: cookies, `front-token: remove` and empty token headers.
//! [`expose_access_token_to_frontend_in_cookie_based_auth`](SessionConfigBuilder::expose_access_token_to_frontend_in_cookie_based_auth)
//! also sends the access token in `st-access-token` in cookie mode, for a page that passes it to another service.
//!
//! The headers of the protocol, and where the SDK (`supertokens-website` 20, `lib/build/`) uses them:
//!
//! | header | direction | when | what the SDK does with it |
//! | --- | --- | --- | --- |
//! | `front-token` | response | every response that sets an access token (sign-in, refresh, `update_payload`): `base64(UTF-8 JSON {"uid", "ate": expiry in ms, "up": payload with "sub", "iat", "exp" in s, "sessionHandle"})`; `remove` when the session ends | `fetch.js` `saveTokensFromHeaders` → `FrontToken.setItem`, read back by `getUserId`, `doesSessionExist`, `getAccessTokenPayloadSecurely` (`recipeImplementation.js`); fires `SESSION_CREATED`, `SIGN_OUT`, `UNAUTHORISED` (`fireSessionUpdateEventsIfNecessary`); `up.iat` sets its clock skew (`calculateClockSkewInMillis`) |
//! | `st-access-token`, `st-refresh-token` | response | header mode: the new tokens; empty to clear | `saveTokensFromHeaders` → `setToken` (kept in cookies of the page's origin) |
//! | `Authorization: Bearer` | request | header mode: the access token, and the refresh token on the refresh call | `setAuthorizationHeaderIfRequired` (in `doRequest` and `onUnauthorisedResponse`) |
//! | `st-auth-mode` | request | every SDK call: `cookie` or `header` | set in `AuthHttpRequest.doRequest` and `onUnauthorisedResponse`; the recipe answers a new session in that mode |
//! | `anti-csrf` | both | with `AntiCsrf::ViaToken` and cookies: sent with new tokens, required back on state-changing calls and on refresh | `saveTokensFromHeaders` → `AntiCsrfToken.setItem`; sent by `doRequest` and `onUnauthorisedResponse` |
//! | `rid` | request | every SDK call (`anti-csrf` or `session`); required on state-changing cookie calls with `AntiCsrf::ViaCustomHeader` | set in `doRequest`, `onUnauthorisedResponse` and `signOut` |
//! | `fdi-version` | request | the SDK's own calls (refresh, sign-out) | set in `onUnauthorisedResponse` and `signOut`; only allowed through CORS |
//!
//! # Try it: the example
//!
//! The repository's `examples/session_errors.rs` (`cargo run --example session_errors`) serves a page on
//! <http://127.0.0.1:3001/> that drives the server with SuperTokens' SDK (after `npm ci` at the repository root;
//! the page says so when the bundle is missing): sign in, see the user id and the access-token payload, expire the
//! access token and watch the SDK refresh and retry, hit an invalid claim, sign out, in cookie or header mode or
//! with the older 440 configuration. <http://127.0.0.1:3002/> serves the same page as another origin, calling the
//! API on 3001 through the CORS layer.
//!
//! One server runs both generations of SuperTokens' custom error handling on port 3001: the newer SDK's defaults at
//! the root, and under `/legacy` the older SDK's custom handlers with the session-expired status 440.
//! `POST /demo/expire-access-tokens` moves the server's clock past the access-token lifetime (one hour).
//!
//! ```sh
//! B=http://127.0.0.1:3001
//! curl -i -c alice.txt -X POST $B/sign-in/alice    # 200, sets sAccessToken and sRefreshToken
//! curl -b alice.txt $B/me                          # 200 {"session":"…","user":"alice"}
//! curl -i $B/me                                    # 401 {"message":"unauthorised"}
//! curl -i -b alice.txt $B/admin                    # 403 {"claimValidationErrors":[{"id":"st-role",…},{"id":"st-ev",…}],"message":"invalid claim"}
//! curl -X POST $B/demo/expire-access-tokens
//! curl -i -b alice.txt $B/me                       # 401 {"message":"try refresh token"}
//! cp alice.txt stolen.txt                          # someone copies the cookies
//! curl -b alice.txt -c alice.txt -X POST $B/auth/session/refresh   # 200 {"status":"OK"}, new tokens
//! curl -b alice.txt $B/me                          # 200: the new tokens are in use, the old ones superseded
//! curl -X POST $B/demo/expire-access-tokens        # an hour later: past the 30-second grace period of the old tokens
//! curl -i -b stolen.txt -X POST $B/auth/session/refresh            # 401 {"message":"token theft detected"}, both cookies cleared
//! curl -i -b alice.txt -X POST $B/auth/session/refresh             # 401 {"message":"unauthorised"}: the session is revoked
//!
//! curl -c bob.txt -X POST $B/legacy/sign-in/bob
//! curl -i $B/legacy/me                             # 440 {"error_msg":"unauthorised"}
//! curl -X POST $B/demo/expire-access-tokens
//! curl -i -b bob.txt $B/legacy/me                  # 440 {"error_msg":"try refresh token"}
//! cp bob.txt stolen-bob.txt
//! curl -b bob.txt -c bob.txt -X POST $B/legacy/auth/session/refresh && curl -b bob.txt $B/legacy/me
//! curl -X POST $B/demo/expire-access-tokens
//! curl -i -b stolen-bob.txt -X POST $B/legacy/auth/session/refresh # 440 {"error_msg":"token theft"}, cookies cleared
//! ```
//!
//! With `REDIS_URL` set, the example shares its sessions through [`RedisStore`](#sessions-shared-by-several-instances-redisstore);
//! two instances behind one Redis:
//!
//! ```sh
//! redis-server --port 6379 --save "" &
//! export REDIS_URL=redis://127.0.0.1:6379 SESSION_SECRET="$(head -c 32 /dev/urandom | base64)"
//! PORT=3001 cargo run --example session_errors &
//! PORT=3002 cargo run --example session_errors &
//! curl -c alice.txt -X POST http://127.0.0.1:3001/sign-in/alice
//! curl -b alice.txt http://127.0.0.1:3002/me                                       # 200: signed in on 3001, known on 3002
//! curl -b alice.txt -c alice.txt -X POST http://127.0.0.1:3002/auth/session/refresh  # 200, new tokens from 3002
//! ```
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
