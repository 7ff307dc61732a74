use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    const X: u8 = 1;

    fn on_unauthorised(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
