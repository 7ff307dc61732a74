//! The session cookies: set, read and cleared with one set of attributes.

use std::convert::Infallible;
use std::fmt;

use axum::response::{IntoResponseParts, ResponseParts};
use cookie::time::{Duration as CookieDuration, OffsetDateTime};
use cookie::{Cookie, Expiration};
use http::{HeaderMap, HeaderName, HeaderValue, header};

use super::config::{ConfigInner, SameSite};

/// The name of the access-token cookie, SuperTokens' own.
pub(crate) const ACCESS_TOKEN_COOKIE: &str = "sAccessToken";

/// The name of the refresh-token cookie, SuperTokens' own.
pub(crate) const REFRESH_TOKEN_COOKIE: &str = "sRefreshToken";

/// The name of the access-token cookie with [`host_prefixed_cookies`](super::SessionConfigBuilder::host_prefixed_cookies).
pub(crate) const HOST_PREFIXED_ACCESS_TOKEN_COOKIE: &str = "__Host-sAccessToken";

/// The name of the refresh-token cookie with [`host_prefixed_cookies`](super::SessionConfigBuilder::host_prefixed_cookies).
pub(crate) const HOST_PREFIXED_REFRESH_TOKEN_COOKIE: &str = "__Host-sRefreshToken";

/// The name of the cookie older SuperTokens backends (before their access tokens were v3) set beside the two
/// tokens. A request that still carries it holds a legacy session: verification answers *try refresh token*,
/// and the refresh call clears it.
pub(crate) const LEGACY_ID_REFRESH_TOKEN_COOKIE: &str = "sIdRefreshToken";

/// The session's part of a response: `Set-Cookie` headers, and the headers SuperTokens' frontends read
/// (`front-token`, in header mode `st-access-token` / `st-refresh-token`, `anti-csrf`). Return it with the
/// response (`(cookies, body)`) to apply it.
///
/// The values that carry a token are marked [sensitive](HeaderValue::set_sensitive), and its `Debug` output shows
/// `[redacted]` in their place.
#[derive(Clone, Default)]
#[must_use = "the session's cookies and headers are only set when returned with the response"]
pub struct SessionTokens {
    values: Vec<HeaderValue>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SessionTokens {
    /// The `Set-Cookie` values.
    pub fn set_cookies(&self) -> &[HeaderValue] {
        &self.values
    }

    /// The other headers: `front-token`, and the token and `anti-csrf` headers when they apply.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    pub(crate) fn with_headers(
        values: Vec<HeaderValue>,
        headers: Vec<(HeaderName, HeaderValue)>,
    ) -> Self {
        Self { values, headers }
    }

    /// Adds `Set-Cookie` values after those it has.
    pub(crate) fn push_set_cookies(&mut self, values: impl IntoIterator<Item = HeaderValue>) {
        self.values.extend(values);
    }

    /// Adds headers after those it has.
    pub(crate) fn push_headers(
        &mut self,
        headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
    ) {
        self.headers.extend(headers);
    }
}

impl fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs: the cookies keep their names and attributes, the tokens are left out.
        let set_cookies = fmt::from_fn(|f| {
            let cookies = self
                .values
                .iter()
                .map(|value| fmt::from_fn(|f| cookie_debug(value, f)));
            f.debug_list().entries(cookies).finish()
        });
        let headers = fmt::from_fn(|f| {
            let headers = self
                .headers
                .iter()
                .map(|(name, value)| (name, fmt::from_fn(|f| header_debug(value, f))));
            f.debug_map().entries(headers).finish()
        });
        f.debug_struct("SessionTokens")
            .field("set_cookies", &set_cookies)
            .field("headers", &headers)
            .finish()
    }
}

impl IntoResponseParts for SessionTokens {
    type Error = Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        for value in self.values {
            parts.headers_mut().append(header::SET_COOKIE, value);
        }
        for (name, value) in self.headers {
            parts.headers_mut().insert(name, value);
        }
        Ok(parts)
    }
}

