use axum::http::HeaderMap;
use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(headers: HeaderMap) -> String {
        format!("{} headers", headers.len())
    }
}

fn main() {}
