use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    async fn on_token_theft_detected(session_handle: &str, user_id: &str, message: &str) -> String {
        format!("{session_handle} {user_id} {message}")
    }
}

fn main() {}
