use errorhandler::errorhandler;
use errorhandler::session::session_error_handlers;

pub trait Callbacks {
    fn on_unauthorised(message: &str) -> String;
}

pub struct AuthErrors;

#[session_error_handlers]
impl Callbacks for AuthErrors {
    fn on_unauthorised(message: &str) -> String {
        message.to_owned()
    }
}

errorhandler! {
    struct SiteErrors;

    session => AuthErrors;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
