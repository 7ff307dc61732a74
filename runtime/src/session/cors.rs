//! CORS for a SuperTokens frontend on another origin, through tower-http's [`CorsLayer`].
//!
//! A page on another origin calls the API with `credentials: "include"` (`fetch.js`, `AuthHttpRequest.doRequest`,
//! `autoAddCredentials`) and with the SDK's own request headers, which need a preflight; it can read only the
//! response headers the API exposes, and it reads `front-token` on every response and the tokens in header mode
//! (`saveTokensFromHeaders`). Without `Access-Control-Expose-Headers: front-token`, a cross-origin SDK never
//! sees a session.
//!
//! ```
//! use axum::{http::HeaderValue, Router};
//! use errorhandler::session::{cors, SessionConfig, Sessions};
//!
//! let sessions = Sessions::new(SessionConfig::builder().build().unwrap());
//! let app: Router = Router::new()
//!     .merge(sessions.router())
//!     .with_state(sessions)
//!     .layer(cors::cors_layer(HeaderValue::from_static("https://app.example.com")));
//! ```

use axum::http::{HeaderName, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::headers::{
    ACCESS_TOKEN_HEADER, ANTI_CSRF_HEADER, AUTH_MODE_HEADER, FDI_VERSION_HEADER,
    FRONT_TOKEN_HEADER, REFRESH_TOKEN_HEADER, RID_HEADER,
};

/// The request headers the SDK adds to calls on the API, which a cross-origin API must allow: supertokens-node's
/// `getAllCORSHeaders()` for the session recipe (`rid` and `fdi-version` on every SDK call, `anti-csrf`,
/// `st-auth-mode` and, in header mode, `authorization`).
pub fn allowed_headers() -> [HeaderName; 5] {
    [
        RID_HEADER,
        FDI_VERSION_HEADER,
        ANTI_CSRF_HEADER,
        AUTH_MODE_HEADER,
        header::AUTHORIZATION,
    ]
}

/// The response headers the SDK reads, which a cross-origin API must expose.
pub fn exposed_headers() -> [HeaderName; 4] {
    [
        FRONT_TOKEN_HEADER,
        ANTI_CSRF_HEADER,
        ACCESS_TOKEN_HEADER,
        REFRESH_TOKEN_HEADER,
    ]
}

/// A [`CorsLayer`] for a SuperTokens frontend at `origins`: credentials allowed, the SDK's headers and
/// `content-type` allowed, [`exposed_headers`] exposed, and the usual methods. Add to it with `CorsLayer`'s own
/// builder methods; wrap the whole router with it, outside the error-handler layers, so that error responses
/// carry the CORS headers too.
///
/// Credentials forbid wildcards, so `origins` lists the frontend's origins (a `HeaderValue`, a list of them, or
/// an [`AllowOrigin`] predicate).
pub fn cors_layer(origins: impl Into<AllowOrigin>) -> CorsLayer {
    let mut allowed = allowed_headers().to_vec();
    allowed.push(header::CONTENT_TYPE);
    CorsLayer::new()
        .allow_origin(origins)
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(allowed)
        .expose_headers(exposed_headers())
}
