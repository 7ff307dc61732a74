//! How tokens travel between the recipe and SuperTokens' frontends: in cookies or in headers (SuperTokens'
//! `tokenTransferMethod`), with the `front-token` header that tells the frontend a session exists.
//!
//! The frontend SDK (`supertokens-website`, embedded in `supertokens-web-js`) never sees the `HttpOnly` cookies.
//! It learns everything it knows about the session from response headers, read in `lib/build/fetch.js`,
//! `saveTokensFromHeaders`:
//!
//! - `front-token`: `base64(JSON {"uid", "ate", "up"})`, stored in its own `sFrontToken` cookie; `remove`
//!   deletes it along with every token it holds (`FrontToken.setItem` → `FrontToken.removeToken`). Its presence
//!   is what `doesSessionExist`, `getUserId` and `getAccessTokenPayloadSecurely` read (`recipeImplementation.js`
//!   through `FrontToken.getTokenInfo`), and its appearance or removal fires `SESSION_CREATED`, `SIGN_OUT` and
//!   `UNAUTHORISED` (`fireSessionUpdateEventsIfNecessary`).
//! - `st-access-token` / `st-refresh-token`: in header mode, the tokens themselves, which it keeps in cookies of
//!   the page's origin and sends back as `Authorization: Bearer` (`setAuthorizationHeaderIfRequired`: the access
//!   token on every request, the refresh token on the refresh call); an empty value deletes them (`setToken`).
//! - `anti-csrf`: the anti-CSRF token (see [`AntiCsrf::ViaToken`](super::AntiCsrf::ViaToken)).
//!
//! Each request of the SDK says which mode it is in with `st-auth-mode: cookie | header`
//! (`AuthHttpRequest.doRequest`).

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::config::ConfigInner;
use super::cookies::{self, SessionTokens, Token};
use super::error::SessionFailure;
use super::headers::{
    ACCESS_TOKEN_HEADER, ANTI_CSRF_HEADER, AUTH_MODE_HEADER, FRONT_TOKEN_HEADER,
    REFRESH_TOKEN_HEADER, clearing_headers,
};
use super::tokens::AccessClaims;
use super::transfer_method::{TokenTransferMethod, Transfer};
use super::{NewSession, Sessions};

impl Sessions {
    /// [`create_new_session`](Self::create_new_session) for the request with `headers`: its tokens travel the
    /// way the request asks with `st-auth-mode` (within the configured [`TokenTransferMethod`]), as SuperTokens'
    /// `createNewSession(req, res, ...)` does.
    ///
    /// ```
    /// use axum::{extract::State, http::HeaderMap};
    /// use errorhandler::session::{NewSession, SessionFailure, Sessions};
    ///
    /// async fn sign_in(State(sessions): State<Sessions>, headers: HeaderMap) -> Result<NewSession, SessionFailure> {
    ///     // ... check the credentials ...
    ///     sessions.create_new_session_for(&headers, "alice", serde_json::json!({})).await
    /// }
    /// ```
    pub async fn create_new_session_for(
        &self,
        headers: &HeaderMap,
        user_id: impl Into<String>,
        payload: Value,
    ) -> Result<NewSession, SessionFailure> {
        self.create_session(Some(headers), user_id.into(), payload)
            .await
    }
}

/// The transfer method of a new session: the configured one, or under `Any` the request's `st-auth-mode`.
///
/// SuperTokens answers a request without `st-auth-mode` in header mode; this recipe uses cookies, so that
/// browsers and clients that predate header transfer keep working.
pub(crate) fn for_new_session(config: &ConfigInner, request: Option<&HeaderMap>) -> Transfer {
    match config.token_transfer {
        TokenTransferMethod::Cookie => Transfer::Cookie,
        TokenTransferMethod::Header => Transfer::Header,
        TokenTransferMethod::Any => {
            let asks_for_headers = request
                .and_then(|headers| headers.get(AUTH_MODE_HEADER))
                .and_then(|value| value.to_str().ok())
                .is_some_and(|mode| mode.trim().eq_ignore_ascii_case("header"));
            if asks_for_headers {
                Transfer::Header
            } else {
                Transfer::Cookie
            }
        }
    }
}

/// The request's access token and how it came: `Authorization: Bearer` first, then the cookie, among the
/// accepted methods (supertokens-node's `getAccessTokenFromRequest`).
///
/// `looks_like_ours` tells a bearer token of the recipe from another scheme's, which is ignored (the cookie, if
/// any, is read), as supertokens-node ignores a bearer token that is not structured like its own.
pub(crate) fn read_access_token<'h>(
    config: &ConfigInner,
    headers: &'h HeaderMap,
    looks_like_ours: impl Fn(&str) -> bool,
) -> Option<(&'h str, Transfer)> {
    read(
        config,
        headers,
        Token::Access.cookie_name(config),
        looks_like_ours,
    )
}

