use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: &str) -> String {
        message.to_owned()
    }

    async fn on_unauthorised(message: String) -> String {
        message
    }
}

fn main() {}
