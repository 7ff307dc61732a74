use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    const fn on_unauthorised(_message: &str) -> &'static str {
        "unauthorised"
    }
}

fn main() {}
