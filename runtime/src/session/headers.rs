//! The headers besides the cookies that the recipe and SuperTokens' frontends exchange, and the values that end
//! the frontend's session.

use axum::http::{HeaderName, HeaderValue};

/// `front-token`: what the frontend knows of the session, `base64(JSON {"uid", "ate", "up"})` or `remove`.
pub(crate) const FRONT_TOKEN_HEADER: HeaderName = HeaderName::from_static("front-token");
/// `st-access-token`: the access token, in header mode.
pub(crate) const ACCESS_TOKEN_HEADER: HeaderName = HeaderName::from_static("st-access-token");
/// `st-refresh-token`: the refresh token, in header mode.
pub(crate) const REFRESH_TOKEN_HEADER: HeaderName = HeaderName::from_static("st-refresh-token");
/// `st-auth-mode`: the transfer method a frontend asks for, `cookie` or `header`.
pub(crate) const AUTH_MODE_HEADER: HeaderName = HeaderName::from_static("st-auth-mode");
/// `anti-csrf`: the anti-CSRF token, in responses that mint one and in the requests that prove it.
pub(crate) const ANTI_CSRF_HEADER: HeaderName = HeaderName::from_static("anti-csrf");
/// `rid`: the custom header of SuperTokens' `VIA_CUSTOM_HEADER` anti-CSRF check; the SDK sends it on every call.
pub(crate) const RID_HEADER: HeaderName = HeaderName::from_static("rid");
/// `fdi-version`: the frontend-driver interface versions the SDK speaks, sent on its own calls.
pub(crate) const FDI_VERSION_HEADER: HeaderName = HeaderName::from_static("fdi-version");

/// The headers besides `Set-Cookie` of a response that ends the session: `front-token: remove` and empty
/// token headers, in every transfer method at once, as supertokens-node's
/// `clearSessionFromAllTokenTransferMethods` does (the response cannot know which one the client holds).
///
/// The SDK clears its session on `front-token: remove` alone (`fetch.js`, `FrontToken.removeToken`, which also
/// empties its header-mode tokens); the empty `st-*-token` headers clear them for clients that read only those.
pub(crate) fn clearing_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (FRONT_TOKEN_HEADER, HeaderValue::from_static("remove")),
        (ACCESS_TOKEN_HEADER, HeaderValue::from_static("")),
        (REFRESH_TOKEN_HEADER, HeaderValue::from_static("")),
    ]
}
