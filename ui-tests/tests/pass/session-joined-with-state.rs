//! Callbacks that take `State<AppState>` join a set whose state is `AppState`: `SiteErrors::with_state`.
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

errorhandler! {
    pub struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(_e: &HttpError, State(state): State<AppState>) -> String {
        format!("{} has no such page", state.name)
    }

    session => AuthErrors;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::with_state(AppState { name: "shop" }));
}
