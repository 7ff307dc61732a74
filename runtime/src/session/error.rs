//! The errors of the session recipe: the four session errors of SuperTokens, and store failures.

use std::error::Error as StdError;
use std::fmt;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode, header};
use serde::Serialize;

use super::config::SessionConfig;
use super::cookies;
use super::transfer;
use crate::error::Error;
use crate::http_error::HttpError;

/// A request's session is missing, expired, stolen or lacks a claim: SuperTokens' four session errors.
///
/// It answers on its own with SuperTokens' wire form and the configured status (see [`status`](Self::status)),
/// and clears the session cookies, with the attributes they were set with, and the frontend's session
/// (`front-token: remove`, empty token headers) when [`clears_tokens`] says so.
///
/// [`clears_tokens`]: Self::clears_tokens
#[derive(Debug, Clone, thiserror::Error)]
pub enum SessionError {
    /// There is no valid session: no tokens, a malformed or forged token, a revoked or expired session.
    #[error("unauthorised: {message}")]
    #[non_exhaustive]
    Unauthorised {
        /// What was wrong, for the handler and the logs; the default response does not show it.
        message: String,
        /// Whether the response clears the session cookies.
        clear_tokens: bool,
        /// The configuration the response follows.
        context: SessionContext,
    },
    /// The access token expired: the frontend should call the refresh endpoint and retry.
    #[error("try refresh token: {message}")]
    #[non_exhaustive]
    TryRefreshToken {
        /// What was wrong, for the handler and the logs.
        message: String,
        /// The configuration the response follows.
        context: SessionContext,
    },
    /// A refresh token superseded by a committed rotation came back: two parties hold the session, which is
    /// already revoked.
    #[error("token theft detected: session {session_handle} of user {user_id} was revoked")]
    #[non_exhaustive]
    TokenTheftDetected {
        /// The revoked session.
        session_handle: String,
        /// Its user.
        user_id: String,
        /// The configuration the response follows.
        context: SessionContext,
    },
    /// The session lacks claims the route requires.
    #[error("invalid claim: {}", claim_ids(claims))]
    #[non_exhaustive]
    InvalidClaim {
        /// Every failing claim, in the order the validators were given.
        claims: Vec<ClaimValidationError>,
        /// The configuration the response follows.
        context: SessionContext,
    },
}

/// The configuration a [`SessionError`] was raised under, which its response follows.
#[derive(Clone)]
pub struct SessionContext {
    pub(crate) config: SessionConfig,
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

/// The session store failed; the request is answered with 503 Service Unavailable.
#[derive(Debug, thiserror::Error)]
#[error("the session store failed: {message}")]
pub struct SessionStoreError {
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// The operating system's random generator failed, so no token could be minted.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed: {0}")]
pub struct RandomnessError(String);

/// Why a session operation failed: the session is not valid, the store failed, or no token could be minted.
///
/// It answers on its own like the error it holds, and `?` turns it into [`errorhandler::Error`](crate::Error)
/// holding that error (not this wrapper), so the handlers of a set see a `SessionError` or a
/// `SessionStoreError`.
#[derive(Debug)]
pub enum SessionFailure {
    /// The session is not valid.
    Session(SessionError),
    /// The store failed.
    Store(SessionStoreError),
    /// The random generator failed.
    Randomness(RandomnessError),
}

impl SessionError {
    /// The status of its response: the configured session-expired status (401 by default) or invalid-claim
    /// status (403 by default).
    pub fn status(&self) -> StatusCode {
        let config = &self.context().config;
        match self {
            Self::InvalidClaim { .. } => config.invalid_claim_status(),
            Self::Unauthorised { .. }
            | Self::TryRefreshToken { .. }
            | Self::TokenTheftDetected { .. } => config.session_expired_status(),
        }
    }

    /// Whether its response clears the session cookies: on token theft, and on unauthorised when asked to.
    pub fn clears_tokens(&self) -> bool {
        match self {
            Self::Unauthorised { clear_tokens, .. } => *clear_tokens,
            Self::TokenTheftDetected { .. } => true,
            Self::TryRefreshToken { .. } | Self::InvalidClaim { .. } => false,
        }
    }

    /// The `Set-Cookie` values that clear the session cookies with the attributes they were set with; empty
    /// when this error does not clear them.
    ///
    /// A response that answers this error, whoever builds it, must carry them.
    pub fn clearing_cookies(&self) -> Vec<HeaderValue> {
        if self.clears_tokens() {
            cookies::clearing(&self.context().config.inner)
        } else {
            Vec::new()
        }
    }

    /// Every header that a response answering this error must carry, whoever builds it: the clearing
    /// `Set-Cookie` values, `front-token: remove` and empty `st-access-token` / `st-refresh-token` headers, so
    /// that the frontend SDK drops its session whatever the body says; empty when this error does not clear the
    /// session.
    pub fn clearing_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        if !self.clears_tokens() {
            return Vec::new();
        }
        let mut headers: Vec<(HeaderName, HeaderValue)> = self
            .clearing_cookies()
            .into_iter()
            .map(|cookie| (header::SET_COOKIE, cookie))
            .collect();
        headers.extend(transfer::clearing_headers());
        headers
    }

