//! The recipe's configuration, checked when it is built.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use zeroize::Zeroizing;

use super::clock::{Clock, SystemClock};
use super::transfer_method::TokenTransferMethod;

/// The configuration of the session recipe; built by [`SessionConfig::builder`] and checked there.
#[derive(Clone)]
pub struct SessionConfig {
    pub(crate) inner: Arc<ConfigInner>,
}

/// The settings of a [`SessionConfig`] before they are checked.
#[must_use = "call .build() to check the settings and get a SessionConfig"]
pub struct SessionConfigBuilder {
    cookie_domain: Option<String>,
    cookie_secure: bool,
    cookie_same_site: SameSite,
    access_token_lifetime: Duration,
    refresh_token_lifetime: Duration,
    refresh_path: String,
    sign_out_path: String,
    session_expired_status: u16,
    invalid_claim_status: u16,
    signing_secret: Option<SecretSource>,
    anti_csrf: Option<AntiCsrf>,
    token_transfer: TokenTransferMethod,
    clock: Arc<dyn Clock>,
    store_timeout: Duration,
    grace_period: Duration,
    reuse_behaviour: TokenReuseBehaviour,
    older_cookie_domain: Option<String>,
    issuer: Option<String>,
    previous_secrets: Vec<SecretSource>,
    signing_key_rotation: Option<Duration>,
    jwks_path: String,
    allowed_origins: Vec<String>,
    host_prefixed_cookies: bool,
    absolute_lifetime: Option<Duration>,
    session_cap: Option<(usize, SessionCapPolicy)>,
    sign_in_revokes_current_session: bool,
    expose_access_token: bool,
}

/// Where the signing secret comes from.
enum SecretSource {
    /// Wiped when the builder is dropped unbuilt.
    Bytes(Zeroizing<Vec<u8>>),
    Env(String),
    File(PathBuf),
}

/// The `SameSite` attribute of the session cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent only with requests from the same site.
    Strict,
    /// Sent with same-site requests and top-level navigations to the site; the default.
    Lax,
    /// Sent with cross-site requests too; needs `Secure` and anti-CSRF protection.
    None,
}

/// How state-changing requests prove they come from the site's own frontend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AntiCsrf {
    /// No check: `SameSite=Strict` or `Lax` cookies already keep cross-site requests out.
    None,
    /// SuperTokens' `VIA_CUSTOM_HEADER`: a request whose method is not GET, HEAD or OPTIONS must carry the header
    /// `rid`, which a cross-site form cannot send and a cross-site script cannot send without a CORS preflight.
    ViaCustomHeader,
    /// SuperTokens' `VIA_TOKEN`: new tokens come with an `anti-csrf` response header, and a request with cookies
    /// whose method is not GET, HEAD or OPTIONS, and every refresh call with cookies, must send it back in the
    /// `anti-csrf` header, which another site cannot read. SuperTokens' frontend SDK does this on its own.
    ViaToken,
}

/// What a sign-in does when the user already has as many live sessions as
/// [`max_sessions_per_user`](SessionConfigBuilder::max_sessions_per_user) allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionCapPolicy {
    /// The new session is created and the user's oldest ones (by creation) are revoked: the user is never locked
    /// out, and a forgotten device loses its session first.
    RevokeOldest,
    /// The sign-in fails with [`SessionCapError`](super::SessionCapError) (409): the user must sign out elsewhere
    /// first, or an admin revoke a session.
    Refuse,
}

/// What a refresh with a reused refresh token answers (SuperTokens core's `recent_token_reuse_behaviour`): a
/// previous token presented after the grace window, or a token of a branch that lost to a retry. Either way the
/// session is revoked; a token of an older lineage is always reported as theft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenReuseBehaviour {
    /// *Token theft detected*, SuperTokens' default: the `on_token_theft_detected` callback runs.
    #[default]
    TokenTheft,
    /// *Unauthorised*, the tokens cleared: for apps whose clients lose refresh responses often enough that
    /// reporting each as theft would drown real alarms.
    Unauthorised,
}

