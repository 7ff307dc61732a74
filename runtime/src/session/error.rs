//! The errors of the session recipe: the four session errors of SuperTokens, and store failures.

use std::error::Error as StdError;
use std::fmt;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;

use super::config::SessionConfig;
use super::cookies;
use super::headers::clearing_headers;
use crate::ErrorStatus;
use crate::error::Error;

/// A request's session is missing, expired, stolen or lacks a claim: SuperTokens' four session errors.
///
/// It declares its status and its answer ([`ErrorStatus`]) as any error type can: SuperTokens' wire form with
/// the configured status, whatever the client accepts, so it is correct with no layer and reaches the handlers
/// of a set like any typed error. Every answer to it, whoever builds it, clears the session cookies (with the
/// attributes they were set with) and the frontend's session (`front-token: remove`, empty token headers) when
/// [`clears_tokens`](Self::clears_tokens) says so.
#[derive(Clone, thiserror::Error)]
#[error("{kind}")]
pub struct SessionError {
    kind: SessionErrorKind,
    config: SessionConfig,
    /// Whether its answers also clear SuperTokens' legacy `sIdRefreshToken` cookie, which the request carried.
    clears_legacy_cookie: bool,
}

/// Which of SuperTokens' four session errors a [`SessionError`] is, with what it says.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionErrorKind {
    /// There is no valid session: no tokens, a malformed or forged token, a revoked or expired session.
    #[non_exhaustive]
    Unauthorised {
        /// What was wrong, for the handler and the logs; the default response does not show it.
        message: String,
        /// Whether the response clears the session cookies.
        clear_tokens: bool,
        /// The reuse of a refresh token that revoked the session, when
        /// [`TokenReuseBehaviour::Unauthorised`](super::TokenReuseBehaviour::Unauthorised) reports it so.
        reuse: Option<TokenReuse>,
    },
    /// The access token expired: the frontend should call the refresh endpoint and retry.
    #[non_exhaustive]
    TryRefreshToken {
        /// What was wrong, for the handler and the logs.
        message: String,
    },
    /// A refresh token that a rotation superseded came back outside the grace period: two parties hold the
    /// session, which is already revoked.
    #[non_exhaustive]
    TokenTheftDetected {
        /// The revoked session.
        session_handle: String,
        /// Its user.
        user_id: String,
        /// Which token came back.
        reuse: TokenReuse,
    },
    /// The session lacks claims the route requires.
    #[non_exhaustive]
    InvalidClaim {
        /// Every failing claim, in the order the validators were given.
        claims: Vec<ClaimValidationError>,
    },
    /// A state-changing request carrying session cookies came from another origin than the app's own or an
    /// allowed one (its `Origin`, or without one its `Sec-Fetch-Site`): a cross-site request forgery, refused
    /// before the session is looked at. Not one of SuperTokens' four: no callback answers it, and its answer is
    /// 403 `{"message":"cross-origin request refused"}`, which clears nothing.
    #[non_exhaustive]
    CrossOriginRequest {
        /// The request's `Origin`, if it sent one.
        origin: Option<String>,
    },
}

/// How a refresh token that is no longer current came back, as SuperTokens core (CDI 5.6) tells its reuses
/// apart; each one revokes the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenReuse {
    /// The token the last rotation superseded, after the grace period (core's `RECENT_PREV`): a copy of the
    /// token someone else rotated, or a client that held a response back for too long.
    RecentPrevious,
    /// A token minted from the previous token by a rotation that a later refresh with that previous token, within
    /// the grace period, replaced (core's `ORPHANED_BRANCH`): two parties refreshed with one token.
    OrphanedBranch,
    /// Any older token of the session (core's `STALE_LINEAGE`): always theft, whatever the
    /// [`TokenReuseBehaviour`](super::TokenReuseBehaviour).
    StaleLineage,
}

impl TokenReuse {
    /// SuperTokens core's name for it: `RECENT_PREV`, `ORPHANED_BRANCH` or `STALE_LINEAGE`; also its `Display`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::RecentPrevious => "RECENT_PREV",
            Self::OrphanedBranch => "ORPHANED_BRANCH",
            Self::StaleLineage => "STALE_LINEAGE",
        }
    }
}

