use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    500 => internal;
}

fn internal(error: &HttpError) -> u16 {
    error.status().as_u16()
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
