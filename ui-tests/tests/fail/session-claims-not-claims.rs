use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_invalid_claim(claims: &str) -> String {
        claims.to_owned()
    }
}

fn main() {}
