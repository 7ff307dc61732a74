use axum::extract::State;
use errorhandler::errorhandler;
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
}

errorhandler! {
    pub struct SiteErrors;

    session => AuthErrors;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