/// The `Set-Cookie` values of a fresh pair of tokens.
pub(crate) fn setting(
    config: &ConfigInner,
    access_token: &str,
    refresh_token: &str,
) -> Vec<HeaderValue> {
    // The access cookie outlives its token so that an expired token still reaches the server, which then
    // answers "try refresh token" rather than "unauthorised".
    let lifetime =
        CookieDuration::seconds(i64::try_from(config.refresh_lifetime).unwrap_or(i64::MAX));
    [
        cookie(config, Token::Access.cookie_name(config), access_token, "/").max_age(lifetime),
        cookie(
            config,
            Token::Refresh.cookie_name(config),
            refresh_token,
            Token::Refresh.path(config),
        )
        .max_age(lifetime),
    ]
    .into_iter()
    .filter_map(|cookie| header_value(&cookie.build()).map(sensitive))
    .collect()
}

/// The `Set-Cookie` value of a replacement access token, as a payload update mints.
pub(crate) fn setting_access(config: &ConfigInner, access_token: &str) -> Vec<HeaderValue> {
    let lifetime =
        CookieDuration::seconds(i64::try_from(config.refresh_lifetime).unwrap_or(i64::MAX));
    header_value(
        &cookie(config, Token::Access.cookie_name(config), access_token, "/")
            .max_age(lifetime)
            .build(),
    )
    .map(sensitive)
    .into_iter()
    .collect()
}

/// The `Set-Cookie` values that delete both cookies: same name, path, domain, `Secure`, `HttpOnly` and
/// `SameSite` as when they were set, an empty value, `Max-Age=0` and an `Expires` in the past.
pub(crate) fn clearing(config: &ConfigInner) -> Vec<HeaderValue> {
    clearing_at(
        config,
        config.cookie_domain.as_deref(),
        &[Token::Access, Token::Refresh],
    )
}

/// The `Set-Cookie` values that delete the cookies of `tokens` set with `domain` (`None`: host-only).
pub(crate) fn clearing_at(
    config: &ConfigInner,
    domain: Option<&str>,
    tokens: &[Token],
) -> Vec<HeaderValue> {
    tokens
        .iter()
        .map(|token| {
            cookie_at(
                config,
                domain,
                token.cookie_name(config),
                "",
                token.path(config),
            )
        })
        .filter_map(|cookie| header_value(&expired(cookie).build()))
        .collect()
}

/// The `Set-Cookie` value that deletes the legacy `sIdRefreshToken` cookie, which SuperTokens set at the
/// access token's path.
pub(crate) fn clearing_legacy(config: &ConfigInner) -> Option<HeaderValue> {
    header_value(&expired(cookie(config, LEGACY_ID_REFRESH_TOKEN_COOKIE, "", "/")).build())
}

/// The two session cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    Access,
    Refresh,
}

impl Token {
    /// Its cookie's name: SuperTokens' own, or with the `__Host-` prefix when the configuration asks for it.
    pub(crate) fn cookie_name(self, config: &ConfigInner) -> &'static str {
        match (self, config.host_prefixed_cookies) {
            (Self::Access, false) => ACCESS_TOKEN_COOKIE,
            (Self::Refresh, false) => REFRESH_TOKEN_COOKIE,
            (Self::Access, true) => HOST_PREFIXED_ACCESS_TOKEN_COOKIE,
            (Self::Refresh, true) => HOST_PREFIXED_REFRESH_TOKEN_COOKIE,
        }
    }

    /// Its cookie's path: the refresh token's is the refresh endpoint, but with the `__Host-` prefix, which
    /// browsers accept only at `Path=/`.
    fn path(self, config: &ConfigInner) -> &str {
        match self {
            Self::Refresh if !config.host_prefixed_cookies => &config.refresh_path,
            Self::Access | Self::Refresh => "/",
        }
    }
}

fn expired(cookie: cookie::CookieBuilder<'_>) -> cookie::CookieBuilder<'_> {
    cookie
        .max_age(CookieDuration::ZERO)
        .expires(Expiration::DateTime(OffsetDateTime::UNIX_EPOCH))
}

/// The value of the first cookie called `name` in the request's `Cookie` headers.
pub(crate) fn read<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    named(headers, name)
        .next()
        .map(|value| value.trim().trim_matches('"'))
}

/// Whether the request's `Cookie` headers hold more than one cookie called `name`, whatever their values (as
/// supertokens-node's `hasMultipleCookiesForTokenType` counts them): a browser sends one per path and domain it
/// was set at, most specific path first, and nothing says which is the session's.
pub(crate) fn has_several(headers: &HeaderMap, name: &str) -> bool {
    named(headers, name).nth(1).is_some()
}

