use errorhandler::{errorhandler, handler, HttpError};


#[handler(404)]
fn not_found(e: &HttpError, verbose: bool) -> String {
    format!("{e} {verbose}")
}

errorhandler! {
    struct SiteErrors;

    not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
