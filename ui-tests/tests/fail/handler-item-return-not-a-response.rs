use errorhandler::{errorhandler, handler, HttpError};


struct Page;

#[handler(404)]
fn not_found(_: &HttpError) -> Page {
    Page
}

errorhandler! {
    struct SiteErrors;

    not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
