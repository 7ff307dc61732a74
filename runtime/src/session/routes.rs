//! The recipe's endpoints: refresh and sign-out.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, HeaderValue, Method, header};

use super::Sessions;
use super::cookies::{self, REFRESH_TOKEN_COOKIE, SessionCookies};
use super::error::{SessionError, SessionFailure};

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

    /// Rotates the refresh token of the request: the cookies of a new access token and refresh token, or why
    /// not (`Unauthorised`, `TokenTheftDetected`, a store failure).
    pub async fn refresh_session(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<SessionCookies, SessionFailure> {
        let config = self.config();
        self.check_anti_csrf(method, headers)?;
        let Some(token) =
            cookies::read(headers, REFRESH_TOKEN_COOKIE).filter(|token| !token.is_empty())
        else {
            return Err(SessionError::unauthorised(
                config,
                "the request has no sRefreshToken cookie, which browsers send only to the refresh path",
                false,
            )
            .into());
        };
        let refreshed = self.rotate(token).await?;
        Ok(SessionCookies::new(cookies::setting(
            &config.inner,
            &refreshed.access_token,
            &refreshed.refresh_token,
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

/// `POST` sign-out path: revokes the session, if there is one, and clears the cookies.
///
/// An expired access token answers "try refresh token", as in SuperTokens, so that the frontend refreshes and
/// signs out the session for real; a token that names no usable session (malformed, tampered, revoked) is
/// cleared like an absent one, once the request passed the anti-CSRF check.
async fn sign_out(
    State(sessions): State<Sessions>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, SessionFailure> {
    let cookies = match sessions.get_session_if_any(&method, &headers).await {
        Ok(Some(session)) => session.revoke().await?,
        Ok(None) | Err(SessionError::Unauthorised { .. }) => {
            sessions.check_anti_csrf(&method, &headers)?;
            SessionCookies::new(cookies::clearing(&sessions.config().inner))
        }
        Err(error) => return Err(error.into()),
    };
    Ok((cookies, ok()).into_response())
}

fn ok() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        r#"{"status":"OK"}"#,
    )
}
