use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: u32) -> String {
        message.to_string()
    }
}

fn main() {}
