//! Verifying a request's session, and the `Session` extractor that does it for a route.

use std::fmt;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use http::{HeaderMap, Method};

use super::Sessions;
use super::claims::ClaimValidator;
use super::cookies::{self, LEGACY_ID_REFRESH_TOKEN_COOKIE, SessionTokens, Token};
use super::error::{ClaimValidationError, SessionError, SessionFailure};
use super::rotation::{Lineage, in_lineage};
use super::tokens::{self, AccessClaims, Malformed};
use super::transfer;
use super::transfer_method::Transfer;
use super::verified::TokenKey;

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
    pub(crate) claims: Arc<AccessClaims>,
    pub(crate) sessions: Sessions,
    /// How the request sent its access token, which a new one is returned by.
    pub(crate) transfer: Transfer,
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

    /// The app's claims in the access-token payload: what the session was created with, as updated since.
    pub fn payload(&self) -> &serde_json::Value {
        &self.claims.payload
    }

    /// The whole access-token payload, SuperTokens' v3 form: the recipe's claims (`sub`, `exp`, `iat`,
    /// `sessionHandle`, `refreshTokenHash1`, `parentRefreshTokenHash1`, `antiCsrfToken`, and `iss` when an
    /// issuer is configured) beside the app's, as the frontend reads it in the `front-token`.
    pub fn access_token_payload(&self) -> serde_json::Value {
        // Serializing the claims cannot fail (every key is a string).
        serde_json::to_value(&*self.claims).unwrap_or_default()
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

    /// Revokes the session; return the cookies, which clear the session's (with `front-token: remove` for the
    /// frontend), with the response.
    pub async fn revoke(&self) -> Result<SessionTokens, SessionFailure> {
        self.sessions.store().delete(self.handle()).await?;
        Ok(transfer::clearing(&self.sessions.config().inner))
    }

    /// Confirms in the store that the session is still live and that this access token is still of its
    /// lineage (SuperTokens' `checkDatabase`): *unauthorised*, the tokens cleared, when the session was revoked
    /// or has expired, or when its refresh tokens rotated past the one minted with this access token.
    ///
    /// The access token alone is trusted until it expires, so a revocation reaches a route that does not ask
    /// only when the token is refreshed. The lineage check is what stops an access token of a thief's branch:
    /// once the client refreshes past the token the thief refreshed with, the thief's access token fails here,
    /// whatever its expiry.
    pub async fn check_database(&self) -> Result<(), SessionFailure> {
        let config = self.sessions.config();
        let record = self
            .sessions
            .store()
            .load_live(self.handle(), config.inner.now())
            .await?;
        match record {
            Some(record) if in_lineage(Lineage::of(&record), &self.claims) => Ok(()),
            Some(_) => Err(SessionError::unauthorised(
                config,
                "the access token belongs to a rotated-out token branch; refresh required",
                true,
            )
            .into()),
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
    /// The claims of `token` if it is validly signed, whatever its expiry: from the cache of tokens this process
    /// verified, or verified and cached.
    fn verify_access_token(
        &self,
        token: &str,
        now: u64,
    ) -> Result<Arc<AccessClaims>, SessionError> {
        let key = TokenKey::of(token);
        if let Some(claims) = self.verified().get(&key) {
            return Ok(claims);
        }
        let config = self.config();
        let keys = &config.inner.keys;
        let claims = tokens::verify_access_token(token, &keys.window(now), keys.legacy_access())
            .map_err(|malformed| {
                let message = match malformed {
                    Malformed::Shape => "the access token is malformed",
                    Malformed::Signature => "the access token's signature is not valid",
                    Malformed::UnknownKey => {
                        "the access token was signed with a key this app does not know, or has retired"
                    }
                    Malformed::Claims => "the access token's claims are malformed",
                };
                SessionError::unauthorised(config, message, false)
            })?;
        let claims = Arc::new(claims);
        // An expired token is not worth a place: it is answered *try refresh token* once.
        if claims.exp > now {
            self.verified().insert(key, Arc::clone(&claims), now);
        }
        Ok(claims)
    }

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
        if cookies::has(headers, LEGACY_ID_REFRESH_TOKEN_COOKIE) {
            // A session of an older SuperTokens backend: the refresh call clears the legacy cookie and mints
            // tokens of this recipe (supertokens-node's `getSession`).
            return Err(SessionError::try_refresh_token(
                config,
                "using legacy session, please call the refresh API",
            ));
        }
        let Some((token, transfer)) =
            transfer::read_access_token(&config.inner, headers, tokens::looks_like_access_token)
        else {
            return Ok(None);
        };
        if transfer == Transfer::Cookie
            && cookies::has_several(headers, Token::Access.cookie_name(&config.inner))
        {
            // Which of two cookies of one name is the session's, nothing says; the refresh call sorts them out
            // (supertokens-node's `getAccessTokenFromRequest`).
            return Err(SessionError::try_refresh_token(
                config,
                "multiple access tokens are present in the request cookies",
            ));
        }
        // Before the token is verified: a forged cross-site request learns nothing of it.
        self.check_anti_csrf(method, headers, transfer)?;
        let now = config.inner.now();
        let claims = self.verify_access_token(token, now)?;
        if claims.exp <= now {
            return Err(SessionError::try_refresh_token(
                config,
                "the access token has expired",
            ));
        }
        self.check_anti_csrf_token(method, headers, transfer, &claims.session_handle)?;
        Ok(Some(Session {
            claims,
            sessions: self.clone(),
            transfer,
        }))
    }
}