/// The request's refresh token and how it came, as [`read_access_token`]: on the refresh call, the SDK in
/// header mode sends the refresh token as `Authorization: Bearer` (`fetch.js`, `onUnauthorisedResponse` →
/// `setAuthorizationHeaderIfRequired(headers, true)`).
pub(crate) fn read_refresh_token<'h>(
    config: &ConfigInner,
    headers: &'h HeaderMap,
    looks_like_ours: impl Fn(&str) -> bool,
) -> Option<(&'h str, Transfer)> {
    read(
        config,
        headers,
        Token::Refresh.cookie_name(config),
        looks_like_ours,
    )
}

/// How a request without a usable token would have sent one: by header when it carries `Authorization: Bearer`
/// or asks for header mode, else by cookie.
pub(crate) fn of_request(config: &ConfigInner, headers: &HeaderMap) -> Transfer {
    if config.token_transfer.accepts(Transfer::Header)
        && (bearer(headers).is_some() || for_new_session(config, Some(headers)) == Transfer::Header)
    {
        Transfer::Header
    } else {
        Transfer::Cookie
    }
}

/// The response parts of freshly minted tokens: cookies or `st-*-token` headers, the `front-token`, and the
/// anti-CSRF token when the configuration uses one. `refresh_token` is `None` when only the access token
/// changes (a payload update).
pub(crate) fn issue(
    config: &ConfigInner,
    transfer: Transfer,
    access_token: &str,
    refresh_token: Option<&str>,
    claims: &AccessClaims,
) -> SessionTokens {
    let mut headers = Vec::new();
    let set_cookies = match transfer {
        Transfer::Cookie => {
            if config.expose_access_token {
                headers.extend(token_value(access_token).map(|value| (ACCESS_TOKEN_HEADER, value)));
            }
            match refresh_token {
                Some(refresh_token) => cookies::setting(config, access_token, refresh_token),
                None => cookies::setting_access(config, access_token),
            }
        }
        Transfer::Header => {
            headers.extend(token_value(access_token).map(|value| (ACCESS_TOKEN_HEADER, value)));
            if let Some(refresh_token) = refresh_token {
                headers
                    .extend(token_value(refresh_token).map(|value| (REFRESH_TOKEN_HEADER, value)));
            }
            Vec::new()
        }
    };
    // What the frontend's scripts read of the session anyway: no credential.
    headers.extend(header_value(&front_token(claims)).map(|value| (FRONT_TOKEN_HEADER, value)));
    if let Some(token) = super::anti_csrf::token_to_issue(config, transfer, &claims.session_handle)
    {
        headers.extend(token_value(&token).map(|value| (ANTI_CSRF_HEADER, value)));
    }
    SessionTokens::with_headers(set_cookies, headers)
}

/// Adds to `tokens`, minted for a refresh by `used`, what clears the tokens the request also sent by the other
/// method, as supertokens-node's `refreshSessionInRequest` clears "the tokens in all token transfer methods we
/// are not going to overwrite": the cookies after a refresh by header, the `st-*-token` headers after a refresh
/// by cookie (which happens when the configuration accepts cookies only).
pub(crate) fn clear_other_method(
    config: &ConfigInner,
    headers: &HeaderMap,
    used: Transfer,
    tokens: &mut SessionTokens,
) {
    match used {
        Transfer::Header => {
            // Whatever the accepted methods: a cookie the recipe no longer reads is cleared all the same.
            let has_cookie = cookies::read(headers, Token::Refresh.cookie_name(config))
                .is_some_and(|token| !token.is_empty());
            if has_cookie {
                tokens.push_set_cookies(cookies::clearing(config));
            }
        }
        Transfer::Cookie => {
            if bearer(headers).is_some() {
                tokens.push_headers([
                    (ACCESS_TOKEN_HEADER, HeaderValue::from_static("")),
                    (REFRESH_TOKEN_HEADER, HeaderValue::from_static("")),
                ]);
            }
        }
    }
}

/// Everything a response that ends the session carries: the clearing cookies and [`clearing_headers`].
pub(crate) fn clearing(config: &ConfigInner) -> SessionTokens {
    SessionTokens::with_headers(cookies::clearing(config), clearing_headers().to_vec())
}

/// `base64(UTF-8 JSON {"uid", "ate", "up"})`, as supertokens-node's `buildFrontToken`: the SDK decodes it with
/// `JSON.parse(decodeURIComponent(escape(atob(token))))` (`fetch.js`, `parseFrontToken`), so standard padded
/// base64; `ate` is in milliseconds (compared with `Date.now()` in `getAccessTokenPayloadSecurely` and
/// `doesSessionExist`), and `up` is the access token's whole v3 payload, whose `iat` is in seconds
/// (`calculateClockSkewInMillis` multiplies it by 1000).
pub(crate) fn front_token(claims: &AccessClaims) -> String {
    #[derive(serde::Serialize)]
    struct Front<'a> {
        uid: &'a str,
        ate: u64,
        up: &'a AccessClaims,
    }
    let front = Front {
        uid: &claims.user_id,
        ate: claims.exp.saturating_mul(1000),
        up: claims,
    };
    // Serializing the claims cannot fail (every key is a string).
    STANDARD.encode(serde_json::to_vec(&front).unwrap_or_default())
}

