use errorhandler::session::{session_error_handlers, ClaimValidationError};

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_invalid_claims(claims: &[ClaimValidationError]) -> String {
        format!("{} claims", claims.len())
    }
}

fn main() {}
