use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: &str, retries: u32) -> String {
        format!("{message} ({retries})")
    }
}

fn main() {}
