use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: &str) -> String
    where
        String: Clone,
    {
        message.to_owned()
    }
}

fn main() {}
