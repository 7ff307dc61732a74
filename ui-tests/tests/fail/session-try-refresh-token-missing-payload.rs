use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    async fn on_try_refresh_token() -> &'static str {
        "try refresh token"
    }
}

fn main() {}
