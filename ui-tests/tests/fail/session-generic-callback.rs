use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised<T>(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