impl fmt::Display for TokenReuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A claim that failed validation, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimValidationError {
    /// The claim's id, such as `st-role`.
    pub id: String,
    /// The validator's explanation, such as `{"message":"wrong value","expectedToInclude":"admin"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<serde_json::Value>,
}

/// The session store failed; the request is answered with 503 Service Unavailable, through the handlers of its
/// type, of 503 or of `5xx` like any error.
///
/// A failure the recipe met carries `Retry-After` (the store timeout, in whole seconds) on every answer to it.
#[derive(Debug, thiserror::Error)]
#[error("the session store failed: {message}")]
pub struct SessionStoreError {
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    retry_after: Option<u64>,
}

#[crate::status]
impl crate::ErrorStatus for SessionStoreError {
    fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn enforced_headers(&self) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        if let Some(seconds) = self.retry_after {
            headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        headers
    }
}

/// The operating system's random generator failed, so no token could be minted.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed: {0}")]
pub struct RandomnessError(String);

/// A session or payload update the recipe refuses to issue, because no request could then use it: a user id or
/// payload that makes the access token longer than the recipe accepts back (16 KiB), or a payload nested deeper
/// than JSON is read back. A bug of the app's (no client can cause it but through data the app chose to put in
/// the token), so a 500, whose message reaches the handlers and the logs, never the client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
#[crate::status(500)]
pub struct SessionLimitError(pub(crate) String);

/// A refresh call carries two session cookies of one name (one planted at another path or domain, or left over
/// from an earlier `cookie_domain`), and no `older_cookie_domain` is configured to clear: the recipe cannot tell
/// which is the session's, and refreshing with the wrong one would loop. A 500, as supertokens-node answers it, its
/// first sentence word for word (SuperTokens' frontend suite looks for it); the message, which names the setting,
/// reaches the handlers and the logs, never the client.
#[derive(Debug, thiserror::Error)]
#[error(
    "The request contains multiple session cookies. This may happen if you've changed the cookie_domain setting in \
     your configuration: to clear the tokens of the previous domain, set older_cookie_domain. (Duplicated: {0}.)"
)]
#[crate::status(500)]
pub struct DuplicateSessionCookiesError(pub(crate) &'static str);

/// A sign-in refused because the user already has as many live sessions as the configuration allows
/// ([`SessionCapPolicy::Refuse`](super::SessionCapPolicy::Refuse)): 409 Conflict, the state of the user's sessions
/// being what stands in the way; its message reaches the handlers and the logs.
#[derive(Debug, thiserror::Error)]
#[error("user {user_id} already has {max} live sessions, the most the configuration allows")]
#[crate::status(409)]
pub struct SessionCapError {
    pub(crate) user_id: String,
    pub(crate) max: usize,
}

/// Why a session operation failed: the session is not valid, the store failed, no token could be minted, the
/// session would exceed the recipe's limits, or the request carries duplicate session cookies.
///
/// `?` turns it into [`errorhandler::Error`](crate::Error) holding the error inside (not this wrapper), so the
/// handlers of a set see a `SessionError`, a `SessionStoreError`, a `RandomnessError` or a `SessionLimitError`
/// (both 500s); it answers on its own the same way.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionFailure {
    /// The session is not valid.
    Session(SessionError),
    /// The store failed.
    Store(SessionStoreError),
    /// The random generator failed.
    Randomness(RandomnessError),
    /// The session or payload would exceed the recipe's limits; nothing was stored.
    Limit(SessionLimitError),
    /// The refresh call carries duplicate session cookies.
    DuplicateCookies(DuplicateSessionCookiesError),
    /// The user has as many sessions as the configuration allows.
    Cap(SessionCapError),
}

impl SessionError {
    /// Which session error this is, with what it says.
    pub fn kind(&self) -> &SessionErrorKind {
        &self.kind
    }

    /// Whether its answers clear the session: on token theft, and on unauthorised when asked to.
    pub fn clears_tokens(&self) -> bool {
        match &self.kind {
            SessionErrorKind::Unauthorised { clear_tokens, .. } => *clear_tokens,
            SessionErrorKind::TokenTheftDetected { .. } => true,
            SessionErrorKind::TryRefreshToken { .. }
            | SessionErrorKind::InvalidClaim { .. }
            | SessionErrorKind::CrossOriginRequest { .. } => false,
        }
    }

