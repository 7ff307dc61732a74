use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_try_refresh_token(message: String, user_id: String) -> String {
        format!("{message} {user_id}")
    }
}

fn main() {}