/// A setting of [`SessionConfigBuilder`] that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A status setting is not an error status.
    #[error("{setting} must be an error status in 400..=599, got {status}")]
    StatusNotAnError {
        /// The setting, `session_expired_status` or `invalid_claim_status`.
        setting: &'static str,
        /// The status that was given.
        status: u16,
    },
    /// The two statuses are equal, so a client cannot tell an expired session from a missing claim.
    #[error(
        "session_expired_status and invalid_claim_status are both {0}; they must differ, because the frontend \
         refreshes the session on the first and not on the second"
    )]
    SameStatuses(u16),
    /// A lifetime is shorter than one second, the unit of token timestamps.
    #[error("{0} must be at least one second")]
    LifetimeTooShort(&'static str),
    /// The absolute session lifetime is shorter than the access-token lifetime it would cut short.
    #[error(
        "absolute_session_lifetime ({absolute}s) is shorter than access_token_lifetime ({access}s); a session must \
         live at least as long as its first access token"
    )]
    AbsoluteLifetimeTooShort {
        /// The absolute lifetime in seconds.
        absolute: u64,
        /// The access-token lifetime in seconds.
        access: u64,
    },
    /// A session cap of zero would refuse every sign-in.
    #[error("max_sessions_per_user must allow at least one session")]
    ZeroSessionCap,
    /// The refresh token would expire before the access token it renews.
    #[error(
        "refresh_token_lifetime ({refresh}s) is shorter than access_token_lifetime ({access}s); the session would \
         end before its access token could be refreshed"
    )]
    RefreshShorterThanAccess {
        /// The access-token lifetime in seconds.
        access: u64,
        /// The refresh-token lifetime in seconds.
        refresh: u64,
    },
    /// The signing secret is too short to resist guessing.
    #[error(
        "signing_secret has {0} bytes, too few for the 256 random bits its keys need: 32 random bytes, 64 hex \
         digits or 43 base64 characters"
    )]
    SecretTooShort(usize),
    /// A path setting is not an absolute URL path that fits in a cookie and an axum route.
    #[error(
        "{setting} must be an absolute path such as `/auth/session/refresh`, made of letters, digits, `/` and \
         `-._~!$&'()+=@%` (no route captures, wildcards, `;`, `,` or spaces), got `{path}`"
    )]
    InvalidPath {
        /// The setting, `refresh_path` or `sign_out_path`.
        setting: &'static str,
        /// The path that was given.
        path: String,
    },
    /// Two of the recipe's endpoints (refresh, sign-out, JWKS) were given one path, which the router cannot serve
    /// twice.
    #[error(
        "two of refresh_path, sign_out_path and jwks_path are both `{0}`; each endpoint needs its own path"
    )]
    SamePaths(String),
    /// The cookie domain is not a host name.
    #[error(
        "cookie_domain must be a host name such as `example.com` (letters, digits, `-` and `.`), got `{0}`"
    )]
    InvalidDomain(String),
    /// `SameSite=None` cookies were asked for without `Secure`, which browsers refuse.
    #[error(
        "cookie_same_site(SameSite::None) needs cookie_secure(true); browsers drop SameSite=None cookies that are not Secure"
    )]
    SameSiteNoneWithoutSecure,
    /// `SameSite=None` cookies were asked for with [`AntiCsrf::None`]: any site's requests would carry them, and
    /// the origin check alone would stand between them and the session.
    #[error(
        "cookie_same_site(SameSite::None) with anti_csrf(AntiCsrf::None): cookies sent by every site need a CSRF \
         defence beside the origin check; use AntiCsrf::ViaCustomHeader (the default with SameSite::None) or ViaToken"
    )]
    SameSiteNoneWithoutAntiCsrf,
    /// `__Host-` cookies were asked for with a setting browsers refuse them with.
    #[error(
        "host_prefixed_cookies() needs {0}: browsers refuse __Host- cookies that are not Secure or name a Domain"
    )]
    HostPrefixNeeds(&'static str),
    /// An allowed origin is not `scheme://host[:port]`.
    #[error(
        "allowed_origin must be an origin such as `https://app.example.com` (http or https, a host, an optional \
         port, no path), got `{0}`"
    )]
    InvalidOrigin(String),
    /// The signing secret was to be read from an environment variable or a file that could not be read.
    #[error("the signing secret could not be read from {source_name}: {reason}")]
    SecretUnreadable {
        /// `the environment variable NAME` or `the file PATH`.
        source_name: String,
        /// Why it could not be read.
        reason: String,
    },
    /// The signing-key rotation interval is shorter than the access-token lifetime, so keys would retire while
    /// tokens they signed are still alive.
    #[error(
        "access_token_signing_key_update_interval ({interval}s) is shorter than access_token_lifetime ({access}s); \
         a key must sign for at least as long as its tokens live"
    )]
    SigningKeyIntervalTooShort {
        /// The interval in seconds.
        interval: u64,
        /// The access-token lifetime in seconds.
        access: u64,
    },
    /// The store timeout is zero, which would fail every request.
    #[error("store_timeout must be more than zero")]
    StoreTimeoutZero,
    /// The rotation grace period is longer than SuperTokens core allows (300 seconds).
    #[error(
        "refresh_token_rotation_grace_period is {0}s; it must be at most 300s, the longest a superseded refresh \
         token may be presented again"
    )]
    GracePeriodTooLong(u64),
    /// The issuer is empty.
    #[error("issuer must not be empty; leave it unset to leave `iss` out of access tokens")]
    EmptyIssuer,
    /// The older cookie domain is the current one, so clearing its cookies would clear the session's.
    #[error(
        "older_cookie_domain is `{0}`, the cookie_domain itself; it must name the domain used before"
    )]
    OlderCookieDomainIsCurrent(String),
    /// No signing secret was given and the OS random generator could not make one.
    #[error("no signing_secret was given and the OS random generator failed to make one: {0}")]
    NoRandomness(String),
}

impl SessionConfig {
    /// The default settings, to adjust and then [`build`](SessionConfigBuilder::build).
    pub fn builder() -> SessionConfigBuilder {
        SessionConfigBuilder {
            cookie_domain: None,
            cookie_secure: true,
            cookie_same_site: SameSite::Lax,
            access_token_lifetime: Duration::from_secs(60 * 60),
            refresh_token_lifetime: Duration::from_secs(100 * 24 * 60 * 60),
            refresh_path: "/auth/session/refresh".to_owned(),
            sign_out_path: "/auth/signout".to_owned(),
            session_expired_status: 401,
            invalid_claim_status: 403,
            signing_secret: None,
            anti_csrf: None,
            token_transfer: TokenTransferMethod::Any,
            clock: Arc::new(SystemClock),
            store_timeout: Duration::from_secs(5),
            grace_period: Duration::from_secs(30),
            reuse_behaviour: TokenReuseBehaviour::TokenTheft,
            older_cookie_domain: None,
            issuer: None,
            previous_secrets: Vec::new(),
            signing_key_rotation: Some(Duration::from_secs(168 * 60 * 60)),
            jwks_path: "/auth/jwt/jwks.json".to_owned(),
            allowed_origins: Vec::new(),
            host_prefixed_cookies: false,
            absolute_lifetime: None,
            session_cap: None,
            sign_in_revokes_current_session: false,
            expose_access_token: false,
        }
    }

    /// The status of unauthorised, try-refresh-token and token-theft responses.
    pub(crate) fn session_expired_status(&self) -> StatusCode {
        self.inner.session_expired_status
    }

    /// The status of invalid-claim responses.
    pub(crate) fn invalid_claim_status(&self) -> StatusCode {
        self.inner.invalid_claim_status
    }

