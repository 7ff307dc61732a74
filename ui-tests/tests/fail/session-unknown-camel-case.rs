use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    #[allow(non_snake_case)]
    fn onUnauthorised(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
