//! A set made of registered functions and session callbacks that take `State<S>` declares its state, which the
//! macro cannot find in their signatures: `#[errorhandler(state = AppState)]`, then `with_state`.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::extract::State;
use errorhandler::session::session_error_handlers;
use errorhandler::{errorhandler, HttpError};

#[derive(Clone)]
pub struct AppState {
    pub name: &'static str,
}

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorised(message: &str, State(state): State<AppState>) -> String {
        format!("{}: {message}", state.name)
    }
}

fn not_found(_e: &HttpError, State(state): State<AppState>) -> String {
    format!("{} has no such page", state.name)
}

errorhandler! {
    /// The site's handlers.
    #[errorhandler(state = AppState)]
    pub struct SiteErrors;

    404 => not_found;
    session => AuthErrors;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::with_state(AppState { name: "shop" }));
}
