use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_try_refresh_token(message: &str, body: axum::body::Bytes) -> String {
        format!("{message} ({} bytes)", body.len())
    }
}

fn main() {}