    /// The path of the refresh endpoint, which is also the `Path` of the refresh-token cookie.
    pub(crate) fn refresh_path(&self) -> &str {
        &self.inner.refresh_path
    }

    /// The path of the sign-out endpoint.
    pub(crate) fn sign_out_path(&self) -> &str {
        &self.inner.sign_out_path
    }

    /// How long a store operation may take before the request answers 503.
    pub(crate) fn store_timeout(&self) -> Duration {
        self.inner.store_timeout
    }

    /// The anti-CSRF check applied to state-changing requests.
    pub(crate) fn anti_csrf(&self) -> AntiCsrf {
        self.inner.anti_csrf
    }

    /// What a refresh with a reused refresh token answers.
    pub(crate) fn recent_token_reuse_behaviour(&self) -> TokenReuseBehaviour {
        self.inner.reuse_behaviour
    }

    /// The path of the JWKS endpoint, where other services find the keys that verify access tokens.
    pub(crate) fn jwks_path(&self) -> &str {
        &self.inner.jwks_path
    }

    /// The path of the OpenID discovery document: the issuer's path with `/.well-known/openid-configuration`
    /// (`/auth/.well-known/openid-configuration` for `https://api.example.com/auth`), when the issuer is an http(s)
    /// URL.
    pub(crate) fn openid_configuration_path(&self) -> Option<&str> {
        self.inner
            .openid_configuration
            .as_ref()
            .map(|(path, _)| path.as_str())
    }
}

impl Default for SessionConfig {
    /// The default settings: `Secure`, `SameSite=Lax` cookies, one-hour access tokens, 100-day sessions,
    /// 401 and 403, a random signing secret.
    ///
    /// # Panics
    /// When the OS random generator fails; use [`SessionConfig::builder`] to handle that case.
    fn default() -> Self {
        match Self::builder().build() {
            Ok(config) => config,
            Err(error) => panic!("the default session configuration could not be built: {error}"),
        }
    }
}

impl SessionConfigBuilder {
    /// The `Domain` of the cookies, to share them with subdomains; unset (host-only cookies) by default.
    pub fn cookie_domain(mut self, domain: impl Into<String>) -> Self {
        self.cookie_domain = Some(domain.into());
        self
    }

