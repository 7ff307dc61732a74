use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_token_theft_detected(session_handle: &str, user_id: u64) -> String {
        format!("{session_handle} {user_id}")
    }
}

fn main() {}
