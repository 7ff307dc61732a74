use errorhandler::{errorhandler, handler};


struct NotAnError;

#[handler(NotAnError)]
fn not_an_error() -> &'static str {
    "not an error"
}

errorhandler! {
    struct SiteErrors;

    not_an_error;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