    /// Whether the cookies are `Secure` (sent over HTTPS only); `true` by default.
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.cookie_secure = secure;
        self
    }

    /// The `SameSite` attribute of the cookies; [`SameSite::Lax`] by default.
    pub fn cookie_same_site(mut self, same_site: SameSite) -> Self {
        self.cookie_same_site = same_site;
        self
    }

    /// How long an access token is accepted; one hour by default.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// How long a session lives without a refresh; 100 days by default.
    pub fn refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_token_lifetime = lifetime;
        self
    }

    /// The path of the refresh endpoint and of the refresh-token cookie; `/auth/session/refresh` by default.
    pub fn refresh_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_path = path.into();
        self
    }

    /// The path of the sign-out endpoint; `/auth/signout` by default.
    pub fn sign_out_path(mut self, path: impl Into<String>) -> Self {
        self.sign_out_path = path.into();
        self
    }

    /// The status that tells the frontend to refresh or sign in again; 401 by default, 440 in older SuperTokens.
    pub fn session_expired_status(mut self, status: u16) -> Self {
        self.session_expired_status = status;
        self
    }

    /// The status of a request whose session lacks a required claim; 403 by default.
    pub fn invalid_claim_status(mut self, status: u16) -> Self {
        self.invalid_claim_status = status;
        self
    }

    /// The root secret, at least 32 random bytes, from which every key of the recipe is derived with HKDF: the
    /// access-token signing keys (one per rotation interval), the key that seals refresh tokens, the anti-CSRF
    /// key. A random one (valid until restart) by default.
    ///
    /// App instances that share a store must share the secret, so that each accepts the others' tokens; they
    /// then derive the same keys at the same time, with nothing to coordinate. To replace it without signing
    /// anyone out, give the old one to [`previous_signing_secret`](Self::previous_signing_secret).
    pub fn signing_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.signing_secret = Some(SecretSource::Bytes(Zeroizing::new(secret.into())));
        self
    }

    /// The signing secret is the value of the environment variable `name` (its UTF-8 bytes), read by
    /// [`build`](Self::build), which fails if it is unset or shorter than 32 bytes.
    pub fn signing_secret_from_env(mut self, name: impl Into<String>) -> Self {
        self.signing_secret = Some(SecretSource::Env(name.into()));
        self
    }

    /// The signing secret is the content of the file at `path`, without a trailing newline, read by
    /// [`build`](Self::build) (for secrets mounted as files, as Docker and Kubernetes do).
    pub fn signing_secret_from_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.signing_secret = Some(SecretSource::File(path.into()));
        self
    }

    /// A root secret that the current one replaced: access tokens signed with its keys verify until they expire,
    /// and refresh tokens it sealed refresh (the new tokens come from the current secret), so that a replacement
    /// signs no one out. Drop it once every session has refreshed since (one refresh-token lifetime). May be
    /// given several times; read by [`build`](Self::build), as the secret is.
    pub fn previous_signing_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.previous_secrets
            .push(SecretSource::Bytes(Zeroizing::new(secret.into())));
        self
    }

    /// How often a new key starts signing access tokens (SuperTokens core's
    /// `access_token_signing_key_update_interval`): 168 hours by default, at least the access-token lifetime. Each
    /// key is published at the JWKS endpoint an interval before it signs, and verifies until the last token it
    /// signed has expired.
    pub fn access_token_signing_key_update_interval(mut self, interval: Duration) -> Self {
        self.signing_key_rotation = Some(interval);
        self
    }

    /// One access-token signing key for good, derived from the root secret (supertokens-node's
    /// `useDynamicAccessTokenSigningKey: false`): for verifiers that cannot fetch a key set, at the cost of never
    /// retiring the key but by replacing the secret.
    pub fn static_access_token_signing_key(mut self) -> Self {
        self.signing_key_rotation = None;
        self
    }

    /// An origin other than the app's own (`https://app.example.com`: scheme, host and port, no path) whose
    /// pages may send state-changing requests with the session cookies: a SuperTokens frontend on another origin.
    /// May be given several times.
    ///
    /// Every state-changing request (not GET, HEAD or OPTIONS) whose tokens come by cookie must come from the
    /// app's own origin (its `Origin` names the request's `Host`, or `X-Forwarded-Host` behind a proxy) or from
    /// one of these; without an `Origin`, its `Sec-Fetch-Site` must not say `cross-site` or `same-site`. Anything
    /// else is refused with 403 (see [`SessionErrorKind::CrossOriginRequest`](super::SessionErrorKind)), before
    /// the session is looked at and without clearing it. A same-origin app needs nothing; requests in header mode
    /// carry no cookie and are not checked.
    pub fn allowed_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Names the session cookies `__Host-sAccessToken` and `__Host-sRefreshToken`: browsers then accept them only
    /// `Secure`, at `Path=/` and without a `Domain`, so no sibling subdomain (user content, a stale CNAME) can set
    /// or shadow them (cookie tossing). Off by default, as SuperTokens' names are what its tools expect.
    ///
    /// What it implies: `Secure` (`cookie_secure(false)` is refused), no `cookie_domain` (refused), and the
    /// refresh-token cookie at `Path=/` instead of the refresh endpoint's path, since `__Host-` cookies must be at
    /// `/`. The refresh token then travels with every request to the app, not only to the refresh endpoint; it
    /// stays `HttpOnly` and `Secure`, and the recipe reads it only at the refresh endpoint. That is the trade: a
    /// cookie no subdomain can plant, against a narrower path that a subdomain can shadow (a `__Secure-` name at
    /// the refresh path would keep the path but not the protection).
    pub fn host_prefixed_cookies(mut self) -> Self {
        self.host_prefixed_cookies = true;
        self
    }

    /// How long a session may live at most, refreshed or not, counted from its sign-in; unset by default, as in
    /// SuperTokens, where a session refreshed within every refresh-token lifetime lives on.
    ///
    /// Unset is the default because the recipe already bounds what a stolen refresh token is worth (rotation
    /// revokes the session at the client's next refresh, and an idle session ends after the refresh-token
    /// lifetime), and because an absolute lifetime signs every user out on a schedule, which is the app's call. An
    /// app that holds valuable data sets it (30 days, say): a stolen token that is rotated by its thief while the
    /// client never comes back then dies with the session. The session's expiry, in the store and at every
    /// refresh, never passes its creation plus this lifetime; past it, the refresh answers *unauthorised* and clears
    /// the tokens.
    pub fn absolute_session_lifetime(mut self, lifetime: Duration) -> Self {
        self.absolute_lifetime = Some(lifetime);
        self
    }

    /// At most `max` live sessions per user, with `policy` when a sign-in would exceed it; unlimited by default,
    /// as in SuperTokens. Counted with the store's list of the user's sessions at each sign-in, so concurrent
    /// sign-ins of one user may go one or two over it for a moment under [`SessionCapPolicy::Refuse`], and the
    /// next sign-in puts it right under [`SessionCapPolicy::RevokeOldest`].
    pub fn max_sessions_per_user(mut self, max: usize, policy: SessionCapPolicy) -> Self {
        self.session_cap = Some((max, policy));
        self
    }

    /// A sign-in through [`create_new_session_for`](super::Sessions::create_new_session_for) revokes the session
    /// the request already carries (its access token, by cookie or header, expired or not), so that a sign-in
    /// over an existing session, of the same user or another, leaves no session behind on the device. Off by
    /// default, as in SuperTokens.
    pub fn sign_in_revokes_current_session(mut self) -> Self {
        self.sign_in_revokes_current_session = true;
        self
    }

    /// In cookie mode, also sends the access token in the `st-access-token` header (supertokens-node's
    /// `exposeAccessTokenToFrontendInCookieBasedAuth`), so that the page's scripts can read it
    /// (`getAccessToken()`) and send it to another service that verifies it through the JWKS. Off by default: an
    /// access token the page can read is one an XSS can steal.
    pub fn expose_access_token_to_frontend_in_cookie_based_auth(mut self) -> Self {
        self.expose_access_token = true;
        self
    }

    /// The path of the JWKS endpoint that [`Sessions::router`](super::Sessions::router) serves;
    /// `/auth/jwt/jwks.json` by default, as SuperTokens'.
    pub fn jwks_path(mut self, path: impl Into<String>) -> Self {
        self.jwks_path = path.into();
        self
    }

    /// How long a store operation may take before the request answers 503; five seconds by default.
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// The anti-CSRF check; by default [`AntiCsrf::ViaCustomHeader`] with `SameSite=None`, else [`AntiCsrf::None`].
    pub fn anti_csrf(mut self, anti_csrf: AntiCsrf) -> Self {
        self.anti_csrf = Some(anti_csrf);
        self
    }

    /// The ways tokens travel (SuperTokens' `getTokenTransferMethod`): cookies, headers, or
    /// [`TokenTransferMethod::Any`], the default.
    pub fn token_transfer_method(mut self, method: TokenTransferMethod) -> Self {
        self.token_transfer = method;
        self
    }

    /// How long after a rotation the refresh token it superseded is still accepted: a retry, a lost response or
    /// a second tab presenting it within this window rotates again instead of revoking the session; 30 seconds
    /// by default, at most 300 (SuperTokens core's `refresh_token_rotation_grace_period`). Zero accepts no
    /// reuse at all.
    pub fn refresh_token_rotation_grace_period(mut self, grace_period: Duration) -> Self {
        self.grace_period = grace_period;
        self
    }

    /// What a refresh with a reused refresh token answers; [`TokenReuseBehaviour::TokenTheft`] by default
    /// (SuperTokens core's `recent_token_reuse_behaviour`). The session is revoked either way.
    pub fn recent_token_reuse_behaviour(mut self, behaviour: TokenReuseBehaviour) -> Self {
        self.reuse_behaviour = behaviour;
        self
    }

    /// The domain the session cookies were set with before `cookie_domain` changed (supertokens-node's
    /// `olderCookieDomain`); unset by default.
    ///
    /// A browser that still holds cookies of the older domain sends two session cookies of one name, which the
    /// recipe cannot tell apart: verification answers *try refresh token*, and the refresh call clears the
    /// older domain's cookies (answering 200, with nothing minted) when this is set, or fails with
    /// [`DuplicateSessionCookiesError`](super::DuplicateSessionCookiesError), a 500, when it is not.
    pub fn older_cookie_domain(mut self, domain: impl Into<String>) -> Self {
        self.older_cookie_domain = Some(domain.into());
        self
    }

    /// The `iss` claim of access tokens, such as `https://api.example.com/auth` (supertokens-node sets its API
    /// domain and base path); unset by default, which leaves `iss` out, as SuperTokens core does.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The clock that expiry is measured against; the system clock by default.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks the settings.
    pub fn build(self) -> Result<SessionConfig, ConfigError> {
        let session_expired_status =
            error_status("session_expired_status", self.session_expired_status)?;
        let invalid_claim_status = error_status("invalid_claim_status", self.invalid_claim_status)?;
        if session_expired_status == invalid_claim_status {
            return Err(ConfigError::SameStatuses(self.session_expired_status));
        }
        let access_lifetime = self.access_token_lifetime.as_secs();
        if access_lifetime == 0 {
            return Err(ConfigError::LifetimeTooShort("access_token_lifetime"));
        }
        let refresh_lifetime = self.refresh_token_lifetime.as_secs();
        if refresh_lifetime == 0 {
            return Err(ConfigError::LifetimeTooShort("refresh_token_lifetime"));
        }
        if refresh_lifetime < access_lifetime {
            return Err(ConfigError::RefreshShorterThanAccess {
                access: access_lifetime,
                refresh: refresh_lifetime,
            });
        }
        check_path("refresh_path", &self.refresh_path)?;
        check_path("sign_out_path", &self.sign_out_path)?;
        check_path("jwks_path", &self.jwks_path)?;
        if self.refresh_path == self.sign_out_path {
            return Err(ConfigError::SamePaths(self.refresh_path));
        }
        if self.jwks_path == self.refresh_path || self.jwks_path == self.sign_out_path {
            return Err(ConfigError::SamePaths(self.jwks_path));
        }
        let rotation = match self.signing_key_rotation {
            None => super::keys::Rotation::Static,
            Some(interval) if interval.as_secs() < access_lifetime => {
                return Err(ConfigError::SigningKeyIntervalTooShort {
                    interval: interval.as_secs(),
                    access: access_lifetime,
                });
            }
            Some(interval) => super::keys::Rotation::Every(interval.as_secs()),
        };
        if let Some(domain) = &self.cookie_domain {
            check_domain(domain)?;
        }
        if self.cookie_same_site == SameSite::None && !self.cookie_secure {
            return Err(ConfigError::SameSiteNoneWithoutSecure);
        }
        let absolute_lifetime = match self.absolute_lifetime {
            Some(lifetime) if lifetime.as_secs() < access_lifetime => {
                return Err(ConfigError::AbsoluteLifetimeTooShort {
                    absolute: lifetime.as_secs(),
                    access: access_lifetime,
                });
            }
            lifetime => lifetime.map(|lifetime| lifetime.as_secs()),
        };
        if matches!(self.session_cap, Some((0, _))) {
            return Err(ConfigError::ZeroSessionCap);
        }
        if self.host_prefixed_cookies && !self.cookie_secure {
            return Err(ConfigError::HostPrefixNeeds("cookie_secure(true)"));
        }
        if self.host_prefixed_cookies && self.cookie_domain.is_some() {
            return Err(ConfigError::HostPrefixNeeds("no cookie_domain"));
        }
        if self.cookie_same_site == SameSite::None && self.anti_csrf == Some(AntiCsrf::None) {
            return Err(ConfigError::SameSiteNoneWithoutAntiCsrf);
        }
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|origin| normalised_origin(origin))
            .collect::<Result<Vec<_>, _>>()?;
        if self.store_timeout.is_zero() {
            return Err(ConfigError::StoreTimeoutZero);
        }
        if self.grace_period > Duration::from_secs(300) {
            return Err(ConfigError::GracePeriodTooLong(self.grace_period.as_secs()));
        }
        if let Some(older) = &self.older_cookie_domain {
            check_domain(older)?;
            if self.cookie_domain.as_ref() == Some(older) {
                return Err(ConfigError::OlderCookieDomainIsCurrent(older.clone()));
            }
        }
        if self.issuer.as_deref() == Some("") {
            return Err(ConfigError::EmptyIssuer);
        }
        let signing_secret = match self.signing_secret.map(SecretSource::read).transpose()? {
            Some(secret) => strong(secret)?,
            None => {
                let mut secret = Zeroizing::new(vec![0; 32]);
                getrandom::fill(&mut secret)
                    .map_err(|error| ConfigError::NoRandomness(error.to_string()))?;
                secret
            }
        };
        let openid_configuration = self
            .issuer
            .as_deref()
            .and_then(|issuer| openid_configuration(issuer, &self.jwks_path));
        let previous_secrets = self
            .previous_secrets
            .into_iter()
            .map(|source| strong(source.read()?))
            .collect::<Result<Vec<_>, _>>()?;
        let keys = super::keys::Keys::new(
            &signing_secret,
            &previous_secrets,
            rotation,
            access_lifetime,
            super::clock::unix_seconds(&*self.clock),
        );
        let anti_csrf = self.anti_csrf.unwrap_or(match self.cookie_same_site {
            SameSite::None => AntiCsrf::ViaCustomHeader,
            SameSite::Strict | SameSite::Lax => AntiCsrf::None,
        });
        Ok(SessionConfig {
            inner: Arc::new(ConfigInner {
                cookie_domain: self.cookie_domain,
                cookie_secure: self.cookie_secure,
                cookie_same_site: self.cookie_same_site,
                access_lifetime,
                refresh_lifetime,
                refresh_path: self.refresh_path,
                sign_out_path: self.sign_out_path,
                session_expired_status,
                invalid_claim_status,
                keys,
                anti_csrf,
                token_transfer: self.token_transfer,
                clock: self.clock,
                store_timeout: self.store_timeout,
                grace_period_ms: u64::try_from(self.grace_period.as_millis()).unwrap_or(u64::MAX),
                reuse_behaviour: self.reuse_behaviour,
                older_cookie_domain: self.older_cookie_domain,
                issuer: self.issuer,
                rotation,
                jwks_path: self.jwks_path,
                allowed_origins,
                host_prefixed_cookies: self.host_prefixed_cookies,
                absolute_lifetime,
                session_cap: self.session_cap,
                sign_in_revokes_current_session: self.sign_in_revokes_current_session,
                expose_access_token: self.expose_access_token,
                openid_configuration,
            }),
        })
    }
}

