//! The anti-CSRF checks of state-changing requests: SuperTokens' `VIA_CUSTOM_HEADER` (`rid`) and `VIA_TOKEN`
//! (`anti-csrf`).
//!
//! Both protect cookies, which a browser attaches to cross-site requests; a token sent as `Authorization: Bearer`
//! cannot be attached by another site, so header transfer skips them, as supertokens-node's
//! `getSessionFromRequest` and `refreshSessionInRequest` do.
//!
//! The anti-CSRF token is `base64url(HMAC-SHA256(anti-CSRF key, session handle))`, the key derived from the root
//! secret for this purpose alone: stateless, tied
//! to the session, and unreadable by another origin, which can neither read the response that carries it nor
//! the SDK's `sAntiCsrf` cookie where it is kept (`fetch.js`, `setAntiCSRF`). SuperTokens' core mints a random
//! one per refresh and keeps it inside both tokens; this recipe's tokens are not touched for it.

use axum::http::{HeaderMap, Method};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac as _;
use subtle::ConstantTimeEq as _;

use super::Sessions;
use super::config::{AntiCsrf, ConfigInner};
use super::error::SessionError;
use super::headers::{ANTI_CSRF_HEADER, RID_HEADER};
use super::transfer_method::Transfer;

impl Sessions {
    /// SuperTokens' `VIA_CUSTOM_HEADER`: a state-changing request whose tokens come by cookie must carry `rid`.
    pub(crate) fn check_anti_csrf(
        &self,
        method: &Method,
        headers: &HeaderMap,
        transfer: Transfer,
    ) -> Result<(), SessionError> {
        let config = self.config();
        if config.anti_csrf() != AntiCsrf::ViaCustomHeader
            || is_safe(method)
            || transfer == Transfer::Header
            || headers.contains_key(RID_HEADER)
        {
            return Ok(());
        }
        Err(SessionError::unauthorised(
            config,
            "anti-csrf check failed: with SameSite=None cookies, a request whose method is not GET, HEAD or \
             OPTIONS must carry the header `rid` (for example `rid: session`)",
            false,
        ))
    }

    /// SuperTokens' `VIA_TOKEN` on a request with an access token: a state-changing request whose tokens come by
    /// cookie must carry the session's `anti-csrf` token, else *try refresh token*, as supertokens-node's
    /// `getSession` answers, so that a frontend holding a stale token fetches the current one by refreshing.
    pub(crate) fn check_anti_csrf_token(
        &self,
        method: &Method,
        headers: &HeaderMap,
        transfer: Transfer,
        session_handle: &str,
    ) -> Result<(), SessionError> {
        let config = self.config();
        if config.anti_csrf() != AntiCsrf::ViaToken
            || is_safe(method)
            || transfer == Transfer::Header
        {
            return Ok(());
        }
        if presents_token(&config.inner, headers, session_handle) {
            Ok(())
        } else {
            Err(SessionError::try_refresh_token(
                config,
                "anti-csrf check failed: the request lacks the session's `anti-csrf` header",
            ))
        }
    }

    /// `VIA_TOKEN` on the refresh call with cookies: the `anti-csrf` header must be the session's token, else
    /// *unauthorised* and the tokens are cleared, as SuperTokens' core answers a refresh whose anti-CSRF token
    /// does not match.
    pub(crate) fn check_refresh_anti_csrf_token(
        &self,
        headers: &HeaderMap,
        transfer: Transfer,
        session_handle: &str,
    ) -> Result<(), SessionError> {
        let config = self.config();
        if config.anti_csrf() != AntiCsrf::ViaToken
            || transfer == Transfer::Header
            || presents_token(&config.inner, headers, session_handle)
        {
            return Ok(());
        }
        Err(SessionError::unauthorised(
            config,
            "anti-csrf check failed: the refresh call lacks the session's `anti-csrf` header",
            true,
        ))
    }
}

/// The anti-CSRF token to send with tokens minted for `session_handle`: with `VIA_TOKEN` and cookies only.
pub(crate) fn token_to_issue(
    config: &ConfigInner,
    transfer: Transfer,
    session_handle: &str,
) -> Option<String> {
    (config.anti_csrf == AntiCsrf::ViaToken && transfer == Transfer::Cookie)
        .then(|| token(config, session_handle))
}

fn token(config: &ConfigInner, session_handle: &str) -> String {
    let mut mac = config.keys.anti_csrf().clone();
    mac.update(session_handle.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn presents_token(config: &ConfigInner, headers: &HeaderMap, session_handle: &str) -> bool {
    let expected = token(config, session_handle);
    headers
        .get(ANTI_CSRF_HEADER)
        .is_some_and(|presented| bool::from(presented.as_bytes().ct_eq(expected.as_bytes())))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
