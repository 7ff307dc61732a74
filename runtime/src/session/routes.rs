//! The recipe's endpoints: refresh and sign-out.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, HeaderValue, Method, header};

use super::Sessions;
use super::cookies::SessionTokens;
use super::error::{SessionError, SessionErrorKind, SessionFailure};
use super::tokens;
use super::transfer;

impl Sessions {
    /// A router with the refresh endpoint (`POST` at the refresh path) and the sign-out endpoint (`POST` at the
    /// sign-out path), to merge into the app's router.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let config = self.config();
        Router::new()
            .route(config.refresh_path(), post(refresh))
            .route(config.sign_out_path(), post(sign_out))
            .with_state(self.clone())
    }

    /// Rotates the refresh token of the request: the cookies (or, in header mode, the headers) of a new access
    /// token and refresh token with their `front-token`, or why not (`Unauthorised`, `TokenTheftDetected`, a
    /// store failure).
    pub async fn refresh_session(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<SessionTokens, SessionFailure> {
        let config = self.config();
        let Some((token, transfer)) =
            transfer::read_refresh_token(&config.inner, headers, tokens::looks_like_refresh_token)
        else {
            self.check_anti_csrf(
                method,
                headers,
                transfer::of_request(&config.inner, headers),
            )?;
            // As supertokens-node does since its issue 790: a client with an access token but no refresh token
            // holds a session it can never refresh, so both are cleared rather than left to fail forever.
            let has_access_token =
                transfer::read_access_token(&config.inner, headers, |_| true).is_some();
            let message = if has_access_token {
                "the request has an access token but no refresh token; the tokens are cleared"
            } else {
                "the request has no refresh token: no sRefreshToken cookie (which browsers send only to the \
                 refresh path) and no Authorization: Bearer header"
            };
            return Err(SessionError::unauthorised(config, message, has_access_token).into());
        };
        // Before the token is even opened, so that a forged cross-site refresh clears nothing and touches no
        // store; the token check needs the session handle the token names.
        self.check_anti_csrf(method, headers, transfer)?;
        let claims = self.open_refresh_token(token)?;
        self.check_refresh_anti_csrf_token(headers, transfer, &claims.session_handle)?;
        let refreshed = self.rotate(token, claims).await?;
        let front = transfer::FrontToken {
            user_id: &refreshed.user_id,
            session_handle: &refreshed.session_handle,
            iat: refreshed.iat,
            exp: refreshed.iat.saturating_add(config.inner.access_lifetime),
            payload: &refreshed.payload,
        };
        Ok(transfer::issue(
            &config.inner,
            transfer,
            &refreshed.access_token,
            Some(&refreshed.refresh_token),
            &front,
        ))
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
