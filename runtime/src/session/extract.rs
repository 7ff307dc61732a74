//! Verifying a request's session, and the `Session` extractor that does it for a route.

use std::fmt;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use http::{HeaderMap, Method};

use super::Sessions;
use super::claims::ClaimValidator;
use super::cookies::SessionTokens;
use super::error::{ClaimValidationError, SessionError, SessionFailure, SessionLimitError};
use super::store::Change;
use super::tokens::{self, AccessClaims, Malformed};
use super::transfer;
use super::transfer_method::Transfer;

/// The verified session of a request; as an extractor, it rejects the request with a [`SessionError`].
///
/// It reads the [`Sessions`] recipe from the router's state (`Sessions: FromRef<S>`), so a router that forgot
/// to provide it does not compile. `Option<Session>` extracts `None` when the request has no session at all.
///
/// ```
/// use axum::{routing::get, Router};
/// use errorhandler::session::{Session, SessionConfig, Sessions};
///
/// async fn me(session: Session) -> String {
///     format!("hello {}", session.user_id())
/// }
///
/// let sessions = Sessions::new(SessionConfig::builder().build().unwrap());
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .merge(sessions.router())
///     .with_state(sessions);
/// ```
#[derive(Clone)]
pub struct Session {
    claims: AccessClaims,
    sessions: Sessions,
    /// How the request sent its access token, which a new one is returned by.
    transfer: Transfer,
}

impl Session {
    /// The session's handle, its public identifier.
    pub fn handle(&self) -> &str {
        &self.claims.session_handle
    }

    /// The user the session belongs to.
    pub fn user_id(&self) -> &str {
        &self.claims.user_id
    }

    /// The access-token payload.
    pub fn payload(&self) -> &serde_json::Value {
        &self.claims.payload
    }

    /// When the access token expires, Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.claims.exp
    }

    /// Checks the payload against every validator; `InvalidClaim` lists each one that fails.
    ///
    /// ```
    /// # use errorhandler::session::{RoleClaim, Session, SessionError};
    /// async fn admin_only(session: Session) -> Result<&'static str, SessionError> {
    ///     session.assert_claims(&[&RoleClaim::new("st-role").includes("admin")])?;
    ///     Ok("welcome")
    /// }
    /// ```
    pub fn assert_claims(&self, validators: &[&dyn ClaimValidator]) -> Result<(), SessionError> {
        self.check_claims(validators.iter().copied())
    }

    /// [`assert_claims`](Self::assert_claims) over any sequence of validators, without collecting them.
    pub(crate) fn check_claims<'v>(
        &self,
        validators: impl Iterator<Item = &'v dyn ClaimValidator>,
    ) -> Result<(), SessionError> {
        let config = self.sessions.config();
        let now = config.inner.now();
        let failures: Vec<ClaimValidationError> = validators
            .filter_map(|validator| {
                validator
                    .validate(&self.claims.payload, now)
                    .err()
                    .map(|reason| ClaimValidationError {
                        id: validator.id().to_owned(),
                        reason,
                    })
            })
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(SessionError::invalid_claim(config, failures))
        }
    }

    /// Replaces the payload, in the store and in a new access token; return the cookies (or, in header mode, the
    /// token header) with the response, which also carry the new `front-token`.
    ///
    /// A payload that would make the access token longer than the recipe accepts back (16 KiB) fails with
    /// *unauthorised* before anything is written, and the session keeps its payload.
    pub async fn update_payload(
        &mut self,
        payload: serde_json::Value,
    ) -> Result<SessionTokens, SessionFailure> {
        let config = self.sessions.config();
        let now = config.inner.now();
        let mut claims = self.claims.clone();
        claims.payload = payload;
        let token = tokens::sign(&claims, &config.inner.keys.access);
        // Before the store is written: a payload whose access token the recipe refuses would end the session.
        if let Some(message) = tokens::refused_back(&token, &claims.user_id, &claims.payload) {
            return Err(
                SessionLimitError(format!("the payload was not updated: {message}")).into(),
            );
        }
        let updated = self
            .sessions
            .store()
            .update(self.handle(), now, |record| {
                record.payload = claims.payload.clone();
                Change::Write(())
            })
            .await?;
        if updated.is_none() {
            return Err(SessionError::unauthorised(
                config,
                "the session was revoked or has expired",
                true,
            )
            .into());
        }
        self.claims = claims;
        let front = transfer::FrontToken {
            user_id: &self.claims.user_id,
            session_handle: &self.claims.session_handle,
            iat: self.claims.iat,
            exp: self.claims.exp,
            payload: &self.claims.payload,
        };
        Ok(transfer::issue(
            &config.inner,
            self.transfer,
            &token,
            None,
            &front,
        ))
    }

    /// Revokes the session; return the cookies, which clear the session's (with `front-token: remove` for the
    /// frontend), with the response.
    pub async fn revoke(&self) -> Result<SessionTokens, SessionFailure> {
        self.sessions.store().delete(self.handle()).await?;
        Ok(transfer::clearing(&self.sessions.config().inner))
    }

    /// Confirms in the store that the session is still live (SuperTokens' `checkDatabase`).
    ///
    /// The access token alone is trusted until it expires, so a revocation reaches a route that does not ask
    /// only when the token is refreshed.
    pub async fn check_database(&self) -> Result<(), SessionFailure> {
        let config = self.sessions.config();
        match self
            .sessions
            .store()
            .load_live(self.handle(), config.inner.now())
            .await?
        {
            Some(_) => Ok(()),
            None => Err(SessionError::unauthorised(
                config,
                "the session was revoked or has expired",
                true,
            )
            .into()),
        }
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("handle", &self.claims.session_handle)
            .field("user_id", &self.claims.user_id)
            .finish_non_exhaustive()
    }
}

