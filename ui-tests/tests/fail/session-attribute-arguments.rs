use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers(on_unauthorised)]
impl AuthErrors {
    fn on_unauthorised(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