/// The checked settings, shared by the recipe and by every error it raises.
pub(crate) struct ConfigInner {
    pub(crate) cookie_domain: Option<String>,
    pub(crate) cookie_secure: bool,
    pub(crate) cookie_same_site: SameSite,
    /// Seconds.
    pub(crate) access_lifetime: u64,
    /// Seconds.
    pub(crate) refresh_lifetime: u64,
    pub(crate) refresh_path: String,
    pub(crate) sign_out_path: String,
    pub(crate) session_expired_status: StatusCode,
    pub(crate) invalid_claim_status: StatusCode,
    pub(crate) keys: super::keys::Keys,
    pub(crate) anti_csrf: AntiCsrf,
    pub(crate) token_transfer: TokenTransferMethod,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) store_timeout: Duration,
    /// Milliseconds.
    pub(crate) grace_period_ms: u64,
    pub(crate) reuse_behaviour: TokenReuseBehaviour,
    pub(crate) older_cookie_domain: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) rotation: super::keys::Rotation,
    pub(crate) jwks_path: String,
    /// Lower-case `scheme://host[:port]`.
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) host_prefixed_cookies: bool,
    /// Seconds.
    pub(crate) absolute_lifetime: Option<u64>,
    pub(crate) session_cap: Option<(usize, SessionCapPolicy)>,
    pub(crate) sign_in_revokes_current_session: bool,
    pub(crate) expose_access_token: bool,
    /// The path of the OpenID discovery document and the document.
    pub(crate) openid_configuration: Option<(String, String)>,
}

