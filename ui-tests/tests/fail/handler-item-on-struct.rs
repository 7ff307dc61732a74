use errorhandler::{errorhandler, handler};


#[handler(404)]
struct NotFound;

errorhandler! {
    struct SiteErrors;

    NotFound;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
