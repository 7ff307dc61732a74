use axum::Json;
use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: &str, Json(body): Json<serde_json::Value>) -> String {
        format!("{message} {body}")
    }
}

fn main() {}
