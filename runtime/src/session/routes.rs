//! The recipe's endpoints: refresh and sign-out.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, HeaderValue, Method, header};

use super::Sessions;
use super::cookies::{self, LEGACY_ID_REFRESH_TOKEN_COOKIE, SessionTokens, Token};
use super::error::{DuplicateSessionCookiesError, SessionError, SessionErrorKind, SessionFailure};
use super::tokens;
use super::transfer;
use super::transfer_method::Transfer;

impl Sessions {
    /// A router with the refresh endpoint (`POST` at the refresh path), the sign-out endpoint (`POST` at the
    /// sign-out path), the JWKS endpoint (`GET` at the JWKS path) and, when an http(s) issuer is configured, the
    /// OpenID discovery document (`GET` at the issuer's path with `/.well-known/openid-configuration`), to merge
    /// into the app's router.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let config = self.config();
        let router = Router::new()
            .route(config.refresh_path(), post(refresh))
            .route(config.sign_out_path(), post(sign_out))
            .route(config.jwks_path(), get(jwks));
        let router = match config.openid_configuration_path() {
            Some(path) => router.route(path, get(openid_configuration)),
            None => router,
        };
        router.with_state(self.clone())
    }

    /// Rotates the refresh token of the request: the cookies (or, in header mode, the headers) of a new access
    /// token and refresh token with their `front-token`, or why not (`Unauthorised`, `TokenTheftDetected`, a
    /// store failure, duplicate session cookies).
    ///
    /// As supertokens-node's `refreshSessionInRequest`: a request carrying two session cookies of one name has
    /// the older domain's cleared when [`older_cookie_domain`](super::SessionConfigBuilder::older_cookie_domain)
    /// is set (the answer then mints nothing), and fails with a
    /// [`DuplicateSessionCookiesError`] when it is not; the legacy
    /// `sIdRefreshToken` cookie is cleared by every answer that mints tokens or clears them; and tokens the
    /// request sent by the other transfer method are cleared.
    pub async fn refresh_session(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<SessionTokens, SessionFailure> {
        if let Some(cleared) = self.clear_duplicate_cookies(headers)? {
            return Ok(cleared);
        }
        let legacy = cookies::has(headers, LEGACY_ID_REFRESH_TOKEN_COOKIE);
        match self.refresh_tokens(method, headers).await {
            Ok(mut tokens) => {
                if legacy {
                    tokens.push_set_cookies(cookies::clearing_legacy(&self.config().inner));
                }
                Ok(tokens)
            }
            Err(SessionFailure::Session(error)) if legacy => {
                Err(error.clearing_legacy_cookie().into())
            }
            Err(failure) => Err(failure),
        }
    }

    async fn refresh_tokens(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<SessionTokens, SessionFailure> {
        let config = self.config();
        let inner = &config.inner;
        let Some((token, transfer)) =
            transfer::read_refresh_token(inner, headers, tokens::looks_like_refresh_token)
        else {
            self.check_anti_csrf(method, headers, transfer::of_request(inner, headers))?;
            // As supertokens-node does since its issue 790: a client with an access token but no refresh token
            // holds a session it can never refresh, so both are cleared rather than left to fail forever.
            let has_access_token = transfer::read_access_token(inner, headers, |_| true).is_some();
            let message = if has_access_token {
                "the request has an access token but no refresh token; the tokens are cleared"
            } else {
                "the request has no refresh token: no sRefreshToken cookie (which browsers send only to the \
                 refresh path) and no Authorization: Bearer header"
            };
            return Err(SessionError::unauthorised(config, message, true).into());
        };
        // Before the token is even opened, so that a forged cross-site refresh clears nothing and touches no
        // store; the token check needs the session handle the token names.
        self.check_anti_csrf(method, headers, transfer)?;
        let claims = self.open_refresh_token(token)?;
        self.check_refresh_anti_csrf_token(headers, transfer, &claims.session_handle)?;
        let refreshed = self.rotate(token, claims, transfer).await?;
        let mut tokens = transfer::issue(
            inner,
            transfer,
            &refreshed.access_token,
            Some(&refreshed.refresh_token),
            &refreshed.claims,
        );
        // A client holding tokens of both methods keeps those of the one it refreshed with.
        transfer::clear_other_method(inner, headers, transfer, &mut tokens);
        Ok(tokens)
    }

    /// What a request carrying two session cookies of one name gets: `None` when it carries none, the
    /// clearing of the older domain's cookies when one is configured, else the error.
    fn clear_duplicate_cookies(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<SessionTokens>, DuplicateSessionCookiesError> {
        let inner = &self.config().inner;
        if !inner.token_transfer.accepts(Transfer::Cookie) {
            return Ok(None);
        }
        let duplicated: Vec<Token> = [Token::Access, Token::Refresh]
            .into_iter()
            .filter(|token| cookies::has_several(headers, token.cookie_name(inner)))
            .collect();
        let names = match duplicated.as_slice() {
            [] => return Ok(None),
            [token] => token.cookie_name(inner),
            _ => "both session cookies",
        };
        let Some(older) = &inner.older_cookie_domain else {
            return Err(DuplicateSessionCookiesError(names));
        };
        tracing::debug!(
            cookies = names,
            older_cookie_domain = %older,
            "the request carries duplicate session cookies; clearing those of the older cookie domain"
        );
        Ok(Some(SessionTokens::with_headers(
            cookies::clearing_at(inner, Some(older), &duplicated),
            Vec::new(),
        )))
    }
}

/// `POST` refresh path: SuperTokens' refresh API.
async fn refresh(
    State(sessions): State<Sessions>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, SessionFailure> {
    let cookies = sessions.refresh_session(&method, &headers).await?;
    Ok((cookies, ok()).into_response())
}

/// `GET` JWKS path: the public keys that verify access tokens now, as a JWKS document (RFC 7517).
///
/// Cached for a minute (`Cache-Control: public, max-age=60`, as SuperTokens' SDKs refresh their key sets): a
/// rotation needs no shorter, since the next key is published a whole rotation interval before it signs, but a
/// replaced root secret signs at once, so verifiers that refetch only when their copy expires learn its keys
/// within a minute (those that refetch on an unknown `kid`, such as `jose`'s `createRemoteJWKSet`, at once).
async fn jwks(State(sessions): State<Sessions>) -> Response {
    let config = &sessions.config().inner;
    let window = config.keys.window(config.now());
    (
        [
            (
                header::CONTENT_TYPE,
                const { HeaderValue::from_static("application/json") },
            ),
            (
                header::CACHE_CONTROL,
                const { HeaderValue::from_static("public, max-age=60") },
            ),
        ],
        window.jwks().to_owned(),
    )
        .into_response()
}

/// `GET` OpenID discovery path: the issuer and the JWKS's URL, as supertokens-node serves them.
async fn openid_configuration(State(sessions): State<Sessions>) -> Response {
    let document = sessions
        .config()
        .inner
        .openid_configuration
        .as_ref()
        .map(|(_, document)| document.clone())
        .unwrap_or_default();
    (
        [
            (
                header::CONTENT_TYPE,
                const { HeaderValue::from_static("application/json") },
            ),
            (
                header::CACHE_CONTROL,
                const { HeaderValue::from_static("public, max-age=60") },
            ),
        ],
        document,
    )
        .into_response()
}

/// `POST` sign-out path: revokes the session and clears the cookies.
///
/// As in SuperTokens, a request without any access token is *unauthorised* (its sign-out API verifies the
/// session first), and an expired access token answers "try refresh token", so that the frontend refreshes and
/// signs out the session for real; a token that names no usable session (malformed, tampered, revoked) is
/// cleared, once the request passed the anti-CSRF check, so that it does not stick in the client.
async fn sign_out(
    State(sessions): State<Sessions>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, SessionFailure> {
    let (sessions, method, headers) = (&sessions, &method, &headers);
    let cookies = match sessions.get_session_if_any(method, headers).await {
        Ok(Some(session)) => session.revoke().await?,
        Ok(None) => {
            return Err(SessionError::unauthorised(
                sessions.config(),
                "sign-out without a session: the request has no access token",
                false,
            )
            .into());
        }
        Err(error) if !matches!(error.kind(), SessionErrorKind::Unauthorised { .. }) => {
            return Err(error.into());
        }
        Err(_) => {
            let config = &sessions.config().inner;
            sessions.check_anti_csrf(method, headers, transfer::of_request(config, headers))?;
            transfer::clearing(config)
        }
    };
    Ok((cookies, ok()).into_response())
}

fn ok() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            const { HeaderValue::from_static("application/json") },
        )],
        r#"{"status":"OK"}"#,
    )
}
