use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: &str, extra: &str) -> String {
        format!("{message} {extra}")
    }
}

fn main() {}