/// `secret` if it holds 256 bits at least, judged by its alphabet: 64 characters of hex, 43 of base64, 32 bytes
/// of anything else (which the recipe cannot judge further, so take them from a random source).
fn strong(secret: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let is_hex = secret.iter().all(u8::is_ascii_hexdigit);
    let is_base64 = secret.iter().all(|byte| {
        byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'-' | b'_' | b'=')
    });
    let needed = if is_hex {
        64
    } else if is_base64 {
        43
    } else {
        32
    };
    if secret.len() < needed {
        return Err(ConfigError::SecretTooShort(secret.len()));
    }
    Ok(secret)
}

impl SecretSource {
    /// The secret, wiped from memory when dropped, as every copy the recipe makes of it is.
    fn read(self) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
        self.read_plain().map(Zeroizing::new)
    }

    fn read_plain(self) -> Result<Vec<u8>, ConfigError> {
        match self {
            Self::Bytes(mut secret) => Ok(std::mem::take(&mut *secret)),
            Self::Env(name) => std::env::var(&name)
                .map(String::into_bytes)
                .map_err(|error| ConfigError::SecretUnreadable {
                    source_name: format!("the environment variable {name}"),
                    reason: error.to_string(),
                }),
            Self::File(path) => match std::fs::read(&path) {
                Ok(mut secret) => {
                    // Editors and `echo` end files with a newline that is not part of the secret.
                    while secret
                        .last()
                        .is_some_and(|byte| matches!(byte, b'\n' | b'\r'))
                    {
                        secret.pop();
                    }
                    Ok(secret)
                }
                Err(error) => Err(ConfigError::SecretUnreadable {
                    source_name: format!("the file {}", path.display()),
                    reason: error.to_string(),
                }),
            },
        }
    }
}

impl ConfigInner {
    /// When a session created at `created_at` ends if it is refreshed `now`: a refresh-token lifetime later, but
    /// never past its absolute lifetime.
    pub(crate) fn session_expiry(&self, created_at: u64, now: u64) -> u64 {
        let idle = now.saturating_add(self.refresh_lifetime);
        match self.absolute_lifetime {
            Some(absolute) => idle.min(created_at.saturating_add(absolute)),
            None => idle,
        }
    }

    /// The current time in Unix seconds, from the configured clock.
    pub(crate) fn now(&self) -> u64 {
        super::clock::unix_seconds(&*self.clock)
    }

