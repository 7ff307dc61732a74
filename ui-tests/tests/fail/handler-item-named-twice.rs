use errorhandler::{errorhandler, handler, HttpError};

#[handler(404)]
#[handler(410)]
#[handler(default)]
fn gone(e: &HttpError) -> String {
    e.to_string()
}

errorhandler! {
    struct SiteErrors;

    gone;
    gone;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
