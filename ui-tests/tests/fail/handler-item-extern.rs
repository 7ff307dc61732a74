use errorhandler::{errorhandler, handler, HttpError};


#[handler(404)]
extern "C" fn not_found(_: &HttpError) -> &'static str {
    "not found"
}

errorhandler! {
    struct SiteErrors;

    not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