impl<S> FromRequestParts<S> for Session
where
    Sessions: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Verified already by `RequireSession` on this route.
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(session.clone());
        }
        Sessions::from_ref(state)
            .get_session(&parts.method, &parts.headers)
            .await
    }
}

impl<S> OptionalFromRequestParts<S> for Session
where
    Sessions: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SessionError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(Some(session.clone()));
        }
        Sessions::from_ref(state)
            .get_session_if_any(&parts.method, &parts.headers)
            .await
    }
}

impl Sessions {
    /// A route layer that requires a session, then the claims added with
    /// [`with_claim`](super::RequireSession::with_claim), before the route runs.
    pub fn require_session(&self) -> super::RequireSession {
        super::RequireSession::new(self.clone())
    }

    /// The verified session of a request with `method` and `headers`.
    pub async fn get_session(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<Session, SessionError> {
        match self.get_session_if_any(method, headers).await? {
            Some(session) => Ok(session),
            None => Err(SessionError::unauthorised(
                self.config(),
                "the request has no access token (no sAccessToken cookie, no Authorization: Bearer header)",
                false,
            )),
        }
    }

    /// The verified session of a request, or `None` when it carries no access token at all.
    pub async fn get_session_if_any(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<Option<Session>, SessionError> {
        let config = self.config();
        let Some((token, transfer)) =
            transfer::read_access_token(&config.inner, headers, tokens::looks_like_access_token)
        else {
            return Ok(None);
        };
        let claims =
            tokens::verify_access_token(token, &config.inner.keys.access).map_err(|malformed| {
                let message = match malformed {
                    Malformed::Shape => "the access token is malformed",
                    Malformed::Signature => "the access token's signature is not valid",
                    Malformed::Claims => "the access token's claims are malformed",
                };
                SessionError::unauthorised(config, message, false)
            })?;
        let now = config.inner.now();
        if claims.exp <= now {
            return Err(SessionError::try_refresh_token(
                config,
                "the access token has expired",
            ));
        }
        // Before the commit, so that a forged cross-site request cannot even touch the store.
        self.check_anti_csrf(method, headers, transfer)?;
        self.check_anti_csrf_token(method, headers, transfer, &claims.session_handle)?;
        if let Some(parent) = claims.parent_hash {
            self.commit_on_first_use(&claims, &parent, now).await?;
        }
        Ok(Some(Session {
            claims,
            sessions: self.clone(),
            transfer,
        }))
    }
}
