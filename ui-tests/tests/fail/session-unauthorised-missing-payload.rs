use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised() -> &'static str {
        "unauthorised"
    }
}

fn main() {}