    /// The current time in Unix milliseconds, from the configured clock: the unit of rotation times, as in
    /// SuperTokens core, so that a grace period of zero accepts no reuse.
    pub(crate) fn now_millis(&self) -> u64 {
        super::clock::unix_millis(&*self.clock)
    }
}

impl fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        // The signing secret is left out: Debug output ends up in logs.
        f.debug_struct("SessionConfig")
            .field("cookie_domain", &inner.cookie_domain)
            .field("cookie_secure", &inner.cookie_secure)
            .field("cookie_same_site", &inner.cookie_same_site)
            .field("access_token_lifetime", &inner.access_lifetime)
            .field("refresh_token_lifetime", &inner.refresh_lifetime)
            .field("refresh_path", &inner.refresh_path)
            .field("sign_out_path", &inner.sign_out_path)
            .field("session_expired_status", &inner.session_expired_status)
            .field("invalid_claim_status", &inner.invalid_claim_status)
            .field("anti_csrf", &inner.anti_csrf)
            .field("store_timeout", &inner.store_timeout)
            .field("token_transfer_method", &inner.token_transfer)
            .field(
                "refresh_token_rotation_grace_period_ms",
                &inner.grace_period_ms,
            )
            .field("recent_token_reuse_behaviour", &inner.reuse_behaviour)
            .field("older_cookie_domain", &inner.older_cookie_domain)
            .field("issuer", &inner.issuer)
            .field("signing_key_rotation", &inner.rotation)
            .field("jwks_path", &inner.jwks_path)
            .field("allowed_origins", &inner.allowed_origins)
            .field("host_prefixed_cookies", &inner.host_prefixed_cookies)
            .field("absolute_session_lifetime", &inner.absolute_lifetime)
            .field("max_sessions_per_user", &inner.session_cap)
            .field(
                "sign_in_revokes_current_session",
                &inner.sign_in_revokes_current_session,
            )
            .field(
                "expose_access_token_to_frontend_in_cookie_based_auth",
                &inner.expose_access_token,
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionConfigBuilder")
            .field("cookie_domain", &self.cookie_domain)
            .field("cookie_secure", &self.cookie_secure)
            .field("cookie_same_site", &self.cookie_same_site)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("refresh_token_lifetime", &self.refresh_token_lifetime)
            .field("refresh_path", &self.refresh_path)
            .field("sign_out_path", &self.sign_out_path)
            .field("session_expired_status", &self.session_expired_status)
            .field("invalid_claim_status", &self.invalid_claim_status)
            .field("anti_csrf", &self.anti_csrf)
            .field("store_timeout", &self.store_timeout)
            .field("token_transfer_method", &self.token_transfer)
            .field("refresh_token_rotation_grace_period", &self.grace_period)
            .field("recent_token_reuse_behaviour", &self.reuse_behaviour)
            .field("older_cookie_domain", &self.older_cookie_domain)
            .field("issuer", &self.issuer)
            .field("signing_key_rotation", &self.signing_key_rotation)
            .field("jwks_path", &self.jwks_path)
            .field("allowed_origins", &self.allowed_origins)
            .field("host_prefixed_cookies", &self.host_prefixed_cookies)
            .field("absolute_session_lifetime", &self.absolute_lifetime)
            .field("max_sessions_per_user", &self.session_cap)
            .field(
                "sign_in_revokes_current_session",
                &self.sign_in_revokes_current_session,
            )
            .finish_non_exhaustive()
    }
}

fn error_status(setting: &'static str, status: u16) -> Result<StatusCode, ConfigError> {
    match StatusCode::from_u16(status) {
        Ok(code) if code.is_client_error() || code.is_server_error() => Ok(code),
        _ => Err(ConfigError::StatusNotAnError { setting, status }),
    }
}

fn check_path(setting: &'static str, path: &str) -> Result<(), ConfigError> {
    // Plain path characters only: `;` and `,` would end the cookie's `Path`, and `{`, `}`, `*` or `:` would make
    // the axum route a capture or a wildcard (or be refused) while the cookie path stays literal.
    let is_literal_path = path.starts_with('/')
        && path
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"/-._~!$&'()+=@%".contains(&byte));
    if is_literal_path {
        Ok(())
    } else {
        Err(ConfigError::InvalidPath {
            setting,
            path: path.to_owned(),
        })
    }
}

/// Where the OpenID discovery document of `issuer` is served, and the document: the issuer and the JWKS's URL, what
/// verifiers that discover keys from an issuer (jwks-rsa, Hasura, API gateways) read. `None` when the issuer is not
/// an http(s) URL whose path can be routed.
fn openid_configuration(issuer: &str, jwks_path: &str) -> Option<(String, String)> {
    let issuer = issuer.trim_end_matches('/');
    let scheme_end = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .map(|rest| issuer.len() - rest.len())?;
    let (origin, path) = match issuer[scheme_end..].find('/') {
        Some(slash) => issuer.split_at(scheme_end + slash),
        None => (issuer, ""),
    };
    let document_path = format!("{path}/.well-known/openid-configuration");
    check_path("issuer", &document_path).ok()?;
    let document = serde_json::json!({
        "issuer": issuer,
        "jwks_uri": format!("{origin}{jwks_path}"),
    });
    Some((document_path, document.to_string()))
}

/// `origin` in lower case without a trailing slash, if it is `http(s)://host[:port]`.
fn normalised_origin(origin: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::InvalidOrigin(origin.to_owned());
    let lower = origin.trim_end_matches('/').to_ascii_lowercase();
    let authority = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(invalid)?;
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "0"));
    let host_ok = !host.is_empty()
        && host.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'[' | b']' | b':')
        });
    if !host_ok || port.parse::<u16>().is_err() {
        return Err(invalid());
    }
    Ok(lower)
}

