use errorhandler::{errorhandler, handler};

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;


#[handler(404)]
fn not_found(e: &CheeseNotFound) -> String {
    e.to_string()
}

errorhandler! {
    struct SiteErrors;

    not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
