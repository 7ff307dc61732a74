use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn render_page(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
