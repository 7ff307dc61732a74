use errorhandler::session::session_error_handlers;

pub struct AuthErrors;

#[session_error_handlers]
impl AuthErrors {
    fn on_unauthorized(message: &str) -> String {
        message.to_owned()
    }

    fn on_try_refresh_token<T>(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(AuthErrors::layer());
}