fn read<'h>(
    config: &ConfigInner,
    headers: &'h HeaderMap,
    cookie_name: &str,
    looks_like_ours: impl Fn(&str) -> bool,
) -> Option<(&'h str, Transfer)> {
    let accepts = |transfer| config.token_transfer.accepts(transfer);
    let bearer = bearer(headers).filter(|_| accepts(Transfer::Header));
    // A bearer token of ours wins: the cookies need not be parsed at all.
    if let Some(token) = bearer
        && looks_like_ours(token)
    {
        return Some((token, Transfer::Header));
    }
    let cookie = cookies::read(headers, cookie_name)
        .filter(|token| !token.is_empty() && accepts(Transfer::Cookie));
    // Another service's bearer token (an API key, say) is not a session, beside our cookie or alone:
    // supertokens-node ignores a bearer token that does not parse as its own.
    cookie.map(|cookie| (cookie, Transfer::Cookie))
}

/// The token of `Authorization: Bearer <token>`, as supertokens-node's `getToken` reads it.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// The header value of a token, marked [sensitive](cookies::sensitive).
fn token_value(token: &str) -> Option<HeaderValue> {
    header_value(token).map(cookies::sensitive)
}

fn header_value(text: &str) -> Option<HeaderValue> {
    // Tokens are base64 text, so this fails only on a bug; logged rather than sent half-formed.
    match HeaderValue::from_str(text) {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::error!(%error, "a session token is not a valid header value");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionConfig;

    fn decode(token: &str) -> Value {
        serde_json::from_slice(&STANDARD.decode(token).unwrap()).unwrap()
    }

    #[test]
    fn front_token_is_what_the_sdk_parses_with_the_v3_payload_in_core_order() {
        let claims = AccessClaims {
            user_id: "alice".to_owned(),
            exp: 1_700_003_600,
            iat: 1_700_000_000,
            session_handle: "h1".to_owned(),
            refresh_hash: crate::session::TokenHash::from_bytes([7; 32]),
            parent_hash: None,
            anti_csrf_token: None,
            issuer: Some("https://api.example.com/auth".to_owned()),
            payload: serde_json::json!({ "st-role": ["admin"], "name": "Zoë" }),
        };
        let token = front_token(&claims);
        let json = String::from_utf8(STANDARD.decode(&token).unwrap()).unwrap();
        let hash = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
        assert_eq!(
            json,
            format!(
                r#"{{"uid":"alice","ate":1700003600000,"up":{{"sub":"alice","exp":1700003600,"iat":1700000000,"sessionHandle":"h1","refreshTokenHash1":"{hash}","parentRefreshTokenHash1":null,"antiCsrfToken":null,"iss":"https://api.example.com/auth","name":"Zoë","st-role":["admin"]}}}}"#
            )
        );
        assert_eq!(
            decode(&token)["up"]["st-role"],
            serde_json::json!(["admin"])
        );
    }

    #[test]
    fn new_sessions_follow_st_auth_mode_within_the_configured_methods() {
        let mut header_mode = HeaderMap::new();
        header_mode.insert(AUTH_MODE_HEADER, HeaderValue::from_static("header"));
        let any = SessionConfig::builder().build().unwrap();
        assert_eq!(
            for_new_session(&any.inner, Some(&header_mode)),
            Transfer::Header
        );
        assert_eq!(
            for_new_session(&any.inner, Some(&HeaderMap::new())),
            Transfer::Cookie
        );
        assert_eq!(for_new_session(&any.inner, None), Transfer::Cookie);
        let cookie_only = SessionConfig::builder()
            .token_transfer_method(TokenTransferMethod::Cookie)
            .build()
            .unwrap();
        assert_eq!(
            for_new_session(&cookie_only.inner, Some(&header_mode)),
            Transfer::Cookie
        );
    }

    #[test]
    fn bearer_tokens_win_unless_they_are_another_schemes() {
        let config = SessionConfig::builder().build().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer ours"),
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("sAccessToken=cookie"),
        );
        assert_eq!(
            read_access_token(&config.inner, &headers, |_| true),
            Some(("ours", Transfer::Header))
        );
        assert_eq!(
            read_access_token(&config.inner, &headers, |_| false),
            Some(("cookie", Transfer::Cookie))
        );
        let cookie_only = SessionConfig::builder()
            .token_transfer_method(TokenTransferMethod::Cookie)
            .build()
            .unwrap();
        assert_eq!(
            read_access_token(&cookie_only.inner, &headers, |_| true),
            Some(("cookie", Transfer::Cookie))
        );
        let header_only = SessionConfig::builder()
            .token_transfer_method(TokenTransferMethod::Header)
            .build()
            .unwrap();
        headers.remove(header::AUTHORIZATION);
        assert_eq!(
            read_access_token(&header_only.inner, &headers, |_| true),
            None
        );
    }
}
