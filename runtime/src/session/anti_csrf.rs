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

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
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
    /// The checks of a state-changing request whose tokens come by cookie, before any token is looked at: it
    /// comes from the app's own origin or an allowed one, and, with SuperTokens' `VIA_CUSTOM_HEADER`, carries
    /// `rid`.
    pub(crate) fn check_anti_csrf(
        &self,
        method: &Method,
        headers: &HeaderMap,
        transfer: Transfer,
    ) -> Result<(), SessionError> {
        let config = self.config();
        if !is_safe(method) && transfer == Transfer::Cookie {
            check_origin(&config.inner, headers)
                .map_err(|origin| SessionError::cross_origin_request(config, origin))?;
        }
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
    /// *unauthorised*. SuperTokens clears the tokens there; the recipe does not, so that a forged cross-site
    /// refresh cannot sign the user out.
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
            false,
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

/// Whether a state-changing request with cookies comes from the app's own origin or an allowed one (OWASP's
/// "verifying origin with standard headers", and Fetch Metadata where no `Origin` is sent); the refused `Origin`
/// otherwise.
///
/// The own origin is the request's `Host` (or `X-Forwarded-Host`, which a proxy that rewrites `Host` sets and a
/// cross-site page cannot: it is not a header a browser lets a form or a preflight-free fetch send). A request
/// with neither `Origin` nor `Sec-Fetch-Site` comes from no browser (curl, a server) and is let through: cookies
/// only ride along on their own in a browser.
fn check_origin(config: &ConfigInner, headers: &HeaderMap) -> Result<(), Option<String>> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return match headers.get(SEC_FETCH_SITE).map(HeaderValue::as_bytes) {
            Some(b"cross-site" | b"same-site") => Err(None),
            _ => Ok(()),
        };
    };
    let text = origin.to_str().unwrap_or_default();
    // `Origin: null` (a sandboxed frame, a redirect across sites) is no origin to trust. Compared without
    // allocating: this runs on every state-changing request with cookies.
    let authority = strip_prefix_ignoring_case(text, "https://")
        .or_else(|| strip_prefix_ignoring_case(text, "http://"));
    let own = |name| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .is_some_and(|host| {
                authority.is_some_and(|authority| host.trim().eq_ignore_ascii_case(authority))
            })
    };
    let allowed = || {
        let text = text.trim_end_matches('/');
        config
            .allowed_origins
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(text))
    };
    if own(header::HOST) || own(X_FORWARDED_HOST) || allowed() {
        Ok(())
    } else {
        Err(Some(text.to_owned()))
    }
}

/// `text` without `prefix`, compared without regard to ASCII case.
fn strip_prefix_ignoring_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    text.get(..prefix.len())
        .filter(|start| start.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
}

/// `Sec-Fetch-Site`: how the request's initiator relates to its target (Fetch Metadata).
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// `X-Forwarded-Host`: the `Host` a proxy received.
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
