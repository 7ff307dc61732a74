use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_token_theft(session_handle: &str, user_id: &str) -> String {
        format!("{session_handle} {user_id}")
    }
}

fn main() {}
