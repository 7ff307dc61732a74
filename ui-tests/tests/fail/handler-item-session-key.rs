use errorhandler::{errorhandler, handler};


#[handler(session)]
fn callbacks() -> &'static str {
    "session"
}

errorhandler! {
    struct SiteErrors;

    callbacks;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
