//! The callbacks join an `errorhandler!` set with `session => AuthErrors;`: one layer serves both.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use errorhandler::session::{session_error_handlers, ClaimValidationError};
use errorhandler::{errorhandler, HttpError};

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    async fn on_unauthorised(message: &str) -> impl IntoResponse {
        (StatusCode::UNAUTHORIZED, Json(serde_json::json!({ "error_msg": message })))
    }

    fn on_try_refresh_token(message: String, headers: HeaderMap) -> String {
        format!("{message} ({} headers)", headers.len())
    }

    fn on_invalid_claim(claims: &[ClaimValidationError]) -> Json<Vec<ClaimValidationError>> {
        Json(claims.to_vec())
    }
}

errorhandler! {
    /// Pages and sessions.
    pub struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(e: &HttpError) -> String {
        e.to_string()
    }

    session => AuthErrors;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
