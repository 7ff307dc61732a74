//! An impl without callbacks is accepted: every session error keeps SuperTokens' default.
#![deny(warnings, unused_qualifications, non_snake_case)]

use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(AuthErrors::layer());
}
