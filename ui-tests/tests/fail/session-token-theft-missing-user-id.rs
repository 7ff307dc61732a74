use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_token_theft_detected(session_handle: &str) -> String {
        session_handle.to_owned()
    }
}

fn main() {}
