use errorhandler::session::{session_error_handlers, ClaimValidationError};

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_invalid_claim(claims: &[ClaimValidationError], more: Vec<ClaimValidationError>) -> String {
        format!("{} {}", claims.len(), more.len())
    }
}

fn main() {}
