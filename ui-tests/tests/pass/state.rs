//! A handler that takes `State<S>` makes the set take its state: `with_state`.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::extract::State;
use errorhandler::{errorhandler, HttpError};

#[derive(Clone)]
pub struct AppState {
    pub name: &'static str,
}

errorhandler! {
    struct StatefulErrors;

    #[errorhandler(404)]
    fn not_found(_e: &HttpError, State(state): State<AppState>) -> String {
        format!("{} has no such page", state.name)
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(StatefulErrors::with_state(AppState { name: "shop" }));
}
