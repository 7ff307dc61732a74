//! Every callback is optional: a subset of them makes a layer on its own, the rest keep SuperTokens' defaults.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    async fn on_unauthorised(message: &str) -> impl IntoResponse {
        (StatusCode::UNAUTHORIZED, Json(serde_json::json!({ "error_msg": message })))
    }

    fn on_try_refresh_token(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(AuthErrors::layer());
}
