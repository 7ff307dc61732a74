use errorhandler::session::session_error_handlers;

#[session_error_handlers]
fn on_unauthorised(message: &str) -> String {
    message.to_owned()
}

fn main() {}