fn check_domain(domain: &str) -> Result<(), ConfigError> {
    let host = domain.strip_prefix('.').unwrap_or(domain);
    let is_host = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        });
    if is_host {
        Ok(())
    } else {
        Err(ConfigError::InvalidDomain(domain.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_secure_and_supertokens_like() {
        let config = SessionConfig::builder().build().unwrap();
        assert_eq!(config.session_expired_status(), StatusCode::UNAUTHORIZED);
        assert_eq!(config.invalid_claim_status(), StatusCode::FORBIDDEN);
        assert_eq!(config.refresh_path(), "/auth/session/refresh");
        assert!(config.inner.cookie_secure);
        assert_eq!(config.anti_csrf(), AntiCsrf::None);
    }

    #[test]
    fn accepts_the_older_440() {
        let config = SessionConfig::builder()
            .session_expired_status(440)
            .build()
            .unwrap();
        assert_eq!(config.session_expired_status().as_u16(), 440);
    }

    #[test]
    fn rejects_unworkable_settings_with_a_message() {
        let error = |builder: SessionConfigBuilder| builder.build().unwrap_err().to_string();
        assert_eq!(
            error(SessionConfig::builder().session_expired_status(403)),
            "session_expired_status and invalid_claim_status are both 403; they must differ, because the \
             frontend refreshes the session on the first and not on the second"
        );
        assert_eq!(
            error(SessionConfig::builder().session_expired_status(302)),
            "session_expired_status must be an error status in 400..=599, got 302"
        );
        assert_eq!(
            error(SessionConfig::builder().invalid_claim_status(600)),
            "invalid_claim_status must be an error status in 400..=599, got 600"
        );
        assert_eq!(
            error(SessionConfig::builder().access_token_lifetime(Duration::ZERO)),
            "access_token_lifetime must be at least one second"
        );
        assert_eq!(
            error(SessionConfig::builder().refresh_token_lifetime(Duration::from_millis(10))),
            "refresh_token_lifetime must be at least one second"
        );
        assert_eq!(
            error(
                SessionConfig::builder()
                    .access_token_lifetime(Duration::from_secs(600))
                    .refresh_token_lifetime(Duration::from_secs(60))
            ),
            "refresh_token_lifetime (60s) is shorter than access_token_lifetime (600s); the session would end \
             before its access token could be refreshed"
        );
        assert_eq!(
            error(SessionConfig::builder().signing_secret("short")),
            "signing_secret has 5 bytes, too few for the 256 random bits its keys need: 32 random bytes, 64 hex \
             digits or 43 base64 characters"
        );
        assert!(
            error(SessionConfig::builder().refresh_path("auth/refresh"))
                .starts_with("refresh_path must be an absolute path")
        );
        assert!(
            error(SessionConfig::builder().sign_out_path("/a;b"))
                .starts_with("sign_out_path must be an absolute path")
        );
        assert!(
            error(SessionConfig::builder().refresh_path("/auth/{session}/refresh"))
                .starts_with("refresh_path must be an absolute path")
        );
        assert!(
            error(SessionConfig::builder().sign_out_path("/auth/*rest"))
                .starts_with("sign_out_path must be an absolute path")
        );
        assert_eq!(
            error(
                SessionConfig::builder()
                    .refresh_path("/auth/session")
                    .sign_out_path("/auth/session")
            ),
            "two of refresh_path, sign_out_path and jwks_path are both `/auth/session`; each endpoint needs its own path"
        );
        assert!(
            error(SessionConfig::builder().cookie_domain("exa mple.com"))
                .starts_with("cookie_domain must be a host name")
        );
        assert_eq!(
            error(
                SessionConfig::builder()
                    .cookie_same_site(SameSite::None)
                    .cookie_secure(false)
            ),
            "cookie_same_site(SameSite::None) needs cookie_secure(true); browsers drop SameSite=None cookies \
             that are not Secure"
        );
    }

    #[test]
    fn same_site_none_turns_the_custom_header_check_on() {
        let config = SessionConfig::builder()
            .cookie_same_site(SameSite::None)
            .build()
            .unwrap();
        assert_eq!(config.anti_csrf(), AntiCsrf::ViaCustomHeader);
    }

    #[test]
    fn the_secret_can_come_from_a_file_or_the_environment() {
        let path = std::env::temp_dir().join(format!("errorhandler-secret-{}", std::process::id()));
        std::fs::write(&path, "a secret mounted as a file, 32 bytes+\n").unwrap();
        let from_file = SessionConfig::builder()
            .signing_secret_from_file(&path)
            .build()
            .unwrap();
        let given = SessionConfig::builder()
            .signing_secret("a secret mounted as a file, 32 bytes+")
            .build()
            .unwrap();
        // The same secret gives the same keys: the trailing newline is not part of it.
        let claims = super::super::tokens::RefreshClaims::new("handle".to_owned(), None).unwrap();
        let token = super::super::tokens::seal(&claims, from_file.inner.keys.refresh());
        assert!(
            super::super::tokens::open_refresh_token(&token, given.inner.keys.refresh_openers())
                .is_some()
        );
        std::fs::remove_file(&path).unwrap();
        let missing = SessionConfig::builder()
            .signing_secret_from_file(&path)
            .build()
            .unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("the signing secret could not be read from the file"),
            "{missing}"
        );
        let unset = SessionConfig::builder()
            .signing_secret_from_env("ERRORHANDLER_TEST_SECRET_THAT_IS_NEVER_SET")
            .build()
            .unwrap_err();
        assert_eq!(
            unset.to_string(),
            "the signing secret could not be read from the environment variable \
             ERRORHANDLER_TEST_SECRET_THAT_IS_NEVER_SET: environment variable not found"
        );
    }

    #[test]
    fn debug_output_leaves_the_secret_out() {
        let config = SessionConfig::builder()
            .signing_secret("a very secret secret of 32 bytes!!")
            .build()
            .unwrap();
        assert!(!format!("{config:?}").contains("very secret"));
    }
}
