use errorhandler::errorhandler;
use errorhandler::session::session_error_handlers;

#[session_error_handlers]
pub struct AuthErrors;

errorhandler! {
    struct SiteErrors;

    session => AuthErrors;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
