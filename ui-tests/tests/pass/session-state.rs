//! A callback that takes `State<S>` makes the callbacks take their state: `with_state`.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::extract::State;
use axum::http::HeaderMap;
use errorhandler::session::session_error_handlers;

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

    async fn on_token_theft_detected(
        session_handle: &str,
        user_id: &str,
        headers: HeaderMap,
        State(state): State<AppState>,
    ) -> String {
        format!("{}: {session_handle} {user_id} ({} headers)", state.name, headers.len())
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(AuthErrors::with_state(AppState { name: "shop" }));
}