    pub(crate) fn unauthorised(
        config: &SessionConfig,
        message: impl Into<String>,
        clear_tokens: bool,
    ) -> Self {
        Self::new(
            config,
            SessionErrorKind::Unauthorised {
                message: message.into(),
                clear_tokens,
                reuse: None,
            },
        )
    }

    pub(crate) fn try_refresh_token(config: &SessionConfig, message: impl Into<String>) -> Self {
        Self::new(
            config,
            SessionErrorKind::TryRefreshToken {
                message: message.into(),
            },
        )
    }

    pub(crate) fn token_theft_detected(
        config: &SessionConfig,
        session_handle: String,
        user_id: String,
        reuse: TokenReuse,
    ) -> Self {
        Self::new(
            config,
            SessionErrorKind::TokenTheftDetected {
                session_handle,
                user_id,
                reuse,
            },
        )
    }

    /// A reused refresh token reported as *unauthorised*, the tokens cleared.
    pub(crate) fn reused(config: &SessionConfig, reuse: TokenReuse) -> Self {
        Self::new(
            config,
            SessionErrorKind::Unauthorised {
                message: format!(
                    "a refresh token that is no longer current was presented ({reuse}); the session was revoked"
                ),
                clear_tokens: true,
                reuse: Some(reuse),
            },
        )
    }

    /// The same error, whose answers also clear the legacy `sIdRefreshToken` cookie when they clear the tokens.
    pub(crate) fn clearing_legacy_cookie(mut self) -> Self {
        self.clears_legacy_cookie = true;
        self
    }

    pub(crate) fn cross_origin_request(config: &SessionConfig, origin: Option<String>) -> Self {
        Self::new(config, SessionErrorKind::CrossOriginRequest { origin })
    }

    pub(crate) fn invalid_claim(config: &SessionConfig, claims: Vec<ClaimValidationError>) -> Self {
        Self::new(config, SessionErrorKind::InvalidClaim { claims })
    }

    fn new(config: &SessionConfig, kind: SessionErrorKind) -> Self {
        Self {
            kind,
            config: config.clone(),
            clears_legacy_cookie: false,
        }
    }
}

#[crate::status]
impl ErrorStatus for SessionError {
    /// The configured session-expired status (401 by default) or invalid-claim status (403 by default); 403 for a
    /// cross-origin request.
    fn status(&self) -> StatusCode {
        match &self.kind {
            SessionErrorKind::InvalidClaim { .. } => self.config.invalid_claim_status(),
            // Not the session-expired status: a frontend must not refresh or sign out over a forged request.
            SessionErrorKind::CrossOriginRequest { .. } => StatusCode::FORBIDDEN,
            SessionErrorKind::Unauthorised { .. }
            | SessionErrorKind::TryRefreshToken { .. }
            | SessionErrorKind::TokenTheftDetected { .. } => self.config.session_expired_status(),
        }
    }

    /// SuperTokens' JSON body with the status, whatever the client accepts: its frontend SDK reads it.
    fn default_answer(&self) -> Option<Response> {
        let body = match &self.kind {
            SessionErrorKind::Unauthorised { .. } => {
                serde_json::json!({ "message": "unauthorised" })
            }
            SessionErrorKind::TryRefreshToken { .. } => {
                serde_json::json!({ "message": "try refresh token" })
            }
            SessionErrorKind::TokenTheftDetected { .. } => {
                serde_json::json!({ "message": "token theft detected" })
            }
            SessionErrorKind::InvalidClaim { claims } => serde_json::json!({
                "message": "invalid claim",
                "claimValidationErrors": claims,
            }),
            SessionErrorKind::CrossOriginRequest { .. } => {
                serde_json::json!({ "message": "cross-origin request refused" })
            }
        };
        let mut response = Response::new(Body::from(body.to_string()));
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            const { HeaderValue::from_static("application/json") },
        );
        Some(response)
    }

    /// When it [clears the session](SessionError::clears_tokens): the clearing `Set-Cookie` values,
    /// `front-token: remove` and empty `st-access-token` / `st-refresh-token` headers, so that the frontend SDK
    /// drops its session whatever the body says.
    fn enforced_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if self.clears_tokens() {
            for cookie in cookies::clearing(&self.config.inner) {
                headers.append(header::SET_COOKIE, cookie);
            }
            if self.clears_legacy_cookie {
                headers.extend(
                    cookies::clearing_legacy(&self.config.inner)
                        .map(|cookie| (header::SET_COOKIE, cookie)),
                );
            }
            headers.extend(clearing_headers());
        }
        headers
    }
}

