use errorhandler::session::session_error_handlers;

#[session_error_handlers]
pub struct AuthErrors;

fn main() {}
