use axum::http::Uri;
use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    404 => not_found();

    #[errorhandler(500)]
    fn internal(uri: Uri) -> String {
        format!("{uri} failed")
    }
}

fn not_found() -> &'static str {
    "not found"
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
