use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    async fn on_unauthorised(message: &str) -> bool {
        message.is_empty()
    }
}

fn main() {}