/// Whether the request carries a cookie called `name`, even an empty one.
pub(crate) fn has(headers: &HeaderMap, name: &str) -> bool {
    named(headers, name).next().is_some()
}

/// The values of the cookies called `name`, in the order the request sends them.
fn named<'h>(headers: &'h HeaderMap, name: &str) -> impl Iterator<Item = &'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .filter(move |(key, _)| key.trim() == name)
        .map(|(_, value)| value)
}

fn cookie<'c>(
    config: &ConfigInner,
    name: &'c str,
    value: &'c str,
    path: &str,
) -> cookie::CookieBuilder<'c> {
    cookie_at(config, config.cookie_domain.as_deref(), name, value, path)
}

fn cookie_at<'c>(
    config: &ConfigInner,
    domain: Option<&str>,
    name: &'c str,
    value: &'c str,
    path: &str,
) -> cookie::CookieBuilder<'c> {
    let mut builder = Cookie::build((name, value))
        .path(path.to_owned())
        .http_only(true)
        .secure(config.cookie_secure)
        .same_site(match config.cookie_same_site {
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::None => cookie::SameSite::None,
        });
    if let Some(domain) = domain {
        builder = builder.domain(domain.to_owned());
    }
    builder
}

/// `value` marked sensitive: it carries a token, which HTTP/2 must not compress into its tables and `Debug` must
/// not show.
pub(crate) fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}

/// A `Set-Cookie` value for `Debug`: one carrying a token as `name=[redacted]` with its attributes.
fn cookie_debug(value: &HeaderValue, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if !value.is_sensitive() {
        return fmt::Debug::fmt(value, f);
    }
    match value.to_str().ok().and_then(|text| text.split_once('=')) {
        Some((name, rest)) => {
            let attributes = rest.find(';').map_or("", |start| &rest[start..]);
            write!(f, "\"{name}={REDACTED}{attributes}\"")
        }
        None => write!(f, "\"{REDACTED}\""),
    }
}

/// A header value for `Debug`: one carrying a token as `[redacted]`.
fn header_debug(value: &HeaderValue, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if value.is_sensitive() {
        write!(f, "\"{REDACTED}\"")
    } else {
        fmt::Debug::fmt(value, f)
    }
}

/// What `Debug` shows in place of a secret.
pub(crate) const REDACTED: &str = "[redacted]";

fn header_value(cookie: &Cookie<'_>) -> Option<HeaderValue> {
    // Names, paths and domains were checked when the configuration was built and tokens are base64url, so
    // every value is a valid header; a failure here would be a bug, logged rather than sent half-formed.
    match HeaderValue::from_str(&cookie.to_string()) {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::error!(%error, name = cookie.name(), "a session cookie is not a valid header value");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionConfig;

    fn texts(values: Vec<HeaderValue>) -> Vec<String> {
        values
            .into_iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn clearing_repeats_every_attribute_the_cookies_were_set_with() {
        let config = SessionConfig::builder()
            .cookie_domain("example.com")
            .cookie_same_site(SameSite::Strict)
            .refresh_path("/api/refresh")
            .refresh_token_lifetime(std::time::Duration::from_secs(7200))
            .build()
            .unwrap();
        assert_eq!(
            texts(setting(&config.inner, "A", "R")),
            [
                "sAccessToken=A; HttpOnly; SameSite=Strict; Secure; Path=/; Domain=example.com; Max-Age=7200",
                "sRefreshToken=R; HttpOnly; SameSite=Strict; Secure; Path=/api/refresh; Domain=example.com; \
                 Max-Age=7200",
            ]
        );
        assert_eq!(
            texts(clearing(&config.inner)),
            [
                "sAccessToken=; HttpOnly; SameSite=Strict; Secure; Path=/; Domain=example.com; Max-Age=0; \
                 Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "sRefreshToken=; HttpOnly; SameSite=Strict; Secure; Path=/api/refresh; Domain=example.com; \
                 Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ]
        );
    }

    #[test]
    fn reads_a_cookie_among_others_and_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("sAccessToken=tok; c=3"),
        );
        assert_eq!(read(&headers, "sAccessToken"), Some("tok"));
        assert_eq!(read(&headers, "b"), Some("2"));
        assert_eq!(read(&headers, "sRefreshToken"), None);
    }
}