    /// SuperTokens' default response: the JSON body, the status and the clearing headers.
    pub fn default_response(&self) -> Response {
        let body = match self {
            Self::Unauthorised { .. } => serde_json::json!({ "message": "unauthorised" }),
            Self::TryRefreshToken { .. } => serde_json::json!({ "message": "try refresh token" }),
            Self::TokenTheftDetected { .. } => {
                serde_json::json!({ "message": "token theft detected" })
            }
            Self::InvalidClaim { claims, .. } => serde_json::json!({
                "message": "invalid claim",
                "claimValidationErrors": claims,
            }),
        };
        let mut response = Response::new(Body::from(body.to_string()));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in self.clearing_headers() {
            headers.append(name, value);
        }
        response
    }

    /// The configuration this error was raised under.
    pub fn context(&self) -> &SessionContext {
        match self {
            Self::Unauthorised { context, .. }
            | Self::TryRefreshToken { context, .. }
            | Self::TokenTheftDetected { context, .. }
            | Self::InvalidClaim { context, .. } => context,
        }
    }

    pub(crate) fn unauthorised(
        config: &SessionConfig,
        message: impl Into<String>,
        clear_tokens: bool,
    ) -> Self {
        Self::Unauthorised {
            message: message.into(),
            clear_tokens,
            context: SessionContext::new(config),
        }
    }

    pub(crate) fn try_refresh_token(config: &SessionConfig, message: impl Into<String>) -> Self {
        Self::TryRefreshToken {
            message: message.into(),
            context: SessionContext::new(config),
        }
    }

    pub(crate) fn token_theft_detected(
        config: &SessionConfig,
        session_handle: String,
        user_id: String,
    ) -> Self {
        Self::TokenTheftDetected {
            session_handle,
            user_id,
            context: SessionContext::new(config),
        }
    }

    pub(crate) fn invalid_claim(config: &SessionConfig, claims: Vec<ClaimValidationError>) -> Self {
        Self::InvalidClaim {
            claims,
            context: SessionContext::new(config),
        }
    }
}

impl IntoResponse for SessionError {
    /// SuperTokens' default response, carrying the error so that a handler set's layer can dispatch it.
    fn into_response(self) -> Response {
        Error::from(self).into_response()
    }
}

impl SessionContext {
    fn new(config: &SessionConfig) -> Self {
        Self {
            config: config.clone(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }
}

impl fmt::Debug for SessionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The whole configuration would drown the error's own fields in every log line.
        f.write_str("SessionContext { .. }")
    }
}

impl SessionStoreError {
    /// A store failure described by `message`, which the client never sees.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// Sets the underlying cause, such as the database driver's error.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// 503 Service Unavailable: the request may succeed once the store is back.
    pub fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    /// The description of the failure.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// This failure as the 503 [`HttpError`] it answers with, keeping it as the cause.
    pub fn into_http_error(self) -> HttpError {
        HttpError::new(self.status()).with_source(self)
    }
}

impl IntoResponse for SessionStoreError {
    fn into_response(self) -> Response {
        // As a 503 HttpError caused by this error: the handlers of 503 take it, and so do the handlers of
        // `SessionStoreError`, which find it in the source chain.
        Error::from(self.into_http_error()).into_response()
    }
}

impl RandomnessError {
    pub(crate) fn new(error: getrandom::Error) -> Self {
        Self(error.to_string())
    }
}

impl From<getrandom::Error> for RandomnessError {
    fn from(error: getrandom::Error) -> Self {
        Self::new(error)
    }
}

impl SessionFailure {
    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Session(error) => error.status(),
            Self::Store(error) => error.status(),
            Self::Randomness(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The session error, if that is what failed.
    pub fn as_session_error(&self) -> Option<&SessionError> {
        match self {
            Self::Session(error) => Some(error),
            Self::Store(_) | Self::Randomness(_) => None,
        }
    }
}

impl fmt::Display for SessionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Session(error) => fmt::Display::fmt(error, f),
            Self::Store(error) => fmt::Display::fmt(error, f),
            Self::Randomness(error) => fmt::Display::fmt(error, f),
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
            SessionFailure::Store(error) => Error::from(error.into_http_error()),
            SessionFailure::Randomness(error) => {
                Error::from(HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).with_source(error))
            }
        }
    }
}

impl IntoResponse for SessionFailure {
    fn into_response(self) -> Response {
        match self {
            Self::Session(error) => error.into_response(),
            Self::Store(error) => error.into_response(),
            Self::Randomness(error) => {
                Error::from(HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).with_source(error))
                    .into_response()
            }
        }
    }
}

fn claim_ids(claims: &[ClaimValidationError]) -> String {
    claims
        .iter()
        .map(|claim| claim.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
