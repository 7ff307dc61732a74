//! Every session callback, sync and async, with each payload form (`&str` or `String`,
//! `&[ClaimValidationError]` or `Vec<ClaimValidationError>`) and request-head extractors after the payload.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::extract::Extension;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Json;
use errorhandler::session::{session_error_handlers, ClaimValidationError};

#[derive(Clone)]
pub struct RequestId(pub u64);

/// Async callbacks with borrowed payloads.
pub struct AsyncAuthErrors;

#[session_error_handlers]
impl AsyncAuthErrors {
    async fn on_unauthorised(message: &str) -> impl IntoResponse {
        (StatusCode::UNAUTHORIZED, Json(serde_json::json!({ "error_msg": message })))
    }

    async fn on_try_refresh_token(message: &str, uri: Uri, method: Method) -> String {
        format!("{method} {uri}: {message}")
    }

    async fn on_token_theft_detected(
        session_handle: &str,
        user_id: &str,
        headers: HeaderMap,
    ) -> impl IntoResponse {
        let body = serde_json::json!({
            "session_handle": session_handle,
            "user_id": user_id,
            "headers": headers.len(),
        });
        (StatusCode::from_u16(440).unwrap_or(StatusCode::UNAUTHORIZED), Json(body))
    }

    async fn on_invalid_claim(
        claims: &[ClaimValidationError],
        Extension(id): Extension<RequestId>,
    ) -> Json<serde_json::Value> {
        Json(serde_json::json!({ "request": id.0, "claimValidationErrors": claims }))
    }
}

/// Sync callbacks with owned payloads.
pub struct SyncAuthErrors;

#[session_error_handlers]
impl SyncAuthErrors {
    fn on_unauthorised(message: String, headers: HeaderMap) -> String {
        format!("{message} ({} headers)", headers.len())
    }

    fn on_try_refresh_token(message: String) -> String {
        message
    }

    fn on_token_theft_detected(session_handle: String, user_id: String) -> StatusCode {
        let _ = (session_handle, user_id);
        StatusCode::UNAUTHORIZED
    }

    fn on_invalid_claim(claims: Vec<ClaimValidationError>, _: Uri) -> Json<Vec<ClaimValidationError>> {
        Json(claims)
    }
}

/// Mixed: the payload ignored with `_`, a borrowed and an owned string side by side.
pub struct MixedAuthErrors;

#[session_error_handlers]
impl MixedAuthErrors {
    fn on_unauthorised(_: &str) -> &'static str {
        "unauthorised"
    }

    async fn on_token_theft_detected(_session_handle: &str, user_id: String) -> String {
        user_id
    }

    async fn on_invalid_claim(claims: Vec<ClaimValidationError>) -> impl IntoResponse {
        (StatusCode::FORBIDDEN, Json(claims))
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new()
        .layer(AsyncAuthErrors::layer())
        .layer(SyncAuthErrors::layer())
        .layer(MixedAuthErrors::layer());
}