impl IntoResponse for SessionError {
    /// SuperTokens' default response, carrying the error so that a handler set's layer can dispatch it.
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

impl fmt::Debug for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The whole configuration would drown the error's own fields in every log line.
        f.debug_struct("SessionError")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SessionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthorised { message, .. } => write!(f, "unauthorised: {message}"),
            Self::TryRefreshToken { message } => write!(f, "try refresh token: {message}"),
            Self::TokenTheftDetected {
                session_handle,
                user_id,
                reuse,
            } => write!(
                f,
                "token theft detected ({reuse}): session {session_handle} of user {user_id} was revoked"
            ),
            Self::InvalidClaim { claims } => write!(f, "invalid claim: {}", claim_ids(claims)),
            Self::CrossOriginRequest {
                origin: Some(origin),
            } => {
                write!(f, "cross-origin request refused: Origin {origin}")
            }
            Self::CrossOriginRequest { origin: None } => {
                f.write_str("cross-origin request refused: Sec-Fetch-Site says another site")
            }
        }
    }
}

impl SessionStoreError {
    /// A store failure described by `message`, which the client never sees.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
            retry_after: None,
        }
    }

    /// Asks clients to retry after `seconds`, in a `Retry-After` header on every answer to this failure.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Sets the underlying cause, such as the database driver's error.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The description of the failure.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for SessionStoreError {
    /// 503 Service Unavailable, carrying the error so that a handler set's layer can dispatch it.
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

impl RandomnessError {
    pub(crate) fn new(error: getrandom::Error) -> Self {
        Self(error.to_string())
    }

    pub(crate) fn from_message(message: &str) -> Self {
        Self(message.to_owned())
    }
}

impl fmt::Display for SessionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Session(error) => fmt::Display::fmt(error, f),
            Self::Store(error) => fmt::Display::fmt(error, f),
            Self::Randomness(error) => fmt::Display::fmt(error, f),
            Self::Limit(error) => fmt::Display::fmt(error, f),
            Self::DuplicateCookies(error) => fmt::Display::fmt(error, f),
            Self::Cap(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl From<SessionError> for SessionFailure {
    fn from(error: SessionError) -> Self {
        Self::Session(error)
    }
}

impl From<SessionStoreError> for SessionFailure {
    fn from(error: SessionStoreError) -> Self {
        Self::Store(error)
    }
}

impl From<SessionLimitError> for SessionFailure {
    fn from(error: SessionLimitError) -> Self {
        Self::Limit(error)
    }
}

impl From<DuplicateSessionCookiesError> for SessionFailure {
    fn from(error: DuplicateSessionCookiesError) -> Self {
        Self::DuplicateCookies(error)
    }
}

impl From<SessionCapError> for SessionFailure {
    fn from(error: SessionCapError) -> Self {
        Self::Cap(error)
    }
}

impl From<RandomnessError> for SessionFailure {
    fn from(error: RandomnessError) -> Self {
        Self::Randomness(error)
    }
}

impl From<getrandom::Error> for SessionFailure {
    fn from(error: getrandom::Error) -> Self {
        Self::Randomness(RandomnessError::new(error))
    }
}

// `SessionFailure` is deliberately not a `std::error::Error`: that leaves room for this conversion, which
// unwraps it so that a handler set dispatches on the error inside.
impl From<SessionFailure> for Error {
    fn from(failure: SessionFailure) -> Self {
        match failure {
            SessionFailure::Session(error) => Error::from(error),
            SessionFailure::Store(error) => Error::from(error),
            SessionFailure::Randomness(error) => Error::from(error),
            SessionFailure::Limit(error) => Error::from(error),
            SessionFailure::DuplicateCookies(error) => Error::from(error),
            SessionFailure::Cap(error) => Error::from(error),
        }
    }
}

impl IntoResponse for SessionFailure {
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

fn claim_ids(claims: &[ClaimValidationError]) -> String {
    claims
        .iter()
        .map(|claim| claim.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
