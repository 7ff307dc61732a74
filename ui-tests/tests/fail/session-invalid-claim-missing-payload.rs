use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_invalid_claim() -> &'static str {
        "invalid claim"
    }
}

fn main() {}
