use errorhandler::{errorhandler, HttpError};


fn gone(e: &HttpError) -> String {
    e.to_string()
}

errorhandler! {
    struct SiteErrors;

    gone;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
